/** Reading a space file for a command: I/O errors become user errors, problems go to stderr. */
import { formatDiagnostic, readSpaceFile, type ResolvedSpaceFile, type SpaceFileResult } from '../core/space';
import { SpaceFileError, UserError, type Io } from './command';

const ERRNO_WORDS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a directory',
};

/** Parses FILE; a file that cannot be read at all is a UserError ("cannot read FILE: why"). */
export function readSpaceFileOrFail(file: string, options: { reach?: boolean } = {}): SpaceFileResult {
  try {
    return readSpaceFile(file, options);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UserError(`cannot read ${file}: ${(e.code && ERRNO_WORDS[e.code]) ?? e.message}`);
  }
}

/**
 * The resolved file, with its problems printed on stderr as FILE:LINE:COL lines (warnings too).
 * A file with errors throws a SpaceFileError (exit status 1) naming the first one.
 */
export function loadSpaceFile(file: string, io: Io): ResolvedSpaceFile {
  const read = readSpaceFileOrFail(file);
  for (const d of read.diagnostics) io.stderr(formatDiagnostic(file, d) + '\n');
  const first = read.diagnostics.find((d) => d.severity === 'error');
  if (first || !read.resolved) {
    throw new SpaceFileError(first ? first.message : `${file} cannot be read as a space file`, {
      file,
      ...(first ? { line: first.range.start.line + 1, column: first.range.start.character + 1 } : {}),
    });
  }
  return read.resolved;
}
