import onnxProto, { type onnx as proto } from 'onnx-proto';
import { BATCH, type ModelDtype, type TensorInfo } from './model-info.js';
import type { Prng } from './prng.js';

// onnx-proto is CommonJS with a single `module.exports = { onnx }`, so Node's ESM loader only offers a default.
const { onnx } = onnxProto;

export const OPSET_VERSION = 17;
export const IR_VERSION = 8;
/** Symbolic name of the batch dimension in every graph input and output. */
export const BATCH_DIM_PARAM = 'N';

export type Attribute = proto.IAttributeProto;

const ELEMENT_TYPES: Record<ModelDtype, proto.TensorProto.DataType> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
};

export function intAttr(name: string, value: number): Attribute {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

export function intsAttr(name: string, values: readonly number[]): Attribute {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...values] };
}

export function floatAttr(name: string, value: number): Attribute {
  return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value };
}

/**
 * Collects the pieces of one ONNX graph: inputs, outputs, nodes and float32 weights drawn from a seeded PRNG.
 * It also keeps the running parameter count and a FLOP estimate that layer helpers add to, so a model's
 * info is computed from the same code that builds it rather than written down separately.
 */
export class GraphBuilder {
  private readonly nodes: proto.INodeProto[] = [];
  private readonly initializers: proto.ITensorProto[] = [];
  private readonly inputs: proto.IValueInfoProto[] = [];
  private readonly outputs: proto.IValueInfoProto[] = [];
  private readonly usedNames = new Map<string, number>();
  private paramCount = 0;
  private flopCount = 0;

  constructor(private readonly rng: Prng) {}

  get params(): number {
    return this.paramCount;
  }

  get flops(): number {
    return this.flopCount;
  }

  addFlops(flops: number): void {
    this.flopCount += flops;
  }

  /** A name not used before in this graph, derived from `prefix`. */
  uniqueName(prefix: string): string {
    const count = this.usedNames.get(prefix) ?? 0;
    this.usedNames.set(prefix, count + 1);
    return count === 0 ? prefix : `${prefix}.${count}`;
  }

  /** Declares a graph input and returns its name, the tensor the first layer reads. */
  input(info: TensorInfo): string {
    this.usedNames.set(info.name, 1);
    this.inputs.push(valueInfo(info));
    return info.name;
  }

  /** Declares a graph output; some node must produce a tensor of that name (`op` with `prefix = info.name`). */
  output(info: TensorInfo): void {
    this.outputs.push(valueInfo(info));
  }

  /** A float32 weight whose values come from `sample`, called once per element in row-major order. */
  weight(prefix: string, dims: readonly number[], sample: (rng: Prng) => number): string {
    const name = this.uniqueName(prefix);
    const size = dims.reduce((product, dim) => product * dim, 1);
    const raw = new Uint8Array(size * 4);
    const view = new DataView(raw.buffer);
    // Explicit little-endian: ONNX raw_data is little-endian whatever the host is.
    for (let i = 0; i < size; i++) view.setFloat32(i * 4, sample(this.rng), true);
    this.initializers.push({ name, dims: [...dims], dataType: ELEMENT_TYPES.float32, rawData: raw });
    this.paramCount += size;
    return name;
  }

  /** He-normal weights, which keep activation magnitudes steady through Relu layers. */
  heWeight(prefix: string, dims: readonly number[], fanIn: number): string {
    const std = Math.sqrt(2 / fanIn);
    return this.weight(prefix, dims, (rng) => rng.normal() * std);
  }

  constantWeight(prefix: string, dims: readonly number[], value: number): string {
    return this.weight(prefix, dims, () => value);
  }

  /**
   * A fixed tensor (reshape targets, scalars) emitted as a Constant node, so that initializers hold only
   * weights and `params` equals their total size.
   */
  constant(prefix: string, dtype: ModelDtype, dims: readonly number[], values: readonly number[]): string {
    const value: proto.ITensorProto = { dims: [...dims], dataType: ELEMENT_TYPES[dtype] };
    if (dtype === 'int64') value.int64Data = [...values];
    else value.floatData = [...values];
    const attribute = { name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: value };
    return this.op('Constant', [], [attribute], prefix);
  }

  /**
   * Adds one node with a single output and returns that output's name: `prefix` itself the first time it
   * is used, so a graph output can be given an exact name.
   */
  op(
    opType: string,
    inputs: readonly string[],
    attributes: readonly Attribute[] = [],
    prefix = opType,
  ): string {
    const output = this.uniqueName(prefix);
    this.nodes.push({
      opType,
      name: this.uniqueName(`${output}_node`),
      input: [...inputs],
      output: [output],
      attribute: [...attributes],
    });
    return output;
  }

  /** The serialized ModelProto. */
  toBytes(graphName: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET_VERSION }],
      producerName: 'morphling-zoo',
      producerVersion: '1',
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo({ name, dtype, shape }: TensorInfo): proto.IValueInfoProto {
  const dim = shape.map((size) => (size === BATCH ? { dimParam: BATCH_DIM_PARAM } : { dimValue: size }));
  return { name, type: { tensorType: { elemType: ELEMENT_TYPES[dtype], shape: { dim } } } };
}
