/**
 * Space file text → one YAML document, its JSON value and the problems at the YAML level
 * (syntax, duplicate keys, several documents, alias bombs, binary junk, non-finite numbers).
 * Never throws: whatever the text, the answer is a value or diagnostics.
 */
import { isMap, isScalar, LineCounter, parseDocument, visit, type Alias, type Document, type Node } from 'yaml';
import type { Diagnostic, Position, SourceRange } from './diagnostic';
import { error, type Finding } from './finding';
import { dotted } from './wording';
import { keyString, toPointer, walkNodes, YamlPositions } from './yamlPositions';

/** Larger files are refused without parsing: a space file is a page of settings. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** Alias expansions allowed when building the value (yaml's maxAliasCount); more is a bomb. */
export const MAX_ALIAS_COUNT = 100;

export interface ParsedYaml {
  diagnostics: Diagnostic[];
  /** The document, whenever the text got as far as being parsed (even with syntax errors). */
  doc?: Document;
  positions?: YamlPositions;
  /** The JSON value, present only when the document is sound enough to validate. */
  value?: unknown;
  /** Non-finite numbers (.inf, 1e400, .nan), reported here; schema errors at their paths are noise. */
  nonFinite: Finding[];
}

/** Zero-based position of a character offset, counting lines as LF-terminated. */
export function positionAt(text: string, offset: number): Position {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}

function rangeAt(text: string, start: number, end: number): SourceRange {
  return { start: positionAt(text, start), end: positionAt(text, end) };
}

function diagnostic(code: string, message: string, range: SourceRange, path = '', severity: Diagnostic['severity'] = 'error'): Diagnostic {
  return { severity, code, message, range, path };
}

/** YAML forbids C0 controls other than tab/LF/CR, and DEL; a NUL means a binary file. */
export const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Nesting beyond these is refused before yaml sees it: yaml's parser is recursive and slows
 * down superlinearly with depth (seconds, even a crash, for a 1 MiB `[[[[…`), while a space
 * file nests five levels deep.
 */
export const MAX_NESTING = 64;
export const MAX_INDENT = 256;

/**
 * Offset and reason of the first place nested too deep: open flow brackets, indentation, or
 * compact `- - - …` sequences on one line. Quoted scalars and comments are skipped.
 */
export function excessiveNesting(text: string): { offset: number; reason: string } | undefined {
  let flow = 0;
  let quote: '"' | "'" | undefined;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (lineStart) {
      lineStart = false;
      let j = i;
      while (text[j] === ' ') j++;
      if (j - i > MAX_INDENT && text[j] !== '#' && text[j] !== '\n' && text[j] !== '\r' && j < text.length) {
        return { offset: j, reason: `indentation of ${j - i} columns (at most ${MAX_INDENT})` };
      }
      let dashes = 0;
      for (let k = j; (text[k] === '-' || text[k] === '?') && (text[k + 1] === ' ' || text[k + 1] === '\t'); k += 2) {
        while (text[k + 2] === ' ') k++;
        if (++dashes > MAX_NESTING) return { offset: k, reason: `more than ${MAX_NESTING} nested '- ' entries on one line` };
      }
    }
    if (c === '\n') {
      lineStart = true;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const end = text.indexOf('\n', i);
      if (end < 0) break;
      i = end - 1;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:']/.test(text[i - 1]))) {
      quote = c;
    } else if (c === '[' || c === '{') {
      if (++flow > MAX_NESTING) return { offset: i, reason: `more than ${MAX_NESTING} nested brackets` };
    } else if ((c === ']' || c === '}') && flow > 0) {
      flow--;
    }
  }
  return undefined;
}

/** The message of a yaml error without its "at line L, column C:" and source excerpt. */
function yamlMessage(message: string): string {
  const head = /^([\s\S]*?) at line \d+, column \d+/.exec(message)?.[1] ?? message.split('\n')[0];
  const trimmed = head.trim().replace(/\.$/, '');
  return trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
}

type DuplicateKey = { message: string; range: SourceRange; path: string };

/** Every repeated key of every map: names the key, where it is, and where it was first defined. */
function duplicateKeys(doc: Document, positions: YamlPositions): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  walkNodes(doc, (node, path) => {
    if (!isMap(node)) return;
    const first = new Map<string, Node>();
    for (const pair of node.items) {
      const name = keyString(pair.key);
      const key = pair.key as Node;
      if (name === undefined || !key?.range) continue;
      const earlier = first.get(name);
      if (!earlier) {
        first.set(name, key);
        continue;
      }
      const where = path.length === 0 ? 'at the top level' : `in ${dotted(path)}`;
      const firstLine = positions.nodeRange(earlier)?.start.line;
      found.push({
        message: `duplicate key '${name}' ${where}` + (firstLine !== undefined ? ` (first defined on line ${firstLine + 1})` : ''),
        range: positions.nodeRange(key)!,
        path: toPointer([...path, name]),
      });
    }
  });
  return found;
}

function firstAlias(doc: Document, name?: string): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias(_, node) {
      if (name === undefined || node.source === name) {
        found = node;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** Parses the text as one YAML document; see ParsedYaml. */
export function parseYaml(text: string): ParsedYaml {
  const none = (d: Diagnostic): ParsedYaml => ({ diagnostics: [d], nonFinite: [] });
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_FILE_BYTES) {
    return none(diagnostic('file-too-large', `the file is ${bytes} bytes; a space file may be at most ${MAX_FILE_BYTES} bytes (1 MiB)`, rangeAt(text, 0, 0)));
  }
  const control = CONTROL_CHARACTER.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0);
    const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    const message =
      code === 0
        ? `NUL character (${name}): this looks like a binary file, not YAML text`
        : `control character ${name} is not allowed in YAML text (is this a binary file?)`;
    return none(diagnostic('binary', message, rangeAt(text, control.index, control.index + 1)));
  }

  const deep = excessiveNesting(text);
  if (deep) {
    return none(diagnostic('too-deep', `nested too deeply: ${deep.reason}; a space file needs only a few levels`, rangeAt(text, deep.offset, deep.offset + 1)));
  }

  const lines = new LineCounter();
  // yaml's own duplicate-key check is quadratic in the size of a map; ours (below) is linear.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false, keepSourceTokens: false });
  const positions = new YamlPositions(doc, lines);
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) {
    const [start, end] = e.pos;
    if (e.code === 'MULTIPLE_DOCS') {
      const range = positions.offsetRange(start, Math.min(end, start + 3));
      diagnostics.push(diagnostic('multi-document', 'a space file holds one YAML document; a second one starts here', range));
    } else {
      diagnostics.push(diagnostic('yaml-syntax', yamlMessage(e.message), positions.offsetRange(start, end)));
    }
  }
  for (const w of doc.warnings) {
    diagnostics.push(diagnostic('yaml-warning', yamlMessage(w.message), positions.offsetRange(w.pos[0], w.pos[1]), '', 'warning'));
  }
  // A duplicate key leaves the document usable (the last value wins), so everything else is checked too.
  for (const dup of duplicateKeys(doc, positions)) diagnostics.push(diagnostic('duplicate-key', dup.message, dup.range, dup.path));
  // After a syntax error the value is yaml's best guess; checking it would mostly report that guess.
  if (doc.errors.length > 0) return { diagnostics, doc, positions, nonFinite: [] };

  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && !doc.contents.source)) {
    diagnostics.push(
      diagnostic('empty', "the file is empty; a space file needs at least 'version: 1' and 'spaces'", rangeAt(text, 0, 0)),
    );
    return { diagnostics, doc, positions, nonFinite: [] };
  }

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    const unresolved = /^Unresolved alias[^:]*: (.*)$/.exec(message);
    const alias = firstAlias(doc, unresolved?.[1]);
    const range = positions.nodeRange(alias) ?? rangeAt(text, 0, 0);
    if (/alias count/i.test(message)) {
      diagnostics.push(
        diagnostic(
          'alias-limit',
          `aliases expand beyond a sane size (more than ${MAX_ALIAS_COUNT} alias expansions); write the values out instead`,
          range,
        ),
      );
    } else if (unresolved) {
      diagnostics.push(diagnostic('yaml-syntax', `unknown alias *${unresolved[1]}: its anchor &${unresolved[1]} must come before it`, range));
    } else {
      diagnostics.push(diagnostic('yaml-syntax', yamlMessage(message), range));
    }
    return { diagnostics, doc, positions, nonFinite: [] };
  }

  const nonFinite: Finding[] = [];
  walkNodes(doc, (node, path) => {
    if (!isScalar(node) || typeof node.value !== 'number' || Number.isFinite(node.value)) return;
    const written = node.range ? text.slice(node.range[0], node.range[1]) : String(node.value);
    const what = Number.isNaN(node.value) ? 'is not a number' : 'is not a finite number';
    nonFinite.push(error('non-finite', `${dotted(path)} is ${written}, which ${what}`, path));
  });
  return { diagnostics, doc, positions, value, nonFinite };
}
