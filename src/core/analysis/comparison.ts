/**
 * Two design spaces compared as the paper does: the KS test between their error EDFs, plain and
 * complexity-normalized, and which of the two the decision rests on. The normalized test is the
 * decisive one whenever both spaces have a normalized EDF (it removes complexity as a
 * confounder); the plain one otherwise.
 */
import { deriveSpaceSeed } from '../space/seed';
import type { Interval } from '../space/types';
import { complexityWeights, summarizeErrors } from './edf';
import { ksTest, type KsResult } from './ks';
import { normalizedKsTest } from './permutation';

/** One space's ok trials: their errors and their complexity on the normalized EDFs' metric. */
export interface SpaceErrors {
  name: string;
  errors: readonly number[];
  complexities: readonly number[];
}

export interface ComparisonSettings {
  /** Shared complexity range of the normalized EDFs; null when there is none. */
  range: Interval | null;
  bins: number;
  /** Seeds the permutations (with the pair's names). */
  seed: number;
  permutations?: number;
}

export interface SpaceComparison {
  ks: KsResult | null;
  /** KS test on the complexity-normalized EDFs; null unless both spaces have one. */
  ksNormalized: KsResult | null;
  /** The test a decision rests on. */
  basis: 'normalized' | 'plain' | null;
  /** The space with the lower median error on that basis, then the lower mean; null on a tie or without a test. */
  better: string | null;
}

/** Normalized weights and bins of a space, or null when it has no normalized EDF. */
function normalized(s: SpaceErrors, settings: ComparisonSettings): { weights: number[]; bins: number[] } | null {
  if (s.errors.length === 0 || settings.range === null) return null;
  const cw = complexityWeights(s.complexities, settings.range, settings.bins);
  return cw.dropped === s.errors.length ? null : { weights: cw.weights, bins: cw.bins };
}

export function compareSpaces(a: SpaceErrors, b: SpaceErrors, settings: ComparisonSettings): SpaceComparison {
  if (a.errors.length === 0 || b.errors.length === 0) return { ks: null, ksNormalized: null, basis: null, better: null };
  const ks = ksTest(a.errors, b.errors);
  const na = normalized(a, settings);
  const nb = normalized(b, settings);
  const ksNormalized =
    na && nb
      ? normalizedKsTest(
          { errors: a.errors, weights: na.weights, bins: na.bins },
          { errors: b.errors, weights: nb.weights, bins: nb.bins },
          { seed: deriveSpaceSeed(settings.seed, `ks:${a.name}|${b.name}`), permutations: settings.permutations },
        )
      : null;
  const sa = summarizeErrors(a.errors, ksNormalized ? na?.weights : undefined);
  const sb = summarizeErrors(b.errors, ksNormalized ? nb?.weights : undefined);
  const order = sa.median - sb.median || sa.mean - sb.mean;
  const better = order < 0 ? a.name : order > 0 ? b.name : null;
  return { ks, ksNormalized, basis: ksNormalized ? 'normalized' : 'plain', better };
}

/** The decisive test of a comparison. */
export function decisiveTest(c: SpaceComparison): KsResult | null {
  return c.basis === 'normalized' ? c.ksNormalized : c.ks;
}
