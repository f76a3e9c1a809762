import { execFileSync } from 'node:child_process';

/** Tests that spawn the CLI or the model server run the compiled code: build it once first. */
export default function setup(): void {
  if (process.env.MORPHLING_SKIP_BUILD === '1') return;
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  // The web dashboard and report bundles (dist/ui), which `morphling serve` and `morphling report` use.
  execFileSync(process.execPath, ['scripts/build-ui.mjs'], { stdio: 'inherit' });
}
