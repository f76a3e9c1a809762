/** The dashboard's client of the HTTP API (`/api/...` of `morphling serve`), with the optional bearer token. */
import type { BenchListing, ExperimentBenchReply } from '../bench/run-schema.js';
import type { ExperimentDetail, SpecProblemReport } from '../report/types.js';
import type { ExperimentRecord, ExperimentSummary, TrialRecord } from '../store/records.js';

const TOKEN_KEY = 'morphling.token';

/**
 * Reads `?token=` from the page URL once, keeps it in sessionStorage and removes it from the address
 * bar (so it is not bookmarked or shared by accident). Returns the token to use, if any.
 */
export function initToken(): string | undefined {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.toString());
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

function token(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: SpecProblemReport[] = [],
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: { type: string; text: string }): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const bearer = token();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body) headers['Content-Type'] = body.type;
  const response = await fetch(`/api${path}`, { method, headers, body: body?.text });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const payload = (json ?? {}) as { error?: string; message?: string; problems?: SpecProblemReport[] };
    const message = payload.error ?? payload.message ?? (text || response.statusText);
    throw new ApiError(response.status, `${message} (HTTP ${response.status})`, payload.problems ?? []);
  }
  return json as T;
}

const yaml = (text: string) => ({ type: 'application/yaml', text });
const enc = encodeURIComponent;

export type ValidateResult =
  | {
      valid: true;
      summary: { name: string; spaceSize: number; algorithm: string; runner: string; maxNumTrials: number };
    }
  | { valid: false; problems: SpecProblemReport[] };

export const api = {
  health: () => request<{ ok: boolean; version?: string }>('GET', '/health'),
  experiments: () => request<{ experiments: ExperimentSummary[] }>('GET', '/experiments'),
  experiment: (name: string) => request<ExperimentDetail>('GET', `/experiments/${enc(name)}`),
  trials: (name: string) => request<{ trials: TrialRecord[] }>('GET', `/experiments/${enc(name)}/trials`),
  trial: (name: string, seq: number) =>
    request<{ trial: TrialRecord }>('GET', `/experiments/${enc(name)}/trials/${seq}`),
  bench: () => request<BenchListing>('GET', '/bench'),
  experimentBench: (name: string) => request<ExperimentBenchReply>('GET', `/experiments/${enc(name)}/bench`),
  validate: (text: string) => request<ValidateResult>('POST', '/validate', yaml(text)),
  submit: (text: string) => request<{ experiment: ExperimentRecord }>('POST', '/experiments', yaml(text)),
  stop: (name: string) => request<unknown>('POST', `/experiments/${enc(name)}/stop`),
  resume: (name: string, maxNumTrials?: number) =>
    request<unknown>(
      'POST',
      `/experiments/${enc(name)}/resume`,
      maxNumTrials === undefined
        ? undefined
        : { type: 'application/json', text: JSON.stringify({ maxNumTrials }) },
    ),
};

/** The live event stream of one experiment; EventSource cannot send headers, so the token goes in the URL. */
export function eventsUrl(name: string): string {
  const bearer = token();
  return `/api/experiments/${enc(name)}/events${bearer ? `?token=${enc(bearer)}` : ''}`;
}

/** The controller events a page reacts to (src/controller/events.ts). */
export const EVENT_TYPES = [
  'experiment-started',
  'trial-started',
  'trial-finished',
  'trial-requeued',
  'experiment-ended',
] as const;
