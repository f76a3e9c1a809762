import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ExperimentBenchReply } from '../bench/run-schema.js';
import type { ExperimentDetail } from '../report/types.js';
import type { TrialRecord } from '../store/records.js';
import { ApiError, api, EVENT_TYPES, eventsUrl } from './api.js';
import { Notice } from './components.js';
import { documentFacts } from './data.js';
import { ExperimentView } from './experiment-view.js';
import { experimentHref } from './router.js';

/** While the stream is down, the page still refreshes at this pace. */
const FALLBACK_POLL_MS = 10_000;
/** Events arriving together (a batch of trials) cause one refetch. */
const COALESCE_MS = 200;

/** The live experiment page: initial fetch, then refetches driven by the experiment's event stream. */
export function ExperimentPage(props: { name: string; openSeq?: number }) {
  const { name } = props;
  const [detail, setDetail] = useState<ExperimentDetail>();
  const [trials, setTrials] = useState<TrialRecord[]>([]);
  const [trialsLoaded, setTrialsLoaded] = useState(false);
  const [openTrial, setOpenTrial] = useState<TrialRecord | 'missing'>();
  const [error, setError] = useState<string>();
  const [streaming, setStreaming] = useState(false);
  const [bench, setBench] = useState<ExperimentBenchReply>();
  const pending = useRef({ detail: false, trials: false, timer: 0 });
  const generation = useRef({ detail: 0, trials: 0 });

  const loadDetail = useCallback(async () => {
    const ticket = ++generation.current.detail;
    try {
      const next = await api.experiment(name);
      if (ticket === generation.current.detail) {
        setDetail(next);
        setError(undefined);
      }
    } catch (e) {
      if (ticket === generation.current.detail) setError((e as Error).message);
    }
  }, [name]);

  const loadTrials = useCallback(async () => {
    const ticket = ++generation.current.trials;
    try {
      const next = await api.trials(name);
      if (ticket === generation.current.trials) {
        setTrials(next.trials);
        setTrialsLoaded(true);
      }
    } catch (e) {
      if (ticket === generation.current.trials) setError((e as Error).message);
    }
  }, [name]);

  const schedule = useCallback(
    (what: { detail?: boolean; trials?: boolean }) => {
      const p = pending.current;
      p.detail ||= Boolean(what.detail);
      p.trials ||= Boolean(what.trials);
      if (p.timer) return;
      p.timer = window.setTimeout(() => {
        p.timer = 0;
        if (p.detail) void loadDetail();
        if (p.trials) void loadTrials();
        p.detail = false;
        p.trials = false;
      }, COALESCE_MS);
    },
    [loadDetail, loadTrials],
  );

  useEffect(() => {
    setDetail(undefined);
    setTrials([]);
    setTrialsLoaded(false);
    setError(undefined);
    void loadDetail();
    void loadTrials();
    const source = new EventSource(eventsUrl(name));
    source.onopen = () => setStreaming(true);
    source.onerror = () => setStreaming(false);
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, () => {
        setStreaming(true);
        // A finished trial can change the best; experiment events change the status.
        schedule({ trials: type.startsWith('trial-'), detail: type !== 'trial-started' });
      });
    }
    const poll = window.setInterval(() => {
      if (source.readyState !== EventSource.OPEN && !document.hidden)
        schedule({ detail: true, trials: true });
    }, FALLBACK_POLL_MS);
    return () => {
      source.close();
      window.clearInterval(poll);
      window.clearTimeout(pending.current.timer);
      pending.current = { detail: false, trials: false, timer: 0 };
    };
  }, [name, loadDetail, loadTrials, schedule]);

  // The bench runs on this experiment's table do not change while it runs: fetched once.
  useEffect(() => {
    setBench(undefined);
    let cancelled = false;
    api
      .experimentBench(name)
      .then((reply) => !cancelled && setBench(reply))
      .catch((e: Error) => !cancelled && setBench({ reason: `cannot load the bench runs: ${e.message}` }));
    return () => {
      cancelled = true;
    };
  }, [name]);

  // A trial opened by URL before the list has it (or beyond it) is fetched on its own.
  const seq = props.openSeq;
  const listed = seq !== undefined && trials.some((t) => t.seq === seq);
  useEffect(() => {
    setOpenTrial(undefined);
    if (seq === undefined || listed || !trialsLoaded) return;
    let cancelled = false;
    api
      .trial(name, seq)
      .then((r) => !cancelled && setOpenTrial(r.trial))
      .catch(() => !cancelled && setOpenTrial('missing'));
    return () => {
      cancelled = true;
    };
  }, [name, seq, listed, trialsLoaded]);

  if (!detail) {
    return error ? (
      <Notice kind="error">
        Cannot load experiment “{name}”: {error}
      </Notice>
    ) : (
      <p class="empty">Loading…</p>
    );
  }
  return (
    <>
      {error && <Notice kind="error">{error}</Notice>}
      <ExperimentView
        detail={detail}
        trials={trials}
        openSeq={props.openSeq}
        openTrial={openTrial === 'missing' ? undefined : openTrial}
        openTrialPending={props.openSeq !== undefined && !listed && openTrial === undefined}
        bench={bench?.bench}
        benchNote={bench?.reason}
        trialHref={(s) => experimentHref(name, s)}
        closeHref={experimentHref(name)}
        backHref="#/"
        actions={
          <Actions
            detail={detail}
            streaming={streaming}
            onChanged={() => schedule({ detail: true, trials: true })}
          />
        }
      />
    </>
  );
}

function Actions(props: { detail: ExperimentDetail; streaming: boolean; onChanged: () => void }) {
  const { experiment } = props.detail;
  const budget = documentFacts(experiment).budget;
  const [newBudget, setNewBudget] = useState<string>('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();
  const running = experiment.status === 'running';

  const act = async (action: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setMessage(undefined);
    try {
      await action();
      setMessage(done);
      props.onChanged();
    } catch (e) {
      setMessage(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="action-bar">
      <span
        class={`live ${props.streaming ? 'on' : 'off'}`}
        title={props.streaming ? 'receiving live events' : 'not connected to the event stream'}
      >
        {props.streaming ? 'live' : 'offline'}
      </span>
      {running ? (
        <button
          type="button"
          class="button danger"
          disabled={busy}
          onClick={() => act(() => api.stop(experiment.name), 'Stopping: running trials are requeued.')}
        >
          Stop
        </button>
      ) : (
        <>
          <label class="budget" title="raise the trial budget when resuming">
            budget{' '}
            <input
              type="number"
              min={budget ?? 1}
              placeholder={String(budget ?? '')}
              value={newBudget}
              onInput={(e) => setNewBudget((e.target as HTMLInputElement).value)}
            />
          </label>
          <button
            type="button"
            class="button primary"
            disabled={busy}
            onClick={() => {
              const raised = Number(newBudget);
              const maxNumTrials =
                newBudget !== '' && Number.isInteger(raised) && raised > 0 ? raised : undefined;
              void act(() => api.resume(experiment.name, maxNumTrials), 'Resuming.');
            }}
          >
            Resume
          </button>
        </>
      )}
      {message && <span class="action-message">{message}</span>}
    </div>
  );
}
