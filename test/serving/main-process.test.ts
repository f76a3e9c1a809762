import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inferBody, postJson } from './http-helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ENTRY = path.join(ROOT, 'dist/serving/main.js');

/** Sources the entry point is compiled from, each paired with its output in dist/. */
function compiledPairs(): Array<[string, string]> {
  const sources = ['src/errors.ts'];
  for (const dir of ['src/serving', 'src/zoo', 'src/zoo/models']) {
    for (const entry of readdirSync(path.join(ROOT, dir)))
      if (entry.endsWith('.ts')) sources.push(`${dir}/${entry}`);
  }
  return sources.map((source) => [
    path.join(ROOT, source),
    path.join(ROOT, source.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js')),
  ]);
}

/**
 * The global setup builds dist/ unless MORPHLING_SKIP_BUILD=1; build here only if the server's compiled
 * files are missing or older than their sources, so this test never runs stale code.
 */
function ensureBuilt(): void {
  const stale = compiledPairs().some(
    ([source, output]) => !existsSync(output) || statSync(output).mtimeMs < statSync(source).mtimeMs,
  );
  if (!stale) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch (error) {
    // tsc still emits when other folders have type errors; only a missing entry point is fatal here.
    const output = String((error as { stdout?: Buffer }).stdout ?? error)
      .split('\n')
      .slice(0, 5)
      .join('\n');
    console.warn(`tsc -p tsconfig.build.json reported errors:\n${output}`);
    if (!existsSync(ENTRY)) throw error;
  }
}

interface ServerProcess {
  child: ChildProcess;
  port: number;
  firstLine: string;
}

async function spawnServer(args: string[], env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [ENTRY, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`server exited with code ${code} before listening`);
  });
  const [firstLine] = (await Promise.race([once(lines, 'line'), exited])) as [string];
  return { child, port: JSON.parse(firstLine).port, firstLine };
}

async function exitOf(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

describe('dist/serving/main.js as a process', () => {
  let cacheDir: string;
  const env = () => ({ MODEL_CACHE_DIR: cacheDir, HOST: '127.0.0.1' });

  beforeAll(async () => {
    ensureBuilt();
    cacheDir = await mkdtemp(path.join(tmpdir(), 'serve-main-'));
  });
  afterAll(() => rm(cacheDir, { recursive: true, force: true }));

  it('prints the listening line, serves, and exits 0 on SIGTERM after finishing in-flight work', async () => {
    const { child, port, firstLine } = await spawnServer(
      ['--model', 'mlp-tiny', '--port', '0', '--batch-delay-ms', '200'],
      { ...env(), MAX_BATCH_SIZE: '4' },
    );
    try {
      expect(JSON.parse(firstLine)).toEqual({ event: 'listening', port: expect.any(Number) });
      expect(port).toBeGreaterThan(0);
      const url = `http://127.0.0.1:${port}/v2/models/mlp-tiny/infer`;
      const inFlight = postJson(url, inferBody('mlp-tiny', 2));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const exit = exitOf(child);
      child.kill('SIGTERM');
      const reply = await inFlight;
      expect(reply.status).toBe(200);
      expect(reply.body.outputs[0]?.shape).toEqual([2, 10]);
      expect(Number(reply.headers.get('x-queue-ms'))).toBeGreaterThanOrEqual(150);
      expect(await exit).toEqual({ code: 0, stderr: '' });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it.each([
    [
      ['--model', 'mlp-tiny', '--max-batch-size', '0'],
      /^morphling-serve: --max-batch-size \(MAX_BATCH_SIZE\): must be >= 1\n$/,
    ],
    [
      ['--model-path', '/nonexistent/x.onnx'],
      /^morphling-serve: --model-path \(MODEL_PATH\): no readable file/,
    ],
    [['--model', 'mlp-tiny', '--frobnicate'], /^morphling-serve: arguments: .*frobnicate/],
  ])('exits 2 with a one-line message for %j', async (args, message) => {
    const child = spawn(process.execPath, [ENTRY, ...args, '--port', '0'], {
      env: { ...process.env, ...env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { code, stderr } = await exitOf(child);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
