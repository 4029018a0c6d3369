/**
 * Where things are in the YAML source: from a path of keys and indices (the shape ajv and the
 * semantic rules speak) to the source range of the key or value it names.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { SourceRange } from './diagnostic';

/** A path into the document: map keys and sequence indices. */
export type Segment = string | number;
export type Path = readonly Segment[];

/** Whether a finding is about a map key (unknown key, missing child) or the value under it. */
export type Target = 'key' | 'value';

/** JSON-pointer form of a path ('' for the document, '/spaces/RegNetX/w0/0'). */
export function toPointer(path: Path): string {
  return path.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** Inverse of toPointer (ajv's instancePath). */
export function fromPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The string a YAML key stands for in the parsed JSON value. */
export function keyString(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

type Found = { key?: Node; value?: Node };

export class YamlPositions {
  /** Every key/value of the document by JSON pointer, built in one walk (lookups stay O(1) for files with many problems). */
  private readonly index = new Map<string, Found>();

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {
    this.index.set('', { value: doc.contents ?? undefined });
    const go = (node: unknown, path: Segment[]): void => {
      if (isMap(node)) {
        for (const pair of node.items) {
          const key = keyString(pair.key);
          if (key === undefined) continue;
          const child = [...path, key];
          // Later duplicates win, as they do in the parsed value.
          this.index.set(toPointer(child), { key: pair.key as Node, value: (pair.value ?? undefined) as Node | undefined });
          go(pair.value, child);
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, i) => {
          if (isPair(item)) return;
          const child = [...path, i];
          this.index.set(toPointer(child), { value: item as Node });
          go(item, child);
        });
      }
    };
    go(doc.contents, []);
  }

  /** Zero-based range of the character offsets [start, end). */
  offsetRange(start: number, end: number): SourceRange {
    const a = this.lines.linePos(start);
    const b = this.lines.linePos(Math.max(start, end));
    return {
      start: { line: a.line - 1, character: a.col - 1 },
      end: { line: b.line - 1, character: b.col - 1 },
    };
  }

  /** Range of a node's value (without trailing comments), or undefined if it has none. */
  nodeRange(node: Node | undefined): SourceRange | undefined {
    if (!node?.range) return undefined;
    const [start, valueEnd] = node.range;
    return this.offsetRange(start, valueEnd);
  }

  /**
   * The deepest key/value pair the path reaches. A path through an alias stops at the alias:
   * the problem is reported where the alias is used, not at the anchor far away.
   */
  private find(path: Path): Found {
    for (let n = path.length; n > 0; n--) {
      const found = this.index.get(toPointer(path.slice(0, n)));
      if (found) return found;
    }
    return this.index.get('') ?? {};
  }

  /**
   * Range of the key (`target: 'key'`) or value at `path`; an empty or missing value falls back
   * to its key, a missing key to the deepest ancestor found. The document itself ('' path) with
   * target 'key' is its first key, where a missing top-level key would be added.
   */
  range(path: Path, target: Target): SourceRange {
    const found = this.find(path);
    if (path.length === 0 && target === 'key') {
      const contents = this.doc.contents;
      if (isMap(contents) && contents.items.length > 0) {
        const first = this.nodeRange(contents.items[0].key as Node);
        if (first) return first;
      }
    }
    const valueRange = this.nodeRange(found.value);
    const keyRange = this.nodeRange(found.key);
    const nonEmpty = (r: SourceRange | undefined) =>
      r && (r.start.line !== r.end.line || r.start.character !== r.end.character) ? r : undefined;
    const pick = target === 'key' ? keyRange ?? nonEmpty(valueRange) : nonEmpty(valueRange) ?? keyRange;
    return pick ?? valueRange ?? this.offsetRange(0, 0);
  }
}

/**
 * Visits every value node of the document once, with its path; aliases are visited as
 * themselves, never expanded (so a billion-laughs document costs its size, not its expansion).
 */
export function walkNodes(doc: Document, visit: (node: Node, path: Segment[]) => void): void {
  const go = (node: unknown, path: Segment[]): void => {
    if (!node || typeof node !== 'object') return;
    visit(node as Node, path);
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = keyString(pair.key);
        if (key !== undefined) go(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => go(item, [...path, i]));
    }
  };
  go(doc.contents, []);
}
