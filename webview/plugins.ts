/** Chart.js plugins of the report: the best-range band, the stage boundaries and the selected point of a large chart. */
import { Chart, registerables, type ChartType, type Plugin } from 'chart.js';
import { accentColor, cssVar, mutedColor } from './theme';

export interface BestRangeOptions {
  lo: number;
  hi: number;
  median: number;
}

/** One point drawn over a chart's datasets: the selected trial in a chart of too many points to style one by one. */
export interface SelectedMarkOptions {
  x: number;
  y: number;
  radius: number;
  fill: string;
  border: string;
  borderWidth: number;
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    /** The selected trial's point, drawn over the datasets. */
    selectedMark?: SelectedMarkOptions | null;
    /** Shaded [lo, hi] on the x axis with a line at the median (error-vs-property charts). */
    bestRange?: BestRangeOptions | null;
    /** Dashed vertical lines before these x values (stage starts in the width chart). */
    stageStarts?: number[] | null;
  }
}

const bestRangePlugin: Plugin<'scatter'> = {
  id: 'bestRange',
  beforeDatasetsDraw(chart, _args, opts) {
    const options = opts as unknown as BestRangeOptions | null;
    if (!options || !Number.isFinite(options.lo) || !Number.isFinite(options.hi)) return;
    const { ctx, chartArea, scales } = chart;
    const x = scales.x;
    const left = Math.max(chartArea.left, x.getPixelForValue(options.lo));
    const right = Math.min(chartArea.right, x.getPixelForValue(options.hi));
    ctx.save();
    ctx.fillStyle = cssVar('--dslab-band', 'rgba(9,105,218,0.12)');
    ctx.fillRect(left, chartArea.top, Math.max(2, right - left), chartArea.bottom - chartArea.top);
    const m = x.getPixelForValue(options.median);
    ctx.strokeStyle = accentColor();
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(m, chartArea.top);
    ctx.lineTo(m, chartArea.bottom);
    ctx.stroke();
    ctx.restore();
  },
};

const stageStartsPlugin: Plugin<'scatter'> = {
  id: 'stageStarts',
  beforeDatasetsDraw(chart, _args, opts) {
    // Chart.js hands array options over as an object with the same indices.
    const starts = opts ? (Object.values(opts) as number[]) : null;
    if (!starts || starts.length === 0) return;
    const { ctx, chartArea, scales } = chart;
    ctx.save();
    ctx.strokeStyle = mutedColor();
    ctx.setLineDash([4, 4]);
    for (const s of starts.slice(1)) {
      const px = scales.x.getPixelForValue(s - 0.5);
      ctx.beginPath();
      ctx.moveTo(px, chartArea.top);
      ctx.lineTo(px, chartArea.bottom);
      ctx.stroke();
    }
    ctx.restore();
  },
};

const selectedMarkPlugin: Plugin<'scatter'> = {
  id: 'selectedMark',
  afterDatasetsDraw(chart, _args, opts) {
    const mark = opts as unknown as SelectedMarkOptions | null;
    if (!mark || !Number.isFinite(mark.x) || !Number.isFinite(mark.y)) return;
    const { ctx, scales } = chart;
    ctx.save();
    ctx.beginPath();
    ctx.arc(scales.x.getPixelForValue(mark.x), scales.y.getPixelForValue(mark.y), mark.radius, 0, 2 * Math.PI);
    ctx.fillStyle = mark.fill;
    ctx.fill();
    ctx.lineWidth = mark.borderWidth;
    ctx.strokeStyle = mark.border;
    ctx.stroke();
    ctx.restore();
  },
};

/** Registers Chart.js's own parts and ours, once per page. */
export function registerCharts(): void {
  Chart.register(...registerables, bestRangePlugin as Plugin, stageStartsPlugin as Plugin, selectedMarkPlugin as Plugin);
}
