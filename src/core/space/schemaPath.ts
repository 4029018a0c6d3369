/**
 * Where the cursor is in a space file, as a path of keys (`spaces.RegNetX.depth`), and what the
 * JSON Schema says at that path: documentation for hover, keys and enum values for completion.
 * Hover reads the parsed YAML; completion reads indentation, since the line being typed is
 * usually not valid YAML yet. The inverse, a path's position in the text, is yamlPositions.ts.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { SPACE_SCHEMA } from './schema';
import type { Segment } from './yamlPositions';

export type Schema = Readonly<Record<string, unknown>>;

/** A key path and whether the position is on the last key itself (rather than in its value). */
export interface PathAt {
  path: Segment[];
  onKey: boolean;
}

/** Offset of a zero-based line/character in `text` (clamped to the text). */
export function offsetAt(text: string, line: number, character: number): number {
  let offset = 0;
  for (let l = 0; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  const end = text.indexOf('\n', offset);
  return Math.min(offset + character, end < 0 ? text.length : end);
}

function contains(node: Node | null | undefined, offset: number): node is Node {
  return !!node?.range && node.range[0] <= offset && offset <= node.range[1];
}

function keyName(key: unknown): string | undefined {
  return isScalar(key) && (typeof key.value === 'string' || typeof key.value === 'number') ? String(key.value) : undefined;
}

function walk(node: Node, offset: number, path: Segment[]): PathAt {
  if (isMap(node)) {
    for (const pair of node.items) {
      const name = keyName(pair.key);
      if (name === undefined) continue;
      if (contains(pair.key as Node, offset)) return { path: [...path, name], onKey: true };
      if (contains(pair.value as Node, offset)) return walk(pair.value as Node, offset, [...path, name]);
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      if (contains(item as Node, offset)) return walk(item as Node, offset, [...path, i]);
    }
  }
  return { path, onKey: false };
}

/** The key path at a position of the YAML text; undefined outside the document's top-level mapping. */
export function pathAt(text: string, line: number, character: number): PathAt | undefined {
  const doc = parseDocument(text, { keepSourceTokens: false });
  const contents = doc.contents as Node | null;
  const offset = offsetAt(text, line, character);
  if (!isMap(contents)) return undefined;
  return walk(contents, offset, []);
}

// ------------------------------------------------------------------ block-indentation context

const BLOCK_KEY = /^(\s*)(["']?)([A-Za-z_][\w.-]*)\2\s*:\s*(#.*)?$/;
const ANY_KEY = /^(\s*)(["']?)([A-Za-z_][\w.-]*)\2\s*:/;

const indentOf = (line: string): number => line.length - line.trimStart().length;
const isBlank = (line: string): boolean => /^\s*(#.*)?$/.test(line);

/**
 * The path of the block mapping a key written at column `indent` of `line` belongs to, from the
 * keys with smaller indentation above it; undefined where no key can go (e.g. deeper than a key
 * that already has a value).
 */
export function parentPathAt(lines: readonly string[], line: number, indent: number): string[] | undefined {
  const path: string[] = [];
  let current = indent;
  for (let i = line - 1; i >= 0 && current > 0; i--) {
    const text = lines[i];
    if (isBlank(text)) continue;
    const ind = indentOf(text);
    if (ind >= current) continue;
    const m = BLOCK_KEY.exec(text);
    if (!m) return undefined;
    path.unshift(m[3]);
    current = ind;
  }
  return current === 0 ? path : undefined;
}

/** Keys already present in the block mapping that `line` (at column `indent`) is part of, with their inline values. */
export function siblingKeys(lines: readonly string[], line: number, indent: number): Map<string, string> {
  const keys = new Map<string, string>();
  const scan = (from: number, step: number): void => {
    for (let i = from; i >= 0 && i < lines.length; i += step) {
      const text = lines[i];
      if (isBlank(text)) continue;
      const ind = indentOf(text);
      if (ind < indent) return;
      const m = ind === indent ? ANY_KEY.exec(text) : null;
      if (m) keys.set(m[3], text.slice(m[0].length).replace(/#.*$/, '').trim());
    }
  };
  scan(line - 1, -1);
  scan(line + 1, 1);
  return keys;
}

/** What can be completed at a position: a key of the mapping at `path`, or a value of the key at `path`. */
export type CompletionContext =
  | { kind: 'key'; path: string[]; existing: Set<string> }
  | { kind: 'value'; path: string[] }
  /** A space's name in a list of `pairs` (`pairs: [[A, |` or a block item `- [A, |`); `partial`: what is typed of it. */
  | { kind: 'spaceName'; partial: string };

/** The cursor is at a name in a flow list of pairs: after `[` or `,`, in a word or before one. */
const PAIR_NAME_AT_END = /(?:^|[[,])\s*([\w.-]*)$/;

/** The key whose block list holds the item (`- …`) on `line` at column `indent`. */
function blockListKey(lines: readonly string[], line: number, indent: number): string | undefined {
  for (let i = line - 1; i >= 0; i--) {
    const text = lines[i];
    if (isBlank(text)) continue;
    const ind = indentOf(text);
    if (ind === indent && /^\s*-/.test(text)) continue; // an earlier item of the same list
    if (ind > indent) continue;
    return /^\s*([A-Za-z_][\w.-]*)\s*:\s*(#.*)?$/.exec(text)?.[1];
  }
  return undefined;
}

/** A name of a `pairs` list being typed on this line, if the cursor is at one. */
function pairNameContext(lines: readonly string[], line: number, before: string): CompletionContext | undefined {
  if (before.includes('#') || before.includes(']]')) return undefined;
  const inline = /\bpairs\s*:\s*(\[.*)$/.exec(before);
  const item = /^(\s*)-\s*(\[.*)$/.exec(before);
  let list: string | undefined;
  if (inline) list = inline[1];
  else if (item && blockListKey(lines, line, item[1].length) === 'pairs') list = item[2];
  if (list === undefined) return undefined;
  // Inside an open pair: more `[` than `]` since the list began.
  const open = (list.match(/\[/g) ?? []).length - (list.match(/\]/g) ?? []).length;
  if (open < (inline ? 2 : 1)) return undefined;
  const name = PAIR_NAME_AT_END.exec(list);
  return name ? { kind: 'spaceName', partial: name[1] } : undefined;
}

/**
 * Keys that only the other type of space takes (the schema's descriptions start "anynet only:" or
 * "regnet only:"), for a space whose `type` is written in it; none when it is not (e.g. `extends`).
 */
export function otherTypeKeys(root: Schema, type: string | undefined): string[] {
  if (type !== 'anynet' && type !== 'regnet') return [];
  const other = type === 'anynet' ? 'regnet' : 'anynet';
  const space = schemaAt(root, ['spaces', '*']);
  return Object.keys(asSchema(space?.properties) ?? {}).filter((key) => {
    const description = schemaAt(root, ['spaces', '*', key])?.description;
    return typeof description === 'string' && description.startsWith(`${other} only`);
  });
}

/** The completion context at a position of a block-style YAML text, or undefined (comments, flow collections…). */
export function completionContextAt(text: string, line: number, character: number): CompletionContext | undefined {
  const lines = text.split(/\r?\n/);
  const before = (lines[line] ?? '').slice(0, character);
  if (/[[{]/.test(before)) return pairNameContext(lines, line, before);
  if (before.includes('#')) return undefined;
  const value = /^(\s*)([A-Za-z_][\w.-]*)\s*:\s*[^\s:]*$/.exec(before);
  if (value) {
    const parent = parentPathAt(lines, line, value[1].length);
    return parent && { kind: 'value', path: [...parent, value[2]] };
  }
  const key = /^(\s*)[A-Za-z_]?[\w.-]*$/.exec(before);
  if (!key) return undefined;
  const indent = key[1].length;
  const parent = parentPathAt(lines, line, indent);
  if (!parent) return undefined;
  const siblings = siblingKeys(lines, line, indent);
  const existing = new Set(siblings.keys());
  if (parent.length === 2 && parent[0] === 'spaces') for (const key of otherTypeKeys(SPACE_SCHEMA, siblings.get('type'))) existing.add(key);
  return { kind: 'key', path: parent, existing };
}

// ------------------------------------------------------------------ the schema at a path

function refTarget(root: Schema, ref: string): Schema | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown> | undefined)?.[part];
  return typeof node === 'object' && node !== null ? (node as Schema) : undefined;
}

/** The node with its `$ref` followed; the referring node's own keys (its description) win. */
export function resolveRef(root: Schema, node: Schema): Schema {
  if (typeof node.$ref !== 'string') return node;
  const target = refTarget(root, node.$ref);
  if (!target) return node;
  const { $ref: _ignored, ...own } = node;
  return { ...resolveRef(root, target), ...own };
}

function asSchema(x: unknown): Schema | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Schema) : undefined;
}

/** The node and the alternatives it allows (anyOf / oneOf / allOf), each resolved. */
function branches(root: Schema, node: Schema): Schema[] {
  const resolved = resolveRef(root, node);
  const alternatives = ['anyOf', 'oneOf', 'allOf'].flatMap((k) => (Array.isArray(resolved[k]) ? (resolved[k] as unknown[]) : []));
  return [resolved, ...alternatives.map(asSchema).filter((s): s is Schema => !!s).map((s) => resolveRef(root, s))];
}

function child(root: Schema, node: Schema, segment: Segment): Schema | undefined {
  const all = branches(root, node);
  if (typeof segment === 'number') {
    for (const b of all) if (asSchema(b.items)) return resolveRef(root, asSchema(b.items)!);
    return undefined;
  }
  for (const b of all) {
    const property = asSchema(asSchema(b.properties)?.[segment]);
    if (property) return resolveRef(root, property);
  }
  for (const b of all) if (asSchema(b.additionalProperties)) return resolveRef(root, asSchema(b.additionalProperties)!);
  return undefined;
}

/** The schema of the value at `path` (every `$ref` followed), or undefined where the schema allows nothing. */
export function schemaAt(root: Schema, path: readonly Segment[]): Schema | undefined {
  let node: Schema | undefined = root;
  for (const segment of path) {
    node = node && child(root, node, segment);
    if (!node) return undefined;
  }
  return node && resolveRef(root, node);
}

/** Markdown documentation of the key at `path`: its markdownDescription, else its description, and its default. */
export function keyDocumentation(root: Schema, path: readonly Segment[]): string | undefined {
  const node = schemaAt(root, path);
  if (!node) return undefined;
  const text = typeof node.markdownDescription === 'string' ? node.markdownDescription : typeof node.description === 'string' ? node.description : undefined;
  if (text === undefined) return undefined;
  const name = path.length > 0 ? String(path[path.length - 1]) : 'space file';
  const hasDefault = node.default !== undefined && !/default/i.test(text);
  return `**${name}**\n\n${text}${hasDefault ? `\n\nDefault: \`${JSON.stringify(node.default)}\`` : ''}`;
}

export interface KeyCompletion {
  key: string;
  /** Markdown, as for hover. */
  documentation?: string;
  /** True when its value is a mapping (inserted on its own line). */
  isObject: boolean;
}

/** Keys the schema allows in the mapping at `path`, minus those in `existing`, in schema order. */
export function keyCompletions(root: Schema, path: readonly Segment[], existing: ReadonlySet<string> = new Set()): KeyCompletion[] {
  const node = schemaAt(root, path);
  if (!node) return [];
  const seen = new Set<string>(existing);
  const result: KeyCompletion[] = [];
  for (const b of branches(root, node)) {
    for (const key of Object.keys(asSchema(b.properties) ?? {})) {
      if (seen.has(key)) continue;
      seen.add(key);
      const valueSchema = schemaAt(root, [...path, key]);
      const isObject = valueSchema?.type === 'object' && branches(root, valueSchema).length === 1;
      result.push({ key, documentation: keyDocumentation(root, [...path, key]), isObject });
    }
  }
  return result;
}

/** Values the schema enumerates for the key at `path`: enum, const, booleans, or the enum of its list items. */
export function valueCompletions(root: Schema, path: readonly Segment[]): string[] {
  const node = schemaAt(root, path);
  if (!node) return [];
  const values: unknown[] = [];
  for (const b of branches(root, node)) {
    if (Array.isArray(b.enum)) values.push(...b.enum);
    if (b.const !== undefined) values.push(b.const);
    if (b.type === 'boolean') values.push(true, false);
    const items = asSchema(b.items);
    if (items && Array.isArray(resolveRef(root, items).enum)) values.push(...(resolveRef(root, items).enum as unknown[]));
  }
  return [...new Set(values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))))];
}
