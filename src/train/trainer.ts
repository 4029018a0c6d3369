/**
 * One training step and one evaluation pass of a TrainableModel: softmax cross-entropy with
 * pycls's label smoothing, gradients of every trainable variable, an SGD step, top-1 error.
 */
import { tf } from './backend';
import { batches, type ImageSet } from './data/dataset';
import type { TrainableModel } from './model';
import { Sgd, type SgdOptions } from './optimizer';

/** A loss above this, or above DIVERGENCE_RATIO × the first loss, or not finite, ends a trial as diverged. */
export const DIVERGENCE_LIMIT = 1e4;
export const DIVERGENCE_RATIO = 100;

/** Whether `loss` means the run has diverged, given the trial's first loss (undefined on the first step). */
export function isDivergent(loss: number, firstLoss: number | undefined): boolean {
  if (!Number.isFinite(loss) || loss > DIVERGENCE_LIMIT) return true;
  return firstLoss !== undefined && firstLoss > 0 && loss > DIVERGENCE_RATIO * firstLoss;
}

/**
 * Targets as pycls's `smooth_one_hot_labels`: ε/K for every class, 1 − ε + ε/K for the label
 * (ε = 0 gives plain one-hot). Row-major [n, classes].
 */
export function smoothedTargets(labels: ArrayLike<number>, n: number, classes: number, smoothing: number): Float32Array {
  const off = smoothing / classes;
  const on = 1 - smoothing + off;
  const t = new Float32Array(n * classes).fill(off);
  for (let i = 0; i < n; i++) t[i * classes + labels[i]] = on;
  return t;
}

/** Mean over the batch of −Σ_k t_k·log softmax(z)_k (pycls SoftCrossEntropyLoss). */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))) as tf.Scalar);
}

/** The first `n` images of a batch buffer as an NHWC tensor (a batch may be a view into a larger buffer). */
function imageTensor(x: Float32Array, n: number, set: Pick<ImageSet, 'height' | 'width' | 'channels'>): tf.Tensor4D {
  const size = n * set.height * set.width * set.channels;
  return tf.tensor4d(x.length === size ? x : x.subarray(0, size), [n, set.height, set.width, set.channels]);
}

export interface TrainerOptions {
  optimizer: SgdOptions;
  labelSmoothing: number;
}

/** What one step measured, and whether its update was applied. */
export interface StepResult {
  loss: number;
  applied: boolean;
}

/** Trains one model in place; owns the optimizer state (dispose it, the model stays with the caller). */
export class Trainer {
  private readonly sgd: Sgd;

  constructor(
    private readonly model: TrainableModel,
    private readonly options: TrainerOptions,
  ) {
    this.sgd = new Sgd(model.variables, options.optimizer);
  }

  /**
   * Forward (BN in training mode, running statistics updated), loss, gradients, and the SGD step
   * at `lr` — unless `accept(loss)` is false, in which case the weights are left untouched.
   */
  async step(
    batch: { x: Float32Array; y: ArrayLike<number>; n: number },
    shape: Pick<ImageSet, 'height' | 'width' | 'channels'>,
    lr: number,
    accept: (loss: number) => boolean = () => true,
  ): Promise<StepResult> {
    const { n } = batch;
    const classes = this.model.spec.classes;
    const varList = this.model.variables.map((v) => v.variable);
    const { value, grads } = tf.tidy(() => {
      const x = imageTensor(batch.x, n, shape);
      const targets = tf.tensor2d(smoothedTargets(batch.y, n, classes, this.options.labelSmoothing), [n, classes]);
      return tf.variableGrads(() => crossEntropy(this.model.forward(x, true), targets), varList);
    });
    try {
      const loss = (await value.data())[0];
      const applied = accept(loss);
      if (applied) this.sgd.step(grads, lr);
      return { loss, applied };
    } finally {
      value.dispose();
      tf.dispose(grads);
    }
  }

  dispose(): void {
    this.sgd.dispose();
  }
}

/** Index of the largest logit of row i, or −1 when the row holds a NaN or an infinity (a prediction of nothing). */
export function predictedClass(logits: Float32Array | number[], i: number, classes: number): number {
  let best = -1;
  let max = -Infinity;
  for (let k = 0; k < classes; k++) {
    const z = logits[i * classes + k];
    if (!Number.isFinite(z)) return -1;
    if (z > max) {
      max = z;
      best = k;
    }
  }
  return best;
}

/**
 * Top-1 error (%) on `set` with BN in inference mode (running statistics), in batches of
 * `batchSize`. A non-finite output counts as a wrong prediction.
 */
export async function testError(model: TrainableModel, set: ImageSet, batchSize: number): Promise<number> {
  const classes = model.spec.classes;
  let wrong = 0;
  for (const b of batches(set, batchSize, { shuffle: false, seed: 0, epoch: 0 })) {
    const logits = tf.tidy(() => model.forward(imageTensor(b.x, b.n, set), false));
    const values = (await logits.data()) as Float32Array;
    logits.dispose();
    for (let i = 0; i < b.n; i++) if (predictedClass(values, i, classes) !== b.y[i]) wrong++;
  }
  return (100 * wrong) / set.count;
}
