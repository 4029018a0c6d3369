import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { dkwBand, dkwEpsilon, bandSize } from '../../src/core/analysis/band';
import { compareSpaces, decisiveTest } from '../../src/core/analysis/comparison';
import { complexityWeights, edfCurve } from '../../src/core/analysis/edf';
import { normalizedKsTest, permutationsFor } from '../../src/core/analysis/permutation';
import { comparedPairs, describeSequentialStatus, sequentialLooks, sequentialState } from '../../src/core/analysis/sequential';
import { Rng } from '../../src/core/sampling/rng';
import type { SequentialSampling } from '../../src/core/space/types';

const close = (actual: number, expected: number, tol = 1e-12): void => {
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected}, got ${actual}`);
};

/** A standard normal draw (Box–Muller). */
function normal(rng: Rng): number {
  const u = 1 - rng.float();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.float());
}

/** One simulated space: `n` models with a test error (rounded to 0.1 points, so ties occur as in real sweeps) and a complexity in [2, 6]. */
function simulatedSpace(rng: Rng, n: number, shift: number, complexityBias = 0): { errors: number[]; complexities: number[] } {
  const errors: number[] = [];
  const complexities: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = 2 + 4 * Math.min(0.999, Math.max(0.001, rng.float() ** (1 + complexityBias)));
    complexities.push(c * 1e6);
    // Error falls with complexity, as in real spaces; `shift` moves the whole space.
    errors.push(Math.round((30 - 2 * c + shift + 4 * normal(rng)) * 10) / 10);
  }
  return { errors, complexities };
}

const PLAN: SequentialSampling = { min: 8, max: 48, step: 4, until: 'decided' };

/** Runs the stopping rule over two simulated spaces, with the test a sweep uses on their first n models. */
function simulateSweep(
  rng: Rng,
  shift: number,
  options: { plan?: SequentialSampling; normalized: boolean; complexityBias?: number },
): ReturnType<typeof sequentialState> {
  const plan = options.plan ?? PLAN;
  const a = simulatedSpace(rng, plan.max, 0);
  const b = simulatedSpace(rng, plan.max, shift, options.complexityBias ?? 0);
  const data = { A: a, B: b } as Record<string, { errors: number[]; complexities: number[] }>;
  return sequentialState(plan, 0.05, ['A', 'B'], () => plan.max, (x, y, n, level) => {
    const c = compareSpaces(
      { name: x, errors: data[x].errors.slice(0, n), complexities: data[x].complexities.slice(0, n) },
      { name: y, errors: data[y].errors.slice(0, n), complexities: data[y].complexities.slice(0, n) },
      // As few permutations as can still reach the round's level (the sweep uses ≥ 9,999).
      { range: options.normalized ? [2e6, 6e6] : null, bins: 4, seed: rng.int(0, 2 ** 31), permutations: permutationsFor(level, 3) },
    );
    const t = decisiveTest(c);
    return t && c.basis ? { p: t.p, d: t.d, basis: c.basis, better: c.better } : null;
  });
}

describe('sequential stopping rule', () => {
  test('rounds: min, then step more each round, the last at max; the level spent sums to alpha', () => {
    const looks = sequentialLooks(PLAN, 0.05);
    assert.deepEqual(looks.map((l) => l.n), [8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48]);
    close(looks[0].alpha, (0.05 * 8) / 48);
    close(looks[1].alpha, (0.05 * 4) / 48);
    close(looks.reduce((s, l) => s + l.alpha, 0), 0.05);
    // A step that overshoots max stops at max.
    assert.deepEqual(sequentialLooks({ min: 16, max: 40, step: 16 }, 0.05).map((l) => [l.n, Number(l.alpha.toFixed(4))]), [[16, 0.02], [32, 0.02], [40, 0.01]]);
    assert.deepEqual(sequentialLooks({ min: 10, max: 10, step: 4 }, 0.05).map((l) => l.n), [10]);
  });

  test('pairs: every pair by default, the listed ones among the spaces trained otherwise', () => {
    assert.deepEqual(comparedPairs({}, ['A', 'E', 'R']), [['A', 'E'], ['A', 'R'], ['E', 'R']]);
    assert.deepEqual(comparedPairs({ pairs: [['A', 'R'], ['A', 'X']] }, ['A', 'E', 'R']), [['A', 'R']]);
  });

  test('the state follows the records: the round still short of models is the one being trained', () => {
    const counts: Record<string, number> = { A: 12, B: 9 };
    const s = sequentialState(PLAN, 0.05, ['A', 'B'], (x) => counts[x], () => ({ p: 0.5, d: 0.1, basis: 'plain', better: 'A' }));
    assert.equal(s.status, 'running');
    assert.equal(s.round, 2);
    assert.equal(s.target, 12);
    assert.equal(s.pairs[0].last?.round, 1);
    assert.equal(describeSequentialStatus(s), 'round 2 of 11 (12 models per space); 0 of 1 pair decided');
    const decided = sequentialState(PLAN, 0.05, ['A', 'B'], () => 48, (_a, _b, n) => ({ p: n >= 16 ? 0.001 : 0.5, d: 0.7, basis: 'normalized', better: 'B' }));
    assert.equal(decided.status, 'decided');
    assert.equal(decided.round, 3);
    assert.equal(decided.pairs[0].decidedAt, 3);
    assert.equal(describeSequentialStatus(decided), 'stopped: every compared pair decided, in round 3 of 11 (16 models per space)');
    const max = sequentialState(PLAN, 0.05, ['A', 'B'], () => 48, () => ({ p: 0.2, d: 0.2, basis: 'plain', better: null }));
    assert.equal(max.status, 'max');
    assert.equal(max.target, 48);
  });

  test('identical spaces: over 1,000 simulated sweeps of 11 rounds the chance of ever declaring a difference stays ≤ alpha', () => {
    const rng = new Rng(20261205);
    const sweeps = 1000;
    let falseDecisions = 0;
    for (let k = 0; k < sweeps; k++) if (simulateSweep(rng, 0, { normalized: false }).status === 'decided') falseDecisions++;
    // α = 0.05 plus three binomial standard errors of a 1,000-sweep estimate.
    const margin = 3 * Math.sqrt((0.05 * 0.95) / sweeps);
    assert.ok(falseDecisions / sweeps <= 0.05 + margin, `${falseDecisions} of ${sweeps} sweeps decided between identical spaces`);
  });

  test('normalized EDFs, identical errors at each complexity but different complexity mixes: ≤ alpha over 1,000 sweeps', () => {
    const rng = new Rng(7);
    const sweeps = 1000;
    const plan: SequentialSampling = { min: 16, max: 32, step: 8, until: 'decided' };
    let falseDecisions = 0;
    for (let k = 0; k < sweeps; k++) if (simulateSweep(rng, 0, { plan, normalized: true, complexityBias: 2 }).status === 'decided') falseDecisions++;
    assert.ok(falseDecisions / sweeps <= 0.05 + 3 * Math.sqrt((0.05 * 0.95) / sweeps), `${falseDecisions} of ${sweeps}`);
  });

  for (const normalized of [false, true]) {
    test(`clearly different spaces are decided well before max, with the right winner (${normalized ? 'normalized' : 'plain'})`, () => {
      const rng = new Rng(11);
      const sweeps = 100;
      let decided = 0;
      let right = 0;
      let rounds = 0;
      for (let k = 0; k < sweeps; k++) {
        // 1 (normalized) or 1.5 (plain: complexity adds spread) error standard deviations apart.
        const s = simulateSweep(rng, normalized ? 4 : 6, { normalized });
        if (s.status === 'decided') {
          decided++;
          rounds += s.round;
          if (s.pairs[0].last?.better === 'A') right++;
        }
      }
      assert.ok(decided / sweeps >= 0.9, `power ${decided / sweeps}`);
      assert.equal(right, decided);
      assert.ok(rounds / decided < 6, `mean stopping round ${rounds / decided} of 11`);
    });
  }
});

describe('permutation test of normalized EDFs', () => {
  test('valid p-values: P(p ≤ 0.05) ≤ 0.05 for identical spaces (500 simulated pairs)', () => {
    const rng = new Rng(3);
    let small = 0;
    for (let k = 0; k < 500; k++) {
      const a = simulatedSpace(rng, 16, 0);
      const b = simulatedSpace(rng, 16, 0, 1);
      const wa = complexityWeights(a.complexities, [2e6, 6e6], 4);
      const wb = complexityWeights(b.complexities, [2e6, 6e6], 4);
      const r = normalizedKsTest({ errors: a.errors, ...wa }, { errors: b.errors, ...wb }, { seed: k, permutations: 199 });
      if (r.p <= 0.05) small++;
    }
    assert.ok(small / 500 <= 0.05 + 3 * Math.sqrt((0.05 * 0.95) / 500), `${small} of 500`);
  });

  test('seeded: the same seed gives the same p; the smallest p is 1/(permutations + 1)', () => {
    const a = { errors: [1, 2, 3, 4], weights: [0.25, 0.25, 0.25, 0.25], bins: [0, 0, 1, 1] };
    const b = { errors: [5, 6, 7, 8], weights: [0.25, 0.25, 0.25, 0.25], bins: [0, 0, 1, 1] };
    const r = normalizedKsTest(a, b, { seed: 1, permutations: 999 });
    assert.equal(r.d, 1);
    assert.deepEqual(normalizedKsTest(a, b, { seed: 1, permutations: 999 }), r);
    // Of the 6 × 6 = 36 within-bin relabellings, 2 separate the spaces as well (either way round): p ≈ 2/36.
    close(r.p, 2 / 36, 0.015);
    assert.equal(r.method, 'permutation');
  });
});

describe('DKW confidence bands', () => {
  test('half-width √(ln(2/α)/(2n)): hand values', () => {
    // ln(40) = 3.6888794541; /(2·24) = 0.0768516553; √ = 0.2772213110
    close(dkwEpsilon(24, 0.05), Math.sqrt(Math.log(40) / 48));
    close(dkwEpsilon(24, 0.05), 0.277221311, 1e-9);
    close(dkwEpsilon(100, 0.1), Math.sqrt(Math.log(20) / 200));
    assert.equal(dkwEpsilon(1, 0.05), 1);
  });

  test('an unweighted band: the EDF ± ε, clipped to [0, 1]', () => {
    const errors = [30, 10, 20, 20];
    const curve = edfCurve(errors);
    const band = dkwBand(curve, 0.05, errors.length);
    close(band.epsilon, Math.sqrt(Math.log(40) / 8));
    assert.deepEqual(band.lower, curve.y.map((y) => Math.max(0, y - band.epsilon)));
    assert.deepEqual(band.upper, [Math.min(1, 0.25 + band.epsilon), 1, 1]);
    assert.equal(band.level, 0.95);
  });

  test('a weighted band uses the effective sample size (Σw)²/Σw²', () => {
    const weights = [0.5, 0.25, 0.25, 0];
    close(bandSize(weights), 1 / (0.25 + 0.0625 + 0.0625));
    const curve = edfCurve([1, 2, 3, 4], weights);
    const band = dkwBand(curve, 0.05, bandSize(weights));
    close(band.epsilon, Math.sqrt(Math.log(40) / (2 * (1 / 0.375))));
    // Equal weights: the effective size is the count.
    close(bandSize([0.25, 0.25, 0.25, 0.25]), 4);
  });
});
