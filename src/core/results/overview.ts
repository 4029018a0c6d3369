/**
 * A sweep directory in a line: what the status bar and the Sweeps view show of a sweep that no
 * task of this window runs.
 */
import type { SweepSnapshot } from '../analysis/loadSweep';
import type { SweepRunState } from '../presentation/runState';
import type { ImportFormat } from './records';

export interface SweepOverview {
  dir: string;
  /** The manifest's name of the space file's sweep. */
  name: string;
  /** The space file as the sweep was started with it (for an import, the file it was imported from). */
  file: string;
  /** An import's source format (`dslab import`): the sweep has no space file. */
  imported?: ImportFormat;
  createdAt: string;
  planned: number;
  recorded: number;
  failed: number;
  diverged: number;
  best: { space: string; error: number } | null;
}

export function sweepOverview(s: SweepSnapshot): SweepOverview {
  let failed = 0;
  let diverged = 0;
  let best: SweepOverview['best'] = null;
  for (const r of s.records) {
    if (r.status === 'failed') failed++;
    else if (r.status === 'diverged') diverged++;
    else if (r.error !== null && (best === null || r.error < best.error)) best = { space: r.space, error: r.error };
  }
  return {
    dir: s.dir,
    name: s.manifest.resolved.name,
    file: s.manifest.file,
    ...(s.manifest.imported ? { imported: s.manifest.imported.format } : {}),
    createdAt: s.manifest.createdAt,
    planned: s.manifest.models.length,
    recorded: s.records.length,
    failed,
    diverged,
    best,
  };
}

/** The state of a sweep on disk, as a status display shows it. */
export function overviewState(o: SweepOverview): SweepRunState {
  return { phase: 'idle', done: o.recorded, total: o.planned, best: o.best, ...(o.imported ? { imported: true as const } : {}) };
}
