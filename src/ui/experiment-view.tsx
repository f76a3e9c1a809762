import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ExperimentBench } from '../bench/run-schema.js';
import type { ExperimentDetail } from '../report/types.js';
import type { TrialRecord } from '../store/records.js';
import { Chart } from './chart.js';
import { heatmapOption, loadCurveOption, type TrialDatum } from './chart-options.js';
import { Card, ConfigChips, Empty, Facts, LabelledSelect, StatusBadge } from './components.js';
import { ConvergenceCard } from './convergence-card.js';
import {
  convergence,
  documentFacts,
  formatMetric,
  formatNumber,
  formatTime,
  heatmap,
  isFinished,
  knobNames,
  loadCurvePoints,
  variableKnobs,
} from './data.js';
import { TrialDetail } from './trial-detail.js';
import { TrialTable } from './trial-table.js';

/**
 * One experiment: best configuration, progress, convergence, heatmap, load curve and the trial table.
 * Presentational: the live page and the report file feed it the same API-shaped data.
 */
export function ExperimentView(props: {
  detail: ExperimentDetail;
  trials: readonly TrialRecord[];
  openSeq?: number;
  /** The trial the detail panel shows when it is not in `trials` (fetched on its own). */
  openTrial?: TrialRecord;
  /** The open trial is still being fetched (else a trial that is nowhere is reported missing). */
  openTrialPending?: boolean;
  trialHref: (seq: number) => string;
  closeHref: string;
  /** Stop/resume buttons and the live indicator of the dashboard; absent in a report. */
  actions?: ComponentChildren;
  backHref?: string;
  /** Bench runs on the replayed table, overlaid on the convergence plot. */
  bench?: ExperimentBench;
  /** Why there is no overlay (shown for replay experiments). */
  benchNote?: string;
}) {
  const { experiment, summary } = props.detail;
  const trials = props.trials;
  const facts = documentFacts(experiment);
  const goal = summary.objective.goal;
  const metric = summary.objective.metric;
  const best = props.detail.best ?? trials.find((t) => t.id === experiment.bestTrialId);
  const knobs = useMemo(() => knobNames(summary.parameters, trials), [summary.parameters, trials]);
  const counts = useMemo(() => {
    const c = { pending: 0, running: 0, succeeded: 0, infeasible: 0, failed: 0 };
    for (const t of trials) c[t.status] += 1;
    return c;
  }, [trials]);
  const done = counts.succeeded + counts.infeasible + counts.failed;
  const budget = facts.budget;
  const goTrial = (datum: TrialDatum) => {
    if (datum.seq !== undefined) window.location.hash = props.trialHref(datum.seq).replace(/^#/, '');
  };

  const convergencePoints = useMemo(() => convergence(trials, goal), [trials, goal]);

  const axisKnobs = useMemo(() => variableKnobs(summary.parameters, trials), [summary.parameters, trials]);
  const [xKnob, setXKnob] = useState<string | undefined>(undefined);
  const [yKnob, setYKnob] = useState<string | undefined>(undefined);
  const x = xKnob && axisKnobs.includes(xKnob) ? xKnob : axisKnobs[0];
  const y = yKnob && axisKnobs.includes(yKnob) ? yKnob : axisKnobs.find((k) => k !== x);
  const map = useMemo(
    () => (x && y ? heatmap(trials, summary.parameters, x, y, goal) : undefined),
    [trials, summary.parameters, x, y, goal],
  );
  const heatmapChart = useMemo(
    () => (map ? heatmapOption(map, metric, goal) : undefined),
    [map, metric, goal],
  );

  const withCurves = useMemo(
    () => trials.filter((t) => loadCurvePoints(t.loadCurve).length > 0).sort((a, b) => a.seq - b.seq),
    [trials],
  );
  const [curveSeq, setCurveSeq] = useState<number | undefined>(undefined);
  const curveTrial =
    withCurves.find((t) => t.seq === curveSeq) ??
    withCurves.find((t) => t.seq === best?.seq) ??
    withCurves[withCurves.length - 1];
  const curvePoints = useMemo(() => loadCurvePoints(curveTrial?.loadCurve), [curveTrial]);
  const curveChart = useMemo(() => loadCurveOption(curvePoints, facts.slo), [curvePoints, facts.slo]);

  const open =
    props.openSeq === undefined
      ? undefined
      : (trials.find((t) => t.seq === props.openSeq) ?? props.openTrial);

  useEffect(() => {
    document.title = `${experiment.name} · Morphling`;
  }, [experiment.name]);

  return (
    <div class="experiment" data-testid="experiment-page">
      <div class="page-title">
        <div>
          {props.backHref && (
            <a class="crumb" href={props.backHref}>
              ← Experiments
            </a>
          )}
          <h1>
            {experiment.name} <StatusBadge status={experiment.status} />
          </h1>
          {experiment.message && <p class="muted message">{experiment.message}</p>}
        </div>
        {props.actions && <div class="actions">{props.actions}</div>}
      </div>

      <div class="summary-grid">
        <Card title="Best configuration" class="best-card">
          {best ? (
            <div data-testid="best">
              <p class="objective-line">
                <span class="objective-value">{formatNumber(best.objective)}</span>
                <span class="muted">
                  {' '}
                  {metric} ({goal === 'minimize' ? 'lower' : 'higher'} is better) ·{' '}
                  <a href={props.trialHref(best.seq)}>trial #{best.seq}</a>
                </span>
              </p>
              <ConfigChips config={best.config} />
              <p class="key-metrics">
                <span>
                  RPS <b>{formatMetric('rps', best.metrics?.rps)}</b>
                </span>
                <span>
                  p99 <b>{formatMetric('p99Ms', best.metrics?.p99Ms)} ms</b>
                </span>
                {best.metrics?.cpuSeconds !== undefined && (
                  <span>
                    CPU <b>{formatMetric('cpuSeconds', best.metrics.cpuSeconds)} s</b>
                  </span>
                )}
              </p>
            </div>
          ) : (
            <Empty>No trial has succeeded yet.</Empty>
          )}
        </Card>
        <Card title="Progress">
          <div class="progress-line">
            <span class="big">
              {done}
              <span class="muted">/{budget ?? '?'}</span>
            </span>
            <span class="muted"> trials done</span>
          </div>
          {budget !== undefined && budget > 0 && (
            <div class="progress" aria-hidden="true">
              <div class="progress-bar" style={{ width: `${Math.min(100, (100 * done) / budget)}%` }} />
            </div>
          )}
          <p class="counts">
            {(['running', 'pending', 'succeeded', 'infeasible', 'failed'] as const)
              .filter((s) => counts[s] > 0)
              .map((s) => (
                <span key={s} class="count">
                  <StatusBadge status={s} /> {counts[s]}
                </span>
              ))}
          </p>
        </Card>
        <Card title="Setup">
          <Facts
            rows={[
              ['Space', `${formatNumber(summary.spaceSize)} configurations, ${knobs.length} knobs`],
              ['Algorithm', facts.algorithm ?? '—'],
              ['Runner', facts.runner ?? '—'],
              [
                'SLO',
                facts.slo
                  ? `p${facts.slo.percentile ?? 99} ≤ ${facts.slo.latencyMs ?? '?'} ms, errors ≤ ${formatMetric('errorRate', facts.slo.maxErrorRate)}`
                  : '—',
              ],
              ['Created', formatTime(experiment.createdAt)],
            ]}
          />
        </Card>
      </div>

      <ConvergenceCard
        points={convergencePoints}
        metric={metric}
        goal={goal}
        budget={budget}
        bench={props.bench}
        benchNote={facts.runner === 'replay' ? props.benchNote : undefined}
        onClick={goTrial}
      />

      <div class="chart-grid">
        <Card
          title="Objective over two knobs"
          tools={
            axisKnobs.length >= 2 && (
              <>
                <AxisSelect axis="x" knobs={axisKnobs} value={x} other={y} onChange={setXKnob} />
                <AxisSelect axis="y" knobs={axisKnobs} value={y} other={x} onChange={setYKnob} />
              </>
            )
          }
        >
          {!heatmapChart ? (
            <Empty>A heatmap needs two knobs with more than one value.</Empty>
          ) : trials.some(isFinished) ? (
            <>
              <Chart name="heatmap" option={heatmapChart} height={340} onClick={goTrial} />
              <p class="caption muted">
                Measured configurations only; each cell is the best {metric} over the other knobs.
              </p>
            </>
          ) : (
            <Empty>No finished trial yet.</Empty>
          )}
        </Card>
        <Card
          title="Load curve"
          tools={
            withCurves.length > 0 && (
              <LabelledSelect
                label="trial"
                testid="load-curve-trial"
                value={String(curveTrial?.seq ?? '')}
                onChange={(value) => setCurveSeq(Number(value))}
              >
                {withCurves.map((t) => (
                  <option key={t.seq} value={String(t.seq)}>
                    #{t.seq}
                    {t.seq === best?.seq ? ' (best)' : ''}
                  </option>
                ))}
              </LabelledSelect>
            )
          }
        >
          {curveTrial ? (
            <>
              <Chart name="load-curve" option={curveChart} height={340} />
              <p class="caption muted">
                Offered against achieved requests/s and tail latency at each level of trial #{curveTrial.seq}
                's peak search; red points broke the SLO.
              </p>
            </>
          ) : (
            <Empty>
              No trial has a load curve
              {facts.runner === 'replay'
                ? ' (the replay runner answers from a recorded table, without a load test)'
                : ' yet'}
              .
            </Empty>
          )}
        </Card>
      </div>

      <Card
        title={`Trials (${trials.length})`}
        tools={<span class="muted">click a column to sort, a row to open</span>}
      >
        <TrialTable
          trials={trials}
          knobs={knobs}
          metric={metric}
          bestSeq={best?.seq}
          trialHref={props.trialHref}
        />
      </Card>

      {props.openSeq !== undefined && (
        <TrialDetail
          trial={open}
          pending={props.openTrialPending ?? false}
          seq={props.openSeq}
          metric={metric}
          isBest={best?.seq === props.openSeq}
          slo={facts.slo}
          closeHref={props.closeHref}
        />
      )}
    </div>
  );
}

/** One heatmap axis: any knob but the one on the other axis. */
function AxisSelect(props: {
  axis: 'x' | 'y';
  knobs: readonly string[];
  value: string | undefined;
  other: string | undefined;
  onChange: (knob: string) => void;
}) {
  return (
    <LabelledSelect
      label={props.axis}
      testid={`heatmap-${props.axis}`}
      value={props.value}
      onChange={props.onChange}
    >
      {props.knobs.map((k) => (
        <option key={k} value={k} disabled={k === props.other}>
          {k}
        </option>
      ))}
    </LabelledSelect>
  );
}
