// Short trials of each block type on webgpu beside the same trial on wasm: the whole trainer
// (augmentation, SGD with Nesterov and weight decay, label smoothing, precise BN, evaluation).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import type { ResolvedDataset, ResolvedTraining } from '../../src/core/space/types';
import { runTrial, type TrialJob } from '../../src/train/trial';
import { BLOCK_MODELS, requireWebGpu, skipWebGpu } from '../webgpuEnv';

const DATASET: ResolvedDataset = {
  name: 'synthetic',
  train: 24,
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
  backend: 'webgpu',
};

describe('a two-epoch trial of each block type on webgpu follows the same trial on wasm', { skip: skipWebGpu }, () => {
  for (const [name, spec] of Object.entries(BLOCK_MODELS)) {
    test(name, async () => {
      await requireWebGpu();
      const model = { ...spec, channels: DATASET.channels, resolution: DATASET.resolution, classes: DATASET.classes };
      const job = (backend: TrialJob['backend']): TrialJob => ({ space: 'S', index: 0, model, training: TRAINING, dataset: DATASET, backend, seed: 7 });
      const gpu = await runTrial(job('webgpu'));
      const wasm = await runTrial(job('wasm'));
      assert.equal(gpu.backend.name, 'webgpu');
      assert.equal(typeof gpu.backend.adapter?.software, 'boolean');
      assert.deepEqual([gpu.status, wasm.status], ['ok', 'ok']);
      const losses = (o: typeof gpu): number[] => o.epochs.map((e) => e.trainLoss);
      // Same data, order and initial weights: only float32 rounding differs (measured: the losses
      // agree to ~1e-7). A test image whose two top logits are that close may flip, so the errors
      // may differ by one image (100/16 %), no more.
      assert.equal(gpu.epochs.length, 2);
      losses(gpu).forEach((l, i) => assert.ok(Math.abs(l - losses(wasm)[i]) <= 1e-4 * losses(wasm)[i], `epoch ${i + 1} loss ${l} vs wasm ${losses(wasm)[i]}`));
      gpu.epochs.forEach((e, i) => assert.ok(Math.abs(e.testError - wasm.epochs[i].testError) <= 100 / DATASET.test, `epoch ${i + 1} error ${e.testError}% vs wasm ${wasm.epochs[i].testError}%`));
    });
  }
});
