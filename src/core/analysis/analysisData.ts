/**
 * The analysis of a sweep as data: what analyzeSweep (sweepAnalysis.ts) computes, `dslab analyze
 * --json` prints and the report and the panel draw.
 */
import type { ImportedFrom, TrialEpoch, TrialRecord } from '../results/records';
import type { UnusableRecord } from '../results/store';
import type { ComplexityMetric, DesignSpace, Interval } from '../space/types';
import type { SpaceSize } from '../spaceSize';
import type { EdfBand } from './band';
import type { BestRange } from './bootstrap';
import type { EdfCurve } from './edf';
import type { KsResult } from './ks';
import type { SearchEfficiencyPoint } from './randomSearch';
import type { SequentialState } from './sequential';
import type { QuantizedLinear } from './widthLine';

/** The (w0, wa, wm) line a model's widths follow: its own for a RegNet, the quantized linear fit for an AnyNet. */
export interface WidthLine extends QuantizedLinear {
  /** u_j = w0 + wa·j. */
  continuous: number[];
  /** 'fit' for an AnyNet (found by grid search), 'params' for a RegNet (its own parameters). */
  source: 'fit' | 'params';
}

/** One trial of the sweep, as the report shows it. */
export interface TrialSummary {
  space: string;
  index: number;
  status: TrialRecord['status'];
  /** Final top-1 test error (%); null unless ok. */
  error: number | null;
  flops: number;
  params: number;
  acts: number;
  /** Model properties by name (depth, w0 … or d1, w1 …, flops, params, acts, efit): what the bootstrap ranges describe. */
  metrics: Record<string, number>;
  /** The model's categorical settings: block type and activation (what a split can group by besides the metrics). */
  labels: { block: string; activation: string };
  /** w_j of every block (after the group-width adjustment). */
  blockWidths: number[];
  /** Index of the first block of every stage. */
  stageStarts: number[];
  line: WidthLine | null;
  epochs: TrialEpoch[];
  /** The training loss along the run (see LossCurve); absent in records made before it was kept. */
  lossCurve?: { step: number; loss: number }[];
  wallSeconds: number;
  /** Why a failed trial failed, or where a diverged one diverged. */
  note?: string;
}

/**
 * What the statistics over trials (splits, trends, the views' state) read of a trial: the
 * TrialSummary of the analysis has it, and so has the Results panel's slimmer row.
 */
export type TrialFacts = Pick<TrialSummary, 'space' | 'index' | 'status' | 'error' | 'flops' | 'params' | 'acts' | 'metrics' | 'labels'>;

/** An analysis's settings and its spaces' trials, in whichever form the trials come. */
export interface TrialsBySpace {
  settings: AnalysisSettings;
  spaces: { name: string; trials: TrialFacts[] }[];
}

/** A normalized EDF of one space, or why there is none. */
export interface NormalizedEdf {
  curve: EdfCurve;
  /** Weighted min, mean and median. */
  min: number;
  mean: number;
  median: number;
  /** EDF area up to ε with the complexity weights. */
  area: number | null;
  /** Ok trials whose complexity lies outside the open range (left out). */
  dropped: number;
  binCounts: number[];
  emptyBins: number[];
  /** The weight of every ok trial, in `trials` order of the ok ones. */
  weights: number[];
  /** DKW band at 1 − alpha, from the weights' effective sample size. */
  band: EdfBand;
}

export interface SpaceAnalysis {
  name: string;
  /** anynet or regnet; for an imported space of other models, theirs (resnet, DARTS…). */
  type: DesignSpace['type'] | string;
  /** Trials the sweep plans for this space. */
  planned: number;
  /** Ok trials: the models every statistic below is computed from. */
  n: number;
  failed: number;
  diverged: number;
  /** Planned trials without a usable record yet. */
  missing: number;
  min: number | null;
  mean: number | null;
  median: number | null;
  /** (1/ε)∫_0^ε F(e) de with ε = `settings.epsilon`; higher is better. */
  area: number | null;
  edf: EdfCurve;
  /** DKW band of `edf` at 1 − alpha; null without ok trials. */
  band: EdfBand | null;
  normalized: NormalizedEdf | null;
  /** Why `normalized` is null. */
  normalizedNote?: string;
  /** Bootstrap best range of every metric; empty without ok trials. */
  bestRanges: Record<string, BestRange>;
  /** Why `bestRanges` is empty although there are ok trials (a resample of one model has no best). */
  bestRangesNote?: string;
  searchEfficiency: SearchEfficiencyPoint[];
  /** Spearman rank correlation of error and e_fit over ok trials; null for fewer than 3. */
  efitCorrelation: number | null;
  /** Null for an imported space of other models (its parameters are not ours). */
  size: SpaceSize | null;
  /** Every recorded trial (ok, failed, diverged), by index. */
  trials: TrialSummary[];
}

/** Two spaces compared: differences are b − a of the plain (unweighted) statistics (negative: b has lower error). */
export interface PairComparison {
  a: string;
  b: string;
  ks: KsResult | null;
  /** KS test on the complexity-normalized EDFs; null unless both have one. */
  ksNormalized: KsResult | null;
  /** The test the findings (and a sequential sweep) decide on: normalized when both spaces have one, else plain. */
  basis: 'normalized' | 'plain' | null;
  /** The space with the lower median error on that basis (then mean); null on a tie. */
  better: string | null;
  medianDiff: number | null;
  meanDiff: number | null;
  minDiff: number | null;
}

export interface AnalysisSettings {
  complexity: ComplexityMetric;
  bins: number;
  bootstrap: { resamples: number; fraction: number; seed: number };
  /** Shared complexity range of the normalized EDFs; null when none can be formed. */
  range: Interval | null;
  rangeSource: 'constraint' | 'trials' | 'none';
  /** ε of the EDF areas: the largest ok error over all spaces; null without ok trials. */
  epsilon: number | null;
  /** analysis.alpha: the level of the tests (spent over the rounds of a sequential sweep) and of the bands (1 − alpha). */
  significance: number;
}

export interface SweepAnalysis {
  name: string;
  dir: string;
  settings: AnalysisSettings;
  /** Planned trials, usable records, planned trials still without one, and records that cannot be used. */
  progress: { planned: number; recorded: number; missing: number; unusable: UnusableRecord[] };
  spaces: SpaceAnalysis[];
  comparisons: PairComparison[];
  /** A sequential sweep's rounds and decisions; null for a fixed-size sweep. */
  sequential: SequentialState | null;
  /** Where an imported sweep came from (`dslab import`): its trials were trained elsewhere. */
  imported?: ImportedFrom;
  /** The comparisons and notes in words, most important first. */
  findings: string[];
}
