import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Rng } from '../../src/core/sampling/rng';
import { initBackend, tf } from '../../src/train/backend';
import {
  batchNormInfer,
  batchNormTrain,
  conv2dPycls,
  groupedConv2d,
  pyclsPadding,
  updateRunningStats,
} from '../../src/train/ops';
import { assertClose, randomValues } from '../numeric';

before(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
});

/** Runs `f` on a backend with tensors made there from plain arrays; returns every output's values. */
function on(backend: string, inputs: { shape: number[]; values: Float32Array }[], f: (...xs: tf.Tensor[]) => tf.Tensor[]): Float32Array[] {
  tf.setBackend(backend);
  return tf.tidy(() => f(...inputs.map((i) => tf.tensor(i.values, i.shape))).map((t) => t.dataSync() as Float32Array));
}

const EPS = 1e-5;

/** The plain formula, differentiated by tfjs's autodiff (through our registered gradients). */
function batchNormPlain(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.add(tf.mul(gamma, tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPS)))), beta) as tf.Tensor4D;
}

describe('batchNormTrain', () => {
  const rng = new Rng(7);
  const shape = [3, 5, 4, 6];
  const n = 3 * 5 * 4 * 6;
  const x = { shape, values: randomValues(rng, n).map((v) => 3 * v + 0.5) };
  const gamma = { shape: [6], values: randomValues(rng, 6).map((v) => 1 + 0.5 * v) };
  const beta = { shape: [6], values: randomValues(rng, 6) };
  // A random weighting of the output, so the loss's gradient is not the trivial all-ones.
  const weight = { shape, values: randomValues(rng, n) };

  test('forward equals γ·(x − μ)/√(σ² + ε) + β with the biased batch variance', () => {
    const [y, mean, variance, plain] = on('cpu', [x, gamma, beta], (xt, g, b) => {
      const r = batchNormTrain(xt as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, EPS);
      return [r.y, r.mean, r.variance, batchNormPlain(xt as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D)];
    });
    assertClose(y, plain, 1e-5, 'y');
    // Channel 0's statistics by hand (biased: divided by the count, 60).
    const c0 = Array.from(x.values).filter((_, i) => i % 6 === 0);
    const mu = c0.reduce((a, b) => a + b, 0) / c0.length;
    const v = c0.reduce((a, b) => a + (b - mu) ** 2, 0) / c0.length;
    assert.ok(Math.abs(mean[0] - mu) < 1e-5, `mean ${mean[0]} vs ${mu}`);
    assert.ok(Math.abs(variance[0] - v) < 1e-4 * v, `variance ${variance[0]} vs ${v}`);
  });

  test('gradients (x, γ, β) equal autodiff of the plain formula on cpu', () => {
    const custom = on('cpu', [x, gamma, beta, weight], (xt, g, b, w) =>
      tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
        tf.sum(tf.mul(batchNormTrain(a as tf.Tensor4D, c as tf.Tensor1D, d as tf.Tensor1D, EPS).y, w)),
      )([xt, g, b]),
    );
    const plain = on('cpu', [x, gamma, beta, weight], (xt, g, b, w) =>
      tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(batchNormPlain(a as tf.Tensor4D, c as tf.Tensor1D, d as tf.Tensor1D), w)))([
        xt,
        g,
        b,
      ]),
    );
    ['dx', 'dγ', 'dβ'].forEach((name, i) => assertClose(custom[i], plain[i], 1e-4, name));
  });

  test('gradients on wasm equal those on cpu', () => {
    const run = (backend: string) =>
      on(backend, [x, gamma, beta, weight], (xt, g, b, w) =>
        tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
          tf.sum(tf.mul(batchNormTrain(a as tf.Tensor4D, c as tf.Tensor1D, d as tf.Tensor1D, EPS).y, w)),
        )([xt, g, b]),
      );
    const cpu = run('cpu');
    const wasm = run('wasm');
    ['dx', 'dγ', 'dβ'].forEach((name, i) => assertClose(wasm[i], cpu[i], 1e-4, name));
  });

  test('reaches variables through variableGrads and leaks no tensors over repeated steps', () => {
    for (const backend of ['cpu', 'wasm']) {
      tf.setBackend(backend);
      const xt = tf.tensor4d(x.values, shape as [number, number, number, number]);
      const g = tf.variable(tf.tensor1d(gamma.values), true, `bn-gamma-${backend}`);
      const b = tf.variable(tf.tensor1d(beta.values), true, `bn-beta-${backend}`);
      const runningMean = tf.variable(tf.zeros([6]), false, `bn-mean-${backend}`);
      const runningVar = tf.variable(tf.ones([6]), false, `bn-var-${backend}`);
      const step = () => {
        const { value, grads } = tf.variableGrads(() => {
          const r = batchNormTrain(xt, g, b, EPS);
          updateRunningStats(runningMean, runningVar, r, 60);
          return tf.sum(tf.square(r.y));
        });
        assert.deepEqual(Object.keys(grads).sort(), [`bn-beta-${backend}`, `bn-gamma-${backend}`]);
        tf.dispose([value, ...Object.values(grads)]);
      };
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 4; i++) step();
      assert.equal(tf.memory().numTensors, before, backend);
      tf.dispose([xt, g, b, runningMean, runningVar]);
    }
  });
});

describe('batchNormInfer and the running statistics', () => {
  test('inference uses the running mean and variance', () => {
    tf.setBackend('cpu');
    const y = tf.tidy(() =>
      batchNormInfer(tf.tensor4d([1, 4, 3, 0], [1, 1, 2, 2]), tf.tensor1d([2, 1]), tf.tensor1d([0.5, -1]), tf.tensor1d([1, 2]), tf.tensor1d([4, 1]), 0),
    );
    // Channel 0: 2·(x − 1)/2 + 0.5; channel 1: (x − 2)/1 − 1.
    assert.deepEqual(Array.from(y.dataSync()), [0.5, 1, 2.5, -3]);
    y.dispose();
  });

  test('PyTorch update: momentum 0.1, unbiased variance for the running estimate', () => {
    tf.setBackend('cpu');
    const mean = tf.variable(tf.tensor1d([0, 1]));
    const variance = tf.variable(tf.tensor1d([1, 1]));
    const batch = { mean: tf.tensor1d([2, 1]), variance: tf.tensor1d([4, 0]) };
    const before = tf.memory().numTensors;
    updateRunningStats(mean, variance, batch, 5);
    assert.equal(tf.memory().numTensors, before);
    assertClose(mean.dataSync(), [0.2, 1], 1e-6, 'running mean');
    // 0.9·1 + 0.1·4·5/4 = 1.4; 0.9·1 + 0 = 0.9.
    assertClose(variance.dataSync(), [1.4, 0.9], 1e-6, 'running variance');
    tf.dispose([mean, variance, batch.mean, batch.variance]);
  });

  test('batchNormTrain returns the statistics the update needs', () => {
    tf.setBackend('cpu');
    const r = tf.tidy(() => {
      const out = batchNormTrain(tf.tensor4d([1, 10, 3, 20, 5, 30, 7, 40], [2, 2, 1, 2]), tf.ones([2]), tf.zeros([2]), EPS);
      return [out.mean, out.variance];
    });
    assert.deepEqual(Array.from(r[0].dataSync()), [4, 25]);
    // Biased: channel 0 deviations −3, −1, 1, 3 → 20/4 = 5; channel 1: −15, −5, 5, 15 → 500/4 = 125.
    assert.deepEqual(Array.from(r[1].dataSync()), [5, 125]);
    tf.dispose(r);
  });
});

describe('conv2dPycls: symmetric padding (k − 1)/2', () => {
  test('output size is ⌊(h − 1)/s⌋ + 1 for odd and even sizes', () => {
    tf.setBackend('cpu');
    for (const [h, k, s, expected] of [
      [8, 3, 2, 4],
      [7, 3, 2, 4],
      [5, 3, 2, 3],
      [9, 7, 2, 5],
      [6, 1, 2, 3],
      [6, 3, 1, 6],
    ]) {
      const y = tf.tidy(() => conv2dPycls(tf.ones([1, h, h, 2]), tf.ones([k, k, 2, 3]), s));
      assert.deepEqual(y.shape, [1, expected, expected, 3], `h ${h} k ${k} s ${s}`);
      y.dispose();
    }
    assert.deepEqual([1, 3, 5, 7].map(pyclsPadding), [0, 1, 2, 3]);
  });

  test('stride 2 on an even size pads top/left like pycls, not like tfjs "same"', () => {
    tf.setBackend('cpu');
    const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i), [1, 4, 4, 1]);
    const f = tf.ones([3, 3, 1, 1]) as tf.Tensor4D;
    const ours = conv2dPycls(x, f, 2);
    const same = tf.conv2d(x, f, 2, 'same');
    // Window of output (0, 0) covers rows/cols −1…1: 0 + 1 + 4 + 5. tfjs 'same' covers 0…2.
    assert.deepEqual(Array.from(ours.dataSync()), [10, 24, 51, 90]);
    assert.deepEqual(Array.from(same.dataSync()), [45, 39, 66, 50]);
    tf.dispose([x, f, ours, same]);
  });
});

/** The dense [k, k, cIn, cOut] filter equal to a grouped one on the diagonal blocks, built in plain JS. */
function denseFromGrouped(values: Float32Array, k: number, cIn: number, cOut: number, groups: number): Float32Array {
  const cInG = cIn / groups;
  const cOutG = cOut / groups;
  const dense = new Float32Array(k * k * cIn * cOut);
  for (let t = 0; t < k * k; t++) {
    for (let i = 0; i < cInG; i++) {
      for (let o = 0; o < cOut; o++) {
        const g = Math.floor(o / cOutG);
        dense[(t * cIn + g * cInG + i) * cOut + o] = values[(t * cInG + i) * cOut + o];
      }
    }
  }
  return dense;
}

/** The grouped filter's entries read back out of a dense gradient (the diagonal blocks). */
function groupedFromDense(dense: Float32Array, k: number, cIn: number, cOut: number, groups: number): Float32Array {
  const cInG = cIn / groups;
  const cOutG = cOut / groups;
  const grouped = new Float32Array(k * k * cInG * cOut);
  for (let t = 0; t < k * k; t++) {
    for (let i = 0; i < cInG; i++) {
      for (let o = 0; o < cOut; o++) {
        const g = Math.floor(o / cOutG);
        grouped[(t * cInG + i) * cOut + o] = dense[(t * cIn + g * cInG + i) * cOut + o];
      }
    }
  }
  return grouped;
}

describe('groupedConv2d', () => {
  // [n, h, cIn, cOut, k, stride, groups]: G = 1, G = channels (depthwise, also with multiplier 2), in between.
  const cases: [number, number, number, number, number, number, number][] = [
    [2, 7, 6, 9, 3, 1, 1],
    [2, 8, 6, 6, 3, 2, 6],
    [1, 7, 5, 10, 3, 2, 5],
    [2, 8, 12, 12, 3, 2, 3],
    [2, 7, 8, 4, 3, 1, 2],
    [1, 9, 6, 6, 5, 2, 2],
    [2, 6, 12, 12, 1, 2, 4],
  ];
  const rng = new Rng(11);

  for (const [n, h, cIn, cOut, k, s, groups] of cases) {
    const label = `n${n} ${h}×${h}×${cIn}→${cOut} k${k} s${s} G${groups}`;
    const x = { shape: [n, h, h, cIn], values: randomValues(rng, n * h * h * cIn) };
    const filter = { shape: [k, k, cIn / groups, cOut], values: randomValues(rng, k * k * (cIn / groups) * cOut) };
    const o = Math.floor((h - 1) / s) + 1;
    const weight = { shape: [n, o, o, cOut], values: randomValues(rng, n * o * o * cOut) };
    const dense = { shape: [k, k, cIn, cOut], values: denseFromGrouped(filter.values, k, cIn, cOut, groups) };
    const loss = (conv: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D, w: tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), w));

    test(`${label}: output and gradients equal a dense conv with a block-diagonal filter (cpu)`, () => {
      const grouped = on('cpu', [x, filter, weight], (xt, f, w) => {
        const y = groupedConv2d(xt as tf.Tensor4D, f as tf.Tensor4D, s, groups);
        return [y, ...tf.grads(loss((a, b) => groupedConv2d(a, b, s, groups), w))([xt, f])];
      });
      const reference = on('cpu', [x, dense, weight], (xt, f, w) => {
        const y = conv2dPycls(xt as tf.Tensor4D, f as tf.Tensor4D, s);
        return [y, ...tf.grads(loss((a, b) => conv2dPycls(a, b, s), w))([xt, f])];
      });
      assert.equal(grouped[0].length, n * o * o * cOut);
      assertClose(grouped[0], reference[0], 1e-5, 'y');
      assertClose(grouped[1], reference[1], 1e-5, 'dx');
      assertClose(grouped[2], groupedFromDense(reference[2], k, cIn, cOut, groups), 1e-5, 'dfilter');
    });

    test(`${label}: output and gradients on wasm equal cpu`, () => {
      const run = (backend: string) =>
        on(backend, [x, filter, weight], (xt, f, w) => [
          groupedConv2d(xt as tf.Tensor4D, f as tf.Tensor4D, s, groups),
          ...tf.grads(loss((a, b) => groupedConv2d(a, b, s, groups), w))([xt, f]),
        ]);
      const cpu = run('cpu');
      const wasm = run('wasm');
      ['y', 'dx', 'dfilter'].forEach((name, i) => assertClose(wasm[i], cpu[i], 1e-4, name));
    });
  }

  test('groups that do not divide the channels are refused', () => {
    tf.setBackend('cpu');
    const x = tf.zeros([1, 4, 4, 6]) as tf.Tensor4D;
    const f = tf.zeros([3, 3, 2, 6]) as tf.Tensor4D;
    assert.throws(() => groupedConv2d(x, f, 1, 4), /4 groups do not fit 6 input channels, 6 output channels and filter \[3, 3, 2, 6\]/);
    tf.dispose([x, f]);
  });
});

describe('a whole conv net trains on wasm as on cpu (to float32 rounding)', () => {
  // Every op the model uses, in one net: 3×3 stem s1, grouped conv s2, depthwise conv, 1×1
  // convs, batch norm, ReLU, squeeze-excitation (mean, sigmoid, multiply), a residual add,
  // max pooling, global average pooling, a fully connected head and a log-softmax loss.
  const rng = new Rng(21);
  const shapes: Record<string, number[]> = {
    stem: [3, 3, 3, 8],
    g1: [3, 3, 4, 8],
    dw: [3, 3, 1, 8],
    seDown: [1, 1, 8, 2],
    seUp: [1, 1, 2, 8],
    proj: [1, 1, 8, 8],
    fc: [8, 5],
    fcBias: [5],
    gamma: [8],
    beta: [8],
  };
  const init: Record<string, Float32Array> = {};
  for (const [name, shape] of Object.entries(shapes)) init[name] = randomValues(rng, shape.reduce((a, b) => a * b, 1));
  const images = randomValues(rng, 4 * 12 * 12 * 3);
  const labels = [0, 3, 1, 4];

  function step(v: Record<string, tf.Variable>, x: tf.Tensor4D, targets: tf.Tensor2D) {
    return tf.variableGrads(() => {
      const bn = (t: tf.Tensor4D) => batchNormTrain(t, v.gamma as tf.Tensor1D, v.beta as tf.Tensor1D, EPS).y;
      const stem = tf.relu(bn(conv2dPycls(x, v.stem as tf.Tensor4D, 1)));
      const pooled = tf.maxPool(stem, 3, 1, 'same');
      const grouped = tf.relu(bn(groupedConv2d(pooled, v.g1 as tf.Tensor4D, 2, 2)));
      const depthwise = tf.relu(groupedConv2d(grouped, v.dw as tf.Tensor4D, 1, 8));
      const squeeze = tf.mean(depthwise, [1, 2], true) as tf.Tensor4D;
      const excite = tf.sigmoid(conv2dPycls(tf.relu(conv2dPycls(squeeze, v.seDown as tf.Tensor4D, 1)), v.seUp as tf.Tensor4D, 1));
      const block = tf.mul(depthwise, excite) as tf.Tensor4D;
      const shortcut = conv2dPycls(pooled, v.proj as tf.Tensor4D, 2);
      const out = tf.relu(tf.add(bn(block), shortcut));
      const features = tf.mean(out, [1, 2]) as tf.Tensor2D;
      const logits = tf.add(tf.matMul(features, v.fc as tf.Tensor2D), v.fcBias);
      return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))) as tf.Scalar;
    });
  }

  function train(backend: string): { losses: number[]; grads: Record<string, Float32Array>; leaked: number } {
    tf.setBackend(backend);
    const v: Record<string, tf.Variable> = {};
    for (const [name, shape] of Object.entries(shapes)) v[name] = tf.variable(tf.tensor(init[name], shape), true, `net-${backend}-${name}`);
    const x = tf.tensor4d(images, [4, 12, 12, 3]);
    const targets = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 5), 'float32')) as tf.Tensor2D;
    const losses: number[] = [];
    let grads: Record<string, Float32Array> = {};
    let start = 0;
    for (let i = 0; i < 3; i++) {
      if (i === 1) start = tf.memory().numTensors;
      const r = step(v, x, targets);
      losses.push(r.value.dataSync()[0]);
      grads = Object.fromEntries(Object.entries(r.grads).map(([k, g]) => [k.replace(`net-${backend}-`, ''), g.dataSync() as Float32Array]));
      tf.tidy(() => {
        for (const [k, g] of Object.entries(r.grads)) v[k.replace(`net-${backend}-`, '')].assign(tf.sub(v[k.replace(`net-${backend}-`, '')], tf.mul(g, 0.1)));
      });
      tf.dispose([r.value, ...Object.values(r.grads)]);
    }
    const leaked = tf.memory().numTensors - start;
    tf.dispose([x, targets, ...Object.values(v)]);
    return { losses, grads, leaked };
  }

  test('three SGD steps: same losses, same gradients, loss goes down, no leaks', () => {
    const cpu = train('cpu');
    const wasm = train('wasm');
    assert.equal(Object.keys(wasm.grads).length, Object.keys(shapes).length);
    assertClose(wasm.losses, cpu.losses, 1e-4, 'losses');
    for (const name of Object.keys(shapes)) assertClose(wasm.grads[name], cpu.grads[name], 1e-3, `d${name}`);
    assert.ok(cpu.losses[2] < cpu.losses[0], `loss ${cpu.losses.join(' → ')}`);
    assert.equal(cpu.leaked, 0);
    assert.equal(wasm.leaked, 0);
  });
});
