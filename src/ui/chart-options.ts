/** ECharts options of the dashboard's charts, built from the pure transforms of data.ts. */
import type { EChartsCoreOption } from 'echarts/core';
import type { ConvergencePoint, Goal, Heatmap, LoadPoint } from './data.js';
import { formatNumber, formatPercent } from './data.js';

export const COLORS = {
  trial: '#2563eb',
  best: '#16a34a',
  latency: '#ea580c',
  ideal: '#94a3b8',
  sloBroken: '#dc2626',
  infeasible: '#fde68a',
  failed: '#fecaca',
  text: '#334155',
  grid: '#e2e8f0',
} as const;

/** What a click on a chart element carries: the trial it stands for. */
export interface TrialDatum {
  seq?: number;
}

/** The page's font (app.css): ECharts measures text with it, so legends and labels do not overlap. */
export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

export const TEXT = { color: COLORS.text, fontFamily: FONT };

export function axisCommon(name: string) {
  return {
    name,
    nameLocation: 'middle' as const,
    nameTextStyle: { ...TEXT, fontWeight: 600 as const },
    axisLabel: { color: COLORS.text },
    axisLine: { lineStyle: { color: '#94a3b8' } },
    splitLine: { lineStyle: { color: COLORS.grid } },
  };
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** Best objective so far (a step line) and every measured trial (points) against the trial number. */
export function convergenceOption(
  points: readonly ConvergencePoint[],
  metric: string,
  goal: Goal,
): EChartsCoreOption {
  const trials = points
    .filter((p) => p.objective !== undefined)
    .map((p) => ({ value: [p.seq, p.objective], seq: p.seq }));
  const best = points
    .filter((p) => p.best !== undefined)
    .map((p) => ({ value: [p.seq, p.best], seq: p.bestSeq, at: p.seq }));
  const unmeasured = points.filter((p) => p.objective === undefined).length;
  return {
    animation: false,
    textStyle: TEXT,
    grid: { left: 64, right: 24, top: 40, bottom: 48 },
    legend: { top: 4, textStyle: TEXT, data: ['best so far', 'trial'] },
    tooltip: {
      trigger: 'item',
      formatter: (params: { seriesName: string; data: { value: number[]; seq?: number; at?: number } }) => {
        const [seq, value] = params.data.value;
        return params.seriesName === 'trial'
          ? `Trial #${seq}<br/>${escapeHtml(metric)} = <b>${formatNumber(value)}</b>`
          : `After trial #${params.data.at}<br/>best ${escapeHtml(metric)} = <b>${formatNumber(value)}</b> (trial #${params.data.seq})`;
      },
    },
    xAxis: {
      type: 'value',
      ...axisCommon(unmeasured > 0 ? `trial # (${unmeasured} infeasible or failed not plotted)` : 'trial #'),
      nameGap: 28,
      minInterval: 1,
      min: 1,
      max: Math.max(2, ...points.map((p) => p.seq)),
    },
    yAxis: {
      type: 'value',
      ...axisCommon(`${metric} (${goal === 'minimize' ? 'lower' : 'higher'} is better)`),
      nameGap: 48,
      scale: true,
      axisLabel: { color: COLORS.text, formatter: (v: number) => formatNumber(v, 3) },
    },
    series: [
      {
        name: 'best so far',
        type: 'line',
        step: 'end',
        data: best,
        symbol: 'circle',
        symbolSize: 4,
        lineStyle: { width: 2.5, color: COLORS.best },
        itemStyle: { color: COLORS.best },
        clip: false,
        z: 2,
      },
      {
        name: 'trial',
        type: 'scatter',
        data: trials,
        symbolSize: 8,
        itemStyle: { color: COLORS.trial, opacity: 0.75 },
        clip: false,
        z: 3,
      },
    ],
  };
}

/** The objective over two knobs; infeasible or failed cells in their own colours. */
export function heatmapOption(map: Heatmap, metric: string, goal: Goal): EChartsCoreOption {
  const cellCount = map.x.length * map.y.length;
  const showLabels = cellCount <= 120;
  const ramp = ['#eff6ff', '#bfdbfe', '#60a5fa', '#2563eb', '#1e3a8a'];
  const fail = (status: 'infeasible' | 'failed') => (status === 'infeasible' ? 1 : 2);
  const lo = map.min ?? 0;
  const hi = map.max ?? lo;
  const darkCell = (value: number) => {
    const t = hi > lo ? (value - lo) / (hi - lo) : 1;
    return goal === 'minimize' ? t < 0.45 : t > 0.55;
  };
  return {
    animation: false,
    textStyle: TEXT,
    grid: { left: 96, right: 24, top: 16, bottom: 96, containLabel: false },
    tooltip: {
      trigger: 'item',
      formatter: (params: {
        seriesIndex: number;
        data: { value: number[]; seq?: number; trials: number; status?: string };
      }) => {
        const [xi, yi, value] = params.data.value as [number, number, number];
        const where = `${escapeHtml(map.xKnob)}=${escapeHtml(map.x[xi] ?? '')}, ${escapeHtml(map.yKnob)}=${escapeHtml(map.y[yi] ?? '')}`;
        if (params.seriesIndex === 1) {
          return `${where}<br/>${params.data.trials} trial(s), all ${params.data.status}`;
        }
        return `${where}<br/>best ${escapeHtml(metric)} = <b>${formatNumber(value)}</b> (trial #${params.data.seq})<br/>${params.data.trials} measured trial(s)`;
      },
    },
    xAxis: {
      type: 'category',
      data: map.x,
      ...axisCommon(map.xKnob),
      nameGap: 30,
      splitArea: { show: false },
    },
    yAxis: {
      type: 'category',
      data: map.y,
      ...axisCommon(map.yKnob),
      nameGap: 72,
      splitArea: { show: false },
    },
    visualMap: [
      {
        type: 'continuous',
        seriesIndex: 0,
        min: map.min ?? 0,
        max: map.max !== undefined && map.max > (map.min ?? 0) ? map.max : (map.min ?? 0) + 1,
        calculable: true,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemHeight: 160,
        text: goal === 'minimize' ? ['worse', 'better'] : ['better', 'worse'],
        textStyle: TEXT,
        inRange: { color: goal === 'minimize' ? [...ramp].reverse() : ramp },
        formatter: (v: number) => formatNumber(v, 3),
      },
      {
        type: 'piecewise',
        seriesIndex: 1,
        show: false,
        pieces: [
          { value: 1, color: COLORS.infeasible, label: 'infeasible' },
          { value: 2, color: COLORS.failed, label: 'failed' },
        ],
      },
    ],
    series: [
      {
        name: metric,
        type: 'heatmap',
        data: map.cells.map((c) => ({
          value: [c.x, c.y, c.objective],
          seq: c.seq,
          trials: c.trials,
          // Light text on the dark end of the ramp, dark text on the light end.
          label: { color: darkCell(c.objective) ? '#ffffff' : '#0f172a' },
        })),
        label: {
          show: showLabels,
          formatter: (p: { data: { value: number[] } }) => formatNumber(p.data.value[2], 3),
          fontSize: 11,
        },
        itemStyle: { borderColor: '#ffffff', borderWidth: 1 },
        emphasis: { itemStyle: { borderColor: '#0f172a', borderWidth: 1 } },
      },
      {
        name: 'not measured',
        type: 'heatmap',
        data: map.failed.map((c) => ({
          value: [c.x, c.y, fail(c.status)],
          trials: c.trials,
          status: c.status,
        })),
        label: {
          show: showLabels,
          formatter: (p: { data: { status: string } }) => p.data.status,
          color: '#78350f',
          fontSize: 10,
        },
        itemStyle: { borderColor: '#ffffff', borderWidth: 1 },
      },
    ],
  };
}

/**
 * Offered against achieved throughput (with the ideal diagonal) on the left axis, tail latency on the
 * right axis with the SLO bound; levels that broke the SLO are marked red.
 */
export function loadCurveOption(
  points: readonly LoadPoint[],
  slo: { percentile?: number; latencyMs?: number } | undefined,
): EChartsCoreOption {
  const maxOffered = Math.max(0, ...points.map((p) => p.offeredRps), ...points.map((p) => p.achievedRps));
  const percentile = slo?.percentile ?? 99;
  const latencyOf = (p: LoadPoint) =>
    percentile === 99 ? (p.p99Ms ?? p.sloPercentileMs) : p.sloPercentileMs;
  const latencyName = `p${percentile} latency`;
  const latency = points
    .map((p) => ({ p, ms: latencyOf(p) }))
    .filter((e): e is { p: LoadPoint; ms: number } => e.ms !== undefined);
  const pointStyle = (p: LoadPoint, color: string) => ({
    color: p.sloMet === false ? COLORS.sloBroken : color,
  });
  return {
    animation: false,
    textStyle: TEXT,
    grid: { left: 64, right: 64, top: 40, bottom: 48 },
    legend: { top: 4, textStyle: TEXT, data: ['achieved', 'offered = achieved', latencyName] },
    tooltip: {
      trigger: 'item',
      formatter: (params: { seriesName: string; data: { value: number[]; point?: LoadPoint } }) => {
        const p = params.data.point;
        if (!p) return 'offered = achieved';
        const lines = [
          `Level ${p.order}: offered <b>${formatNumber(p.offeredRps)}</b> req/s`,
          `achieved ${formatNumber(p.achievedRps)} req/s`,
          `p99 ${formatNumber(p.p99Ms)} ms`,
        ];
        if (p.errorRate !== undefined) lines.push(`errors ${formatPercent(p.errorRate)}`);
        if (p.sloMet !== undefined) lines.push(p.sloMet ? 'SLO met' : '<b>SLO broken</b>');
        if (p.stable === false) lines.push('unstable');
        return lines.join('<br/>');
      },
    },
    xAxis: {
      type: 'value',
      ...axisCommon('offered load (req/s)'),
      nameGap: 28,
      min: 0,
      axisLabel: { color: COLORS.text, formatter: (v: number) => formatNumber(v, 3) },
    },
    yAxis: [
      {
        type: 'value',
        ...axisCommon('throughput (req/s)'),
        nameGap: 48,
        min: 0,
        axisLabel: { color: COLORS.text, formatter: (v: number) => formatNumber(v, 3) },
      },
      {
        type: 'value',
        ...axisCommon('latency (ms)'),
        nameGap: 48,
        min: 0,
        // Keep the SLO line in view even when every level was far below it.
        max: (extent: { max: number }) =>
          slo?.latencyMs === undefined ? extent.max : Math.max(extent.max, slo.latencyMs * 1.1),
        splitLine: { show: false },
        axisLabel: { color: COLORS.text, formatter: (v: number) => formatNumber(v, 3) },
      },
    ],
    series: [
      {
        name: 'achieved',
        type: 'line',
        data: points.map((p) => ({
          value: [p.offeredRps, p.achievedRps],
          point: p,
          itemStyle: pointStyle(p, COLORS.trial),
        })),
        symbolSize: 8,
        lineStyle: { color: COLORS.trial, width: 2 },
        itemStyle: { color: COLORS.trial },
      },
      {
        name: 'offered = achieved',
        type: 'line',
        data: [{ value: [0, 0] }, { value: [maxOffered, maxOffered] }],
        symbol: 'none',
        lineStyle: { color: COLORS.ideal, type: 'dashed', width: 1 },
        itemStyle: { color: COLORS.ideal },
        silent: true,
      },
      {
        name: latencyName,
        type: 'line',
        yAxisIndex: 1,
        data: latency.map(({ p, ms }) => ({
          value: [p.offeredRps, ms],
          point: p,
          itemStyle: pointStyle(p, COLORS.latency),
        })),
        symbol: 'diamond',
        symbolSize: 8,
        lineStyle: { color: COLORS.latency, width: 2 },
        itemStyle: { color: COLORS.latency },
        markLine:
          slo?.latencyMs === undefined
            ? undefined
            : {
                silent: true,
                symbol: 'none',
                lineStyle: { color: COLORS.sloBroken, type: 'dashed' },
                label: {
                  formatter: `SLO ${slo.latencyMs} ms`,
                  color: COLORS.sloBroken,
                  position: 'insideEndTop',
                },
                data: [{ yAxis: slo.latencyMs }],
              },
      },
    ],
  };
}
