/**
 * The messages between the extension host and the Results panel (webview/panel.ts): one typed
 * union per direction, with runtime guards, because a webview message is untyped JSON on arrival.
 * Pure TypeScript: the host and the browser bundle both import it.
 */
import type { SweepAnalysis } from './sweepAnalysis';
import { SPACE_NAME_PATTERN } from '../space/types';

/** Where a sweep of the panel's file stands, as the task sees it. */
export type SweepPhase = 'idle' | 'running' | 'stopping' | 'cancelled' | 'done' | 'failed';

export interface SweepRunState {
  phase: SweepPhase;
  /** Trials with a record, of `total` (the selected spaces' trials). */
  done: number;
  total: number;
  /** Lowest final error (%) of an ok trial seen by the task so far, with its space. */
  best: { space: string; error: number } | null;
}

/** Host → panel. */
export type HostToPanelMessage =
  /** The whole analysis: the first one draws the panel, later ones update its charts in place. */
  | { type: 'analysis'; analysis: SweepAnalysis }
  | { type: 'sweepState'; state: SweepRunState }
  /** Select a trial (`space/index`) in every view. */
  | { type: 'select'; key: string }
  /** The analysis failed; the panel shows why and keeps what it drew. */
  | { type: 'error'; message: string };

/** Panel → host. */
export type PanelMessage =
  /** The panel's script runs and listens: the host sends it the current analysis and state. */
  | { type: 'ready' }
  /** The user selected a trial in some view. */
  | { type: 'select'; space: string; index: number }
  /** The user asked to open a trial's record (a double click in the table). */
  | { type: 'openTrial'; space: string; index: number }
  | { type: 'error'; message: string };

const PHASES: readonly string[] = ['idle', 'running', 'stopping', 'cancelled', 'done', 'failed'];

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
/** A trial named by a space name the schema allows (it becomes a folder of a path) and an index. */
const isTrialRef = (m: Record<string, unknown>): boolean => typeof m.space === 'string' && SPACE_NAME_PATTERN.test(m.space) && isCount(m.index);

/** Whether `x` has the shape of an analysis the panel can draw (the parts it reads first). */
export function isSweepAnalysis(x: unknown): x is SweepAnalysis {
  if (!isObject(x) || typeof x.name !== 'string' || typeof x.dir !== 'string') return false;
  if (!isObject(x.settings) || typeof x.settings.complexity !== 'string') return false;
  if (!isObject(x.progress) || !isCount(x.progress.recorded) || !isCount(x.progress.planned)) return false;
  if (!Array.isArray(x.findings) || !Array.isArray(x.spaces)) return false;
  return x.spaces.every((s) => isObject(s) && typeof s.name === 'string' && Array.isArray(s.trials) && isObject(s.edf) && isObject(s.bestRanges));
}

/** Whether `x` is a sweep state. */
export function isSweepRunState(x: unknown): x is SweepRunState {
  if (!isObject(x) || typeof x.phase !== 'string' || !PHASES.includes(x.phase) || !isCount(x.done) || !isCount(x.total)) return false;
  return x.best === null || (isObject(x.best) && typeof x.best.space === 'string' && typeof x.best.error === 'number' && Number.isFinite(x.best.error));
}

/** Whether a message that reached the panel is one the host sends. */
export function isHostToPanelMessage(x: unknown): x is HostToPanelMessage {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'analysis':
      return isSweepAnalysis(x.analysis);
    case 'sweepState':
      return isSweepRunState(x.state);
    case 'select':
      return typeof x.key === 'string' && /^.+\/\d+$/.test(x.key);
    case 'error':
      return typeof x.message === 'string';
    default:
      return false;
  }
}

/** Whether a message that reached the host is one the panel sends. */
export function isPanelMessage(x: unknown): x is PanelMessage {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'ready':
      return true;
    case 'select':
    case 'openTrial':
      return isTrialRef(x);
    case 'error':
      return typeof x.message === 'string';
    default:
      return false;
  }
}

/** The text of the panel's running header, e.g. "Running: 3 of 8 trials · best error 11.20% (A)". */
export function sweepStateText(s: SweepRunState): string {
  const best = s.best ? ` · best error ${s.best.error.toFixed(2)}% (${s.best.space})` : '';
  const counts = `${s.done} of ${s.total} trials`;
  switch (s.phase) {
    case 'running':
      return `Running: ${counts}${best}`;
    case 'stopping':
      return `Stopping: ${counts}${best}`;
    case 'cancelled':
      return `Cancelled: ${counts}${best}; run it again to resume`;
    case 'done':
      return `Done: ${counts}${best}`;
    case 'failed':
      return `Stopped with an error: ${counts}${best}`;
    case 'idle':
      return `${counts}${best}`;
  }
}

/**
 * The state with its best error taken over the analysis too: a resumed sweep's task sees only
 * the trials it trains, the analysis every trial on disk.
 */
export function withAnalysisBest(s: SweepRunState, a: SweepAnalysis | undefined): SweepRunState {
  let best = s.best;
  for (const space of a?.spaces ?? []) {
    if (space.min !== null && (best === null || space.min < best.error)) best = { space: space.name, error: space.min };
  }
  return best === s.best ? s : { ...s, best };
}
