import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Algorithm } from '../algorithms/algorithm.js';
import { permutation } from '../algorithms/random.js';
import type { Config, Observation, ParameterValue } from '../space/parameter.js';
import type { SearchSpace } from '../space/search-space.js';

/** Peer optimisers reached through bench/peers/peer_bridge.py. */
export const PEERS = ['optuna-tpe', 'optuna-cmaes', 'optuna-random', 'sklearn-gp-ei'] as const;
export type PeerName = (typeof PEERS)[number];

export function isPeer(name: string): name is PeerName {
  return (PEERS as readonly string[]).includes(name);
}

/** The Python modules each peer needs (what `hello` reports a version of). */
const NEEDS: Record<PeerName, readonly ('optuna' | 'cmaes' | 'sklearn')[]> = {
  'optuna-tpe': ['optuna'],
  'optuna-cmaes': ['optuna', 'cmaes'],
  'optuna-random': ['optuna'],
  'sklearn-gp-ei': ['sklearn'],
};

/** Debian's interpreter (where python3-optuna and python3-sklearn install), else `python3` on PATH. */
export function defaultPython(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** The bridge script (repository root `bench/peers/`, two folders up from src/bench or dist/bench). */
export function bridgeScript(): string {
  return fileURLToPath(new URL('../../bench/peers/peer_bridge.py', import.meta.url));
}

type Reply = Record<string, unknown>;

/** One Python process speaking the bridge's JSON-lines protocol, one request at a time. */
export class PeerBridge {
  private readonly waiting: { resolve: (reply: Reply) => void; reject: (error: Error) => void }[] = [];
  private stderr = '';
  private closed: Error | undefined;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const next = this.waiting.shift();
      if (!next) return;
      try {
        next.resolve(JSON.parse(line) as Reply);
      } catch {
        next.reject(new Error(`peer bridge: not JSON: ${line.slice(0, 200)}`));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    const fail = (error: Error) => {
      this.closed = error;
      for (const w of this.waiting.splice(0)) w.reject(error);
    };
    child.on('error', (error) =>
      fail(new Error(`peer bridge: cannot run ${child.spawnfile}: ${error.message}`)),
    );
    child.on('exit', (code, signal) =>
      fail(
        new Error(`peer bridge exited (${signal ?? code})${this.stderr ? `: ${this.stderr.trim()}` : ''}`),
      ),
    );
  }

  static start(python = defaultPython(), script = bridgeScript()): PeerBridge {
    return new PeerBridge(spawn(python, [script], { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  request(message: Reply): Promise<Reply> {
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(`${JSON.stringify(message)}\n`);
    });
  }

  /** Like `request`, but an `{"error"}` answer throws. */
  async call(message: Reply): Promise<Reply> {
    const reply = await this.request(message);
    if (typeof reply.error === 'string') throw new Error(`peer bridge: ${reply.error}`);
    return reply;
  }

  /** Which peers can run here: `true`, or why not. */
  async availability(): Promise<Record<PeerName, true | string>> {
    const hello = (await this.call({ hello: {} })).hello as Record<string, string | null>;
    const result = {} as Record<PeerName, true | string>;
    for (const peer of PEERS) {
      const missing = NEEDS[peer].filter((module) => !hello[module]);
      result[peer] =
        missing.length === 0
          ? true
          : `python module ${missing.join(', ')} not installed for ${this.child.spawnfile} ` +
            `(Debian: apt-get install ${missing.map((m) => `python3-${m}`).join(' ')})`;
    }
    return result;
  }

  close(): void {
    if (!this.closed) this.child.stdin.end();
  }
}

export const DEFAULT_MAX_DUPLICATES = 10;

/** What the bench reports about a peer run besides its curve. */
export interface PeerStats {
  /** Suggestions of already-tried configurations (answered from the history, not counted as trials). */
  duplicates: number;
  /** Times the peer kept repeating itself and the untried configuration nearest its repeat was taken. */
  fallbacks: number;
}

export interface PeerAlgorithmOptions {
  peer: PeerName;
  seed: number;
  /** The initial design, tried first in this order and told to the peer as given points. */
  design: readonly Config[];
  /** Repeated suggestions in a row before the nearest untried configuration is taken instead. Default 10. */
  maxDuplicates?: number;
  /**
   * What a repeated suggestion is told: `value`, its known outcome again (CMA-ES needs a value for
   * every member of a generation), or `fail`, a trial with no value that the sampler leaves out of its
   * model (TPE told the value again counts the same configuration as many good points and repeats it
   * ever more). Default: `value` for optuna-cmaes, else `fail`.
   */
  repeatsAs?: 'value' | 'fail';
  /** Candidates the GP peer scores at most (a seeded sample beyond). Default 5000. */
  candidates?: number;
}

/**
 * A peer optimiser as an `Algorithm` for one search (it is stateful: one per run). Before every
 * suggestion it tells the bridge the trials it has not heard of yet — initial-design points as given
 * points, its own suggestions by trial id (value null when infeasible or failed). The initial design is
 * tried first, then the peer is asked. Samplers over discrete spaces repeat themselves: a suggestion of
 * an already-tried configuration is answered at once with its known outcome and does not count as a
 * trial (a real system would look it up too). A sampler that has converged repeats itself forever
 * (TPE on a 720-configuration table: thousands of repeats in 150 trials), so after `maxDuplicates` of
 * them in a row the next trial is the untried configuration nearest (unit-cube encoding, ties in a
 * seeded order) to the last repeat — where the peer wants to be (counted in `stats.fallbacks`).
 */
export function peerAlgorithm(
  bridge: PeerBridge,
  options: PeerAlgorithmOptions,
): Algorithm & { stats: PeerStats } {
  const stats: PeerStats = { duplicates: 0, fallbacks: 0 };
  const maxDuplicates = options.maxDuplicates ?? DEFAULT_MAX_DUPLICATES;
  const repeatsAs = options.repeatsAs ?? (options.peer === 'optuna-cmaes' ? 'value' : 'fail');
  const asked = new Map<string, number>();
  let initialised: SearchSpace | undefined;
  let told = 0;

  const indicesOf = (space: SearchSpace, config: Config) =>
    space.parameters.map((p) => p.values.indexOf(config[p.name] as ParameterValue));
  const configOf = (space: SearchSpace, indices: readonly number[]): Config => {
    const config: Record<string, ParameterValue> = {};
    space.parameters.forEach((p, i) => {
      const value = p.values[indices[i] as number];
      if (value === undefined)
        throw new Error(`peer ${options.peer}: value index ${indices[i]} out of range`);
      config[p.name] = value;
    });
    return config;
  };
  const outcome = (o: Observation) =>
    o.status === 'succeeded' && Number.isFinite(o.score) ? (o.score as number) : null;

  return {
    stats,
    async suggest({ space, history, count }) {
      if (count <= 0) return [];
      if (initialised !== space) {
        await bridge.call({
          init: {
            peer: options.peer,
            seed: options.seed,
            maximize: true, // scores: larger is better
            parameters: bridgeParameters(space),
            candidates: options.candidates ?? 5000,
          },
        });
        initialised = space;
        told = 0;
        asked.clear();
      }
      const known = new Map(history.map((o) => [space.key(o.config), o]));
      for (const o of history.slice(told)) {
        if (o.status === 'pending' || o.status === 'running') break;
        const key = space.key(o.config);
        await bridge.call({
          tell: { id: asked.get(key) ?? null, indices: indicesOf(space, o.config), value: outcome(o) },
        });
        asked.delete(key);
        told++;
      }

      const picks: Config[] = [];
      const taken = new Set(known.keys());
      for (const config of options.design) {
        if (picks.length >= count) break;
        const key = space.key(config);
        if (taken.has(key)) continue;
        taken.add(key);
        picks.push(config);
      }
      let repeats = 0;
      let repeated: Config | undefined;
      while (picks.length < count && taken.size < space.size) {
        if (repeats >= maxDuplicates && repeated) {
          stats.fallbacks++;
          repeats = 0;
          const config = nearestUntried(space, repeated, taken, options.seed);
          if (!config) break;
          taken.add(space.key(config));
          picks.push(config);
          continue;
        }
        const reply = (await bridge.call({ ask: {} })).ask as { id: number; indices: number[] };
        const config = configOf(space, reply.indices);
        const key = space.key(config);
        const before = known.get(key);
        if (before && before.status !== 'pending' && before.status !== 'running') {
          stats.duplicates++;
          repeats++;
          repeated = config;
          const value = repeatsAs === 'value' ? outcome(before) : null;
          await bridge.call({ tell: { id: reply.id, indices: reply.indices, value } });
          continue;
        }
        if (taken.has(key)) {
          // Picked earlier in this batch: tell it nothing came of it (a batch of one never gets here).
          await bridge.call({ tell: { id: reply.id, indices: reply.indices, value: null } });
          repeats++;
          repeated = config;
          continue;
        }
        taken.add(key);
        asked.set(key, reply.id);
        picks.push(config);
      }
      return picks;
    },
  };
}

/** The space as the bridge sees it: per knob, its number of values and, for numeric knobs, positions. */
export function bridgeParameters(
  space: SearchSpace,
): { name: string; size: number; ordinal: boolean; positions?: number[] }[] {
  const base = space.configAt(0);
  let offset = 0;
  return space.parameters.map((p) => {
    const ordinal = p.scale !== 'one-hot';
    const at = offset;
    offset += ordinal ? 1 : p.values.length;
    if (!ordinal) return { name: p.name, size: p.values.length, ordinal };
    const positions = p.values.map((value) => space.encode({ ...base, [p.name]: value })[at] as number);
    return { name: p.name, size: p.values.length, ordinal, positions };
  });
}

/**
 * The untried configuration nearest to `target` in the unit-cube encoding (ties: first in the seeded
 * permutation); a space over 20000 configurations is searched on 5000 of them in that order.
 */
export function nearestUntried(
  space: SearchSpace,
  target: Config,
  taken: ReadonlySet<string>,
  seed: number,
): Config | undefined {
  const point = space.encode(target);
  const limit = space.size > 20_000 ? 5000 : space.size;
  let best: Config | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let scanned = 0;
  for (const index of permutation(space.size, seed)) {
    if (scanned >= limit) break;
    const config = space.configAt(index);
    if (taken.has(space.key(config))) continue;
    scanned++;
    const encoded = space.encode(config);
    let distance = 0;
    for (let d = 0; d < encoded.length; d++) distance += ((encoded[d] as number) - (point[d] as number)) ** 2;
    if (distance < bestDistance) [best, bestDistance] = [config, distance];
  }
  return best;
}
