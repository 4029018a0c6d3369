// The training loss a record keeps: small whatever the run's length, and true to the steps' losses.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LossCurve } from '../../src/core/lossCurve';

describe('the loss curve of a trial', () => {
  test('a short run keeps every step', () => {
    const c = new LossCurve(3);
    [2, 1.5, 1].forEach((loss, i) => c.add(i + 1, loss));
    assert.deepEqual(c.curve(), [
      { step: 1, loss: 2 },
      { step: 2, loss: 1.5 },
      { step: 3, loss: 1 },
    ]);
  });

  test('a long run keeps at most maxPoints means of consecutive steps, the last partial run included', () => {
    const c = new LossCurve(10, 4);
    for (let step = 1; step <= 10; step++) c.add(step, step);
    // Runs of 3 steps: (1,2,3) (4,5,6) (7,8,9) (10).
    assert.deepEqual(c.curve(), [
      { step: 3, loss: 2 },
      { step: 6, loss: 5 },
      { step: 9, loss: 8 },
      { step: 10, loss: 10 },
    ]);
  });

  test('a loss that is not finite is left out (a diverging step is recorded elsewhere)', () => {
    const c = new LossCurve(2);
    c.add(1, 1);
    c.add(2, NaN);
    assert.deepEqual(c.curve(), [{ step: 1, loss: 1 }]);
  });
});
