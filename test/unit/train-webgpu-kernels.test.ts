import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Rng } from '../../src/core/sampling/rng';
import { tf } from '../../src/train/backend';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from '../../src/train/kernels/simd/batchNorm';
import { CONV, CONV_BACKPROP_FILTER, CONV_BACKPROP_INPUT, convShape } from '../../src/train/kernels/simd/conv';
import { ADD_RELU, RELU_GRAD } from '../../src/train/kernels/simd/addRelu';
import { ADD_SWISH, ADD_SWISH_GRAD } from '../../src/train/kernels/simd/addSwish';
import { SGD_MOMENTUM } from '../../src/train/kernels/simd/sgd';
import { BATCH_NORM_RUNNING_UPDATE } from '../../src/train/kernels/webgpu/batchNorm';
import { batchNormTrain, groupedConv2d } from '../../src/train/ops';
import { assertDxClose, batchNormCases, batchNormInputs, BN_EPS, referenceBackward, referenceForward } from '../batchNormReference';
import { convCaseData, randomConvCases } from '../convReference';
import { assertClose, randomValues } from '../numeric';
import { requireWebGpu, skipWebGpu } from '../webgpuEnv';

type Inputs = Record<string, { shape: number[]; values: Float32Array }>;

/** One kernel on the webgpu backend, its outputs as floats. */
async function runWebGpu(kernel: string, inputs: Inputs, attrs: object): Promise<Float32Array[]> {
  tf.setBackend('webgpu');
  const named: Record<string, tf.Tensor> = {};
  for (const [key, v] of Object.entries(inputs)) named[key] = tf.tensor(v.values, v.shape);
  const out = tf.engine().runKernel(kernel, named, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
  const outputs = Array.isArray(out) ? out : [out];
  const values = await Promise.all(outputs.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([...Object.values(named), ...outputs]);
  return values;
}

/** The kernels tfjs ran for `f` on webgpu. */
async function kernelsRun(f: () => tf.Tensor): Promise<string[]> {
  tf.setBackend('webgpu');
  const info = await tf.profile(() => f());
  tf.dispose(info.result as tf.Tensor);
  return info.kernelNames;
}

describe('our webgpu kernels against float64 references', { skip: skipWebGpu }, () => {
  before(async () => {
    await requireWebGpu();
  });

  describe('grouped conv: forward, input gradient, filter gradient', () => {
    // Beyond the wasm cases: filter gradients over more than one chunk of 4,096 output pixels (2 and 3 chunks, the last partial).
    const chunked = [
      { s: convShape('test', [5, 30, 30, 8], [3, 3, 4, 8], 1, 2), label: 'x [5, 30, 30, 8] k3 s1 G2 cOut 8: 2 chunks' },
      { s: convShape('test', [6, 28, 28, 6], [3, 3, 2, 6], 1, 3), label: 'x [6, 28, 28, 6] k3 s1 G3 cOut 6: 2 chunks, one channel a lane' },
      { s: convShape('test', [15, 47, 48, 4], [3, 3, 2, 4], 2, 2), label: 'x [15, 47, 48, 4] k3 s2 G2 cOut 4: 3 chunks' },
    ];
    for (const { s, label } of [...randomConvCases(6101, 51), ...chunked]) {
      test(label, async () => {
        const { xShape, wShape, yShape, x, w, dy, ref, attrs } = convCaseData(s);
        const [y] = await runWebGpu(CONV, { x: { shape: xShape, values: x }, filter: { shape: wShape, values: w } }, attrs);
        const [dx] = await runWebGpu(CONV_BACKPROP_INPUT, { dy: { shape: yShape, values: dy }, filter: { shape: wShape, values: w } }, { ...attrs, inputShape: xShape });
        const [dw] = await runWebGpu(CONV_BACKPROP_FILTER, { x: { shape: xShape, values: x }, dy: { shape: yShape, values: dy } }, { ...attrs, filterShape: wShape });
        // float32 sums of up to a few thousand terms of size ≤ 1.
        assertClose(y, ref.y, 2e-5, 'forward');
        assertClose(dx, ref.dx, 2e-5, 'input gradient');
        assertClose(dw, ref.dw, 2e-5, 'filter gradient');
      });
    }
  });

  describe('fused batch norm: statistics, output and gradients', () => {
    const rng = new Rng(11);
    // Beyond the wasm cases: rows over several blocks of the partial sums (2048 rows each).
    const cases = [...batchNormCases(rng), [5000, 7] as [number, number], [4097, 20] as [number, number]];
    for (const [m, c] of cases) {
      for (const act of [undefined, 'relu', 'swish'] as const) {
        test(`m ${m}, c ${c}${act ? `, ${act}` : ''}`, async () => {
          const { x, gamma, beta, dy } = batchNormInputs(rng, m, c);
          const attrs = { epsilon: BN_EPS, activation: act ?? 'none' };
          const [y, mean, variance] = await runWebGpu(
            BATCH_NORM_TRAIN,
            { x: { shape: [m, 1, 1, c], values: x }, gamma: { shape: [c], values: gamma }, beta: { shape: [c], values: beta } },
            attrs,
          );
          const [dx, dGamma, dBeta] = await runWebGpu(
            BATCH_NORM_TRAIN_GRAD,
            {
              dy: { shape: [m, 1, 1, c], values: dy },
              x: { shape: [m, 1, 1, c], values: x },
              y: { shape: [m, 1, 1, c], values: y },
              gamma: { shape: [c], values: gamma },
              beta: { shape: [c], values: beta },
              mean: { shape: [c], values: mean },
              variance: { shape: [c], values: variance },
            },
            attrs,
          );
          const ref = referenceForward(x, gamma, beta, m, c, act);
          const back = referenceBackward(dy, x, ref.z, gamma, ref.mean, ref.variance, m, c, act);
          assertClose(mean, ref.mean, 1e-6, 'mean');
          assertClose(variance, ref.variance, 1e-5, 'variance');
          assertClose(y, ref.y, 1e-5, 'y');
          assertClose(dBeta, back.dBeta, 1e-5, 'dβ');
          assertClose(dGamma, back.dGamma, 1e-5, 'dγ');
          assertDxClose(dx, back.dx, dy, gamma, ref.variance, 1e-5);
        });
      }
    }

    test('a large mean over many rows keeps its precision (sums relative to a value of the batch)', async () => {
      const m = 100_000;
      const c = 4;
      const x = new Float32Array(m * c);
      for (let i = 0; i < x.length; i++) x[i] = 1000 + (i % 7) * 0.001;
      const ones = new Float32Array(c).fill(1);
      const [, mean, variance] = await runWebGpu(
        BATCH_NORM_TRAIN,
        { x: { shape: [m, 1, 1, c], values: x }, gamma: { shape: [c], values: ones }, beta: { shape: [c], values: new Float32Array(c) } },
        { epsilon: BN_EPS, activation: 'none' },
      );
      const ref = referenceForward(x, ones, new Float32Array(c), m, c);
      assertClose(mean, ref.mean, 1e-7, 'mean');
      assertClose(variance, ref.variance, 1e-3, 'variance');
    });
  });

  for (const nesterov of [0, 1]) {
    test(`SGD with momentum${nesterov ? ' (Nesterov)' : ''}: one step as PyTorch defines it`, async () => {
      const rng = new Rng(5 + nesterov);
      const n = 1037;
      const p = randomValues(rng, n);
      const grad = randomValues(rng, n);
      const buf = randomValues(rng, n);
      const attrs = { lr: 0.1, momentum: 0.9, weightDecay: 5e-4, nesterov };
      const [pNext, bufNext] = await runWebGpu(SGD_MOMENTUM, { p: { shape: [n], values: p }, grad: { shape: [n], values: grad }, buf: { shape: [n], values: buf } }, attrs);
      const expectBuf = new Float64Array(n);
      const expectP = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const g = grad[i] + attrs.weightDecay * p[i];
        expectBuf[i] = attrs.momentum * buf[i] + g;
        expectP[i] = p[i] - attrs.lr * (nesterov ? g + attrs.momentum * expectBuf[i] : expectBuf[i]);
      }
      assertClose(bufNext, expectBuf, 1e-6, 'buffer');
      assertClose(pNext, expectP, 1e-6, 'weights');
    });
  }

  test('the end of a residual block: ReLU or swish of a + b, and the gradient both branches get', async () => {
    const rng = new Rng(21);
    const n = 1037;
    const shape = [n];
    const [a, b, dy] = [randomValues(rng, n, 3), randomValues(rng, n, 3), randomValues(rng, n)];
    const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
    const [yRelu] = await runWebGpu(ADD_RELU, { a: { shape, values: a }, b: { shape, values: b } }, {});
    const [dRelu] = await runWebGpu(RELU_GRAD, { dy: { shape, values: dy }, y: { shape, values: yRelu } }, {});
    const [ySwish] = await runWebGpu(ADD_SWISH, { a: { shape, values: a }, b: { shape, values: b } }, {});
    const [dSwish] = await runWebGpu(ADD_SWISH_GRAD, { dy: { shape, values: dy }, a: { shape, values: a }, b: { shape, values: b }, y: { shape, values: ySwish } }, {});
    const z = Array.from(a, (v, i) => v + b[i]);
    assertClose(yRelu, z.map((v) => Math.max(v, 0)), 1e-7, 'ReLU');
    assertClose(dRelu, z.map((v, i) => (v > 0 ? dy[i] : 0)), 0, 'ReLU gradient');
    assertClose(ySwish, z.map((v) => v * sigmoid(v)), 1e-6, 'swish');
    assertClose(dSwish, z.map((v, i) => dy[i] * sigmoid(v) * (1 + v * (1 - sigmoid(v)))), 1e-6, 'swish gradient');
  });

  test('running statistics: PyTorch’s momentum update with the unbiased batch variance', async () => {
    const rng = new Rng(8);
    const c = 19;
    const [runningMean, runningVar, mean, variance] = [randomValues(rng, c), randomValues(rng, c, 0.5, 1), randomValues(rng, c), randomValues(rng, c, 0.5, 1)];
    const v = (values: Float32Array) => ({ shape: [c], values });
    const [m1, v1] = await runWebGpu(BATCH_NORM_RUNNING_UPDATE, { runningMean: v(runningMean), runningVar: v(runningVar), mean: v(mean), variance: v(variance) }, { momentum: 0.1, unbias: 64 / 63 });
    assertClose(m1, Array.from(runningMean, (r, j) => 0.9 * r + 0.1 * mean[j]), 1e-6, 'running mean');
    assertClose(v1, Array.from(runningVar, (r, j) => 0.9 * r + 0.1 * (64 / 63) * variance[j]), 1e-6, 'running variance');
  });

  test('the ops take them where they save dispatches, and tfjs’s own kernels elsewhere', async () => {
    const x = tf.tidy(() => tf.randomNormal([2, 6, 6, 8]) as tf.Tensor4D);
    const grouped = await kernelsRun(() => groupedConv2d(x, tf.randomNormal([3, 3, 4, 8]) as tf.Tensor4D, 1, 2));
    assert.ok(grouped.includes(CONV), `a grouped conv ran ${grouped.join(', ')}`);
    const plain = await kernelsRun(() => groupedConv2d(x, tf.randomNormal([3, 3, 8, 8]) as tf.Tensor4D, 1, 1));
    assert.ok(!plain.includes(CONV) && plain.includes('Conv2D'), `a plain conv ran ${plain.join(', ')}`);
    const depthwise = await kernelsRun(() => groupedConv2d(x, tf.randomNormal([3, 3, 1, 8]) as tf.Tensor4D, 1, 8));
    assert.ok(!depthwise.includes(CONV), `a depthwise conv ran ${depthwise.join(', ')}`);
    const bn = await kernelsRun(() => batchNormTrain(x, tf.ones([8]) as tf.Tensor1D, tf.zeros([8]) as tf.Tensor1D, BN_EPS, 'relu').y);
    assert.ok(bn.includes(BATCH_NORM_TRAIN), `batch norm ran ${bn.join(', ')}`);
    x.dispose();
  });
});
