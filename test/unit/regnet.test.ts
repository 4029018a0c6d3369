import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { generateRegnet } from '../../src/core/regnet';

/** A small seeded LCG (Numerical Recipes constants) so the randomized checks are reproducible. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('generateRegnet: worked examples (reference §2.4)', () => {
  test('RegNetX-200MF: u_j, k_j, w_j and stages', () => {
    const r = generateRegnet({ depth: 13, w0: 24, wa: 36.44, wm: 2.49 });
    const u = [24, 60.44, 96.88, 133.32, 169.76, 206.2, 242.64, 279.08, 315.52, 351.96, 388.4, 424.84, 461.28];
    r.continuousWidths.forEach((x, j) => assert.ok(Math.abs(x - u[j]) < 1e-9, `u_${j} = ${x}`));
    assert.deepEqual(r.stageIndices, [0, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3]);
    assert.deepEqual(r.blockWidths, [24, 56, 152, 152, 152, 152, 368, 368, 368, 368, 368, 368, 368]);
    assert.deepEqual(r.stageWidths, [24, 56, 152, 368]);
    assert.deepEqual(r.stageDepths, [1, 1, 4, 7]);
    assert.equal(r.numStages, 4);
    assert.equal(r.totalStages, 4);
  });

  test('RegNetY-400MF: k_j counts 1/3/6/6 and widths 48, 104, 208, 440', () => {
    const r = generateRegnet({ depth: 16, w0: 48, wa: 27.89, wm: 2.09 });
    assert.deepEqual(r.stageIndices, [0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3]);
    assert.deepEqual(r.stageWidths, [48, 104, 208, 440]);
    assert.deepEqual(r.stageDepths, [1, 3, 6, 6]);
  });

  test('RegNetX-3.2GF: widths before adjustment 88, 200, 448, 1000 with depths 2, 6, 15, 2', () => {
    const r = generateRegnet({ depth: 25, w0: 88, wa: 26.31, wm: 2.25 });
    assert.deepEqual(r.stageIndices, [0, 0, ...Array(6).fill(1), ...Array(15).fill(2), 3, 3]);
    assert.deepEqual(r.stageWidths, [88, 200, 448, 1000]);
    assert.deepEqual(r.stageDepths, [2, 6, 15, 2]);
  });

  test('cifar_best RegNet-125MF: widths 96, 280 and depths 4, 8', () => {
    const r = generateRegnet({ depth: 12, w0: 96, wa: 19.5, wm: 2.942 });
    assert.deepEqual(r.stageWidths, [96, 280]);
    assert.deepEqual(r.stageDepths, [4, 8]);
  });
});

describe('generateRegnet: edge cases (reference §2.2, §2.3)', () => {
  test('w0=8, wa=200, wm=2, d=4 skips stages: k = 0, 5, 6, 6', () => {
    const r = generateRegnet({ depth: 4, w0: 8, wa: 200, wm: 2 });
    assert.deepEqual(r.stageIndices, [0, 5, 6, 6]);
    assert.deepEqual(r.blockWidths, [8, 256, 512, 512]);
    assert.deepEqual(r.stageWidths, [8, 256, 512]);
    assert.deepEqual(r.stageDepths, [1, 1, 2]);
    assert.equal(r.numStages, 3);
    assert.equal(r.totalStages, 7);
  });

  test('wa = 0 gives one stage of d blocks at w0', () => {
    const r = generateRegnet({ depth: 7, w0: 64, wa: 0, wm: 2.5 });
    assert.deepEqual(r.blockWidths, Array(7).fill(64));
    assert.deepEqual(r.stageWidths, [64]);
    assert.deepEqual(r.stageDepths, [7]);
    assert.equal(r.numStages, 1);
    assert.equal(r.totalStages, 1);
  });

  test('the tie 40·2.5 / 8 = 12.5 rounds to even: 96, not 104', () => {
    const r = generateRegnet({ depth: 2, w0: 40, wa: 60, wm: 2.5 });
    assert.deepEqual(r.stageIndices, [0, 1]);
    assert.deepEqual(r.blockWidths, [40, 96]);
  });

  test('stage indices that collapse to one multiple of 8 give fewer stages than they span', () => {
    // wm = 1.05: 8·1.05 = 8.4 and 8·1.1025 = 8.82 both quantize to 8.
    const r = generateRegnet({ depth: 3, w0: 8, wa: 0.5, wm: 1.05 });
    assert.deepEqual(r.stageIndices, [0, 1, 2]);
    assert.deepEqual(r.stageWidths, [8]);
    assert.deepEqual(r.stageDepths, [3]);
    assert.equal(r.numStages, 1);
    assert.equal(r.totalStages, 3);
  });

  test('depth 1 is one block at w0', () => {
    const r = generateRegnet({ depth: 1, w0: 16, wa: 30, wm: 2 });
    assert.deepEqual(r.blockWidths, [16]);
    assert.equal(r.numStages, 1);
    assert.equal(r.totalStages, 1);
  });
});

describe('generateRegnet: invariants over random parameters', () => {
  test('widths are non-decreasing multiples of 8, stages partition the blocks', () => {
    const rand = lcg(2020);
    for (let n = 0; n < 2000; n++) {
      const depth = 1 + Math.floor(rand() * 40);
      const w0 = 8 * (1 + Math.floor(rand() * 32));
      const wa = Math.round(rand() * 2560) / 10;
      const wm = 1.5 + Math.round(rand() * 1500) / 1000;
      const r = generateRegnet({ depth, w0, wa, wm });
      const at = `depth=${depth} w0=${w0} wa=${wa} wm=${wm}`;
      assert.equal(r.blockWidths.length, depth, at);
      for (let j = 0; j < depth; j++) {
        assert.equal(r.blockWidths[j] % 8, 0, at);
        if (j > 0) assert.ok(r.blockWidths[j] >= r.blockWidths[j - 1], at);
      }
      assert.equal(r.blockWidths[0], w0, at);
      for (let i = 1; i < r.stageWidths.length; i++) assert.ok(r.stageWidths[i] > r.stageWidths[i - 1], at);
      assert.equal(
        r.stageDepths.reduce((a, b) => a + b, 0),
        depth,
        at,
      );
      assert.deepEqual(
        r.stageWidths.flatMap((w, i) => Array(r.stageDepths[i]).fill(w)),
        r.blockWidths,
        at,
      );
      assert.equal(r.numStages, r.stageWidths.length, at);
      assert.ok(r.numStages <= r.totalStages, at);
      assert.equal(r.totalStages, Math.max(...r.stageIndices) + 1, at);
    }
  });
});
