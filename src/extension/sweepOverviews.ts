/**
 * The sweeps' one-line overviews for the status bar and the Sweeps view, read from disk only when
 * a sweep changed: its manifest, or a space's folder of records (adding a record, which is an
 * atomic rename, changes the folder's mtime). Both ask on every editor switch and sweep event,
 * and a sweep may hold thousands of records.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSweep } from '../core/analysis/loadSweep';
import { manifestPath, TRIALS_DIR } from '../core/results/layout';
import { sweepOverview, type SweepOverview } from '../core/results/overview';

export type OverviewRead = { overview: SweepOverview } | { problem: string };

/** What changes when the sweep does: the mtimes of its manifest and of its spaces' record folders. */
export function sweepStamp(dir: string): string {
  const times = [fs.statSync(manifestPath(dir)).mtimeMs];
  const trials = path.join(dir, TRIALS_DIR);
  for (const space of fs.existsSync(trials) ? fs.readdirSync(trials).sort() : []) times.push(fs.statSync(path.join(trials, space)).mtimeMs);
  return times.join(',');
}

export class SweepOverviews {
  private readonly cache = new Map<string, { stamp: string; read: OverviewRead }>();

  /** The overview of the sweep in `dir`, or why it cannot be read. */
  read(dir: string): OverviewRead {
    let now: string;
    try {
      now = sweepStamp(dir);
    } catch (err) {
      this.cache.delete(dir);
      return { problem: (err as Error).message };
    }
    const cached = this.cache.get(dir);
    if (cached?.stamp === now) return cached.read;
    let read: OverviewRead;
    try {
      read = { overview: sweepOverview(loadSweep(dir)) };
    } catch (err) {
      read = { problem: (err as Error).message };
    }
    this.cache.set(dir, { stamp: now, read });
    return read;
  }
}
