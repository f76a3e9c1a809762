import { type ChildProcess, spawn } from 'node:child_process';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The serving instance's process: spawned without a shell, in its own process group. */
export class ServerProcess {
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;
  private output = '';
  private spawnError: Error | undefined;

  private constructor(private readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => {
      // Keep the tail only: enough to say why a server died, bounded however much it logs.
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.once('error', (error) => {
        this.spawnError = error;
        this.exitInfo ??= { code: null, signal: null };
        resolve(this.exitInfo);
      });
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  static spawn(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): ServerProcess {
    const [command, ...args] = argv as [string, ...string[]];
    return new ServerProcess(
      spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Set once the process has exited (or failed to start). */
  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** Why the process could not start (e.g. ENOENT for a missing binary). */
  get startError(): Error | undefined {
    return this.spawnError;
  }

  get outputTail(): string {
    return this.output.trim();
  }

  /** SIGTERM to the whole process group, SIGKILL after a grace period. */
  async terminate(graceMs = 3000): Promise<void> {
    if (this.exitInfo || this.child.pid === undefined) return;
    signalGroup(this.child.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(this.child.pid as number, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    // Children of the server that outlived it are still in its group.
    signalGroup(this.child.pid, 'SIGKILL');
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
  }
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is already gone.
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
