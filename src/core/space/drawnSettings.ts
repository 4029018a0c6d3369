/**
 * Settings a space can draw per model instead of fixing them, besides its design parameters:
 * - model settings `activation`, `block`, `se`, `stem.width` and `resolution`, written in `model`
 *   (the file's or a space's);
 * - training settings `optimizer.lr`, `optimizer.weightDecay`, `epochs`, `batchSize` and
 *   `labelSmoothing`, written in `training` (the file's or a space's);
 * each as one value, a list of values (each equally likely), `{ values: [...] }`, or for the
 * numeric ones `{ dist, range, quantum }` as the design parameters take. This module is the one
 * place that says which settings can be drawn, how each is read and in which order the sampler
 * draws them.
 */
import { ACTIVATIONS, BLOCK_TYPES, type Activation, type BlockType } from '../model';
import { readDistribution, toDistribution, type ParameterDefaults } from './parameters';
import type { Distribution, ResolvedTraining, SampledModelSettings, SampledTrainingSettings } from './types';

/** The settings in the order the sampler draws them, after the design parameters. */
export const SAMPLED_SETTING_ORDER = ['activation', 'block', 'se', 'stemWidth', 'resolution'] as const;

/** Explicit ranges of the numeric settings: se uniform in steps of 1/16, stem widths log-uniform multiples of 8, resolutions uniform integers. */
const NUMERIC_DEFAULTS: Record<NumericSetting, ParameterDefaults> = {
  se: { shorthand: 'values', kind: 'uniform', quantum: () => 0.0625 },
  stemWidth: { shorthand: 'values', kind: 'log-uniform', quantum: () => 8 },
  resolution: { shorthand: 'values', kind: 'uniform', quantum: () => 1 },
};

export type NumericSetting = 'se' | 'stemWidth' | 'resolution';

/** The smallest and largest value a numeric setting as read can take. */
export function numberBounds(r: { fixed: number } | { dist: Distribution }): [number, number] {
  if ('fixed' in r) return [r.fixed, r.fixed];
  return r.dist.kind === 'values' ? [Math.min(...r.dist.values), Math.max(...r.dist.values)] : r.dist.range;
}

/** A categorical setting as written: one value (fixed), or several to draw from; undefined when not usable (the schema says why). */
export function readChoice<T extends string>(raw: unknown, allowed: readonly T[]): { fixed: T } | { values: T[] } | undefined {
  const ok = (v: unknown): v is T => allowed.includes(v as T);
  if (ok(raw)) return { fixed: raw };
  const list = Array.isArray(raw) ? raw : raw !== null && typeof raw === 'object' && 'values' in raw ? (raw as { values: unknown }).values : undefined;
  if (!Array.isArray(list) || list.length === 0 || !list.every(ok)) return undefined;
  const values = [...new Set(list)];
  return values.length === 1 ? { fixed: values[0] } : { values };
}

/** A numeric setting as written, read with its forms' defaults: one number (fixed), or a distribution; undefined when not usable. */
function readNumeric(raw: unknown, defaults: ParameterDefaults): { fixed: number } | { dist: Distribution } | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? { fixed: raw } : undefined;
  const written = readDistribution(raw, defaults);
  if (written === undefined) return undefined;
  const dist = toDistribution(written);
  if (dist.kind === 'values' && new Set(dist.values).size === 1) return { fixed: dist.values[0] };
  return { dist };
}

/** A numeric model setting as written (see readNumeric). */
export function readNumber(raw: unknown, key: NumericSetting): { fixed: number } | { dist: Distribution } | undefined {
  return readNumeric(raw, NUMERIC_DEFAULTS[key]);
}

export function readActivation(raw: unknown): ReturnType<typeof readChoice<Activation>> {
  return readChoice(raw, ACTIVATIONS);
}

export function readBlock(raw: unknown): ReturnType<typeof readChoice<BlockType>> {
  return readChoice(raw, BLOCK_TYPES);
}

/** Whether a space draws any model setting. */
export function drawsSettings(s: SampledModelSettings): boolean {
  return SAMPLED_SETTING_ORDER.some((k) => s[k] !== undefined);
}

// ------------------------------------------------------------------ training settings

/** The training settings a space can draw, in the order the sampler draws them (after the model settings). */
export const DRAWN_TRAINING_KEYS = ['lr', 'weightDecay', 'epochs', 'batchSize', 'labelSmoothing'] as const;
export type DrawnTrainingKey = (typeof DRAWN_TRAINING_KEYS)[number];

/** One model's drawn training values; a trial trains with the file's recipe changed by these. */
export type DrawnTraining = Partial<Record<DrawnTrainingKey, number>>;

/** Where each is written in a `training` map. */
export const TRAINING_PATHS: Readonly<Record<DrawnTrainingKey, readonly string[]>> = {
  lr: ['optimizer', 'lr'],
  weightDecay: ['optimizer', 'weightDecay'],
  epochs: ['epochs'],
  batchSize: ['batchSize'],
  labelSmoothing: ['labelSmoothing'],
};

/**
 * Their forms: lr and weight decay read a list `[lo, hi]` as a log-uniform range (as pycls's
 * optimizer sweeps draw them), in steps of 1e-4 and 1e-6; epochs, batch sizes and label
 * smoothing read a list as values, and their explicit ranges default to uniform integers, powers
 * of two and steps of 0.01.
 */
const TRAINING_DEFAULTS: Record<DrawnTrainingKey, ParameterDefaults> = {
  lr: { shorthand: 'range', kind: 'log-uniform', quantum: () => 0.0001 },
  weightDecay: { shorthand: 'range', kind: 'log-uniform', quantum: () => 0.000001 },
  epochs: { shorthand: 'values', kind: 'uniform', quantum: () => 1 },
  batchSize: { shorthand: 'values', kind: 'power2', quantum: () => 1 },
  labelSmoothing: { shorthand: 'values', kind: 'uniform', quantum: () => 0.01 },
};

/** A training setting as written (see readNumeric). */
export function readTrainingSetting(raw: unknown, key: DrawnTrainingKey): { fixed: number } | { dist: Distribution } | undefined {
  return readNumeric(raw, TRAINING_DEFAULTS[key]);
}

/** A recipe's value of a drawable training setting. */
export function trainingValue(training: ResolvedTraining, key: DrawnTrainingKey): number {
  return key === 'lr' || key === 'weightDecay' ? training.optimizer[key] : training[key];
}

/** The file's recipe with one model's drawn values in place. */
export function withDrawnTraining(training: ResolvedTraining, drawn: DrawnTraining | undefined): ResolvedTraining {
  if (drawn === undefined) return training;
  return {
    ...training,
    epochs: drawn.epochs ?? training.epochs,
    batchSize: drawn.batchSize ?? training.batchSize,
    labelSmoothing: drawn.labelSmoothing ?? training.labelSmoothing,
    optimizer: { ...training.optimizer, lr: drawn.lr ?? training.optimizer.lr, weightDecay: drawn.weightDecay ?? training.optimizer.weightDecay },
  };
}

/** Whether a space draws (or sets apart) any training setting. */
export function drawsTraining(s: SampledTrainingSettings | undefined): s is SampledTrainingSettings {
  return s !== undefined && DRAWN_TRAINING_KEYS.some((k) => s[k] !== undefined);
}
