/**
 * The resolved space file: every default applied and every `extends` merged, so that the
 * sampler, the trainer and the analysis never look at raw YAML.
 */
import type { Activation, BlockType, StemSpec } from '../model';
import type { SlurmSettings } from '../slurm/settings';

/** What a space's name may be (the schema's propertyNames): it names a folder of the sweep, so no separators, no leading dot. */
export const SPACE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

export type DatasetName = 'fashion-mnist' | 'mnist' | 'cifar10' | 'synthetic';

export type BackendName = 'auto' | 'tfjs-node-gpu' | 'webgpu' | 'tfjs-node' | 'wasm' | 'cpu';

export type ComplexityMetric = 'flops' | 'params' | 'acts';

/** A closed interval [lo, hi]. */
export type Interval = [number, number];

/** Complexity constraints; an absent metric is unconstrained. */
export type Constraints = Partial<Record<ComplexityMetric, Interval>>;

/**
 * How one scalar design parameter is drawn (pycls sweep samplers, reference §4.2).
 * Ranges are closed; results are multiples of `quantum`, computed in decimal arithmetic.
 */
export type Distribution =
  | { kind: 'uniform' | 'log-uniform' | 'power2' | 'power2-or-log-uniform' | 'normal' | 'log-normal'; range: Interval; quantum: number }
  | { kind: 'values'; values: number[] };

/** The AnyNetX restrictions of the paper's Table 1 (A→E). */
export type Restriction = 'sharedBottleneck' | 'sharedGroupWidth' | 'increasingWidths' | 'increasingDepths';
export const RESTRICTIONS: readonly Restriction[] = ['sharedBottleneck', 'sharedGroupWidth', 'increasingWidths', 'increasingDepths'];

/** The model settings a space draws per model (`drawnSettings.ts`); absent keys are fixed. */
export interface SampledModelSettings {
  activation?: Activation[];
  block?: BlockType[];
  se?: Distribution;
  /** With a drawn block and no `se` written: 0.25 for a drawn Y, 0 otherwise, as a fixed block gets. */
  seByBlock?: true;
  stemWidth?: Distribution;
  /** Input resolution; the dataset's images are resized (bilinear) to each drawn value. */
  resolution?: Distribution;
}

/**
 * The network skeleton shared by every model of a space. A setting the space draws per model
 * (`sampled`) holds here the first of its values, or its default; each model's spec has its own.
 */
export interface ResolvedModelSettings {
  stem: StemSpec;
  block: BlockType;
  /** SE ratio (0 = off; 0.25 by default for block Y). */
  se: number;
  activation: Activation;
  /** Number of stages (AnyNet: per-stage parameters are drawn for each; RegNet: models with another stage count are rejected). */
  stages: number;
  /** Per-stage strides, length `stages`. */
  strides: number[];
  classes: number;
  channels: number;
  resolution: number;
  headWidth: number;
  /** The settings drawn per model; absent in sweeps made before settings could be drawn. */
  sampled?: SampledModelSettings;
}

/** The training settings a space draws per model, or sets apart from the file's (`drawnSettings.ts`). */
export type SampledTrainingSettings = Partial<Record<'lr' | 'weightDecay' | 'epochs' | 'batchSize' | 'labelSmoothing', Distribution>>;

interface SpaceCommon {
  name: string;
  /** Models to sample from this space. */
  samples: number;
  constraints: Constraints;
  /** Cap on sampling attempts before giving up. */
  maxAttempts: number;
  /** Seed of this space's sampler (derived from the file's sampling seed and the space name unless set). */
  seed: number;
  model: ResolvedModelSettings;
  /**
   * Training settings of this space's models that differ from the file's `training`: drawn per
   * model, or (a distribution of one value) set by the space. Absent when there are none.
   */
  training?: SampledTrainingSettings;
  /** The space this one extends, if any (after resolution the definition is complete either way). */
  extends?: string;
  /**
   * An imported space of models that are not AnyNets or RegNets (pycls's resnet or effnet, NDS's
   * DARTS…): what its models are. Its trials have a complexity and an error, nothing else.
   */
  modelType?: string;
}

export interface AnyNetSpace extends SpaceCommon {
  type: 'anynet';
  /** d_i, drawn per stage. */
  depth: Distribution;
  /** w_i, drawn per stage. */
  width: Distribution;
  /** b_i. */
  bottleneck: Distribution;
  /** g_i. */
  groupWidth: Distribution;
  restrictions: Restriction[];
}

export interface RegNetSpace extends SpaceCommon {
  type: 'regnet';
  depth: Distribution;
  w0: Distribution;
  wa: Distribution;
  wm: Distribution;
  bottleneck: Distribution;
  groupWidth: Distribution;
}

export type DesignSpace = AnyNetSpace | RegNetSpace;

export interface ResolvedDataset {
  name: DatasetName;
  /** Directory or file the data is read from; undefined = bundled subset, then known locations. */
  path?: string;
  train: number;
  test: number;
  /** Seed of the fixed train/test subset. */
  seed: number;
  augment: { flip: boolean; padCrop: number };
  /** synthetic only (set by resolution): the image shape; absent = DATASETS.synthetic's. */
  channels?: number;
  resolution?: number;
  classes?: number;
}

export interface ResolvedTraining {
  epochs: number;
  batchSize: number;
  optimizer: { lr: number; momentum: number; nesterov: boolean; weightDecay: number; bnWeightDecay: number };
  /**
   * `unit: step` evaluates the schedule at every optimizer step over the whole run; `epoch` sets
   * one lr per epoch as pycls does. Warm-up lasts `warmupSteps` steps when set, else
   * `warmupEpochs` epochs (fractions allowed per step).
   */
  schedule: { type: 'cosine' | 'constant'; unit: 'step' | 'epoch'; warmupEpochs: number; warmupSteps?: number; warmupFactor: number };
  labelSmoothing: number;
  /** Training images over which BN statistics are recomputed after every epoch (pycls's precise BN); 0 = off. */
  preciseBn: number;
  seed: number;
  backend: BackendName;
}

export interface ResolvedAnalysis {
  complexity: ComplexityMetric;
  bins: number;
  /** Significance level of the comparisons (and of a sequential sweep's stopping rule); the EDF bands are at 1 − alpha. */
  alpha: number;
  bootstrap: { resamples: number; fraction: number; seed: number };
}

/** The file-level `sampling` section (each space carries its own resolved values too). */
export interface ResolvedSampling {
  /** The file's sampling seed, from which spaces without their own seed derive theirs. */
  seed: number;
  /** Models per space; for a sequential sweep its `max`. */
  samples: number;
  constraints: Constraints;
  maxAttempts: number;
  /** Present when `samples` is the sequential form: train in rounds until the comparison is decided. */
  sequential?: SequentialSampling;
}

/** `samples: { min, max, step, until: decided, pairs? }` (see core/analysis/sequential.ts). */
export interface SequentialSampling {
  min: number;
  max: number;
  step: number;
  until: 'decided';
  /** The pairs whose decision stops the sweep; absent = every pair of the spaces trained. */
  pairs?: [string, string][];
}

/** The `executor` section: where the trials train, and what a Slurm job array asks for each. */
export interface ResolvedExecutor extends SlurmSettings {
  type: 'local' | 'slurm';
}

export interface ResolvedSpaceFile {
  version: 1;
  name: string;
  dataset: ResolvedDataset;
  training: ResolvedTraining;
  sampling: ResolvedSampling;
  analysis: ResolvedAnalysis;
  /** Absent when the file has no `executor` section: the trials train locally. */
  executor?: ResolvedExecutor;
  /** In file order. */
  spaces: DesignSpace[];
}
