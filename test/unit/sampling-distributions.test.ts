import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { compileDistribution, drawValue } from '../../src/core/sampling/distributions';
import { Rng } from '../../src/core/sampling/rng';
import type { Distribution } from '../../src/core/space/types';

function draws(d: Distribution, n: number, seed = 7): number[] {
  const rng = new Rng(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(drawValue(d, rng));
  return out;
}

function first5(d: Distribution, seed: number): number[] {
  return draws(d, 5, seed);
}

/** x is an exact decimal with at most `places` places (0.1-quantized: 36.4, never 36.400000000000006). */
function isDecimal(x: number, places: number): boolean {
  const scaled = x * 10 ** places;
  return Number(x.toFixed(places)) === x && Math.abs(scaled - Math.round(scaled)) <= 1e-9 * Math.max(1, Math.abs(scaled));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
}

describe('Rng', () => {
  test('the stream of seed 42 is pinned: same floats and integers on every machine', () => {
    const rng = new Rng(42);
    assert.deepEqual(
      [rng.float(), rng.float(), rng.float(), rng.float(), rng.float()],
      [0.5546793616940079, 0.9525469079490253, 0.4639224483869473, 0.7970130583512934, 0.9338632925131114],
    );
    const ints = new Rng(42);
    assert.deepEqual([1, 2, 3, 4, 5].map(() => ints.int(1, 6)), [4, 4, 5, 4, 3]);
  });

  test('same seed, same stream; adjacent seeds start far apart', () => {
    const a = new Rng(5);
    const b = new Rng(5);
    for (let i = 0; i < 100; i++) assert.equal(a.float(), b.float());
    const firsts = [0, 1, 2, 3].map((s) => new Rng(s).float());
    for (let i = 0; i < firsts.length; i++) {
      for (let j = i + 1; j < firsts.length; j++) assert.ok(Math.abs(firsts[i] - firsts[j]) > 1e-3, `seeds ${i} and ${j} start at ${firsts[i]} and ${firsts[j]}`);
    }
  });

  test('seeds above 2^32 use their high bits', () => {
    assert.notEqual(new Rng(2 ** 32 + 1).float(), new Rng(1).float());
  });

  test('float in [0, 1), int in its closed range with both ends reached', () => {
    const rng = new Rng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const f = rng.float();
      assert.ok(f >= 0 && f < 1);
      const k = rng.int(-2, 2);
      assert.ok(Number.isInteger(k) && k >= -2 && k <= 2);
      seen.add(k);
    }
    assert.deepEqual([...seen].sort(), [-1, -2, 0, 1, 2]);
  });

  test('rejects seeds that are not non-negative safe integers', () => {
    assert.throws(() => new Rng(-1), RangeError);
    assert.throws(() => new Rng(1.5), RangeError);
    assert.throws(() => new Rng(2 ** 53), RangeError);
  });
});

describe('drawValue', () => {
  const N = 20000;

  test('uniform: every multiple of q in [lo, hi] equally often, ends included', () => {
    const d: Distribution = { kind: 'uniform', range: [3, 12], quantum: 1 };
    assert.deepEqual(first5(d, 42), [8, 4, 5, 10, 3]);
    const counts = new Map<number, number>();
    for (const x of draws(d, N)) counts.set(x, (counts.get(x) ?? 0) + 1);
    assert.deepEqual([...counts.keys()].sort((a, b) => a - b), [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const c of counts.values()) assert.ok(Math.abs(c - N / 10) < N / 10 * 0.1, `count ${c}`);
  });

  test('uniform with a decimal quantum gives exact decimals', () => {
    const xs = draws({ kind: 'uniform', range: [0.5, 2], quantum: 0.1 }, N);
    for (const x of xs) assert.ok(x >= 0.5 && x <= 2 && isDecimal(x, 1), String(x));
    assert.ok(xs.includes(0.5) && xs.includes(2) && xs.includes(0.7));
  });

  test('log-uniform (WA, q = 0.1): exact one-place decimals in [lo, hi], ends reached', () => {
    const d: Distribution = { kind: 'log-uniform', range: [4, 64], quantum: 0.1 };
    assert.deepEqual(first5(d, 42), [13.6, 4.5, 17.5, 6.9, 4.7]);
    const xs = draws(d, N);
    for (const x of xs) assert.ok(x >= 4 && x <= 64 && isDecimal(x, 1), String(x));
    assert.ok(xs.includes(4) && xs.includes(64));
  });

  test('log-uniform (WM, q = 0.001): exact three-place decimals', () => {
    const d: Distribution = { kind: 'log-uniform', range: [1.5, 3], quantum: 0.001 };
    assert.deepEqual(first5(d, 42), [2.042, 1.55, 2.175, 1.726, 1.57]);
    for (const x of draws(d, N)) assert.ok(x >= 1.5 && x <= 3 && isDecimal(x, 3), String(x));
  });

  test('log-uniform widths (q = 8): multiples of 8, small widths favoured', () => {
    const d: Distribution = { kind: 'log-uniform', range: [8, 128], quantum: 8 };
    assert.deepEqual(first5(d, 42), [24, 8, 32, 16, 8]);
    const xs = draws(d, N);
    for (const x of xs) assert.ok(x >= 8 && x <= 128 && x % 8 === 0, String(x));
    const low = xs.filter((x) => x <= 32).length;
    // P(f ≤ 32) = ln(32/4)/ln(128/4) = 0.6 with q* = 4: far more than a uniform draw's 25%.
    assert.ok(Math.abs(low / N - 0.6) < 0.02, `share ≤ 32: ${low / N}`);
  });

  test('log-uniform integers (q = 1) reach lo = 1 (q* = lo/2)', () => {
    const xs = draws({ kind: 'log-uniform', range: [1, 6], quantum: 1 }, N);
    assert.deepEqual([...new Set(xs)].sort(), [1, 2, 3, 4, 5, 6]);
    // P(1) = ln(1/0.5)/ln(6/0.5) = 0.279.
    assert.ok(Math.abs(xs.filter((x) => x === 1).length / N - 0.279) < 0.015);
  });

  test('log-uniform over millions of multiples (pycls cifar_optim BASE_LR, q = 1e-10) stays decimal-exact', () => {
    const xs = draws({ kind: 'log-uniform', range: [0.25, 5], quantum: 1e-10 }, 2000);
    for (const x of xs) assert.ok(x >= 0.25 && x <= 5 && isDecimal(x, 10), String(x));
    assert.ok(new Set(xs).size > 1990);
  });

  test('log-uniform median is near the geometric mean of the range', () => {
    const xs = draws({ kind: 'log-uniform', range: [10, 1000], quantum: 0.1 }, N);
    const m = median(xs);
    assert.ok(Math.abs(m / 100 - 1) < 0.05, `median ${m}`);
  });

  test('power2: powers of two in [lo, hi], each exponent equally likely', () => {
    const d: Distribution = { kind: 'power2', range: [0.25, 1], quantum: 1 / 128 };
    assert.deepEqual(first5(d, 42), [0.25, 0.25, 0.5, 0.25, 1]);
    const xs = draws(d, N);
    for (const v of [0.25, 0.5, 1]) {
      const share = xs.filter((x) => x === v).length / N;
      assert.ok(Math.abs(share - 1 / 3) < 0.02, `${v}: ${share}`);
    }
    assert.equal(xs.filter((x) => ![0.25, 0.5, 1].includes(x)).length, 0);
  });

  test('power2-or-log-uniform (GROUP_W [1, 32], q = 8): below q powers of two, above multiples of q', () => {
    const d: Distribution = { kind: 'power2-or-log-uniform', range: [1, 32], quantum: 8 };
    assert.deepEqual(first5(d, 42), [8, 16, 4, 8, 24]);
    const xs = draws(d, N);
    const seen = new Set(xs);
    for (const x of xs) {
      assert.ok(x >= 1 && x <= 32);
      if (x < 8) assert.ok([1, 2, 4].includes(x), String(x));
      else assert.equal(x % 8, 0);
    }
    assert.deepEqual([...seen].sort((a, b) => a - b), [1, 2, 4, 8, 16, 24, 32]);
    // The power-of-two draw picks one of 1, 2, 4, 8, 16, 32; half of them are ≥ q and redrawn.
    assert.ok(Math.abs(xs.filter((x) => x < 8).length / N - 0.5) < 0.02);
  });

  test('values: a uniform choice among the listed values', () => {
    const d: Distribution = { kind: 'values', values: [1, 2, 4, 8, 16, 32] };
    assert.deepEqual(first5(d, 42), [8, 8, 16, 8, 4]);
    const xs = draws(d, N);
    for (const v of [1, 2, 4, 8, 16, 32]) assert.ok(Math.abs(xs.filter((x) => x === v).length / N - 1 / 6) < 0.02);
  });

  test('normal: centred on the range, σ a sixth of its width, redrawn outside, rounded to the quantum', () => {
    const d: Distribution = { kind: 'normal', range: [-0.5, 0.5], quantum: 0.1 };
    const xs = draws(d, N);
    assert.deepEqual(draws(d, 5, 42), draws(d, 5, 42));
    for (const x of xs) assert.ok(x >= -0.5 && x <= 0.5 && isDecimal(x, 1), String(x));
    const mean = xs.reduce((a, b) => a + b, 0) / N;
    assert.ok(Math.abs(mean) < 0.005, `mean ${mean}`);
    // σ = 1/6, so x rounds to ±0.4 or ±0.5 when |z| ≥ 2.1: (0.0357 − 0.0027) / 0.9973 ≈ 0.033 of draws kept in range.
    const outer = xs.filter((x) => Math.abs(x) >= 0.35).length / N;
    assert.ok(Math.abs(outer - 0.033) < 0.006, `outer share ${outer}`);
  });

  test('log-normal: centred on the range in log space (median near √(lo·hi)), inside [lo, hi]', () => {
    const d: Distribution = { kind: 'log-normal', range: [0.01, 1], quantum: 0.001 };
    const xs = draws(d, N);
    for (const x of xs) assert.ok(x >= 0.01 && x <= 1 && isDecimal(x, 3), String(x));
    assert.ok(Math.abs(median(xs) - 0.1) < 0.005, `median ${median(xs)}`);
    assert.throws(() => compileDistribution({ kind: 'log-normal', range: [0, 1], quantum: 0.1 }), /positive/);
    // A range of one value has σ = 0: always that value.
    assert.deepEqual(draws({ kind: 'normal', range: [3, 3], quantum: 1 }, 3), [3, 3, 3]);
  });

  test('compiled and uncompiled draws consume the same stream', () => {
    const d: Distribution = { kind: 'log-uniform', range: [8, 256], quantum: 8 };
    const drawer = compileDistribution(d);
    const a = new Rng(3);
    const b = new Rng(3);
    for (let i = 0; i < 100; i++) assert.equal(drawer(a), drawValue(d, b));
  });

  test('distributions that cannot yield a value in range are rejected', () => {
    assert.throws(() => compileDistribution({ kind: 'uniform', range: [5, 3], quantum: 1 }), /reversed/);
    assert.throws(() => compileDistribution({ kind: 'uniform', range: [1, 7], quantum: 8 }), /no multiple of 8/);
    assert.throws(() => compileDistribution({ kind: 'log-uniform', range: [0, 8], quantum: 1 }), /positive/);
    assert.throws(() => compileDistribution({ kind: 'power2', range: [3, 8], quantum: 1 }), /powers of two/);
    assert.throws(() => compileDistribution({ kind: 'power2', range: [1, 32], quantum: 8 }), /outside \[1, 32\]/);
    assert.throws(() => compileDistribution({ kind: 'values', values: [] }), /empty/);
  });
});
