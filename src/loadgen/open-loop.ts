import { arrivalGaps } from './arrivals.js';
import type { HttpTarget } from './http-target.js';
import type { LevelDriver } from './level.js';
import { seededRandom } from './random.js';
import { sleep } from './sleep.js';
import { WindowRecorder, type WindowStats } from './window.js';

export interface OpenLoopOptions {
  arrival: 'constant' | 'poisson';
  /** Requests in flight beyond this are counted as dropped instead of sent. */
  maxOutstanding: number;
  /** How long `stop('drain')` waits for in-flight requests before cancelling them. */
  drainTimeoutMs: number;
  seed: number;
}

/**
 * Offers load at a rate regardless of how fast the target answers (an open loop, like independent
 * users), which is what a latency SLO is about. Each request's latency is measured from its *intended*
 * send time, not from when it actually left: if the client or the server falls behind, the waiting
 * counts, instead of being silently omitted (coordinated omission).
 */
export class OpenLoopGenerator implements LevelDriver {
  private recorder = new WindowRecorder(performance.now());
  /** Intended send times of requests in flight, oldest first (insertion order). */
  private readonly pending = new Set<{ intendedAt: number }>();
  private scheduling: { stop: AbortController; done: Promise<void> } | undefined;
  private levels = 0;

  constructor(
    private readonly target: HttpTarget,
    private readonly options: OpenLoopOptions,
  ) {}

  start(rate: number): void {
    if (this.scheduling) throw new Error('the open-loop generator is already running');
    const now = performance.now();
    this.recorder = new WindowRecorder(now);
    const stop = new AbortController();
    // Each level gets its own stream of arrivals, still reproducible from the seed.
    const random = seededRandom(this.options.seed + this.levels++);
    this.scheduling = { stop, done: this.schedule(rate, random, stop.signal, now) };
  }

  async window(durationMs: number, signal?: AbortSignal): Promise<WindowStats> {
    await sleep(durationMs, signal);
    const now = performance.now();
    const oldest = this.pending.values().next().value;
    return this.recorder.rotate(now, oldest ? now - oldest.intendedAt : 0);
  }

  async stop(mode: 'drain' | 'cancel'): Promise<void> {
    const scheduling = this.scheduling;
    if (!scheduling) return;
    scheduling.stop.abort();
    await scheduling.done;
    this.scheduling = undefined;
    await this.target.drain(mode === 'drain' ? this.options.drainTimeoutMs : 0);
  }

  private async schedule(
    rate: number,
    random: () => number,
    signal: AbortSignal,
    startAt: number,
  ): Promise<void> {
    const nextGap = arrivalGaps(this.options.arrival, rate, random);
    let intendedAt = startAt;
    while (!signal.aborted) {
      const now = performance.now();
      // Timers fire late; every request whose time has come goes out now, stamped with its own time.
      while (intendedAt <= now) {
        this.fire(intendedAt, now);
        intendedAt += nextGap();
      }
      try {
        await sleep(intendedAt - performance.now(), signal);
      } catch {
        return;
      }
    }
  }

  private fire(intendedAt: number, now: number): void {
    const recorder = this.recorder;
    recorder.recordSendLag(now - intendedAt);
    if (this.target.outstanding >= this.options.maxOutstanding) {
      recorder.recordError('dropped', `more than ${this.options.maxOutstanding} requests outstanding`);
      return;
    }
    const entry = { intendedAt };
    this.pending.add(entry);
    void this.target.send().then((outcome) => {
      this.pending.delete(entry);
      // Outcomes land in whatever window is open when they complete.
      if (outcome.ok) this.recorder.recordSuccess(performance.now() - intendedAt);
      else if (outcome.kind !== 'cancelled') this.recorder.recordError(outcome.kind, outcome.detail);
    });
  }
}
