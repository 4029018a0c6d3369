import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import type { ModelSpec } from '../../src/core/model';
import { expandModel } from '../../src/core/modelSpec';
import { epochLr } from '../../src/core/schedule';
import { Rng } from '../../src/core/sampling/rng';
import type { ResolvedDataset, ResolvedTraining } from '../../src/core/space/types';
import { initBackend, tf } from '../../src/train/backend';
import type { ModelVariable } from '../../src/train/blocks';
import { buildModel } from '../../src/train/model';
import { Sgd } from '../../src/train/optimizer';
import { crossEntropy, isDivergent, predictedClass, smoothedTargets, Trainer } from '../../src/train/trainer';
import { runTrial, stepsPerEpoch, type TrialJob } from '../../src/train/trial';

before(async () => {
  await initBackend('cpu');
});

const close = (actual: number, expected: number, tol = 1e-6): void => {
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected}, got ${actual}`);
};

function variable(name: string, values: number[], decay: boolean): ModelVariable {
  return { name, variable: tf.variable(tf.tensor1d(values), true), decay };
}

/** Gradients keyed the way tf.variableGrads keys them. */
function grads(entries: [ModelVariable, number[]][]): tf.NamedTensorMap {
  return Object.fromEntries(entries.map(([v, g]) => [v.variable.name, tf.tensor1d(g)]));
}

describe('Sgd (PyTorch semantics, dampening 0)', () => {
  test('Nesterov with weight decay: two hand-computed steps', () => {
    const p = variable('w', [1, -2], true);
    const sgd = new Sgd([p], { momentum: 0.9, nesterov: true, weightDecay: 0.01, bnWeightDecay: 0 });
    // g = [0.5, 0.5] + 0.01·[1, −2] = [0.51, 0.48]; buf = g; update = g + 0.9·buf = [0.969, 0.912]
    const g1 = grads([[p, [0.5, 0.5]]]);
    sgd.step(g1, 0.1);
    const s1 = Array.from(p.variable.dataSync());
    close(s1[0], 1 - 0.0969);
    close(s1[1], -2 - 0.0912);
    // g = [−1, 0] + 0.01·[0.9031, −2.0912] = [−0.990969, −0.020912]
    // buf = 0.9·[0.51, 0.48] + g = [−0.531969, 0.411088]; update = g + 0.9·buf = [−1.4697411, 0.3490672]
    const g2 = grads([[p, [-1, 0]]]);
    sgd.step(g2, 0.05);
    const s2 = Array.from(p.variable.dataSync());
    close(s2[0], 0.9031 + 0.05 * 1.4697411);
    close(s2[1], -2.0912 - 0.05 * 0.3490672);
    tf.dispose([g1, g2, p.variable]);
    sgd.dispose();
  });

  test('classic momentum; variables with decay: false take bnWeightDecay', () => {
    const w = variable('w', [2], true);
    const gamma = variable('bn.gamma', [1], false);
    const sgd = new Sgd([w, gamma], { momentum: 0.5, nesterov: false, weightDecay: 0.1, bnWeightDecay: 0.2 });
    const g1 = grads([
      [w, [1]],
      [gamma, [1]],
    ]);
    sgd.step(g1, 1);
    // w: g = 1 + 0.1·2 = 1.2 → buf 1.2 → w = 0.8. γ: g = 1 + 0.2·1 = 1.2 → γ = −0.2.
    close(w.variable.dataSync()[0], 0.8);
    close(gamma.variable.dataSync()[0], -0.2);
    const g2 = grads([
      [w, [0]],
      [gamma, [0]],
    ]);
    sgd.step(g2, 1);
    // w: g = 0.08, buf = 0.6 + 0.08 = 0.68 → w = 0.12. γ: g = −0.04, buf = 0.6 − 0.04 = 0.56 → γ = −0.76.
    close(w.variable.dataSync()[0], 0.12);
    close(gamma.variable.dataSync()[0], -0.76);
    tf.dispose([g1, g2, w.variable, gamma.variable]);
    sgd.dispose();
  });

  test('momentum 0 is plain SGD; a variable without a gradient is left alone; no tensor is left behind', () => {
    const a = variable('a', [3], true);
    const b = variable('b', [5], true);
    const before = tf.memory().numTensors;
    const sgd = new Sgd([a, b], { momentum: 0, nesterov: false, weightDecay: 0.5, bnWeightDecay: 0 });
    const g = grads([[a, [1]]]);
    sgd.step(g, 0.1);
    close(a.variable.dataSync()[0], 3 - 0.1 * (1 + 1.5));
    assert.equal(b.variable.dataSync()[0], 5);
    tf.dispose(g);
    sgd.dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([a.variable, b.variable]);
  });
});

describe('loss', () => {
  test('smoothed targets as pycls: ε/K off the label, 1 − ε + ε/K on it', () => {
    const t = smoothedTargets([2, 0], 2, 4, 0.1);
    assert.deepEqual(Array.from(t), [0.025, 0.025, 0.925, 0.025, 0.925, 0.025, 0.025, 0.025].map(Math.fround));
    assert.deepEqual(Array.from(smoothedTargets([1], 1, 3, 0)), [0, 1, 0]);
  });

  test('cross-entropy, hand-computed: softmax([0, ln 3]) = [1/4, 3/4]', () => {
    const logits = tf.tensor2d([
      [0, Math.log(3)],
      [0, Math.log(3)],
    ]);
    // row 1: label 1 → −ln(3/4) = 0.28768207; row 2: targets [0.25, 0.75] (ε = 0.5, K = 2)
    // → 0.25·ln 4 + 0.75·ln(4/3) = 0.56233514; mean 0.42500861.
    const targets = tf.tensor2d([
      [0, 1],
      [0.25, 0.75],
    ]);
    const loss = crossEntropy(logits, targets);
    close(loss.dataSync()[0], (0.2876820725 + 0.5623351446) / 2);
    tf.dispose([logits, targets, loss]);
  });

  test('divergence: not finite, above 1e4, or above 100× the first loss', () => {
    assert.equal(isDivergent(NaN, 2.3), true);
    assert.equal(isDivergent(Infinity, undefined), true);
    assert.equal(isDivergent(10001, undefined), true);
    assert.equal(isDivergent(231, 2.3), true);
    assert.equal(isDivergent(229, 2.3), false);
    assert.equal(isDivergent(50, undefined), false);
  });

  test('predicted class: the largest logit, the first of ties; −1 for a row with NaN or ±∞', () => {
    const z = new Float32Array([0.1, 0.7, 0.7, NaN, 1, 2, -1, -Infinity, 0]);
    assert.equal(predictedClass(z, 0, 3), 1);
    assert.equal(predictedClass(z, 1, 3), -1);
    assert.equal(predictedClass(z, 2, 3), -1);
  });

  test('steps per epoch: partial batches count, a last batch of one image does not', () => {
    assert.equal(stepsPerEpoch(10, 4), 3);
    assert.equal(stepsPerEpoch(9, 4), 2);
    assert.equal(stepsPerEpoch(8, 4), 2);
    assert.equal(stepsPerEpoch(3, 64), 1);
    assert.equal(stepsPerEpoch(1, 64), 0);
  });
});

// A tiny network on 8×8 single-channel images: enough to train, quick on the pure-JS backend.
const TINY: ModelSpec = {
  anynet: { depths: [1, 1], widths: [8, 16], strides: [1, 2], bottlenecks: [1, 1], groupWidths: [4, 8] },
  stem: { type: 'cifar', width: 8 },
  block: 'X',
  resolution: 8,
  classes: 4,
  channels: 1,
};

const SHAPE = { height: 8, width: 8, channels: 1 };

/** A fixed batch: class k is a bright quadrant k plus noise. */
function quadrantBatch(n: number, seed: number): { x: Float32Array; y: Uint8Array; n: number } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 64);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 4;
    for (let r = 0; r < 8; r++) {
      for (let c = 0; c < 8; c++) {
        const quadrant = (r < 4 ? 0 : 2) + (c < 4 ? 0 : 1);
        x[i * 64 + r * 8 + c] = (quadrant === y[i] ? 1 : -0.3) + 0.5 * (rng.float() - 0.5);
      }
    }
  }
  return { x, y, n };
}

const SGD = { momentum: 0.9, nesterov: true, weightDecay: 5e-4, bnWeightDecay: 0 };

describe('Trainer (cpu)', () => {
  test('the loss goes down over a few steps; the tensor count stays flat', async () => {
    const model = buildModel(expandModel(TINY), 3);
    const trainer = new Trainer(model, { optimizer: SGD, labelSmoothing: 0 });
    const batch = quadrantBatch(8, 1);
    const losses: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < 8; i++) {
      losses.push((await trainer.step(batch, SHAPE, 0.4)).loss);
      counts.push(tf.memory().numTensors);
    }
    // ln 4 = 1.386 at a near-uniform start.
    assert.ok(Math.abs(losses[0] - Math.log(4)) < 0.1, `first loss ${losses[0]}`);
    assert.ok(losses[7] < 0.5 * losses[0], `losses ${losses.map((l) => l.toFixed(3)).join(' ')}`);
    // The first step creates the momentum buffers; after that, nothing accumulates.
    assert.ok(counts.slice(1).every((c) => c === counts[1]), `tensor counts ${counts.join(' ')}`);
    trainer.dispose();
    model.dispose();
  });

  test('a step that is not accepted leaves every weight as it was', async () => {
    const model = buildModel(expandModel(TINY), 3);
    const trainer = new Trainer(model, { optimizer: SGD, labelSmoothing: 0.1 });
    const weights = () => model.variables.map((v) => Array.from(v.variable.dataSync()));
    const before = weights();
    const r = await trainer.step(quadrantBatch(4, 2), SHAPE, 0.1, () => false);
    assert.equal(r.applied, false);
    assert.ok(Number.isFinite(r.loss));
    assert.deepEqual(weights(), before);
    trainer.dispose();
    model.dispose();
  });
});

// ------------------------------------------------------------------ runTrial

const DATASET: ResolvedDataset = {
  name: 'synthetic',
  train: 20,
  test: 16,
  seed: 4,
  augment: { flip: true, padCrop: 1 },
  channels: 1,
  resolution: 8,
  classes: 4,
};

const TRAINING: ResolvedTraining = {
  epochs: 2,
  batchSize: 8,
  optimizer: { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4, bnWeightDecay: 0 },
  schedule: { type: 'cosine', unit: 'epoch', warmupEpochs: 1, warmupFactor: 0.5 },
  labelSmoothing: 0.1,
  preciseBn: 16,
  seed: 0,
  backend: 'cpu',
};

function job(overrides: Partial<TrialJob> = {}): TrialJob {
  return { space: 'S', index: 0, model: TINY, training: TRAINING, dataset: DATASET, backend: 'cpu', seed: 7, ...overrides };
}

describe('runTrial (cpu)', () => {
  test('same seed and backend → identical losses and errors; another seed → other losses; no tensor leak', async () => {
    const before = tf.memory().numTensors;
    const run = async (seed: number) => {
      const steps: number[] = [];
      const epochs: number[] = [];
      const outcome = await runTrial(job({ seed }), {
        onStep: (step, total, loss) => {
          assert.equal(total, 6);
          assert.equal(step, steps.length + 1);
          steps.push(loss);
        },
        onEpoch: (e) => epochs.push(e.epoch),
      });
      assert.deepEqual(epochs, [1, 2]);
      return { steps, outcome };
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    assert.equal(tf.memory().numTensors, before, 'every tensor of the trials was freed');

    assert.equal(a.steps.length, 6);
    assert.deepEqual(b.steps, a.steps);
    const strip = (o: typeof a.outcome) => o.epochs.map(({ seconds: _s, ...rest }) => rest);
    assert.deepEqual(strip(b.outcome), strip(a.outcome));
    assert.notDeepEqual(c.steps, a.steps);

    const o = a.outcome;
    assert.equal(o.status, 'ok');
    assert.equal(o.epochs.length, 2);
    // lr per epoch from the schedule: warm-up factor 0.5 in epoch 1, cosine at e = 1 of 2 in epoch 2.
    assert.equal(o.epochs[0].lr, epochLr(TRAINING.schedule, 0.1, 0, 2));
    close(o.epochs[0].lr, 0.05, 1e-12);
    close(o.epochs[1].lr, 0.05, 1e-12);
    // 20 images in batches of 8, 8, 4: the epoch loss is per image, as pycls's meter.
    close(o.epochs[0].trainLoss, (8 * a.steps[0] + 8 * a.steps[1] + 4 * a.steps[2]) / 20, 1e-12);
    close(o.epochs[1].trainLoss, (8 * a.steps[3] + 8 * a.steps[4] + 4 * a.steps[5]) / 20, 1e-12);
    // 16 test images: the error is a multiple of 100/16 %.
    for (const e of o.epochs) assert.ok(Number.isInteger(e.testError / 6.25) && e.testError >= 0 && e.testError <= 100);
    assert.equal(o.error, o.epochs[1].testError);
    assert.equal(o.bestError, Math.min(o.epochs[0].testError, o.epochs[1].testError));
    assert.ok(o.imagesPerSecond > 0 && o.wallSeconds > 0 && o.peakMemoryBytes > 1e6);
    assert.equal(o.backend.name, 'cpu');
    assert.equal(o.divergedAt, undefined);
  });

  test('a huge learning rate diverges: status, where, and the weights it diverged with are scored', async () => {
    const before = tf.memory().numTensors;
    const training: ResolvedTraining = { ...TRAINING, epochs: 3, optimizer: { ...TRAINING.optimizer, lr: 1e6 }, schedule: { ...TRAINING.schedule, warmupEpochs: 0 } };
    const steps: number[] = [];
    const o = await runTrial(job({ training }), { onStep: (_s, _n, loss) => steps.push(loss) });
    assert.equal(o.status, 'diverged');
    assert.ok(o.divergedAt);
    assert.equal(o.divergedAt.loss, steps.at(-1));
    assert.ok(isDivergent(o.divergedAt.loss, steps[0]));
    assert.equal(o.epochs.length, o.divergedAt.epoch - 1, 'only completed epochs are listed');
    assert.equal((o.divergedAt.epoch - 1) * 3 + o.divergedAt.step, steps.length);
    assert.ok(o.error >= 0 && o.error <= 100);
    assert.equal(tf.memory().numTensors, before);
  });

  test('the signal aborts between steps with an AbortError and frees the model', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let steps = 0;
    await assert.rejects(
      runTrial(job(), {
        signal: controller.signal,
        onStep: (step) => {
          steps = step;
          if (step === 2) controller.abort();
        },
      }),
      (e: Error) => e.name === 'AbortError',
    );
    assert.equal(steps, 2);
    assert.equal(tf.memory().numTensors, before);

    // An abort that arrives as an event while the trial runs (as a worker's stop message would).
    const late = new AbortController();
    setTimeout(() => late.abort(), 50);
    await assert.rejects(runTrial(job({ training: { ...TRAINING, epochs: 200 } }), { signal: late.signal }), { name: 'AbortError' });
    assert.equal(tf.memory().numTensors, before);
  });

  test('a trailing batch of one image is skipped; a single training image is refused', async () => {
    const totals: number[] = [];
    const o = await runTrial(job({ dataset: { ...DATASET, train: 17 }, training: { ...TRAINING, epochs: 1 } }), {
      onStep: (step, total) => totals.push(step, total),
    });
    assert.deepEqual(totals, [1, 2, 2, 2]);
    assert.equal(o.status, 'ok');
    await assert.rejects(runTrial(job({ dataset: { ...DATASET, train: 1 } })), /has 1 training image\(s\): a batch needs at least 2/);
  });

  test('a model that does not fit the images is refused with both shapes named', async () => {
    await assert.rejects(runTrial(job({ model: { ...TINY, channels: 3, classes: 10 } })), (e: Error) => {
      assert.match(e.message, /images have 1 channels but the model takes 3/);
      assert.match(e.message, /the dataset has 4 classes but the model predicts 10/);
      return true;
    });
  });

  test('a model at another resolution trains on the images resized to it', async () => {
    const o = await runTrial(job({ model: { ...TINY, resolution: 12 } }));
    assert.equal(o.status, 'ok');
    assert.ok(Number.isFinite(o.error));
  });
});

describe('runTrial (wasm)', () => {
  test('a short run learns the synthetic set: loss falls, error well below chance', async () => {
    const before = tf.memory().numTensors;
    const training: ResolvedTraining = { ...TRAINING, epochs: 4, batchSize: 16, backend: 'wasm', schedule: { type: 'cosine', unit: 'epoch', warmupEpochs: 0, warmupFactor: 0.1 } };
    const dataset: ResolvedDataset = { ...DATASET, train: 256, test: 64, augment: { flip: false, padCrop: 0 } };
    const o = await runTrial(job({ backend: 'wasm', training, dataset }));
    assert.equal(o.backend.name, 'wasm');
    assert.equal(o.status, 'ok');
    const losses = o.epochs.map((e) => e.trainLoss);
    assert.ok(losses[3] < 0.8 * losses[0], `epoch losses ${losses.join(' ')}`);
    assert.ok(o.error < 50, `error ${o.error}% (chance is 75%)`);
    assert.ok(o.imagesPerSecond > 0);
    assert.equal(tf.memory().numTensors, before);
    await initBackend('cpu');
  });
});
