/**
 * The analysis as the Results panel and the HTML report draw it: every statistic as computed,
 * the EDF curves thinned to what a chart can show (drawnPoints.ts), and each trial as a slim
 * row — what the table, the scatter charts, splits and trends read — with its details (block
 * widths, width line, epochs, loss curve) apart, sent for the trials a view shows: all of them
 * for a small sweep, the best, the worst and the selected ones for a large one, others when
 * the user selects them. A 25,000-model sweep then reaches the panel in a few MB instead of 38.
 */
import type { EdfBand } from './band';
import type { EdfCurve } from './edf';
import { stepCurvePoints } from './drawnPoints';
import type { NormalizedEdf, SpaceAnalysis, SweepAnalysis, TrialFacts, TrialSummary } from './analysisData';

/** One trial as the table and the charts of all trials read it. */
export interface TrialRow extends TrialFacts {
  wallSeconds: number;
  note?: string;
  /** Epochs its record holds. */
  epochCount: number;
  /** Points of its training loss curve. */
  lossSteps: number;
  /** Blocks of its model; 0 when it has no width chart (a model that cannot be expanded). */
  blocks: number;
}

/** What a view shows of one selected (or best, or worst) trial beyond its row. */
export type TrialDetail = Pick<TrialSummary, 'space' | 'index' | 'blockWidths' | 'stageStarts' | 'line' | 'epochs' | 'lossCurve'>;

/** A trial with its details: what the width chart, its caption and the training curves draw. */
export type DetailedTrial = TrialRow & TrialDetail;

export interface PanelSpace extends Omit<SpaceAnalysis, 'trials' | 'normalized'> {
  trials: TrialRow[];
  /** The normalized EDF without its per-trial weights, which no view draws. */
  normalized: Omit<NormalizedEdf, 'weights'> | null;
}

/** A SweepAnalysis with slim trials and EDF curves of at most EDF_CHART_POINTS per chart. */
export interface PanelAnalysis extends Omit<SweepAnalysis, 'spaces'> {
  spaces: PanelSpace[];
}

/** Points one EDF chart draws at most, shared among its spaces' curves. */
export const EDF_CHART_POINTS = 4000;
/** Points one scatter chart draws at most. */
export const SCATTER_CHART_POINTS = 3000;
/** Up to this many trials, every trial's details come with the analysis (a small sweep draws as it always did). */
export const DETAILS_UP_FRONT = 500;
/** Trials of each end the training curves show: the best and the worst of all spaces. */
export const CURVE_ENDS = 3;

/** A trial's key in every view: `space/index`. */
export const trialKey = (t: { space: string; index: number }): string => `${t.space}/${t.index}`;

export function trialRowOf(t: TrialSummary): TrialRow {
  const row: TrialRow = {
    space: t.space,
    index: t.index,
    status: t.status,
    error: t.error,
    flops: t.flops,
    params: t.params,
    acts: t.acts,
    metrics: t.metrics,
    labels: t.labels,
    wallSeconds: t.wallSeconds,
    epochCount: t.epochs.length,
    lossSteps: t.lossCurve?.length ?? 0,
    blocks: t.blockWidths.length,
  };
  if (t.note !== undefined) row.note = t.note;
  return row;
}

export function trialDetailOf(t: TrialSummary): TrialDetail {
  const detail: TrialDetail = { space: t.space, index: t.index, blockWidths: t.blockWidths, stageStarts: t.stageStarts, line: t.line, epochs: t.epochs };
  if (t.lossCurve !== undefined) detail.lossCurve = t.lossCurve;
  return detail;
}

/** A step curve and its band (one bound per curve point) at the points `stepCurvePoints` keeps. */
function drawnCurve<B extends EdfBand | null>(curve: EdfCurve, band: B, max: number): { curve: EdfCurve; band: B } {
  if (curve.x.length <= max) return { curve, band };
  const at = stepCurvePoints(curve.x, curve.y, max);
  const pick = (values: number[]): number[] => at.map((k) => values[k]);
  return { curve: { x: pick(curve.x), y: pick(curve.y) }, band: (band === null ? null : { ...band, lower: pick(band.lower), upper: pick(band.upper) }) as B };
}

/** The analysis as the views draw it. */
export function panelAnalysisOf(a: SweepAnalysis): PanelAnalysis {
  const perCurve = Math.floor(EDF_CHART_POINTS / Math.max(1, a.spaces.length));
  return {
    ...a,
    spaces: a.spaces.map((s) => {
      const plain = drawnCurve(s.edf, s.band, perCurve);
      let normalized: PanelSpace['normalized'] = null;
      if (s.normalized) {
        const { weights: _weights, ...rest } = s.normalized;
        const drawn = drawnCurve(s.normalized.curve, s.normalized.band, perCurve);
        normalized = { ...rest, curve: drawn.curve, band: drawn.band };
      }
      return { ...s, edf: plain.curve, band: plain.band, normalized, trials: s.trials.map(trialRowOf) };
    }),
  };
}

/** The trials with an error, lowest first (ties in their order): the order of the EDF steps. */
export function rankedByError<T extends Pick<TrialRow, 'error'>>(trials: readonly T[]): T[] {
  return trials.filter((t) => t.error !== null).sort((a, b) => (a.error as number) - (b.error as number));
}

/** Trials whose training curves the curves chart draws: the best and the worst of all spaces with epochs, from trials `rankedByError`. */
export function curveEnds<T extends Pick<TrialRow, 'error' | 'epochCount'>>(ranked: readonly T[]): { best: T[]; worst: T[] } {
  const drawn = ranked.filter((t) => t.epochCount > 0);
  const k = Math.min(CURVE_ENDS, Math.ceil(drawn.length / 2));
  return { best: drawn.slice(0, k), worst: drawn.slice(Math.max(k, drawn.length - k)) };
}

/**
 * The keys of the trials whose details come with the analysis: every trial of a small sweep;
 * of a large one the ends of the training curves and the given selections (the default one
 * and the user's).
 */
export function detailKeysUpFront(trials: readonly TrialRow[], selected: readonly (string | null | undefined)[]): string[] {
  if (trials.length <= DETAILS_UP_FRONT) return trials.map(trialKey);
  const { best, worst } = curveEnds(rankedByError(trials));
  const known = new Set(trials.map(trialKey));
  const keys = new Set([...best, ...worst].map(trialKey));
  for (const key of selected) if (typeof key === 'string' && known.has(key)) keys.add(key);
  return [...keys];
}
