/**
 * What every `dslab` subcommand is: a name, its help text and a run function.
 * Exit codes are the CLI contract: 0 success, 1 a user error (bad file, bad model, nothing
 * satisfies a constraint), 2 bad usage (unknown flag, missing argument).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is a terminal (progress bars are drawn only then). */
  interactive: boolean;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text. */
  help: string;
  run(argv: string[], io: Io): Promise<number> | number;
}

/** Bad usage: exit 2, message plus a pointer to --help. */
export class UsageError extends Error {}

/** A user error (bad input file, invalid model…): exit 1 (or `exitCode`) with the message. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Where an error is, for `--json`'s error document. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
}

/**
 * A space file with errors: they are already on stderr as FILE:LINE:COL lines, so nothing more
 * is printed there; `--json` gets the first one, located.
 */
export class SpaceFileError extends UserError {
  constructor(
    message: string,
    readonly location: ErrorLocation,
  ) {
    super(message);
  }
}

/** `--json`'s document when a command fails: `{ "error": { "message", "file"?, "line"?, "column"? } }`. */
export function errorDocument(message: string, location: ErrorLocation = {}): { error: { message: string } & ErrorLocation } {
  return { error: { message, ...location } };
}

export const EXIT_OK = 0;
export const EXIT_USER_ERROR = 1;
export const EXIT_USAGE = 2;

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * node:util parseArgs with our conventions: `--json` and `--help` always known, unknown flags
 * and missing values become a UsageError.
 */
export function parseCommandArgs<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** Parses an integer flag value, or throws a UsageError naming the flag. */
export function intFlag(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`--${name} expects an integer, got '${value}'`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

/**
 * The `FORMAT FILE` positionals of `dslab export` and `dslab import`: a format among `formats`
 * (`verb`: "exports", "imports") and exactly one file (`fileWanted` says what file, for the message).
 */
export function formatAndFile<F extends string>(positionals: readonly string[], formats: readonly F[], verb: string, fileWanted: string): { format: F; file: string } {
  const [format, file, ...extra] = positionals;
  if (format === undefined) throw new UsageError(`missing the format (${formats.join(', ')})`);
  if (!(formats as readonly string[]).includes(format)) throw new UsageError(`unknown format '${format}'; dslab ${verb} ${formats.join(', ')}`);
  if (file === undefined) throw new UsageError(`missing ${fileWanted}`);
  if (extra.length > 0) throw new UsageError(`expected one file, got ${extra.length + 1}: ${[file, ...extra].join(' ')}`);
  return { format: format as F, file };
}

/** Exactly one JSON document on stdout. */
export function printJson(io: Io, value: unknown): void {
  io.stdout(JSON.stringify(value, null, 2) + '\n');
}
