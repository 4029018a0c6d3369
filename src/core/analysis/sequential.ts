/**
 * The stopping rule of a sequential sweep (`samples: { min, max, step, until: decided }`).
 *
 * The sweep trains in rounds: n_1 = min models per space, then n_k = n_{k−1} + step, the last
 * round at max. After round k it tests every pair of spaces it compares on the first n_k models
 * of each (ok trials only), and the pair is decided when the test's p-value is at most α_k.
 *
 * Validity: the level α is spent over the rounds with a linear spending function,
 * α_k = α·(n_k − n_{k−1})/max (n_0 = 0), so Σ_k α_k = α. Each round's p-value is exact (plain
 * EDFs) or a permutation p-value (normalized EDFs), i.e. P(p_k ≤ α_k) ≤ α_k for two identical
 * spaces, and by the union bound the chance that a pair of identical spaces is ever declared
 * different is at most α, however many rounds run and whatever the rounds' correlation.
 * Spending in proportion to the models added gives early rounds a small level (they stop only
 * on large differences) and keeps most of it for the later, larger ones. A decided pair stays
 * decided; the sweep stops when every compared pair is decided, or after the round at max.
 *
 * The state is a function of the records on disk alone, so a rerun resumes in the right round.
 */
import type { SequentialSampling } from '../space/types';
import { formatP, roundLevel } from './format';
import { count } from '../presentation/counts';

export interface SequentialLook {
  /** 1-based. */
  round: number;
  /** Models per space after this round. */
  n: number;
  /** The level this round's tests are held to. */
  alpha: number;
}

/** The outcome of one pair's test at one look. */
export interface PairTestOutcome {
  p: number;
  /** D of the test behind p. */
  d: number;
  /** 'normalized' when both spaces had a complexity-normalized EDF, else 'plain'. */
  basis: 'normalized' | 'plain';
  /** The space with the lower (normalized) median error, then mean; null on a tie. */
  better: string | null;
}

export interface PairDecision {
  a: string;
  b: string;
  /** The round in which the pair was decided; absent while undecided. */
  decidedAt?: number;
  /** The test at the deciding round, or at the latest round evaluated. */
  last?: PairTestOutcome & { round: number; alpha: number };
}

export type SequentialStatus = 'running' | 'decided' | 'max';

export interface SequentialState {
  looks: SequentialLook[];
  /** The round being trained (running), or the round the sweep stopped after. */
  round: number;
  /** Models per space that round needs. */
  target: number;
  status: SequentialStatus;
  pairs: PairDecision[];
  /** Spaces that train in every round. */
  spaces: string[];
}

/** The rounds of a plan and the level spent in each. */
export function sequentialLooks(plan: Pick<SequentialSampling, 'min' | 'max' | 'step'>, alpha: number): SequentialLook[] {
  const looks: SequentialLook[] = [];
  let previous = 0;
  for (let n = Math.min(plan.min, plan.max); ; n = Math.min(plan.max, n + plan.step)) {
    looks.push({ round: looks.length + 1, n, alpha: (alpha * (n - previous)) / plan.max });
    previous = n;
    if (n >= plan.max) break;
  }
  return looks;
}

/** The pairs a plan compares among the spaces trained: its `pairs` (those whose spaces both train), else every pair. */
export function comparedPairs(plan: Pick<SequentialSampling, 'pairs'>, spaces: readonly string[]): [string, string][] {
  if (plan.pairs) return plan.pairs.filter(([a, b]) => spaces.includes(a) && spaces.includes(b) && a !== b);
  const out: [string, string][] = [];
  for (let i = 0; i < spaces.length; i++) for (let j = i + 1; j < spaces.length; j++) out.push([spaces[i], spaces[j]]);
  return out;
}

/**
 * Replays the rounds over what is recorded. `recordedPrefix(space)` is how many of the space's
 * first models have a record (whatever their status); `available(space)` how many it has at all
 * (a space whose constraints let the sampler find fewer than max has its rounds end there);
 * `test(a, b, n)` tests two spaces on their
 * first n models, at the round's level (a permutation test needs enough permutations to reach it).
 */
export function sequentialState(
  plan: SequentialSampling,
  alpha: number,
  spaces: readonly string[],
  recordedPrefix: (space: string) => number,
  test: (a: string, b: string, n: number, level: number) => PairTestOutcome | null,
  available: (space: string) => number = () => Infinity,
): SequentialState {
  const looks = sequentialLooks(plan, alpha);
  const pairs: PairDecision[] = comparedPairs(plan, spaces).map(([a, b]) => ({ a, b }));
  const state = (round: number, status: SequentialStatus): SequentialState => ({
    looks,
    round,
    target: looks[round - 1].n,
    status,
    pairs,
    spaces: [...spaces],
  });
  for (const look of looks) {
    if (spaces.some((s) => recordedPrefix(s) < Math.min(look.n, available(s)))) return state(look.round, 'running');
    for (const pair of pairs) {
      if (pair.decidedAt !== undefined) continue;
      const outcome = test(pair.a, pair.b, look.n, look.alpha);
      if (outcome === null) continue;
      pair.last = { ...outcome, round: look.round, alpha: look.alpha };
      if (outcome.p <= look.alpha) pair.decidedAt = look.round;
    }
    if (pairs.length > 0 && pairs.every((p) => p.decidedAt !== undefined)) return state(look.round, 'decided');
  }
  return state(looks.length, 'max');
}

/** Why a sequential sweep stopped or where it stands, in words: "decided in round 2 of 4 (24 models per space)". */
export function describeSequentialStatus(s: SequentialState): string {
  const where = `round ${s.round} of ${s.looks.length} (${s.target} models per space)`;
  const decided = s.pairs.filter((p) => p.decidedAt !== undefined).length;
  const pairs = `${decided} of ${count(s.pairs.length, 'pair')} decided`;
  if (s.status === 'decided') return `stopped: every compared pair decided, in ${where}`;
  if (s.status === 'max') return `stopped: max reached, ${where}; ${pairs}`;
  return `${where}; ${pairs}`;
}

/** A sequential sweep's rounds and decisions, as the CLI, the task and the panel show them. */
export interface SequentialSummary {
  /** running: more rounds to train; decided: every compared pair decided; max: the last round trained, some pair undecided. */
  status: 'running' | 'decided' | 'max';
  /** The round being trained, or the one the sweep stopped after (1-based). */
  round: number;
  rounds: number;
  /** Models per space that round needs. */
  target: number;
  pairs: {
    a: string;
    b: string;
    /** The round that decided the pair. */
    decidedAt?: number;
    /** The latest test: its p-value, the round's level, the round, the EDFs it compared and the better space. */
    p?: number;
    alpha?: number;
    round?: number;
    basis?: 'normalized' | 'plain';
    better?: string | null;
  }[];
}

/** The summary of a state: what the runner reports and the CLI, the task and the panel show. */
export function summarizeSequential(state: SequentialState): SequentialSummary {
  return {
    status: state.status,
    round: state.round,
    rounds: state.looks.length,
    target: state.target,
    pairs: state.pairs.map((p) => ({
      a: p.a,
      b: p.b,
      ...(p.decidedAt === undefined ? {} : { decidedAt: p.decidedAt }),
      ...(p.last ? { p: p.last.p, alpha: p.last.alpha, round: p.last.round, basis: p.last.basis, better: p.last.better } : {}),
    })),
  };
}

/** "AnyNetX_A vs RegNetX: RegNetX better, decided in round 1 (p = 0.0004 ≤ α₁ = 0.0167)" and the like. */
export function describePair(p: SequentialSummary['pairs'][number]): string {
  const head = `${p.a} vs ${p.b}`;
  if (p.p === undefined || p.alpha === undefined || p.round === undefined) return `${head}: not tested yet`;
  const test = `${formatP(p.p)} ${p.p <= p.alpha ? '≤' : '>'} ${roundLevel(p.round, p.alpha)}${p.basis === 'normalized' ? ', normalized' : ''}`;
  if (p.decidedAt !== undefined) return `${head}: ${p.better ? `${p.better} better` : 'different'}, decided in round ${p.decidedAt} (${test})`;
  return `${head}: undecided after round ${p.round} (${test})`;
}

/** The lines a round event prints: where the sweep stands, then one per compared pair. */
export function describeRound(s: SequentialSummary): string[] {
  const decided = s.pairs.filter((p) => p.decidedAt !== undefined).length;
  const pairs = `${decided} of ${count(s.pairs.length, 'pair')} decided`;
  const where = `round ${s.round} of ${s.rounds}, ${s.target} models per space`;
  const head =
    s.status === 'decided'
      ? `Decided after ${where}: every compared pair differs; stopping`
      : s.status === 'max'
        ? `Max reached after ${where}: ${pairs}; stopping`
        : `Sequential sweep, ${where}: ${pairs}`;
  return [head, ...s.pairs.map((p) => `  ${describePair(p)}`)];
}
