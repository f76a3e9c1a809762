import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { InfeasibleConfigError, SpecError, TrialFaultError } from '../../../src/errors.js';
import { containerName, containerSpec, publishedPort } from '../../../src/runners/docker/container-spec.js';
import { docker } from '../../../src/runners/docker/docker-runner.js';
import type { ContainerInspect } from '../../../src/runners/docker/engine-types.js';
import { containerExitCause } from '../../../src/runners/docker/exit-cause.js';
import { controllerId, controllerIsDead } from '../../../src/runners/docker/labels.js';
import { demultiplexLogs } from '../../../src/runners/docker/log-stream.js';
import { enforcedLimits } from '../../../src/runners/docker/resource-limits.js';
import { trialRequest } from '../trial-request.js';
import { dockerExperiment } from './experiment.js';

// These tests need no Docker daemon: they check the requests the runner would send and how it reads
// the daemon's answers. docker-runner.test.ts runs the same code against a real dockerd.

describe('docker container create request', () => {
  const experiment = dockerExperiment({
    service: { model: 'resnet-tiny', env: { GREETING: 'hi' }, args: ['--x=1'] },
  });
  const config = { cpu: '500m', memory: '256Mi', INSTANCES: 2, 'intra-op-threads': 2 };
  const options = { image: 'img:1', containerPort: 8080, instanceCpus: '1', stopTimeoutSeconds: 3 };

  it('maps resource knobs to container limits, env and args knobs into the container', () => {
    const body = containerSpec(experiment, trialRequest(experiment, config, 3), options);
    expect(body.Image).toBe('img:1');
    expect(body.Entrypoint).toBeUndefined(); // the image's own entrypoint
    expect(body.Cmd).toEqual(['--x=1', '--intra-op-threads=2']);
    expect(body.Env).toEqual(['MODEL_NAME=resnet-tiny', 'GREETING=hi', 'INSTANCES=2', 'PORT=8080']);
    expect(body.HostConfig).toMatchObject({
      NanoCpus: 500_000_000,
      Memory: 256 * 2 ** 20,
      MemorySwap: 256 * 2 ** 20,
      CpusetCpus: '1',
      NetworkMode: 'bridge',
      PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
      AutoRemove: false,
    });
    expect(body.ExposedPorts).toEqual({ '8080/tcp': {} });
    expect(body.Labels).toEqual({
      'morphling.experiment': 'docker-test',
      'morphling.trial': '3',
      'morphling.attempt': '1',
      'morphling.controller': `${hostname()}/${process.pid}`,
    });
  });

  it('asks for GPUs with a device request and honours a cpuset knob over the default CPUs', () => {
    const gpuExperiment = dockerExperiment({}, [
      {
        category: 'resource',
        parameters: [
          { name: 'nvidia.com/gpu', parameterType: 'discrete', feasibleSpace: { list: [1, 2] } },
          { name: 'cpuset', parameterType: 'categorical', feasibleSpace: { list: ['2-3', '4'] } },
        ],
      },
    ]);
    const body = containerSpec(
      gpuExperiment,
      trialRequest(gpuExperiment, { 'nvidia.com/gpu': 2, cpuset: '2-3' }, 3),
      options,
    );
    expect(body.HostConfig.DeviceRequests).toEqual([{ Driver: 'nvidia', Count: 2, Capabilities: [['gpu']] }]);
    expect(body.HostConfig.CpusetCpus).toBe('2-3');
    expect(body.HostConfig.NanoCpus).toBeUndefined();
  });

  it('replaces the entrypoint with spec.service.command, mounts a model file, and supports the host network', () => {
    const custom = dockerExperiment({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: `${PORT}` is the spec's literal placeholder.
      service: { command: ['/srv/run', '--port=${PORT}'], model: 'models/m.onnx' },
    });
    const body = containerSpec(custom, trialRequest(custom, config, 3), {
      ...options,
      network: 'host',
      hostPort: 41234,
    });
    expect(body.Entrypoint).toEqual(['/srv/run', '--port=41234']);
    expect(body.Env).toContain('MODEL_NAME=/models/m.onnx');
    expect(body.Env).toContain('PORT=41234');
    expect(body.Env).toContain('HOST=127.0.0.1');
    expect(body.HostConfig.NetworkMode).toBe('host');
    expect(body.HostConfig.PortBindings).toBeUndefined();
    expect(body.HostConfig.Mounts).toEqual([
      { Type: 'bind', Source: `${custom.baseDir}/models/m.onnx`, Target: '/models/m.onnx', ReadOnly: true },
    ]);
  });

  it('names containers per trial, attempt and controller', () => {
    expect(containerName({ experiment: 'e.x', trialId: 4, attempt: 2 })).toBe(
      `morphling-e.x-t4-a2-${process.pid}`,
    );
  });

  it('refuses resource knobs a container cannot be limited by, and values that are no quantity', async () => {
    const bad = dockerExperiment({}, [
      {
        category: 'resource',
        parameters: [
          { name: 'ephemeral-storage', parameterType: 'discrete', feasibleSpace: { list: ['1Gi'] } },
          { name: 'memory', parameterType: 'categorical', feasibleSpace: { list: ['lots'] } },
        ],
      },
    ]);
    const attempt = docker.create(docker.settings.parse({}), bad);
    await expect(attempt).rejects.toThrow(SpecError);
    await expect(docker.create(docker.settings.parse({}), bad)).rejects.toThrow(
      /enforces only the resource knobs cpu, memory, cpuset, nvidia.com\/gpu[\s\S]*lots is not a resource quantity/,
    );
  });
});

describe('reading the daemon', () => {
  const inspect = (state: Partial<ContainerInspect['State']>, host: ContainerInspect['HostConfig'] = {}) =>
    ({
      Id: 'abc',
      Name: '/x',
      Image: 'sha256:1',
      State: { Status: 'exited', Running: false, OOMKilled: false, Pid: 0, ExitCode: 0, Error: '', ...state },
      Config: { Image: 'i', Env: [], Cmd: [], Labels: {} },
      HostConfig: host,
      NetworkSettings: { Ports: null },
    }) as ContainerInspect;

  it('records the limits the daemon applied', () => {
    const limits = enforcedLimits(
      inspect(
        {},
        {
          NanoCpus: 250_000_000,
          Memory: 2 ** 27,
          MemorySwap: 2 ** 27,
          CpusetCpus: '1',
          DeviceRequests: [{ Driver: 'nvidia', Count: 1, Capabilities: [['gpu']] }],
        },
      ),
    );
    expect(limits).toEqual({
      runtime: 'docker',
      cpuQuotaCores: 0.25,
      memoryLimitBytes: 2 ** 27,
      swap: false,
      cpuset: '1',
      gpus: 1,
    });
  });

  it('classifies an OOM kill as infeasible and other exits as faults, with the last output', () => {
    const oom = containerExitCause(
      inspect({ OOMKilled: true, ExitCode: 137 }, { Memory: 32 * 2 ** 20 }),
      'a\nb\n',
    );
    expect(oom).toBeInstanceOf(InfeasibleConfigError);
    expect(oom?.message).toBe(
      'the container was OOM-killed at its memory limit of 32 MiB; its last output: a | b',
    );
    const crash = containerExitCause(inspect({ ExitCode: 3 }), 'boom');
    expect(crash).toBeInstanceOf(TrialFaultError);
    expect(crash?.message).toMatch(/exited with code 3; its last output: boom/);
    expect(containerExitCause(inspect({ Running: true, Status: 'running' }), '')).toBeUndefined();
  });

  it('reads the published port and decodes multiplexed logs', () => {
    expect(publishedPort({ '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '32771' }] }, 8080)).toBe(32771);
    expect(publishedPort({ '8080/tcp': null }, 8080)).toBeUndefined();
    const frame = (stream: number, text: string) => {
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(Buffer.byteLength(text), 4);
      return Buffer.concat([header, Buffer.from(text)]);
    };
    expect(demultiplexLogs(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]))).toBe('out\nerr\n');
    expect(demultiplexLogs(Buffer.from('raw tty output'))).toBe('raw tty output');
  });

  it('tells a dead controller from a live one or one on another host', () => {
    expect(controllerIsDead(controllerId())).toBe(false);
    expect(controllerIsDead(controllerId(2 ** 22 + 12345))).toBe(true);
    expect(controllerIsDead('some-other-host/1')).toBe(false);
    expect(controllerIsDead(undefined)).toBe(false);
  });
});
