/**
 * The charts of the HTML report, drawn from the analysis JSON embedded in the page (see
 * src/core/analysis/reportHtml.ts). Everything here is presentation: the numbers come from core.
 * Colours are read from the page's `--dslab-*` CSS variables, so a themed host can restyle them.
 */
import { Chart, registerables, type ChartDataset, type ChartType, type Plugin, type ScatterDataPoint } from 'chart.js';
import type { SpaceAnalysis, SweepAnalysis, TrialSummary } from '../src/core/analysis/sweepAnalysis';

Chart.register(...registerables);

interface BestRangeOptions {
  lo: number;
  hi: number;
  median: number;
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    /** Shaded [lo, hi] on the x axis with a line at the median (error-vs-property charts). */
    bestRange?: BestRangeOptions | null;
    /** Dashed vertical lines before these x values (stage starts in the width chart). */
    stageStarts?: number[] | null;
  }
}

// ------------------------------------------------------------------ theme

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v === '' ? fallback : v;
}

function seriesColor(i: number): string {
  return cssVar(`--dslab-series-${(i % 8) + 1}`, '#888888');
}

function applyTheme(): void {
  Chart.defaults.color = cssVar('--dslab-fg', '#1f2328');
  Chart.defaults.borderColor = cssVar('--dslab-grid', 'rgba(127,127,127,0.2)');
  Chart.defaults.font.family = cssVar('--dslab-font', 'sans-serif');
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
}

// ------------------------------------------------------------------ plugins

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
    ctx.strokeStyle = cssVar('--dslab-accent', '#0969da');
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
    ctx.strokeStyle = cssVar('--dslab-muted', '#656d76');
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

Chart.register(bestRangePlugin as Plugin, stageStartsPlugin as Plugin);

// ------------------------------------------------------------------ helpers

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function byId<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the report page has no #${id}`);
  return e as T;
}

/** 1234567 → 1.23M. */
function count(x: number): string {
  for (const [f, u] of [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (Math.abs(x) >= f) return `${(x / f).toFixed(2)}${u}`;
  }
  return String(x);
}

function metricText(key: string, x: number): string {
  if (key === 'flops' || key === 'params' || key === 'acts') return count(x);
  if (key === 'efit') return x.toFixed(3);
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

function fixed(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

const okTrials = (s: SpaceAnalysis): TrialSummary[] => s.trials.filter((t) => t.status === 'ok' && t.error !== null);
const trialKey = (t: TrialSummary): string => `${t.space}/${t.index}`;

// ------------------------------------------------------------------ the report

class Report {
  readonly charts = new Map<string, Chart>();
  private readonly trials: TrialSummary[];
  private readonly spaceIndex: Map<string, number>;

  constructor(private readonly data: SweepAnalysis) {
    this.trials = data.spaces.flatMap((s) => s.trials);
    this.spaceIndex = new Map(data.spaces.map((s, i) => [s.name, i]));
  }

  draw(): void {
    applyTheme();
    this.drawEdf('plain');
    this.setupEdfToggle();
    this.setupMetrics();
    this.setupModels();
    this.drawCurves();
    this.drawSearch();
    this.drawTable();
  }

  /** (Re)draws chart `id`: the old chart must let go of its canvas before a new one can use it. */
  private put(id: string, make: () => Chart): void {
    this.charts.get(id)?.destroy();
    this.charts.delete(id);
    this.charts.set(id, make());
  }

  // EDFs: step curves per space; the legend reads name | n | min | mean as in pycls.
  private drawEdf(mode: 'plain' | 'normalized'): void {
    const datasets: ChartDataset<'scatter'>[] = [];
    this.data.spaces.forEach((s, i) => {
      const curve = mode === 'plain' ? s.edf : s.normalized?.curve;
      if (!curve || curve.x.length === 0) return;
      const n = mode === 'plain' ? s.n : s.n - (s.normalized?.dropped ?? 0);
      const min = mode === 'plain' ? s.min : (s.normalized?.min ?? null);
      const mean = mode === 'plain' ? s.mean : (s.normalized?.mean ?? null);
      const points: ScatterDataPoint[] = [{ x: curve.x[0], y: 0 }, ...curve.x.map((x, k) => ({ x, y: curve.y[k] }))];
      datasets.push({
        label: `${s.name} | ${n} | ${fixed(min, 1)} | ${fixed(mean, 1)}`,
        data: points,
        showLine: true,
        stepped: 'before', // Chart.js 'before': flat at the previous level up to the next error, then the jump
        borderColor: seriesColor(i),
        backgroundColor: seriesColor(i),
        borderWidth: 2,
        pointRadius: 0,
        pointHitRadius: 6,
      });
    });
    const canvas = byId<HTMLCanvasElement>('edf-chart');
    this.put(
      'edf',
      () =>
        new Chart(canvas, {
        type: 'scatter',
        data: { datasets },
        options: {
          scales: {
            x: { title: { display: true, text: 'error (%)' } },
            y: { min: 0, max: 1, title: { display: true, text: mode === 'plain' ? 'cumulative prob.' : `cumulative prob. (${this.data.settings.complexity}-normalized)` } },
          },
          plugins: { legend: { position: 'bottom', title: { display: true, text: 'space | n | min | mean' } } },
        },
      }),
    );
  }

  private setupEdfToggle(): void {
    const box = byId<HTMLDivElement>('edf-mode');
    for (const button of Array.from(box.querySelectorAll('button'))) {
      if (button.dataset.mode === 'normalized' && !this.data.spaces.some((s) => s.normalized)) button.disabled = true;
      button.addEventListener('click', () => {
        for (const b of Array.from(box.querySelectorAll('button'))) b.setAttribute('aria-pressed', String(b === button));
        this.drawEdf(button.dataset.mode === 'normalized' ? 'normalized' : 'plain');
      });
    }
  }

  // Error vs a chosen property: one chart per space, with the bootstrap band and median.
  private setupMetrics(): void {
    const select = byId<HTMLSelectElement>('metric-select');
    const names: string[] = [];
    for (const s of this.data.spaces) for (const t of okTrials(s)) for (const k of Object.keys(t.metrics)) if (!names.includes(k)) names.push(k);
    for (const k of names) select.append(el('option', { value: k }, k === 'efit' ? 'e_fit' : k));
    const initial = names.includes(this.data.settings.complexity) ? this.data.settings.complexity : names[0];
    if (initial !== undefined) select.value = initial;
    select.addEventListener('change', () => this.drawScatters(select.value));
    if (initial !== undefined) this.drawScatters(initial);
  }

  private drawScatters(metric: string): void {
    const grid = byId<HTMLDivElement>('scatter-grid');
    for (const id of Array.from(this.charts.keys())) if (id.startsWith('scatter:')) this.charts.get(id)?.destroy(), this.charts.delete(id);
    grid.replaceChildren();
    this.data.spaces.forEach((s, i) => {
      const ok = okTrials(s).filter((t) => metric in t.metrics);
      if (ok.length === 0) return;
      const range = s.bestRanges[metric];
      const box = el('div', { class: 'chart small' });
      const canvas = el('canvas', { id: `scatter-${i}` });
      box.append(canvas);
      grid.append(box);
      const title = range ? `${s.name}: best ${metricText(metric, range.median)} [${metricText(metric, range.lo)}, ${metricText(metric, range.hi)}]` : s.name;
      this.put(
        `scatter:${s.name}`,
        () =>
          new Chart(canvas, {
          type: 'scatter',
          data: {
            datasets: [
              {
                label: s.name,
                data: ok.map((t) => ({ x: t.metrics[metric], y: t.error as number })),
                borderColor: seriesColor(i),
                backgroundColor: seriesColor(i),
                pointRadius: ok.length > 200 ? 2 : 3.5,
              },
            ],
          },
          options: {
            scales: {
              x: { title: { display: true, text: metric === 'efit' ? 'e_fit' : metric }, ticks: { callback: (v) => metricText(metric, Number(v)) } },
              y: { title: { display: true, text: 'error (%)' } },
            },
            onClick: (_e, elements) => {
              if (elements.length > 0) this.selectTrial(trialKey(ok[elements[0].index]));
            },
            plugins: {
              legend: { display: false },
              tooltip: {
                callbacks: {
                  label: (item) => {
                    const t = ok[item.dataIndex];
                    return `${t.space} #${t.index}: ${fixed(t.error)}%, ${metric} ${metricText(metric, t.metrics[metric])}`;
                  },
                },
              },
              title: { display: true, text: title },
              bestRange: range ? { lo: range.lo, hi: range.hi, median: range.median } : null,
            },
          },
        }),
      );
    });
  }

  // Width per block of one model, its fitted (or own) quantized widths and the line u_j.
  private setupModels(): void {
    const select = byId<HTMLSelectElement>('model-select');
    for (const s of this.data.spaces) {
      const group = el('optgroup', { label: s.name });
      for (const t of s.trials) {
        if (t.blockWidths.length === 0) continue;
        const what = t.error !== null ? `${t.error.toFixed(2)}%` : t.status;
        group.append(el('option', { value: trialKey(t) }, `${s.name} #${t.index} (${what})`));
      }
      if (group.childElementCount > 0) select.append(group);
    }
    select.addEventListener('change', () => this.selectTrial(select.value));
    const ranked = this.trials.filter((t) => t.error !== null && t.blockWidths.length > 0).sort((a, b) => (a.error as number) - (b.error as number));
    const first = ranked[0] ?? this.trials.find((t) => t.blockWidths.length > 0);
    if (first) this.selectTrial(trialKey(first));
  }

  /** Shows a trial in the width chart and marks it in the select and the table. */
  selectTrial(key: string): void {
    const t = this.trials.find((x) => trialKey(x) === key);
    if (!t || t.blockWidths.length === 0) return;
    byId<HTMLSelectElement>('model-select').value = key;
    for (const row of Array.from(document.querySelectorAll<HTMLTableRowElement>('#trials tbody tr'))) row.classList.toggle('selected', row.dataset.key === key);
    const color = seriesColor(this.spaceIndex.get(t.space) ?? 0);
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
      const muted = cssVar('--dslab-muted', '#656d76');
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
          borderColor: cssVar('--dslab-accent', '#0969da'),
          backgroundColor: cssVar('--dslab-accent', '#0969da'),
          borderDash: [2, 3],
          borderWidth: 1.5,
          pointRadius: 0,
        },
      );
    }
    const all = [...t.blockWidths, ...(t.line ? [...t.line.predicted, ...t.line.continuous] : [])].filter((w) => w > 0);
    const lo = Math.pow(2, Math.floor(Math.log2(Math.min(...all))));
    const hi = Math.pow(2, Math.ceil(Math.log2(Math.max(...all))));
    this.put(
      'widths',
      () =>
        new Chart(byId<HTMLCanvasElement>('width-chart'), {
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
            y: {
              type: 'logarithmic',
              min: lo,
              max: hi,
              title: { display: true, text: 'width (log2)' },
              afterBuildTicks: (axis) => {
                const ticks = [];
                for (let v = lo; v <= hi; v *= 2) ticks.push({ value: v });
                axis.ticks = ticks;
              },
              ticks: { callback: (v) => String(v) },
            },
          },
          plugins: { legend: { position: 'bottom' }, stageStarts: t.stageStarts },
        },
      }),
    );
    byId<HTMLParagraphElement>('width-caption').textContent = caption(t);
  }

  // Test error per epoch of the best and worst ok trials of the sweep.
  private drawCurves(): void {
    const ranked = this.trials.filter((t) => t.error !== null && t.epochs.length > 0).sort((a, b) => (a.error as number) - (b.error as number));
    const k = Math.min(3, Math.ceil(ranked.length / 2));
    const picked = [...ranked.slice(0, k).map((t) => ({ t, kind: 'best' })), ...ranked.slice(Math.max(k, ranked.length - k)).map((t) => ({ t, kind: 'worst' }))];
    const datasets: ChartDataset<'line'>[] = picked.map(({ t, kind }) => {
      const color = seriesColor(this.spaceIndex.get(t.space) ?? 0);
      return {
        label: `${kind}: ${t.space} #${t.index} (${fixed(t.error)}%)`,
        data: t.epochs.filter((e) => e.testError !== null).map((e) => ({ x: e.epoch, y: e.testError as number })),
        borderColor: color,
        backgroundColor: color,
        borderDash: kind === 'worst' ? [6, 4] : [],
        pointRadius: 3,
      };
    });
    this.put(
      'curves',
      () =>
        new Chart(byId<HTMLCanvasElement>('curve-chart'), {
        type: 'line',
        data: { datasets },
        options: {
          parsing: false,
          scales: { x: { type: 'linear', title: { display: true, text: 'epoch' }, ticks: { precision: 0 } }, y: { title: { display: true, text: 'test error (%)' } } },
          plugins: { legend: { position: 'bottom' } },
        },
      }),
    );
  }

  // Expected best error of m random models, with ±2 std as the tooltip says.
  private drawSearch(): void {
    const datasets: ChartDataset<'scatter'>[] = this.data.spaces
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
    this.put(
      'search',
      () =>
        new Chart(byId<HTMLCanvasElement>('search-chart'), {
        type: 'scatter',
        data: { datasets },
        options: {
          scales: {
            x: { type: 'logarithmic', title: { display: true, text: 'models drawn m' }, afterBuildTicks: (axis) => {
              const ticks = [];
              for (let m = 1; m <= axis.max; m *= 2) ticks.push({ value: m });
              axis.ticks = ticks;
            }, ticks: { callback: (v) => String(v) } },
            y: { title: { display: true, text: 'best error of m (%)' } },
          },
          plugins: { legend: { position: 'bottom' } },
        },
      }),
    );
  }

  // The trials table: sortable by any column; a click selects the trial in the width chart.
  private drawTable(): void {
    const columns: { name: string; value: (t: TrialSummary) => number | string | null; text?: (t: TrialSummary) => string }[] = [
      { name: 'space', value: (t) => t.space },
      { name: '#', value: (t) => t.index },
      { name: 'status', value: (t) => t.status },
      { name: 'error', value: (t) => t.error, text: (t) => fixed(t.error) },
      { name: 'flops', value: (t) => t.flops, text: (t) => count(t.flops) },
      { name: 'params', value: (t) => t.params, text: (t) => count(t.params) },
      { name: 'acts', value: (t) => t.acts, text: (t) => count(t.acts) },
      { name: 'depth', value: (t) => t.metrics.depth ?? null },
      { name: 'e_fit', value: (t) => t.line?.efit ?? null, text: (t) => fixed(t.line?.efit, 3) },
      { name: 'epochs', value: (t) => t.epochs.length },
      { name: 'seconds', value: (t) => t.wallSeconds, text: (t) => t.wallSeconds.toFixed(0) },
      { name: 'note', value: (t) => t.note ?? '' },
    ];
    const table = byId<HTMLTableElement>('trials');
    const head = el('tr');
    const body = el('tbody');
    let sortBy = 3;
    let ascending = true;
    const render = (): void => {
      const col = columns[sortBy];
      const rows = this.trials.slice().sort((a, b) => {
        const x = col.value(a);
        const y = col.value(b);
        if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1; // empty cells last either way
        const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return ascending ? c : -c;
      });
      const selected = byId<HTMLSelectElement>('model-select').value;
      body.replaceChildren(
        ...rows.map((t) => {
          const tr = el('tr', { 'data-key': trialKey(t) });
          if (trialKey(t) === selected) tr.classList.add('selected');
          for (const c of columns) {
            const td = el('td', {}, c.text ? c.text(t) : String(c.value(t) ?? '–'));
            if (c.name === 'status') td.className = `status-${t.status}`;
            tr.append(td);
          }
          tr.addEventListener('click', () => this.selectTrial(trialKey(t)));
          return tr;
        }),
      );
      Array.from(head.children).forEach((th, i) => th.setAttribute('aria-sort', i === sortBy ? (ascending ? 'ascending' : 'descending') : 'none'));
    };
    columns.forEach((c, i) => {
      const th = el('th', { scope: 'col' }, c.name);
      th.addEventListener('click', () => {
        ascending = sortBy === i ? !ascending : true;
        sortBy = i;
        render();
      });
      head.append(th);
    });
    table.replaceChildren(el('thead'), body);
    (table.tHead as HTMLTableSectionElement).append(head);
    render();
  }
}

function caption(t: TrialSummary): string {
  const parts = [`${t.space} #${t.index}`, t.error !== null ? `error ${t.error.toFixed(2)}%` : t.status, `flops ${count(t.flops)}`, `params ${count(t.params)}`, `acts ${count(t.acts)}`, `d = ${t.blockWidths.length}`];
  const starts = [...t.stageStarts, t.blockWidths.length];
  const depths = t.stageStarts.map((start, i) => starts[i + 1] - start);
  if (depths.length > 0) parts.push(`d_i = [${depths.join(', ')}]`, `w_i = [${t.stageStarts.map((start) => t.blockWidths[start]).join(', ')}]`);
  const m = t.metrics;
  if ('g' in m) parts.push(`g = ${m.g}`, `b = ${m.b}`);
  if (t.line) {
    const what = t.line.source === 'fit' ? 'quantized linear fit' : 'RegNet';
    parts.push(`${what}: w0 = ${t.line.w0}, wa = ${t.line.wa}, wm = ${t.line.wm}, e_fit = ${t.line.efit.toFixed(3)}`);
  }
  return parts.join(' · ');
}

function main(): void {
  const script = document.getElementById('dslab-data');
  if (!script?.textContent) throw new Error('the report page holds no analysis data');
  const report = new Report(JSON.parse(script.textContent) as SweepAnalysis);
  report.draw();
  (window as unknown as { dslabReport: Report }).dslabReport = report;
}

try {
  main();
} catch (err) {
  console.error(`report: ${(err as Error).message}`);
  throw err;
}
