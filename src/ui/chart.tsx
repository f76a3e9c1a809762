import { HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { type EChartsCoreOption, type EChartsType, init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'preact/hooks';
import type { TrialDatum } from './chart-options.js';

use([
  LineChart,
  ScatterChart,
  HeatmapChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  MarkLineComponent,
  SVGRenderer,
]);

/** One ECharts chart (SVG renderer: crisp in reports and printable), resized with its box. */
export function Chart(props: {
  option: EChartsCoreOption;
  /** Names the chart for tests and assistive technology. */
  name: string;
  height?: number;
  onClick?: (datum: TrialDatum) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType>();
  const onClick = useRef(props.onClick);
  onClick.current = props.onClick;

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const instance = init(element, undefined, { renderer: 'svg' });
    chart.current = instance;
    instance.on('click', (params) => onClick.current?.((params.data ?? {}) as TrialDatum));
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = undefined;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(props.option, { notMerge: true });
  }, [props.option]);

  return (
    <div
      class={`chart${props.onClick ? ' clickable' : ''}`}
      ref={box}
      data-chart={props.name}
      role="img"
      aria-label={props.name}
      style={{ height: `${props.height ?? 320}px` }}
    />
  );
}
