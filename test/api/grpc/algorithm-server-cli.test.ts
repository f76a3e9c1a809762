import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { morphling, startMorphling } from '../../helpers/cli.js';
import { SuggestionClient } from './client.js';

let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
});

/** Collects a stream's text and resolves when a line matches `pattern`. */
function waitFor(stream: NodeJS.ReadableStream, pattern: RegExp, seen: string[]): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}: ${seen.join('')}`)),
      30_000,
    );
    stream.on('data', (chunk: Buffer) => {
      seen.push(chunk.toString());
      const match = seen.join('').match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
  });
}

describe('morphling algorithm-server', () => {
  it('prints its port, answers GetSuggestions and health checks, and stops cleanly on SIGTERM', async () => {
    child = startMorphling(['algorithm-server', '--port', '0']);
    const out: string[] = [];
    const err: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk.toString()));
    const exited = once(child, 'exit');
    const match = await waitFor(
      child.stdout as NodeJS.ReadableStream,
      /listening on 127\.0\.0\.1:(\d+)/,
      out,
    );
    const port = Number(match[1]);
    expect(port).toBeGreaterThan(0);

    const client = new SuggestionClient(`127.0.0.1:${port}`);
    try {
      const assignments = await client.suggest({
        algorithm_name: 'grid',
        required_sampling: 2,
        parameters: [
          { name: 'cpu', parameter_type: 'DISCRETE', feasible_space: ['500m', '1'] },
          { name: 'precision', parameter_type: 'CATEGORICAL', feasible_space: ['fp32', 'fp16'] },
        ],
      });
      expect(assignments).toEqual([
        { cpu: '500m', precision: 'fp32' },
        { cpu: '500m', precision: 'fp16' },
      ]);
      expect(await client.check('algorithm.probe')).toEqual({ ok: true, value: { status: 'SERVING' } });
    } finally {
      client.close();
    }

    child.kill('SIGTERM');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const log = err.join('');
    expect(log).toMatch(/^GetSuggestions grid: 0 results, 2 of 2 requested \(\d+ ms\)$/m);
    expect(log).toMatch(/^SIGTERM: finishing the running calls, then stopping\nstopped$/m);
  });

  it('refuses a bad port with exit code 2', () => {
    const result = morphling(['algorithm-server', '--port', 'http']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('"http" is not a port number');
  });
});
