/**
 * The messages between the extension host and the Results panel (webview/panel.ts): one typed
 * union per direction, with runtime guards, because a webview message is untyped JSON on arrival.
 * Pure TypeScript: the host and the browser bundle both import it.
 */
import type { SweepAnalysis, TrialSummary } from './analysisData';
import { detailKeysUpFront, panelAnalysisOf, trialDetailOf, trialKey, type TrialDetail } from './panelData';
import { defaultSelection } from './panelState';
import { isTrialColumns, packPanelAnalysis, type PackedPanelAnalysis } from './trialColumns';
import { SPACE_NAME_PATTERN } from '../space/types';
import { SWEEP_PHASES, type SweepRunState } from '../presentation/runState';

export type { SweepPhase, SweepRunState } from '../presentation/runState';

/** Host → panel. */
export type HostToPanelMessage =
  /**
   * The analysis as the panel draws it (panelData.ts), its trials as columns, with the details
   * of the trials it shows first: the first one draws the panel, later ones update it in place.
   */
  | { type: 'analysis'; analysis: PackedPanelAnalysis; details: TrialDetail[] }
  /** Details of trials the panel asked for. */
  | { type: 'details'; details: TrialDetail[] }
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
  /** The panel needs the details of these trials (`space/index`) to draw them. */
  | { type: 'details'; keys: string[] }
  /** The user asked to open a trial's record (a double click in the table). */
  | { type: 'openTrial'; space: string; index: number }
  | { type: 'error'; message: string };

/**
 * The analysis message for `analysis`: its panel form with the details of the trials the panel
 * draws first — all of a small sweep's; of a large one the ends of the training curves, the
 * trial selected by default and `selected` (the user's choice, if the host knows it).
 */
export function analysisMessage(analysis: SweepAnalysis, selected?: string): Extract<HostToPanelMessage, { type: 'analysis' }> {
  const panel = panelAnalysisOf(analysis);
  const rows = panel.spaces.flatMap((s) => s.trials);
  const wanted = new Set(detailKeysUpFront(rows, [defaultSelection(panel), selected]));
  const details = analysis.spaces.flatMap((s) => s.trials.filter((t: TrialSummary) => wanted.has(trialKey(t))).map(trialDetailOf));
  return { type: 'analysis', analysis: packPanelAnalysis(panel), details };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
/** A trial named by a space name the schema allows (it becomes a folder of a path) and an index. */
const isTrialRef = (m: Record<string, unknown>): boolean => typeof m.space === 'string' && SPACE_NAME_PATTERN.test(m.space) && isCount(m.index);

/** Most trials one details request names (the panel asks for what it draws: a handful). */
export const MAX_DETAIL_KEYS = 64;

/** Whether `key` names a trial (`space/index`) by a space name the schema allows. */
export function isTrialKey(key: unknown): key is string {
  if (typeof key !== 'string') return false;
  const at = key.lastIndexOf('/');
  return at > 0 && SPACE_NAME_PATTERN.test(key.slice(0, at)) && /^\d+$/.test(key.slice(at + 1));
}

/** Whether `x` has the shape of an analysis the panel can draw (the parts it reads first). */
export function isPackedPanelAnalysis(x: unknown): x is PackedPanelAnalysis {
  if (!isObject(x) || typeof x.name !== 'string' || typeof x.dir !== 'string') return false;
  if (!isObject(x.settings) || typeof x.settings.complexity !== 'string') return false;
  if (!isObject(x.progress) || !isCount(x.progress.recorded) || !isCount(x.progress.planned)) return false;
  if (!Array.isArray(x.findings) || !Array.isArray(x.spaces)) return false;
  return x.spaces.every((s) => isObject(s) && typeof s.name === 'string' && isTrialColumns(s.trials) && isObject(s.edf) && isObject(s.bestRanges));
}

/** Whether `x` has the shape of a trial's details. */
export function isTrialDetail(x: unknown): x is TrialDetail {
  if (!isObject(x) || !isTrialRef(x)) return false;
  return Array.isArray(x.blockWidths) && Array.isArray(x.stageStarts) && Array.isArray(x.epochs) && (x.line === null || isObject(x.line)) && (x.lossCurve === undefined || Array.isArray(x.lossCurve));
}

const areDetails = (x: unknown): boolean => Array.isArray(x) && x.every(isTrialDetail);

/** Whether `x` is a sweep state. */
export function isSweepRunState(x: unknown): x is SweepRunState {
  if (!isObject(x) || typeof x.phase !== 'string' || !(SWEEP_PHASES as readonly string[]).includes(x.phase) || !isCount(x.done) || !isCount(x.total)) return false;
  if (x.space !== undefined && (typeof x.space !== 'string' || !SPACE_NAME_PATTERN.test(x.space))) return false;
  if (x.file !== undefined && !(isObject(x.file) && isCount(x.file.done) && isCount(x.file.total))) return false;
  if (x.reason !== undefined && typeof x.reason !== 'string') return false;
  if (x.round !== undefined && !(isObject(x.round) && isCount(x.round.round) && isCount(x.round.rounds))) return false;
  if (x.imported !== undefined && x.imported !== true) return false;
  return x.best === null || (isObject(x.best) && typeof x.best.space === 'string' && typeof x.best.error === 'number' && Number.isFinite(x.best.error));
}

/** Whether a message that reached the panel is one the host sends. */
export function isHostToPanelMessage(x: unknown): x is HostToPanelMessage {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'analysis':
      return isPackedPanelAnalysis(x.analysis) && areDetails(x.details);
    case 'details':
      return areDetails(x.details);
    case 'sweepState':
      return isSweepRunState(x.state);
    case 'select':
      return isTrialKey(x.key);
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
    case 'details':
      return Array.isArray(x.keys) && x.keys.length <= MAX_DETAIL_KEYS && x.keys.every(isTrialKey);
    case 'error':
      return typeof x.message === 'string';
    default:
      return false;
  }
}
