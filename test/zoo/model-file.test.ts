import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel, ensureModelFile } from '../../src/zoo/index.js';

describe('ensureModelFile', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'zoo-file-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const nested = path.join(dir, 'cache', 'models');

  it('writes <dir>/<name>.onnx with the built bytes, creating the directory', async () => {
    const file = await ensureModelFile('mlp-tiny', nested);
    expect(file).toBe(path.join(nested, 'mlp-tiny.onnx'));
    expect((await readFile(file)).equals(Buffer.from(buildModel('mlp-tiny').bytes))).toBe(true);
    expect(await readdir(nested)).toEqual(['mlp-tiny.onnx']);
  });

  it('leaves an up-to-date file alone', async () => {
    const file = path.join(nested, 'mlp-tiny.onnx');
    const before = await stat(file);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await ensureModelFile('mlp-tiny', nested);
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
  });

  it('replaces a stale or truncated file', async () => {
    const file = path.join(nested, 'mlp-tiny.onnx');
    await writeFile(file, 'not a model');
    await ensureModelFile('mlp-tiny', nested);
    expect((await readFile(file)).equals(Buffer.from(buildModel('mlp-tiny').bytes))).toBe(true);
  });

  it('survives concurrent callers without leaving temporary files', async () => {
    const files = await Promise.all([1, 2, 3].map(() => ensureModelFile('bert-tiny', dir)));
    expect(new Set(files)).toEqual(new Set([path.join(dir, 'bert-tiny.onnx')]));
    expect((await readdir(dir)).filter((entry) => entry.endsWith('.tmp'))).toEqual([]);
  });
});
