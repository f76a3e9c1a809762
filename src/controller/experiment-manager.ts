import { ConflictError, NotFoundError, SpecError } from '../errors.js';
import { resolveExperiment } from '../spec/resolve.js';
import type { ResolvedExperiment } from '../spec/resolved.js';
import type { ExperimentDocument } from '../spec/schema.js';
import type { ExperimentRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { ControllerEvent } from './events.js';
import { runExperiment } from './run-experiment.js';

/** What subscribers hear: new events are in the store, or the experiment is gone. */
export type ExperimentNotice = 'changed' | 'deleted';

/** Status message of experiments interrupted by a shutdown: the next start resumes them. */
export const SHUTDOWN_MESSAGE = 'the server shut down; it resumes when `morphling serve` starts again';

/** How many recent controller events are kept per experiment for live subscribers. */
const RECENT_EVENTS = 256;

interface ActiveRun {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Runs experiments in the background of a long-lived process (the API server): one `runExperiment`
 * with its own AbortController per experiment. Stopping aborts (running trials are requeued, as Ctrl-C
 * does); resuming runs again, which continues from the store.
 */
export class ExperimentManager {
  private readonly runs = new Map<string, ActiveRun>();
  private readonly deleting = new Set<string>();
  private readonly listeners = new Map<string, Set<(notice: ExperimentNotice) => void>>();
  private readonly recent = new Map<string, Map<string, ControllerEvent>>();
  private closing = false;

  constructor(
    private readonly store: Store,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** True while a run of the experiment is active here and has not been asked to stop. */
  isRunning(name: string): boolean {
    const run = this.runs.get(name);
    return run !== undefined && !run.controller.signal.aborted;
  }

  /** Stores a new experiment and starts running it. Throws `ConflictError` if the name is taken. */
  async submit(experiment: ResolvedExperiment): Promise<ExperimentRecord> {
    this.assertOpen();
    const record = await this.store.createExperiment({
      name: experiment.name,
      document: experiment.document,
      baseDir: experiment.baseDir,
    });
    this.launch(experiment);
    return record;
  }

  /**
   * Runs a stored experiment again; it continues where it stopped. A larger `maxNumTrials` raises the
   * budget (runExperiment stores the changed document). Waits for a stop in progress to finish first.
   */
  async resume(name: string, changes: { maxNumTrials?: number } = {}): Promise<void> {
    this.assertOpen();
    const active = this.runs.get(name);
    if (active && !active.controller.signal.aborted)
      throw new ConflictError(`experiment "${name}" is already running`);
    if (active) await active.done;
    const record = await this.store.getExperiment(name);
    if (!record || this.deleting.has(name)) throw new NotFoundError(`no experiment named "${name}"`);
    // Another request may have started it while this one waited.
    if (this.runs.has(name)) throw new ConflictError(`experiment "${name}" is already running`);
    this.assertOpen();
    const stored = record.document as ExperimentDocument;
    const document =
      changes.maxNumTrials === undefined
        ? stored
        : { ...stored, spec: { ...stored.spec, maxNumTrials: changes.maxNumTrials } };
    this.launch(resolveExperiment(document, record.baseDir));
  }

  /**
   * Asks a running experiment to stop and returns at once; the run requeues its running trials and
   * marks the experiment stopped as it winds down (a `resume` meanwhile waits for that).
   */
  async stop(name: string): Promise<void> {
    const active = this.runs.get(name);
    if (!active) {
      if (!(await this.store.getExperiment(name))) throw new NotFoundError(`no experiment named "${name}"`);
      throw new ConflictError(`experiment "${name}" is not running`);
    }
    active.controller.abort(new Error('stopped through the API'));
  }

  /** Deletes an experiment; one that is running only with `force`, after stopping it. */
  async remove(name: string, force: boolean): Promise<void> {
    const record = await this.store.getExperiment(name);
    if (!record || this.deleting.has(name)) throw new NotFoundError(`no experiment named "${name}"`);
    const active = this.runs.get(name);
    // A 'running' status without a run here means another process (`morphling run`) may be running it.
    if ((active || record.status === 'running') && !force) {
      throw new ConflictError(`experiment "${name}" is running; stop it first or delete it with ?force=true`);
    }
    this.deleting.add(name);
    try {
      if (active) {
        active.controller.abort(new Error('deleted through the API'));
        await active.done;
      }
      await this.store.deleteExperiment(name);
    } finally {
      this.deleting.delete(name);
    }
    this.recent.delete(name);
    this.notify(name, 'deleted');
  }

  /** Resumes the experiments the store shows as running: a killed or stopped server left them so. */
  async resumeInterrupted(): Promise<string[]> {
    const resumed: string[] = [];
    for (const record of await this.store.listExperiments()) {
      if (record.status !== 'running' || this.runs.has(record.name)) continue;
      try {
        this.launch(resolveExperiment(record.document, record.baseDir));
        resumed.push(record.name);
        this.log(`resuming experiment ${record.name}`);
      } catch (error) {
        // A stored document the current code no longer accepts: say why instead of retrying forever.
        const reason = error instanceof SpecError ? error.message.replaceAll('\n', '; ') : String(error);
        await this.store.setExperimentStatus(record.name, 'failed', `cannot resume: ${reason}`);
        this.notify(record.name, 'changed');
      }
    }
    return resumed;
  }

  /**
   * Stops every run (running trials requeued) and marks the experiments it interrupted as running, so
   * that the next server resumes them; an experiment a user stopped stays stopped.
   */
  async close(): Promise<void> {
    this.closing = true;
    const interrupted = [...this.runs].filter(([, run]) => !run.controller.signal.aborted);
    for (const [, run] of this.runs) run.controller.abort(new Error('the server is shutting down'));
    await Promise.all([...this.runs.values()].map((run) => run.done));
    for (const [name] of interrupted) {
      const record = await this.store.getExperiment(name);
      if (record?.status === 'stopped')
        await this.store.setExperimentStatus(name, 'running', SHUTDOWN_MESSAGE);
    }
    this.listeners.clear();
  }

  /** Calls `listener` whenever the experiment's event log grows or the experiment is deleted. */
  subscribe(name: string, listener: (notice: ExperimentNotice) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(name) === set) this.listeners.delete(name);
    };
  }

  /** The controller's own event for a trial transition, when it was seen by this process recently. */
  recentEvent(name: string, key: string): ControllerEvent | undefined {
    return this.recent.get(name)?.get(key);
  }

  private launch(experiment: ResolvedExperiment): void {
    const { name } = experiment;
    const controller = new AbortController();
    const run: ActiveRun = { controller, done: Promise.resolve() };
    run.done = runExperiment({
      store: this.store,
      experiment,
      signal: controller.signal,
      onEvent: (event) => this.publish(name, event),
    })
      .then(
        (result) => this.log(`experiment ${name}: ${result.status} (${result.message})`),
        (error) => this.recordFailure(name, error),
      )
      .finally(() => {
        if (this.runs.get(name) === run) this.runs.delete(name);
        this.notify(name, 'changed');
      });
    this.runs.set(name, run);
  }

  /** runExperiment marks failures inside its loop; one that fails before (e.g. its runner) is marked here. */
  private async recordFailure(name: string, error: unknown): Promise<void> {
    const message = (error as Error)?.message ?? String(error);
    this.log(`experiment ${name} failed: ${message}`);
    try {
      const record = await this.store.getExperiment(name);
      if (record && record.status !== 'failed')
        await this.store.setExperimentStatus(name, 'failed', `the controller failed: ${message}`);
    } catch (storeError) {
      this.log(`could not record the failure of ${name}: ${(storeError as Error).message}`);
    }
  }

  private publish(name: string, event: ControllerEvent): void {
    const key = trialEventKey(event);
    if (key) {
      let recent = this.recent.get(name);
      if (!recent) {
        recent = new Map();
        this.recent.set(name, recent);
      }
      recent.set(key, event);
      if (recent.size > RECENT_EVENTS) recent.delete(recent.keys().next().value as string);
    }
    this.notify(name, 'changed');
  }

  private notify(name: string, notice: ExperimentNotice): void {
    for (const listener of this.listeners.get(name) ?? []) listener(notice);
  }

  private assertOpen(): void {
    if (this.closing) throw new ConflictError('the server is shutting down');
  }
}

/**
 * Identifies a trial transition: the trial's id, the attempt and the kind of move. The store's event
 * for the same transition carries the same three, so a stream can pair them.
 */
export function trialEventKey(
  event: ControllerEvent | { type: string; trialId?: number; attempt?: number },
): string | undefined {
  if ('trial' in event) return `${event.type}#${event.trial.id}#${event.trial.attempt}`;
  if ('trialId' in event && event.trialId !== undefined)
    return `${event.type}#${event.trialId}#${event.attempt}`;
  return undefined;
}
