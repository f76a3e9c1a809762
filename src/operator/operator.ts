import type { ExperimentManager } from '../controller/experiment-manager.js';
import { ConflictError, formatProblem, NotFoundError, type SpecProblem } from '../errors.js';
import type { KubeClient } from '../runners/kubernetes/api-client.js';
import type { ExperimentDocument } from '../spec/schema.js';
import type { Store } from '../store/store.js';
import { phaseLast, setCondition, setPhase } from './conditions.js';
import { ownerOf, validateObject } from './document.js';
import {
  PROFILING_EXPERIMENTS,
  type ProfilingExperimentObject,
  type ProfilingExperimentStatus,
} from './resource.js';
import { specChange } from './spec-change.js';
import { statusFromStore } from './status.js';
import { writeStatus } from './status-writer.js';
import { listAndWatch } from './watch.js';

export interface OperatorOptions {
  client: KubeClient;
  /** The namespace whose ProfilingExperiments this operator runs. */
  namespace: string;
  manager: ExperimentManager;
  store: Store;
  /** Relative paths in specs resolve against it (the server's working directory). */
  baseDir: string;
  /** At most one status write per object per this many ms while its experiment runs. @default 2000 */
  throttleMs?: number;
  /** Pause before retrying a failed list or watch. @default 1000 */
  retryMs?: number;
  /** Server-side timeout of each watch request. @default 300 */
  watchTimeoutSeconds?: number;
  log?: (line: string) => void;
}

/** Why the operator is not running what an object asks for, shown as a condition. */
type Note =
  | { kind: 'ok' }
  | { kind: 'invalid'; problems: SpecProblem[] }
  | { kind: 'name-taken'; message: string }
  | { kind: 'refused'; reason: string; message: string };

const REFUSED = 'SpecChangeRefused';

/**
 * Runs the ProfilingExperiments of one namespace in this process's ExperimentManager and reports on
 * them in their status: an applied object is validated and submitted, a larger `maxNumTrials` resumes
 * it, other spec changes are refused with a condition, and deleting the object stops the run and
 * deletes the experiment it created (as alibaba/morphling's trials are owned by, and garbage-collected
 * with, their experiment). Work on one object is serialized; objects proceed independently.
 */
export class ExperimentOperator {
  private readonly objects = new Map<string, ProfilingExperimentObject>();
  /** The generation (spec version) last acted on: status writes and label edits do not bump it. */
  private readonly handled = new Map<string, number>();
  private readonly notes = new Map<string, Note>();
  private readonly subscriptions = new Map<string, () => void>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly options: OperatorOptions) {
    this.log = options.log ?? (() => {});
  }

  start(): void {
    this.running = listAndWatch(
      this.options.client,
      PROFILING_EXPERIMENTS,
      this.options.namespace,
      {
        synced: (objects) => this.synced(objects),
        changed: async (object) => this.enqueue(object.metadata.name, () => this.reconcile(object)),
        deleted: async (object) => this.enqueue(object.metadata.name, () => this.forget(object)),
        error: (error) => this.log(`operator: ${(error as Error).message ?? error}; retrying`),
      },
      this.stopping.signal,
      { retryMs: this.options.retryMs, timeoutSeconds: this.options.watchTimeoutSeconds },
    );
  }

  /** Stops watching and writing; the experiments keep running until the manager closes. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.running;
    await Promise.all(this.queues.values());
    for (const unsubscribe of this.subscriptions.values()) unsubscribe();
    this.subscriptions.clear();
  }

  /** After a (re)list: objects gone meanwhile are forgotten, as are experiments whose object went while no operator watched. */
  private async synced(objects: ProfilingExperimentObject[]): Promise<void> {
    const names = new Set(objects.map((o) => o.metadata.name));
    for (const [name, object] of this.objects) {
      if (!names.has(name)) this.enqueue(name, () => this.forget(object));
    }
    const uids = new Set(objects.map((o) => o.metadata.uid));
    for (const record of await this.options.store.listExperiments()) {
      const owner = ownerOf(record.document);
      const namespace = (record.document as ExperimentDocument).metadata.namespace;
      if (owner && namespace === this.options.namespace && !uids.has(owner)) {
        this.enqueue(record.name, () =>
          this.removeExperiment(record.name, 'its ProfilingExperiment is gone'),
        );
      }
    }
    for (const object of objects) this.enqueue(object.metadata.name, () => this.reconcile(object));
  }

  private async reconcile(object: ProfilingExperimentObject): Promise<void> {
    const { name } = object.metadata;
    this.objects.set(name, object);
    if (!this.subscriptions.has(name)) {
      this.subscriptions.set(
        name,
        this.options.manager.subscribe(name, (notice) => notice === 'changed' && this.schedule(name)),
      );
    }
    const generation = object.metadata.generation ?? 0;
    if (this.handled.get(name) === generation) {
      // Our own status write, or a metadata edit: only the status may need refreshing, throttled.
      this.schedule(name);
      return;
    }
    this.handled.set(name, generation);
    try {
      this.notes.set(name, await this.apply(object));
    } catch (error) {
      this.handled.delete(name); // act on this spec again at the next event or relist
      throw error;
    }
    await this.flush(name);
  }

  /** Acts on a new or changed spec; returns what the status should say about it. */
  private async apply(object: ProfilingExperimentObject): Promise<Note> {
    const { name, uid } = object.metadata;
    const { manager, store } = this.options;
    const validation = validateObject(object, this.options.baseDir);
    const record = await store.getExperiment(name);
    if (record && ownerOf(record.document) !== uid) {
      return {
        kind: 'name-taken',
        message: `an experiment named "${name}" is already in Morphling's store and was not created from this object; delete it there (DELETE /api/experiments/${name}) or rename the object`,
      };
    }
    if (!validation.valid) {
      if (!record) return { kind: 'invalid', problems: validation.problems };
      const message = `the new spec is invalid, the running experiment keeps the old one: ${validation.problems.map(formatProblem).join('; ')}`;
      return { kind: 'refused', reason: 'InvalidSpec', message };
    }
    if (!record) {
      await manager.submit(validation.experiment);
      this.log(`operator: submitted experiment ${name}`);
      return { kind: 'ok' };
    }
    const change = specChange(name, record.document as ExperimentDocument, validation.experiment.document);
    if (change.kind === 'refused') return change;
    if (change.kind === 'raise-budget') {
      // The budget of a running experiment is fixed when it starts: stop it (running trials are
      // requeued, nothing measured is lost) and resume it with the new budget.
      if (manager.isRunning(name)) await manager.stop(name);
      try {
        await manager.resume(name, { maxNumTrials: change.maxNumTrials });
        this.log(`operator: resumed experiment ${name} with maxNumTrials ${change.maxNumTrials}`);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error; // already running again: nothing to do
      }
    }
    return { kind: 'ok' };
  }

  /** The object is gone: stop its run and delete the experiment it created. */
  private async forget(object: ProfilingExperimentObject): Promise<void> {
    const { name, uid } = object.metadata;
    clearTimeout(this.timers.get(name));
    this.timers.delete(name);
    this.subscriptions.get(name)?.();
    this.subscriptions.delete(name);
    this.objects.delete(name);
    this.handled.delete(name);
    this.notes.delete(name);
    const record = await this.options.store.getExperiment(name);
    if (record && ownerOf(record.document) === uid)
      await this.removeExperiment(name, 'its ProfilingExperiment was deleted');
  }

  private async removeExperiment(name: string, why: string): Promise<void> {
    try {
      await this.options.manager.remove(name, true);
      this.log(`operator: deleted experiment ${name}: ${why}`);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }

  /** A status write soon, at most one per `throttleMs` per object. */
  private schedule(name: string): void {
    if (this.timers.has(name) || this.stopping.signal.aborted) return;
    const timer = setTimeout(() => {
      this.timers.delete(name);
      this.enqueue(name, () => this.flush(name));
    }, this.options.throttleMs ?? 2000);
    this.timers.set(name, timer);
  }

  private async flush(name: string): Promise<void> {
    const object = this.objects.get(name);
    if (!object || this.stopping.signal.aborted) return;
    const written = await writeStatus(this.options.client, object, (current) => this.statusOf(current));
    if (written && this.objects.has(name)) this.objects.set(name, written);
  }

  private async statusOf(object: ProfilingExperimentObject): Promise<ProfilingExperimentStatus | undefined> {
    const { name } = object.metadata;
    const note = this.notes.get(name) ?? { kind: 'ok' };
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const previous = object.status ?? {};
    const observedGeneration = this.handled.get(name);
    if (note.kind === 'invalid' || note.kind === 'name-taken') {
      const message = note.kind === 'invalid' ? note.problems.map(formatProblem).join('; ') : note.message;
      const reason = note.kind === 'invalid' ? 'InvalidSpec' : 'NameTaken';
      return {
        ...previous,
        phase: 'Failed',
        message,
        observedGeneration,
        conditions: setPhase(previous.conditions ?? [], 'Failed', reason, message, now),
      };
    }
    const record = await this.options.store.getExperiment(name);
    if (!record) return undefined;
    const status = statusFromStore(record, await this.options.store.listTrials(name), previous, now);
    status.observedGeneration = observedGeneration;
    if (note.kind === 'refused') {
      status.conditions = setCondition(
        status.conditions ?? [],
        { type: REFUSED, status: 'True', reason: note.reason, message: note.message },
        now,
      );
    } else if (status.conditions?.some((c) => c.type === REFUSED && c.status === 'True')) {
      status.conditions = setCondition(
        status.conditions,
        { type: REFUSED, status: 'False', reason: 'SpecAccepted' },
        now,
      );
    }
    status.conditions = phaseLast(status.conditions ?? []);
    return status;
  }

  private enqueue(name: string, task: () => Promise<void>): void {
    const next = (this.queues.get(name) ?? Promise.resolve())
      .then(task)
      .catch((error: unknown) => this.log(`operator: ${name}: ${(error as Error).message ?? error}`));
    this.queues.set(name, next);
    void next.finally(() => {
      if (this.queues.get(name) === next) this.queues.delete(name);
    });
  }
}
