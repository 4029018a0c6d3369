/**
 * The spaces' summary table (n, failures, error statistics, EDF areas, size), as text cells: one
 * definition for `dslab analyze`'s terminal table, the HTML report and the Results panel.
 */
import { groupThousands } from '../presentation/counts';
import { formatSpaceSize } from '../spaceSize';
import { fixed } from './format';
import type { PanelSpace } from './panelData';

/** Column heads (* normalized). */
export const SUMMARY_COLUMNS = ['space', 'type', 'n', 'failed', 'diverged', 'missing', 'min', 'mean', 'median', 'area', 'median*', 'area*', 'size'];

/** A space's cells, in column order (of the analysis or of the panel's form of it). */
export function summaryCells(s: Omit<PanelSpace, 'trials'>): string[] {
  return [
    s.name,
    s.type,
    groupThousands(s.n),
    groupThousands(s.failed),
    groupThousands(s.diverged),
    groupThousands(s.missing),
    fixed(s.min),
    fixed(s.mean),
    fixed(s.median),
    fixed(s.area, 3),
    fixed(s.normalized?.median),
    fixed(s.normalized?.area ?? null, 3),
    s.size === null ? '–' : formatSpaceSize(s.size),
  ];
}
