/**
 * The sweep task's reading of the `dslab sweep` child: its output streams cut into lines, which
 * stderr lines a user should see, and text made fit for a pseudoterminal. The events' words are
 * core/presentation/sweepText.ts, as for the CLI.
 */
import type { SweepEvent } from '../core/analysis/sweepEvents';
import type { SweepProgress } from '../core/presentation/sweepText';
import { escapeControlChars } from '../core/terminalText';

/** Splits a byte stream into complete lines, keeping a partial last line for the next chunk. */
export class LineBuffer {
  private rest = '';

  push(chunk: string): string[] {
    const lines = (this.rest + chunk).split(/\r?\n/);
    this.rest = lines.pop() ?? '';
    return lines.filter((l) => l !== '');
  }

  /** What is left when the stream ends. */
  flush(): string[] {
    const last = this.rest;
    this.rest = '';
    return last === '' ? [] : [last];
  }
}

/** Applies an event and returns the task terminal's lines for it: a finished trial's says how far the sweep is (there is no progress bar). */
export function terminalLines(progress: SweepProgress, event: SweepEvent): string[] {
  const lines = progress.apply(event);
  return event.type === 'trialFinished' ? lines.map((l) => `${l}  [${progress.done}/${progress.total}]`) : lines;
}

/** A line for a pseudoterminal: control characters from user files escaped, every line break as CRLF, ending with one. */
export function terminalText(text: string): string {
  return escapeControlChars(text).replace(/\r?\n/g, '\r\n') + '\r\n';
}

/**
 * Whether a line of the CLI's stderr is worth showing beside the events: a diagnostic of the
 * space file (`FILE:LINE:COL: error: …`) or the CLI's own message (`dslab sweep: …`, `dslab: …`),
 * not one of the progress lines that repeat the events.
 */
export function isMessageForUser(line: string): boolean {
  // `dslab sweep: warning: …` repeats a warning event, which the task prints already.
  if (/^dslab sweep: warning: /.test(line)) return false;
  return /^dslab( \w+)?: /.test(line) || /:\d+:\d+: (error|warning): /.test(line);
}
