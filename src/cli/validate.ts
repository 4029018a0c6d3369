/** `dslab validate FILE`: every problem of a space file, at its line and column. */
import { formatDiagnostic, type Diagnostic, type ResolvedSpaceFile, type SpaceFileResult } from '../core/space';
import { designSpaceSize, formatSpaceSize } from '../core/spaceSize';
import { readSpaceFileOrFail } from './spaceFile';
import { parseCommandArgs, printJson, UsageError, type Command, type Io } from './command';
import { count } from '../core/presentation/counts';

const HELP = `Usage: dslab validate FILE [--json] [--resolved]

Checks a space file: YAML syntax, the schema (unknown keys, types, allowed values, limits)
and the rules between values (ranges, strides per stage, extends chains, the dataset). Each
problem is printed on stdout as

  FILE:LINE:COL: error: message        (or warning:)

followed by a summary line, 'FILE: ok (N spaces: …)' or 'FILE: N errors'. A valid file
also gets one line per space with its size as in the paper's Table 1: the degrees of freedom
and the number of distinct models the space can draw (complexity constraints aside).

Options:
  --json       print one JSON document: {file, valid, diagnostics: [{severity, code, message,
               line, column, endLine, endColumn, path}], spaces: [names], sizes: [{space, type,
               dof, count, log10, formula}]} (one-based positions; sizes when valid)
  --resolved   also give the resolved file (all defaults and extends applied): with --json as
               "resolved"; without, as JSON on stdout, with the problems and summary on stderr

Exit status: 0 valid (warnings allowed), 1 errors in the file or the file cannot be read,
2 bad usage.

Example:
  dslab validate examples/space.regnet.yaml
`;

/** The closing line: 'FILE: ok (3 spaces: A, B, C)', 'FILE: ok, 1 warning (…)' or 'FILE: 2 errors, 1 warning'. */
export function summaryLine(file: string, result: SpaceFileResult): string {
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = result.diagnostics.length - errors;
  const warningWords = warnings > 0 ? count(warnings, 'warning') : '';
  if (errors > 0) return `${file}: ${[count(errors, 'error'), warningWords].filter(Boolean).join(', ')}`;
  const names = result.resolved?.spaces.map((s) => s.name) ?? [];
  return `${file}: ok${warnings > 0 ? `, ${warningWords}` : ''} (${count(names.length, 'space')}: ${names.join(', ')})`;
}

/** Table 1 of the paper for this file: each space's degrees of freedom and number of distinct models. */
function spaceSizes(resolved: ResolvedSpaceFile) {
  return resolved.spaces.map((space) => ({ space: space.name, type: space.type, ...designSpaceSize(space) }));
}

function sizeLines(resolved: ResolvedSpaceFile): string[] {
  const rows = spaceSizes(resolved);
  const width = Math.max(...rows.map((r) => r.space.length));
  return rows.map(
    (r) => `  ${r.space.padEnd(width)}  ${r.type.padEnd(6)}  ${String(r.dof).padStart(2)} dof  ${formatSpaceSize(r).padStart(7)} models  = ${r.formula}`,
  );
}

function jsonDiagnostic(d: Diagnostic) {
  return {
    severity: d.severity,
    code: d.code,
    message: d.message,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
    path: d.path,
  };
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a space file; each problem as FILE:LINE:COL: error: message',
  help: HELP,
  run(argv: string[], io: Io): number {
    const { values, positionals } = parseCommandArgs(argv, { resolved: { type: 'boolean' } });
    if (positionals.length === 0) throw new UsageError('missing FILE (the space file to check)');
    if (positionals.length > 1) throw new UsageError(`expected one FILE, got ${positionals.length}: ${positionals.join(' ')}`);
    const file = positionals[0];
    const result = readSpaceFileOrFail(file, { reach: true });
    const valid = result.resolved !== undefined;

    if (values.json) {
      printJson(io, {
        file,
        valid,
        diagnostics: result.diagnostics.map(jsonDiagnostic),
        spaces: result.spaceKeys.map((s) => s.name),
        ...(result.resolved ? { sizes: spaceSizes(result.resolved) } : {}),
        ...(values.resolved ? { resolved: result.resolved ?? null } : {}),
      });
      return valid ? 0 : 1;
    }

    // With --resolved, stdout carries only the JSON so that it can be piped.
    const report = values.resolved ? io.stderr : io.stdout;
    const lines = result.diagnostics.map((d) => formatDiagnostic(file, d));
    const sizes = result.resolved ? sizeLines(result.resolved) : [];
    report([...lines, summaryLine(file, result), ...sizes].join('\n') + '\n');
    if (values.resolved && result.resolved) printJson(io, result.resolved);
    return valid ? 0 : 1;
  },
};
