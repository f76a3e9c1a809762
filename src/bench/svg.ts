/**
 * A minimal SVG line plot for the benchmark report. No charting package is installed in this project
 * (no vega, d3 or similar in node_modules), and one line chart does not justify adding one: this draws
 * axes, ticks, one polyline per series and a legend, nothing more.
 */
export interface Series {
  name: string;
  /** [x, y] points, in x order. */
  points: readonly (readonly [number, number])[];
}

export interface LinePlot {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  xDomain: readonly [number, number];
  yDomain: readonly [number, number];
}

const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

export function lineChartSvg(plot: LinePlot): string {
  const width = 760;
  const height = 440;
  const margin = { left: 60, right: 190, top: 36, bottom: 48 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const [x0, x1] = plot.xDomain;
  const [y0, y1] = plot.yDomain;
  const sx = (x: number) => margin.left + ((x - x0) / (x1 - x0 || 1)) * plotWidth;
  const sy = (y: number) => margin.top + plotHeight - ((y - y0) / (y1 - y0 || 1)) * plotHeight;
  const n = (v: number) => v.toFixed(1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    // The title is the plot's accessible name (screen readers, and biome's a11y lint of committed plots).
    `<title>${escapeXml(plot.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(plot.title)}</text>`,
  ];
  for (const y of ticks(y0, y1, 6)) {
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${n(sy(y))}" y2="${n(sy(y))}" stroke="#e5e5e5"/>`,
      `<text x="${margin.left - 6}" y="${n(sy(y) + 4)}" text-anchor="end">${formatTick(y)}</text>`,
    );
  }
  for (const x of ticks(x0, x1, 10)) {
    parts.push(
      `<line x1="${n(sx(x))}" x2="${n(sx(x))}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight + 4}" stroke="black"/>`,
      `<text x="${n(sx(x))}" y="${margin.top + plotHeight + 18}" text-anchor="middle">${formatTick(x)}</text>`,
    );
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="black"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="${height - 8}" text-anchor="middle">${escapeXml(plot.xLabel)}</text>`,
    `<text transform="translate(16 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(plot.yLabel)}</text>`,
  );
  plot.series.forEach((series, i) => {
    const colour = PALETTE[i % PALETTE.length] as string;
    const dash = i >= PALETTE.length ? ' stroke-dasharray="5 3"' : '';
    const points = series.points.map(([x, y]) => `${n(sx(x))},${n(sy(Math.min(y1, Math.max(y0, y))))}`);
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2"${dash} points="${points.join(' ')}"/>`,
    );
    const ly = margin.top + 10 + i * 18;
    const lx = margin.left + plotWidth + 14;
    parts.push(
      `<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"${dash}/>`,
      `<text x="${lx + 28}" y="${ly + 4}">${escapeXml(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude) as number;
  const result: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    result.push(Number(v.toPrecision(12)));
  return result;
}

function formatTick(value: number): string {
  return String(Number(value.toPrecision(6)));
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
