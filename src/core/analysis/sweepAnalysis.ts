/**
 * The analysis of a sweep (reference §5): per design space its error EDFs (plain and
 * complexity-normalized), EDF area, bootstrap best ranges of every model property, random
 * search efficiency and size; per model its block widths and quantized linear fit; between
 * every two spaces the KS test. Pure: takes a snapshot of the directory, returns plain data
 * that `dslab analyze` prints as text or JSON and the HTML report draws.
 */
import type { TrialRecord } from '../results/records';
import type { ResolvedSpaceFile, ComplexityMetric, DesignSpace, Interval } from '../space/types';
import { blockWidths } from '../anynet';
import { expandModel } from '../modelSpec';
import { designSpaceSize } from '../spaceSize';
import { DEFAULTS } from '../space/defaults';
import { bandSize, dkwBand } from './band';
import { bestRangesOf } from './bootstrap';
import { compareSpaces, decisiveTest, type SpaceErrors } from './comparison';
import { complexityWeights, edfArea, edfCurve, summarizeErrors } from './edf';
import { fitQuantizedLinear, type WidthFit } from './fit';
import { continuousWidths, efit, predictWidths } from './widthLine';
import { randomSearchEfficiency } from './randomSearch';
import { sequentialState, type SequentialState } from './sequential';
import { describeFindings } from './findings';
import { permutationsFor } from './permutation';
import type { SweepSnapshot } from './loadSweep';
import type { AnalysisSettings, NormalizedEdf, PairComparison, SpaceAnalysis, SweepAnalysis, TrialSummary, WidthLine } from './analysisData';

export type { AnalysisSettings, NormalizedEdf, PairComparison, SpaceAnalysis, SweepAnalysis, TrialSummary, WidthLine };








/** Analyzes a snapshot of a sweep directory. */
export function analyzeSweep(snapshot: SweepSnapshot): SweepAnalysis {
  const { manifest, records } = snapshot;
  const resolved = manifest.resolved;
  const { complexity, bins, bootstrap } = resolved.analysis;
  const ok = records.filter((r) => r.status === 'ok' && r.error !== null);
  const errors = ok.map((r) => r.error as number);
  const epsilon = errors.length > 0 && Math.max(...errors) > 0 ? Math.max(...errors) : null;
  const { range, rangeSource } = complexityRange(resolved, ok.map((r) => r[complexity]));
  const alpha = resolved.analysis.alpha ?? DEFAULTS.analysis.alpha;
  const settings: AnalysisSettings = { complexity, bins, bootstrap: { ...bootstrap }, range, rangeSource, epsilon, significance: alpha };

  // A sequential sweep plans the trials up to its current (or final) round's target, not all max.
  const sequential = sequentialOfSweep(snapshot);
  const plannedOf = (space: string): number => {
    const sampled = manifest.models.filter((m) => m.space === space).length;
    return sequential ? Math.min(sampled, sequential.target) : sampled;
  };
  const spaces = resolved.spaces.map((space) =>
    analyzeSpace(
      space,
      plannedOf(space.name),
      records.filter((r) => r.space === space.name),
      settings,
    ),
  );
  const comparisons: PairComparison[] = [];
  for (let i = 0; i < spaces.length; i++) {
    for (let j = i + 1; j < spaces.length; j++) comparisons.push(compare(spaces[i], spaces[j], settings));
  }
  const planned = spaces.reduce((sum, s) => sum + s.planned, 0);
  const progress = {
    planned,
    recorded: records.length,
    missing: spaces.reduce((sum, s) => sum + s.missing, 0),
    unusable: snapshot.unusable,
  };
  const imported = manifest.imported;
  const partial = { name: resolved.name, dir: snapshot.dir, settings, progress, spaces, comparisons, sequential, ...(imported ? { imported } : {}) };
  return { ...partial, findings: describeFindings(partial) };
}

/**
 * The shared range of the normalized EDFs: the constraint on the complexity metric when every
 * space has the same one, else the file-level constraint, else [min, max] over the ok trials.
 */
export function complexityRange(resolved: ResolvedSpaceFile, values: readonly number[]): { range: Interval | null; rangeSource: AnalysisSettings['rangeSource'] } {
  const metric = resolved.analysis.complexity;
  const per = resolved.spaces.map((s) => s.constraints[metric]);
  const first = per[0];
  const same = first !== undefined && per.every((c) => c !== undefined && c[0] === first[0] && c[1] === first[1]);
  const constraint = same ? first : resolved.sampling.constraints[metric];
  if (constraint && constraint[0] < constraint[1]) return { range: [constraint[0], constraint[1]], rangeSource: 'constraint' };
  if (values.length === 0) return { range: null, rangeSource: 'none' };
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo < hi ? { range: [lo, hi], rangeSource: 'trials' } : { range: null, rangeSource: 'none' };
}

function analyzeSpace(space: DesignSpace, planned: number, records: TrialRecord[], settings: AnalysisSettings): SpaceAnalysis {
  const trials = records
    .slice()
    .sort((a, b) => a.index - b.index)
    .map((r) => summarizeTrial(space, r));
  const ok = trials.filter((t) => t.status === 'ok' && t.error !== null);
  const errors = ok.map((t) => t.error as number);
  const summary = summarizeErrors(errors);
  const has = errors.length > 0;
  const { normalized, note } = normalizedEdf(ok, errors, settings);
  // Only properties every ok trial has (a model that could not be expanded has no e_fit).
  const metricNames = ok.length > 0 ? Object.keys(ok[0].metrics).filter((k) => ok.every((t) => k in t.metrics)) : [];
  const properties: Record<string, number[]> = {};
  for (const key of metricNames) properties[key] = ok.map((t) => t.metrics[key]);
  return {
    name: space.name,
    type: space.modelType ?? space.type,
    planned,
    n: ok.length,
    failed: trials.filter((t) => t.status === 'failed').length,
    diverged: trials.filter((t) => t.status === 'diverged').length,
    missing: Math.max(0, planned - trials.length),
    min: has ? summary.min : null,
    mean: has ? summary.mean : null,
    median: has ? summary.median : null,
    area: has && settings.epsilon !== null ? edfArea(errors, settings.epsilon) : null,
    edf: edfCurve(errors),
    band: has ? dkwBand(edfCurve(errors), settings.significance, errors.length) : null,
    normalized,
    ...(note === undefined ? {} : { normalizedNote: note }),
    ...bestRangesOf(errors, properties, settings.bootstrap),
    searchEfficiency: randomSearchEfficiency(errors),
    efitCorrelation: spearman(errors, ok.map((t) => t.metrics.efit)),
    size: space.modelType === undefined ? designSpaceSize(space) : null,
    trials,
  };
}

function normalizedEdf(ok: TrialSummary[], errors: number[], settings: AnalysisSettings): { normalized: NormalizedEdf | null; note?: string } {
  if (ok.length === 0) return { normalized: null, note: 'no ok trials' };
  if (settings.range === null) return { normalized: null, note: `no ${settings.complexity} range to normalize over` };
  const cw = complexityWeights(ok.map((t) => t[settings.complexity]), settings.range, settings.bins);
  if (cw.dropped === ok.length) return { normalized: null, note: `every model lies outside the ${settings.complexity} range` };
  const s = summarizeErrors(errors, cw.weights);
  const curve = edfCurve(errors, cw.weights);
  return {
    normalized: {
      curve,
      band: dkwBand(curve, settings.significance, bandSize(cw.weights)),
      min: s.min,
      mean: s.mean,
      median: s.median,
      area: settings.epsilon !== null ? edfArea(errors, settings.epsilon, cw.weights) : null,
      dropped: cw.dropped,
      binCounts: cw.binCounts,
      emptyBins: cw.emptyBins,
      weights: cw.weights,
    },
  };
}

/** The report's view of one trial record: its metrics, block widths and width line. */
export function summarizeTrial(space: DesignSpace, r: TrialRecord): TrialSummary {
  let widths: number[] = [];
  let stageStarts: number[] = [];
  // An imported model that is not ours (no regnet, no anynet) is labelled with its own type.
  const foreign = r.model.regnet === undefined && r.model.anynet === undefined;
  const labels = { block: r.model.block ?? (foreign && r.source ? r.source.type : 'X'), activation: r.model.activation ?? 'relu' };
  try {
    const expanded = expandModel(r.model);
    widths = blockWidths(expanded);
    let start = 0;
    stageStarts = expanded.stages.map((s) => {
      const at = start;
      start += s.depth;
      return at;
    });
  } catch {
    // A model the current code cannot expand (e.g. a record from an older version) still counts; it just has no width plot.
  }
  const line = widths.length > 0 ? widthLine(r, widths) : null;
  const metrics: Record<string, number> = {};
  const reg = r.model.regnet;
  const any = r.model.anynet;
  if (space.type === 'regnet' && reg) {
    Object.assign(metrics, { depth: reg.depth, w0: reg.w0, wa: reg.wa, wm: reg.wm, g: reg.groupWidth, b: reg.bottleneck });
  } else if (any) {
    metrics.depth = any.depths.reduce((s, d) => s + d, 0);
    any.depths.forEach((d, i) => (metrics[`d${i + 1}`] = d));
    any.widths.forEach((w, i) => (metrics[`w${i + 1}`] = w));
    any.groupWidths.forEach((g, i) => (metrics[`g${i + 1}`] = g));
    any.bottlenecks.forEach((b, i) => (metrics[`b${i + 1}`] = b));
  }
  // Numeric settings the space draws per model are properties too (block and activation are labels).
  const sampled = space.model.sampled;
  if ((sampled?.se || sampled?.seByBlock) && r.model.se !== undefined) metrics.se = r.model.se;
  if (sampled?.stemWidth && r.model.stem?.width !== undefined) metrics.stemWidth = r.model.stem.width;
  if (sampled?.resolution && r.model.resolution !== undefined) metrics.resolution = r.model.resolution;
  // So are the training values the space draws (lr, weightDecay, epochs, batchSize, labelSmoothing).
  for (const [key, value] of Object.entries(r.training ?? {})) metrics[key] = value;
  // pycls's lr_wd: good learning rates and weight decays trade off along lr·wd.
  if (r.training?.lr !== undefined && r.training.weightDecay !== undefined && r.training.weightDecay > 0) {
    metrics.lrWd = Math.log10(r.training.lr) + Math.log10(r.training.weightDecay);
  }
  Object.assign(metrics, { flops: r.flops, params: r.params, acts: r.acts });
  if (line) metrics.efit = line.efit;
  const note =
    r.status === 'failed' ? r.failure?.message : r.status === 'diverged' && r.divergedAt ? `diverged in epoch ${r.divergedAt.epoch}, step ${r.divergedAt.step}` : undefined;
  return {
    space: r.space,
    index: r.index,
    status: r.status,
    error: r.status === 'ok' ? r.error : null,
    flops: r.flops,
    params: r.params,
    acts: r.acts,
    metrics,
    labels,
    blockWidths: widths,
    stageStarts,
    line,
    epochs: r.epochs,
    ...(r.lossCurve ? { lossCurve: r.lossCurve } : {}),
    wallSeconds: r.wallSeconds,
    ...(note === undefined ? {} : { note }),
  };
}

/**
 * Fits by block widths: populations repeat networks (an NDS ResNet space, a re-analysis while a
 * sweep runs), and a fit is milliseconds. Bounded, so that a long-lived process does not grow.
 */
const FITS = new Map<string, WidthFit>();
const MAX_FITS = 100_000;

function fitOf(widths: number[]): WidthFit {
  const key = widths.join(',');
  let fit = FITS.get(key);
  if (fit === undefined) {
    if (FITS.size >= MAX_FITS) FITS.clear();
    fit = fitQuantizedLinear(widths);
    FITS.set(key, fit);
  }
  return fit;
}

/** A RegNet's own line (e_fit against its adjusted widths), or an AnyNet's quantized linear fit. */
function widthLine(r: TrialRecord, widths: number[]): WidthLine {
  const reg = r.model.regnet;
  if (reg) {
    const predicted = predictWidths(reg, widths.length).widths;
    return { w0: reg.w0, wa: reg.wa, wm: reg.wm, efit: efit(predicted, widths), predicted, continuous: continuousWidths(reg.w0, reg.wa, widths.length), source: 'params' };
  }
  const fit = fitOf(widths);
  return { w0: fit.w0, wa: fit.wa, wm: fit.wm, efit: fit.efit, predicted: fit.predicted, continuous: continuousWidths(fit.w0, fit.wa, widths.length), source: 'fit' };
}

/** A space's ok trials as a comparison takes them; `n` keeps only the first n models of the space. */
function spaceErrors(s: SpaceAnalysis, metric: ComplexityMetric, n = Infinity): SpaceErrors {
  const ok = s.trials.filter((t) => t.status === 'ok' && t.error !== null && t.index < n);
  return { name: s.name, errors: ok.map((t) => t.error as number), complexities: ok.map((t) => t[metric]) };
}

function compare(a: SpaceAnalysis, b: SpaceAnalysis, settings: AnalysisSettings): PairComparison {
  const c = compareSpaces(spaceErrors(a, settings.complexity), spaceErrors(b, settings.complexity), {
    range: settings.range,
    bins: settings.bins,
    seed: settings.bootstrap.seed,
  });
  const diff = (x: number | null, y: number | null): number | null => (x === null || y === null ? null : y - x);
  return {
    a: a.name,
    b: b.name,
    ...c,
    medianDiff: diff(a.median, b.median),
    meanDiff: diff(a.mean, b.mean),
    minDiff: diff(a.min, b.min),
  };
}


/** A sequential sweep's rounds, replayed over the records of every space of the file (see sequential.ts); null for a fixed-size sweep. */
function sequentialOfSweep(snapshot: SweepSnapshot): SequentialState | null {
  const { resolved, models } = snapshot.manifest;
  return resolved.sampling.sequential ? sequentialProgress(resolved, snapshot.records, resolved.spaces.map((s) => s.name), models) : null;
}

/**
 * Where a sequential sweep of `spaces` stands, from its records: the round to train, or why it
 * stopped. Each round's tests see only the models of that round (the complexity range too, when
 * it comes from the trials), so replaying gives the decisions the sweep made as it went.
 */
export function sequentialProgress(
  resolved: ResolvedSpaceFile,
  records: readonly TrialRecord[],
  spaces: readonly string[],
  models: readonly { space: string }[],
): SequentialState {
  const plan = resolved.sampling.sequential;
  if (!plan) throw new RangeError(`${resolved.name} is not a sequential sweep`);
  const { complexity: metric, bins, bootstrap } = resolved.analysis;
  const alpha = resolved.analysis.alpha ?? DEFAULTS.analysis.alpha;
  const ok = records.filter((r) => r.status === 'ok' && r.error !== null && spaces.includes(r.space));
  const recorded = new Map(spaces.map((name) => [name, new Set(records.filter((r) => r.space === name).map((r) => r.index))]));
  const recordedPrefix = (space: string): number => {
    const have = recorded.get(space) ?? new Set<number>();
    let n = 0;
    while (have.has(n)) n++;
    return n;
  };
  const prefix = (name: string, n: number): SpaceErrors => {
    const mine = ok.filter((r) => r.space === name && r.index < n);
    return { name, errors: mine.map((r) => r.error as number), complexities: mine.map((r) => r[metric]) };
  };
  return sequentialState(plan, alpha, spaces, recordedPrefix, (a, b, n, level) => {
    const { range } = complexityRange(resolved, ok.filter((r) => r.index < n).map((r) => r[metric]));
    const c = compareSpaces(prefix(a, n), prefix(b, n), { range, bins, seed: bootstrap.seed, permutations: permutationsFor(level) });
    const test = decisiveTest(c);
    if (test === null || c.basis === null) return null;
    return { p: test.p, d: test.d, basis: c.basis, better: c.better };
  }, (space) => models.filter((m) => m.space === space).length);
}

/** Ranks 1..n, ties sharing their average rank. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
  const out = new Array<number>(values.length);
  for (let k = 0; k < order.length; ) {
    let end = k;
    while (end + 1 < order.length && values[order[end + 1]] === values[order[k]]) end++;
    for (let t = k; t <= end; t++) out[order[t]] = (k + end) / 2 + 1;
    k = end + 1;
  }
  return out;
}

/** Spearman's ρ (Pearson correlation of ranks); null for fewer than 3 pairs, a missing value, or a constant side. */
export function spearman(x: readonly number[], y: readonly (number | undefined)[]): number | null {
  if (x.length < 3 || y.some((v) => v === undefined || !Number.isFinite(v))) return null;
  const rx = ranks(x);
  const ry = ranks(y as number[]);
  const mean = (rx.length + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) ** 2;
    syy += (ry[i] - mean) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}
