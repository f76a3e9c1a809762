import { useEffect, useState } from 'preact/hooks';
import type { ExperimentSummary } from '../store/records.js';
import { ApiError, api } from './api.js';
import { Card, Notice, StatusBadge } from './components.js';
import { documentFacts, formatNumber, formatTime, timeAgo } from './data.js';
import { experimentHref } from './router.js';

/** How often the list refreshes itself. */
const REFRESH_MS = 3000;

export function ListPage() {
  const [experiments, setExperiments] = useState<ExperimentSummary[]>();
  const [error, setError] = useState<{ message: string; status?: number }>();
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    document.title = 'Experiments · Morphling';
    let cancelled = false;
    const load = async () => {
      try {
        const { experiments } = await api.experiments();
        if (cancelled) return;
        setExperiments(experiments);
        setError(undefined);
      } catch (e) {
        if (!cancelled)
          setError({ message: (e as Error).message, status: e instanceof ApiError ? e.status : undefined });
      }
      setNow(Date.now());
    };
    void load();
    const timer = window.setInterval(() => {
      if (!document.hidden) void load();
    }, REFRESH_MS);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
    };
  }, []);

  return (
    <div data-testid="list-page">
      <div class="page-title">
        <h1>Experiments</h1>
        <div class="actions">
          <a class="button primary" href="#/new">
            New experiment
          </a>
        </div>
      </div>
      {error && (
        <Notice kind="error">
          Cannot reach the Morphling API: {error.message}
          {error.status === 401 && ' — open the dashboard with ?token=<token> once to sign in.'}
        </Notice>
      )}
      <Card>
        {experiments === undefined ? (
          <p class="empty">Loading…</p>
        ) : experiments.length === 0 ? (
          <p class="empty">
            No experiments yet. <a href="#/new">Submit one</a>, or run{' '}
            <code>morphling run &lt;spec.yaml&gt;</code>.
          </p>
        ) : (
          <div class="table-scroll">
            <table class="experiments" data-testid="experiment-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Status</th>
                  <th class="num">Trials</th>
                  <th>Outcomes</th>
                  <th class="num">Best objective</th>
                  <th>Algorithm</th>
                  <th>Created</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {experiments.map((e) => {
                  const facts = documentFacts(e);
                  const c = e.trialCounts;
                  const done = c.succeeded + c.infeasible + c.failed;
                  const budget = facts.budget;
                  return (
                    <tr key={e.name} class="experiment-row" data-name={e.name}>
                      <td>
                        <a class="name" href={experimentHref(e.name)}>
                          {e.name}
                        </a>
                      </td>
                      <td>
                        <StatusBadge status={e.status} />
                      </td>
                      <td class="num">
                        <span class="trials-done">
                          {done}/{budget ?? '?'}
                        </span>
                        {budget !== undefined && budget > 0 && (
                          <div class="progress small" aria-hidden="true">
                            <div
                              class="progress-bar"
                              style={{ width: `${Math.min(100, (100 * done) / budget)}%` }}
                            />
                          </div>
                        )}
                      </td>
                      <td class="outcomes">
                        <span class="ok" title="succeeded">
                          {c.succeeded} ok
                        </span>
                        {c.infeasible > 0 && <span class="infeasible"> · {c.infeasible} infeasible</span>}
                        {c.failed > 0 && <span class="failed"> · {c.failed} failed</span>}
                        {c.running > 0 && <span class="running"> · {c.running} running</span>}
                      </td>
                      <td class="num">
                        <strong>{formatNumber(e.bestObjective)}</strong>{' '}
                        {facts.metric && <span class="muted">{facts.metric}</span>}
                      </td>
                      <td>{facts.algorithm ?? '—'}</td>
                      <td title={e.createdAt}>{formatTime(e.createdAt)}</td>
                      <td title={e.updatedAt}>{timeAgo(e.updatedAt, now)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
