import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { buildModel, type ModelInfo } from '../../src/zoo/index.js';
import { visionModels } from '../../src/zoo/models/vision.js';

const { onnx } = onnxProto;

const SIZES = ['tiny', 'small', 'medium'];
/** Op types (plus `depthwise`, a Conv with group > 1) that make each family what its name says. */
const SIGNATURE_OPS: Record<string, readonly string[]> = {
  resnet: ['Conv', 'BatchNormalization', 'Add', 'Relu'],
  mobilenet: ['depthwise', 'BatchNormalization', 'Relu'],
  vgg: ['Conv', 'MaxPool', 'Flatten', 'Gemm'],
  inception: ['Concat', 'MaxPool', 'Conv'],
  densenet: ['Concat', 'AveragePool', 'BatchNormalization'],
  nasnet: ['depthwise', 'Concat', 'Add', 'AveragePool', 'MaxPool', 'Slice'],
  efficientnet: ['depthwise', 'GlobalAveragePool', 'Sigmoid', 'Mul', 'Add'],
};

interface Built {
  info: ModelInfo;
  ops: Set<string>;
}

function build(name: string): Built {
  const { bytes, info } = buildModel(name);
  const ops = new Set<string>();
  for (const node of onnx.ModelProto.decode(bytes).graph?.node ?? []) {
    const group = node.attribute?.find((attribute) => attribute.name === 'group');
    ops.add(node.opType === 'Conv' && Number(group?.i ?? 1) > 1 ? 'depthwise' : (node.opType ?? ''));
  }
  return { info, ops };
}

const models = new Map(visionModels.map((definition) => [definition.name, build(definition.name)]));
const families = Object.keys(SIGNATURE_OPS);

function sizesOf(family: string): Built[] {
  return SIZES.flatMap((size) => models.get(`${family}-${size}`) ?? []);
}

describe('vision zoo', () => {
  it('names every model <family>-<size> for the seven CNN families, at least two sizes each', () => {
    for (const { info } of models.values()) {
      expect(families).toContain(info.family);
      expect(SIZES.map((size) => `${info.family}-${size}`)).toContain(info.name);
    }
    for (const family of families) expect(sizesOf(family).length).toBeGreaterThanOrEqual(2);
    expect(models.size).toBeGreaterThanOrEqual(20);
  });

  it('reads [N, 3, S, S] images named input and gives [N, 10] logits', () => {
    for (const { info } of models.values()) {
      const [batch, channels, height, width] = info.input.shape;
      expect([info.input.name, info.input.dtype, batch, channels, height]).toEqual([
        'input',
        'float32',
        -1,
        3,
        width,
      ]);
      expect(height).toBeGreaterThanOrEqual(32);
      expect(height).toBeLessThanOrEqual(64);
      expect(info.output).toEqual({ name: 'logits', dtype: 'float32', shape: [-1, 10] });
    }
  });

  it.each(families)('orders %s sizes by FLOPs, each at least 1.5x the one before', (family) => {
    const flops = sizesOf(family).map(({ info }) => info.flopsPerSample);
    for (let i = 1; i < flops.length; i++) {
      expect(flops[i]).toBeGreaterThanOrEqual(1.5 * (flops[i - 1] ?? Number.POSITIVE_INFINITY));
    }
  });

  it.each(families)('builds every %s size from its signature ops', (family) => {
    const signature = [...(SIGNATURE_OPS[family] ?? [])];
    for (const { ops } of sizesOf(family)) expect([...ops]).toEqual(expect.arrayContaining(signature));
  });

  it('keeps vgg without BatchNormalization, as in the paper', () => {
    for (const { ops } of sizesOf('vgg')) expect(ops.has('BatchNormalization')).toBe(false);
  });
});

describe('FLOPs and params counted by hand', () => {
  it('vgg-tiny: VGG-11 at half width on 32x32, then 256-256-10 Gemms', () => {
    const stages = [[32], [64], [128, 128], [256, 256], [256, 256]];
    let size = 32;
    let channels = 3;
    let flops = 0;
    let params = 0;
    for (const stage of stages) {
      for (const out of stage) {
        flops += 2 * out * size * size * channels * 3 * 3;
        params += out * channels * 3 * 3 + out;
        channels = out;
      }
      size /= 2;
    }
    // Five 2x2 pools leave 1x1, so Flatten gives 256 features.
    for (const [inFeatures, outFeatures] of [
      [256, 256],
      [256, 256],
      [256, 10],
    ] as const) {
      flops += 2 * inFeatures * outFeatures;
      params += inFeatures * outFeatures + outFeatures;
    }
    const { info } = buildModel('vgg-tiny');
    expect(info.flopsPerSample).toBe(flops);
    expect(info.params).toBe(params);
  });

  it('densenet-tiny: k = 12, three blocks of four BC layers, compression 0.5', () => {
    const growth = 12;
    let size = 32;
    let channels = 2 * growth;
    let flops = 2 * channels * size * size * 3 * 3 * 3;
    for (let block = 0; block < 3; block++) {
      if (block > 0) {
        flops += 2 * Math.floor(channels / 2) * size * size * channels;
        channels = Math.floor(channels / 2);
        size /= 2;
      }
      for (let layer = 0; layer < 4; layer++) {
        flops += 2 * 4 * growth * size * size * channels;
        flops += 2 * growth * size * size * 4 * growth * 3 * 3;
        channels += growth;
      }
    }
    flops += 2 * channels * 10;
    expect(buildModel('densenet-tiny').info.flopsPerSample).toBe(flops);
  });
});
