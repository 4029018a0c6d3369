/**
 * A design space as a pycls sweep config (`pycls/sweep/config.py`, reference §4.2): samplers
 * over the config keys a space draws, complexity constraints, and the space's fixed settings as
 * BASE_CFG, so that `tools/sweep_setup.py` samples the distribution our sampler does.
 *
 * What pycls's sweep cannot say, and so makes a space an explicit list of models instead:
 * AnyNet restrictions (shared b or g, non-decreasing widths or depths), per-stage strides of a
 * RegNet, a drawn resolution (TRAIN.IM_SIZE and TEST.IM_SIZE would have to move together),
 * drawn blocks that mix squeeze-excitation and R/V blocks, b drawn from a range, and group
 * widths or widths that pycls's sweep would change: it standardizes every sampled AnyNet and
 * RegNet (`scaler.scale_model`), snapping widths to multiples of 8 and group widths to 1, 2, 4
 * or a multiple of 8.
 */
import type { NormalizedModelSpec } from '../modelSpec';
import { normalizeModelSpec } from '../modelSpec';
import type { SampledModel } from '../sampling/sampler';
import { DRAWN_TRAINING_KEYS, type DrawnTrainingKey } from '../space/drawnSettings';
import type { DesignSpace, Distribution, ResolvedSpaceFile } from '../space/types';
import { botMulOf, PYCLS_FLOAT_KEYS, pyclsConfig, type PyclsCfg } from './pyclsConfig';
import { withDrawnTraining } from '../space/drawnSettings';

/** pycls's name of each of our distribution kinds (RAND_TYPE). */
const RAND_TYPES: Readonly<Record<Exclude<Distribution['kind'], 'values'>, string>> = {
  uniform: 'uniform',
  'log-uniform': 'log_uniform',
  power2: 'power2_uniform',
  'power2-or-log-uniform': 'power2_or_log_uniform',
  normal: 'normal',
  'log-normal': 'log_normal',
};

/** The config key each drawn training value sets. */
const TRAINING_KEYS: Readonly<Record<DrawnTrainingKey, string>> = {
  lr: 'OPTIM.BASE_LR',
  weightDecay: 'OPTIM.WEIGHT_DECAY',
  epochs: 'OPTIM.MAX_EPOCH',
  batchSize: 'TRAIN.BATCH_SIZE',
  labelSmoothing: 'TRAIN.LABEL_SMOOTHING',
};

type Sampler = Record<string, unknown>;

/** The pycls sampler of one of our distributions (int or float as the key's pycls type; `map` transforms listed values). */
function samplerOf(d: Distribution, key: string, map: (v: number) => number | string | boolean = (v) => v): Sampler {
  if (d.kind === 'values') return { TYPE: 'value_sampler', VALUES: d.values.map(map) };
  return { TYPE: PYCLS_FLOAT_KEYS.has(key) ? 'float_sampler' : 'int_sampler', RAND_TYPE: RAND_TYPES[d.kind], RANGE: [d.range[0], d.range[1]], QUANTIZE: d.quantum };
}

/** Every value a distribution can draw, when it is a list; undefined for a range. */
const listed = (d: Distribution): number[] | undefined => (d.kind === 'values' ? d.values : undefined);

/** Whether pycls's scaler leaves every group width of `d` as it is (g ≤ 2, 4, or a multiple of 8). */
function keepsGroupWidths(d: Distribution): boolean {
  const kept = (g: number): boolean => g <= 2 || g === 4 || g % 8 === 0;
  if (d.kind === 'values') return d.values.every(kept);
  if (d.kind === 'power2') return true;
  if (d.kind === 'power2-or-log-uniform') return d.quantum % 8 === 0;
  return d.quantum % 8 === 0 && d.range[0] % 8 === 0;
}

/** Whether every width of `d` is a multiple of 8 (what pycls's scaler rounds widths to). */
function keepsWidths(d: Distribution): boolean {
  if (d.kind === 'values') return d.values.every((w) => w % 8 === 0);
  return d.kind !== 'power2-or-log-uniform' && d.quantum % 8 === 0 && d.range[0] % 8 === 0;
}

/** pycls's regnet_sampler: fixed types and quanta per parameter (reference §4.2). */
function fitsRegnetSampler(space: Extract<DesignSpace, { type: 'regnet' }>, botMuls: number[]): boolean {
  const is = (d: Distribution, kind: Distribution['kind'], q: number): boolean => d.kind === kind && d.kind !== 'values' && d.quantum === q;
  const e = botMuls.map((bm) => Math.log2(bm));
  const powers = e.every(Number.isInteger) && new Set(e).size === e.length && Math.max(...e) - Math.min(...e) + 1 === e.length;
  return is(space.depth, 'uniform', 1) && is(space.w0, 'log-uniform', 8) && is(space.wa, 'log-uniform', 0.1) && is(space.wm, 'log-uniform', 0.001) && is(space.groupWidth, 'power2-or-log-uniform', 8) && powers;
}

/** What makes a space something pycls's sweep samplers cannot draw, one phrase each (empty: it can). */
export function sweepObstacles(space: DesignSpace): string[] {
  const out: string[] = [];
  const m = space.model;
  if (space.type === 'anynet') {
    if (space.restrictions.length > 0) out.push(`restrictions ${space.restrictions.join(', ')}: pycls's samplers draw every stage on its own`);
    if (!keepsWidths(space.width)) out.push("widths that are not multiples of 8: pycls's sweep rounds them");
  } else if (!m.strides.every((s) => s === m.strides[0])) {
    out.push(`per-stage strides ${m.strides.join(', ')}: a pycls RegNet has one stride`);
  }
  if (!keepsGroupWidths(space.groupWidth)) out.push("group widths other than 1, 2, 4 or multiples of 8: pycls's sweep snaps them");
  if (listed(space.bottleneck) === undefined) out.push('b drawn from a range: pycls draws BOT_MUL = 1/b');
  const s = m.sampled;
  if (s?.resolution) out.push('a drawn resolution: TRAIN.IM_SIZE and TEST.IM_SIZE would have to be drawn together');
  if (s?.block) {
    const se = s.block.filter((b) => b === 'X' || b === 'Y');
    const plain = s.block.filter((b) => b !== 'Y');
    if (!((se.length === s.block.length && s.seByBlock && !s.se) || (plain.length === s.block.length && !s.se && m.se === 0))) {
      out.push(`drawn blocks ${s.block.join(', ')} with ${s.se ? 'a drawn' : 'this'} squeeze-excitation: pycls draws SE_ON or BLOCK_TYPE, not both`);
    }
  }
  if (s?.se && m.block !== 'X' && m.block !== 'Y') out.push('a drawn squeeze-excitation ratio on R or V blocks');
  return out;
}

/** The sweep config's file contents: a tree for `pyclsYaml`, with the float predicate its paths need. */
export interface PyclsSweepConfig {
  tree: PyclsCfg;
  isFloat: (path: string) => boolean;
}

/** Sampler field names: what is left of a path without them is the config key a value belongs to. */
const SAMPLER_FIELDS = new Set(['SETUP', 'SAMPLERS', 'BASE_CFG', 'RANGE', 'QUANTIZE', 'VALUES', 'ITEM_SAMPLER']);

/** Whether a path in a sweep config holds a float: the config key under the sampler fields is one pycls types as a float (a list sampler's LENGTH is a count). */
export function sweepFloatPath(path: string): boolean {
  const parts = path.split('.');
  return parts[parts.length - 1] !== 'LENGTH' && PYCLS_FLOAT_KEYS.has(parts.filter((p) => !SAMPLER_FIELDS.has(p)).join('.'));
}

/**
 * The sweep config of a space, sampling what the space samples: `rootDir` is where pycls's sweep
 * goes (ROOT_DIR; NAME is the space). Undefined when `sweepObstacles` names anything or the space
 * sampled no model (BASE_CFG is written from its first model, the sampled keys left to the samplers).
 */
export function pyclsSweepConfig(resolved: ResolvedSpaceFile, space: DesignSpace, models: readonly SampledModel[], rootDir: string, file: string): PyclsSweepConfig | undefined {
  if (sweepObstacles(space).length > 0 || models.length === 0) return undefined;
  const first = models[0];
  const base = pyclsConfig(first.model, { dataset: resolved.dataset.name, training: withDrawnTraining(resolved.training, first.training) });
  const section = space.type === 'regnet' ? 'REGNET' : 'ANYNET';
  const samplers: Record<string, Sampler> = {};
  const n: NormalizedModelSpec = normalizeModelSpec(first.model);
  const bValues = listed(space.bottleneck)!;
  if (space.type === 'regnet') {
    const botMuls = bValues.map(botMulOf);
    if (fitsRegnetSampler(space, botMuls)) {
      const range = (d: Distribution): [number, number] => (d.kind === 'values' ? [Math.min(...d.values), Math.max(...d.values)] : d.range);
      samplers.REGNET = {
        TYPE: 'regnet_sampler',
        DEPTH: range(space.depth),
        W0: range(space.w0),
        WA: range(space.wa),
        WM: range(space.wm),
        GROUP_W: range(space.groupWidth),
        BOT_MUL: [Math.min(...botMuls), Math.max(...botMuls)],
      };
    } else {
      samplers['REGNET.DEPTH'] = samplerOf(space.depth, 'REGNET.DEPTH');
      samplers['REGNET.W0'] = samplerOf(space.w0, 'REGNET.W0');
      samplers['REGNET.WA'] = samplerOf(space.wa, 'REGNET.WA');
      samplers['REGNET.WM'] = samplerOf(space.wm, 'REGNET.WM');
      samplers['REGNET.GROUP_W'] = samplerOf(space.groupWidth, 'REGNET.GROUP_W');
      samplers['REGNET.BOT_MUL'] = { TYPE: 'value_sampler', VALUES: botMuls };
    }
  } else {
    const list = (item: Sampler): Sampler => ({ TYPE: 'list_sampler', LENGTH: space.model.stages, ITEM_SAMPLER: item });
    samplers['ANYNET.DEPTHS'] = list(samplerOf(space.depth, 'ANYNET.DEPTHS'));
    samplers['ANYNET.WIDTHS'] = list(samplerOf(space.width, 'ANYNET.WIDTHS'));
    samplers['ANYNET.BOT_MULS'] = list({ TYPE: 'value_sampler', VALUES: bValues.map(botMulOf) });
    samplers['ANYNET.GROUP_WS'] = list(samplerOf(space.groupWidth, 'ANYNET.GROUP_WS'));
  }
  const s = space.model.sampled;
  if (s?.activation) samplers['MODEL.ACTIVATION_FUN'] = { TYPE: 'value_sampler', VALUES: s.activation.map((a) => (a === 'swish' ? 'silu' : a)) };
  if (s?.block) {
    samplers[s.block.includes('Y') ? `${section}.SE_ON` : `${section}.BLOCK_TYPE`] = s.block.includes('Y')
      ? { TYPE: 'value_sampler', VALUES: s.block.map((b) => b === 'Y') }
      : { TYPE: 'value_sampler', VALUES: s.block.map((b) => ({ X: 'res_bottleneck_block', R: 'res_basic_block', V: 'vanilla_block' })[b as 'X' | 'R' | 'V']) };
  }
  if (s?.se) samplers[`${section}.SE_R`] = samplerOf(s.se, `${section}.SE_R`);
  if (s?.stemWidth) samplers[`${section}.STEM_W`] = samplerOf(s.stemWidth, `${section}.STEM_W`);
  for (const key of DRAWN_TRAINING_KEYS) {
    const d = space.training?.[key];
    if (d !== undefined) samplers[TRAINING_KEYS[key]] = samplerOf(d, TRAINING_KEYS[key]);
  }
  // SE switched per model needs its ratio in the base; a drawn ratio needs SE on.
  const sec = base[section] as Record<string, unknown>;
  if (s?.block?.includes('Y')) sec.SE_R = 0.25;
  if (s?.se) sec.SE_ON = true;
  if (!s?.se && !s?.block && n.se === 0) sec.SE_ON = false;
  delete base.DESC;
  // The base leaves what the samplers set to them (the first model's values would only mislead a reader).
  const sampledKeys = samplers.REGNET ? ['REGNET.DEPTH', 'REGNET.W0', 'REGNET.WA', 'REGNET.WM', 'REGNET.GROUP_W', 'REGNET.BOT_MUL'] : Object.keys(samplers);
  for (const key of sampledKeys) {
    const [sectionName, name] = key.split('.');
    delete (base[sectionName] as Record<string, unknown> | undefined)?.[name];
  }
  const cx: Record<string, [number, number]> = {};
  for (const [metric, key] of [['flops', 'FLOPS'], ['params', 'PARAMS'], ['acts', 'ACTS']] as const) {
    const c = space.constraints[metric];
    if (c) cx[key] = [c[0], c[1]];
  }
  const setup: Record<string, unknown> = {
    NUM_CONFIGS: models.length,
    NUM_SAMPLES: space.maxAttempts,
    RNG_SEED: space.seed,
    SAMPLERS: samplers,
    CONSTRAINTS: { CX: cx, ...(space.type === 'regnet' ? { REGNET: { NUM_STAGES: [space.model.stages, space.model.stages] } } : {}) },
    BASE_CFG: base,
  };
  return {
    tree: { ROOT_DIR: rootDir, NAME: space.name, DESC: `${space.name} of ${file} (${resolved.name})`, SETUP: setup },
    isFloat: sweepFloatPath,
  };
}
