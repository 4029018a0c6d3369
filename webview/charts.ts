/**
 * The chart configurations of the analysis views, built from an analysis and the view state.
 * Each is rebuilt whole on every change and handed to a ChartSet, which updates the chart in
 * place; the selected trial is drawn larger in every chart that shows it.
 */
import type { ChartConfiguration, ChartDataset, Scale, ScatterDataPoint } from 'chart.js';
import type { ViewState } from '../src/core/analysis/panelState';
import { okTrials, trialAtError, trialKey } from '../src/core/analysis/panelState';
import { EDF_CHART_POINTS, SCATTER_CHART_POINTS, type DetailedTrial, type PanelAnalysis, type TrialRow } from '../src/core/analysis/panelData';
import { scatterPoints, stepCurvePoints } from '../src/core/analysis/drawnPoints';
import type { SplitAnalysis } from '../src/core/analysis/split';
import type { Trend } from '../src/core/analysis/trend';
import { compactCount, fixed, metricLabel, metricText } from './format';
import type { SelectedMarkOptions } from './plugins';
import { accentColor, foregroundColor, mutedColor, seriesColor } from './theme';
import { count, groupThousands } from '../src/core/presentation/counts';

/** Legend swatches drawn as short lines in the series' own dash, so dashed and dotted series read as such. */
const LINE_LEGEND = { usePointStyle: true, pointStyle: 'line' as const, pointStyleWidth: 32 };

/** Called with the key of a trial the user clicked in a chart. */
export type OnSelect = (key: string) => void;

const SELECTED_RADIUS = 7;

/**
 * Up to this many points a dataset styles each point (the selected one larger); beyond, every
 * point shares one style, which Chart.js resolves once instead of per point, and the selected
 * one is drawn over them (the selectedMark plugin).
 */
const STYLED_POINTS = 1000;

/** A band's caption: "shaded: 95% simultaneous (DKW) bands, ±0.28 at n = 24 …". */
export function bandCaption(a: PanelAnalysis, normalized: boolean): string {
  const parts = a.spaces
    .map((s) => ({ s, band: normalized ? s.normalized?.band : s.band }))
    .filter((x) => x.band)
    .map(({ s, band }) => `${s.name} ±${fixed(band!.epsilon, 2)} (n${normalized ? '_eff' : ''} = ${fixed(band!.n, normalized ? 1 : 0)})`);
  return `shaded: ${Math.round((1 - a.settings.significance) * 100)}% simultaneous (DKW) bands: ${parts.join(', ')}`;
}

/** Translucent version of a series colour for a band. */
function translucent(color: string): string {
  const m = /^#([0-9a-f]{6})(?:[0-9a-f]{2})?$/i.exec(color.trim());
  if (m) return `#${m[1]}26`;
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(color.trim());
  if (short) return `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}26`;
  const rgb = /^rgba?\(([^)]+)\)$/.exec(color.trim());
  if (rgb) return `rgba(${rgb[1].split(',').slice(0, 3).join(',')}, 0.15)`;
  return color;
}

/** EDFs: step curves per space; the legend reads name | n | min | mean as in pycls. A click on a step selects its trial. */
export function edfChart(a: PanelAnalysis, state: ViewState, onSelect: OnSelect): ChartConfiguration<'scatter'> {
  const mode = state.normalized ? 'normalized' : 'plain';
  const datasets: ChartDataset<'scatter'>[] = [];
  /** The space of each dataset; −1 for a band's bound. */
  const spaceOf: number[] = [];
  let selectedMark: SelectedMarkOptions | null = null;
  a.spaces.forEach((s, i) => {
    const curve = mode === 'plain' ? s.edf : s.normalized?.curve;
    if (!curve || curve.x.length === 0) return;
    const n = mode === 'plain' ? s.n : s.n - (s.normalized?.dropped ?? 0);
    const min = mode === 'plain' ? s.min : (s.normalized?.min ?? null);
    const mean = mode === 'plain' ? s.mean : (s.normalized?.mean ?? null);
    const points: ScatterDataPoint[] = [{ x: curve.x[0], y: 0 }, ...curve.x.map((x, k) => ({ x, y: curve.y[k] }))];
    const selected = state.selected === null ? undefined : okTrials(s).find((t) => trialKey(t) === state.selected);
    // The selected trial's step: the first point at its error after the start point.
    let mark = selected ? points.findIndex((p, k) => k > 0 && Math.abs((p.x as number) - (selected.error as number)) < 1e-9) : -1;
    if (selected && mark < 0) {
      // A large sweep's curve is drawn through fewer points than it has: the selected trial is
      // marked where the drawn curve passes its error (a point on the flat, which draws nothing new).
      const error = selected.error as number;
      const after = points.findIndex((p, k) => k > 0 && (p.x as number) > error);
      mark = after < 0 ? points.length : after;
      points.splice(mark, 0, { x: error, y: points[mark - 1].y });
    }
    spaceOf.push(i);
    const styled = points.length <= STYLED_POINTS;
    if (!styled && mark >= 0) selectedMark = { x: points[mark].x as number, y: points[mark].y as number, radius: SELECTED_RADIUS - 2, fill: seriesColor(i), border: foregroundColor(), borderWidth: 2 };
    datasets.push({
      label: `${s.name} | ${n} | ${fixed(min, 1)} | ${fixed(mean, 1)}`,
      data: points,
      showLine: true,
      stepped: 'before', // Chart.js 'before': flat at the previous level up to the next error, then the jump
      borderColor: seriesColor(i),
      backgroundColor: seriesColor(i),
      borderWidth: 2,
      pointRadius: styled ? points.map((_, k) => (k === mark ? SELECTED_RADIUS - 2 : 0)) : 0,
      pointBorderColor: foregroundColor(),
      pointBorderWidth: styled ? points.map((_, k) => (k === mark ? 2 : 0)) : 0,
      pointHitRadius: 6,
    });
    const band = mode === 'plain' ? s.band : s.normalized?.band;
    if (state.band && band) {
      // The bounds as step curves over the same errors, the area between them filled.
      const bound = (ys: number[], start: number): ScatterDataPoint[] => [{ x: curve.x[0], y: start }, ...curve.x.map((x, k) => ({ x, y: ys[k] }))];
      const common = { showLine: true, stepped: 'before' as const, borderWidth: 0, pointRadius: 0, pointHitRadius: 0, borderColor: translucent(seriesColor(i)) };
      datasets.push({ ...common, label: `${s.name} band`, data: bound(band.upper, Math.min(1, band.epsilon)), backgroundColor: translucent(seriesColor(i)), fill: false });
      datasets.push({ ...common, label: `${s.name} band (lower)`, data: bound(band.lower, 0), backgroundColor: translucent(seriesColor(i)), fill: '-1' });
      spaceOf.push(-1, -1);
    }
  });
  return {
    type: 'scatter',
    data: { datasets },
    options: {
      // The points are {x, y} already: Chart.js need not parse thousands of them.
      parsing: false,
      scales: {
        x: { title: { display: true, text: 'error (%)' } },
        y: { min: 0, max: 1, title: { display: true, text: mode === 'plain' ? 'cumulative prob.' : `cumulative prob. (${a.settings.complexity}-normalized)` } },
      },
      onClick: (_e, elements) => {
        const hit = elements.find((e) => e.index > 0 && spaceOf[e.datasetIndex] >= 0);
        if (!hit) return;
        const space = a.spaces[spaceOf[hit.datasetIndex]];
        const point = datasets[hit.datasetIndex].data[hit.index] as ScatterDataPoint;
        const t = trialAtError(space, point.x as number);
        if (t) onSelect(trialKey(t));
      },
      plugins: {
        legend: {
          position: 'bottom',
          title: { display: true, text: 'space | n | min | mean' },
          labels: { filter: (item) => !String(item.text).includes(' band') },
        },
        selectedMark,
      },
    },
  };
}

/** Error vs a property for one space, with its bootstrap band and median; a click selects a trial. */
export function scatterChart(a: PanelAnalysis, spaceIndex: number, metric: string, state: ViewState, onSelect: OnSelect): ChartConfiguration<'scatter'> | undefined {
  const s = a.spaces[spaceIndex];
  const all = okTrials(s).filter((t) => metric in t.metrics);
  if (all.length === 0) return undefined;
  const range = s.bestRanges[metric];
  const title = range ? `${s.name}: best ${metricText(metric, range.median)} [${metricText(metric, range.lo)}, ${metricText(metric, range.hi)}]` : s.name;
  const radius = all.length > 200 ? 2 : 3.5;
  // A large space draws a few thousand of its points: the best and worst exactly, the selected one, one per small cell between.
  const drawn = scatterPoints(all.map((t) => t.metrics[metric]), all.map((t) => t.error as number), SCATTER_CHART_POINTS, [all.findIndex((t) => trialKey(t) === state.selected)]);
  const ok = drawn.length === all.length ? all : drawn.map((i) => all[i]);
  const isSelected = ok.map((t) => trialKey(t) === state.selected);
  const styled = ok.length <= STYLED_POINTS;
  const selected = ok.find((t) => trialKey(t) === state.selected);
  const selectedMark = !styled && selected ? { x: selected.metrics[metric], y: selected.error as number, radius: SELECTED_RADIUS, fill: seriesColor(spaceIndex), border: foregroundColor(), borderWidth: 2.5 } : null;
  return {
    type: 'scatter',
    data: {
      datasets: [
        {
          label: s.name,
          data: ok.map((t) => ({ x: t.metrics[metric], y: t.error as number })),
          borderColor: styled ? isSelected.map((sel) => (sel ? foregroundColor() : seriesColor(spaceIndex))) : seriesColor(spaceIndex),
          backgroundColor: seriesColor(spaceIndex),
          pointRadius: styled ? isSelected.map((sel) => (sel ? SELECTED_RADIUS : radius)) : radius,
          pointBorderWidth: styled ? isSelected.map((sel) => (sel ? 2.5 : 1)) : 1,
        },
      ],
    },
    options: {
      // The points are {x, y} already: Chart.js need not parse thousands of them.
      parsing: false,
      scales: {
        x: { title: { display: true, text: metricLabel(metric) }, ticks: { callback: (v) => metricText(metric, Number(v)) } },
        y: { title: { display: true, text: 'error (%)' } },
      },
      onClick: (_e, elements) => {
        if (elements.length > 0) onSelect(trialKey(ok[elements[0].index]));
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: (item) => {
              const t = ok[item.dataIndex];
              return `${t.space} #${t.index}: ${fixed(t.error)}%, ${metricLabel(metric)} ${metricText(metric, t.metrics[metric])}`;
            },
          },
        },
        title: { display: true, text: title },
        subtitle: { display: ok.length < all.length, text: `drawn: ${groupThousands(ok.length)} of ${count(all.length, 'trial')}, the best and worst among them` },
        bestRange: range ? { lo: range.lo, hi: range.hi, median: range.median } : null,
        selectedMark,
      },
    },
  };
}

/**
 * A log axis titled `text`, with `bounds` when given, ticked at the powers of two from the lower
 * bound (else 1) up to the upper one (else the axis's max) and labelled as plain numbers.
 */
function powerOfTwoAxis(text: string, bounds?: { min: number; max: number }) {
  return {
    type: 'logarithmic' as const,
    ...bounds,
    title: { display: true, text },
    afterBuildTicks: (axis: Scale) => {
      const ticks = [];
      for (let v = bounds?.min ?? 1; v <= (bounds?.max ?? axis.max); v *= 2) ticks.push({ value: v });
      axis.ticks = ticks;
    },
    ticks: { callback: (v: number | string) => String(v) },
  };
}

/** Width per block of one model, its fitted (or own) quantized widths and the line u_j. */
export function widthChart(t: DetailedTrial, color: string): ChartConfiguration<'scatter'> {
  const datasets: ChartDataset<'scatter'>[] = [
    {
      label: 'w_j (block widths)',
      data: t.blockWidths.map((w, j) => ({ x: j, y: w })),
      showLine: true,
      stepped: 'middle',
      borderColor: color,
      backgroundColor: color,
      borderWidth: 2.5,
      pointRadius: 3,
    },
  ];
  if (t.line) {
    const muted = mutedColor();
    // A RegNet's generated widths are its block widths: drawn again, the line would hide under w_j.
    const same = t.line.predicted.length === t.blockWidths.length && t.line.predicted.every((w, j) => w === t.blockWidths[j]);
    if (same) datasets[0].label = 'w_j (block widths, as the RegNet rule generates them)';
    datasets.push(
      {
        label: t.line.source === 'fit' ? 'quantized linear fit ŵ_j' : 'generated widths',
        data: t.line.predicted.map((w, j) => ({ x: j, y: w })),
        showLine: true,
        stepped: 'middle',
        borderColor: muted,
        backgroundColor: muted,
        borderDash: [6, 4],
        borderWidth: 1.5,
        pointRadius: 0,
      },
      {
        label: 'u_j = w0 + wa·j',
        data: t.line.continuous.map((u, j) => ({ x: j, y: u })),
        showLine: true,
        borderColor: accentColor(),
        backgroundColor: accentColor(),
        borderDash: [2, 3],
        borderWidth: 1.5,
        pointRadius: 0,
      },
    );
    if (same) datasets.splice(1, 1);
  }
  const all = [...t.blockWidths, ...(t.line ? [...t.line.predicted, ...t.line.continuous] : [])].filter((w) => w > 0);
  const lo = Math.pow(2, Math.floor(Math.log2(Math.min(...all))));
  const hi = Math.pow(2, Math.ceil(Math.log2(Math.max(...all))));
  return {
    type: 'scatter',
    data: { datasets },
    options: {
      scales: {
        x: {
          min: -0.5,
          max: t.blockWidths.length - 0.5,
          title: { display: true, text: 'block j' },
          afterBuildTicks: (axis) => {
            // One tick per block when they fit, else every k-th.
            const step = Math.max(1, Math.ceil(t.blockWidths.length / 32));
            axis.ticks = t.blockWidths.map((_, j) => ({ value: j })).filter((_, j) => j % step === 0);
          },
        },
        y: powerOfTwoAxis('width (log2)', { min: lo, max: hi }),
      },
      plugins: { legend: { position: 'bottom', labels: LINE_LEGEND }, stageStarts: t.stageStarts },
    },
  };
}

/**
 * Whether the curves chart draws the training loss per step: when no drawn trial has two test
 * errors (one-epoch runs), an error curve is a dot, while the loss shows how each run learned.
 */
export function curvesByStep(trials: readonly TrialRow[]): boolean {
  const drawn = trials.filter((t) => t.error !== null && t.epochCount > 0);
  return drawn.length > 0 && drawn.every((t) => t.epochCount < 2 && t.lossSteps > 1);
}

/** A trial the curves chart draws, and why: one of the best, of the worst, or the selected one. */
export interface CurvePick {
  t: TrialRow;
  kind: 'best' | 'worst' | 'selected';
}

/** The trials whose curves are drawn: the best and worst ok trials of all spaces (`ends`, see curveEnds), and the selected one. */
export function curvePicks(trials: readonly TrialRow[], ends: { best: readonly TrialRow[]; worst: readonly TrialRow[] }, selectedKey: string | null): CurvePick[] {
  const { best, worst } = ends;
  const picked: CurvePick[] = [...best.map((t): CurvePick => ({ t, kind: 'best' })), ...worst.map((t): CurvePick => ({ t, kind: 'worst' }))];
  const selected = trials.find((t) => trialKey(t) === selectedKey && t.epochCount > 0);
  if (selected && !picked.some((p) => p.t === selected)) picked.push({ t: selected, kind: 'selected' });
  return picked;
}

/**
 * Test error per epoch (or, for one-epoch runs, training loss per step) of the picked trials
 * whose details are at hand. A click on a curve selects its trial.
 */
export function curvesChart(trials: readonly TrialRow[], picks: readonly CurvePick[], detailOf: (t: TrialRow) => DetailedTrial | undefined, state: ViewState, colorOf: (t: TrialRow) => string, onSelect: OnSelect): ChartConfiguration<'line'> {
  const byStep = curvesByStep(trials);
  const drawn = picks.flatMap(({ t, kind }) => {
    const d = detailOf(t);
    return d ? [{ t: d, kind }] : [];
  });
  const points = (t: DetailedTrial): { x: number; y: number }[] =>
    byStep ? (t.lossCurve ?? []).map((p) => ({ x: p.step, y: p.loss })) : t.epochs.filter((e) => e.testError !== null).map((e) => ({ x: e.epoch, y: e.testError as number }));
  const datasets: ChartDataset<'line'>[] = drawn.map(({ t, kind }) => {
    const isSelected = trialKey(t) === state.selected;
    return {
      label: `${isSelected ? '▶ ' : ''}${kind === 'selected' ? 'selected' : `${kind} of all`}: ${t.space} #${t.index} (${fixed(t.error)}% error)`,
      data: points(t),
      borderColor: colorOf(t),
      backgroundColor: colorOf(t),
      borderDash: kind === 'worst' ? [6, 4] : [],
      borderWidth: isSelected ? 4 : 2,
      pointRadius: byStep ? 0 : isSelected ? 5 : 3,
    };
  });
  return {
    type: 'line',
    data: { datasets },
    options: {
      parsing: false,
      scales: {
        x: { type: 'linear', title: { display: true, text: byStep ? 'step' : 'epoch' }, ticks: { precision: 0 } },
        y: { title: { display: true, text: byStep ? 'training loss' : 'test error (%)' } },
      },
      onClick: (_e, elements) => {
        if (elements.length > 0) onSelect(trialKey(drawn[elements[0].datasetIndex].t));
      },
      plugins: { legend: { position: 'bottom', labels: LINE_LEGEND } },
    },
  };
}

/** What the search-efficiency curves rest on, e.g. "… the curves rest on A: 16, B: 5 trials; with fewer than 16 a curve is rough". */
export function searchCaption(a: PanelAnalysis): string {
  const drawn = a.spaces.filter((s) => s.searchEfficiency.length > 0);
  if (drawn.length === 0) return 'no space has ok trials yet';
  const few = drawn.some((s) => s.n < 16);
  return `expected best error of m models drawn at random (with replacement) from a space's ok trials; the curves rest on ${drawn.map((s) => `${s.name}: ${s.n}`).join(', ')} trials${few ? '; with fewer than 16 a curve is rough' : ''}`;
}

/** Expected best error of m random models per space. */
export function searchChart(a: PanelAnalysis): ChartConfiguration<'scatter'> {
  const datasets: ChartDataset<'scatter'>[] = a.spaces
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.searchEfficiency.length > 0)
    .map(({ s, i }) => ({
      label: s.name,
      data: s.searchEfficiency.map((p) => ({ x: p.m, y: p.mean })),
      showLine: true,
      borderColor: seriesColor(i),
      backgroundColor: seriesColor(i),
      pointRadius: 3,
    }));
  return {
    type: 'scatter',
    data: { datasets },
    options: {
      scales: {
        x: powerOfTwoAxis('models drawn m'),
        y: { title: { display: true, text: 'best error of m (%)' } },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  };
}

/** EDFs of a split: one step curve per group (its label | n | best | median in the legend). */
export function splitChart(split: SplitAnalysis): ChartConfiguration<'scatter'> {
  const perCurve = Math.floor(EDF_CHART_POINTS / Math.max(1, split.groups.length));
  const datasets: ChartDataset<'scatter'>[] = split.groups.map((g, i) => ({
    label: `${g.label} | ${g.n} | ${fixed(g.min, 1)} | ${fixed(g.median, 1)}`,
    data: [{ x: g.edf.x[0], y: 0 }, ...stepCurvePoints(g.edf.x, g.edf.y, perCurve).map((k) => ({ x: g.edf.x[k], y: g.edf.y[k] }))],
    showLine: true,
    stepped: 'before',
    borderColor: seriesColor(i),
    backgroundColor: seriesColor(i),
    borderWidth: 2,
    pointRadius: 0,
  }));
  return {
    type: 'scatter',
    data: { datasets },
    options: {
      scales: { x: { title: { display: true, text: 'error (%)' } }, y: { min: 0, max: 1, title: { display: true, text: 'cumulative prob.' } } },
      plugins: { legend: { position: 'bottom', title: { display: true, text: `${split.keys.join(', ')} | n | min | median` } } },
    },
  };
}

/**
 * The best range of `metric` in each complexity bin, per space: the median as a line through the
 * bins, the 95% range shaded around it. Bins without a best range (too few trials) are gaps.
 */
export function trendChart(trends: Trend[], metric: string, spaceNames: string[]): ChartConfiguration<'scatter'> {
  const datasets: ChartDataset<'scatter'>[] = [];
  for (const t of trends) {
    const i = Math.max(0, spaceNames.indexOf(t.space));
    const at = (pick: (r: { lo: number; median: number; hi: number }) => number): ScatterDataPoint[] =>
      t.bins.map((b) => ({ x: Math.sqrt(b.range[0] * b.range[1]), y: b.bestRanges[metric] ? pick(b.bestRanges[metric]) : NaN }));
    const common = { showLine: true, spanGaps: false, pointHitRadius: 6 };
    datasets.push({ ...common, label: t.space, data: at((r) => r.median), borderColor: seriesColor(i), backgroundColor: seriesColor(i), borderWidth: 2, pointRadius: 4 });
    datasets.push({ ...common, label: `${t.space} 97.5%`, data: at((r) => r.hi), borderWidth: 0, pointRadius: 0, borderColor: translucent(seriesColor(i)), backgroundColor: translucent(seriesColor(i)), fill: false });
    datasets.push({ ...common, label: `${t.space} 2.5%`, data: at((r) => r.lo), borderWidth: 0, pointRadius: 0, borderColor: translucent(seriesColor(i)), backgroundColor: translucent(seriesColor(i)), fill: '-1' });
  }
  const complexity = trends[0]?.complexity ?? 'flops';
  return {
    type: 'scatter',
    data: { datasets },
    options: {
      scales: {
        x: { type: 'logarithmic', title: { display: true, text: `${complexity} (bin centre)` }, ticks: { callback: (v) => compactCount(Number(v)) } },
        y: { title: { display: true, text: `best ${metricLabel(metric)}` }, ticks: { callback: (v) => metricText(metric, Number(v)) } },
      },
      plugins: { legend: { position: 'bottom', labels: { filter: (item) => !/ (2\.5|97\.5)%$/.test(String(item.text)) } } },
    },
  };
}
