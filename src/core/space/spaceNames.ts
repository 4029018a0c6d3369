/**
 * Where a space file names its spaces: each space's key under `spaces:` (its definition), and
 * the places that refer to one (`extends:` values, `sampling.samples.pairs` entries). The
 * editor's go to definition, find references, rename, outline and completion of space names
 * are all answered from this list.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { SourceRange } from './diagnostic';
import { parseYaml } from './parse';
import { keyString } from './yamlPositions';

export interface SpaceNameOccurrence {
  name: string;
  range: SourceRange;
  kind: 'definition' | 'extends' | 'pair';
}

/** Every occurrence of a space name in the text, in document order; empty when the text is not YAML enough to tell. */
export function spaceNameOccurrences(text: string): SpaceNameOccurrence[] {
  const { doc, positions } = parseYaml(text);
  if (!doc || !positions || !isMap(doc.contents)) return [];
  const out: SpaceNameOccurrence[] = [];
  const add = (node: unknown, kind: SpaceNameOccurrence['kind']): void => {
    if (!isScalar(node) || typeof node.value !== 'string') return;
    const range = positions.nodeRange(node as Node);
    if (range) out.push({ name: node.value, range, kind });
  };
  for (const top of doc.contents.items) {
    const section = keyString(top.key);
    if (section === 'spaces' && isMap(top.value)) {
      for (const space of top.value.items) {
        add(space.key, 'definition');
        if (isMap(space.value)) for (const item of space.value.items) if (keyString(item.key) === 'extends') add(item.value, 'extends');
      }
    }
    if (section === 'sampling' && isMap(top.value)) {
      const samples = top.value.items.find((p) => keyString(p.key) === 'samples')?.value;
      const pairs = isMap(samples) ? samples.items.find((p) => keyString(p.key) === 'pairs')?.value : undefined;
      if (isSeq(pairs)) for (const pair of pairs.items) if (isSeq(pair)) for (const name of pair.items) add(name, 'pair');
    }
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

const inside = (r: SourceRange, line: number, character: number): boolean =>
  (line > r.start.line || (line === r.start.line && character >= r.start.character)) && (line < r.end.line || (line === r.end.line && character <= r.end.character));

/** The occurrence under a position (zero-based), if any. */
export function spaceNameAt(occurrences: readonly SpaceNameOccurrence[], line: number, character: number): SpaceNameOccurrence | undefined {
  return occurrences.find((o) => inside(o.range, line, character));
}

/** What a valid new space name looks like (the schema's propertyNames). */
export { SPACE_NAME_PATTERN } from './types';
