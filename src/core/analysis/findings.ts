/**
 * The analysis in words: which space beats which, only where the KS test supports it ("no clear
 * difference" otherwise), plus what the numbers leave out (trials still missing, failed or
 * diverged ones, unusable records).
 */
import { formatP, roundLevel, signed } from './format';
import type { KsResult } from './ks';
import { describeSequentialStatus, type PairDecision } from './sequential';
import type { PairComparison, SpaceAnalysis, SweepAnalysis } from './analysisData';
import { count, groupThousands, plural } from '../presentation/counts';

/** The test behind a claim: "KS D = 0.45 (exact p = 0.012)", "KS D = 0.52 (permutation p = 0.0031, flops-normalized)". */
export function describeTest(
  ks: Pick<KsResult, 'd' | 'p' | 'method'>,
  basis: 'normalized' | 'plain',
  complexity: string,
  level?: { round: number; alpha: number },
): string {
  const p = formatP(ks.p).replace(/^p/, `${ks.method} p`);
  const held = level === undefined ? '' : ` ${ks.p <= level.alpha ? '≤' : '>'} ${roundLevel(level.round, level.alpha)}`;
  return `KS D = ${ks.d.toFixed(2)} (${p}${held}${basis === 'normalized' ? `, ${complexity}-normalized` : ''})`;
}

/**
 * One sentence per comparison of two spaces; the side with the lower median error is named first
 * when the difference is clear. In a sequential sweep a pair it compares is clear only when its
 * stopping rule decided it (the test quoted is the deciding round's, or the latest round's).
 */
export function describeComparison(
  c: PairComparison,
  a: SpaceAnalysis,
  b: SpaceAnalysis,
  complexity: string,
  significance: number,
  sequential?: PairDecision,
): string {
  if (a.n < 2 || b.n < 2) return `${a.name} vs ${b.name}: too few ok trials to compare (n = ${a.n} and ${b.n}).`;
  const ks = c.basis === 'normalized' ? c.ksNormalized : c.ks;
  if (ks === null || c.basis === null) return `${a.name} vs ${b.name}: no comparison possible.`;
  const median = (s: SpaceAnalysis): number => (c.basis === 'normalized' ? (s.normalized?.median as number) : (s.median as number));
  let stat = describeTest(ks, c.basis, complexity);
  let clear = ks.p < significance;
  let better = c.better;
  if (sequential?.last) {
    const last = sequential.last;
    const decided = sequential.decidedAt !== undefined;
    stat = `${describeTest({ d: last.d, p: last.p, method: last.basis === 'normalized' ? 'permutation' : 'exact' }, last.basis, complexity, last)}; ${decided ? `decided in round ${sequential.decidedAt}` : `undecided after round ${last.round}`}`;
    clear = decided;
    better = last.better;
  }
  if (clear && better !== null) {
    const [win, lose] = better === a.name ? [a, b] : [b, a];
    return `${win.name} beats ${lose.name}: median error ${signed(median(win) - median(lose))} points, ${stat}.`;
  }
  if (clear) return `${a.name} and ${b.name} differ (${stat}) but neither has the lower median or mean error.`;
  return `No clear difference between ${a.name} and ${b.name}: median error ${signed(median(b) - median(a))} points for ${b.name}, ${stat}.`;
}

/** Every finding of an analysis, most important first. */
export function describeFindings(analysis: Omit<SweepAnalysis, 'findings'>): string[] {
  const { progress, spaces, comparisons, settings, sequential, imported } = analysis;
  const out: string[] = [];
  if (sequential) out.push(`Sequential sweep, ${describeSequentialStatus(sequential)}.`);
  if (imported) {
    // Trained elsewhere: what is missing will not come, it did not finish there.
    const unfinished = imported.unfinished.length;
    out.push(
      `Imported from ${imported.source} (${imported.format}): ${groupThousands(progress.recorded)} of ${count(imported.entries, 'job')} finished` +
        (unfinished > 0 ? `; ${count(unfinished, 'job')} without a finished test epoch ${plural(unfinished, 'is', 'are')} left out.` : '.'),
    );
  } else if (progress.planned === 0) out.push('The sweep plans no trials.');
  else if (progress.recorded === 0) out.push(`No trial has finished yet (0 of ${progress.planned}): nothing to analyze.`);
  else if (progress.missing > 0) out.push(`Incomplete: ${progress.recorded} of ${progress.planned} trials recorded; the numbers will change as the rest are trained.`);

  const byName = new Map(spaces.map((s) => [s.name, s]));
  for (const c of comparisons) {
    const a = byName.get(c.a) as SpaceAnalysis;
    const b = byName.get(c.b) as SpaceAnalysis;
    if (a.n === 0 && b.n === 0) continue;
    const decision = sequential?.pairs.find((p) => (p.a === c.a && p.b === c.b) || (p.a === c.b && p.b === c.a));
    out.push(describeComparison(c, a, b, settings.complexity, settings.significance, decision));
  }

  let best: { space: string; index: number; error: number } | undefined;
  for (const s of spaces) {
    for (const t of s.trials) if (t.error !== null && (best === undefined || t.error < best.error)) best = { space: s.name, index: t.index, error: t.error };
  }
  if (best) out.push(`Lowest error: ${best.error.toFixed(2)}% (${best.space} #${best.index}).`);

  for (const s of spaces) {
    const left: string[] = [];
    if (s.failed > 0) left.push(`${s.failed} failed`);
    if (s.diverged > 0) left.push(`${s.diverged} diverged`);
    if (left.length > 0) out.push(`${s.name}: ${left.join(' and ')} ${plural(s.failed + s.diverged, 'trial')} left out of the EDFs.`);
    if (s.n === 0 && s.trials.length > 0) out.push(`${s.name}: no trial finished ok.`);
    if (s.normalized && s.normalized.dropped > 0) {
      out.push(`${s.name}: ${count(s.normalized.dropped, 'model')} outside the ${settings.complexity} range left out of the normalized EDF.`);
    }
    if (s.normalized && s.normalized.emptyBins.length > 0) {
      const k = s.normalized.emptyBins.length;
      out.push(`${s.name}: ${k} of ${settings.bins} ${settings.complexity} bins ${plural(k, 'holds', 'hold')} no model; the normalized EDF gives their share to the other bins.`);
    }
    if (s.bestRangesNote !== undefined) out.push(`${s.name}: ${s.bestRangesNote}.`);
    if (s.efitCorrelation !== null) out.push(`${s.name}: error vs e_fit, Spearman ρ = ${signed(s.efitCorrelation, 2)} (n = ${s.n}).`);
  }
  if (progress.unusable.length > 0) {
    const shown = progress.unusable.slice(0, 3).map((u) => `${u.file} (${u.reason})`);
    const more = progress.unusable.length > 3 ? `, and ${progress.unusable.length - 3} more` : '';
    out.push(`${count(progress.unusable.length, 'record')} cannot be used: ${shown.join(', ')}${more}.`);
  }
  return out;
}
