import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { adjustBlockCompatibility, blockWidths } from '../../src/core/anynet';
import type { ExpandedModel } from '../../src/core/model';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('adjustBlockCompatibility (reference §1.6)', () => {
  const cases: [number, number, number, number, number][] = [
    // width, b, g → width, g
    [88, 1, 48, 96, 48],
    [1000, 1, 48, 1008, 48],
    [120, 1, 48, 96, 48], // 2.5 rounds half to even
    [72, 1, 48, 96, 48], // 1.5 rounds to 2
    [16, 1, 24, 16, 16], // g clipped to the bottleneck width
    [368, 4, 8, 384, 8], // v = 92 → 96, w = 384
    [200, 1, 48, 192, 48],
    [448, 1, 48, 432, 48],
    [80, 1, 120, 80, 80], // RegNetX-8.0GF stage 1: one group
    [256, 4, 64, 256, 64], // ResNet-50 stage 1 unchanged
    [256, 2, 4, 256, 4], // ResNeXt-50 32×4d stage 1 unchanged
  ];
  for (const [w, b, g, ew, eg] of cases) {
    test(`w=${w}, b=${b}, g=${g} → w=${ew}, g=${eg}`, () => {
      assert.deepEqual(adjustBlockCompatibility(w, b, g), { width: ew, groupWidth: eg });
    });
  }

  test('inverted bottleneck (b = 1/2): the lcm of g and 1/b is the quantum', () => {
    // v = 20, m = lcm(3, 2) = 6, round(20/6) = 3 → v = 18, w = 9.
    assert.deepEqual(adjustBlockCompatibility(10, 0.5, 3), { width: 9, groupWidth: 3 });
    // v = 200, m = 16, 12.5 → 12 → v = 192, w = 96.
    assert.deepEqual(adjustBlockCompatibility(100, 0.5, 16), { width: 96, groupWidth: 16 });
  });

  test('tiny widths keep a bottleneck of at least one channel', () => {
    assert.deepEqual(adjustBlockCompatibility(4, 4, 8), { width: 4, groupWidth: 1 });
    assert.deepEqual(adjustBlockCompatibility(2, 4, 8), { width: 4, groupWidth: 1 });
  });

  test('rejects what pycls asserts against', () => {
    assert.throws(() => adjustBlockCompatibility(0, 1, 8), RangeError);
    assert.throws(() => adjustBlockCompatibility(64, 0, 8), RangeError);
    assert.throws(() => adjustBlockCompatibility(64, 1, 0), RangeError);
    assert.throws(() => adjustBlockCompatibility(64, 0.3, 8), /1\/bottleneck must be below 1 or an integer/);
  });

  test('postcondition and idempotence over random inputs', () => {
    const rand = lcg(7);
    const bs = [1, 2, 4, 0.5, 0.25, 1 / 3];
    for (let n = 0; n < 5000; n++) {
      const w = 1 + Math.floor(rand() * 2048);
      const b = bs[Math.floor(rand() * bs.length)];
      const g = 1 + Math.floor(rand() * 256);
      const at = `w=${w} b=${b} g=${g}`;
      const a = adjustBlockCompatibility(w, b, g);
      assert.equal((a.width * (1 / b)) % a.groupWidth, 0, at);
      assert.ok(a.groupWidth <= g, at);
      assert.deepEqual(adjustBlockCompatibility(a.width, b, a.groupWidth), a, at);
    }
  });
});

describe('blockWidths', () => {
  test('repeats each stage width depth times, in order', () => {
    const model: ExpandedModel = {
      stem: { type: 'imagenet', width: 32 },
      block: 'X',
      se: 0,
      activation: 'relu',
      resolution: 224,
      classes: 1000,
      channels: 3,
      headWidth: 0,
      stages: [
        { width: 24, depth: 1, groupWidth: 8, bottleneck: 1, stride: 2 },
        { width: 56, depth: 1, groupWidth: 8, bottleneck: 1, stride: 2 },
        { width: 152, depth: 4, groupWidth: 8, bottleneck: 1, stride: 2 },
        { width: 368, depth: 7, groupWidth: 8, bottleneck: 1, stride: 2 },
      ],
    };
    assert.deepEqual(blockWidths(model), [24, 56, 152, 152, 152, 152, 368, 368, 368, 368, 368, 368, 368]);
  });
});
