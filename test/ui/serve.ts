import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { startMorphling } from '../helpers/cli.js';

export interface Served {
  url: string;
  child: ChildProcess;
  /** SIGINT, as Ctrl-C does; resolves once the server has exited. */
  stop(): Promise<void>;
}

/** `morphling serve --port 0 ...args` in `cwd`, resolved once it prints where it listens. */
export async function serve(cwd: string, args: readonly string[]): Promise<Served> {
  const child = startMorphling(['serve', '--port', '0', ...args], { cwd });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await exited;
    },
  };
}
