/**
 * One trial: train one sampled model on the space file's dataset with its training settings and
 * measure its test error (pycls's trainer loop: test after every epoch; the lr follows the
 * schedule per step or per epoch, see core/schedule.ts).
 */
import { LossCurve, type LossPoint } from '../core/lossCurve';
import type { BackendChoice, EpochResult } from '../core/analysis/sweepEvents';
import type { ModelSpec } from '../core/model';
import { expandModel } from '../core/modelSpec';
import { LrSchedule } from '../core/schedule';
import { deriveSpaceSeed } from '../core/space/seed';
import type { BackendName, ResolvedDataset, ResolvedTraining } from '../core/space/types';
import { initBackend, tf } from './backend';
import { batches, datasetAtResolution, type ImageSet } from './data/dataset';
import { buildModel } from './model';
import { isDivergent, testError, Trainer } from './trainer';

export interface TrialJob {
  space: string;
  index: number;
  model: ModelSpec;
  training: ResolvedTraining;
  dataset: ResolvedDataset;
  backend: BackendName;
  nativeModulesPath?: string;
  /** The folder a relative `dataset.path` is relative to (the space file's folder); default: the working directory. */
  baseDir?: string;
  /** Seeds the initial weights and the batch order / augmentation of every epoch. */
  seed: number;
}

export interface TrialOutcome {
  status: 'ok' | 'diverged';
  /** Completed epochs (a diverged trial stops in the middle of one, which is not listed). */
  epochs: EpochResult[];
  /** Final top-1 test error (%): the last epoch's, or for a diverged trial the error of the weights it diverged with. */
  error: number;
  /** The lowest of the epochs' errors (and of `error`). */
  bestError: number;
  /** The whole trial: backend start, data loading, model building, training and evaluation. */
  wallSeconds: number;
  /** Training images processed per second of training: batch preparation and steps, evaluation excluded. */
  imagesPerSecond: number;
  /** Peak resident set size of the process (`process.memoryUsage().rss`, sampled every step), in bytes. */
  peakMemoryBytes: number;
  backend: BackendChoice;
  /** Enough (step, lr) points of the whole run's planned schedule to draw it (1-based steps). */
  lrCurve: { step: number; lr: number }[];
  /** The training loss along the run, averaged over runs of steps (see LossCurve). */
  lossCurve: LossPoint[];
  /** Where the loss ran away: 1-based epoch and step within it, and the loss. */
  divergedAt?: { epoch: number; step: number; loss: number };
}

export interface TrialHooks {
  onEpoch?: (e: EpochResult) => void;
  /** After every step: 1-based step of the whole trial, total steps of the trial, the step's loss. */
  onStep?: (step: number, steps: number, loss: number) => void;
  /** Checked between steps; when aborted the trial throws a TrialAbortedError. */
  signal?: AbortSignal;
}

/** Thrown when the trial's signal aborts it; `name` is 'AbortError' as for fetch and friends. */
export class TrialAbortedError extends Error {
  override name = 'AbortError';
  constructor(message = 'the trial was aborted') {
    super(message);
  }
}

/**
 * Steps of one epoch: one per batch, the last partial batch included — except a trailing batch of
 * a single image, which is skipped: batch norm over one image has no batch statistics (PyTorch
 * refuses it in training mode).
 */
export function stepsPerEpoch(images: number, batchSize: number): number {
  const full = Math.floor(images / batchSize);
  const rest = images % batchSize;
  return full + (rest >= 2 ? 1 : 0);
}

/** The trial's two independent random streams: initial weights, and batch order + augmentation. */
export function trialSeeds(seed: number): { init: number; batches: number } {
  return { init: deriveSpaceSeed(seed, 'init'), batches: deriveSpaceSeed(seed, 'batches') };
}

/** The first `images` training images of epoch `epoch`'s order, as input tensors (each freed once the consumer moves on). */
function* bnInputs(set: ImageSet, images: number, batchSize: number, seed: number, epoch: number): Generator<tf.Tensor4D> {
  let left = Math.min(images, set.count);
  for (const b of batches(set, batchSize, { shuffle: true, seed, epoch })) {
    if (left <= 0 || b.n < 2) break; // BN statistics of a single image are degenerate
    const x = tf.tensor4d(b.x, [b.n, set.height, set.width, set.channels]);
    try {
      yield x;
    } finally {
      x.dispose();
    }
    left -= b.n;
  }
}

/** Gives pending I/O (a worker's stop message, a timer) a chance to run between steps. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function checkShape(set: ImageSet, spec: ReturnType<typeof expandModel>, dataset: string): void {
  const problems: string[] = [];
  if (set.channels !== spec.channels) problems.push(`images have ${set.channels} channels but the model takes ${spec.channels}`);
  if (set.classes !== spec.classes) problems.push(`the dataset has ${set.classes} classes but the model predicts ${spec.classes}`);
  if (problems.length > 0) throw new Error(`model and dataset ${dataset} do not fit: ${problems.join('; ')}`);
}

/**
 * Trains `job.model` for `job.training.epochs` epochs and tests it after each. Deterministic for
 * the same job on the same backend. Ends early as 'diverged' when the loss is not finite, exceeds
 * 1e4, or exceeds 100× the first step's loss; the step that produced it is not applied.
 */
export async function runTrial(job: TrialJob, hooks: TrialHooks = {}): Promise<TrialOutcome> {
  const started = performance.now();
  const { training } = job;
  const backend = await initBackend(job.backend, { nativeModulesPath: job.nativeModulesPath });
  const spec = expandModel(job.model);
  // At the model's resolution: the dataset's images, resized when the model's differs.
  const data = datasetAtResolution(job.dataset, spec.resolution, { baseDir: job.baseDir });
  checkShape(data.train, spec, job.dataset.name);
  const batchSize = training.batchSize;
  const perEpoch = stepsPerEpoch(data.train.count, batchSize);
  if (perEpoch === 0) {
    throw new Error(`dataset ${job.dataset.name} has ${data.train.count} training image(s): a batch needs at least 2`);
  }
  const seeds = trialSeeds(job.seed);
  const model = buildModel(spec, seeds.init);
  const trainer = new Trainer(model, {
    optimizer: {
      momentum: training.optimizer.momentum,
      nesterov: training.optimizer.nesterov,
      weightDecay: training.optimizer.weightDecay,
      bnWeightDecay: training.optimizer.bnWeightDecay,
    },
    labelSmoothing: training.labelSmoothing,
  });

  const schedule = new LrSchedule(training.schedule, training.optimizer.lr, training.epochs, perEpoch);
  const totalSteps = schedule.totalSteps;
  const epochs: EpochResult[] = [];
  let firstLoss: number | undefined;
  let peakMemoryBytes = process.memoryUsage().rss;
  let trainSeconds = 0;
  let trainImages = 0;
  let step = 0;
  let divergedAt: TrialOutcome['divergedAt'];
  const lossCurve = new LossCurve(totalSteps);

  try {
    for (let e = 0; e < training.epochs; e++) {
      const epochStart = performance.now();
      const lr = schedule.at(e, 0);
      const order = batches(data.train, batchSize, { shuffle: true, seed: seeds.batches, epoch: e, augment: job.dataset.augment });
      let lossSum = 0;
      let lossImages = 0;
      let stepInEpoch = 0;
      for (const batch of order) {
        if (batch.n < 2) continue; // see stepsPerEpoch
        await yieldToEventLoop();
        if (hooks.signal?.aborted) throw new TrialAbortedError();
        const result = await trainer.step(batch, data.train, schedule.at(e, stepInEpoch), (loss) => !isDivergent(loss, firstLoss));
        trainImages += batch.n;
        step++;
        stepInEpoch++;
        peakMemoryBytes = Math.max(peakMemoryBytes, process.memoryUsage().rss);
        hooks.onStep?.(step, totalSteps, result.loss);
        if (!result.applied) {
          divergedAt = { epoch: e + 1, step: stepInEpoch, loss: result.loss };
          break;
        }
        firstLoss ??= result.loss;
        lossCurve.add(step, result.loss);
        lossSum += result.loss * batch.n;
        lossImages += batch.n;
      }
      trainSeconds += (performance.now() - epochStart) / 1000;
      if (divergedAt !== undefined) break;
      if (training.preciseBn > 0) model.recomputeBnStatistics(bnInputs(data.train, training.preciseBn, batchSize, seeds.batches, e));
      const error = await testError(model, data.test, batchSize);
      const result: EpochResult = {
        epoch: e + 1,
        trainLoss: lossSum / lossImages,
        testError: error,
        lr,
        seconds: (performance.now() - epochStart) / 1000,
      };
      epochs.push(result);
      hooks.onEpoch?.(result);
    }

    const error = divergedAt !== undefined ? await testError(model, data.test, batchSize) : (epochs.at(-1)?.testError ?? NaN);
    const outcome: TrialOutcome = {
      status: divergedAt !== undefined ? 'diverged' : 'ok',
      epochs,
      error,
      bestError: Math.min(error, ...epochs.map((r) => r.testError)),
      wallSeconds: (performance.now() - started) / 1000,
      imagesPerSecond: trainSeconds > 0 ? trainImages / trainSeconds : 0,
      peakMemoryBytes,
      backend,
      lrCurve: schedule.curve(),
      lossCurve: lossCurve.curve(),
    };
    if (divergedAt !== undefined) outcome.divergedAt = divergedAt;
    return outcome;
  } finally {
    trainer.dispose();
    model.dispose();
  }
}
