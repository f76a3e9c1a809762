import { useMemo, useState } from 'preact/hooks';
import type { ExperimentBench } from '../bench/run-schema.js';
import { overlayConvergenceOption } from './bench-chart-options.js';
import { BAND_LABELS, benchCurves, mergeRuns, normaliseConvergence } from './bench-data.js';
import { Chart } from './chart.js';
import { convergenceOption, type TrialDatum } from './chart-options.js';
import { Card, Empty } from './components.js';
import { type ConvergencePoint, formatNumber, type Goal } from './data.js';

/**
 * The convergence plot: the best objective so far by trial number. With bench runs on the replayed
 * table it is drawn as the bench draws its curves — best so far / table optimum — behind which each
 * algorithm's mean bench curve (and interquartile band) shows what the others would have found.
 */
export function ConvergenceCard(props: {
  points: readonly ConvergencePoint[];
  metric: string;
  goal: Goal;
  /** The experiment's trial budget: how far the bench curves are drawn. */
  budget?: number;
  bench?: ExperimentBench;
  /** Why there is no overlay, shown for replay experiments. */
  benchNote?: string;
  onClick: (datum: TrialDatum) => void;
}) {
  const { points, metric, goal, bench } = props;
  const [overlay, setOverlay] = useState(true);
  const raw = useMemo(() => convergenceOption(points, metric, goal), [points, metric, goal]);
  const lastSeq = points.length > 0 ? (points[points.length - 1] as ConvergencePoint).seq : 0;
  const xMax = Math.max(2, lastSeq, props.budget ?? 0);
  const curves = useMemo(
    () => (bench ? benchCurves(mergeRuns(bench.listing).runs, xMax, 'iqr') : []),
    [bench, xMax],
  );
  const normalised = useMemo(
    () => (bench ? normaliseConvergence(points, goal, bench.optimum) : []),
    [points, goal, bench],
  );
  const withBench = useMemo(
    () => overlayConvergenceOption(normalised, curves, { metric, xMax, band: 'iqr' }),
    [normalised, curves, metric, xMax],
  );
  const showOverlay = bench !== undefined && overlay && curves.length > 0;
  return (
    <Card
      title="Convergence"
      tools={
        <>
          {bench && (
            <label title="compare with the bench runs on the same profile table">
              <input
                type="checkbox"
                data-testid="bench-overlay"
                checked={overlay}
                onChange={(e) => setOverlay((e.target as HTMLInputElement).checked)}
              />{' '}
              bench curves ({curves.length} algorithms)
            </label>
          )}
          <span class="muted">
            best {metric} so far{showOverlay ? ' / table optimum' : ''}, by trial number
          </span>
        </>
      }
    >
      {points.length === 0 ? (
        <Empty>No finished trial yet.</Empty>
      ) : showOverlay ? (
        <>
          <Chart name="convergence" option={withBench} height={340} onClick={props.onClick} />
          <p class="caption muted" data-testid="bench-caption">
            Normalised as <code>morphling bench</code> does: best {metric} so far ÷ the optimum of table{' '}
            <b>{bench.table}</b> ({formatNumber(bench.optimum)} under the bench objective {bench.objective}).
            Each algorithm's line is the mean of its bench runs on that table (
            {curves.map((c) => `${c.algorithm} ${c.runs}`).join(', ')}), the band their {BAND_LABELS.iqr}.
            Click a legend entry to hide or show it.
          </p>
        </>
      ) : (
        <>
          <Chart name="convergence" option={raw} height={300} onClick={props.onClick} />
          {props.benchNote && <p class="caption muted">No bench curves: {props.benchNote}.</p>}
        </>
      )}
    </Card>
  );
}
