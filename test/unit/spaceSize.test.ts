import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { designSpaceSize, distributionSize } from '../../src/core/spaceSize';
import type { AnyNetSpace, Distribution, RegNetSpace, ResolvedModelSettings, Restriction } from '../../src/core/space/types';

function model(stages: number): ResolvedModelSettings {
  return {
    stem: { type: 'imagenet', width: 32 },
    block: 'X',
    se: 0,
    activation: 'relu',
    stages,
    strides: new Array(stages).fill(2),
    classes: 1000,
    channels: 3,
    resolution: 224,
    headWidth: 0,
  };
}

const common = { samples: 500, constraints: {}, maxAttempts: 1000000, seed: 0 };

/** The paper's AnyNetX ranges (reference §4.1): d ≤ 16, w ≤ 1024 in multiples of 8, b ∈ {1,2,4}, g ∈ {1,…,32}. */
function anynetX(name: string, restrictions: Restriction[]): AnyNetSpace {
  return {
    ...common,
    name,
    type: 'anynet',
    model: model(4),
    depth: { kind: 'log-uniform', range: [1, 16], quantum: 1 },
    width: { kind: 'log-uniform', range: [8, 1024], quantum: 8 },
    bottleneck: { kind: 'values', values: [1, 2, 4] },
    groupWidth: { kind: 'power2', range: [1, 32], quantum: 1 },
    restrictions,
  };
}

const B: Restriction[] = ['sharedBottleneck'];
const C: Restriction[] = [...B, 'sharedGroupWidth'];
const D: Restriction[] = [...C, 'increasingWidths'];
const E: Restriction[] = [...D, 'increasingDepths'];

describe('distributionSize', () => {
  test('value lists count distinct values', () => {
    assert.equal(distributionSize({ kind: 'values', values: [1, 2, 4] }), 3);
    assert.equal(distributionSize({ kind: 'values', values: [1, 2, 2, 4, 1] }), 3);
    assert.equal(distributionSize({ kind: 'values', values: [] }), 0);
  });

  test('uniform and log-uniform ranges count the multiples of q in [lo, hi], as decimals', () => {
    assert.equal(distributionSize({ kind: 'log-uniform', range: [1, 16], quantum: 1 }), 16);
    assert.equal(distributionSize({ kind: 'log-uniform', range: [8, 1024], quantum: 8 }), 128);
    assert.equal(distributionSize({ kind: 'uniform', range: [12, 28], quantum: 1 }), 17);
    // 0.7 / 0.1 is 6.999999999999999 in floating point; 0.7 is still a multiple of 0.1.
    assert.equal(distributionSize({ kind: 'uniform', range: [0.1, 0.7], quantum: 0.1 }), 7);
    assert.equal(distributionSize({ kind: 'log-uniform', range: [0.1, 256], quantum: 0.1 }), 2560);
    assert.equal(distributionSize({ kind: 'log-uniform', range: [2, 3], quantum: 0.001 }), 1001);
    assert.equal(distributionSize({ kind: 'uniform', range: [0, 10], quantum: 4 }), 3); // 0, 4, 8
  });

  test('power2 counts the distinct ⌊2^e/q⌋·q', () => {
    assert.equal(distributionSize({ kind: 'power2', range: [1, 32], quantum: 1 }), 6);
    assert.equal(distributionSize({ kind: 'power2', range: [1, 1], quantum: 1 / 128 }), 1);
    assert.equal(distributionSize({ kind: 'power2', range: [0.25, 1], quantum: 1 / 128 }), 3);
  });

  test('power2-or-log-uniform: powers of two below q, then the multiples of q', () => {
    // pycls GROUP_W in cifar_regnet: 1, 2, 4, then 8, 16, 24, 32.
    assert.equal(distributionSize({ kind: 'power2-or-log-uniform', range: [1, 32], quantum: 8 }), 7);
    // The regnet_sampler default [8, 128], q = 8: 8, 16, …, 128.
    assert.equal(distributionSize({ kind: 'power2-or-log-uniform', range: [8, 128], quantum: 8 }), 16);
    // hi below q: powers of two only.
    assert.equal(distributionSize({ kind: 'power2-or-log-uniform', range: [1, 4], quantum: 8 }), 3);
  });

  test('a distribution that can produce nothing has size 0', () => {
    const none: Distribution[] = [
      { kind: 'uniform', range: [10, 5], quantum: 1 },
      { kind: 'uniform', range: [1, 7], quantum: 8 },
      { kind: 'log-uniform', range: [0, 16], quantum: 1 },
      { kind: 'power2', range: [3, 32], quantum: 1 },
      { kind: 'power2', range: [1, 32], quantum: 4 }, // 1 and 2 would become 0, outside the range
      { kind: 'power2-or-log-uniform', range: [3, 32], quantum: 8 },
    ];
    for (const d of none) assert.equal(distributionSize(d), 0, JSON.stringify(d));
  });
});

describe('designSpaceSize: the paper’s Table 1', () => {
  test('AnyNetX_A = (16·128·3·6)^4 ≈ 1.8e18 with 16 degrees of freedom', () => {
    const size = designSpaceSize(anynetX('A', []));
    assert.equal(size.count, 36864 ** 4); // 2^48 · 6561, exact in a double
    assert.equal(size.count, 1846757322198614016);
    assert.ok(Math.abs(size.log10 - Math.log10(36864) * 4) < 1e-12);
    assert.equal(size.dof, 16);
    assert.equal(size.formula, '(16·128·3·6)^4');
  });

  test('AnyNetX_B = (16·128·6)^4·3 ≈ 6.8e16, 13 dof', () => {
    const size = designSpaceSize(anynetX('B', B));
    assert.equal(size.count, 12288 ** 4 * 3);
    assert.ok(size.count > 6.8e16 && size.count < 6.9e16);
    assert.equal(size.dof, 13);
    assert.equal(size.formula, '(16·128·6)^4·3');
  });

  test('AnyNetX_C = (16·128)^4·18 ≈ 3.2e14, 10 dof: b and g shared cost 6 dof and 4 orders of magnitude', () => {
    const size = designSpaceSize(anynetX('C', C));
    assert.equal(size.count, 2048 ** 4 * 18);
    assert.ok(size.count > 3.1e14 && size.count < 3.2e14);
    assert.equal(size.dof, 10);
    assert.equal(size.formula, '(16·128)^4·3·6');
    assert.ok(designSpaceSize(anynetX('A', [])).log10 - size.log10 > 3.7);
  });

  test('AnyNetX_D counts non-decreasing widths exactly: 16^4·C(131,4)·18, within 15% of the paper’s C/4! ≈ 1.3e13', () => {
    const size = designSpaceSize(anynetX('D', D));
    // C(131, 4) = 131·130·129·128 / 24 = 11716640 non-decreasing width sequences.
    assert.equal(size.count, 16 ** 4 * 11716640 * 18);
    assert.equal(size.count, 13821510942720);
    assert.ok(Math.abs(size.count / 1.3e13 - 1) < 0.15);
    assert.equal(size.dof, 10);
    assert.equal(size.formula, '16^4·C(131,4)·3·6');
  });

  test('AnyNetX_E counts non-decreasing depths exactly too: C(19,4)·C(131,4)·18 ≈ 8.2e11', () => {
    const size = designSpaceSize(anynetX('E', E));
    assert.equal(size.count, 3876 * 11716640 * 18);
    assert.equal(size.dof, 10);
    assert.equal(size.formula, 'C(19,4)·C(131,4)·3·6');
    // The paper's C/(4!)² ≈ 5.5e11 treats both sequences as n^S/S!. Exactly there are
    // C(n+3, 4) = n^4/4!·(n+1)(n+2)(n+3)/n^3: 3% more for 128 widths, but 42% more for only 16
    // depths (ties are common), so E is 1.49× the paper's C/(4!)² (1.46× its rounded 5.5e11),
    // not within 15% of it.
    const paper = designSpaceSize(anynetX('C', C)).count / 24 ** 2;
    assert.ok(Math.abs(paper / 5.5e11 - 1) < 0.02);
    const ratio = ((19 * 18 * 17 * 16) / 16 ** 4) * ((131 * 130 * 129 * 128) / 128 ** 4);
    assert.ok(Math.abs(size.count / paper - ratio) < 1e-12);
    assert.ok(ratio > 1.48 && ratio < 1.49);
    assert.ok(size.count / 5.5e11 > 1.46 && size.count / 5.5e11 < 1.49);
    // The cumulative reduction from A to E is about 10^6.4 (paper: "O(10^7)").
    const reduction = designSpaceSize(anynetX('A', [])).log10 - size.log10;
    assert.ok(reduction > 6.3 && reduction < 6.4, String(reduction));
  });

  test('RegNet: the product of its six parameter counts, 6 dof', () => {
    const space: RegNetSpace = {
      ...common,
      name: 'RegNetX',
      type: 'regnet',
      model: model(4),
      depth: { kind: 'uniform', range: [12, 28], quantum: 1 },
      w0: { kind: 'log-uniform', range: [8, 256], quantum: 8 },
      wa: { kind: 'log-uniform', range: [8, 256], quantum: 0.1 },
      wm: { kind: 'log-uniform', range: [2, 3], quantum: 0.001 },
      bottleneck: { kind: 'values', values: [1] },
      groupWidth: { kind: 'power2-or-log-uniform', range: [8, 128], quantum: 8 },
    };
    const size = designSpaceSize(space);
    assert.equal(size.count, 17 * 32 * 2481 * 1001 * 1 * 16);
    assert.ok(Math.abs(size.log10 - Math.log10(17 * 32 * 2481 * 1001 * 16)) < 1e-12);
    assert.equal(size.dof, 6);
    assert.equal(size.formula, '17·32·2481·1001·1·16');
  });
});

describe('designSpaceSize: exact against enumeration', () => {
  /** Counts every per-stage assignment of (d, w, b, g) that satisfies the restrictions. */
  function enumerate(stages: number, ds: number[], ws: number[], bs: number[], gs: number[], restrictions: Restriction[]): number {
    const tuples = ds.flatMap((d) => ws.flatMap((w) => bs.flatMap((b) => gs.map((g) => [d, w, b, g]))));
    const ok = (seq: number[][]): boolean =>
      seq.every((t, i) => {
        if (i === 0) return true;
        const p = seq[i - 1];
        if (restrictions.includes('increasingDepths') && t[0] < p[0]) return false;
        if (restrictions.includes('increasingWidths') && t[1] < p[1]) return false;
        if (restrictions.includes('sharedBottleneck') && t[2] !== p[2]) return false;
        if (restrictions.includes('sharedGroupWidth') && t[3] !== p[3]) return false;
        return true;
      });
    let count = 0;
    const walk = (seq: number[][]): void => {
      if (seq.length === stages) {
        if (ok(seq)) count++;
        return;
      }
      for (const t of tuples) walk([...seq, t]);
    };
    walk([]);
    return count;
  }

  test('every combination of restrictions on a 3-stage space with 3 depths, 4 widths, 2 b, 2 g', () => {
    const all: Restriction[] = ['sharedBottleneck', 'sharedGroupWidth', 'increasingWidths', 'increasingDepths'];
    for (let mask = 0; mask < 16; mask++) {
      const restrictions = all.filter((_, i) => mask & (1 << i));
      const space: AnyNetSpace = {
        ...anynetX('tiny', restrictions),
        model: model(3),
        depth: { kind: 'values', values: [1, 2, 3] },
        width: { kind: 'uniform', range: [8, 32], quantum: 8 },
        bottleneck: { kind: 'values', values: [1, 2] },
        groupWidth: { kind: 'power2', range: [1, 2], quantum: 1 },
      };
      const size = designSpaceSize(space);
      assert.equal(size.count, enumerate(3, [1, 2, 3], [8, 16, 24, 32], [1, 2], [1, 2], restrictions), restrictions.join('+') || 'none');
      assert.ok(Math.abs(size.log10 - Math.log10(size.count)) < 1e-12);
      const shared = restrictions.filter((r) => r.startsWith('shared')).length;
      assert.equal(size.dof, 12 - 2 * shared);
    }
  });

  test('a one-stage space has no power in its formula', () => {
    const size = designSpaceSize({ ...anynetX('one', []), model: model(1) });
    assert.equal(size.count, 16 * 128 * 3 * 6);
    assert.equal(size.formula, '16·128·3·6');
    assert.equal(size.dof, 4);
  });

  test('an empty distribution makes the space empty', () => {
    const size = designSpaceSize({ ...anynetX('empty', []), depth: { kind: 'values', values: [] } });
    assert.equal(size.count, 0);
    assert.equal(size.log10, -Infinity);
  });
});
