/**
 * The design parameters of each space type, their shorthand forms and defaults, and the
 * reading of any accepted form into one explicit distribution.
 *
 * Shorthand defaults follow pycls's samplers: AnyNet depth log-uniform q=1 and width
 * log-uniform q=8; RegNet depth uniform q=1, w0 log-uniform q=8, wa log-uniform q=0.1,
 * wm log-uniform q=0.001. bottleneck and groupWidth are value lists; their explicit range form
 * defaults to power2 q=1 (b) and power2-or-log-uniform q=8 (g, pycls's GROUP_W sampler; with
 * another dist the group width's quantum defaults to 1).
 */
import type { Distribution } from './types';
import type { Segment } from './yamlPositions';

export type SpaceType = 'anynet' | 'regnet';
export const SPACE_TYPES: readonly SpaceType[] = ['anynet', 'regnet'];

export type ParameterName = 'depth' | 'width' | 'w0' | 'wa' | 'wm' | 'bottleneck' | 'groupWidth';
export type RangeKind = Exclude<Distribution['kind'], 'values'>;
export const RANGE_KINDS: readonly RangeKind[] = ['uniform', 'log-uniform', 'power2', 'power2-or-log-uniform', 'normal', 'log-normal'];

/** The parameters every space of a type must have (after `extends`), in the order they are drawn. */
export const PARAMETERS: Readonly<Record<SpaceType, readonly ParameterName[]>> = {
  anynet: ['depth', 'width', 'bottleneck', 'groupWidth'],
  regnet: ['depth', 'w0', 'wa', 'wm', 'bottleneck', 'groupWidth'],
};

/** Keys a space of each type takes besides its parameters. */
export const COMMON_SPACE_KEYS = ['type', 'extends', 'samples', 'constraints', 'maxAttempts', 'seed', 'model', 'training'] as const;
export const TYPE_ONLY_KEYS: Readonly<Record<SpaceType, readonly string[]>> = {
  anynet: ['restrictions'],
  regnet: [],
};

/** Keys of a space of `type`: the common ones, its parameters and its own extras. */
export function spaceKeys(type: SpaceType): string[] {
  return [...COMMON_SPACE_KEYS, ...PARAMETERS[type], ...TYPE_ONLY_KEYS[type]];
}

export interface ParameterDefaults {
  /** What a bare list means: `[lo, hi]` or a list of values. */
  shorthand: 'range' | 'values';
  kind: RangeKind;
  /** The quantum when none is written, for a given distribution kind. */
  quantum: (kind: RangeKind) => number;
}

export function parameterDefaults(type: SpaceType, name: ParameterName): ParameterDefaults {
  switch (name) {
    case 'depth':
      return { shorthand: 'range', kind: type === 'anynet' ? 'log-uniform' : 'uniform', quantum: () => 1 };
    case 'width':
    case 'w0':
      return { shorthand: 'range', kind: 'log-uniform', quantum: () => 8 };
    case 'wa':
      return { shorthand: 'range', kind: 'log-uniform', quantum: () => 0.1 };
    case 'wm':
      return { shorthand: 'range', kind: 'log-uniform', quantum: () => 0.001 };
    case 'bottleneck':
      return { shorthand: 'values', kind: 'power2', quantum: () => 1 };
    case 'groupWidth':
      return { shorthand: 'values', kind: 'power2-or-log-uniform', quantum: (kind) => (kind === 'power2-or-log-uniform' ? 8 : 1) };
  }
}

/** A parameter as written, read into an explicit form, with where each part sits (relative paths). */
export type WrittenDistribution =
  | { kind: 'values'; values: number[]; valuePath: (i: number) => Segment[] }
  | {
      kind: RangeKind;
      lo: number;
      hi: number;
      quantum: number;
      rangePath: Segment[];
      /** Where the quantum is written; undefined when it is the parameter's default. */
      quantumPath?: Segment[];
    };

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNumberList = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every(isNumber);

/**
 * Reads any accepted form (shorthand list, bare number, { dist, range, quantum }, { values })
 * into an explicit one; undefined when the value has no usable shape (the schema reports why).
 */
export function readDistribution(raw: unknown, defaults: ParameterDefaults): WrittenDistribution | undefined {
  if (isNumber(raw)) return { kind: 'values', values: [raw], valuePath: () => [] };
  if (Array.isArray(raw)) {
    if (!isNumberList(raw)) return undefined;
    if (defaults.shorthand === 'values') return { kind: 'values', values: raw, valuePath: (i) => [i] };
    if (raw.length !== 2) return undefined;
    return { kind: defaults.kind, lo: raw[0], hi: raw[1], quantum: defaults.quantum(defaults.kind), rangePath: [] };
  }
  if (!raw || typeof raw !== 'object') return undefined;
  const o = raw as Record<string, unknown>;
  if ('values' in o) {
    return isNumberList(o.values) ? { kind: 'values', values: o.values, valuePath: (i) => ['values', i] } : undefined;
  }
  const range = o.range;
  if (!isNumberList(range) || range.length !== 2) return undefined;
  const kind = o.dist === undefined ? defaults.kind : o.dist;
  if (!RANGE_KINDS.includes(kind as RangeKind)) return undefined;
  if (o.quantum !== undefined && !(isNumber(o.quantum) && o.quantum > 0)) return undefined;
  return {
    kind: kind as RangeKind,
    lo: range[0],
    hi: range[1],
    quantum: o.quantum === undefined ? defaults.quantum(kind as RangeKind) : (o.quantum as number),
    rangePath: ['range'],
    quantumPath: o.quantum === undefined ? undefined : ['quantum'],
  };
}

/** The resolved, explicit distribution of a written one. */
export function toDistribution(written: WrittenDistribution): Distribution {
  if (written.kind === 'values') return { kind: 'values', values: [...written.values] };
  return { kind: written.kind, range: [written.lo, written.hi], quantum: written.quantum };
}
