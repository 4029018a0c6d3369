import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

import { Rng } from '../../src/core/sampling/rng';
import { initBackend, tf } from '../../src/train/backend';
import { CONV, CONV_BACKPROP_FILTER, CONV_BACKPROP_INPUT, convKernelsActive } from '../../src/train/kernels/simd/conv';
import { relaxedSimdAvailable, simdKernels, type SimdBackend } from '../../src/train/kernels/simd/module';
import { groupedConv2d } from '../../src/train/ops/conv';
import { convCaseData, randomConvCases } from '../convReference';
import { randomValues } from '../numeric';

before(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
});

/** max |a − b| / max |b|: the error relative to the reference's scale. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  assert.ok(den > 0, 'the reference is all zeros');
  return num / den;
}

/** One kernel on the wasm backend, its output as floats. */
function runWasm(kernel: string, inputs: Record<string, { shape: number[]; values: Float32Array }>, attrs: object): Float32Array {
  tf.setBackend('wasm');
  return tf.tidy(() => {
    const named: Record<string, tf.Tensor> = {};
    for (const [key, v] of Object.entries(inputs)) named[key] = tf.tensor(v.values, v.shape);
    return (tf.engine().runKernel(kernel, named, attrs as tf.NamedAttrMap) as tf.Tensor).dataSync() as Float32Array;
  });
}

/** How many seeded shapes the float64 reference suite checks. */
const REFERENCE_CASES = 51;

/** Which build a child process of this file is asked to test (see the last suite). */
const requestedBuild = process.env.DSLAB_CONV_TEST_BUILD;

describe('native grouped conv on wasm (float64 reference)', () => {
  test('the requested kernel build is the one loaded', () => {
    tf.setBackend('wasm');
    const kernels = simdKernels(tf.backend() as unknown as SimdBackend);
    assert.ok(kernels !== undefined);
    if (requestedBuild !== undefined) assert.equal(kernels.relaxed, requestedBuild === 'relaxed');
  });

  for (const { s, label } of randomConvCases(6101, REFERENCE_CASES)) {
    test(label, () => {
      const { xShape, wShape, yShape, x, w, dy, ref, attrs } = convCaseData(s);
      const y = runWasm(CONV, { x: { shape: xShape, values: x }, filter: { shape: wShape, values: w } }, attrs);
      const dx = runWasm(CONV_BACKPROP_INPUT, { dy: { shape: yShape, values: dy }, filter: { shape: wShape, values: w } }, { ...attrs, inputShape: xShape });
      const dw = runWasm(CONV_BACKPROP_FILTER, { x: { shape: xShape, values: x }, dy: { shape: yShape, values: dy } }, { ...attrs, filterShape: wShape });
      // float32 sums of up to a few thousand terms of size ≤ 1.
      assert.ok(relativeError(y, ref.y) < 2e-5, `forward: ${relativeError(y, ref.y)}`);
      assert.ok(relativeError(dx, ref.dx) < 2e-5, `input gradient: ${relativeError(dx, ref.dx)}`);
      assert.ok(relativeError(dw, ref.dw) < 2e-5, `filter gradient: ${relativeError(dw, ref.dw)}`);
    });
  }
});

describe('groupedConv2d on wasm uses the native op', { skip: requestedBuild !== undefined }, () => {
  /** Value and gradients (through tf.grads) of Σ y·r for a fixed r, on one backend. */
  function valueAndGrads(backend: string, xShape: number[], wShape: number[], stride: number, groups: number, seed: number): Float32Array[] {
    tf.setBackend(backend);
    const rng = new Rng(seed);
    return tf.tidy(() => {
      const x = tf.tensor4d(randomValues(rng, xShape.reduce((a, b) => a * b, 1)), xShape as [number, number, number, number]);
      const w = tf.tensor4d(randomValues(rng, wShape.reduce((a, b) => a * b, 1)), wShape as [number, number, number, number]);
      const y = groupedConv2d(x, w, stride, groups);
      const r = tf.tensor(randomValues(rng, y.size), y.shape);
      const f = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => tf.sum(tf.mul(groupedConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, groups), r));
      const [dx, dw] = tf.grads(f)([x, w]);
      return [y.dataSync() as Float32Array, dx.dataSync() as Float32Array, dw.dataSync() as Float32Array];
    });
  }

  test('value, input gradient and filter gradient equal the cpu backend’s split/concat path', () => {
    tf.setBackend('wasm');
    assert.ok(convKernelsActive());
    const shapes: [number[], number[], number, number][] = [
      // [x, filter, stride, groups]: dense stem, grouped 3×3 strided, 1×1, depthwise, grouped odd.
      [[2, 9, 9, 3], [3, 3, 3, 16], 1, 1],
      [[2, 10, 7, 16], [3, 3, 8, 16], 2, 2],
      [[3, 5, 5, 24], [1, 1, 24, 12], 1, 1],
      [[1, 8, 8, 12], [3, 3, 1, 12], 2, 12],
      [[2, 7, 6, 15], [5, 5, 3, 10], 1, 5],
    ];
    for (const [i, [xs, ws, stride, groups]] of shapes.entries()) {
      const wasm = valueAndGrads('wasm', xs, ws, stride, groups, 40 + i);
      const cpu = valueAndGrads('cpu', xs, ws, stride, groups, 40 + i);
      for (const [j, part] of ['value', 'dx', 'dw'].entries()) {
        const err = relativeError(wasm[j], cpu[j]);
        assert.ok(err < 1e-5, `x [${xs.join(', ')}] filter [${ws.join(', ')}] G${groups}: ${part} relative error ${err}`);
      }
    }
  });

  test('repeated training steps hold no tensors and do not grow the wasm heap', () => {
    tf.setBackend('wasm');
    const backend = tf.backend() as unknown as SimdBackend;
    const rng = new Rng(77);
    const x = tf.tensor4d(randomValues(rng, 4 * 14 * 14 * 16), [4, 14, 14, 16]);
    const w1 = tf.variable(tf.tensor4d(randomValues(rng, 9 * 8 * 32), [3, 3, 8, 32]));
    const w2 = tf.variable(tf.tensor4d(randomValues(rng, 32 * 8), [1, 1, 32, 8]));
    const step = (): void => {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.sum(tf.square(groupedConv2d(groupedConv2d(x, w1 as tf.Tensor4D, 2, 2), w2 as tf.Tensor4D, 1, 1))));
        w1.assign(tf.sub(w1, tf.mul(grads[w1.name], 1e-4)));
        w2.assign(tf.sub(w2, tf.mul(grads[w2.name], 1e-4)));
      });
    };
    for (let i = 0; i < 3; i++) step();
    const tensors = tf.memory().numTensors;
    const heap = backend.wasm.HEAPU8.length;
    for (let i = 0; i < 30; i++) step();
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(backend.wasm.HEAPU8.length, heap);
    x.dispose();
    w1.dispose();
    w2.dispose();
  });

  test('other backends, and wasm with DSLAB_WASM_KERNELS=off, keep tfjs’s ops', () => {
    tf.setBackend('cpu');
    assert.equal(convKernelsActive(), false);
    tf.setBackend('wasm');
    assert.equal(convKernelsActive(), true);
    const script = `
      const { initBackend, tf } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'train', 'backend'))});
      const { convKernelsActive } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'train', 'kernels', 'simd', 'conv'))});
      const { groupedConv2d } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'train', 'ops', 'conv'))});
      initBackend('wasm').then(() => {
        const y = groupedConv2d(tf.ones([1, 5, 5, 4]), tf.ones([3, 3, 2, 4]), 2, 2);
        console.log(JSON.stringify({ active: convKernelsActive(), shape: y.shape, centre: y.dataSync()[4 * 4] }));
      });`;
    const child = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, DSLAB_WASM_KERNELS: 'off' }, encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    // Output pixel (1, 1) sees all 9 taps of 2 input channels of ones.
    assert.deepEqual(JSON.parse(child.stdout.trim().split('\n').pop() ?? ''), { active: false, shape: [1, 3, 3, 4], centre: 18 });
  });

  test('the other kernel build passes the reference tests as well', () => {
    // This process loaded the default build (relaxed where Node can run it); a child checks the
    // plain-SIMD one, and the relaxed one when this process did not load it.
    tf.setBackend('wasm');
    const loaded = simdKernels(tf.backend() as unknown as SimdBackend);
    assert.ok(loaded !== undefined);
    const others = (['simd', 'relaxed'] as const).filter((b) => b !== (loaded.relaxed ? 'relaxed' : 'simd') && (b === 'simd' || relaxedSimdAvailable()));
    assert.ok(others.length > 0);
    for (const build of others) {
      const child = spawnSync(process.execPath, ['--test', '--test-name-pattern=float64 reference', __filename], {
        // Without the parent runner's NODE_TEST_CONTEXT the child prints its own TAP summary.
        env: { ...process.env, NODE_TEST_CONTEXT: undefined, DSLAB_WASM_KERNELS: build, DSLAB_CONV_TEST_BUILD: build },
        encoding: 'utf8',
      });
      assert.equal(child.status, 0, `${build} build:\n${child.stdout.slice(-3000)}\n${child.stderr.slice(-2000)}`);
      // Every shape and the build check ran and passed.
      assert.match(child.stdout, new RegExp(`# pass ${REFERENCE_CASES + 1}\\n`));
      assert.match(child.stdout, /# fail 0/);
    }
  });
});
