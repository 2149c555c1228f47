// charts.js — Apache ECharts, only the parts the console draws (line, bar, heatmap charts), with
// the aria module so every chart carries a text description for screen readers.
import * as echarts from 'echarts/core';
import { LineChart, BarChart, HeatmapChart } from 'echarts/charts';
import {
  GridComponent,
  TooltipComponent,
  LegendComponent,
  VisualMapComponent,
  AriaComponent,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { h } from './dom.js';

echarts.use([
  LineChart,
  BarChart,
  HeatmapChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  VisualMapComponent,
  AriaComponent,
  SVGRenderer,
]);

export const palette = ['#1f5f8b', '#e07b39', '#3a9d5d', '#8e5ea2', '#c9a227', '#d64545', '#5b8db8'];
const live = new Set();

const FONT =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';

// a chart box: an element that draws `option` once it is in the page, and resizes with it
export function chart(option, { height = 280, label = '' } = {}) {
  const el = h('div.chart', { role: 'img', 'aria-label': label, style: { height: height + 'px' } });
  requestAnimationFrame(() => {
    if (!el.isConnected) return;
    const c = echarts.init(el, null, { renderer: 'svg' });
    c.setOption({
      color: palette,
      textStyle: { fontFamily: FONT },
      animation: false,
      aria: { enabled: true },
      tooltip: { trigger: 'axis', confine: true },
      ...option,
    });
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el);
    live.add({ c, ro });
  });
  return el;
}

// before a page is replaced: free the charts it drew
export function disposeCharts() {
  for (const x of live) {
    x.ro.disconnect();
    x.c.dispose();
  }
  live.clear();
}
