import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { Activation, ModelSpec } from '../../src/core/model';
import { expandModel } from '../../src/core/modelSpec';
import { Rng } from '../../src/core/sampling/rng';
import { initBackend, tf } from '../../src/train/backend';
import { batchNorm, VariableStore } from '../../src/train/blocks';
import { ourKernelActive } from '../../src/train/kernels/active';
import { BATCH_NORM_TRAIN, MAX_FUSED_CHANNELS } from '../../src/train/kernels/simd/batchNorm';
import { KERNEL_FILES, relaxedSimdAvailable, type SimdBackend } from '../../src/train/kernels/simd/module';
import { buildModel } from '../../src/train/model';
import { batchNormTrain } from '../../src/train/ops';
import { Trainer } from '../../src/train/trainer';
import { assertDxClose, batchNormCases, batchNormInputs, BN_EPS as EPS, referenceBackward, referenceForward } from '../batchNormReference';
import { assertClose, randomValues } from '../numeric';

before(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
});

/** The `act` argument of the C kernels. */
const ACT_CODE = { none: 0, relu: 1, swish: 2 };

type Exports = Record<string, (...args: number[]) => number>;

/** One of the two committed binaries, instantiated on the wasm backend's memory with its own stack. */
function instantiate(file: string): { api: Exports; backend: SimdBackend; release: () => void } {
  tf.setBackend('wasm');
  const backend = tf.backend() as unknown as SimdBackend;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)), { env: { memory: backend.wasm.asm.memory } });
  const stackBytes = 256 * 1024;
  const stack = backend.wasm._malloc(stackBytes);
  (instance.exports.__stack_pointer as WebAssembly.Global).value = (stack + stackBytes) & ~15;
  return { api: instance.exports as unknown as Exports, backend, release: () => backend.wasm._free(stack) };
}

/** Calls the C kernels of one binary directly on heap blocks, so both builds are tested. */
function runBinary(file: string, x: Float32Array, gamma: Float32Array, beta: Float32Array, dy: Float32Array, m: number, c: number, act?: Activation) {
  const { api, backend, release } = instantiate(file);
  const sizes = { x: m * c, gamma: c, beta: c, y: m * c, mean: c, variance: c, dy: m * c, dx: m * c, dGamma: c, dBeta: c };
  const at: Record<string, number> = {};
  for (const [name, n] of Object.entries(sizes)) at[name] = backend.wasm._malloc(4 * Math.max(1, n));
  try {
    const heap = () => new Float32Array(backend.wasm.asm.memory.buffer);
    heap().set(x, at.x / 4);
    heap().set(gamma, at.gamma / 4);
    heap().set(beta, at.beta / 4);
    heap().set(dy, at.dy / 4);
    api.dslab_batchnorm_train(at.x, at.gamma, at.beta, at.y, at.mean, at.variance, m, c, EPS, ACT_CODE[act ?? 'none']);
    api.dslab_batchnorm_train_grad(at.dy, at.x, at.y, at.gamma, at.beta, at.mean, at.variance, at.dx, at.dGamma, at.dBeta, m, c, EPS, ACT_CODE[act ?? 'none']);
    const read = (name: string, n: number) => heap().slice(at[name] / 4, at[name] / 4 + n);
    return { y: read('y', m * c), mean: read('mean', c), variance: read('variance', c), dx: read('dx', m * c), dGamma: read('dGamma', c), dBeta: read('dBeta', c) };
  } finally {
    for (const p of Object.values(at)) backend.wasm._free(p);
    release();
  }
}

describe('batch norm C kernels against a float64 reference', () => {
  const builds = [['simd', KERNEL_FILES.simd]] as [string, string][];
  if (relaxedSimdAvailable()) builds.push(['relaxed', KERNEL_FILES.relaxed]);
  const rng = new Rng(11);
  const cases = batchNormCases(rng);

  for (const [buildName, file] of builds) {
    for (const [m, c] of cases) {
      for (const act of [undefined, 'relu', 'swish'] as const) {
        test(`${buildName}: m ${m}, c ${c}${act ? `, ${act}` : ''}`, () => {
          const { x, gamma, beta, dy } = batchNormInputs(rng, m, c);
          const got = runBinary(file, x, gamma, beta, dy, m, c, act);
          const ref = referenceForward(x, gamma, beta, m, c, act);
          const back = referenceBackward(dy, x, ref.z, gamma, ref.mean, ref.variance, m, c, act);
          assertClose(got.mean, ref.mean, 1e-6, 'mean');
          assertClose(got.variance, ref.variance, 1e-5, 'variance');
          assertClose(got.y, ref.y, 1e-5, 'y');
          assertClose(got.dBeta, back.dBeta, 1e-5, 'dβ');
          assertClose(got.dGamma, back.dGamma, 1e-5, 'dγ');
          assertDxClose(got.dx, back.dx, dy, gamma, ref.variance, 1e-5);
        });
      }
    }
  }

  test('a large mean over many rows keeps its precision (blocked summation)', () => {
    const m = 100_000;
    const c = 4;
    const x = new Float32Array(m * c);
    for (let i = 0; i < x.length; i++) x[i] = 1000 + (i % 7) * 0.001;
    const got = runBinary(KERNEL_FILES.simd, x, new Float32Array(c).fill(1), new Float32Array(c), new Float32Array(m * c), m, c);
    const ref = referenceForward(x, new Float32Array(c).fill(1), new Float32Array(c), m, c);
    for (let j = 0; j < c; j++) {
      // Within one float32 spacing at 1000 (6.1e-5).
      assert.ok(Math.abs(got.mean[j] - ref.mean[j]) <= 6.2e-5, `mean ${got.mean[j]} vs ${ref.mean[j]}`);
      // σ² ≈ 4e-6 under a mean of 1000: E[x²] − μ² would lose it entirely.
      assert.ok(Math.abs(got.variance[j] - ref.variance[j]) <= 0.05 * ref.variance[j], `variance ${got.variance[j]} vs ${ref.variance[j]}`);
    }
  });
});

/** Runs f on `backend` with fresh tensors made from `inputs`; returns its outputs' values. */
function on(backend: string, inputs: { values: Float32Array; shape: number[] }[], f: (...t: tf.Tensor[]) => tf.Tensor[]): Float32Array[] {
  tf.setBackend(backend);
  return tf.tidy(() => f(...inputs.map((i) => tf.tensor(i.values, i.shape))).map((t) => t.dataSync() as Float32Array));
}

describe('batchNormTrain on wasm (fused kernels) against the cpu backend', () => {
  const rng = new Rng(5);
  for (const [shape, act] of [
    [[2, 5, 3, 7], 'relu'],
    [[4, 6, 6, 16], undefined],
    [[1, 9, 9, 12], 'relu'],
    [[3, 4, 4, 33], 'relu'],
    [[2, 5, 3, 7], 'swish'],
    [[4, 6, 6, 16], 'swish'],
  ] as [number[], Activation | undefined][]) {
    test(`[${shape.join(', ')}]${act ? ` with ${act}` : ''}: outputs and gradients`, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const c = shape[3];
      const inputs = [
        { values: randomValues(rng, n, 2, 0.3), shape },
        { values: randomValues(rng, c, 0.5, 1), shape: [c] },
        { values: randomValues(rng, c, 0.5), shape: [c] },
        { values: randomValues(rng, n), shape },
      ];
      const run = (backend: string) =>
        on(backend, inputs, (x, g, b, w) => {
          const r = batchNormTrain(x as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, EPS, act);
          const grads = tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(batchNormTrain(a as tf.Tensor4D, gg as tf.Tensor1D, bb as tf.Tensor1D, EPS, act).y, w)))([x, g, b]);
          return [r.y, r.mean, r.variance, ...grads];
        });
      tf.setBackend('wasm');
      assert.ok(ourKernelActive(BATCH_NORM_TRAIN, 'dslab_batchnorm_train'), 'the fused kernels are in use on wasm');
      const wasm = run('wasm');
      const cpu = run('cpu');
      ['y', 'mean', 'variance', 'dx', 'dγ', 'dβ'].forEach((name, i) => assertClose(wasm[i], cpu[i], 1e-4, name));
      if (act === 'relu') assert.ok(wasm[0].some((v) => v === 0) && wasm[0].some((v) => v > 0), 'ReLU clips part of the output');
      if (act === 'swish') assert.ok(wasm[0].some((v) => v < 0) && wasm[0].every((v) => v >= -0.2785), 'swish lets a little below 0 through, never below its minimum');
    });
  }

  test('a layer wider than the kernels take runs on the composite path, and the kernel refuses it', () => {
    tf.setBackend('wasm');
    const c = MAX_FUSED_CHANNELS + 1;
    const rng = new Rng(2);
    const x = { values: randomValues(rng, 2 * c, 1, 0.5), shape: [2, 1, 1, c] };
    const ones = { values: new Float32Array(c).fill(1), shape: [c] };
    const zeros = { values: new Float32Array(c), shape: [c] };
    const [wasm, cpu] = ['wasm', 'cpu'].map((b) => on(b, [x, ones, zeros], (xt, g, bt) => [batchNormTrain(xt as tf.Tensor4D, g as tf.Tensor1D, bt as tf.Tensor1D, EPS, 'relu').y]));
    assertClose(wasm[0], cpu[0], 1e-4, 'y');
    tf.setBackend('wasm');
    assert.throws(
      () => tf.tidy(() => tf.engine().runKernel('DslabBatchNormTrain', { x: tf.zeros([1, 1, 1, c]), gamma: tf.ones([c]), beta: tf.zeros([c]) }, { epsilon: EPS, activation: 'none' })),
      /DslabBatchNormTrain: expected a non-empty float32 tensor with at most 4096 channels/,
    );
  });

  test('the running statistics move as PyTorch moves them (momentum 0.1, unbiased variance)', () => {
    tf.setBackend('wasm');
    const store = new VariableStore(new Rng(1));
    const layer = batchNorm(store, 'bn', 5, 'relu');
    const rng = new Rng(9);
    const shape = [2, 3, 3, 5];
    const x = randomValues(rng, 90, 1.5, 0.7);
    tf.tidy(() => layer(tf.tensor4d(x, shape as [number, number, number, number]), true));
    const ref = referenceForward(x, new Float32Array(5).fill(1), new Float32Array(5), 18, 5);
    const [runningMean, runningVar] = store.state.map((v) => v.dataSync());
    for (let j = 0; j < 5; j++) {
      assert.ok(Math.abs(runningMean[j] - 0.1 * ref.mean[j]) < 1e-6, `running mean ${runningMean[j]}`);
      assert.ok(Math.abs(runningVar[j] - (0.9 + 0.1 * ref.variance[j] * (18 / 17))) < 1e-6, `running variance ${runningVar[j]}`);
    }
    for (const v of [...store.state, ...store.trainable.map((t) => t.variable)]) v.dispose();
  });
});

const TINY: ModelSpec = {
  anynet: { depths: [1, 1], widths: [8, 16], strides: [1, 2], bottlenecks: [1, 1], groupWidths: [4, 8] },
  stem: { type: 'cifar', width: 8 },
  resolution: 8,
  classes: 4,
  channels: 2,
};

function syntheticBatch(n: number, seed: number) {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 8 * 8 * 2);
  for (let i = 0; i < x.length; i++) x[i] = rng.float() * 2 - 1;
  return { x, y: Array.from({ length: n }, (_, i) => i % 4), n };
}

describe('training with the fused kernels', () => {
  for (const activation of ['relu', 'swish'] as const)
  test(`neither tfjs tensors nor the wasm heap grow over training steps (${activation})`, async () => {
    tf.setBackend('wasm');
    const spec = expandModel({ ...TINY, activation });
    const model = buildModel(spec, 3);
    const trainer = new Trainer(model, { optimizer: { momentum: 0.9, nesterov: true, weightDecay: 5e-4, bnWeightDecay: 5e-4 }, labelSmoothing: 0 });
    const shape = { height: 8, width: 8, channels: 2 };
    const data = syntheticBatch(8, 1);
    for (let i = 0; i < 3; i++) await trainer.step(data, shape, 0.1);
    const backend = tf.backend() as unknown as SimdBackend;
    const tensors = tf.memory().numTensors;
    const heap = backend.wasm.HEAPU8.length;
    for (let i = 0; i < 20; i++) await trainer.step(data, shape, 0.1);
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(backend.wasm.HEAPU8.length, heap);
    trainer.dispose();
    model.dispose();
  });

  for (const activation of ['relu', 'swish'] as const)
  test(`the loss follows the same trajectory as without the kernels (${activation})`, () => {
    // The same 12 steps in two processes, with and without the SIMD kernels.
    const script = `
      const { initBackend } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'train', 'backend'))});
      const { expandModel } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'core', 'modelSpec'))});
      const { buildModel } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'train', 'model'))});
      const { Trainer } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'train', 'trainer'))});
      const { Rng } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'core', 'sampling', 'rng'))});
      (async () => {
        await initBackend('wasm');
        const model = buildModel(expandModel(${JSON.stringify({ ...TINY, activation })}), 3);
        const trainer = new Trainer(model, { optimizer: { momentum: 0.9, nesterov: true, weightDecay: 5e-4, bnWeightDecay: 5e-4 }, labelSmoothing: 0 });
        const losses = [];
        // One batch, fitted over and over: the loss must fall.
        const rng = new Rng(4);
        const x = new Float32Array(16 * 128);
        for (let k = 0; k < x.length; k++) x[k] = rng.float() * 2 - 1;
        const y = Array.from({ length: 16 }, (_, k) => k % 4);
        for (let i = 0; i < 12; i++) {
          losses.push((await trainer.step({ x, y, n: 16 }, { height: 8, width: 8, channels: 2 }, 0.1)).loss);
        }
        console.log(JSON.stringify(losses));
      })();`;
    const losses = (kernels: string) => {
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, DSLAB_WASM_KERNELS: kernels }, timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as number[];
    };
    const fused = losses('auto');
    const stock = losses('off');
    assert.equal(fused.length, 12);
    // The loss does fall: a trajectory that goes nowhere would compare trivially.
    assert.ok(fused[11] < fused[0] - 0.1, `loss ${fused[0]} → ${fused[11]}`);
    // Only float32 rounding differs (summation order, fused multiply-add): measured here the two
    // agree to ~1e-7. The bound leaves room for that to compound on another CPU, and is far below
    // what a wrong gradient does: the loss moves by 1e-2 per step here.
    for (let i = 0; i < 12; i++) assert.ok(Math.abs(fused[i] - stock[i]) <= 1e-4 * stock[i], `step ${i}: ${fused[i]} vs ${stock[i]}`);
  });
});
