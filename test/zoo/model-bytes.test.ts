import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { buildModel, listModels } from '../../src/zoo/index.js';

const { onnx } = onnxProto;

describe.each(listModels())('%s bytes', (name) => {
  const { bytes, info } = buildModel(name);
  const model = onnx.ModelProto.decode(bytes);

  it('are identical for the same seed and differ for another seed', () => {
    expect(Buffer.from(buildModel(name).bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(Buffer.from(buildModel(name, 7).bytes).equals(Buffer.from(bytes))).toBe(false);
  });

  it('declare opset 17, IR version 8 and a symbolic batch dimension', () => {
    expect(Number(model.irVersion)).toBe(8);
    expect(model.opsetImport.map((opset) => [opset.domain, Number(opset.version)])).toEqual([['', 17]]);
    for (const value of [...(model.graph?.input ?? []), ...(model.graph?.output ?? [])]) {
      expect(value.type?.tensorType?.shape?.dim?.[0]?.dimParam).toBe('N');
    }
  });

  it('count params as the total size of all initializers', () => {
    const initializers = model.graph?.initializer ?? [];
    const total = initializers.reduce(
      (sum, tensor) => sum + (tensor.dims ?? []).reduce((product: number, dim) => product * Number(dim), 1),
      0,
    );
    expect(initializers.length).toBeGreaterThan(2);
    expect(info.params).toBe(total);
  });
});
