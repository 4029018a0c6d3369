/**
 * The spaces' summary table (n, failures, error statistics, EDF areas, size), as text cells: one
 * definition for `dslab analyze`'s terminal table, the HTML report and the Results panel.
 */
import { formatSpaceSize } from '../spaceSize';
import { fixed } from './format';
import type { SpaceAnalysis } from './sweepAnalysis';

/** Column heads (* normalized). */
export const SUMMARY_COLUMNS = ['space', 'type', 'n', 'failed', 'diverged', 'missing', 'min', 'mean', 'median', 'area', 'median*', 'area*', 'size'];

/** A space's cells, in column order. */
export function summaryCells(s: SpaceAnalysis): string[] {
  return [
    s.name,
    s.type,
    String(s.n),
    String(s.failed),
    String(s.diverged),
    String(s.missing),
    fixed(s.min),
    fixed(s.mean),
    fixed(s.median),
    fixed(s.area, 3),
    fixed(s.normalized?.median),
    fixed(s.normalized?.area ?? null, 3),
    s.size === null ? '–' : formatSpaceSize(s.size),
  ];
}
