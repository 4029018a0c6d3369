import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Rng } from '../../src/core/sampling/rng';
import { initBackend, tf } from '../../src/train/backend';
import { axisPhases } from '../../src/train/kernels/geometry';
import { WASM_GRADIENT_KERNELS, WASM_KERNELS } from '../../src/train/kernels';
import { randomValues, relativeError } from '../numeric';

before(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
});

type Input = { shape: number[]; values: Float32Array };

/** Runs one kernel on `backend` with fresh input tensors; returns its output values and shape. */
function runOn(backend: string, kernel: string, inputs: Record<string, Input>, attrs: object): { values: Float32Array; shape: number[] } {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const named: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) named[k] = tf.tensor(v.values, v.shape);
    const out = tf.engine().runKernel(kernel, named, attrs as tf.NamedAttrMap) as tf.Tensor;
    return { values: out.dataSync() as Float32Array, shape: out.shape };
  });
}

function assertSameAsCpu(kernel: string, inputs: Record<string, Input>, attrs: object, label: string): void {
  const cpu = runOn('cpu', kernel, inputs, attrs);
  const wasm = runOn('wasm', kernel, inputs, attrs);
  assert.deepEqual(wasm.shape, cpu.shape, label);
  const err = relativeError(wasm.values, cpu.values);
  assert.ok(err <= 1e-4, `${label}: relative error ${err}`);
  // A reference of all zeros would make the comparison vacuous.
  assert.ok(cpu.values.some((v) => v !== 0), `${label}: reference is all zeros`);
}

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  n: number;
  h: number;
  w: number;
  c: number;
  k: number;
  stride: number;
  pad: Pad;
  /** cOut for a dense conv, the channel multiplier for a depthwise one. */
  out: number;
}

function outSize(len: number, k: number, s: number, pad: Pad): number {
  if (pad === 'same') return Math.ceil(len / s);
  if (pad === 'valid') return Math.ceil((len - k + 1) / s);
  const [before, after] = typeof pad === 'number' ? [pad, pad] : pad[1];
  return Math.floor((len + before + after - k) / s) + 1;
}

/** Seeded random cases: odd and even sizes, channel counts not multiples of 4, strides 1–3, every padding form. */
function randomCases(seed: number, count: number, maxOut: number): ConvCase[] {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)];
  const cases: ConvCase[] = [];
  while (cases.length < count) {
    const k = pick([1, 3, 3, 5, 7]);
    const h = rng.int(Math.max(2, k - 2), 11);
    const w = rng.int(Math.max(2, k - 2), 11);
    const p = Math.floor((k - 1) / 2);
    const pad: Pad = pick<Pad>([
      [
        [0, 0],
        [p, p],
        [p, p],
        [0, 0],
      ],
      'same',
      'valid',
      p,
    ]);
    const stride = pick([1, 2, 2, 3]);
    if (outSize(h, k, stride, pad) < 1 || outSize(w, k, stride, pad) < 1) continue;
    cases.push({ n: rng.int(1, 3), h, w, c: pick([1, 3, 5, 6, 7]), k, stride, pad, out: rng.int(1, maxOut) });
  }
  return cases;
}

function describeCase(name: string, c: ConvCase): string {
  return `${name} n${c.n} ${c.h}×${c.w}×${c.c} k${c.k} s${c.stride} pad ${JSON.stringify(c.pad)} out ${c.out}`;
}

describe('wasm gradient kernels match the cpu backend (relative error ≤ 1e-4)', () => {
  test('Conv2DBackpropFilter on 24 random shapes', () => {
    const rng = new Rng(101);
    for (const cc of randomCases(1, 24, 9)) {
      const oh = outSize(cc.h, cc.k, cc.stride, cc.pad);
      const ow = outSize(cc.w, cc.k, cc.stride, cc.pad);
      const x = { shape: [cc.n, cc.h, cc.w, cc.c], values: randomValues(rng, cc.n * cc.h * cc.w * cc.c) };
      const dy = { shape: [cc.n, oh, ow, cc.out], values: randomValues(rng, cc.n * oh * ow * cc.out) };
      const attrs = { strides: cc.stride, pad: cc.pad, dataFormat: 'NHWC', filterShape: [cc.k, cc.k, cc.c, cc.out] };
      assertSameAsCpu('Conv2DBackpropFilter', { x, dy }, attrs, describeCase('Conv2DBackpropFilter', cc));
    }
  });

  test('Conv2DBackpropInput on 24 random shapes (replaces the stock wasm kernel)', () => {
    const rng = new Rng(102);
    for (const cc of randomCases(2, 24, 9)) {
      const oh = outSize(cc.h, cc.k, cc.stride, cc.pad);
      const ow = outSize(cc.w, cc.k, cc.stride, cc.pad);
      const dy = { shape: [cc.n, oh, ow, cc.out], values: randomValues(rng, cc.n * oh * ow * cc.out) };
      const filter = { shape: [cc.k, cc.k, cc.c, cc.out], values: randomValues(rng, cc.k * cc.k * cc.c * cc.out) };
      const attrs = { strides: cc.stride, pad: cc.pad, dataFormat: 'NHWC', inputShape: [cc.n, cc.h, cc.w, cc.c] };
      assertSameAsCpu('Conv2DBackpropInput', { dy, filter }, attrs, describeCase('Conv2DBackpropInput', cc));
    }
  });

  test('DepthwiseConv2dNativeBackpropFilter on 24 random shapes, multipliers 1 and 2', () => {
    const rng = new Rng(103);
    for (const cc of randomCases(3, 24, 2)) {
      const oh = outSize(cc.h, cc.k, cc.stride, cc.pad);
      const ow = outSize(cc.w, cc.k, cc.stride, cc.pad);
      const x = { shape: [cc.n, cc.h, cc.w, cc.c], values: randomValues(rng, cc.n * cc.h * cc.w * cc.c) };
      const dy = { shape: [cc.n, oh, ow, cc.c * cc.out], values: randomValues(rng, cc.n * oh * ow * cc.c * cc.out) };
      const attrs = { strides: cc.stride, pad: cc.pad, dilations: 1, filterShape: [cc.k, cc.k, cc.c, cc.out] };
      assertSameAsCpu('DepthwiseConv2dNativeBackpropFilter', { x, dy }, attrs, describeCase('DepthwiseBackpropFilter', cc));
    }
  });

  test('DepthwiseConv2dNativeBackpropInput on 24 random shapes, multipliers 1 and 2', () => {
    const rng = new Rng(104);
    for (const cc of randomCases(4, 24, 2)) {
      const oh = outSize(cc.h, cc.k, cc.stride, cc.pad);
      const ow = outSize(cc.w, cc.k, cc.stride, cc.pad);
      const dy = { shape: [cc.n, oh, ow, cc.c * cc.out], values: randomValues(rng, cc.n * oh * ow * cc.c * cc.out) };
      const filter = { shape: [cc.k, cc.k, cc.c, cc.out], values: randomValues(rng, cc.k * cc.k * cc.c * cc.out) };
      const attrs = { strides: cc.stride, pad: cc.pad, dilations: 1, inputShape: [cc.n, cc.h, cc.w, cc.c] };
      assertSameAsCpu('DepthwiseConv2dNativeBackpropInput', { dy, filter }, attrs, describeCase('DepthwiseBackpropInput', cc));
    }
  });

  test('a training-sized layer: 4×14×14×16, 3×3 and 1×1, strides 1 and 2', () => {
    // The cpu reference is slow at batch 64; the wasm path does not depend on the batch size.
    const rng = new Rng(105);
    const x = { shape: [4, 14, 14, 16], values: randomValues(rng, 4 * 14 * 14 * 16) };
    for (const [k, s] of [
      [3, 1],
      [3, 2],
      [1, 2],
    ]) {
      const p = (k - 1) / 2;
      const pad = [
        [0, 0],
        [p, p],
        [p, p],
        [0, 0],
      ];
      const o = Math.floor(13 / s) + 1;
      const dy = { shape: [4, o, o, 16], values: randomValues(rng, 4 * o * o * 16) };
      assertSameAsCpu('Conv2DBackpropFilter', { x, dy }, { strides: s, pad, dataFormat: 'NHWC', filterShape: [k, k, 16, 16] }, `dense dW k${k} s${s}`);
    }
  });

  test('dilation above 1 is refused with a clear message', () => {
    tf.setBackend('wasm');
    const x = tf.zeros([1, 5, 5, 2]);
    const dy = tf.zeros([1, 5, 5, 2]);
    assert.throws(
      () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dilations: 2, filterShape: [3, 3, 2, 1] }),
      /supports dilation 1 only, got \[2, 2\]/,
    );
    tf.dispose([x, dy]);
  });
});

describe('wasm gradient kernels: bookkeeping', () => {
  test('all are installed on wasm, replacing the stock Conv2DBackpropInput, Identity, Slice, SplitV and Concat', () => {
    assert.deepEqual(
      WASM_KERNELS.map((k) => k.kernelName).slice(WASM_GRADIENT_KERNELS.length),
      ['Identity', 'Slice', 'SplitV', 'Concat'],
    );
    for (const config of WASM_KERNELS) {
      assert.equal(tf.getKernel(config.kernelName, 'wasm')?.kernelFunc, config.kernelFunc, config.kernelName);
    }
    assert.deepEqual(
      WASM_GRADIENT_KERNELS.map((k) => k.kernelName),
      ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'],
    );
  });

  test('repeated calls leave no tensors and no wasm buffers behind', () => {
    tf.setBackend('wasm');
    const x = tf.ones([2, 7, 7, 3]);
    const f = tf.ones([3, 3, 3, 4]);
    const fd = tf.ones([3, 3, 3, 1]);
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ];
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, pad))));
    const gradsDw = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, pad))));
    tf.dispose([...grads([x, f]), ...gradsDw([x, fd])]);
    const before = tf.memory();
    for (let i = 0; i < 5; i++) tf.dispose([...grads([x, f]), ...gradsDw([x, fd])]);
    const after = tf.memory();
    assert.equal(after.numTensors, before.numTensors);
    assert.equal(after.numDataBuffers, before.numDataBuffers);
    assert.equal(after.numBytes, before.numBytes);
    tf.dispose([x, f, fd]);
  });
});

describe('axisPhases: the input gradient of a strided conv as stride-1 correlations', () => {
  test('k3 s2 pad 1 over 8 positions: taps {1} for even outputs, {0, 2} for odd', () => {
    // dx[2u] = dy[u]·f[1]; dx[2u+1] = dy[u]·f[2] + dy[u+1]·f[0] (dy has 4 positions).
    assert.deepEqual(axisPhases(3, 2, 1, 8, 4), {
      len: 4,
      phases: [
        { r: 1, taps: 1, before: 0, after: 0 },
        { r: 0, taps: 2, before: 0, after: 1 },
      ],
    });
  });

  test('1×1 stride 2: odd outputs receive nothing', () => {
    assert.deepEqual(axisPhases(1, 2, 0, 7, 4).phases.map((p) => p.taps), [1, 0]);
  });

  test('stride 1 is one phase: full correlation padded k − 1 − pad before', () => {
    assert.deepEqual(axisPhases(5, 1, 2, 9, 9), { len: 9, phases: [{ r: 0, taps: 5, before: 2, after: 2 }] });
  });
});

/** d(Σ w·f(inputs))/d(inputs) on cpu, as plain arrays. */
function gradsOf(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], w?: tf.Tensor): number[][] {
  tf.setBackend('cpu');
  return tf.tidy(() => {
    const g = tf.grads((...xs: tf.Tensor[]) => (w === undefined ? tf.sum(f(...xs)) : tf.sum(tf.mul(f(...xs), w))))(inputs);
    return g.map((t) => Array.from(t.dataSync()));
  });
}

function assertArraysClose(actual: number[], expected: number[], label: string): void {
  assert.equal(actual.length, expected.length, label);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-5 * Math.max(1, Math.abs(expected[i])), `${label}[${i}]: ${v} vs ${expected[i]}`));
}

describe('registered gradient functions (tfjs-core alone ships none)', () => {
  const t = (values: number[], shape?: number[]) => tf.tensor(values, shape);

  test('broadcasting binary ops sum the gradient back over broadcast axes', () => {
    tf.setBackend('cpu');
    const a = t([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = t([0.5, -1, 2], [3]);
    const w = t([1, 2, 3, 4, 5, 6], [2, 3]);
    let [da, db] = gradsOf(tf.add, [a, b], w);
    assertArraysClose(da, [1, 2, 3, 4, 5, 6], 'add da');
    assertArraysClose(db, [5, 7, 9], 'add db');
    [da, db] = gradsOf(tf.sub, [a, b], w);
    assertArraysClose(db, [-5, -7, -9], 'sub db');
    [da, db] = gradsOf(tf.mul, [a, b], w);
    assertArraysClose(da, [0.5, -2, 6, 2, -5, 12], 'mul da');
    assertArraysClose(db, [1 + 16, 4 + 25, 9 + 36], 'mul db');
    [da, db] = gradsOf(tf.div, [a, b], w);
    assertArraysClose(da, [2, -2, 1.5, 8, -5, 3], 'div da');
    // −Σ w·a/b²: column 0: −(1 + 16)/0.25.
    assertArraysClose(db, [-68, -29, -45 / 4], 'div db');
    [da, db] = gradsOf(tf.squaredDifference, [a, b], w);
    assertArraysClose(da, [1, 12, 6, 28, 60, 48], 'squaredDifference da');
    tf.dispose([a, b, w]);
  });

  test('maximum and minimum route the gradient to the chosen input', () => {
    tf.setBackend('cpu');
    const a = t([1, 5, 3]);
    const b = t([2, 4, 3]);
    assert.deepEqual(gradsOf(tf.maximum, [a, b]), [
      [0, 1, 1],
      [1, 0, 0],
    ]);
    assert.deepEqual(gradsOf(tf.minimum, [a, b]), [
      [1, 0, 1],
      [0, 1, 0],
    ]);
    tf.dispose([a, b]);
  });

  test('unary ops', () => {
    tf.setBackend('cpu');
    const x = t([-2, 0, 0.5, 7]);
    const pos = t([0.25, 1, 4]);
    const one = (f: (x: tf.Tensor) => tf.Tensor, input: tf.Tensor) => gradsOf(f, [input])[0];
    assertArraysClose(one(tf.neg, x), [-1, -1, -1, -1], 'neg');
    assertArraysClose(one(tf.square, x), [-4, 0, 1, 14], 'square');
    assertArraysClose(one(tf.abs, x), [-1, 0, 1, 1], 'abs');
    // ReLU: derivative 0 at 0 (as PyTorch); ReLU6: 0 above 6.
    assertArraysClose(one(tf.relu, x), [0, 0, 1, 1], 'relu');
    assertArraysClose(one(tf.relu6, x), [0, 0, 1, 0], 'relu6');
    assertArraysClose(one(tf.log, pos), [4, 1, 0.25], 'log');
    assertArraysClose(one(tf.exp, pos), [Math.exp(0.25), Math.E, Math.exp(4)], 'exp');
    assertArraysClose(one(tf.sqrt, pos), [1, 0.5, 0.25], 'sqrt');
    assertArraysClose(one(tf.rsqrt, pos), [-4, -0.5, -1 / 16], 'rsqrt');
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    assertArraysClose(one(tf.sigmoid, x), [-2, 0, 0.5, 7].map((v) => s(v) * (1 - s(v))), 'sigmoid');
    assertArraysClose(one(tf.tanh, x), [-2, 0, 0.5, 7].map((v) => 1 - Math.tanh(v) ** 2), 'tanh');
    tf.dispose([x, pos]);
  });

  test('softmax: dy·y − y·Σ(dy·y)', () => {
    tf.setBackend('cpu');
    const logits = t([1, 2, 3], [1, 3]);
    const w = t([1, 0, 0], [1, 3]);
    const y = [1, 2, 3].map((v) => Math.exp(v) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
    assertArraysClose(gradsOf((x) => tf.softmax(x), [logits], w)[0], [y[0] - y[0] * y[0], -y[0] * y[1], -y[0] * y[2]], 'softmax');
    tf.dispose([logits, w]);
  });

  test('reductions spread the gradient (mean divides by the count)', () => {
    tf.setBackend('cpu');
    const x = t([1, 2, 3, 4, 5, 6], [2, 3]);
    assertArraysClose(gradsOf((a) => tf.sum(a, 1), [x], t([1, 2]))[0], [1, 1, 1, 2, 2, 2], 'sum axis 1');
    assertArraysClose(gradsOf((a) => tf.mean(a, 0, true), [x], t([3, 6, 9], [1, 3]))[0], [1.5, 3, 4.5, 1.5, 3, 4.5], 'mean axis 0 keepDims');
    assertArraysClose(gradsOf((a) => tf.mean(a), [x])[0], [1, 1, 1, 1, 1, 1].map((v) => v / 6), 'mean all');
    tf.dispose(x);
  });

  test('shape ops send each element back where it came from', () => {
    tf.setBackend('cpu');
    const x = t([1, 2, 3, 4, 5, 6], [2, 3]);
    const w6 = t([10, 20, 30, 40, 50, 60], [3, 2]);
    assertArraysClose(gradsOf((a) => tf.transpose(a), [x], w6)[0], [10, 30, 50, 20, 40, 60], 'transpose');
    assertArraysClose(gradsOf((a) => tf.reshape(a, [3, 2]), [x], w6)[0], [10, 20, 30, 40, 50, 60], 'reshape');
    assertArraysClose(gradsOf((a) => tf.slice(a, [0, 1], [2, 2]), [x], t([1, 2, 3, 4], [2, 2]))[0], [0, 1, 2, 0, 3, 4], 'slice');
    assertArraysClose(gradsOf((a) => tf.pad(a, [[1, 0], [0, 1]]), [x], t([9, 9, 9, 9, 1, 2, 3, 9, 4, 5, 6, 9], [3, 4]))[0], [1, 2, 3, 4, 5, 6], 'pad');
    const [p0, p1] = gradsOf((a) => tf.concat([tf.split(a, [1, 2], 1)[1], tf.split(a, [1, 2], 1)[0]], 1), [x], t([1, 2, 3, 4, 5, 6], [2, 3]));
    assert.equal(p1, undefined);
    assertArraysClose(p0, [3, 1, 2, 6, 4, 5], 'split + concat');
    const y = t([1, 1, 1, 1, 1, 1], [2, 3]);
    assert.deepEqual(gradsOf((a, b) => tf.addN([a, b, a]), [x, y]), [
      [2, 2, 2, 2, 2, 2],
      [1, 1, 1, 1, 1, 1],
    ]);
    tf.dispose([x, w6, y]);
  });

  test('matMul: all four transpose combinations', () => {
    tf.setBackend('cpu');
    const a = t([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = t([1, -1, 2, 0, 3, 1], [3, 2]);
    const w = t([1, 2, 3, 4], [2, 2]);
    const [da, db] = gradsOf((x, y) => tf.matMul(x, y), [a, b], w);
    // da = w·bᵀ, db = aᵀ·w.
    assertArraysClose(da, [-1, 2, 5, -1, 6, 13], 'da');
    assertArraysClose(db, [13, 18, 17, 24, 21, 30], 'db');
    const at = t([1, 4, 2, 5, 3, 6], [3, 2]);
    const bt = t([1, 2, 3, -1, 0, 1], [2, 3]);
    const [daT, dbT] = gradsOf((x, y) => tf.matMul(x, y, true, true), [at, bt], w);
    assertArraysClose(daT, [-1, -1, 2, 6, 5, 13], 'daᵀ');
    assertArraysClose(dbT, [13, 17, 21, 18, 24, 30], 'dbᵀ');
    const [da2] = gradsOf((x, y) => tf.matMul(x, y, false, true), [a, bt], w);
    assertArraysClose(da2, da, 'transposeB da');
    const [, db3] = gradsOf((x, y) => tf.matMul(x, y, true, false), [at, b], w);
    assertArraysClose(db3, db, 'transposeA db');
    tf.dispose([a, b, w, at, bt]);
  });

  test('pooling', () => {
    tf.setBackend('cpu');
    const x = t([1, 3, 2, 0], [1, 2, 2, 1]);
    assertArraysClose(gradsOf((a) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), [x])[0], [0, 1, 0, 0], 'maxPool');
    assertArraysClose(gradsOf((a) => tf.avgPool(a as tf.Tensor4D, 2, 2, 'valid'), [x])[0], [0.25, 0.25, 0.25, 0.25], 'avgPool');
    tf.dispose(x);
  });
});

/** Σ w·conv(x, f) and its gradients by direct summation in double precision (the definition). */
function directConvGrads(
  x: Float32Array,
  f: Float32Array,
  w: Float32Array,
  [n, h, wd, c]: number[],
  k: number,
  s: number,
  p: number,
  cOut: number,
  depthwise: boolean,
): { dx: Float64Array; df: Float64Array } {
  const oh = Math.floor((h + 2 * p - k) / s) + 1;
  const ow = Math.floor((wd + 2 * p - k) / s) + 1;
  const fIn = depthwise ? 1 : c;
  const dx = new Float64Array(x.length);
  const df = new Float64Array(f.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < oh; y++)
      for (let xo = 0; xo < ow; xo++)
        for (let o = 0; o < cOut; o++) {
          const wy = w[((b * oh + y) * ow + xo) * cOut + o];
          for (let i = 0; i < k; i++)
            for (let j = 0; j < k; j++) {
              const sy = y * s + i - p;
              const sx = xo * s + j - p;
              if (sy < 0 || sy >= h || sx < 0 || sx >= wd) continue;
              // Depthwise (multiplier 1): output channel o reads input channel o only.
              const channels = depthwise ? [o] : Array.from({ length: c }, (_, ci) => ci);
              for (const ci of channels) {
                const xi = ((b * h + sy) * wd + sx) * c + ci;
                const fi = ((i * k + j) * fIn + (depthwise ? 0 : ci)) * cOut + o;
                const fiDw = (i * k + j) * c + ci;
                dx[xi] += wy * f[depthwise ? fiDw : fi];
                df[depthwise ? fiDw : fi] += wy * x[xi];
              }
            }
        }
  return { dx, df };
}

describe('conv gradients equal the definition, summed in double precision', () => {
  const rng = new Rng(31);
  for (const [n, h, c, cOut, k, s, depthwise] of [
    [2, 7, 3, 4, 3, 2, false],
    [1, 8, 5, 2, 3, 1, false],
    [2, 6, 2, 3, 5, 2, false],
    [2, 7, 4, 4, 3, 2, true],
    [1, 8, 3, 3, 3, 1, true],
  ] as [number, number, number, number, number, number, boolean][]) {
    const p = (k - 1) / 2;
    const o = Math.floor((h + 2 * p - k) / s) + 1;
    const x = randomValues(rng, n * h * h * c);
    const f = randomValues(rng, depthwise ? k * k * c : k * k * c * cOut);
    const w = randomValues(rng, n * o * o * cOut);
    const ref = directConvGrads(x, f, w, [n, h, h, c], k, s, p, cOut, depthwise);
    for (const backend of ['cpu', 'wasm']) {
      test(`${depthwise ? 'depthwise' : 'dense'} n${n} ${h}×${h}×${c}→${cOut} k${k} s${s} on ${backend}`, () => {
        tf.setBackend(backend);
        const [dx, df] = tf.tidy(() => {
          const pad: [[number, number], [number, number], [number, number], [number, number]] = [
            [0, 0],
            [p, p],
            [p, p],
            [0, 0],
          ];
          const conv = (a: tf.Tensor, b: tf.Tensor) =>
            depthwise ? tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad) : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad);
          const wt = tf.tensor4d(w, [n, o, o, cOut]);
          return tf
            .grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), wt)))([
              tf.tensor4d(x, [n, h, h, c]),
              tf.tensor4d(f, depthwise ? [k, k, c, 1] : [k, k, c, cOut]),
            ])
            .map((g) => g.dataSync() as Float32Array);
        });
        assert.ok(relativeError(dx, Float32Array.from(ref.dx)) <= 1e-5, `dx error ${relativeError(dx, Float32Array.from(ref.dx))}`);
        assert.ok(relativeError(df, Float32Array.from(ref.df)) <= 1e-5, `df error ${relativeError(df, Float32Array.from(ref.df))}`);
      });
    }
  }
});

describe('heap-copy Slice, SplitV and Concat on wasm equal cpu exactly', () => {
  const rng = new Rng(41);
  const randomShape = () => Array.from({ length: rng.int(1, 5) }, () => rng.int(1, 5));

  /** Same values, same dtype, on both backends. */
  function bothBackends(f: () => tf.Tensor | tf.Tensor[]): void {
    const results = ['cpu', 'wasm'].map((b) => {
      tf.setBackend(b);
      return tf.tidy(() => {
        const out = f();
        return (Array.isArray(out) ? out : [out]).map((t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync() as ArrayLike<number>) }));
      });
    });
    assert.deepEqual(results[1], results[0]);
  }

  test('Slice: 40 random shapes, begins and sizes, float32 and int32', () => {
    for (let c = 0; c < 40; c++) {
      const shape = randomShape();
      const begin = shape.map((d) => rng.int(0, d - 1));
      const size = shape.map((d, i) => (rng.int(0, 3) === 0 ? -1 : rng.int(1, d - begin[i])));
      const dtype = c % 2 === 0 ? 'float32' : 'int32';
      const values = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (dtype === 'int32' ? i - 7 : i * 0.5 - 3));
      bothBackends(() => tf.slice(tf.tensor(values, shape, dtype), begin, size));
    }
  });

  test('SplitV: 30 random shapes, every axis, equal and unequal sizes', () => {
    for (let c = 0; c < 30; c++) {
      const shape = randomShape().map((d) => d + 1);
      const axis = rng.int(0, shape.length - 1);
      const first = rng.int(1, shape[axis] - 1);
      const split: number | number[] = c % 3 === 0 ? 1 : [first, -1];
      const dtype = c % 2 === 0 ? 'float32' : 'int32';
      const values = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i + 1);
      bothBackends(() => tf.split(tf.tensor(values, shape, dtype), split === 1 ? shape[axis] : split, axis - (c % 2) * shape.length));
    }
  });

  test('Concat: 30 random cases of 1–4 inputs along every axis', () => {
    for (let c = 0; c < 30; c++) {
      const shape = randomShape();
      const axis = rng.int(0, shape.length - 1);
      const dtype = c % 2 === 0 ? 'float32' : 'int32';
      const parts = Array.from({ length: rng.int(1, 4) }, (_, j) => {
        const s = shape.map((d, i) => (i === axis ? rng.int(0, 3) : d));
        return { s, values: Array.from({ length: s.reduce((a, b) => a * b, 1) }, (_, i) => 100 * j + i) };
      });
      bothBackends(() => tf.concat(parts.map((p) => tf.tensor(p.values, p.s, dtype)), axis));
    }
  });

  test('bool tensors go to the stock kernels', () => {
    bothBackends(() => [
      tf.concat([tf.tensor([true, false], [2], 'bool'), tf.tensor([true], [1], 'bool')]),
      tf.slice(tf.tensor([true, false, true, true], [4], 'bool'), [1], [2]),
    ]);
  });
});
