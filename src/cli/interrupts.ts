/**
 * Ctrl-C and SIGTERM for the commands that train (`dslab sweep`, `dslab trial`): the first one
 * aborts the work cleanly (running trials get no record and release their locks), a second one
 * exits at once. The exit status then says which signal it was.
 */
import { SweepFilesystemError } from '../core/results/fsErrors';
import { SweepDirectoryError } from '../core/results/store';
import { SweepError } from '../sweep/runner';
import { UserError } from './command';

export const EXIT_INTERRUPTED = 130;
export const EXIT_TERMINATED = 143;
/** The sweep directory cannot be written (full, read-only, not a folder): the message names the path and the cause. */
export const EXIT_FILESYSTEM = 4;

export class Interrupts {
  private readonly controller = new AbortController();
  /** The first signal received, if any. */
  by: NodeJS.Signals | undefined;
  private readonly handler: (signal: NodeJS.Signals) => void;

  /** `onFirst` says what happens now (one line on stderr). */
  constructor(onFirst: (signal: NodeJS.Signals) => void) {
    this.handler = (signal) => {
      if (this.by) process.exit(EXIT_INTERRUPTED); // a second Ctrl-C: stop waiting for the workers
      this.by = signal;
      onFirst(signal);
      this.controller.abort();
    };
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }

  /** 130 after Ctrl-C, 143 after SIGTERM, undefined when not interrupted. */
  exitCode(): number | undefined {
    if (!this.by) return undefined;
    return this.by === 'SIGTERM' ? EXIT_TERMINATED : EXIT_INTERRUPTED;
  }
}

/** The user error for what the sweep machinery throws at a user (exit 4 for the filesystem); other errors as they are. */
export function sweepUserError(err: unknown): unknown {
  if (err instanceof SweepError || err instanceof SweepDirectoryError) return new UserError(err.message);
  if (err instanceof SweepFilesystemError) return new UserError(err.message, EXIT_FILESYSTEM);
  return err;
}
