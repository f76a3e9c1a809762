import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildModel } from './registry.js';

/**
 * Path of `<dir>/<name>.onnx`, written if missing or different from what this code builds now (so a cache
 * directory never serves weights or graphs from an older version). The write goes to a temporary file that
 * is renamed into place, so concurrent callers and readers never see a half-written model.
 */
export async function ensureModelFile(name: string, dir: string): Promise<string> {
  const { bytes } = buildModel(name);
  const target = path.join(dir, `${name}.onnx`);
  if (await hasContent(target, bytes)) return target;
  await mkdir(dir, { recursive: true });
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return target;
}

async function hasContent(file: string, expected: Uint8Array): Promise<boolean> {
  try {
    return Buffer.from(expected).equals(await readFile(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
