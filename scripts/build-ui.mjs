// Bundles the web dashboard (src/ui) with esbuild into dist/ui: index.html, app.js and app.css for
// `morphling serve`, and report.js, which `morphling report` inlines into self-contained HTML files.
// The UI is not compiled by tsc's Node build (tsconfig.build.json excludes src/ui); it is type-checked
// by tsconfig.ui.json.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/ui`;

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: [
    { in: 'src/ui/main.tsx', out: 'app' },
    { in: 'src/ui/report-main.tsx', out: 'report' },
    { in: 'src/ui/app.css', out: 'app' },
  ],
  outdir: out,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome109', 'firefox115', 'safari16'],
  minify: true,
  legalComments: 'none',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  loader: { '.yaml': 'text' },
  define: { 'process.env.NODE_ENV': '"production"' },
  metafile: true,
  logLevel: 'warning',
});
await copyFile(`${root}src/ui/index.html`, `${out}/index.html`);

const sizes = Object.entries(result.metafile.outputs)
  .map(([file, { bytes }]) => `${file.replace(/^.*dist\//, 'dist/')} ${(bytes / 1024).toFixed(0)} KiB`)
  .join(', ');
process.stdout.write(`ui: ${sizes}\n`);
