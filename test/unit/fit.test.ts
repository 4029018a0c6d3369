import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { parseWidths } from '../../src/cli/fit';
import { UsageError, UserError } from '../../src/cli/command';
import { continuousWidths, fitQuantizedLinear, type FitOptions, type WidthFit } from '../../src/core/analysis/fit';
import { generateRegnet } from '../../src/core/regnet';
import { multipleOf, roundHalfEven } from '../../src/core/rounding';
import { Rng } from '../../src/core/sampling/rng';

/** RegNetX-200MF (reference §2.4): d = 13, w0 = 24, wa = 36.44, wm = 2.49. */
const X200MF = [24, 56, 152, 152, 152, 152, 368, 368, 368, 368, 368, 368, 368];

/** Σ_j |ln(ŵ_j / w_j)| / d, straight from the definition. */
function efitOf(predicted: readonly number[], widths: readonly number[]): number {
  return predicted.reduce((s, p, j) => s + Math.abs(Math.log(p / widths[j])), 0) / widths.length;
}

/**
 * The grid optimum by brute force: every (w0, wm, wa) of the grid, predicted widths straight
 * from the model's definition, the same tie order as the fit (smaller error, then fewer
 * stages, then smaller wa, w0, wm; errors within 1e-9 tie).
 */
function bruteForce(widths: readonly number[], o: Omit<FitOptions, 'snap'> & { snap: 8 | 0 }) {
  const d = widths.length;
  const lnW = widths.map(Math.log);
  const ks = new Array<number>(d);
  const grid = (range: readonly [number, number], step: number): number[] => {
    const values: number[] = [];
    for (let i = Math.round(range[0] / step); multipleOf(i, step) <= range[1]; i++) values.push(multipleOf(i, step));
    return values;
  };
  const wms = grid(o.wmRange, o.wmStep);
  const was = grid(o.waRange, o.waStep);
  let best = { error: Infinity, stages: Infinity, w0: 0, wa: 0, wm: 0, ks: [] as number[] };
  for (let w0 = o.w0Range[0]; w0 <= o.w0Range[1]; w0 += 8) {
    for (const wm of wms) {
      const lnWm = Math.log(wm);
      for (const wa of was) {
        let error = 0;
        let stages = 1;
        for (let j = 0; j < d; j++) {
          ks[j] = roundHalfEven(Math.log((w0 + wa * j) / w0) / lnWm);
          if (j > 0 && ks[j] !== ks[j - 1]) stages++; // k_j never decreases
          const raw = w0 * Math.pow(wm, ks[j]);
          error += Math.abs(Math.log(o.snap === 8 ? 8 * roundHalfEven(raw / 8) : raw) - lnW[j]);
        }
        const wins =
          error < best.error - 1e-9 ||
          (error <= best.error + 1e-9 &&
            (stages !== best.stages ? stages < best.stages : wa !== best.wa ? wa < best.wa : w0 !== best.w0 ? w0 < best.w0 : wm < best.wm));
        if (wins) best = { error, stages, w0, wa, wm, ks: [...ks] };
      }
    }
  }
  const { w0, wm } = best;
  const predicted = best.ks.map((k) => (o.snap === 8 ? 8 * roundHalfEven((w0 * Math.pow(wm, k)) / 8) : w0 * Math.pow(wm, k)));
  return { ...best, predicted, efit: best.error / d };
}

/** Widths of an exact RegNet with random parameters on the fit's default grid. */
function randomRegnet(rng: Rng): { params: { depth: number; w0: number; wa: number; wm: number }; widths: number[] } {
  const params = {
    depth: rng.int(1, 40),
    w0: 8 * rng.int(1, 32),
    wa: multipleOf(rng.int(1, 2560), 0.1),
    wm: multipleOf(rng.int(150, 300), 0.01),
  };
  return { params, widths: generateRegnet(params).blockWidths };
}

function assertSameFit(a: WidthFit, b: WidthFit): void {
  assert.deepEqual(a, b);
}

describe('fitQuantizedLinear: exact RegNets', () => {
  test('RegNetX-200MF widths fit with e_fit 0; wa = 35.2 is the smallest grid wa giving the same stages', () => {
    const fit = fitQuantizedLinear(X200MF);
    assert.equal(fit.efit, 0);
    assert.deepEqual(fit.predicted, X200MF);
    assert.equal(fit.stages, 4);
    // 36.44 is off the 0.1 grid. With w0 = 24, wm = 2.49, block 2 reaches stage 2 once
    // 1 + 2·wa/24 ≥ 2.49^1.5 = 3.929, i.e. wa ≥ 35.15; no smaller grid wa (or other w0, wm
    // with the same widths) does it, so ties go to wa = 35.2.
    assert.deepEqual({ w0: fit.w0, wa: fit.wa, wm: fit.wm }, { w0: 24, wa: 35.2, wm: 2.49 });
  });

  test('RegNetY-400MF and RegNetX-3.2GF (before the group-width adjustment) fit with e_fit 0', () => {
    for (const p of [
      { depth: 16, w0: 48, wa: 27.89, wm: 2.09 },
      { depth: 25, w0: 88, wa: 26.31, wm: 2.25 },
    ]) {
      const widths = generateRegnet(p).blockWidths;
      const fit = fitQuantizedLinear(widths);
      assert.equal(fit.efit, 0, JSON.stringify(p));
      assert.deepEqual(fit.predicted, widths);
      assert.equal(fit.stages, 4);
    }
  });

  test('random RegNets on the grid (seeded) fit with e_fit 0; the recovered parameters regenerate the same widths', () => {
    const rng = new Rng(2020);
    for (let i = 0; i < 40; i++) {
      const { params, widths } = randomRegnet(rng);
      const fit = fitQuantizedLinear(widths);
      const where = JSON.stringify(params);
      assert.equal(fit.efit, 0, where);
      assert.deepEqual(fit.predicted, widths, where);
      assert.deepEqual(generateRegnet({ depth: widths.length, w0: fit.w0, wa: fit.wa, wm: fit.wm }).blockWidths, widths, where);
      assert.equal(fit.stages, new Set(generateRegnet(params).stageIndices).size, where);
    }
  });

  test('a stage index exactly at k + ½ is settled as pycls settles it', () => {
    // wm = 2.25 has √wm = 1.5, so with w0 = 8 and wa = 4 block 1 sits exactly on s = ½
    // ((8 + 4)/8 = 2.25^½, also in floating point) and rounds half to even: stage 0. Block 75
    // reaches stage 5 only from wa = 8·(2.25^4.5 − 1)/75 = 3.993 on, so wa = 4 is the one grid
    // value that produces these widths: the sweep must treat the tie exactly as generation does.
    const widths = generateRegnet({ depth: 76, w0: 8, wa: 4, wm: 2.25 }).blockWidths;
    assert.deepEqual(widths.slice(0, 3), [8, 8, 16]);
    const fit = fitQuantizedLinear(widths);
    assert.deepEqual({ w0: fit.w0, wa: fit.wa, wm: fit.wm, efit: fit.efit }, { w0: 8, wa: 4, wm: 2.25, efit: 0 });
    assert.deepEqual(fit.predicted, widths);
  });

  test('constant widths fit with e_fit 0 as a single stage', () => {
    const short = fitQuantizedLinear([64, 64, 64, 64]);
    assert.deepEqual(short, { w0: 64, wa: 0.1, wm: 1.5, efit: 0, predicted: [64, 64, 64, 64], stages: 1 });
    const long = fitQuantizedLinear(new Array(64).fill(256));
    assert.equal(long.efit, 0);
    assert.equal(long.stages, 1);
    assert.deepEqual(long.predicted, new Array(64).fill(256));
  });
});

describe('fitQuantizedLinear: sequences no RegNet produces', () => {
  test('a single block: w0 is the multiple of 8 nearest in log terms', () => {
    // ŵ_0 = w0 always. Around 100: |ln(96/100)| = 0.04082, |ln(104/100)| = 0.03922, so 104;
    // wa and wm do not matter and take their smallest grid values.
    const fit = fitQuantizedLinear([100]);
    assert.deepEqual({ w0: fit.w0, wa: fit.wa, wm: fit.wm, stages: fit.stages }, { w0: 104, wa: 0.1, wm: 1.5, stages: 1 });
    assert.ok(Math.abs(fit.efit - Math.log(1.04)) < 1e-15);
  });

  test('decreasing widths [64, 32]: e_fit = ln(2)/2, hand-checked', () => {
    // Predicted widths never decrease and ŵ_0 = w0, so ŵ_1 ≥ w0. For 32 ≤ w0 ≤ 64 and
    // ŵ_1 = w0 (block 1 still in stage 0, true for wa = 0.1) the error is
    // ln(64/w0) + ln(w0/32) = ln 2; any other choice costs more. All of w0 = 32…64 tie with
    // one stage at wa = 0.1, and the smallest w0 and wm win the tie.
    const fit = fitQuantizedLinear([64, 32]);
    assert.ok(Math.abs(fit.efit - Math.LN2 / 2) < 1e-15, String(fit.efit));
    assert.deepEqual({ w0: fit.w0, wa: fit.wa, wm: fit.wm, stages: fit.stages, predicted: fit.predicted }, {
      w0: 32,
      wa: 0.1,
      wm: 1.5,
      stages: 1,
      predicted: [32, 32],
    });
  });

  test('[8, 512, 16, 256] and a long decreasing sequence have e_fit > 0, matching their predictions', () => {
    const zigzag = fitQuantizedLinear([8, 512, 16, 256]);
    assert.ok(zigzag.efit > 0.5, String(zigzag.efit));
    assert.ok(Math.abs(zigzag.efit - efitOf(zigzag.predicted, [8, 512, 16, 256])) < 1e-15);
    const decreasing = Array.from({ length: 32 }, (_, j) => 512 - 8 * j);
    const fit = fitQuantizedLinear(decreasing);
    assert.ok(fit.efit > 0.1, String(fit.efit));
    assert.ok(Math.abs(fit.efit - efitOf(fit.predicted, decreasing)) < 1e-15);
  });

  test('predicted is always the generated RegNet of the returned parameters, and stages its distinct stage indices', () => {
    for (const widths of [[8, 512, 16, 256], [300, 20, 700, 44, 44, 90], [1000, 1000, 8, 8, 8, 8, 8, 8]]) {
      const fit = fitQuantizedLinear(widths);
      const shape = generateRegnet({ depth: widths.length, w0: fit.w0, wa: fit.wa, wm: fit.wm });
      assert.deepEqual(fit.predicted, shape.blockWidths);
      assert.equal(fit.stages, new Set(shape.stageIndices).size);
    }
  });

  test('snap: 0 predicts the unsnapped w0·wm^k', () => {
    const fit = fitQuantizedLinear(X200MF, { snap: 0 });
    const ks = generateRegnet({ depth: X200MF.length, w0: fit.w0, wa: fit.wa, wm: fit.wm }).stageIndices;
    assert.deepEqual(fit.predicted, ks.map((k) => fit.w0 * Math.pow(fit.wm, k)));
    // 24·2.49^k is 24, 59.76, 148.80, 370.52: close to, but not, the observed multiples of 8.
    assert.ok(fit.efit > 0 && fit.efit < 0.03, String(fit.efit));
  });
});

describe('fitQuantizedLinear: the sweep finds the grid optimum', () => {
  const coarse = { w0Range: [8, 64], wmRange: [1.5, 3], wmStep: 0.1, waRange: [0.1, 20], waStep: 0.1 } as const;
  const cases: number[][] = [
    [8, 512, 16, 256],
    [24, 56, 152, 152, 152, 368, 368],
    [64, 32],
    [16, 16, 48, 48, 48, 200, 200, 200, 200],
    [40, 100, 100, 260, 260, 260],
    [8, 8, 8, 8, 8, 8, 8, 8],
  ];
  const rng = new Rng(7);
  for (let i = 0; i < 6; i++) cases.push(Array.from({ length: rng.int(1, 9) }, () => rng.int(4, 600)));

  for (const snap of [8, 0] as const) {
    test(`matches a brute force over a coarse grid (snap ${snap})`, () => {
      for (const widths of cases) {
        const fit = fitQuantizedLinear(widths, { ...coarse, snap });
        const brute = bruteForce(widths, { ...coarse, snap });
        const where = `${JSON.stringify(widths)}: fit ${JSON.stringify(fit)} brute ${JSON.stringify(brute)}`;
        assert.ok(Math.abs(fit.efit - brute.efit) < 1e-12, where);
        assert.deepEqual([fit.w0, fit.wa, fit.wm, fit.stages], [brute.w0, brute.wa, brute.wm, brute.stages], where);
        assert.deepEqual(fit.predicted, brute.predicted, where);
      }
    });
  }
});

describe('fitQuantizedLinear: determinism and input checks', () => {
  test('a result does not depend on what was fitted before', () => {
    const first = fitQuantizedLinear(X200MF);
    const firstZigzag = fitQuantizedLinear([8, 512, 16, 256], { snap: 0 });
    fitQuantizedLinear(Array.from({ length: 100 }, (_, j) => 8 * (1 + (j % 7)))); // deeper than any before
    fitQuantizedLinear([48, 96], { wmRange: [2, 2.5], waRange: [1, 50] });
    assertSameFit(fitQuantizedLinear(X200MF), first);
    assertSameFit(fitQuantizedLinear([8, 512, 16, 256], { snap: 0 }), firstZigzag);
  });

  test('empty lists and widths that are not positive finite numbers are rejected with the block named', () => {
    assert.throws(() => fitQuantizedLinear([]), /empty/);
    assert.throws(() => fitQuantizedLinear([8, 0, 16]), /width 1 is 0: widths must be positive finite numbers/);
    assert.throws(() => fitQuantizedLinear([8, 16, -4]), /width 2 is -4/);
    assert.throws(() => fitQuantizedLinear([NaN]), /width 0 is NaN/);
    assert.throws(() => fitQuantizedLinear([8, Infinity]), /width 1 is Infinity/);
    assert.throws(() => fitQuantizedLinear([8, '16' as unknown as number]), /width 1 is 16/);
  });

  test('bad options are rejected', () => {
    assert.throws(() => fitQuantizedLinear([8], { snap: 4 as 8 }), /snap must be 8 or 0/);
    assert.throws(() => fitQuantizedLinear([8], { wmRange: [0.5, 1] }), /wmRange must lie above 1/);
    assert.throws(() => fitQuantizedLinear([8], { w0Range: [1, 7] }), /w0Range \[1, 7\] holds no multiple of 8/);
    assert.throws(() => fitQuantizedLinear([8], { waRange: [5, 1] }), /waRange must be a finite \[lo, hi\]/);
    assert.throws(() => fitQuantizedLinear([8], { w0Range: [8, 8192], wmStep: 0.0001 }), /the grid has 15361024 \(w0, wm\) pairs/);
  });
});

describe('continuousWidths', () => {
  test('u_j = w0 + wa·j', () => {
    const u = continuousWidths(24, 36.44, 4);
    [24, 60.44, 96.88, 133.32].forEach((x, j) => assert.ok(Math.abs(u[j] - x) < 1e-12, `${u[j]} vs ${x}`));
    assert.deepEqual(continuousWidths(8, 0, 3), [8, 8, 8]);
    assert.deepEqual(continuousWidths(8, 1, 0), []);
  });
});

describe('parseWidths (dslab fit WIDTHS)', () => {
  test('commas, spaces, several arguments and JSON arrays', () => {
    assert.deepEqual(parseWidths(['24,56,152']), [24, 56, 152]);
    assert.deepEqual(parseWidths(['24, 56 ,152']), [24, 56, 152]);
    assert.deepEqual(parseWidths(['24 56', '152']), [24, 56, 152]);
    assert.deepEqual(parseWidths(['24,56', '152']), [24, 56, 152]);
    assert.deepEqual(parseWidths([' [24, 56.5, 1e2] ']), [24, 56.5, 100]);
    assert.deepEqual(parseWidths(['+8,.5,2.']), [8, 0.5, 2]);
  });

  test('every bad item is named by its position from 1', () => {
    for (const [arg, message] of [
      ['24,0', "item 2 '0' is not a positive number"],
      ['24,,56', "item 2 '' is not a positive number"],
      ['24,56,', "item 3 '' is not a positive number"],
      ['24,1e999', "item 2 '1e999' is not a positive number"],
      ['0x10', "item 1 '0x10' is not a positive number"],
      ['24,NaN', "item 2 'NaN' is not a positive number"],
      ['[24, null]', "item 2 'null' is not a positive number"],
      ['[24, "56"]', `item 2 '"56"' is not a positive number`],
      ['[24, [56]]', "item 2 '[56]' is not a positive number"],
      ['[24, -1]', "item 2 '-1' is not a positive number"],
    ]) {
      assert.throws(() => parseWidths([arg]), (err: Error) => err instanceof UserError && err.message === message, arg);
    }
  });

  test('empty input is bad usage; an empty or broken JSON array a user error', () => {
    assert.throws(() => parseWidths(['  ']), UsageError);
    assert.throws(() => parseWidths(['[]']), (err: Error) => err instanceof UserError && /empty array/.test(err.message));
    assert.throws(() => parseWidths(['[1,']), (err: Error) => err instanceof UserError && /not a valid JSON array/.test(err.message));
  });
});
