/**
 * The space file: text (or a file) in, every problem with its exact source range out, and, when
 * there is no error, the resolved space file. Never throws for bad content; readSpaceFile throws
 * only when the file cannot be read.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { isMap, type Node } from 'yaml';
import type { Diagnostic, SourceRange } from './diagnostic';
import { warning, type Finding } from './finding';
import { SpaceFileView } from './effective';
import { estimateReach, unreachableConstraints, type Reach } from '../sampling/reach';
import { formatBound } from '../sampling/sampler';
import { groupThousands } from '../presentation/counts';
import { compactCount } from '../analysis/format';
import { CONTROL_CHARACTER, MAX_FILE_BYTES, parseYaml, positionAt } from './parse';
import { resolveSpaceFile } from './resolve';
import { ruleFindings } from './rules';
import { schemaErrors } from './schema';
import { schemaFindings } from './schemaFindings';
import type { ResolvedSpaceFile } from './types';
import { keyString, toPointer, type YamlPositions } from './yamlPositions';

export type { Diagnostic, Position, Severity, SourceRange } from './diagnostic';
export type * from './types';
export { RESTRICTIONS } from './types';
export { deriveSpaceSeed } from './seed';
export { SPACE_SCHEMA } from './schema';
export { MAX_FILE_BYTES } from './parse';

export interface SpaceFileResult {
  /** All problems, sorted by position; empty = no problem at all (warnings alone still leave the file valid). */
  diagnostics: Diagnostic[];
  /** Present iff there is no error (warnings allowed). */
  resolved?: ResolvedSpaceFile;
  /** Source range of each space's key under `spaces:` (for CodeLens/hover), in file order. */
  spaceKeys: { name: string; range: SourceRange }[];
  /** Range of the `spaces` key itself, if present. */
  spacesKey?: SourceRange;
}

export interface ParseOptions {
  /** The experiment's name when the file sets none (readSpaceFile passes the file stem). Default "space". */
  defaultName?: string;
  /**
   * Also warn about complexity constraints a space cannot reach, estimated by drawing models
   * from it (a few milliseconds per space: `dslab validate` asks for it, the editor does not).
   */
  reach?: boolean;
}

function compare(a: Diagnostic, b: Diagnostic): number {
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    a.range.end.line - b.range.end.line ||
    a.range.end.character - b.range.end.character ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

/** At most this many problems are listed (a junk file can have one per line); one more says how many were left out. */
export const MAX_DIAGNOSTICS = 1000;

/** Sorted by position, exact repeats dropped (a file-level setting can break several spaces the same way), capped. */
function tidy(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique = [...diagnostics].sort(compare).filter((d) => {
    const { start, end } = d.range;
    const key = `${start.line}:${start.character}:${end.line}:${end.character}:${d.severity}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length <= MAX_DIAGNOSTICS) return unique;
  const rest = unique.slice(MAX_DIAGNOSTICS);
  const more: Diagnostic = {
    severity: rest.some((d) => d.severity === 'error') ? 'error' : 'warning',
    code: 'too-many',
    message: `${rest.length} more problems from here on are not listed; fix the ones above first`,
    range: rest[0].range,
    path: rest[0].path,
  };
  return [...unique.slice(0, MAX_DIAGNOSTICS), more];
}

function toDiagnostic(f: Finding, positions: YamlPositions): Diagnostic {
  const d: Diagnostic = { severity: f.severity, code: f.code, message: f.message, range: positions.range(f.path, f.target), path: toPointer(f.path) };
  if (f.fix) d.fix = f.fix;
  return d;
}

function spaceKeyRanges(positions: YamlPositions | undefined, contents: unknown): Pick<SpaceFileResult, 'spaceKeys' | 'spacesKey'> {
  const result: Pick<SpaceFileResult, 'spaceKeys' | 'spacesKey'> = { spaceKeys: [] };
  if (!positions || !isMap(contents)) return result;
  const spaces = contents.items.find((p) => keyString(p.key) === 'spaces');
  if (!spaces) return result;
  result.spacesKey = positions.nodeRange(spaces.key as Node);
  if (!isMap(spaces.value)) return result;
  for (const pair of spaces.value.items) {
    const name = keyString(pair.key);
    const range = positions.nodeRange(pair.key as Node);
    if (name !== undefined && range) result.spaceKeys.push({ name, range });
  }
  return result;
}

/** Parses, validates and (when valid) resolves the text of a space file. */
export function parseSpaceText(text: string, options: ParseOptions = {}): SpaceFileResult {
  const parsed = parseYaml(text);
  const keys = spaceKeyRanges(parsed.positions, parsed.doc?.contents);
  if (parsed.value === undefined || !parsed.positions) return { diagnostics: tidy(parsed.diagnostics), ...keys };

  const positions = parsed.positions;
  const skip = new Set(parsed.nonFinite.map((f) => toPointer(f.path)));
  const findings = [...parsed.nonFinite, ...schemaFindings(parsed.value, schemaErrors(parsed.value), skip), ...ruleFindings(parsed.value)];
  const diagnostics = tidy([...parsed.diagnostics, ...findings.map((f) => toDiagnostic(f, positions))]);
  const valid = !diagnostics.some((d) => d.severity === 'error');
  const resolved = valid ? resolveSpaceFile(parsed.value, options.defaultName ?? 'space') : undefined;
  if (resolved && options.reach) {
    const reach = reachFindings(new SpaceFileView(parsed.value), resolved).map((f) => toDiagnostic(f, positions));
    return { diagnostics: tidy([...diagnostics, ...reach]), resolved, ...keys };
  }
  return { diagnostics, ...(resolved ? { resolved } : {}), ...keys };
}

/** Warnings at each constraint no drawn model of its space met (see sampling/reach.ts). */
function reachFindings(view: SpaceFileView, resolved: ResolvedSpaceFile): Finding[] {
  const out: Finding[] = [];
  for (const space of resolved.spaces) {
    let reach: Reach | null;
    try {
      reach = estimateReach(space);
    } catch {
      continue; // a space whose models cannot be built says so when sampled
    }
    if (!reach) continue;
    for (const [metric, [lo, hi], [min, max]] of unreachableConstraints(space, reach)) {
      const at = view.constraint(space.name, metric);
      if (!at) continue;
      out.push(
        warning(
          'unreachable',
          `spaces.${space.name}: ${metric} in [${formatBound(lo)}, ${formatBound(hi)}] is beyond what the space reaches (${groupThousands(reach.drawn)} models drawn: ${compactCount(min)} to ${compactCount(max)}); sampling would end at maxAttempts`,
          at.path,
        ),
      );
    }
  }
  return out;
}

function fileProblem(code: string, message: string, range: SourceRange): SpaceFileResult {
  return { diagnostics: [{ severity: 'error', code, message, range, path: '' }], spaceKeys: [] };
}

/**
 * Reads a space file and parses it (the experiment name defaults to the file stem). Binary
 * content, invalid UTF-8 and files over 1 MiB become diagnostics. Throws only for I/O errors
 * (ENOENT, EISDIR, EACCES…).
 */
export function readSpaceFile(path: string, options: Pick<ParseOptions, 'reach'> = {}): SpaceFileResult {
  const origin: SourceRange = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const bytes = readAtMost(path, MAX_FILE_BYTES + 1);
  if (bytes.length > MAX_FILE_BYTES) {
    const size = fs.statSync(path).size;
    const what = size > MAX_FILE_BYTES ? `${size} bytes` : `larger than ${MAX_FILE_BYTES} bytes`;
    return fileProblem('file-too-large', `the file is ${what}; a space file may be at most ${MAX_FILE_BYTES} bytes (1 MiB)`, origin);
  }
  const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
  const reencoded = Buffer.from(text, 'utf8');
  if (!reencoded.equals(bytes)) {
    // Valid UTF-8 round-trips; the first byte that differs starts the first invalid sequence.
    let offset = 0;
    while (offset < bytes.length && bytes[offset] === reencoded[offset]) offset++;
    const prefix = bytes.subarray(0, offset).toString('utf8');
    if (!CONTROL_CHARACTER.test(prefix)) {
      const at = positionAt(prefix, prefix.length);
      const hex = bytes[offset].toString(16).toUpperCase().padStart(2, '0');
      return fileProblem(
        'encoding',
        `the file is not valid UTF-8 (byte 0x${hex} at offset ${offset}); a space file is YAML text saved as UTF-8, not a binary file`,
        { start: at, end: { line: at.line, character: at.character + 1 } },
      );
    }
    return parseSpaceText(prefix, { defaultName: stem(path) }); // reports the earlier control character
  }
  return parseSpaceText(text.startsWith('\uFEFF') ? text.slice(1) : text, { defaultName: stem(path), ...options });
}

/** The first `limit` bytes of a file at most, so that a huge file, a device or a pipe cannot stall us. */
function readAtMost(path: string, limit: number): Buffer {
  const fd = fs.openSync(path, 'r');
  try {
    // Sized by fstat (+1 to see the end), grown by doubling for files that report no size.
    let target = Buffer.alloc(Math.min(limit, fs.fstatSync(fd).size + 1));
    let length = 0;
    for (;;) {
      if (length === target.length) {
        if (target.length >= limit) break;
        const grown = Buffer.alloc(Math.min(limit, target.length * 2));
        target.copy(grown, 0, 0, length);
        target = grown;
      }
      const n = fs.readSync(fd, target, length, target.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return target.subarray(0, length);
  } finally {
    fs.closeSync(fd);
  }
}

function stem(path: string): string {
  return nodePath.parse(path).name || 'space';
}

/** `FILE:LINE:COL: error: message`, with one-based line and column. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message}`;
}
