/**
 * ModelSpec: validation of untrusted JSON (what `dslab cx` reads, what a results file holds)
 * and expansion to the explicit per-stage form complexity counting and training build from.
 */
import { adjustBlockCompatibility } from './anynet';
import {
  ACTIVATIONS,
  BLOCK_TYPES,
  DEFAULT_SE_RATIO,
  STEM_TYPES,
  type Activation,
  type AnyNetParams,
  type BlockType,
  type ExpandedModel,
  type ModelSpec,
  type RegNetParams,
  type StageSpec,
  type StemSpec,
} from './model';
import { generateRegnet, REGNET_QUANTUM, type RegNetShape } from './regnet';
import { count } from './presentation/counts';

/** An invalid model spec; `path` names the offending field, e.g. "regnet.wm" or "anynet.widths[2]" ('' for the whole spec). */
export class ModelSpecError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'ModelSpecError';
  }
}

/**
 * A spec with every default filled in; exactly one of `regnet` / `anynet` is present. Keys added
 * after the first release (`activation`) are written only when they differ from their default,
 * so that the models of existing sweeps, and so their fingerprints, stay as they were.
 */
export type NormalizedModelSpec = Required<Omit<ModelSpec, 'regnet' | 'anynet' | 'activation'>> & Pick<ModelSpec, 'regnet' | 'anynet' | 'activation'>;

/**
 * Size caps. They keep every loop short and every count well inside exact integer arithmetic
 * for any realistic network (complexity stays exact below 2^53).
 */
export const LIMITS = {
  depth: 512,
  stages: 64,
  width: 65536,
  stride: 4096,
  resolution: 4096,
  channels: 4096,
  classes: 1_000_000,
  /** Bottleneck ratio b in [1/64, 1024]. */
  minBottleneck: 1 / 64,
  maxBottleneck: 1024,
  /** SE ratio in [0, 1]. */
  maxSe: 1,
} as const;

const DEFAULT_STEM: StemSpec = { type: 'imagenet', width: 32 };
const DEFAULT_STRIDE = 2;

const MODEL_KEYS = ['regnet', 'anynet', 'stem', 'block', 'se', 'activation', 'resolution', 'classes', 'channels', 'headWidth'] as const;
const REGNET_KEYS = ['depth', 'w0', 'wa', 'wm', 'groupWidth', 'bottleneck', 'stride', 'strides'] as const;
const ANYNET_KEYS = ['depths', 'widths', 'strides', 'bottlenecks', 'groupWidths'] as const;
const STEM_KEYS = ['type', 'width'] as const;

// ------------------------------------------------------------------ value checks

/** How a bad value reads in a message: numbers as written, strings quoted, containers by kind. */
function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'nothing';
  return String(value);
}

function fail(path: string, message: string): never {
  throw new ModelSpecError(path, message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (!isRecord(value)) fail(path, `${path} must be an object, got ${show(value)}`);
  return value;
}

function checkKeys(o: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) {
      fail(where ? `${where}.${key}` : key, `unknown key '${key}' in ${where || 'model'}; expected one of ${allowed.join(', ')}`);
    }
  }
}

function number(value: unknown, path: string): number {
  if (typeof value !== 'number') fail(path, `${path} must be a number, got ${show(value)}`);
  if (!Number.isFinite(value)) fail(path, `${path} must be a finite number, got ${show(value)}`);
  return value;
}

function integer(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value)) {
    fail(path, `${path} must be an integer, got ${show(value)}`);
  }
  if (value < min || value > max) {
    fail(path, `${path} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

/** Paper b = w / w_b; pycls needs 1/b below 1 or an integer (b ≥ 1, or b = 1/2, 1/3, …). */
function bottleneck(value: unknown, path: string): number {
  const b = number(value, path);
  if (b < LIMITS.minBottleneck || b > LIMITS.maxBottleneck) {
    fail(path, `${path} must be between 1/64 and ${LIMITS.maxBottleneck}, got ${b}`);
  }
  const bm = 1 / b;
  if (!(bm < 1 || Number.isInteger(bm))) {
    fail(path, `${path} must be ≥ 1 or the reciprocal of an integer (1/2, 1/4, …), got ${b}`);
  }
  return b;
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, `${path} must be a list, got ${show(value)}`);
  if (value.length === 0 || value.length > LIMITS.stages) {
    fail(path, `${path} must have between 1 and ${LIMITS.stages} entries, got ${value.length}`);
  }
  return value;
}

function sameLength(items: unknown[], path: string, ref: unknown[], refPath: string): void {
  if (items.length !== ref.length) {
    fail(path, `${path} has ${count(items.length, 'entry', 'entries')} but ${refPath} has ${ref.length}`);
  }
}

const isBottleneckBlock = (block: BlockType): boolean => block === 'X' || block === 'Y';

// ------------------------------------------------------------------ regnet / anynet

function normalizeRegnet(value: unknown, block: BlockType): { regnet: RegNetParams; shape: RegNetShape } {
  const o = record(value, 'regnet');
  checkKeys(o, REGNET_KEYS, 'regnet');
  for (const key of ['depth', 'w0', 'wa', 'wm', 'groupWidth', 'bottleneck'] as const) {
    if (o[key] === undefined) fail(`regnet.${key}`, `regnet.${key} is required`);
  }
  const depth = integer(o.depth, 'regnet.depth', 1, LIMITS.depth);
  const w0 = o.w0;
  if (typeof w0 !== 'number' || !(w0 > 0) || w0 % REGNET_QUANTUM !== 0) {
    fail('regnet.w0', `regnet.w0 must be a positive multiple of ${REGNET_QUANTUM}, got ${show(w0)}`);
  }
  if (w0 > LIMITS.width) fail('regnet.w0', `regnet.w0 must be at most ${LIMITS.width}, got ${w0}`);
  const wa = number(o.wa, 'regnet.wa');
  if (wa < 0) fail('regnet.wa', `regnet.wa must be ≥ 0, got ${wa}`);
  const wm = number(o.wm, 'regnet.wm');
  if (!(wm > 1)) fail('regnet.wm', `regnet.wm must be > 1, got ${wm}`);
  const groupWidth = integer(o.groupWidth, 'regnet.groupWidth', 1, LIMITS.width);
  const b = bottleneck(o.bottleneck, 'regnet.bottleneck');
  if (o.stride !== undefined && o.strides !== undefined) {
    fail('regnet.strides', 'give regnet.stride or regnet.strides, not both');
  }

  const shape = generateRegnet({ depth, w0, wa, wm });
  const widest = shape.blockWidths[depth - 1];
  if (widest > LIMITS.width) {
    fail('regnet', `the regnet parameters give a block width of ${widest}; widths above ${LIMITS.width} are not supported`);
  }
  const regnet: RegNetParams = { depth, w0, wa, wm, groupWidth, bottleneck: b };
  if (o.strides !== undefined) {
    const strides = list(o.strides, 'regnet.strides').map((s, i) => integer(s, `regnet.strides[${i}]`, 1, LIMITS.stride));
    if (strides.length !== shape.numStages) {
      fail(
        'regnet.strides',
        `regnet.strides has ${count(strides.length, 'entry', 'entries')} but the regnet parameters give ` +
          `${count(shape.numStages, 'stage')} (widths ${shape.stageWidths.join(', ')})`,
      );
    }
    regnet.strides = strides;
  } else {
    regnet.stride = o.stride === undefined ? DEFAULT_STRIDE : integer(o.stride, 'regnet.stride', 1, LIMITS.stride);
  }
  // A bottleneck block's width/group adjustment must succeed; check it here so the spec is known good.
  if (isBottleneckBlock(block)) {
    for (const w of shape.stageWidths) adjusted(w, b, groupWidth, 'regnet');
  }
  return { regnet, shape };
}

function normalizeAnynet(value: unknown, block: BlockType): AnyNetParams {
  const o = record(value, 'anynet');
  checkKeys(o, ANYNET_KEYS, 'anynet');
  for (const key of ['depths', 'widths', 'strides'] as const) {
    if (o[key] === undefined) fail(`anynet.${key}`, `anynet.${key} is required (one entry per stage)`);
  }
  const rawDepths = list(o.depths, 'anynet.depths');
  const rawWidths = list(o.widths, 'anynet.widths');
  sameLength(rawWidths, 'anynet.widths', rawDepths, 'anynet.depths');
  const rawStrides = list(o.strides, 'anynet.strides');
  sameLength(rawStrides, 'anynet.strides', rawDepths, 'anynet.depths');
  const depths = rawDepths.map((d, i) => integer(d, `anynet.depths[${i}]`, 1, LIMITS.depth));
  const widths = rawWidths.map((w, i) => integer(w, `anynet.widths[${i}]`, 1, LIMITS.width));
  const strides = rawStrides.map((s, i) => integer(s, `anynet.strides[${i}]`, 1, LIMITS.stride));

  const bottleneckBlock = isBottleneckBlock(block);
  for (const key of ['bottlenecks', 'groupWidths'] as const) {
    if (bottleneckBlock && o[key] === undefined) {
      fail(`anynet.${key}`, `anynet.${key} is required for block ${block} (one entry per stage)`);
    }
  }
  let bottlenecks: number[];
  if (o.bottlenecks === undefined) bottlenecks = depths.map(() => 1);
  else {
    const raw = list(o.bottlenecks, 'anynet.bottlenecks');
    sameLength(raw, 'anynet.bottlenecks', rawDepths, 'anynet.depths');
    bottlenecks = raw.map((b, i) => bottleneck(b, `anynet.bottlenecks[${i}]`));
  }
  let groupWidths: number[];
  if (o.groupWidths === undefined) groupWidths = widths.slice();
  else {
    const raw = list(o.groupWidths, 'anynet.groupWidths');
    sameLength(raw, 'anynet.groupWidths', rawDepths, 'anynet.depths');
    groupWidths = raw.map((g, i) => integer(g, `anynet.groupWidths[${i}]`, 1, LIMITS.width));
  }
  if (bottleneckBlock) {
    for (let i = 0; i < widths.length; i++) adjusted(widths[i], bottlenecks[i], groupWidths[i], `anynet.widths[${i}]`);
  }
  return { depths, widths, strides, bottlenecks, groupWidths };
}

/** adjustBlockCompatibility with its RangeError turned into a ModelSpecError at `path`. */
function adjusted(width: number, b: number, groupWidth: number, path: string): { width: number; groupWidth: number } {
  try {
    return adjustBlockCompatibility(width, b, groupWidth);
  } catch (err) {
    return fail(path, `${path}: ${(err as Error).message}`);
  }
}

// ------------------------------------------------------------------ whole spec

interface Normalized {
  spec: NormalizedModelSpec;
  shape?: RegNetShape;
}

function normalize(input: unknown): Normalized {
  if (!isRecord(input)) fail('', `a model must be a JSON object, got ${show(input)}`);
  checkKeys(input, MODEL_KEYS, '');

  const stem: StemSpec = { ...DEFAULT_STEM };
  if (input.stem !== undefined) {
    const o = record(input.stem, 'stem');
    checkKeys(o, STEM_KEYS, 'stem');
    if (o.type !== undefined) {
      if (!STEM_TYPES.includes(o.type as never)) fail('stem.type', `stem.type must be one of ${STEM_TYPES.join(', ')}, got ${show(o.type)}`);
      stem.type = o.type as StemSpec['type'];
    }
    if (o.width !== undefined) stem.width = integer(o.width, 'stem.width', 1, LIMITS.width);
  }

  let block: BlockType = 'X';
  if (input.block !== undefined) {
    if (!BLOCK_TYPES.includes(input.block as never)) fail('block', `block must be one of ${BLOCK_TYPES.join(', ')}, got ${show(input.block)}`);
    block = input.block as BlockType;
  }

  let se = block === 'Y' ? DEFAULT_SE_RATIO : 0;
  if (input.se !== undefined) {
    se = number(input.se, 'se');
    if (se < 0 || se > LIMITS.maxSe) fail('se', `se must be between 0 and ${LIMITS.maxSe}, got ${se}`);
  }
  if (se > 0 && !isBottleneckBlock(block)) {
    fail('se', `se applies only to bottleneck blocks (X, Y); block ${block} has no squeeze-excitation, got se ${se}`);
  }

  let activation: Activation = 'relu';
  if (input.activation !== undefined) {
    if (!ACTIVATIONS.includes(input.activation as never)) fail('activation', `activation must be one of ${ACTIVATIONS.join(', ')}, got ${show(input.activation)}`);
    activation = input.activation as Activation;
  }

  const resolution = input.resolution === undefined ? 224 : integer(input.resolution, 'resolution', 1, LIMITS.resolution);
  const classes = input.classes === undefined ? 1000 : integer(input.classes, 'classes', 1, LIMITS.classes);
  const channels = input.channels === undefined ? 3 : integer(input.channels, 'channels', 1, LIMITS.channels);
  const headWidth = input.headWidth === undefined ? 0 : integer(input.headWidth, 'headWidth', 0, LIMITS.width);

  const hasRegnet = input.regnet !== undefined;
  const hasAnynet = input.anynet !== undefined;
  if (hasRegnet === hasAnynet) {
    fail('', hasRegnet ? "a model has either 'regnet' or 'anynet', not both" : "a model needs 'regnet' or 'anynet'");
  }
  const rest = { stem, block, se, ...(activation === 'relu' ? {} : { activation }), resolution, classes, channels, headWidth };
  if (hasRegnet) {
    const { regnet, shape } = normalizeRegnet(input.regnet, block);
    return { spec: { regnet, ...rest }, shape };
  }
  return { spec: { anynet: normalizeAnynet(input.anynet, block), ...rest } };
}

/**
 * Validates untrusted JSON and fills defaults: stem {imagenet,32}, block X, se 0 (0.25 if block Y), activation relu,
 * resolution 224, classes 1000, channels 3, headWidth 0; a regnet without strides gets stride 2;
 * an anynet of R/V blocks without bottlenecks/groupWidths gets b = 1 and g = w.
 * Throws ModelSpecError with a clear message naming the field.
 */
export function normalizeModelSpec(input: unknown): NormalizedModelSpec {
  return normalize(input).spec;
}

/**
 * RegNet → stages via generateRegnet + adjustment; AnyNet → stages with adjustment applied (X/Y).
 * R and V blocks have no bottleneck or groups: their stages record b = 1 and g = w, unadjusted.
 * Validates first (throws ModelSpecError).
 */
export function expandModel(spec: ModelSpec): ExpandedModel {
  const { spec: n, shape } = normalize(spec);
  const bottleneckBlock = isBottleneckBlock(n.block);
  const stage = (width: number, depth: number, b: number, g: number, stride: number, path: string): StageSpec => {
    if (!bottleneckBlock) return { width, depth, groupWidth: width, bottleneck: 1, stride };
    const a = adjusted(width, b, g, path);
    return { width: a.width, depth, groupWidth: a.groupWidth, bottleneck: b, stride };
  };
  let stages: StageSpec[];
  if (n.regnet && shape) {
    const r = n.regnet;
    stages = shape.stageWidths.map((w, i) =>
      stage(w, shape.stageDepths[i], r.bottleneck, r.groupWidth, r.strides ? r.strides[i] : (r.stride ?? DEFAULT_STRIDE), 'regnet'),
    );
  } else {
    const a = n.anynet as AnyNetParams;
    stages = a.widths.map((w, i) => stage(w, a.depths[i], a.bottlenecks[i], a.groupWidths[i], a.strides[i], `anynet.widths[${i}]`));
  }
  const { stem, block, se, activation = 'relu', resolution, classes, channels, headWidth } = n;
  return { stem: { ...stem }, block, se, activation, resolution, classes, channels, headWidth, stages };
}
