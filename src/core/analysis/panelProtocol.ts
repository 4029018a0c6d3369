/**
 * The messages between the extension host and the Results panel (webview/panel.ts): one typed
 * union per direction, with runtime guards, because a webview message is untyped JSON on arrival.
 * Pure TypeScript: the host and the browser bundle both import it.
 */
import type { SweepAnalysis } from './sweepAnalysis';
import { SPACE_NAME_PATTERN } from '../space/types';
import { SWEEP_PHASES, type SweepRunState } from '../presentation/runState';

export type { SweepPhase, SweepRunState } from '../presentation/runState';

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
  if (!isObject(x) || typeof x.phase !== 'string' || !(SWEEP_PHASES as readonly string[]).includes(x.phase) || !isCount(x.done) || !isCount(x.total)) return false;
  if (x.space !== undefined && (typeof x.space !== 'string' || !SPACE_NAME_PATTERN.test(x.space))) return false;
  if (x.file !== undefined && !(isObject(x.file) && isCount(x.file.done) && isCount(x.file.total))) return false;
  if (x.reason !== undefined && typeof x.reason !== 'string') return false;
  if (x.round !== undefined && !(isObject(x.round) && isCount(x.round.round) && isCount(x.round.rounds))) return false;
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
