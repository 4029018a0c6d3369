/**
 * Trends across complexity, as the paper's trend figures show them: the ok trials of a space cut
 * into complexity bins of equal counts, and in each bin the bootstrap best range of every model
 * property (is the best depth the same at low and high flops? does the best group width grow?).
 * With a split (`--by`), each bin also shows every group's median error, so that an interaction
 * such as activation × group width can be read across complexity.
 */
import type { AnalysisSettings, TrialFacts, TrialsBySpace } from './analysisData';

import { summarizeErrors } from './edf';
import type { SplitAnalysis } from './split';
import { bestRangesOf, type BestRange } from './bootstrap';

/** Complexity bins per trend unless asked otherwise. */
export const TREND_BINS = 3;

export interface TrendBin {
  /** The bin's complexity range [lo, hi] over its trials (the last bin closed). */
  range: [number, number];
  n: number;
  bestRanges: Record<string, BestRange>;
  /** Why a bin has no best ranges (too few trials per bootstrap resample). */
  bestRangesNote?: string;
  /** With a split: each group's trials in the bin and their median error (null without any). */
  groups?: { label: string; n: number; median: number | null }[];
}

export interface Trend {
  space: string;
  complexity: AnalysisSettings['complexity'];
  bins: TrendBin[];
}

/** Cuts trials into `count` bins of equal counts by complexity (fewer when values repeat). */
function complexityBins(trials: TrialFacts[], metric: AnalysisSettings['complexity'], count: number): TrialFacts[][] {
  const sorted = trials.slice().sort((a, b) => a[metric] - b[metric] || a.index - b.index);
  const bins: TrialFacts[][] = [];
  for (let i = 0; i < count; i++) {
    const part = sorted.slice(Math.floor((i * sorted.length) / count), Math.floor(((i + 1) * sorted.length) / count));
    if (part.length === 0) continue;
    // Equal complexities stay in one bin: move a tie at the boundary back into the previous bin.
    const previous = bins[bins.length - 1];
    while (previous !== undefined && part.length > 0 && part[0][metric] === previous[previous.length - 1][metric]) previous.push(part.shift() as TrialFacts);
    if (part.length > 0) bins.push(part);
  }
  return bins;
}

/**
 * One trend per space with ok trials, over `bins` complexity bins of the analysis's metric. With
 * a split of the same analysis, every bin also reports the split's groups. `metrics`: only these
 * properties get best ranges (a view that shows one need not bootstrap them all).
 */
export function trendAnalysis(analysis: TrialsBySpace, options: { bins?: number; split?: SplitAnalysis; metrics?: readonly string[] } = {}): Trend[] {
  const { settings } = analysis;
  const count = options.bins ?? TREND_BINS;
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`the number of complexity bins must be a positive integer, got ${count}`);
  const out: Trend[] = [];
  for (const space of analysis.spaces) {
    const ok = space.trials.filter((t) => t.status === 'ok' && t.error !== null);
    if (ok.length === 0) continue;
    const bins = complexityBins(ok, settings.complexity, count).map((trials): TrendBin => {
      const errors = trials.map((t) => t.error as number);
      const keys = Object.keys(trials[0].metrics).filter((k) => k !== settings.complexity && (options.metrics?.includes(k) ?? true) && trials.every((t) => k in t.metrics));
      const properties = Object.fromEntries(keys.map((k) => [k, trials.map((t) => t.metrics[k])]));
      const bin: TrendBin = { range: [trials[0][settings.complexity], trials[trials.length - 1][settings.complexity]], n: trials.length, ...bestRangesOf(errors, properties, settings.bootstrap) };
      if (options.split !== undefined) {
        const here = new Map(trials.map((t) => [`${t.space}#${t.index}`, t.error as number]));
        bin.groups = options.split.groups.map((g) => {
          const errors = g.trials.map((t) => here.get(`${t.space}#${t.index}`)).filter((e): e is number => e !== undefined);
          return { label: g.label, n: errors.length, median: errors.length > 0 ? summarizeErrors(errors).median : null };
        });
      }
      return bin;
    });
    out.push({ space: space.name, complexity: settings.complexity, bins });
  }
  return out;
}
