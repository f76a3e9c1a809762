import type { GraphBuilder } from '../graph-builder.js';
import { add, batchNorm, conv2d, type FeatureMap, relu } from '../layers.js';
import type { ModelDefinition } from '../model-definition.js';
import { concat, imageClassifier, pool, poolAndClassify, separableConv } from '../vision-layers.js';

interface NasnetSize {
  imageSize: number;
  /** Normal cells per stage (the N of the paper's "NASNet-A N @ width"). */
  cellsPerStage: number;
  /** Filters of each cell op in the first stage; every reduction cell doubles it. */
  filters: number;
}

const STAGES = 3;
/** Stem width relative to `filters`, as the CIFAR NASNets start at 96 channels for 32 filters. */
const STEM_MULTIPLIER = 3;

function reluConvBn(g: GraphBuilder, x: FeatureMap, outChannels: number): FeatureMap {
  return batchNorm(g, conv2d(g, relu(g, x), { outChannels, kernel: 1 }));
}

/** The search space's separable op: Relu, separable conv and BN, applied twice; only the first strides. */
function separable(g: GraphBuilder, x: FeatureMap, filters: number, kernel: number, stride = 1): FeatureMap {
  let y = x;
  for (const step of [stride, 1]) {
    y = batchNorm(g, separableConv(g, relu(g, y), filters, kernel, step));
  }
  return y;
}

/**
 * Halves the resolution without dropping pixels: two strided 1x1 convs, the second on the map shifted by
 * one pixel, each giving half the filters.
 */
function factorizedReduction(g: GraphBuilder, x: FeatureMap, filters: number): FeatureMap {
  const activated = relu(g, x);
  const shifted: FeatureMap = {
    name: g.op('Slice', [
      activated.name,
      g.constant('slice.starts', 'int64', [2], [1, 1]),
      g.constant('slice.ends', 'int64', [2], [x.size, x.size]),
      g.constant('slice.axes', 'int64', [2], [2, 3]),
    ]),
    channels: x.channels,
    size: x.size - 1,
  };
  const half = filters / 2;
  return batchNorm(
    g,
    concat(g, [
      conv2d(g, activated, { outChannels: half, kernel: 1, stride: 2 }),
      conv2d(g, shifted, { outChannels: half, kernel: 1, stride: 2 }),
    ]),
  );
}

/** Brings the previous cell's output to the current input's resolution and to `filters` channels. */
function adjustPrevious(
  g: GraphBuilder,
  previous: FeatureMap,
  current: FeatureMap,
  filters: number,
): FeatureMap {
  if (previous.size !== current.size) return factorizedReduction(g, previous, filters);
  return previous.channels === filters ? previous : reluConvBn(g, previous, filters);
}

/** Each cell reads the two latest cell outputs: `current` (h_i) and `previous` (h_i-1). */
interface CellInputs {
  current: FeatureMap;
  previous: FeatureMap;
}

/** NASNet-A's normal cell: five pairwise sums of separable convs, 3x3 average pools and identities. */
function normalCell(g: GraphBuilder, { current, previous }: CellInputs, filters: number): FeatureMap {
  const h = reluConvBn(g, current, filters);
  const p = adjustPrevious(g, previous, h, filters);
  const avg = (x: FeatureMap) => pool(g, x, 'AveragePool', 3, 1);
  return concat(g, [
    p,
    add(g, separable(g, h, filters, 5), separable(g, p, filters, 3)),
    add(g, separable(g, p, filters, 5), separable(g, p, filters, 3)),
    add(g, avg(h), p),
    add(g, avg(p), avg(p)),
    add(g, separable(g, h, filters, 3), h),
  ]);
}

/** NASNet-A's reduction cell: the same kinds of ops at stride 2, two of them fed by earlier sums. */
function reductionCell(g: GraphBuilder, { current, previous }: CellInputs, filters: number): FeatureMap {
  const h = reluConvBn(g, current, filters);
  const p = adjustPrevious(g, previous, h, filters);
  const x1 = add(g, separable(g, h, filters, 5, 2), separable(g, p, filters, 7, 2));
  const x2 = add(g, pool(g, h, 'MaxPool', 3, 2), separable(g, p, filters, 7, 2));
  const x3 = add(g, pool(g, h, 'AveragePool', 3, 2), separable(g, p, filters, 5, 2));
  const x4 = add(g, pool(g, x1, 'AveragePool', 3, 1), x2);
  const x5 = add(g, separable(g, x1, filters, 3), pool(g, h, 'MaxPool', 3, 2));
  return concat(g, [x2, x3, x4, x5]);
}

/** CIFAR NASNet-A: a 3x3 stem conv, then three stages of normal cells with a reduction cell between. */
function nasnet(name: string, size: NasnetSize): ModelDefinition {
  return imageClassifier(name, 'nasnet', size.imageSize, (g, image) => {
    const stem = batchNorm(g, conv2d(g, image, { outChannels: STEM_MULTIPLIER * size.filters, kernel: 3 }));
    let cells: CellInputs = { current: stem, previous: stem };
    const next = (output: FeatureMap): CellInputs => ({ current: output, previous: cells.current });
    for (let stage = 0; stage < STAGES; stage++) {
      const filters = size.filters * 2 ** stage;
      if (stage > 0) cells = next(reductionCell(g, cells, filters));
      for (let cell = 0; cell < size.cellsPerStage; cell++) cells = next(normalCell(g, cells, filters));
    }
    poolAndClassify(g, relu(g, cells.current));
  });
}

export const nasnetTiny = nasnet('nasnet-tiny', { imageSize: 32, cellsPerStage: 1, filters: 8 });
export const nasnetSmall = nasnet('nasnet-small', { imageSize: 32, cellsPerStage: 2, filters: 16 });
export const nasnetMedium = nasnet('nasnet-medium', { imageSize: 32, cellsPerStage: 3, filters: 24 });
