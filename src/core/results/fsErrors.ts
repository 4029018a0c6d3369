/**
 * Failures of the filesystem under a sweep directory (a full disk, a read-only mount, a file
 * where a folder should be), told as one line naming the path and the cause, instead of a stack
 * trace. The sweep's results already on disk stay; see the runner for those still in memory.
 */

/** The errno codes that are the filesystem's doing, in words. */
const CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  EMFILE: 'too many open files in this process',
  ENFILE: 'too many open files on the system',
  EIO: 'input/output error',
  ENAMETOOLONG: 'the name is too long',
  EEXIST: 'it already exists',
};

/** A filesystem failure of the sweep, with the path and the cause in its message. */
export class SweepFilesystemError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'SweepFilesystemError';
  }
}

/** Whether `err` is a filesystem failure this module can tell (an errno code it knows). */
export function isFilesystemError(err: unknown): err is NodeJS.ErrnoException & { code: string } {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code in CAUSES;
}

/** "trials/A/0003.json: no space left on the device (ENOSPC)"; `path` when the error names none (a failed write). */
export function describeFilesystemError(err: NodeJS.ErrnoException & { code: string }, path?: string): string {
  // A rename names its source (a temp file) in `path` and the file it was to become in `dest`.
  const where = (err as { dest?: string }).dest ?? err.path ?? path;
  return `${where ? `${where}: ` : ''}${CAUSES[err.code]} (${err.code})`;
}

/** The SweepFilesystemError for `err`, or `err` itself when it is not a filesystem failure. */
export function asFilesystemError(err: unknown, path?: string, doing?: string): unknown {
  if (err instanceof SweepFilesystemError || !isFilesystemError(err)) return err;
  return new SweepFilesystemError(`${doing ? `${doing}: ` : ''}${describeFilesystemError(err, path)}`, err.code);
}
