import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureModelFile, listModels } from '../../src/zoo/index.js';

const PYTHON = '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' });
const hasOnnx = probe.status === 0;
if (!hasOnnx) {
  console.warn(
    `skipping onnx.checker test: '${PYTHON} -c "import onnx"' failed (the onnx Python package is missing)`,
  );
}

// The official checker catches schema mistakes onnxruntime tolerates; optional because python3-onnx may be absent.
describe.skipIf(!hasOnnx)('onnx.checker (python onnx package)', () => {
  it('accepts every zoo model with full checks and shape inference', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'zoo-check-'));
    try {
      const files = await Promise.all(listModels().map((name) => ensureModelFile(name, dir)));
      const script =
        'import sys, onnx\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(f, full_check=True)\n';
      expect(() => execFileSync(PYTHON, ['-c', script, ...files], { stdio: 'pipe' })).not.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
