// Stages the build context of an image of this repository (scripts/docker-image.sh; run `npm run build`
// first), with only what runs in it — not the whole node_modules (about 1 GB of build tools and test
// drivers):
// - `server` (morphling-server:local): the compiled files reachable from its two programs, the bundled
//   model server (dist/serving/main.js, the entrypoint) and the in-cluster load client of the
//   kubernetes runner's Jobs (dist/runners/kubernetes/load-client.js), and the npm packages they
//   import with everything those depend on.
// - `controller` (morphling:local, for deploy/): bin/, all of dist/, and the production dependencies.
//
//   node scripts/stage-image.mjs OUT_DIR [server|controller]   → OUT_DIR/app/{package.json,dist,node_modules}
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const [out, mode = 'server'] = process.argv.slice(2);
if (!out || !['server', 'controller'].includes(mode)) {
  console.error('usage: node scripts/stage-image.mjs OUT_DIR [server|controller]');
  process.exit(2);
}
const entries = ['dist/serving/main.js', 'dist/runners/kubernetes/load-client.js', 'dist/cli/main.js'].map(
  (file) => join(root, file),
);
for (const entry of entries) {
  if (!existsSync(entry)) {
    console.error(`${relative(root, entry)} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
}

// `import|export ... from 'x'` statements, `import 'x'`, `import('x')`, `require('x')` and
// `require.resolve('x')` / `createRequire(...).resolve('x')`, scanned with comments removed.
const SPECIFIER =
  /(?:^\s*(?:import|export)\b[^'"]*?\bfrom\s*|^\s*import\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\.resolve\s*\(\s*)['"]([^'"]+)['"]/gm;
const COMMENTS = /\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm;
const BUILTINS = new Set(builtinModules);

/** Our compiled files reachable from the entry, and the bare package names they import. */
async function reachable(starts) {
  const files = new Set();
  const packages = new Set();
  const queue = [...starts];
  while (queue.length > 0) {
    const file = queue.pop();
    if (files.has(file)) continue;
    files.add(file);
    const code = (await readFile(file, 'utf8')).replace(COMMENTS, '');
    for (const [, specifier] of code.matchAll(SPECIFIER)) {
      if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier));
      else if (!specifier.startsWith('node:') && !BUILTINS.has(specifier))
        packages.add(packageName(specifier));
    }
  }
  return { files, packages };
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** Node's lookup: the nearest node_modules/NAME from `fromDir` up to the repository root. */
function findPackage(name, fromDir) {
  for (let dir = fromDir; dir.startsWith(root); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root) break;
  }
  return undefined;
}

/** Package directories needed at run time: the imports and their dependencies, transitively. */
async function packageClosure(names) {
  const dirs = new Set();
  const queue = [...names].map((name) => ({ name, from: root, optional: false }));
  while (queue.length > 0) {
    const { name, from, optional } = queue.pop();
    const dir = findPackage(name, from);
    if (!dir) {
      if (optional) continue;
      throw new Error(`cannot find package ${name} (needed from ${relative(root, from) || '.'})`);
    }
    if (dirs.has(dir)) continue;
    dirs.add(dir);
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys(manifest.dependencies ?? {}))
      queue.push({ name: dep, from: dir, optional: false });
    for (const dep of Object.keys(manifest.optionalDependencies ?? {}))
      queue.push({ name: dep, from: dir, optional: true });
  }
  return dirs;
}

/** Skips nested node_modules (staged on their own when needed) and other platforms' native binaries. */
function keep(source) {
  const path = relative(root, source);
  const nested = /node_modules\/(?:@[^/]+\/)?[^/]+\/node_modules(?:\/|$)/.test(path);
  const foreignBinary = /\/bin\/napi-v\d+\/(?:darwin|win32)(?:\/|$)|\/bin\/napi-v\d+\/linux\/(?!x64)/.test(
    path,
  );
  return !nested && !foreignBinary;
}

const app = join(out, 'app');
await rm(out, { recursive: true, force: true });
await mkdir(app, { recursive: true });
const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
let packages;
let staged;
if (mode === 'server') {
  const reached = await reachable(entries.slice(0, 2));
  for (const file of reached.files) await cp(file, join(app, relative(root, file)));
  packages = reached.packages;
  staged = `${reached.files.size} files of dist/`;
} else {
  await cp(join(root, 'dist'), join(app, 'dist'), { recursive: true });
  await cp(join(root, 'bin'), join(app, 'bin'), { recursive: true });
  packages = new Set(Object.keys(manifest.dependencies ?? {}));
  staged = 'dist/, bin/';
}
const dirs = await packageClosure(packages);
for (const dir of dirs) await cp(dir, join(app, relative(root, dir)), { recursive: true, filter: keep });
// "type": "module" makes node load dist/*.js as ES modules, as on the host.
const name = mode === 'server' ? `${manifest.name}-server` : manifest.name;
await writeFile(
  join(app, 'package.json'),
  `${JSON.stringify({ name, version: manifest.version, type: 'module', private: true }, null, 2)}\n`,
);
console.log(`staged ${staged} and ${dirs.size} packages (${[...packages].join(', ')}) in ${app}`);
