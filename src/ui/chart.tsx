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
  // The legend entries the user toggled: a new option (a live update) must not undo them.
  const legendSelected = useRef<Record<string, boolean>>({});

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const instance = init(element, undefined, { renderer: 'svg' });
    chart.current = instance;
    instance.on('click', (params) => onClick.current?.((params.data ?? {}) as TrialDatum));
    instance.on('legendselectchanged', (params) => {
      legendSelected.current = (params as { selected: Record<string, boolean> }).selected;
    });
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = undefined;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(keepLegendSelection(props.option, legendSelected.current), { notMerge: true });
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

/** `option` with the user's legend toggles carried over: `notMerge` would reset them to all shown. */
function keepLegendSelection(
  option: EChartsCoreOption,
  selected: Record<string, boolean>,
): EChartsCoreOption {
  const legend = option.legend as { selected?: Record<string, boolean> } | undefined;
  if (!legend || Array.isArray(legend) || Object.keys(selected).length === 0) return option;
  return { ...option, legend: { ...legend, selected: { ...legend.selected, ...selected } } };
}
