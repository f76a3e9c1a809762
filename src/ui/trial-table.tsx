import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import type { TrialRecord } from '../store/records.js';
import { StatusBadge } from './components.js';
import {
  durationSeconds,
  formatMetric,
  formatNumber,
  formatSeconds,
  type SortDirection,
  type SortKey,
  sortTrials,
} from './data.js';

interface Column {
  key: SortKey;
  label: string;
  title?: string;
  numeric?: boolean;
  cell: (trial: TrialRecord) => ComponentChildren;
}

/** The trials of an experiment; every column sorts; a row opens the trial. */
export function TrialTable(props: {
  trials: readonly TrialRecord[];
  knobs: readonly string[];
  metric: string;
  bestSeq?: number;
  trialHref: (seq: number) => string;
}) {
  const [sort, setSort] = useState<{ key: SortKey; direction: SortDirection }>({
    key: 'seq',
    direction: 'asc',
  });
  const columns: Column[] = useMemo(
    () => [
      { key: 'seq', label: '#', numeric: true, cell: (t) => t.seq },
      { key: 'status', label: 'Status', cell: (t) => <StatusBadge status={t.status} /> },
      ...props.knobs.map(
        (knob): Column => ({
          key: `config:${knob}`,
          label: knob,
          title: `knob ${knob}`,
          cell: (t) => String(t.config[knob] ?? '—'),
        }),
      ),
      {
        key: 'objective',
        label: props.metric,
        title: `objective: ${props.metric}`,
        numeric: true,
        cell: (t) => <strong>{formatNumber(t.objective)}</strong>,
      },
      // The peak RPS has its own column unless it is the objective already.
      ...(props.metric === 'rps' || props.metric === 'qps'
        ? []
        : [
            {
              key: 'metric:rps',
              label: 'RPS',
              title: 'peak requests/s under the SLO',
              numeric: true,
              cell: (t: TrialRecord) => formatMetric('rps', t.metrics?.rps),
            },
          ]),
      {
        key: 'metric:p99Ms',
        label: 'p99 ms',
        title: 'p99 latency at the peak',
        numeric: true,
        cell: (t) => formatMetric('p99Ms', t.metrics?.p99Ms),
      },
      {
        key: 'metric:cpuSeconds',
        label: 'CPU s',
        title: 'CPU time of the serving instance',
        numeric: true,
        cell: (t) => formatMetric('cpuSeconds', t.metrics?.cpuSeconds),
      },
      { key: 'attempt', label: 'Tries', numeric: true, cell: (t) => t.attempt },
      {
        key: 'duration',
        label: 'Time',
        title: 'start to finish',
        numeric: true,
        cell: (t) =>
          t.status === 'running' ? <span class="muted">running…</span> : formatSeconds(durationSeconds(t)),
      },
      {
        key: 'error',
        label: 'Error',
        cell: (t) =>
          t.errorMessage ? (
            <span class="error-text" title={`${t.errorClass ?? 'error'}: ${t.errorMessage}`}>
              {t.errorMessage}
            </span>
          ) : (
            ''
          ),
      },
    ],
    [props.knobs, props.metric],
  );
  const rows = useMemo(() => sortTrials(props.trials, sort.key, sort.direction), [props.trials, sort]);
  const toggle = (key: SortKey) =>
    setSort((s) =>
      s.key === key
        ? { key, direction: s.direction === 'asc' ? 'desc' : 'asc' }
        : { key, direction: key === 'objective' ? 'desc' : 'asc' },
    );
  const open = (seq: number) => {
    window.location.hash = props.trialHref(seq).replace(/^#/, '');
  };

  return (
    <div class="table-scroll">
      <table class="trials" data-testid="trial-table">
        <thead>
          <tr>
            {columns.map((c) => {
              const active = sort.key === c.key;
              return (
                <th
                  key={c.key}
                  class={`${c.numeric ? 'num' : ''} ${active ? 'sorted' : ''}`}
                  title={c.title}
                  aria-sort={active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
                >
                  <button type="button" class="sort" onClick={() => toggle(c.key)}>
                    {c.label}
                    <span class="sort-mark">{active ? (sort.direction === 'asc' ? '▲' : '▼') : ''}</span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr
              key={t.id}
              class={`trial-row status-${t.status}${t.seq === props.bestSeq ? ' best' : ''}`}
              data-seq={t.seq}
              tabIndex={0}
              onClick={() => open(t.seq)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') open(t.seq);
              }}
            >
              {columns.map((c) => (
                <td key={c.key} class={c.numeric ? 'num' : c.key === 'error' ? 'error-cell' : ''}>
                  {c.cell(t)}
                  {c.key === 'seq' && t.seq === props.bestSeq && (
                    <span class="best-mark" title="best trial">
                      ★
                    </span>
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p class="empty">No trials yet.</p>}
    </div>
  );
}
