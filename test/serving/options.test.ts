import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpecError } from '../../src/errors.js';
import { optionsFromProcess, parseServerOptions } from '../../src/serving/options.js';

describe('server options', () => {
  it('fills defaults', () => {
    expect(parseServerOptions({ modelName: 'mlp-tiny' })).toEqual({
      modelName: 'mlp-tiny',
      modelCacheDir: path.join(tmpdir(), 'morphling-zoo'),
      host: '127.0.0.1',
      port: 8080,
      maxBatchSize: 1,
      batchDelayMs: 0,
      intraOpThreads: 1,
      intraOpSpinning: 0,
      instances: 1,
    });
  });

  it('reads environment variables and lets command-line flags override them', () => {
    const env = {
      MODEL_NAME: 'bert-tiny',
      PORT: '9000',
      MAX_BATCH_SIZE: '4',
      BATCH_DELAY_MS: '2.5',
      INSTANCES: '2',
      INTRA_OP_SPINNING: '1',
    };
    const options = optionsFromProcess(
      ['--port', '0', '--max-batch-size=16', '--intra-op-threads', '2'],
      env,
    );
    expect(options).toMatchObject({
      modelName: 'bert-tiny',
      port: 0,
      maxBatchSize: 16,
      batchDelayMs: 2.5,
      intraOpThreads: 2,
      intraOpSpinning: 1,
      instances: 2,
    });
  });

  it('takes a --model ending in .onnx as a model path', () => {
    const options = optionsFromProcess(['--model', '/models/custom.onnx'], {});
    expect(options.modelPath).toBe('/models/custom.onnx');
    expect(options.modelName).toBeUndefined();
  });

  it('keeps a name given beside a model path as the served name', () => {
    const options = optionsFromProcess(['--model-path', 'a.onnx'], { MODEL_NAME: 'served' });
    expect(options).toMatchObject({ modelPath: 'a.onnx', modelName: 'served' });
  });

  it.each([
    [['--max-batch-size', '0'], {}, /--max-batch-size \(MAX_BATCH_SIZE\): must be >= 1/],
    [['--port', '70000'], {}, /--port \(PORT\): must be <= 65535/],
    [[], { INSTANCES: 'two' }, /--instances \(INSTANCES\): must be an integer/],
    [['--batch-delay-ms=-1'], {}, /--batch-delay-ms \(BATCH_DELAY_MS\): must be >= 0/],
    [['--intra-op-threads', '1.5'], {}, /--intra-op-threads \(INTRA_OP_THREADS\): must be an integer/],
    [[], { INTRA_OP_SPINNING: 'yes' }, /--intra-op-spinning \(INTRA_OP_SPINNING\): must be an integer/],
    [['--bogus', '1'], {}, /arguments: .*bogus/],
    [['--port', '1'], { MODEL_NAME: '' }, /give a model file path or a zoo model name/],
    [['--model', 'gpt-huge'], {}, /'gpt-huge' is neither a zoo model/],
  ])('rejects %j %j', (argv, env, message) => {
    const parse = () => optionsFromProcess(argv, { MODEL_NAME: 'mlp-tiny', ...env });
    expect(parse).toThrow(SpecError);
    expect(parse).toThrow(message);
  });
});
