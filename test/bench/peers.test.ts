import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { cornerDesign } from '../../src/algorithms/initial-design.js';
import { benchObjective } from '../../src/bench/objectives.js';
import {
  bridgeParameters,
  defaultPython,
  nearestUntried,
  PeerBridge,
  peerAlgorithm,
} from '../../src/bench/peers.js';
import { replay, tableOracle } from '../../src/bench/replay.js';
import { smallTable } from './small-table.js';

const python = defaultPython();
const has = (module: string) => spawnSync(python, ['-c', `import ${module}`]).status === 0;
const optuna = has('optuna');
const sklearn = has('sklearn');
if (!optuna) console.log(`peer bridge tests skipped: python module optuna is not installed for ${python}`);
if (!sklearn) console.log(`sklearn peer test skipped: python module sklearn is not installed for ${python}`);

const table = smallTable();
const space = table.space;

describe('peer bridge', () => {
  const bridge = PeerBridge.start(python);
  afterAll(() => bridge.close());

  it('describes the space by value indices, numeric knobs with their unit positions', () => {
    const parameters = bridgeParameters(space);
    expect(parameters.map((p) => [p.name, p.size, p.ordinal])).toEqual([
      ['cpu', 4, true],
      ['memory', 3, true],
      ['MAX_BATCH_SIZE', 6, true],
      ['threads', 2, true],
    ]);
    expect(parameters[2]?.positions?.[0]).toBe(0);
    expect(parameters[2]?.positions?.at(-1)).toBe(1);
  });

  it('falls back to the untried configuration nearest a repeated suggestion', () => {
    const target = space.configAt(0);
    const taken = new Set([space.key(target)]);
    const next = nearestUntried(space, target, taken, 1);
    expect(next).toBeDefined();
    const distance = (c: typeof target) =>
      space.encode(c).reduce((sum, v, i) => sum + (v - (space.encode(target)[i] as number)) ** 2, 0);
    const best = Math.min(...[...space.configs()].filter((c) => !taken.has(space.key(c))).map(distance));
    expect(distance(next as typeof target)).toBe(best);
  });

  it.skipIf(!optuna)('round-trips ask and tell with optuna TPE', async () => {
    const hello = (await bridge.call({ hello: {} })).hello as Record<string, string | null>;
    expect(hello.optuna).toMatch(/^\d+\./);
    const parameters = bridgeParameters(space);
    expect(await bridge.call({ init: { peer: 'optuna-tpe', seed: 1, maximize: true, parameters } })).toEqual({
      ok: true,
    });
    // A given point (the initial design) and an asked one, one infeasible.
    expect(await bridge.call({ tell: { id: null, indices: [0, 0, 0, 0], value: 3.5 } })).toEqual({
      ok: true,
    });
    const ask = (await bridge.call({ ask: {} })).ask as { id: number; indices: number[] };
    expect(ask.id).toBe(1);
    expect(ask.indices).toHaveLength(4);
    ask.indices.forEach((index, i) => {
      expect(index).toBeGreaterThanOrEqual(0);
      expect(index).toBeLessThan(parameters[i]?.size as number);
    });
    expect(await bridge.call({ tell: { id: ask.id, indices: ask.indices, value: null } })).toEqual({
      ok: true,
    });
    const error = await bridge.request({ init: { peer: 'nonsense', parameters } });
    expect(error.error).toMatch(/unknown peer/);
  });

  it.skipIf(!optuna)('runs a whole search: design first, never a configuration twice', async () => {
    const oracle = tableOracle(table, benchObjective('rps_per_cost'));
    const design = cornerDesign(space, { size: 8 });
    const peer = peerAlgorithm(bridge, { peer: 'optuna-tpe', seed: 2, design });
    const trajectory = await replay(peer, oracle, { budget: 20, stopAtOptimum: false });
    expect(trajectory.curve).toHaveLength(20);
    expect(trajectory.tried.slice(0, 8)).toEqual(design.map((c) => space.key(c)));
    expect(new Set(trajectory.tried).size).toBe(20);
  });

  it.skipIf(!sklearn)('runs the scikit-learn GP with expected improvement', async () => {
    const oracle = tableOracle(table, benchObjective('rps'));
    const design = cornerDesign(space, { size: 8 });
    const peer = peerAlgorithm(bridge, { peer: 'sklearn-gp-ei', seed: 1, design });
    const trajectory = await replay(peer, oracle, { budget: 14 });
    expect(trajectory.curve.length).toBeGreaterThan(8);
    expect(peer.stats.duplicates).toBe(0); // it only ever scores untried configurations
  });
});

describe('peer bridge without Python', () => {
  it('reports an interpreter that cannot start', async () => {
    const bridge = PeerBridge.start('/nonexistent/python3');
    await expect(bridge.call({ hello: {} })).rejects.toThrow(/peer bridge/);
  });
});
