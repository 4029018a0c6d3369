/**
 * What a space means once `extends` and the file-level settings apply: for any key, the value in
 * effect and where it is written. A lookup walks the space, then its parent, grandparent…, then
 * the file-level section, so that maps merge key by key and everything else replaces; the
 * order of spaces in the file plays no part.
 */
import { SPACE_TYPES, type SpaceType } from './parameters';
import type { Segment } from './yamlPositions';

/** A value in effect and where it comes from. */
export interface Located<T = unknown> {
  value: T;
  path: Segment[];
  /** 0 = the space itself, 1 = its parent, …; FILE_LEVEL = a file-level section. Lower is more specific. */
  level: number;
}

export const FILE_LEVEL = Number.MAX_SAFE_INTEGER;

export type ChainProblem =
  | { kind: 'unknown-parent'; parent: string }
  | { kind: 'self' }
  | { kind: 'cycle'; cycle: string[] };

export interface Chain {
  /** The space, then its ancestors as far as they resolve. */
  names: string[];
  problem?: ChainProblem;
  /** The space whose `extends` is the broken link. */
  problemAt?: string;
}

type Dict = Record<string, unknown>;

export const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

function dig(root: unknown, keys: readonly string[]): { found: boolean; value?: unknown } {
  let node = root;
  for (const k of keys) {
    if (!isDict(node) || !Object.prototype.hasOwnProperty.call(node, k)) return { found: false };
    node = node[k];
  }
  return { found: true, value: node };
}

/** A read-only view of a parsed space file that answers "what is in effect for this space". */
export class SpaceFileView {
  readonly root: Dict;
  readonly spaces: Dict;
  private readonly chains = new Map<string, Chain>();

  constructor(value: unknown) {
    this.root = isDict(value) ? value : {};
    this.spaces = isDict(this.root.spaces) ? this.root.spaces : {};
  }

  /** Space names in file order. */
  get names(): string[] {
    return Object.keys(this.spaces);
  }

  /** The space's own definition, if it is a map. */
  definition(name: string): Dict | undefined {
    const d = this.spaces[name];
    return isDict(d) ? d : undefined;
  }

  /** The `extends` chain of a space, and the first broken link on it. */
  chain(name: string): Chain {
    const cached = this.chains.get(name);
    if (cached) return cached;
    const names = [name];
    let result: Chain = { names };
    for (let current = name; ; ) {
      const parent = this.definition(current)?.extends;
      if (typeof parent !== 'string') break;
      if (parent === current) {
        result = { names, problem: { kind: 'self' }, problemAt: current };
        break;
      }
      if (!Object.prototype.hasOwnProperty.call(this.spaces, parent)) {
        result = { names, problem: { kind: 'unknown-parent', parent }, problemAt: current };
        break;
      }
      const seen = names.indexOf(parent);
      if (seen >= 0) {
        result = { names, problem: { kind: 'cycle', cycle: [...names.slice(seen), parent] }, problemAt: current };
        break;
      }
      names.push(parent);
      current = parent;
    }
    this.chains.set(name, result);
    return result;
  }

  /** The type written on the space itself, if valid. */
  ownType(name: string): SpaceType | undefined {
    const t = this.definition(name)?.type;
    return SPACE_TYPES.includes(t as SpaceType) ? (t as SpaceType) : undefined;
  }

  /** The space's type: its own, else the nearest ancestor's. */
  type(name: string): SpaceType | undefined {
    for (const n of this.chain(name).names) {
      const t = this.ownType(n);
      if (t) return t;
    }
    return undefined;
  }

  /** A key written on the space itself (nested keys as a path). */
  own(name: string, keys: readonly string[]): Located | undefined {
    const { found, value } = dig(this.definition(name), keys);
    return found ? { value, path: ['spaces', name, ...keys], level: 0 } : undefined;
  }

  /** A key of the space as inherited through `extends`: the nearest space that writes it. */
  inherited(name: string, keys: readonly string[]): Located | undefined {
    const names = this.chain(name).names;
    for (let level = 0; level < names.length; level++) {
      const { found, value } = dig(this.definition(names[level]), keys);
      if (found) return { value, path: ['spaces', names[level], ...keys], level };
    }
    return undefined;
  }

  /** A file-level key. */
  file(keys: readonly string[]): Located | undefined {
    const { found, value } = dig(this.root, keys);
    return found ? { value, path: [...keys], level: FILE_LEVEL } : undefined;
  }

  /** A model setting in effect for the space: the spaces' `model` maps, then the file's. */
  model(name: string, keys: readonly string[]): Located | undefined {
    return this.inherited(name, ['model', ...keys]) ?? this.file(['model', ...keys]);
  }

  /** A training setting in effect for the space: the spaces' `training` maps, then the file's. */
  training(name: string, keys: readonly string[]): Located | undefined {
    return this.inherited(name, ['training', ...keys]) ?? this.file(['training', ...keys]);
  }

  /** samples / maxAttempts in effect: the spaces', then the file's `sampling`. */
  sampling(name: string, key: 'samples' | 'maxAttempts'): Located | undefined {
    return this.inherited(name, [key]) ?? this.file(['sampling', key]);
  }

  /** One complexity constraint in effect: the spaces' `constraints`, then the file's. */
  constraint(name: string, metric: string): Located | undefined {
    return this.inherited(name, ['constraints', metric]) ?? this.file(['sampling', 'constraints', metric]);
  }
}

/** The most specific of several values that together cause a problem (ties: the first). */
export function mostSpecific(...candidates: (Located | undefined)[]): Located | undefined {
  let best: Located | undefined;
  for (const c of candidates) if (c && (!best || c.level < best.level)) best = c;
  return best;
}
