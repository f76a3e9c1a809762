/**
 * The parts of the Docker Engine API (v1.41, Docker 20.10 and later) that the docker runner sends and
 * reads, typed by hand from the API reference (https://docs.docker.com/engine/api/v1.41/). Fields the
 * runner does not use are left out; the daemon sends more.
 */

export interface PortBinding {
  HostIp: string;
  /** "" asks the daemon for a free port; inspect tells which one it chose. */
  HostPort: string;
}

export interface DeviceRequest {
  Driver: string;
  /** -1 = all GPUs. */
  Count: number;
  DeviceIDs?: string[];
  Capabilities: string[][];
}

export interface HostConfig {
  /** CPU limit in units of 1e-9 CPUs: `--cpus 0.5` is 500_000_000. */
  NanoCpus?: number;
  /** Memory limit in bytes. */
  Memory?: number;
  /** Memory + swap; equal to `Memory` means no swap, so a process over its limit is OOM-killed. */
  MemorySwap?: number;
  CpusetCpus?: string;
  DeviceRequests?: DeviceRequest[];
  PortBindings?: Record<string, PortBinding[]>;
  NetworkMode?: string;
  Mounts?: { Type: 'bind'; Source: string; Target: string; ReadOnly: boolean }[];
  /** Never: the runner removes containers itself, after reading their logs and exit state. */
  AutoRemove?: boolean;
  /** A tiny init as PID 1, so SIGTERM reaches the server and zombies are reaped. */
  Init?: boolean;
}

export interface ContainerCreateBody {
  Image: string;
  Entrypoint?: string[];
  Cmd?: string[];
  Env: string[];
  Labels: Record<string, string>;
  ExposedPorts?: Record<string, Record<string, never>>;
  HostConfig: HostConfig;
  StopTimeout?: number;
}

export interface ContainerState {
  Status: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
  Running: boolean;
  OOMKilled: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
}

export interface ContainerInspect {
  Id: string;
  Name: string;
  Image: string;
  State: ContainerState;
  Config: {
    Image: string;
    Env: string[] | null;
    Cmd: string[] | null;
    Labels: Record<string, string> | null;
  };
  HostConfig: HostConfig;
  NetworkSettings: {
    Ports: Record<string, PortBinding[] | null> | null;
    Networks?: Record<string, { IPAddress: string }>;
  };
}

export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  State: string;
  Labels: Record<string, string>;
}

export interface ContainerStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; max_usage?: number; limit?: number };
}

export interface ImageInspect {
  Id: string;
  RepoTags: string[] | null;
  Config?: {
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    ExposedPorts?: Record<string, unknown> | null;
  };
}
