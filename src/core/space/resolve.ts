/**
 * A valid space file → ResolvedSpaceFile: every default filled in, every `extends` merged,
 * every parameter an explicit distribution. Call only when validation found no error.
 */
import { DEFAULT_SE_RATIO, type Activation, type BlockType, type StemType } from '../model';
import { DRAWN_TRAINING_KEYS, drawsSettings, drawsTraining, readActivation, readBlock, readNumber, readTrainingSetting, trainingValue, TRAINING_PATHS, type DrawnTrainingKey } from './drawnSettings';
import { datasetOf } from './datasets';
import { DEFAULTS } from './defaults';
import { isDict, SpaceFileView } from './effective';
import { PARAMETERS, parameterDefaults, readDistribution, toDistribution, type ParameterName, type SpaceType } from './parameters';
import { deriveSpaceSeed } from './seed';
import { defaultStrides } from './skeleton';
import type {
  AnyNetSpace,
  ComplexityMetric,
  Constraints,
  DesignSpace,
  Distribution,
  Interval,
  RegNetSpace,
  ResolvedAnalysis,
  ResolvedDataset,
  ResolvedExecutor,
  ResolvedModelSettings,
  SampledModelSettings,
  SampledTrainingSettings,
  ResolvedSampling,
  ResolvedSpaceFile,
  ResolvedTraining,
  Restriction,
  SequentialSampling,
} from './types';

const METRICS: readonly ComplexityMetric[] = ['flops', 'params', 'acts'];

type Dict = Record<string, unknown>;
const section = (v: unknown): Dict => (isDict(v) ? v : {});
/** `{ [key]: value }`, or nothing when the value is undefined. */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function pick<T>(v: unknown, fallback: T): T {
  return v === undefined ? fallback : (v as T);
}

function resolveDataset(raw: Dict): ResolvedDataset {
  const d = DEFAULTS.dataset;
  const augment = section(raw.augment);
  const dataset: ResolvedDataset = {
    name: pick(raw.name, d.name),
    train: pick(raw.train, d.train),
    test: pick(raw.test, d.test),
    seed: pick(raw.seed, d.seed),
    augment: { flip: pick(augment.flip, d.augment.flip), padCrop: pick(augment.padCrop, d.augment.padCrop) },
  };
  if (typeof raw.path === 'string') dataset.path = raw.path;
  // The synthetic images take their shape from the file; the loader needs it as much as the model.
  if (dataset.name === 'synthetic') {
    const { shape } = datasetOf(raw)!;
    dataset.channels = shape.channels;
    dataset.resolution = shape.resolution;
    dataset.classes = shape.classes;
  }
  return dataset;
}

/** A training setting that may be drawn: its value when fixed, else the default (each space carries the distribution). */
function fixedTraining(raw: unknown, key: DrawnTrainingKey, fallback: number): number {
  const read = raw === undefined ? undefined : readTrainingSetting(raw, key);
  return read !== undefined && 'fixed' in read ? read.fixed : fallback;
}

function resolveTraining(raw: Dict): ResolvedTraining {
  const d = DEFAULTS.training;
  const optimizer = section(raw.optimizer);
  const schedule = section(raw.schedule);
  return {
    epochs: fixedTraining(raw.epochs, 'epochs', d.epochs),
    batchSize: fixedTraining(raw.batchSize, 'batchSize', d.batchSize),
    optimizer: {
      lr: fixedTraining(optimizer.lr, 'lr', d.optimizer.lr),
      momentum: pick(optimizer.momentum, d.optimizer.momentum),
      nesterov: pick(optimizer.nesterov, d.optimizer.nesterov),
      weightDecay: fixedTraining(optimizer.weightDecay, 'weightDecay', d.optimizer.weightDecay),
      bnWeightDecay: pick(optimizer.bnWeightDecay, d.optimizer.bnWeightDecay),
    },
    schedule: {
      type: pick(schedule.type, d.schedule.type),
      unit: pick(schedule.unit, d.schedule.unit),
      warmupEpochs: pick(schedule.warmupEpochs, d.schedule.warmupEpochs),
      ...(schedule.warmupSteps === undefined ? {} : { warmupSteps: schedule.warmupSteps as number }),
      warmupFactor: pick(schedule.warmupFactor, d.schedule.warmupFactor),
    },
    labelSmoothing: fixedTraining(raw.labelSmoothing, 'labelSmoothing', d.labelSmoothing),
    preciseBn: pick(raw.preciseBn, d.preciseBn),
    seed: pick(raw.seed, d.seed),
    backend: pick(raw.backend, d.backend),
  };
}

function resolveConstraints(lookup: (metric: ComplexityMetric) => unknown): Constraints {
  const constraints: Constraints = {};
  for (const metric of METRICS) {
    const c = lookup(metric);
    if (c !== undefined) constraints[metric] = [...(c as number[])] as Interval;
  }
  return constraints;
}

function resolveSampling(raw: Dict): ResolvedSampling {
  const d = DEFAULTS.sampling;
  const sequential = sequentialOf(raw.samples);
  return {
    seed: pick(raw.seed, d.seed),
    samples: sequential ? sequential.max : pick(raw.samples, d.samples),
    constraints: resolveConstraints((metric) => section(raw.constraints)[metric]),
    maxAttempts: pick(raw.maxAttempts, d.maxAttempts),
    ...(sequential ? { sequential } : {}),
  };
}

/** The sequential form of `sampling.samples`, resolved (`step` defaults to `min`); undefined for a number. */
export function sequentialOf(samples: unknown): SequentialSampling | undefined {
  if (!isDict(samples)) return undefined;
  const min = samples.min as number;
  return {
    min,
    max: samples.max as number,
    step: pick(samples.step, min),
    until: 'decided',
    ...(Array.isArray(samples.pairs) ? { pairs: (samples.pairs as [string, string][]).map(([a, b]) => [a, b] as [string, string]) } : {}),
  };
}

function resolveAnalysis(raw: Dict): ResolvedAnalysis {
  const d = DEFAULTS.analysis;
  const bootstrap = section(raw.bootstrap);
  return {
    complexity: pick(raw.complexity, d.complexity),
    bins: pick(raw.bins, d.bins),
    alpha: pick(raw.alpha, d.alpha),
    bootstrap: {
      resamples: pick(bootstrap.resamples, d.bootstrap.resamples),
      fraction: pick(bootstrap.fraction, d.bootstrap.fraction),
      seed: pick(bootstrap.seed, d.bootstrap.seed),
    },
  };
}

/** The `executor` section with its numbers as sbatch takes them (a time of 30 is "30" minutes, a mem of 4000 is "4000" MB). */
function resolveExecutor(raw: Dict): ResolvedExecutor {
  const text = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));
  const executor: ResolvedExecutor = { type: pick(raw.type, 'local'), sbatchArgs: [...pick<string[]>(raw.sbatchArgs, [])] };
  const settings = { partition: text(raw.partition), time: text(raw.time), gpusPerTask: raw.gpusPerTask, cpusPerTask: raw.cpusPerTask, mem: text(raw.mem), parallel: raw.parallel };
  for (const [k, v] of Object.entries(settings)) if (v !== undefined) (executor as unknown as Dict)[k] = v;
  return executor;
}

function resolveModel(view: SpaceFileView, name: string): ResolvedModelSettings {
  const d = DEFAULTS.model;
  const get = (...keys: string[]) => view.model(name, keys)?.value;
  // Validation guarantees every written setting reads as one of its forms.
  const sampled: SampledModelSettings = {};
  const activationRead = get('activation') === undefined ? undefined : readActivation(get('activation'));
  const blockRead = get('block') === undefined ? undefined : readBlock(get('block'));
  const seRead = get('se') === undefined ? undefined : readNumber(get('se'), 'se');
  const stemWidthRead = get('stem', 'width') === undefined ? undefined : readNumber(get('stem', 'width'), 'stemWidth');
  const firstOf = <T>(r: { fixed: T } | { values: T[] } | undefined, fallback: T): T => (r === undefined ? fallback : 'fixed' in r ? r.fixed : r.values[0]);
  if (activationRead && 'values' in activationRead) sampled.activation = activationRead.values;
  if (blockRead && 'values' in blockRead) sampled.block = blockRead.values;
  if (seRead && 'dist' in seRead) sampled.se = seRead.dist;
  if (blockRead && 'values' in blockRead && seRead === undefined) sampled.seByBlock = true;
  if (stemWidthRead && 'dist' in stemWidthRead) sampled.stemWidth = stemWidthRead.dist;
  const resolutionRead = get('resolution') === undefined ? undefined : readNumber(get('resolution'), 'resolution');
  if (resolutionRead && 'dist' in resolutionRead) sampled.resolution = resolutionRead.dist;
  const numberOf = (r: { fixed: number } | { dist: Distribution } | undefined, fallback: number): number => (r !== undefined && 'fixed' in r ? r.fixed : fallback);
  const stem = { type: pick<StemType>(get('stem', 'type'), d.stem.type), width: numberOf(stemWidthRead, d.stem.width) };
  const block = firstOf<BlockType>(blockRead, d.block);
  const stages = pick<number>(get('stages'), d.stages);
  // Validation guarantees a written model.classes equals the dataset's; a resolution may differ (images are resized).
  const { shape } = datasetOf(view.root.dataset)!;
  return {
    stem,
    block,
    se: numberOf(seRead, block === 'Y' ? DEFAULT_SE_RATIO : 0),
    activation: firstOf<Activation>(activationRead, d.activation),
    stages,
    strides: [...pick<number[]>(get('strides'), defaultStrides(stages, stem.type))],
    classes: shape.classes,
    channels: shape.channels,
    resolution: numberOf(resolutionRead, shape.resolution),
    headWidth: pick<number>(get('headWidth'), d.headWidth),
    ...(drawsSettings(sampled) ? { sampled } : {}),
  };
}

/** A space's models: its `samples`, or the file's (the `max` of a sequential sweep). */
function samplesOf(value: unknown): number {
  if (typeof value === 'number') return value;
  return sequentialOf(value)?.max ?? DEFAULTS.sampling.samples;
}

/**
 * The training settings of a space's models that differ from the file's recipe: each drawn one
 * (the space's or the file's distribution), and each fixed one the space sets to another value.
 */
function resolveSpaceTraining(view: SpaceFileView, name: string, file: ResolvedTraining): SampledTrainingSettings | undefined {
  const out: SampledTrainingSettings = {};
  for (const key of DRAWN_TRAINING_KEYS) {
    const loc = view.training(name, TRAINING_PATHS[key]);
    const read = loc === undefined ? undefined : readTrainingSetting(loc.value, key);
    if (read === undefined) continue;
    if ('dist' in read) out[key] = read.dist;
    else if (read.fixed !== trainingValue(file, key)) out[key] = { kind: 'values', values: [read.fixed] };
  }
  return drawsTraining(out) ? out : undefined;
}

function resolveSpace(view: SpaceFileView, name: string, fileSeed: number, fileTraining: ResolvedTraining): DesignSpace {
  const type = view.type(name) as SpaceType;
  const constraints = resolveConstraints((metric) => view.constraint(name, metric)?.value);
  const ownSeed = view.own(name, ['seed'])?.value;
  const parent = view.definition(name)?.extends;
  const distributions = {} as Record<ParameterName, Distribution>;
  for (const p of PARAMETERS[type]) {
    const written = readDistribution(view.inherited(name, [p])?.value, parameterDefaults(type, p));
    distributions[p] = toDistribution(written!);
  }
  const common = {
    name,
    type,
    samples: samplesOf(view.sampling(name, 'samples')?.value),
    constraints,
    maxAttempts: pick<number>(view.sampling(name, 'maxAttempts')?.value, DEFAULTS.sampling.maxAttempts),
    seed: typeof ownSeed === 'number' ? ownSeed : deriveSpaceSeed(fileSeed, name),
    model: resolveModel(view, name),
    ...optional('training', resolveSpaceTraining(view, name, fileTraining)),
    ...(typeof parent === 'string' ? { extends: parent } : {}),
  };
  if (type === 'anynet') {
    const space: AnyNetSpace = {
      ...common,
      type,
      depth: distributions.depth,
      width: distributions.width,
      bottleneck: distributions.bottleneck,
      groupWidth: distributions.groupWidth,
      restrictions: [...pick<Restriction[]>(view.inherited(name, ['restrictions'])?.value, [])],
    };
    return space;
  }
  const space: RegNetSpace = {
    ...common,
    type,
    depth: distributions.depth,
    w0: distributions.w0,
    wa: distributions.wa,
    wm: distributions.wm,
    bottleneck: distributions.bottleneck,
    groupWidth: distributions.groupWidth,
  };
  return space;
}

/** Resolves a space file that validated without errors; `defaultName` is used when it has no `name`. */
export function resolveSpaceFile(value: unknown, defaultName: string): ResolvedSpaceFile {
  const view = new SpaceFileView(value);
  const root = view.root;
  const fileSeed = pick<number>(section(root.sampling).seed, DEFAULTS.sampling.seed);
  const training = resolveTraining(section(root.training));
  return {
    version: 1,
    name: pick<string>(root.name, defaultName),
    dataset: resolveDataset(section(root.dataset)),
    training,
    sampling: resolveSampling(section(root.sampling)),
    analysis: resolveAnalysis(section(root.analysis)),
    ...(isDict(root.executor) ? { executor: resolveExecutor(root.executor) } : {}),
    spaces: view.names.map((name) => resolveSpace(view, name, fileSeed, training)),
  };
}
