import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { cosineFactor, epochLr, LrSchedule, stepLr, warmupFactor, warmupSteps } from '../../src/core/schedule';

const close = (actual: number, expected: number, tol = 1e-12): void => {
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected}, got ${actual}`);
};

describe('cosine schedule', () => {
  test('starts at the base lr, halves at mid-run, reaches 0 at E', () => {
    close(cosineFactor(0, 10), 1);
    close(cosineFactor(5, 10), 0.5);
    close(cosineFactor(10, 10), 0);
  });

  test('hand-computed epochs of a 10-epoch run at lr 0.1', () => {
    const s = { type: 'cosine' as const, unit: 'epoch' as const, warmupEpochs: 0, warmupFactor: 0.1 };
    // ½(1 + cos(π·2/10)) = ½(1 + 0.80901699) = 0.90450850
    close(epochLr(s, 0.1, 2, 10), 0.0904508497187474);
    // ½(1 + cos(π·9/10)) = ½(1 − 0.95105652) = 0.02447174
    close(epochLr(s, 0.1, 9, 10), 0.00244717418524232);
    // the last epoch run is E−1, never E: the lr is never 0 during training
    assert.ok(epochLr(s, 0.1, 9, 10) > 0);
  });

  test('a one-epoch run trains at the full lr', () => {
    close(epochLr({ type: 'cosine', unit: 'epoch', warmupEpochs: 0, warmupFactor: 0.1 }, 0.4, 0, 1), 0.4);
  });
});

describe('linear warm-up', () => {
  test('factor f at e = 0, rising linearly to 1 at e = W', () => {
    close(warmupFactor(0, 5, 0.1), 0.1);
    close(warmupFactor(1, 5, 0.1), 0.28);
    close(warmupFactor(2, 5, 0.1), 0.46);
    close(warmupFactor(4, 5, 0.1), 0.82);
    assert.equal(warmupFactor(5, 5, 0.1), 1);
    assert.equal(warmupFactor(7, 5, 0.1), 1);
  });

  test('no warm-up epochs: factor 1 from the start', () => {
    assert.equal(warmupFactor(0, 0, 0.1), 1);
  });

  test('multiplies the cosine lr (pycls CIFAR recipe: lr 1.0, 50 epochs, 5 warm-up)', () => {
    const s = { type: 'cosine' as const, unit: 'epoch' as const, warmupEpochs: 5, warmupFactor: 0.1 };
    close(epochLr(s, 1.0, 0, 50), 0.1);
    // e = 1: ½(1 + cos(π/50)) = 0.999013364214, × (0.1·0.8 + 0.2) = 0.28 → 0.279723741980
    close(epochLr(s, 1.0, 1, 50), 0.27972374198, 1e-10);
    // e = 5: warm-up over, ½(1 + cos(π/10)) = 0.97552826
    close(epochLr(s, 1.0, 5, 50), 0.975528258, 1e-9);
  });
});

describe('constant schedule', () => {
  test('the base lr every epoch after warm-up', () => {
    const s = { type: 'constant' as const, unit: 'epoch' as const, warmupEpochs: 2, warmupFactor: 0.5 };
    close(epochLr(s, 0.2, 0, 4), 0.1);
    close(epochLr(s, 0.2, 1, 4), 0.15);
    assert.equal(epochLr(s, 0.2, 2, 4), 0.2);
    assert.equal(epochLr(s, 0.2, 3, 4), 0.2);
  });
});

describe('per-step schedule (unit: step)', () => {
  const cosine = { type: 'cosine' as const, unit: 'step' as const, warmupEpochs: 0, warmupFactor: 0.1 };

  test('a one-epoch run anneals over its steps: hand values for 8 steps at lr 0.1', () => {
    const s = new LrSchedule(cosine, 0.1, 1, 8);
    // ½(1 + cos(π·k/8)) · 0.1 for k = 0..7
    const expected = [0.1, 0.0961939766255643, 0.0853553390593274, 0.0691341716182545, 0.05, 0.0308658283817455, 0.0146446609406726, 0.0038060233744357];
    for (let k = 0; k < 8; k++) close(s.at(0, k), expected[k], 1e-15);
  });

  test('steps count across epochs: step 5 of epoch 1 is step 15 of the run', () => {
    const s = new LrSchedule(cosine, 0.2, 3, 10);
    close(s.at(1, 5), stepLr(cosine, 0.2, 15, 30, 10));
    // ½(1 + cos(π/2)) = ½
    close(s.at(1, 5), 0.1);
  });

  test('warm-up in epochs (fractions allowed) and in steps', () => {
    const half = { ...cosine, type: 'constant' as const, warmupEpochs: 0.5 };
    assert.equal(warmupSteps(half, 20), 10);
    // constant lr 1 with factor 0.1: 0.1 at step 0, 0.1·(1 − 4/10) + 4/10 = 0.46 at step 4, 1 from step 10
    const s = new LrSchedule(half, 1, 2, 20);
    close(s.at(0, 0), 0.1);
    close(s.at(0, 4), 0.46);
    assert.equal(s.at(0, 10), 1);
    assert.equal(s.at(1, 0), 1);
    const bySteps = { ...half, warmupSteps: 4 };
    assert.equal(warmupSteps(bySteps, 20), 4);
    close(new LrSchedule(bySteps, 1, 2, 20).at(0, 2), 0.55);
    assert.equal(new LrSchedule(bySteps, 1, 2, 20).at(0, 4), 1);
  });

  test('unit: epoch keeps pycls: one lr per epoch, a one-epoch run at the base lr', () => {
    const epoch = { ...cosine, unit: 'epoch' as const };
    const s = new LrSchedule(epoch, 0.1, 1, 8);
    for (let k = 0; k < 8; k++) assert.equal(s.at(0, k), 0.1);
    const four = new LrSchedule(epoch, 0.1, 4, 5);
    for (let e = 0; e < 4; e++) for (let k = 0; k < 5; k++) assert.equal(four.at(e, k), epochLr(epoch, 0.1, e, 4));
  });

  test('the recorded curve: at most the requested points, first and last step, values of the schedule', () => {
    const s = new LrSchedule(cosine, 0.1, 4, 39);
    const curve = s.curve(64);
    assert.equal(curve.length, 64);
    assert.deepEqual(curve[0], { step: 1, lr: 0.1 });
    assert.equal(curve.at(-1)?.step, 156);
    close(curve.at(-1)!.lr, 0.1 * cosineFactor(155, 156));
    for (let k = 1; k < curve.length; k++) assert.ok(curve[k].step > curve[k - 1].step && curve[k].lr <= curve[k - 1].lr);
    // short runs: every step
    assert.deepEqual(new LrSchedule(cosine, 0.1, 1, 3).curve().map((p) => p.step), [1, 2, 3]);
    // per epoch: the jumps are in the curve
    const steps = new LrSchedule({ ...cosine, unit: 'epoch' }, 0.1, 2, 100).curve(8).map((p) => p.step);
    assert.ok(steps.includes(100) && steps.includes(101), `${steps}`);
  });
});
