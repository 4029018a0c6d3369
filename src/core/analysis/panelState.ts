/**
 * What the user chose in the analysis views (selected trial, property of the scatter charts,
 * plain or normalized EDFs, scroll position) and how it follows a new analysis: a reducer that
 * the Results panel and the static report share, and the panel saves with the webview's state.
 * Pure TypeScript, no DOM.
 */
import { splitKeys } from './split';
import { curveEnds, rankedByError, trialKey, type PanelAnalysis, type PanelSpace, type TrialRow } from './panelData';

export { trialKey };

export interface ViewState {
  /** The space file whose sweep the panel shows (a URI string), for restoring after a reload. */
  file?: string;
  /** Selected trial, `space/index`; null when there is none to select. */
  selected: string | null;
  /** Whether the user chose `selected`; until then it follows the best trial as trials finish. */
  chosen?: boolean;
  /** Property on the x axis of the error-vs-property charts; null before any ok trial. */
  metric: string | null;
  /** EDFs weighted to a uniform complexity distribution. */
  normalized: boolean;
  /** Each EDF with its simultaneous confidence band (DKW). */
  band?: boolean;
  /** The property the ok trials are split by (one EDF per value); absent: no split. */
  split?: string;
  /** Vertical scroll of the page, in CSS pixels. */
  scroll: number;
}

export type ViewAction =
  | { type: 'analysis'; analysis: PanelAnalysis }
  | { type: 'select'; key: string; analysis: PanelAnalysis }
  | { type: 'metric'; metric: string; analysis: PanelAnalysis }
  | { type: 'normalized'; value: boolean; analysis: PanelAnalysis }
  | { type: 'band'; value: boolean }
  | { type: 'split'; key: string | null; analysis: PanelAnalysis }
  | { type: 'scroll'; y: number };

/** Ok trials with an error: the points of the EDF and scatter charts. */
export const okTrials = (s: PanelSpace): TrialRow[] => s.trials.filter((t) => t.status === 'ok' && t.error !== null);

/**
 * What the views ask of an analysis on every change, worked out once per analysis: a large sweep
 * has 25,000 trials to go through.
 */
interface Derived {
  all?: TrialRow[];
  byKey?: Map<string, TrialRow>;
  metricNames?: string[];
  splitKeys?: string[];
  ends?: { best: TrialRow[]; worst: TrialRow[] };
  errorOrder?: TrialRow[];
}
const derived = new WeakMap<PanelAnalysis, Derived>();

function once<K extends keyof Derived>(a: PanelAnalysis, key: K, make: () => NonNullable<Derived[K]>): NonNullable<Derived[K]> {
  let d = derived.get(a);
  if (!d) derived.set(a, (d = {}));
  return (d[key] ??= make()) as NonNullable<Derived[K]>;
}

/** Every trial of the analysis, space by space (do not change the array). */
export const allTrials = (a: PanelAnalysis): readonly TrialRow[] => once(a, 'all', () => a.spaces.flatMap((s) => s.trials));

/** The trial a key names, if the analysis has it. */
export function findTrial(a: PanelAnalysis, key: string): TrialRow | undefined {
  return once(a, 'byKey', () => new Map(allTrials(a).map((t) => [trialKey(t), t]))).get(key);
}

/** The trials whose training curves are drawn (curveEnds). */
export const curveEndsOf = (a: PanelAnalysis): { best: readonly TrialRow[]; worst: readonly TrialRow[] } => once(a, 'ends', () => curveEnds(errorOrder(a)));

/** The properties a split can be by (splitKeys), in a stable order. */
export const splitChoices = (a: PanelAnalysis): readonly string[] => once(a, 'splitKeys', () => splitKeys(a));

/** The trials that can be selected: those with block widths to draw. */
const selectable = (a: PanelAnalysis): TrialRow[] => allTrials(a).filter((t) => t.blocks > 0);

/** The trial selected when the user chose none: the lowest error, else the first with widths. */
export function defaultSelection(a: PanelAnalysis): string | null {
  const candidates = selectable(a);
  let best: TrialRow | undefined;
  for (const t of candidates) {
    if (t.error !== null && (best === undefined || t.error < (best.error as number) || (t.error === best.error && t.index < best.index))) best = t;
  }
  const first = best ?? candidates[0];
  return first ? trialKey(first) : null;
}

/** The ok trials in error order (ties in analysis order): the order a chart's arrows step through. */
export const errorOrder = (a: PanelAnalysis): readonly TrialRow[] => once(a, 'errorOrder', () => rankedByError(allTrials(a)));

/** Properties the ok trials have, in first-seen order: the choices of the scatter charts. */
export function metricNames(a: PanelAnalysis): readonly string[] {
  return once(a, 'metricNames', () => {
    const names = new Set<string>();
    for (const s of a.spaces) for (const t of okTrials(s)) for (const k in t.metrics) names.add(k);
    return [...names];
  });
}

/** The sweep's complexity metric when the trials have it, else the first property, else null. */
export function defaultMetric(a: PanelAnalysis): string | null {
  const names = metricNames(a);
  return names.includes(a.settings.complexity) ? a.settings.complexity : (names[0] ?? null);
}

/** Whether any space has a normalized EDF to show. */
export const hasNormalized = (a: PanelAnalysis): boolean => a.spaces.some((s) => s.normalized !== null);

/**
 * The ok trial of `space` behind a point of its EDF at error `x`: the one with that error (the
 * lowest index among ties), or undefined when the point is the curve's start or no trial has it.
 */
export function trialAtError(space: PanelSpace, x: number): TrialRow | undefined {
  const hits = okTrials(space).filter((t) => Math.abs((t.error as number) - x) < 1e-9);
  return hits.sort((a, b) => a.index - b.index)[0];
}

/** The state before any analysis and any choice; the first analysis fills in the defaults. */
export function blankViewState(file?: string): ViewState {
  return { ...(file !== undefined ? { file } : {}), selected: null, metric: null, normalized: false, scroll: 0 };
}

/**
 * The next state. A new analysis keeps every choice it can still show: the trial the user
 * selected while it exists (else, and before any choice, the best trial), the metric while some trial has it, normalized while some space
 * has a normalized EDF. A choice the analysis cannot show is ignored.
 */
export function reduceViewState(state: ViewState, action: ViewAction): ViewState {
  switch (action.type) {
    case 'analysis': {
      const a = action.analysis;
      const keep = state.chosen === true && state.selected !== null && (findTrial(a, state.selected)?.blocks ?? 0) > 0;
      const selected = keep ? state.selected : defaultSelection(a);
      const metric = state.metric !== null && metricNames(a).includes(state.metric) ? state.metric : defaultMetric(a);
      const { split: _split, ...rest } = state;
      const split = state.split !== undefined && splitChoices(a).includes(state.split) ? { split: state.split } : {};
      return { ...rest, selected, ...(keep ? {} : { chosen: false }), metric, normalized: state.normalized && hasNormalized(a), ...split };
    }
    case 'select':
      return (findTrial(action.analysis, action.key)?.blocks ?? 0) > 0 ? { ...state, selected: action.key, chosen: true } : state;
    case 'metric':
      return metricNames(action.analysis).includes(action.metric) ? { ...state, metric: action.metric } : state;
    case 'normalized':
      return { ...state, normalized: action.value && hasNormalized(action.analysis) };
    case 'band':
      return { ...state, band: action.value };
    case 'split': {
      const { split: _split, ...rest } = state;
      if (action.key === null) return rest;
      return splitChoices(action.analysis).includes(action.key) ? { ...rest, split: action.key } : state;
    }
    case 'scroll':
      return Number.isFinite(action.y) && action.y >= 0 ? { ...state, scroll: action.y } : state;
  }
}

/** A saved state read back (from the webview's getState): the parts that check out, or undefined. */
export function restoreViewState(x: unknown): ViewState | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const s = x as Record<string, unknown>;
  return {
    ...(typeof s.file === 'string' ? { file: s.file } : {}),
    selected: typeof s.selected === 'string' ? s.selected : null,
    chosen: s.chosen === true,
    metric: typeof s.metric === 'string' ? s.metric : null,
    normalized: s.normalized === true,
    band: s.band === true,
    ...(typeof s.split === 'string' ? { split: s.split } : {}),
    scroll: typeof s.scroll === 'number' && Number.isFinite(s.scroll) && s.scroll >= 0 ? s.scroll : 0,
  };
}
