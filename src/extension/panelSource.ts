/**
 * The Results panel's data, kept in its worker thread (panelWorker.ts) for as long as the panel
 * is open: the analysis of the sweep directory, the first message the panel draws from, and the
 * details of any trial the user selects later (a large sweep's first message carries few).
 */
import { loadSweep } from '../core/analysis/loadSweep';
import { analysisMessage, type HostToPanelMessage } from '../core/analysis/panelProtocol';
import { trialDetailOf, trialKey, type TrialDetail } from '../core/analysis/panelData';
import { analyzeSweep, type TrialSummary } from '../core/analysis/sweepAnalysis';

export type PanelSourceRequest =
  /** Analyze the sweep directory; `selected`: the user's selection, whose details come along. */
  | { type: 'analyze'; dir: string; selected?: string }
  | { type: 'details'; keys: string[] };

export type PanelSourceResponse = Extract<HostToPanelMessage, { type: 'analysis' | 'details' }> | { type: 'error'; message: string };

export class PanelSource {
  private trials = new Map<string, TrialSummary>();

  answer(request: PanelSourceRequest): PanelSourceResponse {
    if (request.type === 'details') return { type: 'details', details: this.details(request.keys) };
    try {
      const analysis = analyzeSweep(loadSweep(request.dir));
      this.trials = new Map(analysis.spaces.flatMap((s) => s.trials.map((t): [string, TrialSummary] => [trialKey(t), t])));
      return analysisMessage(analysis, request.selected);
    } catch (err) {
      return { type: 'error', message: (err as Error).message };
    }
  }

  /** The details of the trials of the last analysis that `keys` name (others are left out). */
  details(keys: readonly string[]): TrialDetail[] {
    return keys.flatMap((key) => {
      const t = this.trials.get(key);
      return t ? [trialDetailOf(t)] : [];
    });
  }
}
