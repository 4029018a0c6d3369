/** The defaults of every optional key (also stated, as `default`, in schemas/space.schema.json). */
import type { Activation, BlockType, StemType } from '../model';
import type { BackendName, ComplexityMetric, DatasetName } from './types';

export const DEFAULTS = {
  dataset: { name: 'fashion-mnist' as DatasetName, train: 5000, test: 1000, seed: 0, augment: { flip: false, padCrop: 0 } },
  model: { stem: { type: 'cifar' as StemType, width: 16 }, block: 'X' as BlockType, activation: 'relu' as Activation, stages: 3, headWidth: 0 },
  training: {
    epochs: 1,
    batchSize: 64,
    optimizer: { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4, bnWeightDecay: 0 },
    schedule: { type: 'cosine' as const, unit: 'step' as const, warmupEpochs: 0, warmupFactor: 0.1 },
    labelSmoothing: 0,
    preciseBn: 1024,
    seed: 0,
    backend: 'auto' as BackendName,
  },
  sampling: { seed: 0, samples: 10, maxAttempts: 200000 },
  analysis: { complexity: 'flops' as ComplexityMetric, bins: 8, alpha: 0.05, bootstrap: { resamples: 10000, fraction: 0.25, seed: 0 } },
} as const;
