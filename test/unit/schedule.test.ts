import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { cosineFactor, epochLr, warmupFactor } from '../../src/core/schedule';

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
    const s = { type: 'cosine' as const, warmupEpochs: 0, warmupFactor: 0.1 };
    // ½(1 + cos(π·2/10)) = ½(1 + 0.80901699) = 0.90450850
    close(epochLr(s, 0.1, 2, 10), 0.0904508497187474);
    // ½(1 + cos(π·9/10)) = ½(1 − 0.95105652) = 0.02447174
    close(epochLr(s, 0.1, 9, 10), 0.00244717418524232);
    // the last epoch run is E−1, never E: the lr is never 0 during training
    assert.ok(epochLr(s, 0.1, 9, 10) > 0);
  });

  test('a one-epoch run trains at the full lr', () => {
    close(epochLr({ type: 'cosine', warmupEpochs: 0, warmupFactor: 0.1 }, 0.4, 0, 1), 0.4);
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
    const s = { type: 'cosine' as const, warmupEpochs: 5, warmupFactor: 0.1 };
    close(epochLr(s, 1.0, 0, 50), 0.1);
    // e = 1: ½(1 + cos(π/50)) = 0.999013364214, × (0.1·0.8 + 0.2) = 0.28 → 0.279723741980
    close(epochLr(s, 1.0, 1, 50), 0.27972374198, 1e-10);
    // e = 5: warm-up over, ½(1 + cos(π/10)) = 0.97552826
    close(epochLr(s, 1.0, 5, 50), 0.975528258, 1e-9);
  });
});

describe('constant schedule', () => {
  test('the base lr every epoch after warm-up', () => {
    const s = { type: 'constant' as const, warmupEpochs: 2, warmupFactor: 0.5 };
    close(epochLr(s, 0.2, 0, 4), 0.1);
    close(epochLr(s, 0.2, 1, 4), 0.15);
    assert.equal(epochLr(s, 0.2, 2, 4), 0.2);
    assert.equal(epochLr(s, 0.2, 3, 4), 0.2);
  });
});
