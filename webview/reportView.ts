/**
 * The analysis views of a sweep (EDFs, error vs property, block widths, training curves, random
 * search, trials table) on a page with the report's sections (reportSectionsHtml in
 * src/core/analysis/reportHtml.ts). The static report draws one analysis; the Results panel
 * hands it every new one, and the charts update in place keeping the user's choices.
 * Selecting a trial in any view selects it in all of them. The views draw the panel's form of
 * the analysis (panelData.ts): the details of a trial (widths, curves) may come later than its
 * row, and a view that lacks some asks for them (`onNeedDetails`) and draws them when they come.
 */
import type { Chart } from 'chart.js';
import { allTrials, blankViewState, curveEndsOf, errorOrder, findTrial, metricNames, hasNormalized, reduceViewState, splitChoices, trialKey, type ViewAction, type ViewState } from '../src/core/analysis/panelState';
import type { DetailedTrial, PanelAnalysis, TrialDetail, TrialRow } from '../src/core/analysis/panelData';
import { splitAnalysis, type SplitAnalysis } from '../src/core/analysis/split';
import { TREND_BINS, trendAnalysis } from '../src/core/analysis/trend';
import { bandCaption, curvePicks, curvesByStep, curvesChart, edfChart, scatterChart, searchCaption, searchChart, splitChart, trendChart, widthChart } from './charts';
import { ChartSet } from './chartSet';
import { setOptions, type Checkbox, type SingleSelect } from './controls';
import { byId, el } from './dom';
import { caption, metricLabel, trialLabel } from './format';
import { registerCharts } from './plugins';
import { TrialTable } from './table';
import { applyTheme, seriesColor } from './theme';
import { count } from '../src/core/presentation/counts';

/** The split select's value for "no split". */
const NO_SPLIT = '';

/** Most models the model select lists: beyond, the lowest errors (and the selected one); the table and the charts reach the others. */
export const MODEL_OPTIONS = 200;

export interface ReportViewEvents {
  /** The user selected a trial. */
  onSelect?: (trial: TrialRow) => void;
  /** The user asked to open a trial (double click in the table). */
  onOpen?: (trial: TrialRow) => void;
  /** Any choice changed (for saving it). */
  onState?: (state: ViewState) => void;
  /** A view needs the details of these trials (`space/index`), which the analysis did not bring. */
  onNeedDetails?: (keys: string[]) => void;
}

export class ReportView {
  private readonly set = new ChartSet();
  private analysis: PanelAnalysis | undefined;
  private readonly details = new Map<string, TrialDetail>();
  /** Details asked for and not come yet. */
  private readonly asked = new Set<string>();
  private table: TrialTable;
  state: ViewState;

  constructor(
    private readonly events: ReportViewEvents = {},
    initial?: ViewState,
  ) {
    registerCharts();
    this.state = initial ?? blankViewState();
    this.table = new TrialTable(byId<HTMLTableElement>('trials'), (key) => this.select(key, true), (key) => {
      const t = this.analysis && findTrial(this.analysis, key);
      if (t) this.events.onOpen?.(t);
    });
    // The charts by keyboard: focus one (Tab), then the arrows step through the trials in error
    // order (the order of their EDF steps), Home and End go to the best and worst; the selection
    // follows in every view, the trials table included.
    document.addEventListener('keydown', (e) => {
      const canvas = e.target instanceof HTMLCanvasElement ? e.target : undefined;
      if (!canvas || !this.analysis) return;
      const order = errorOrder(this.analysis);
      if (order.length === 0) return;
      const at = order.findIndex((t) => trialKey(t) === this.state.selected);
      const to: Record<string, number> = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: order.length - 1 };
      if (!(e.key in to)) return;
      e.preventDefault();
      this.select(trialKey(order[Math.max(0, Math.min(order.length - 1, at < 0 ? 0 : to[e.key]))]), true);
    });
    byId<Checkbox>('edf-normalized').addEventListener('change', (e) => {
      this.dispatch({ type: 'normalized', value: (e.currentTarget as Checkbox).checked, analysis: this.current() });
      this.drawEdf();
    });
    byId<Checkbox>('edf-band').addEventListener('change', (e) => {
      this.dispatch({ type: 'band', value: (e.currentTarget as Checkbox).checked });
      this.drawEdf();
    });
    byId<SingleSelect>('metric-select').addEventListener('change', (e) => {
      this.dispatch({ type: 'metric', metric: (e.currentTarget as SingleSelect).value, analysis: this.current() });
      this.drawScatters();
      this.drawSplit();
    });
    byId<SingleSelect>('model-select').addEventListener('change', (e) => this.select((e.currentTarget as SingleSelect).value, true));
    byId<SingleSelect>('split-select').addEventListener('change', (e) => {
      const value = (e.currentTarget as SingleSelect).value;
      this.dispatch({ type: 'split', key: value === NO_SPLIT ? null : value, analysis: this.current() });
      this.drawSplit();
    });
  }

  /** Every drawn chart by id. */
  get charts(): Map<string, Chart> {
    return this.set.charts;
  }

  /** Draws an analysis with the details it brings: the first one from the initial state, later ones keeping every choice they can still show. */
  show(analysis: PanelAnalysis, details: readonly TrialDetail[]): void {
    this.analysis = analysis;
    this.details.clear();
    this.asked.clear();
    for (const d of details) this.details.set(trialKey(d), d);
    this.dispatch({ type: 'analysis', analysis });
    this.redraw();
  }

  /** Details that came after the analysis: the views that wait for them draw them. */
  addDetails(details: readonly TrialDetail[]): void {
    for (const d of details) {
      const key = trialKey(d);
      this.asked.delete(key);
      if (this.analysis && findTrial(this.analysis, key)) this.details.set(key, d);
    }
    if (this.analysis) this.drawSelection();
  }

  /** A trial with its details, if they are at hand. */
  private detailed(t: TrialRow): DetailedTrial | undefined {
    const d = this.details.get(trialKey(t));
    return d ? { ...t, ...d } : undefined;
  }

  /** Asks once for the details of the trials that lack them. */
  private need(trials: readonly TrialRow[]): void {
    const keys = trials.map(trialKey).filter((k) => !this.details.has(k) && !this.asked.has(k));
    if (keys.length === 0) return;
    for (const k of keys) this.asked.add(k);
    this.events.onNeedDetails?.(keys);
  }

  /** Draws everything again from the current analysis and theme (after a theme change). */
  redraw(): void {
    if (!this.analysis) return;
    applyTheme();
    this.drawControls();
    this.drawEdf();
    this.drawScatters();
    this.drawSplit();
    this.drawSelection();
    this.set.put('search', byId<HTMLCanvasElement>('search-chart'), searchChart(this.analysis));
    byId<HTMLParagraphElement>('search-caption').textContent = searchCaption(this.analysis);
    this.table.show(allTrials(this.analysis), this.state.selected);
  }

  /** Selects a trial (`space/index`) in every view; `byUser` also tells the listeners. */
  select(key: string, byUser = false): void {
    if (!this.analysis) return;
    const before = this.state.selected;
    this.dispatch({ type: 'select', key, analysis: this.analysis });
    if (this.state.selected !== key) return; // not a trial that can be selected
    if (before !== key) {
      this.drawSelection();
      this.drawEdf();
      this.drawScatters();
    }
    const t = findTrial(this.analysis, key);
    if (byUser && t) this.events.onSelect?.(t);
  }

  /** Records the page's scroll position in the state. */
  scrolled(y: number): void {
    this.dispatch({ type: 'scroll', y });
  }

  private current(): PanelAnalysis {
    if (!this.analysis) throw new Error('no analysis drawn yet');
    return this.analysis;
  }

  private dispatch(action: ViewAction): void {
    const next = reduceViewState(this.state, action);
    if (next === this.state) return;
    this.state = next;
    this.events.onState?.(next);
  }

  private drawControls(): void {
    const a = this.current();
    const normalized = byId<Checkbox>('edf-normalized');
    normalized.label = `${a.settings.complexity}-normalized`;
    normalized.disabled = !hasNormalized(a);
    normalized.checked = this.state.normalized;
    byId<Checkbox>('edf-band').checked = this.state.band === true;
    byId('edf-band-caption').textContent = this.state.band ? bandCaption(a, this.state.normalized) : '';
    setOptions(byId<SingleSelect>('metric-select'), metricNames(a).map((k) => [k, metricLabel(k)]), this.state.metric);
    setOptions(byId<SingleSelect>('split-select'), [[NO_SPLIT, 'none'], ...splitChoices(a).map((k): [string, string] => [k, metricLabel(k)])], this.state.split ?? NO_SPLIT);
    let models = allTrials(a).filter((t) => t.blocks > 0);
    const all = models.length;
    if (all > MODEL_OPTIONS) {
      // 25,000 options would take the select seconds: the lowest errors, in the usual order, and the selected one.
      const kept = new Set(errorOrder(a).filter((t) => t.blocks > 0).slice(0, MODEL_OPTIONS - 1));
      models = models.filter((t) => kept.has(t) || trialKey(t) === this.state.selected);
    }
    setOptions(byId<SingleSelect>('model-select'), models.map((t) => [trialKey(t), trialLabel(t)]), this.state.selected);
    byId('model-caption').textContent = models.length < all ? `the ${MODEL_OPTIONS - 1} lowest errors of ${count(all, 'model')} and the selected one; select any other in the table or a chart` : '';
  }

  private drawEdf(): void {
    byId('edf-band-caption').textContent = this.state.band ? bandCaption(this.current(), this.state.normalized) : '';
    this.set.put('edf', byId<HTMLCanvasElement>('edf-chart'), edfChart(this.current(), this.state, (key) => this.select(key, true)));
  }

  // One chart per space with ok trials; a space's canvas is kept across updates.
  private drawScatters(): void {
    const a = this.current();
    const metric = this.state.metric;
    const grid = byId<HTMLDivElement>('scatter-grid');
    const wanted = new Set<string>();
    if (metric !== null) {
      a.spaces.forEach((s, i) => {
        const config = scatterChart(a, i, metric, this.state, (key) => this.select(key, true));
        if (!config) return;
        const id = `scatter:${s.name}`;
        wanted.add(id);
        let canvas = grid.querySelector<HTMLCanvasElement>(`canvas[data-space="${CSS.escape(s.name)}"]`);
        if (!canvas) {
          canvas = el('canvas', { 'data-space': s.name });
          const box = el('div', { class: 'chart small' });
          box.append(canvas);
          grid.append(box);
        }
        canvas.setAttribute('role', 'img');
        canvas.tabIndex = 0;
        canvas.setAttribute('aria-label', `${s.name}: error against ${metric}, one point per trial (the trials table lists them)`);
        this.set.put(id, canvas, config);
      });
    }
    for (const id of this.set.idsWith('scatter:')) {
      if (wanted.has(id)) continue;
      this.set.charts.get(id)?.canvas.parentElement?.remove();
      this.set.remove(id);
    }
  }

  /**
   * The split by the chosen property (its EDFs and findings) and the trends across complexity of
   * the chosen property (with each group's median error per bin when there is a split).
   */
  private drawSplit(): void {
    const a = this.current();
    let split: SplitAnalysis | undefined;
    if (this.state.split !== undefined) {
      try {
        split = splitAnalysis(a, [this.state.split]);
      } catch {
        split = undefined; // a property no ok trial has any more
      }
    }
    byId('split-box').hidden = split === undefined;
    if (split) this.set.put('split', byId<HTMLCanvasElement>('split-chart'), splitChart(split));
    else this.set.remove('split');
    byId('split-findings').replaceChildren(...(split?.findings ?? []).map((f) => el('li', {}, f)));

    const metric = this.state.metric;
    // Only what is drawn: the chosen property's ranges; none when it is the complexity (the bins' axis) and nothing is split.
    const trends = split || (metric !== null && metric !== a.settings.complexity) ? trendAnalysis(a, { split, metrics: metric === null ? [] : [metric] }) : [];
    const withRanges = metric !== null && trends.some((t) => t.bins.some((b) => metric in b.bestRanges));
    byId('trend-caption').textContent =
      metric === null
        ? ''
        : metric === a.settings.complexity
          ? `the ${metric} bins are the axis here: choose another property above to see how its best range moves with ${metric}`
          : withRanges
          ? `best ${metricLabel(metric)} (the property chosen above) in ${TREND_BINS} ${a.settings.complexity} bins of equal counts per space: line, the bootstrap median; shaded, its 95% range`
          : `no best ${metricLabel(metric)} per ${a.settings.complexity} bin yet: a bin needs enough ok trials for a bootstrap`;
    if (metric !== null && withRanges) this.set.put('trend', byId<HTMLCanvasElement>('trend-chart'), trendChart(trends, metric, a.spaces.map((s) => s.name)));
    else this.set.remove('trend');
    const table = byId<HTMLTableElement>('trend-groups');
    if (!split) {
      table.replaceChildren();
      return;
    }
    const bins = Math.max(0, ...trends.map((t) => t.bins.length));
    const head = el('tr', {}, ...['space', 'group', ...Array.from({ length: bins }, (_, k) => `${a.settings.complexity} bin ${k + 1}`)].map((h) => el('th', {}, h)));
    const rows = trends.flatMap((t) =>
      split.groups
        .filter((g) => t.bins.some((b) => (b.groups?.find((x) => x.label === g.label)?.n ?? 0) > 0))
        .map((g) =>
          el('tr', {}, el('td', {}, t.space), el('td', {}, g.label), ...t.bins.map((b) => {
            const cell = b.groups?.find((x) => x.label === g.label);
            return el('td', {}, cell && cell.median !== null ? `${cell.median.toFixed(1)}% (n = ${cell.n})` : '–');
          })),
        ),
    );
    table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
  }

  private drawSelection(): void {
    const a = this.current();
    const spaceIndex = new Map(a.spaces.map((s, i) => [s.name, i]));
    const colorOf = (t: TrialRow): string => seriesColor(spaceIndex.get(t.space) ?? 0);
    const t = this.state.selected === null ? undefined : findTrial(a, this.state.selected);
    if (t && t.blocks > 0) {
      const d = this.detailed(t);
      if (d) {
        this.set.put('widths', byId<HTMLCanvasElement>('width-chart'), widthChart(d, colorOf(t)));
        byId<HTMLParagraphElement>('width-caption').textContent = caption(d);
      } else {
        byId<HTMLParagraphElement>('width-caption').textContent = `${trialLabel(t)}: reading its widths…`;
        this.need([t]);
      }
      const select = byId<SingleSelect>('model-select');
      if (select.value !== trialKey(t)) {
        if (!select.querySelector(`vscode-option[value="${CSS.escape(trialKey(t))}"]`)) this.drawControls(); // a model the capped list lacks
        select.value = trialKey(t);
      }
    }
    const trials = allTrials(a);
    const picks = curvePicks(trials, curveEndsOf(a), this.state.selected);
    this.need(picks.map((p) => p.t));
    this.set.put('curves', byId<HTMLCanvasElement>('curve-chart'), curvesChart(trials, picks, (x) => this.detailed(x), this.state, colorOf, (key) => this.select(key, true)));
    byId<HTMLParagraphElement>('curve-caption').textContent = curvesByStep(trials)
      ? 'training loss per step (each trial has one epoch, so one test error: its loss shows how it learned); best and worst of all spaces, dashed: worst'
      : 'test error per epoch; best and worst of all spaces, dashed: worst';
    this.table.select(this.state.selected);
  }
}
