/** ECharts options of the bench curves: the Benchmarks page and the overlay on a convergence plot. */
import type { EChartsCoreOption } from 'echarts/core';
import {
  BAND_LABELS,
  type BandKind,
  type BenchCurve,
  type CurvePoint,
  type NormalisedPoint,
} from './bench-data.js';
import { axisCommon, COLORS, escapeHtml, TEXT } from './chart-options.js';
import { formatNumber } from './data.js';

/**
 * A fixed colour for each algorithm the bench knows, so that one algorithm has one colour on every page
 * and in every report; other names take the spare colours in turn. No green: that is the experiment's.
 */
const KNOWN_COLORS: Readonly<Record<string, string>> = {
  morphling: '#2563eb',
  finetune: '#7c3aed',
  bo: '#ea580c',
  random: '#64748b',
  grid: '#db2777',
  ernest: '#92400e',
  vizier: '#0891b2',
  'optuna-tpe': '#dc2626',
  'optuna-cmaes': '#ca8a04',
  'optuna-random': '#a16207',
  'sklearn-gp-ei': '#1e3a8a',
};
const SPARE_COLORS = ['#be123c', '#c026d3', '#57534e', '#4338ca', '#0e7490', '#9d174d'];

export function algorithmColors(algorithms: readonly string[]): Map<string, string> {
  const colors = new Map<string, string>();
  let spare = 0;
  for (const algorithm of algorithms) {
    const known = KNOWN_COLORS[algorithm];
    colors.set(algorithm, known ?? (SPARE_COLORS[spare++ % SPARE_COLORS.length] as string));
  }
  return colors;
}

const percent = (v: number) => `${Math.round(v * 100)}%`;
const fraction = (v: number) => `${(v * 100).toFixed(1)}%`;

interface MeanDatum {
  kind: 'mean';
  point: CurvePoint;
  runs: number;
}
interface BestDatum {
  kind: 'best';
  point: NormalisedPoint;
}
interface TrialPointDatum {
  kind: 'trial';
  point: NormalisedPoint;
  seq: number;
}
type Datum = (MeanDatum | BestDatum | TrialPointDatum | { kind: 'band' }) & { value: number[] };

/**
 * One algorithm's mean line and its band: the band is two stacked lines (the low edge, then high − low
 * filled), all three under the algorithm's name so that its legend entry toggles them together.
 */
function curveSeries(curve: BenchCurve, color: string, band: BandKind): Record<string, unknown>[] {
  const name = curve.algorithm;
  const mean = {
    id: `mean:${name}`,
    name,
    type: 'line',
    data: curve.points.map((p) => ({ value: [p.trial, p.mean], kind: 'mean', point: p, runs: curve.runs })),
    showSymbol: false,
    symbol: 'circle',
    symbolSize: 6,
    lineStyle: { width: 2, color },
    itemStyle: { color },
    z: 2,
  };
  if (band === 'none') return [mean];
  const edge = { name, type: 'line', symbol: 'none', lineStyle: { opacity: 0 }, silent: true, z: 1, color };
  const stack = { stack: `band:${name}` };
  return [
    mean,
    {
      id: `low:${name}`,
      data: curve.points.map((p) => ({ value: [p.trial, p.low], kind: 'band' })),
      ...edge,
      ...stack,
    },
    {
      id: `high:${name}`,
      data: curve.points.map((p) => ({ value: [p.trial, p.high - p.low], kind: 'band' })),
      areaStyle: { color, opacity: 0.1 },
      ...edge,
      ...stack,
    },
  ];
}

function meanLine(param: { marker: string; seriesName: string }, datum: MeanDatum, band: BandKind): string {
  const p = datum.point;
  const spread = band === 'none' ? '' : `${BAND_LABELS[band]} ${fraction(p.low)}–${fraction(p.high)}, `;
  return (
    `${param.marker}${escapeHtml(param.seriesName)} <b>${fraction(p.mean)}</b> ` +
    `<span style="color:#64748b">(${spread}${datum.runs} runs)</span>`
  );
}

/** The algorithms' lines of an axis tooltip, best mean first. */
function meanLines(params: readonly TooltipParam[], band: BandKind): string[] {
  return params
    .filter((p): p is TooltipParam & { data: MeanDatum & { value: number[] } } => p.data.kind === 'mean')
    .sort((a, b) => b.data.point.mean - a.data.point.mean)
    .map((p) => meanLine(p, p.data, band));
}

type TooltipParam = { marker: string; seriesName: string; data: Datum; axisValue?: number };

function yAxisNormalised(name: string) {
  return {
    type: 'value',
    ...axisCommon(name),
    nameGap: 44,
    min: 0,
    max: 1,
    axisLabel: { color: COLORS.text, formatter: percent },
  };
}

function xAxisTrials(name: string, xMax: number) {
  return { type: 'value', ...axisCommon(name), nameGap: 28, minInterval: 1, min: 1, max: Math.max(2, xMax) };
}

/** The Benchmarks page's chart: each algorithm's mean best-so-far against the trial number, with a band. */
export function benchCurvesOption(
  curves: readonly BenchCurve[],
  options: { xMax: number; band: BandKind },
): EChartsCoreOption {
  const colors = algorithmColors(curves.map((c) => c.algorithm));
  return {
    animation: false,
    textStyle: TEXT,
    grid: { left: 64, right: 24, top: 44, bottom: 48 },
    legend: { type: 'scroll', top: 4, textStyle: TEXT, data: curves.map((c) => c.algorithm) },
    tooltip: {
      trigger: 'axis',
      confine: true,
      formatter: (params: TooltipParam[]) =>
        [`After ${params[0]?.axisValue ?? '?'} trials`, ...meanLines(params, options.band)].join('<br/>'),
    },
    xAxis: xAxisTrials('trials (initial design included)', options.xMax),
    yAxis: yAxisNormalised('best so far / table optimum'),
    series: curves.flatMap((c) => curveSeries(c, colors.get(c.algorithm) as string, options.band)),
  };
}

/**
 * A replay experiment's convergence, normalised like the bench (best so far / table optimum), with the
 * algorithms' bench curves on that table behind it; the legend toggles each.
 */
export function overlayConvergenceOption(
  points: readonly NormalisedPoint[],
  curves: readonly BenchCurve[],
  options: { metric: string; xMax: number; band: BandKind },
): EChartsCoreOption {
  const colors = algorithmColors(curves.map((c) => c.algorithm));
  const metric = escapeHtml(options.metric);
  const best = points.map((p) => ({ value: [p.seq, p.best], kind: 'best', point: p, seq: p.bestSeq }));
  const trials = points
    .filter((p) => p.normalised !== undefined)
    .map((p) => ({ value: [p.seq, p.normalised], kind: 'trial', point: p, seq: p.seq }));
  return {
    animation: false,
    textStyle: TEXT,
    grid: { left: 64, right: 24, top: 44, bottom: 48 },
    legend: {
      type: 'scroll',
      top: 4,
      textStyle: TEXT,
      data: ['this experiment', 'trial', ...curves.map((c) => c.algorithm)],
    },
    tooltip: {
      trigger: 'axis',
      confine: true,
      formatter: (params: TooltipParam[]) => {
        const lines = [`After trial #${params[0]?.axisValue ?? '?'}`];
        for (const p of params) {
          const d = p.data;
          if (d.kind === 'best') {
            lines.push(
              `${p.marker}this experiment <b>${fraction(d.point.best)}</b> (best ${metric} ${formatNumber(d.point.bestObjective)}` +
                `${d.point.bestSeq === undefined ? '' : `, trial #${d.point.bestSeq}`})`,
            );
          } else if (d.kind === 'trial' && d.point.seq === p.axisValue) {
            lines.push(
              `${p.marker}trial #${d.seq}: ${metric} ${formatNumber(d.point.objective)} (${fraction(d.point.normalised ?? 0)})`,
            );
          }
        }
        return [...lines, ...meanLines(params, options.band)].join('<br/>');
      },
    },
    xAxis: xAxisTrials('trial #', options.xMax),
    yAxis: yAxisNormalised(`best ${options.metric} so far / table optimum`),
    series: [
      {
        id: 'experiment',
        name: 'this experiment',
        type: 'line',
        step: 'end',
        data: best,
        symbol: 'circle',
        symbolSize: 4,
        lineStyle: { width: 3, color: COLORS.best },
        itemStyle: { color: COLORS.best },
        clip: false,
        z: 4,
      },
      {
        id: 'trials',
        name: 'trial',
        type: 'scatter',
        data: trials,
        symbolSize: 7,
        itemStyle: { color: COLORS.best, opacity: 0.55 },
        clip: false,
        z: 3,
      },
      ...curves.flatMap((c) => curveSeries(c, colors.get(c.algorithm) as string, options.band)),
    ],
  };
}
