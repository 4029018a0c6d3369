/**
 * Error EDFs split by the value of a model property, as the paper reads its findings off a
 * sweep: b = 1 against b = 2 and 4, relu against swish, depthwise against grouped. The trials of
 * every space that has the property are pooled; `space` is a property too, so `space,b` splits
 * within each space. A property with many distinct values (w0, wa, flops) is cut into
 * quantile bins. Groups are compared pairwise with the same tests as spaces (exact KS on the
 * plain EDFs, permutation within complexity bins on the normalized ones), at α divided by the
 * number of pairs (Bonferroni), since a split makes several claims at once.
 */
import { dkwBand, type EdfBand } from './band';
import { compareSpaces, decisiveTest, type SpaceComparison, type SpaceErrors } from './comparison';
import { edfCurve, summarizeErrors, type EdfCurve } from './edf';
import { formatP, metricText, signed } from './format';
import type { AnalysisSettings, TrialFacts, TrialsBySpace } from './analysisData';

/** At most this many distinct values are kept as they are; more are cut into QUANTILE_BINS bins. */
export const MAX_DISTINCT = 6;
export const QUANTILE_BINS = 4;

/** A property's value in one trial: a number (model metric) or a label (space, block, activation). */
type PropertyValue = number | string;

/** One group of a split: the ok trials whose properties take these values. */
export interface SplitGroup {
  /** "b = 1", "activation = swish, g = 1", "wa ∈ [4.2, 11.9)". */
  label: string;
  n: number;
  min: number;
  median: number;
  edf: EdfCurve;
  band: EdfBand;
  /** Which trials, as "space #index". */
  trials: { space: string; index: number }[];
}

/** Two groups compared as two spaces are. */
export interface SplitComparison extends SpaceComparison {
  a: string;
  b: string;
  /** Median error of b minus a, in points. */
  medianDiff: number;
}

export interface SplitAnalysis {
  keys: string[];
  groups: SplitGroup[];
  comparisons: SplitComparison[];
  /** The level each pairwise test is held to: α / number of pairs. */
  pairLevel: number;
  /** Per key, the ok trials that lack it (e.g. `wa` in an AnyNet space) and are left out. */
  without: Record<string, number>;
  findings: string[];
}

/** The properties a trial can be split by: its model metrics, the space, the block type and the activation. */
export function trialProperties(t: TrialFacts): Record<string, PropertyValue> {
  return { space: t.space, ...t.labels, ...t.metrics };
}

/** Every key some ok trial of the analysis can be split by, in a stable order. */
export function splitKeys(analysis: Pick<TrialsBySpace, 'spaces'>): string[] {
  const keys = new Set<string>();
  // trialProperties's keys in its order, without making the object for each of 25,000 trials.
  for (const s of analysis.spaces) {
    for (const t of s.trials) {
      if (t.status !== 'ok') continue;
      keys.add('space');
      for (const k in t.labels) keys.add(k);
      for (const k in t.metrics) keys.add(k);
    }
  }
  return [...keys];
}

interface Grouping {
  /** The group label part of a trial, or undefined when it lacks the property. */
  part(t: TrialFacts): string | undefined;
  /** Parts in display order. */
  order: string[];
}

/** Values as they are when few, else quantile bins [lo, hi) of the sorted values (the last closed). */
function grouping(key: string, trials: TrialFacts[]): Grouping {
  const values = trials.map((t) => trialProperties(t)[key]).filter((v): v is PropertyValue => v !== undefined);
  const distinct = [...new Set(values)];
  const numeric = distinct.every((v) => typeof v === 'number');
  if (!numeric || distinct.length <= MAX_DISTINCT) {
    const sorted = numeric ? (distinct as number[]).sort((a, b) => a - b) : (distinct as string[]).sort();
    const text = (v: PropertyValue): string => `${key} = ${typeof v === 'number' ? metricText(key, v) : v}`;
    return { part: (t) => (trialProperties(t)[key] === undefined ? undefined : text(trialProperties(t)[key])), order: sorted.map(text) };
  }
  const sorted = (values as number[]).slice().sort((a, b) => a - b);
  // Cut points at the quantiles, deduplicated so that every bin holds at least one value.
  const cuts = [...new Set(Array.from({ length: QUANTILE_BINS - 1 }, (_, i) => sorted[Math.floor(((i + 1) * sorted.length) / QUANTILE_BINS)]))];
  const edges = [sorted[0], ...cuts.filter((c) => c > sorted[0]), sorted[sorted.length - 1]];
  const labels = edges.slice(0, -1).map((lo, i) => {
    const last = i === edges.length - 2;
    return `${key} ∈ [${metricText(key, lo)}, ${metricText(key, edges[i + 1])}${last ? ']' : ')'}`;
  });
  return {
    part: (t) => {
      const v = trialProperties(t)[key];
      if (typeof v !== 'number') return undefined;
      let i = 0;
      while (i < edges.length - 2 && v >= edges[i + 1]) i++;
      return labels[i];
    },
    order: labels,
  };
}

/**
 * Splits the ok trials of `analysis` by `keys` (one or two: the groups are their combinations).
 * Throws a RangeError naming the keys that exist when one is unknown.
 */
export function splitAnalysis(analysis: TrialsBySpace, keys: string[]): SplitAnalysis {
  const settings: AnalysisSettings = analysis.settings;
  const known = splitKeys(analysis);
  const unknown = keys.filter((k) => !known.includes(k));
  if (keys.length === 0) throw new RangeError('name a property to split by');
  if (unknown.length > 0) {
    throw new RangeError(`no ok trial has ${unknown.map((k) => `'${k}'`).join(', ')}; properties to split by: ${known.join(', ')}`);
  }
  const ok = analysis.spaces.flatMap((s) => s.trials.filter((t) => t.status === 'ok' && t.error !== null));
  const groupings = keys.map((k) => grouping(k, ok));
  const members = new Map<string, { rank: number[]; trials: TrialFacts[] }>();
  const without = new Map<string, number>();
  for (const t of ok) {
    const parts = groupings.map((g) => g.part(t));
    const missing = keys.filter((_, i) => parts[i] === undefined);
    if (missing.length > 0) {
      for (const k of missing) without.set(k, (without.get(k) ?? 0) + 1);
      continue;
    }
    const label = parts.join(', ');
    const group = members.get(label) ?? { rank: parts.map((p, i) => groupings[i].order.indexOf(p as string)), trials: [] };
    group.trials.push(t);
    members.set(label, group);
  }
  // Display order: the first key's order, then the second's.
  const labels = [...members.keys()].sort((a, b) => {
    const ra = (members.get(a) as { rank: number[] }).rank;
    const rb = (members.get(b) as { rank: number[] }).rank;
    return ra[0] - rb[0] || (ra[1] ?? 0) - (rb[1] ?? 0);
  });
  const groups: SplitGroup[] = labels.map((label) => {
    const ts = (members.get(label) as { trials: TrialFacts[] }).trials;
    const errors = ts.map((t) => t.error as number);
    const summary = summarizeErrors(errors);
    const edf = edfCurve(errors);
    return { label, n: ts.length, min: summary.min, median: summary.median, edf, band: dkwBand(edf, settings.significance, ts.length), trials: ts.map((t) => ({ space: t.space, index: t.index })) };
  });

  const errorsOf = (label: string): SpaceErrors => {
    const ts = (members.get(label) as { trials: TrialFacts[] }).trials;
    return { name: label, errors: ts.map((t) => t.error as number), complexities: ts.map((t) => t[settings.complexity]) };
  };
  // Only groups of two or more trials have an EDF worth testing; the level is shared among their pairs.
  const comparable = groups.filter((g) => g.n >= 2);
  const comparisons: SplitComparison[] = [];
  for (let i = 0; i < comparable.length; i++) {
    for (let j = i + 1; j < comparable.length; j++) {
      const [a, b] = [comparable[i], comparable[j]];
      const c = compareSpaces(errorsOf(a.label), errorsOf(b.label), { range: settings.range, bins: settings.bins, seed: settings.bootstrap.seed });
      comparisons.push({ a: a.label, b: b.label, ...c, medianDiff: b.median - a.median });
    }
  }
  const pairLevel = comparisons.length > 0 ? settings.significance / comparisons.length : settings.significance;
  const split = { keys, groups, comparisons, pairLevel, without: Object.fromEntries(without), findings: [] as string[] };
  split.findings = describeSplit(split, settings);
  return split;
}

/** The split in words: one sentence per pair of groups, claims only where the test holds at the pair level. */
function describeSplit(split: Omit<SplitAnalysis, 'findings'>, settings: AnalysisSettings): string[] {
  const out: string[] = [];
  if (split.groups.length < 2) {
    out.push(`Every ok trial has the same ${split.keys.join(', ')}${split.groups.length === 1 ? ` (${split.groups[0].label})` : ''}: nothing to compare.`);
    return out;
  }
  const level = split.comparisons.length > 1 ? `α/${split.comparisons.length} = ${Number(split.pairLevel.toPrecision(3))}` : `α = ${split.pairLevel}`;
  const byLabel = new Map(split.groups.map((g) => [g.label, g]));
  for (const c of split.comparisons) {
    const a = byLabel.get(c.a) as SplitGroup;
    const b = byLabel.get(c.b) as SplitGroup;
    const ks = decisiveTest(c);
    if (ks === null || c.basis === null) {
      out.push(`${c.a} vs ${c.b}: no comparison possible.`);
      continue;
    }
    const test = `KS D = ${ks.d.toFixed(2)} (${formatP(ks.p).replace(/^p/, `${ks.method} p`)} ${ks.p <= split.pairLevel ? '≤' : '>'} ${level}${c.basis === 'normalized' ? `, ${settings.complexity}-normalized` : ''})`;
    const [win, lose] = c.better === c.a ? [a, b] : [b, a];
    if (ks.p <= split.pairLevel && c.better !== null && win.median <= lose.median) {
      out.push(`${win.label} better than ${lose.label}: median error ${signed(win.median - lose.median)} points, ${test}.`);
    } else if (ks.p <= split.pairLevel) {
      out.push(`${c.a} and ${c.b} differ (${test}) but their plain and normalized medians disagree on which is lower.`);
    } else {
      out.push(`No clear difference between ${c.a} and ${c.b}: median error ${signed(c.medianDiff)} points for ${c.b}, ${test}.`);
    }
  }
  const single = split.groups.filter((g) => g.n < 2);
  if (single.length > 0) out.push(`Not compared, one ok trial each: ${single.map((g) => g.label).join('; ')}.`);
  for (const [key, n] of Object.entries(split.without)) out.push(`Left out: ${n} ok trial${n === 1 ? '' : 's'} without ${key}.`);
  return out;
}
