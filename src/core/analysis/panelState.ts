/**
 * What the user chose in the analysis views (selected trial, property of the scatter charts,
 * plain or normalized EDFs, scroll position) and how it follows a new analysis: a reducer that
 * the Results panel and the static report share, and the panel saves with the webview's state.
 * Pure TypeScript, no DOM.
 */
import { splitKeys } from './split';
import type { SpaceAnalysis, SweepAnalysis, TrialSummary } from './sweepAnalysis';

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
  | { type: 'analysis'; analysis: SweepAnalysis }
  | { type: 'select'; key: string; analysis: SweepAnalysis }
  | { type: 'metric'; metric: string; analysis: SweepAnalysis }
  | { type: 'normalized'; value: boolean; analysis: SweepAnalysis }
  | { type: 'band'; value: boolean }
  | { type: 'split'; key: string | null; analysis: SweepAnalysis }
  | { type: 'scroll'; y: number };

/** A trial's key in every view: `space/index`. */
export const trialKey = (t: { space: string; index: number }): string => `${t.space}/${t.index}`;

/** Ok trials with an error: the points of the EDF and scatter charts. */
export const okTrials = (s: SpaceAnalysis): TrialSummary[] => s.trials.filter((t) => t.status === 'ok' && t.error !== null);

/** Every trial of the analysis, space by space. */
export const allTrials = (a: SweepAnalysis): TrialSummary[] => a.spaces.flatMap((s) => s.trials);

/** The trial a key names, if the analysis has it. */
export function findTrial(a: SweepAnalysis, key: string): TrialSummary | undefined {
  return allTrials(a).find((t) => trialKey(t) === key);
}

/** The trials that can be selected: those with block widths to draw. */
const selectable = (a: SweepAnalysis): TrialSummary[] => allTrials(a).filter((t) => t.blockWidths.length > 0);

/** The trial selected when the user chose none: the lowest error, else the first with widths. */
export function defaultSelection(a: SweepAnalysis): string | null {
  const candidates = selectable(a);
  const ranked = candidates.filter((t) => t.error !== null).sort((x, y) => (x.error as number) - (y.error as number) || x.index - y.index);
  const first = ranked[0] ?? candidates[0];
  return first ? trialKey(first) : null;
}

/** Properties the ok trials have, in first-seen order: the choices of the scatter charts. */
export function metricNames(a: SweepAnalysis): string[] {
  const names: string[] = [];
  for (const s of a.spaces) for (const t of okTrials(s)) for (const k of Object.keys(t.metrics)) if (!names.includes(k)) names.push(k);
  return names;
}

/** The sweep's complexity metric when the trials have it, else the first property, else null. */
export function defaultMetric(a: SweepAnalysis): string | null {
  const names = metricNames(a);
  return names.includes(a.settings.complexity) ? a.settings.complexity : (names[0] ?? null);
}

/** Whether any space has a normalized EDF to show. */
export const hasNormalized = (a: SweepAnalysis): boolean => a.spaces.some((s) => s.normalized !== null);

/**
 * The ok trial of `space` behind a point of its EDF at error `x`: the one with that error (the
 * lowest index among ties), or undefined when the point is the curve's start or no trial has it.
 */
export function trialAtError(space: SpaceAnalysis, x: number): TrialSummary | undefined {
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
      const keep = state.chosen === true && state.selected !== null && selectable(a).some((t) => trialKey(t) === state.selected);
      const selected = keep ? state.selected : defaultSelection(a);
      const metric = state.metric !== null && metricNames(a).includes(state.metric) ? state.metric : defaultMetric(a);
      const { split: _split, ...rest } = state;
      const split = state.split !== undefined && splitKeys(a).includes(state.split) ? { split: state.split } : {};
      return { ...rest, selected, ...(keep ? {} : { chosen: false }), metric, normalized: state.normalized && hasNormalized(a), ...split };
    }
    case 'select':
      return selectable(action.analysis).some((t) => trialKey(t) === action.key) ? { ...state, selected: action.key, chosen: true } : state;
    case 'metric':
      return metricNames(action.analysis).includes(action.metric) ? { ...state, metric: action.metric } : state;
    case 'normalized':
      return { ...state, normalized: action.value && hasNormalized(action.analysis) };
    case 'band':
      return { ...state, band: action.value };
    case 'split': {
      const { split: _split, ...rest } = state;
      if (action.key === null) return rest;
      return splitKeys(action.analysis).includes(action.key) ? { ...rest, split: action.key } : state;
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
