import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { complexityWeights, edfArea, edfAt, edfCurve, summarizeErrors } from '../../src/core/analysis/edf';
import { kolmogorovQ, ksTest } from '../../src/core/analysis/ks';
import { bestOfResamples, bootstrapBestRanges, ORDER_STATISTIC_SIZE, percentile } from '../../src/core/analysis/bootstrap';
import { DENSE_M, EVERY_M_UP_TO, randomSearchEfficiency, searchSizes } from '../../src/core/analysis/randomSearch';

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);

describe('error EDF', () => {
  test('F(e) counts errors strictly below e', () => {
    const errors = [30, 10, 20, 20];
    assert.equal(edfAt(errors, 10), 0);
    assert.equal(edfAt(errors, 10.5), 0.25);
    assert.equal(edfAt(errors, 20), 0.25);
    assert.equal(edfAt(errors, 20.01), 0.75);
    assert.equal(edfAt(errors, 31), 1);
  });

  test('the curve steps at each distinct error, ties merged', () => {
    assert.deepEqual(edfCurve([30, 10, 20, 20]), { x: [10, 20, 30], y: [0.25, 0.75, 1] });
  });

  test('a weighted curve leaves out zero-weight models', () => {
    assert.deepEqual(edfCurve([5, 1, 3], [0.5, 0, 0.5]), { x: [3, 5], y: [0.5, 1] });
  });

  test('one model: a single step to 1', () => {
    assert.deepEqual(edfCurve([12.5]), { x: [12.5], y: [1] });
  });

  test('area up to ε: 1 − Σ w·min(1, e/ε)', () => {
    // errors 10 and 40 with ε = 20: 1 − (0.5·0.5 + 0.5·1) = 0.25
    close(edfArea([10, 40], 20), 0.25);
    close(edfArea([0, 0], 5), 1);
    close(edfArea([50, 60], 20), 0);
  });

  test('summary: n, min, mean, median', () => {
    assert.deepEqual(summarizeErrors([4, 1, 3, 2]), { n: 4, min: 1, mean: 2.5, median: 2.5 });
    assert.deepEqual(summarizeErrors([5, 1, 3]), { n: 3, min: 1, mean: 3, median: 3 });
    const none = summarizeErrors([]);
    assert.equal(none.n, 0);
    assert.ok(Number.isNaN(none.min));
  });
});

describe('complexity-normalized EDF weights', () => {
  test('every bin gets mass 1/B; models outside the open range are dropped', () => {
    // range (0, 4), 2 bins: [0,2) and [2,4]. c = 1, 1.5, 3 in range; 0 and 4 are not (strict).
    const w = complexityWeights([1, 1.5, 3, 0, 4], [0, 4], 2);
    assert.deepEqual(w.binCounts, [2, 1]);
    assert.equal(w.dropped, 2);
    assert.deepEqual(w.emptyBins, []);
    assert.deepEqual(w.weights, [0.25, 0.25, 0.5, 0, 0]);
  });

  test('the normalized EDF differs from the plain one when complexity is skewed', () => {
    // Three cheap models with high error, one expensive with low error.
    const errors = [40, 42, 44, 10];
    const w = complexityWeights([1, 1.2, 1.4, 3.5], [0, 4], 2).weights;
    close(edfAt(errors, 11), 0.25);
    close(edfAt(errors, 11, w), 0.5);
  });

  test('an empty bin is reported and the rest renormalized', () => {
    const w = complexityWeights([0.5, 0.6, 3.9], [0, 4], 4);
    assert.deepEqual(w.emptyBins, [1, 2]);
    assert.deepEqual(w.weights, [0.25, 0.25, 0.5]);
  });

  test('the last bin is closed like np.histogram: a value just below hi lands in it', () => {
    const w = complexityWeights([3.9999999], [0, 4], 4);
    assert.deepEqual(w.binCounts, [0, 0, 0, 1]);
  });

  test('bad ranges and bins are errors', () => {
    assert.throws(() => complexityWeights([1], [2, 2], 4), /lo < hi/);
    assert.throws(() => complexityWeights([1], [0, 2], 0), /bins/);
  });
});

describe('KS statistic', () => {
  test('identical samples: D = 0, p = 1', () => {
    const r = ksTest([1, 2, 3], [3, 2, 1]);
    assert.equal(r.d, 0);
    assert.equal(r.p, 1);
  });

  test('disjoint samples: D = 1', () => {
    assert.equal(ksTest([1, 2, 3], [4, 5, 6]).d, 1);
  });

  test('hand-computed D with ties between samples', () => {
    // a = {1, 2, 2, 5}, b = {2, 3}: after 1: 1/4 vs 0; after 2: 3/4 vs 1/2; after 3: 3/4 vs 1; after 5: 1 vs 1.
    const r = ksTest([1, 2, 2, 5], [2, 3]);
    close(r.d, 0.25);
    assert.equal(r.at, 1);
  });

  test('exact p-values: scipy.stats.ks_2samp(method="exact") on distinct values', () => {
    // n = m = 5, fully separated: the two extreme splits of C(10, 5) = 252, p = 2/252.
    close(ksTest([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).p, 2 / 252, 1e-12);
    // Interleaved a = {1,3,5,7,9}, b = {2,4,6,8,10}: D = 0.2, every split has D ≥ 0.2, p = 1.
    close(ksTest([1, 3, 5, 7, 9], [2, 4, 6, 8, 10]).p, 1, 1e-12);
    // n = m = 8, D = 0.5: scipy's exact p = 0.2826728826728827 (C(16, 8) = 12870 paths).
    const a = [1, 2, 3, 4, 9, 11, 13, 15];
    const b = [5, 6, 7, 8, 10, 12, 14, 16];
    const r = ksTest(a, b);
    close(r.d, 0.5);
    assert.equal(r.method, 'exact');
    close(r.p, 0.2826728826728827, 1e-12);
  });

  test('exact p-values keep ties: the permutation distribution of the tied pooled sample', () => {
    // a = {1, 1}, b = {1, 2}: D = ½ (after 1: 1 vs ½). Of the C(4, 2) = 6 splits of {1, 1, 1, 2},
    // the 3 that put 2 in b reach D = ½, the 3 that put 2 in a also do: p = 1.
    close(ksTest([1, 1], [1, 2]).p, 1, 1e-12);
    // Brute force over every split of a small tied sample.
    const a = [1, 2, 2, 3, 5];
    const b = [2, 4, 5, 6, 6, 7];
    const pooled = [...a, ...b];
    const observed = ksTest(a, b).d;
    let reached = 0;
    let total = 0;
    for (let mask = 0; mask < 1 << pooled.length; mask++) {
      if (popcount(mask) !== a.length) continue;
      total++;
      const x = pooled.filter((_, i) => mask & (1 << i));
      const y = pooled.filter((_, i) => !(mask & (1 << i)));
      if (ksTest(x, y).d >= observed - 1e-12) reached++;
    }
    close(ksTest(a, b).p, reached / total, 1e-12);
  });

  test('exact p at n = 8 is larger than the asymptotic one there (which overstated significance)', () => {
    const a = [1, 2, 3, 4, 5, 6, 9, 12];
    const b = [7, 8, 10, 11, 13, 14, 15, 16];
    const r = ksTest(a, b);
    assert.ok(r.p > kolmogorovQ(Math.sqrt(4), r.d), `${r.p}`);
  });

  test('asymptotic p-value: textbook points of the Kolmogorov distribution', () => {
    // Q(λ) without the small-sample correction (huge n): Q(1.36) ≈ 0.049, Q(1.63) ≈ 0.0098, Q(0.5) ≈ 0.964.
    const big = 1e12;
    close(kolmogorovQ(big, 1.36 / big), 0.0494, 5e-4);
    close(kolmogorovQ(big, 1.63 / big), 0.0098, 3e-4);
    close(kolmogorovQ(big, 0.5 / big), 0.9639, 5e-4);
  });

  test('far-apart samples of 12 each have a small p', () => {
    const a = Array.from({ length: 12 }, (_, i) => 10 + i);
    const b = Array.from({ length: 12 }, (_, i) => 30 + i);
    const r = ksTest(a, b);
    assert.equal(r.d, 1);
    assert.ok(r.p < 1e-4, String(r.p));
  });
});

describe('bootstrap best range', () => {
  test('numpy linear percentiles', () => {
    assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
    close(percentile([1, 2, 3, 4], 2.5), 1.075);
    close(percentile([1, 2, 3, 4], 97.5), 3.925);
    assert.equal(percentile([7], 97.5), 7);
  });

  test('resamples of size max(1, ⌊fraction·n⌋) pick the lowest error in each', () => {
    // With fraction 1 on two models, a resample misses the best one only if it draws the worst twice.
    const best = bestOfResamples([10, 20], { resamples: 4000, fraction: 1, seed: 3 });
    const share = Array.from(best).filter((i) => i === 0).length / best.length;
    close(share, 0.75, 0.03);
    // Resamples of size 1 (fraction·n < 1) are uniform draws.
    const single = bestOfResamples([10, 20, 30, 40], { resamples: 4000, fraction: 0.1, seed: 3 });
    close(Array.from(single).filter((i) => i === 3).length / single.length, 0.25, 0.03);
  });

  test('the best range sits where the low-error models are', () => {
    // Property x; error lowest around x = 50.
    const x = Array.from({ length: 101 }, (_, i) => i);
    const errors = x.map((v) => Math.abs(v - 50) + 5);
    const r = bootstrapBestRanges(errors, { x }, { resamples: 2000, fraction: 0.25, seed: 0 });
    assert.ok(r.x.lo <= 50 && r.x.hi >= 50, JSON.stringify(r.x));
    assert.ok(r.x.hi - r.x.lo < 20, JSON.stringify(r.x));
    close(r.x.median, 50, 2);
  });

  test('seeded: same seed, same ranges; another seed, other draws', () => {
    const errors = [5, 3, 8, 1, 9, 4, 7, 2, 6];
    const props = { d: [1, 2, 3, 4, 5, 6, 7, 8, 9] };
    const opts = { resamples: 500, fraction: 0.25, seed: 11 };
    assert.deepEqual(bootstrapBestRanges(errors, props, opts), bootstrapBestRanges(errors, props, opts));
    assert.notDeepEqual(bestOfResamples(errors, opts), bestOfResamples(errors, { ...opts, seed: 12 }));
  });

  test('large resamples draw their best model from its exact distribution, ties shared alike', () => {
    // n = 1000 at fraction 0.25: resamples of 250 ≥ ORDER_STATISTIC_SIZE. Errors 0, 0, 1, 2, … (two models tie for best).
    const n = 1000;
    const errors = Array.from({ length: n }, (_, i) => Math.max(0, i - 1));
    assert.ok(Math.floor(0.25 * n) >= ORDER_STATISTIC_SIZE);
    const best = Array.from(bestOfResamples(errors, { resamples: 20000, fraction: 0.25, seed: 5 }));
    const share = (pick: (i: number) => boolean): number => best.filter(pick).length / best.length;
    // P(the best error is 0) = 1 − (998/1000)^250; the two tied models share it equally.
    const p0 = 1 - (998 / 1000) ** 250;
    close(share((i) => i <= 1), p0, 0.01);
    close(share((i) => i === 0), p0 / 2, 0.01);
    // P(best error ≤ 4) = 1 − (994/1000)^250.
    close(share((i) => i <= 5), 1 - (994 / 1000) ** 250, 0.01);
    // The same draws as model-by-model resampling would give in distribution: its median best index.
    const byModel = Array.from(bestOfResamples(errors.slice(0, 500), { resamples: 2000, fraction: 0.25, seed: 5 }));
    assert.ok(byModel.every((i) => i < 500));
  });

  test('one model: its value is the whole range; no models: NaN', () => {
    assert.deepEqual(bootstrapBestRanges([3], { w: [64] }, { resamples: 10, fraction: 0.25, seed: 0 }).w, { lo: 64, median: 64, hi: 64 });
    assert.ok(Number.isNaN(bootstrapBestRanges([], { w: [] }, { resamples: 10, fraction: 0.25, seed: 0 }).w.median));
  });
});

describe('random search efficiency', () => {
  test('m = 1 … n; hand values: best of m from {1, 3, 5} is 1 with probability 1 − (2/3)^m', () => {
    const pts = randomSearchEfficiency([5, 1, 3]);
    assert.deepEqual(pts.map((p) => p.m), [1, 2, 3]);
    close(pts[0].mean, 3);
    close(pts[0].std, Math.sqrt(8 / 3));
    // m = 2: P(best = 1) = 1 − 4/9 = 5/9, P(3) = 4/9 − 1/9 = 3/9, P(5) = 1/9 → mean 19/9
    close(pts[1].mean, 19 / 9);
    close(pts[2].mean, (1 * (1 - 8 / 27) + 3 * (8 / 27 - 1 / 27) + 5 / 27));
  });

  test('agrees with a brute-force simulation and falls as m grows', () => {
    const errors = Array.from({ length: 40 }, (_, i) => (i * 37) % 41);
    const pts = randomSearchEfficiency(errors);
    for (let k = 1; k < pts.length; k++) assert.ok(pts[k].mean <= pts[k - 1].mean);
    let x = 12345;
    const rand = (): number => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    let sum = 0;
    const runs = 40000;
    for (let r = 0; r < runs; r++) sum += Math.min(...Array.from({ length: 4 }, () => errors[Math.floor(rand() * errors.length)]));
    close(pts[3].mean, sum / runs, 0.15);
  });

  test('every m up to 2048 models; beyond, every m to 16 then a log-spaced grid to n, each point as the full sum gives it', () => {
    assert.deepEqual(searchSizes(5), [1, 2, 3, 4, 5]);
    assert.equal(searchSizes(EVERY_M_UP_TO).length, EVERY_M_UP_TO);
    const sizes = searchSizes(25000);
    assert.deepEqual(sizes.slice(0, DENSE_M), Array.from({ length: DENSE_M }, (_, i) => i + 1));
    assert.equal(sizes[sizes.length - 1], 25000);
    assert.ok(sizes.length < 200, String(sizes.length));
    for (let k = DENSE_M; k < sizes.length; k++) assert.ok(sizes[k] > sizes[k - 1] && sizes[k] <= Math.ceil(sizes[k - 1] * 1.05));
    const errors = Array.from({ length: 3000 }, (_, i) => ((i * 7919) % 3001) / 100);
    const pts = randomSearchEfficiency(errors);
    assert.deepEqual(pts.map((p) => p.m), searchSizes(3000));
    // The plain sum over every model.
    const sorted = [...errors].sort((a, b) => a - b);
    for (const point of [pts[0], pts[DENSE_M], pts[pts.length - 1]]) {
      let mean = 0;
      let prev = 1;
      let rest = 1;
      for (let k = 0; k < sorted.length; k++) {
        rest -= 1 / 3000;
        const next = k === sorted.length - 1 ? 0 : Math.max(0, rest) ** point.m;
        mean += (prev - next) * sorted[k];
        prev = next;
      }
      close(point.mean, mean, 1e-9);
    }
  });

  test('weights: zero-weight models are never drawn, heavier ones more often', () => {
    const pts = randomSearchEfficiency([1, 50, 60], { weights: [0, 0.5, 0.5] });
    assert.ok(pts.every((p) => p.mean >= 50));
    close(pts[0].mean, 55);
    close(randomSearchEfficiency([10, 20], { weights: [0.75, 0.25] })[0].mean, 12.5);
  });
});
