import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Rng } from '../../src/core/sampling/rng';
import { initBackend, tf } from '../../src/train/backend';
import { activeSimdKernels } from '../../src/train/kernels/simd/active';
import { Sgd } from '../../src/train/optimizer';
import { addRelu, addSwish, updateRunningStats } from '../../src/train/ops';
import { randomValues } from '../numeric';

before(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
});

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, bound: number, label: string): void {
  assert.equal(actual.length, expected.length, label);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    assert.ok(err <= bound * Math.max(1, Math.abs(expected[i])), `${label}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** op(a, b) and the gradients of a and b under the loss Σ w·op(a, b), on `backend`. */
function runAddOp(op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, backend: string, shape: number[], a: Float32Array, b: Float32Array, w: Float32Array): Float32Array[] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const [ta, tb, tw] = [a, b, w].map((v) => tf.tensor(v, shape));
    const y = op(ta, tb);
    const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(op(p, q), tw)))([ta, tb]);
    return [y, da, db].map((t) => t.dataSync() as Float32Array);
  });
}

describe('addRelu (fused on wasm)', () => {
  const rng = new Rng(3);
  for (const shape of [
    [1, 1, 1, 1],
    [2, 3, 5, 7],
    [4, 8, 8, 16],
  ]) {
    test(`[${shape.join(', ')}]: max(0, a + b) and the gradients of a and b as on cpu`, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const [a, b, w] = [randomValues(rng, n), randomValues(rng, n), randomValues(rng, n)];
      tf.setBackend('wasm');
      assert.ok(activeSimdKernels('dslab_add_relu') !== undefined);
      const wasm = runAddOp(addRelu, 'wasm', shape, a, b, w);
      const cpu = runAddOp(addRelu, 'cpu', shape, a, b, w);
      ['y', 'da', 'db'].forEach((name, i) => assertClose(wasm[i], cpu[i], 1e-6, name));
      // By hand for one element: the gradient passes where the sum is positive.
      const k = n - 1;
      const sum = a[k] + b[k];
      assert.ok(Math.abs(wasm[0][k] - Math.max(0, sum)) < 1e-6);
      assert.equal(wasm[1][k], sum > 0 ? w[k] : 0);
    });
  }
});

describe('addSwish (fused on wasm)', () => {
  const rng = new Rng(4);
  const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
  const run = (backend: string, shape: number[], a: Float32Array, b: Float32Array, w: Float32Array) => runAddOp(addSwish, backend, shape, a, b, w);

  for (const shape of [
    [1, 1, 1, 1],
    [2, 3, 5, 7],
    [4, 8, 8, 16],
  ]) {
    test(`[${shape.join(', ')}]: (a + b)·σ(a + b) and the gradients of a and b as on cpu and in float64`, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const [a, b, w] = [randomValues(rng, n, 4), randomValues(rng, n, 4), randomValues(rng, n)];
      tf.setBackend('wasm');
      assert.ok(activeSimdKernels('dslab_add_swish') !== undefined);
      const wasm = run('wasm', shape, a, b, w);
      const cpu = run('cpu', shape, a, b, w);
      ['y', 'da', 'db'].forEach((name, i) => assertClose(wasm[i], cpu[i], 1e-6, name));
      for (let k = 0; k < n; k++) {
        const z = a[k] + b[k];
        const s = sigmoid(z);
        assert.ok(Math.abs(wasm[0][k] - z * s) <= 1e-6 * Math.max(1, Math.abs(z)), `y[${k}]: ${wasm[0][k]} vs ${z * s}`);
        assert.ok(Math.abs(wasm[1][k] - w[k] * s * (1 + z * (1 - s))) <= 1e-6, `da[${k}]`);
      }
    });
  }

  test('large sums neither overflow nor lose the gradient: y → z above, → 0 below', () => {
    const a = Float32Array.from([-1e30, -500, -90, -30, 30, 90, 500, 1e30]);
    const [y, da] = run('wasm', [8], a, new Float32Array(8), new Float32Array(8).fill(1));
    for (let k = 0; k < 8; k++) {
      assert.ok(Number.isFinite(y[k]) && Number.isFinite(da[k]), `finite at ${a[k]}`);
      assert.equal(y[k], a[k] > 0 ? a[k] : y[k]);
      assert.ok(a[k] > 0 ? da[k] === 1 : Math.abs(y[k]) < 1e-10 && Math.abs(da[k]) < 1e-10, `${a[k]}: y ${y[k]}, dy ${da[k]}`);
    }
  });
});

describe('SGD with momentum (one kernel per variable on wasm)', () => {
  for (const nesterov of [true, false]) {
    test(`${nesterov ? 'Nesterov' : 'plain'} momentum, weight decay by variable kind, over 4 steps as PyTorch defines it`, () => {
      tf.setBackend('wasm');
      assert.ok(activeSimdKernels('dslab_sgd_momentum') !== undefined);
      const rng = new Rng(nesterov ? 1 : 2);
      const sizes = [7, 1, 33];
      const initial = sizes.map((n) => randomValues(rng, n));
      const gradients = [0, 1, 2, 3].map(() => sizes.map((n) => randomValues(rng, n)));
      const options = { momentum: 0.9, nesterov, weightDecay: 5e-4, bnWeightDecay: 1e-3 };
      const lrs = [0.1, 0.1, 0.05, 0.2];
      const variables = initial.map((v, i) => ({ name: `v${i}`, variable: tf.variable(tf.tensor1d(v)), decay: i !== 1 }));
      const sgd = new Sgd(variables, options);
      const before = tf.memory().numTensors;
      for (let s = 0; s < 4; s++) {
        const grads: tf.NamedTensorMap = {};
        variables.forEach((v, i) => (grads[v.variable.name] = tf.tensor1d(gradients[s][i])));
        sgd.step(grads, lrs[s]);
        tf.dispose(Object.values(grads));
      }
      // Float64 reference: g ← ∇p + wd·p; buf ← m·buf + g; p ← p − lr·(g + m·buf or buf).
      variables.forEach((v, i) => {
        const p = Float64Array.from(initial[i]);
        const buf = new Float64Array(p.length);
        const wd = v.decay ? options.weightDecay : options.bnWeightDecay;
        for (let s = 0; s < 4; s++) {
          for (let j = 0; j < p.length; j++) {
            const g = gradients[s][i][j] + wd * p[j];
            buf[j] = 0.9 * buf[j] + g;
            p[j] -= lrs[s] * (nesterov ? g + 0.9 * buf[j] : buf[j]);
          }
        }
        assertClose(v.variable.dataSync(), p, 1e-6, v.name);
      });
      // One momentum buffer per variable; the steps leave nothing else behind.
      assert.equal(tf.memory().numTensors, before + sizes.length);
      sgd.dispose();
      for (const v of variables) v.variable.dispose();
    });
  }
});

describe('running statistics updated in place', () => {
  test('a running statistic whose data another tensor shares is replaced, not overwritten', () => {
    tf.setBackend('wasm');
    const movingMean = tf.variable(tf.tensor1d([1, 2, 3]), false);
    const movingVar = tf.variable(tf.tensor1d([1, 1, 1]), false);
    const snapshot = tf.clone(movingMean);
    const batch = { mean: tf.tensor1d([11, 12, 13]), variance: tf.tensor1d([2, 4, 6]) };
    updateRunningStats(movingMean, movingVar, batch, 5);
    assertClose(movingMean.dataSync(), [2, 3, 4], 1e-6, 'running mean');
    assertClose(movingVar.dataSync(), [0.9 + 0.1 * 2 * 1.25, 0.9 + 0.1 * 4 * 1.25, 0.9 + 0.1 * 6 * 1.25], 1e-6, 'running variance');
    assert.deepEqual(Array.from(snapshot.dataSync()), [1, 2, 3]);
    // Unshared now: updated where it lies, with the same formula.
    updateRunningStats(movingMean, movingVar, batch, 5);
    assertClose(movingMean.dataSync(), [0.9 * 2 + 1.1, 0.9 * 3 + 1.2, 0.9 * 4 + 1.3], 1e-6, 'second update');
    tf.dispose([movingMean, movingVar, snapshot, batch.mean, batch.variance]);
  });
});
