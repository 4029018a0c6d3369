/**
 * A one-line status (a progress bar) on stderr, redrawn in place with '\r'. Drawn only on a
 * terminal, at most every 100 ms and only after `delayMs`, so quick runs and pipes stay clean.
 */
import type { Io } from './command';

export class StatusLine {
  private readonly started = Date.now();
  private lastDrawn = 0;
  private length = 0;

  constructor(
    private readonly io: Io,
    private readonly delayMs = 0,
    private readonly everyMs = 100,
  ) {}

  /** Whether a draw now would show: on a terminal, past the delay and the redraw interval. */
  due(): boolean {
    if (!this.io.interactive) return false;
    const now = Date.now();
    return now - this.started >= this.delayMs && now - this.lastDrawn >= this.everyMs;
  }

  /** Replaces the line (padding over a longer previous one). */
  draw(line: string): void {
    if (!this.io.interactive) return;
    this.lastDrawn = Date.now();
    this.io.stderr(`\r${line.padEnd(this.length)}`);
    this.length = Math.max(this.length, line.length);
  }

  /** Erases the line, if one was drawn, so that what follows starts on a clean line; the next draw is not throttled. */
  clear(): void {
    this.lastDrawn = 0;
    if (this.length === 0) return;
    this.io.stderr(`\r${' '.repeat(this.length)}\r`);
    this.length = 0;
  }
}

/** `[####----]` of the given width for a fraction in [0, 1]. */
export function bar(fraction: number, width = 24): string {
  const filled = Math.max(0, Math.min(width, Math.floor(fraction * width)));
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}
