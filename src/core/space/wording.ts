/** How problems name places and values: `spaces.RegNetX.w0[0]`, "got the string 'abc'". */
import type { Path } from './yamlPositions';

/** A path as a user reads it: keys joined by dots, list indices in brackets. */
export function dotted(path: Path): string {
  let out = '';
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out === '' ? 'the top level' : out;
}

function quote(s: string): string {
  const short = s.length > 40 ? s.slice(0, 37) + '…' : s;
  return `'${short.replace(/[\u0000-\u001f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}

/** A value in a message: numbers and strings as written, collections by kind. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : `${value} (not a finite number)`;
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  return 'a map';
}

/** A literal in a message: strings quoted, numbers plain. */
export function literal(value: unknown): string {
  return typeof value === 'string' ? quote(value) : String(value);
}

/** "a, b or c". */
export function oneOf(items: readonly string[], conjunction = 'or'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}
