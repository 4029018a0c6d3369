/**
 * A model and its training recipe as a pycls config (`pycls/core/config.py`), and back.
 *
 * A config is a tree of sections (MODEL, ANYNET, REGNET, OPTIM, BN, TRAIN, TEST…) as yacs dumps
 * it and a collected sweep's `cfg` holds it. Keys a config leaves out take pycls's defaults.
 *
 * The mapping, both ways:
 * - stems: cifar ↔ res_stem_cifar, imagenet ↔ simple_stem_in, resnet ↔ res_stem_in;
 * - blocks: X ↔ res_bottleneck_block, R ↔ res_basic_block, V ↔ vanilla_block; SE_ON with
 *   SE_R = r is our bottleneck block with se = r, which reads back as Y (the same network as
 *   X with se = r: pycls has one block for both);
 * - activations: relu ↔ relu, swish ↔ silu (pycls also reads "swish");
 * - b (ours) = 1 / BOT_MUL (pycls);
 * - a RegNet whose stages share one stride is MODEL.TYPE regnet; one with per-stage strides
 *   (ours after a cifar stem: 1, 2, 2) is an explicit anynet that keeps its REGNET.* keys, as
 *   pycls's own sweeps write RegNets (its scaler turns every sampled RegNet into an AnyNet).
 *   Reading an anynet whose REGNET.* keys generate exactly its stages gives the RegNet back;
 * - input channels: pycls's stems read 3; ours follow the dataset (TRAIN.DATASET), so a model of
 *   a 1-channel dataset reads back with 1.
 */
import { complexity, type Cx } from '../complexity';
import { ACTIVATIONS, type Activation, type BlockType, type ModelSpec, type StemType } from '../model';
import { expandModel, ModelSpecError, normalizeModelSpec, type NormalizedModelSpec } from '../modelSpec';
import { canonicalJson } from '../results/fingerprint';
import { DATASETS } from '../space/datasets';
import type { DatasetName, ResolvedTraining } from '../space/types';

/** A pycls config: sections of keys, as yacs dumps it. */
export type PyclsCfg = Record<string, unknown>;

export const PYCLS_STEMS: Readonly<Record<StemType, string>> = { cifar: 'res_stem_cifar', imagenet: 'simple_stem_in', resnet: 'res_stem_in' };
export const PYCLS_BLOCKS: Readonly<Record<Exclude<BlockType, 'Y'>, string>> = { X: 'res_bottleneck_block', R: 'res_basic_block', V: 'vanilla_block' };
const PYCLS_ACTIVATIONS: Readonly<Record<Activation, string>> = { relu: 'relu', swish: 'silu' };

/**
 * pycls's defaults of the keys this mapping reads (`pycls/core/config.py`): what a config that
 * leaves a key out means.
 */
export const PYCLS_DEFAULTS = {
  MODEL: { TYPE: '', NUM_CLASSES: 10, ACTIVATION_FUN: 'relu' },
  ANYNET: { STEM_TYPE: 'simple_stem_in', STEM_W: 32, BLOCK_TYPE: 'res_bottleneck_block', DEPTHS: [], WIDTHS: [], STRIDES: [], BOT_MULS: [], GROUP_WS: [], HEAD_W: 0, SE_ON: false, SE_R: 0.25 },
  REGNET: { STEM_TYPE: 'simple_stem_in', STEM_W: 32, BLOCK_TYPE: 'res_bottleneck_block', STRIDE: 2, SE_ON: false, SE_R: 0.25, DEPTH: 10, W0: 32, WA: 5.0, WM: 2.5, GROUP_W: 16, BOT_MUL: 1.0, HEAD_W: 0 },
  BN: { USE_PRECISE_STATS: true, NUM_SAMPLES_PRECISE: 8192, USE_CUSTOM_WEIGHT_DECAY: false, CUSTOM_WEIGHT_DECAY: 0.0 },
  OPTIM: { BASE_LR: 0.1, MIN_LR: 0.0, LR_POLICY: 'cos', STEPS: [], LR_MULT: 0.1, MAX_EPOCH: 200, MOMENTUM: 0.9, DAMPENING: 0.0, NESTEROV: true, WEIGHT_DECAY: 5e-4, WARMUP_FACTOR: 0.1, WARMUP_EPOCHS: 0 },
  TRAIN: { DATASET: '', SPLIT: 'train', BATCH_SIZE: 128, IM_SIZE: 224, LABEL_SMOOTHING: 0.0 },
  TEST: { DATASET: '', SPLIT: 'val', BATCH_SIZE: 200, IM_SIZE: 256 },
  RNG_SEED: 1,
} as const;

/**
 * Keys pycls types as floats: yacs refuses an int where its default is a float, so a YAML file
 * must write 36.0, not 36 (list items of BOT_MULS too).
 */
export const PYCLS_FLOAT_KEYS: ReadonlySet<string> = new Set([
  'ANYNET.SE_R',
  'ANYNET.BOT_MULS',
  'REGNET.SE_R',
  'REGNET.WA',
  'REGNET.WM',
  'REGNET.BOT_MUL',
  'BN.CUSTOM_WEIGHT_DECAY',
  'OPTIM.BASE_LR',
  'OPTIM.MIN_LR',
  'OPTIM.LR_MULT',
  'OPTIM.MOMENTUM',
  'OPTIM.DAMPENING',
  'OPTIM.WEIGHT_DECAY',
  'OPTIM.WARMUP_FACTOR',
  'OPTIM.BIAS_CUSTOM_WEIGHT_DECAY',
  'TRAIN.LABEL_SMOOTHING',
]);

/** A config value of the wrong type or out of range; `path` names it ("REGNET.WA"). */
export class PyclsCfgError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'PyclsCfgError';
  }
}

/** b = w / w_b from pycls's BOT_MUL = w_b / w: exact for b = 1/k (BOT_MUL = k) and for powers of two. */
export function bottleneckOf(botMul: number): number {
  const b = 1 / botMul;
  const k = Math.round(b);
  return Number.isInteger(botMul) || Math.abs(b - k) > 1e-9 ? b : k;
}

/** pycls's BOT_MUL of our b. */
export function botMulOf(bottleneck: number): number {
  const bm = 1 / bottleneck;
  const k = Math.round(bm);
  return Math.abs(bm - k) > 1e-9 ? bm : k;
}

/** The input channels of a model trained on `dataset` (pycls's stems read 3; ours follow the dataset). */
export function channelsOf(dataset: string): number {
  return (DATASETS as Record<string, { channels: number } | undefined>)[dataset]?.channels ?? 3;
}

// ------------------------------------------------------------------ ours → pycls

/** The dataset and recipe a config is written for: the resolved file's, with a model's drawn values applied. */
export interface PyclsRecipe {
  dataset: DatasetName | string;
  training: ResolvedTraining;
}

/**
 * The pycls config of a model (validated and normalized first) and its recipe. What pycls
 * cannot say is left to its defaults and reported by `recipeNotes`.
 */
export function pyclsConfig(spec: ModelSpec, recipe: PyclsRecipe, desc?: string): PyclsCfg {
  const n = normalizeModelSpec(spec);
  const expanded = expandModel(n);
  const activation = n.activation ?? 'relu';
  const block = n.block === 'Y' ? 'X' : n.block;
  const common = {
    STEM_TYPE: PYCLS_STEMS[n.stem.type],
    STEM_W: n.stem.width,
    BLOCK_TYPE: PYCLS_BLOCKS[block],
  };
  const se = { SE_ON: n.se > 0, SE_R: n.se > 0 ? n.se : PYCLS_DEFAULTS.REGNET.SE_R };
  const cfg: PyclsCfg = {};
  if (desc !== undefined) cfg.DESC = desc;
  const strides = expanded.stages.map((s) => s.stride);
  const oneStride = strides.every((s) => s === strides[0]);
  if (n.regnet && oneStride) {
    cfg.MODEL = { TYPE: 'regnet', NUM_CLASSES: n.classes, ACTIVATION_FUN: PYCLS_ACTIVATIONS[activation] };
    cfg.REGNET = { ...common, STRIDE: strides[0], ...se, ...regnetKeys(n.regnet), HEAD_W: n.headWidth };
  } else {
    cfg.MODEL = { TYPE: 'anynet', NUM_CLASSES: n.classes, ACTIVATION_FUN: PYCLS_ACTIVATIONS[activation] };
    cfg.ANYNET = {
      ...common,
      DEPTHS: expanded.stages.map((s) => s.depth),
      WIDTHS: expanded.stages.map((s) => s.width),
      STRIDES: strides,
      // Bottleneck blocks: the adjusted values pycls builds from; R and V blocks ignore them, so they keep the spec's own.
      BOT_MULS: (block === 'X' ? expanded.stages.map((s) => s.bottleneck) : (n.anynet?.bottlenecks ?? strides.map(() => 1))).map(botMulOf),
      GROUP_WS: block === 'X' ? expanded.stages.map((s) => s.groupWidth) : (n.anynet?.groupWidths ?? expanded.stages.map((s) => s.width)),
      HEAD_W: n.headWidth,
      ...se,
    };
    // A RegNet with per-stage strides: its parameters travel along, as in pycls's own sweeps.
    if (n.regnet) cfg.REGNET = { ...common, STRIDE: PYCLS_DEFAULTS.REGNET.STRIDE, ...se, ...regnetKeys(n.regnet), HEAD_W: n.headWidth };
  }
  const t = recipe.training;
  cfg.BN = {
    USE_PRECISE_STATS: t.preciseBn > 0,
    NUM_SAMPLES_PRECISE: t.preciseBn > 0 ? t.preciseBn : PYCLS_DEFAULTS.BN.NUM_SAMPLES_PRECISE,
    USE_CUSTOM_WEIGHT_DECAY: true,
    CUSTOM_WEIGHT_DECAY: t.optimizer.bnWeightDecay,
  };
  cfg.OPTIM = {
    OPTIMIZER: 'sgd',
    BASE_LR: t.optimizer.lr,
    MIN_LR: 0,
    LR_POLICY: t.schedule.type === 'cosine' ? 'cos' : 'steps',
    // A constant lr is pycls's step policy with one step at epoch 0.
    ...(t.schedule.type === 'constant' ? { STEPS: [0], LR_MULT: PYCLS_DEFAULTS.OPTIM.LR_MULT } : {}),
    MAX_EPOCH: t.epochs,
    MOMENTUM: t.optimizer.momentum,
    DAMPENING: 0,
    NESTEROV: t.optimizer.nesterov,
    WEIGHT_DECAY: t.optimizer.weightDecay,
    BIAS_USE_CUSTOM_WEIGHT_DECAY: true,
    BIAS_CUSTOM_WEIGHT_DECAY: t.optimizer.bnWeightDecay,
    WARMUP_FACTOR: t.schedule.warmupFactor,
    WARMUP_EPOCHS: Math.round(t.schedule.warmupEpochs),
  };
  cfg.TRAIN = { DATASET: recipe.dataset, SPLIT: 'train', BATCH_SIZE: t.batchSize, IM_SIZE: n.resolution, LABEL_SMOOTHING: t.labelSmoothing };
  cfg.TEST = { DATASET: recipe.dataset, SPLIT: 'test', IM_SIZE: n.resolution };
  cfg.RNG_SEED = t.seed;
  return cfg;
}

function regnetKeys(r: NonNullable<NormalizedModelSpec['regnet']>): Record<string, number> {
  return { DEPTH: r.depth, W0: r.w0, WA: r.wa, WM: r.wm, GROUP_W: r.groupWidth, BOT_MUL: botMulOf(r.bottleneck) };
}

/**
 * What of a recipe pycls cannot follow exactly, one phrase each: pycls sets the lr once per
 * epoch, takes whole warm-up epochs, and its stems read 3 input channels.
 */
export function recipeNotes(recipe: PyclsRecipe, channels: number): string[] {
  const s = recipe.training.schedule;
  const notes: string[] = [];
  if (s.unit === 'step') notes.push('pycls sets the learning rate once per epoch (this file anneals it per step)');
  if (s.warmupSteps !== undefined || !Number.isInteger(s.warmupEpochs)) notes.push(`pycls warms up over whole epochs (WARMUP_EPOCHS ${Math.round(s.warmupEpochs)})`);
  if (channels !== 3) notes.push(`pycls's stems read 3 input channels; ${recipe.dataset} has ${channels}`);
  return notes;
}

// ------------------------------------------------------------------ pycls → ours

/** What a config's model is to us: a spec, or why it is not one (another model type, a block we lack). */
export type PyclsModel = { model: NormalizedModelSpec } | { unsupported: string; type: string };

/** The section `name` of a config, with pycls's defaults under what it leaves out. */
function section<K extends keyof typeof PYCLS_DEFAULTS>(cfg: PyclsCfg, name: K): Record<string, unknown> {
  const given = cfg[name];
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
    throw new PyclsCfgError(name, `${name} must be a section (a map of keys), got ${JSON.stringify(given)}`);
  }
  return { ...(PYCLS_DEFAULTS[name] as object), ...((given as Record<string, unknown> | undefined) ?? {}) };
}

const isPlain = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(s: Record<string, unknown>, where: string, key: string): string {
  const v = s[key];
  if (typeof v !== 'string') throw new PyclsCfgError(`${where}.${key}`, `${where}.${key} must be a string, got ${JSON.stringify(v)}`);
  return v;
}

function num(s: Record<string, unknown>, where: string, key: string): number {
  const v = s[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new PyclsCfgError(`${where}.${key}`, `${where}.${key} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function flag(s: Record<string, unknown>, where: string, key: string): boolean {
  const v = s[key];
  if (typeof v !== 'boolean') throw new PyclsCfgError(`${where}.${key}`, `${where}.${key} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function nums(s: Record<string, unknown>, where: string, key: string): number[] {
  const v = s[key];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new PyclsCfgError(`${where}.${key}`, `${where}.${key} must be a list of numbers, got ${JSON.stringify(v)}`);
  }
  return v as number[];
}

function lookup<T extends string>(table: Readonly<Record<T, string>>, value: string): T | undefined {
  return (Object.keys(table) as T[]).find((k) => table[k] === value);
}

/** The dataset a config trains on (TRAIN.DATASET), '' when it names none. */
export function datasetOfCfg(cfg: PyclsCfg): string {
  return text(section(cfg, 'TRAIN'), 'TRAIN', 'DATASET');
}

/**
 * The model of a config: MODEL.TYPE regnet or anynet with a stem, block and activation we
 * have, as a normalized spec; anything else as unsupported (with its type and why). Throws a
 * PyclsCfgError for a malformed config and a ModelSpecError (path prefixed) for a model that
 * pycls could not build either.
 */
export function modelFromPyclsCfg(cfg: PyclsCfg): PyclsModel {
  if (!isPlain(cfg)) throw new PyclsCfgError('', `a pycls config must be a map of sections, got ${JSON.stringify(cfg)}`);
  const model = section(cfg, 'MODEL');
  const type = text(model, 'MODEL', 'TYPE');
  if (type === '') return { unsupported: 'the config sets no MODEL.TYPE', type };
  if (type !== 'regnet' && type !== 'anynet') return { unsupported: `MODEL.TYPE ${JSON.stringify(type)} is not an AnyNet or a RegNet`, type };
  const where = type === 'regnet' ? 'REGNET' : 'ANYNET';
  const s = section(cfg, where);
  const stemName = text(s, where, 'STEM_TYPE');
  const stem = lookup(PYCLS_STEMS, stemName);
  if (stem === undefined) return { unsupported: `${where}.STEM_TYPE ${stemName} has no counterpart here`, type };
  const blockName = text(s, where, 'BLOCK_TYPE');
  const block = lookup(PYCLS_BLOCKS, blockName);
  if (block === undefined) return { unsupported: `${where}.BLOCK_TYPE ${blockName} has no counterpart here`, type };
  const activationName = text(model, 'MODEL', 'ACTIVATION_FUN');
  const activation = activationName === 'swish' ? 'swish' : ACTIVATIONS.find((a) => PYCLS_ACTIVATIONS[a] === activationName);
  if (activation === undefined) return { unsupported: `MODEL.ACTIVATION_FUN ${activationName} has no counterpart here`, type };
  const seOn = flag(s, where, 'SE_ON');
  const seR = num(s, where, 'SE_R');
  // pycls puts squeeze-excitation only in bottleneck blocks.
  const se = seOn && block === 'X' ? seR : 0;
  const train = section(cfg, 'TRAIN');
  const rest: ModelSpec = {
    stem: { type: stem, width: num(s, where, 'STEM_W') },
    block: se > 0 ? 'Y' : block,
    se,
    ...(activation === 'relu' ? {} : { activation }),
    resolution: num(train, 'TRAIN', 'IM_SIZE'),
    classes: num(model, 'MODEL', 'NUM_CLASSES'),
    channels: channelsOf(text(train, 'TRAIN', 'DATASET')),
    headWidth: num(s, where, 'HEAD_W'),
  };
  const build = (spec: ModelSpec): NormalizedModelSpec => {
    try {
      return normalizeModelSpec(spec);
    } catch (err) {
      if (err instanceof ModelSpecError) throw new ModelSpecError(err.path, `${where}: ${err.message}`);
      throw err;
    }
  };
  if (type === 'regnet') {
    const regnet = { ...regnetOf(s), strides: [] as number[] };
    const stride = num(s, where, 'STRIDE');
    const stages = build({ ...rest, regnet: { ...regnet, strides: undefined, stride } });
    regnet.strides = expandModel(stages).stages.map(() => stride);
    return { model: build({ ...rest, regnet }) };
  }
  const depths = nums(s, where, 'DEPTHS');
  const botMuls = nums(s, where, 'BOT_MULS');
  const groupWs = nums(s, where, 'GROUP_WS');
  const anynet = build({
    ...rest,
    anynet: {
      depths,
      widths: nums(s, where, 'WIDTHS'),
      strides: nums(s, where, 'STRIDES'),
      // pycls fills missing bottleneck multipliers and group widths with 1s.
      bottlenecks: (botMuls.length > 0 ? botMuls : depths.map(() => 1)).map(bottleneckOf),
      groupWidths: groupWs.length > 0 ? groupWs : depths.map(() => 1),
    },
  });
  return { model: regnetBehind(cfg, anynet, rest) ?? anynet };
}

function regnetOf(s: Record<string, unknown>): { depth: number; w0: number; wa: number; wm: number; groupWidth: number; bottleneck: number } {
  return {
    depth: num(s, 'REGNET', 'DEPTH'),
    w0: num(s, 'REGNET', 'W0'),
    wa: num(s, 'REGNET', 'WA'),
    wm: num(s, 'REGNET', 'WM'),
    groupWidth: num(s, 'REGNET', 'GROUP_W'),
    bottleneck: bottleneckOf(num(s, 'REGNET', 'BOT_MUL')),
  };
}

/**
 * The RegNet an explicit anynet config was made from, when its REGNET section (written, not
 * pycls's defaults) generates exactly its stages: pycls's sweeps store every sampled RegNet so.
 */
function regnetBehind(cfg: PyclsCfg, anynet: NormalizedModelSpec, rest: ModelSpec): NormalizedModelSpec | undefined {
  if (!isPlain(cfg.REGNET)) return undefined;
  const strides = anynet.anynet!.strides;
  let candidate: NormalizedModelSpec;
  try {
    candidate = normalizeModelSpec({ ...rest, regnet: { ...regnetOf(section(cfg, 'REGNET')), strides } });
  } catch {
    return undefined;
  }
  const same = canonicalJson(expandModel(candidate).stages) === canonicalJson(expandModel(anynet).stages);
  return same ? candidate : undefined;
}

/** The recipe of a config, in our terms (what a trial record keeps of it). */
export interface PyclsTraining {
  lr: number;
  weightDecay: number;
  epochs: number;
  batchSize: number;
  labelSmoothing: number;
  momentum: number;
  nesterov: boolean;
  /** pycls's LR_POLICY: cos, exp, lin or steps. */
  policy: string;
  warmupEpochs: number;
  warmupFactor: number;
  /** Images over which BN statistics are recomputed; 0 when off. */
  preciseBn: number;
  /** Weight decay of BN parameters (pycls's custom BN weight decay), or the weight decay when not custom. */
  bnWeightDecay: number;
  seed: number;
}

/** The training recipe of a config (pycls's defaults under what it leaves out). */
export function trainingFromPyclsCfg(cfg: PyclsCfg): PyclsTraining {
  const optim = section(cfg, 'OPTIM');
  const train = section(cfg, 'TRAIN');
  const bn = section(cfg, 'BN');
  const seed = cfg.RNG_SEED ?? PYCLS_DEFAULTS.RNG_SEED;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0) throw new PyclsCfgError('RNG_SEED', `RNG_SEED must be a non-negative integer, got ${JSON.stringify(seed)}`);
  const weightDecay = num(optim, 'OPTIM', 'WEIGHT_DECAY');
  return {
    lr: num(optim, 'OPTIM', 'BASE_LR'),
    weightDecay,
    epochs: num(optim, 'OPTIM', 'MAX_EPOCH'),
    batchSize: num(train, 'TRAIN', 'BATCH_SIZE'),
    labelSmoothing: num(train, 'TRAIN', 'LABEL_SMOOTHING'),
    momentum: num(optim, 'OPTIM', 'MOMENTUM'),
    nesterov: flag(optim, 'OPTIM', 'NESTEROV'),
    policy: text(optim, 'OPTIM', 'LR_POLICY'),
    warmupEpochs: num(optim, 'OPTIM', 'WARMUP_EPOCHS'),
    warmupFactor: num(optim, 'OPTIM', 'WARMUP_FACTOR'),
    preciseBn: flag(bn, 'BN', 'USE_PRECISE_STATS') ? num(bn, 'BN', 'NUM_SAMPLES_PRECISE') : 0,
    bnWeightDecay: flag(bn, 'BN', 'USE_CUSTOM_WEIGHT_DECAY') ? num(bn, 'BN', 'CUSTOM_WEIGHT_DECAY') : weightDecay,
    seed,
  };
}

/** flops, params and acts of a normalized spec (what a reconstructed model's record carries). */
export function complexityOf(spec: NormalizedModelSpec): Cx {
  const { flops, params, acts } = complexity(expandModel(spec));
  return { flops, params, acts };
}
