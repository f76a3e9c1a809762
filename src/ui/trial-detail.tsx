import { useEffect, useMemo } from 'preact/hooks';
import { MEASURED_METRICS } from '../loadgen/measurement.js';
import type { TrialRecord } from '../store/records.js';
import { Chart } from './chart.js';
import { loadCurveOption } from './chart-options.js';
import { Facts, StatusBadge } from './components.js';
import {
  durationSeconds,
  formatMetric,
  formatNumber,
  formatSeconds,
  formatTime,
  loadCurvePoints,
  METRIC_LABELS,
} from './data.js';

/** Everything recorded about one trial, in a panel over the experiment page. */
export function TrialDetail(props: {
  trial: TrialRecord | undefined;
  /** Still loading `trial`; when false and there is no trial, the experiment has no such trial. */
  pending: boolean;
  seq: number;
  metric: string;
  isBest: boolean;
  slo: { percentile?: number; latencyMs?: number } | undefined;
  closeHref: string;
}) {
  const { trial } = props;
  const close = () => {
    window.location.hash = props.closeHref.replace(/^#/, '');
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
  const points = useMemo(() => loadCurvePoints(trial?.loadCurve), [trial?.loadCurve]);
  const option = useMemo(() => loadCurveOption(points, props.slo), [points, props.slo]);

  const metrics: Readonly<Record<string, number | undefined>> = trial?.metrics ?? {};
  const metricNames = [
    ...MEASURED_METRICS.filter((m) => metrics[m] !== undefined),
    ...Object.keys(metrics).filter((m) => !(MEASURED_METRICS as readonly string[]).includes(m)),
  ];

  return (
    <div class="drawer-layer">
      <a class="drawer-backdrop" href={props.closeHref} tabIndex={-1}>
        <span class="visually-hidden">close trial #{props.seq}</span>
      </a>
      <aside class="drawer" aria-label={`trial ${props.seq}`} data-testid="trial-detail">
        <header class="drawer-header">
          <h2>
            Trial #{props.seq} {trial && <StatusBadge status={trial.status} />}
            {props.isBest && <span class="best-tag">best</span>}
          </h2>
          <a class="button subtle" href={props.closeHref} aria-label="close">
            ✕
          </a>
        </header>
        {!trial ? (
          <p class="empty">
            {props.pending ? `Loading trial #${props.seq}…` : `There is no trial #${props.seq}.`}
          </p>
        ) : (
          <div class="drawer-body">
            {trial.errorMessage && (
              <div class="notice notice-error trial-error" role="alert">
                <strong>{trial.errorClass ?? 'error'}</strong>
                <pre>{trial.errorMessage}</pre>
              </div>
            )}
            <h3>Objective</h3>
            {trial.objective === undefined ? (
              <p class="empty">Not measured ({trial.status}).</p>
            ) : (
              <p class="objective-line">
                <span class="objective-value">{formatNumber(trial.objective)}</span>{' '}
                <span class="muted">{props.metric}</span>
              </p>
            )}
            <h3>Configuration</h3>
            <Facts
              class="config"
              rows={Object.entries(trial.config).map(([k, v]) => [k, <code key={k}>{String(v)}</code>])}
            />
            <h3>Metrics</h3>
            {metricNames.length === 0 ? (
              <p class="empty">No measurement.</p>
            ) : (
              <Facts rows={metricNames.map((m) => [METRIC_LABELS[m] ?? m, formatMetric(m, metrics[m])])} />
            )}
            <h3>Load curve</h3>
            {points.length > 0 ? (
              <Chart name="trial-load-curve" option={option} height={280} />
            ) : (
              <p class="empty">
                No load curve recorded
                {trial.runner === 'replay'
                  ? ' (the replay runner answers from a recorded profile table).'
                  : '.'}
              </p>
            )}
            <h3>Limits enforced</h3>
            {trial.limits && Object.keys(trial.limits).length > 0 ? (
              <Facts
                rows={Object.entries(trial.limits).map(([k, v]) => [k, <code key={k}>{String(v)}</code>])}
              />
            ) : (
              <p class="empty">None recorded.</p>
            )}
            <h3>Run</h3>
            <Facts
              rows={[
                ['Runner', trial.runner ?? '—'],
                ['Attempts', String(trial.attempt)],
                ['Created', formatTime(trial.createdAt)],
                ['Started', formatTime(trial.startedAt)],
                ['Finished', formatTime(trial.finishedAt)],
                ['Duration', formatSeconds(durationSeconds(trial))],
              ]}
            />
          </div>
        )}
      </aside>
    </div>
  );
}
