/**
 * Where a sweep stands, in one model and one wording for every place that shows it: the task's
 * terminal, the progress notification, the status bar and the Results panel's header.
 */
import type { SweepAnalysis } from '../analysis/sweepAnalysis';
import { count, groupThousands } from './counts';

/** What the states read of an analysis (the full one or the panel's). */
type Counts = Pick<SweepAnalysis, 'progress' | 'imported'> & { spaces: readonly { name: string; min: number | null }[] };

/**
 * `idle`: no task of this window runs the sweep (what is on disk); `stopping`: the user cancelled
 * and the workers are winding down; `cancelled`: stopped by the user, resumable; `failed`: ended
 * by an error (see `reason`).
 */
export type SweepPhase = 'idle' | 'running' | 'stopping' | 'cancelled' | 'done' | 'failed';

export const SWEEP_PHASES: readonly SweepPhase[] = ['idle', 'running', 'stopping', 'cancelled', 'done', 'failed'];

export interface SweepRunState {
  phase: SweepPhase;
  /** Trials with a record, of `total` (the trials this run was asked for: all, or one space's). */
  done: number;
  total: number;
  /** Lowest final error (%) of an ok trial seen so far, with its space. */
  best: { space: string; error: number } | null;
  /** The run was asked for one space only. */
  space?: string;
  /** Records and trials of the whole file, where they differ from `done`/`total`. */
  file?: { done: number; total: number };
  /** Why a failed sweep stopped, in a line. */
  reason?: string;
  /** A sequential sweep's round. */
  round?: { round: number; rounds: number };
  /** The results were trained elsewhere (`dslab import`): what is missing did not finish there, and nothing here trains it. */
  imported?: true;
}

/** What was done of what: "6 of 6 trials of RegNetX (6 of 18 in the file)". */
function counts(s: SweepRunState): string {
  const scope = s.space !== undefined ? ` of ${s.space}` : '';
  // A run of one space says what the whole file has; otherwise the run's counts are the file's.
  const file = s.space !== undefined && s.file && s.file.total !== s.total ? ` (${groupThousands(s.file.done)} of ${groupThousands(s.file.total)} in the file)` : '';
  return `${groupThousands(s.done)} of ${count(s.total, 'trial')}${scope}${file}`;
}

const bestText = (s: SweepRunState): string => (s.best ? ` · best error ${s.best.error.toFixed(2)}% (${s.best.space})` : '');

/** The panel's header and the terminal's last line, e.g. "Running: 3 of 8 trials · best error 11.20% (A)". */
export function sweepStateText(s: SweepRunState): string {
  const what = `${counts(s)}${bestText(s)}`;
  const incomplete = s.space !== undefined && s.file ? s.file.done < s.file.total : s.done < s.total;
  switch (s.phase) {
    case 'running':
      return `Running: ${what}${s.round ? ` · round ${s.round.round} of ${s.round.rounds}` : ''}`;
    case 'stopping':
      return `Stopping: ${what}; trials in training will be trained again next time`;
    case 'cancelled':
      return `Cancelled: ${what}; run it again to resume`;
    case 'done':
      return `Done: ${what}${incomplete ? '; the file has trials left to train' : ''}`;
    case 'failed':
      return `Stopped with an error: ${what}${s.reason ? `: ${s.reason}` : ''}`;
    case 'idle':
      return `${groupThousands(s.done)} of ${count(s.total, 'trial')} recorded${bestText(s)}${!incomplete ? '' : s.imported ? '; the others did not finish where they were trained' : '; Sample & Train trains the rest'}`;
  }
}

/** The status bar's short form: "dslab 3/12 · best 11.2%", with the phase once the run has ended. */
export function statusBarText(s: SweepRunState): string {
  const round = s.round && s.phase === 'running' ? ` · round ${s.round.round}/${s.round.rounds}` : '';
  const best = s.best ? ` · best ${s.best.error.toFixed(1)}%` : '';
  const phase = s.phase === 'running' || s.phase === 'idle' ? '' : ` ${s.phase}`;
  return `dslab${phase} ${s.done}/${s.total}${round}${best}`;
}

/** The status bar's icon for a phase (a codicon name). */
export function statusBarIcon(phase: SweepPhase): string {
  switch (phase) {
    case 'running':
    case 'stopping':
      return 'sync~spin';
    case 'done':
      return 'pass';
    case 'cancelled':
      return 'debug-stop';
    case 'failed':
      return 'error';
    case 'idle':
      return 'beaker';
  }
}

/**
 * The state with what the analysis knows added: the best error over every trial on disk (a
 * resumed run's task sees only the trials it trains) and the whole file's counts.
 */
export function withAnalysis(s: SweepRunState, a: Counts | undefined): SweepRunState {
  if (a === undefined) return s;
  let best = s.best;
  for (const space of a.spaces) {
    if (space.min !== null && (best === null || space.min < best.error)) best = { space: space.name, error: space.min };
  }
  return { ...s, best, file: { done: a.progress.recorded, total: a.progress.planned } };
}

/** The state of a sweep no task of this window runs: what its analysis says is on disk. */
export function idleState(a: Counts): SweepRunState {
  return withAnalysis({ phase: 'idle', done: a.progress.recorded, total: a.progress.planned, best: null, ...(a.imported ? { imported: true as const } : {}) }, a);
}
