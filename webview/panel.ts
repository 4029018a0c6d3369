/**
 * The Results panel's script: a webview app that receives the analysis of a sweep from the
 * extension host (src/extension/resultsPanel.ts) through the typed messages of
 * src/core/analysis/panelProtocol.ts, draws it with the report's views and updates them in
 * place as trials finish. The analysis comes in the panel's form (its trials as columns, the
 * details of the trials drawn first); the details of other trials are asked for when a view
 * shows them. Its choices (selected trial, property, normalized EDFs, scroll) are
 * saved with the webview's state, so they survive hiding the panel and reloading the window.
 */
import { isHostToPanelMessage, type PanelMessage, type SweepRunState } from '../src/core/analysis/panelProtocol';
import { idleState, withAnalysis } from '../src/core/presentation/runState';
import type { PanelAnalysis } from '../src/core/analysis/panelData';
import { unpackPanelAnalysis } from '../src/core/analysis/trialColumns';
import { blankViewState, restoreViewState, type ViewState } from '../src/core/analysis/panelState';
import { ReportView } from './reportView';
import { showError, showSummary, showSweepState } from './summary';
import { observeTheme } from './theme';

interface VsCodeApi {
  postMessage(message: PanelMessage): void;
  getState(): unknown;
  setState(state: ViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

function main(): void {
  const vscode = acquireVsCodeApi();
  const file = document.body.dataset.file;
  const saved = restoreViewState(vscode.getState());
  const initial: ViewState = { ...(saved ?? blankViewState()), ...(file !== undefined ? { file } : {}) };
  vscode.setState(initial);
  const view = new ReportView(
    {
      onSelect: (t) => vscode.postMessage({ type: 'select', space: t.space, index: t.index }),
      onOpen: (t) => vscode.postMessage({ type: 'openTrial', space: t.space, index: t.index }),
      onState: (s) => vscode.setState(s),
      onNeedDetails: (keys) => vscode.postMessage({ type: 'details', keys }),
    },
    initial,
  );
  (window as unknown as { dslabReport: ReportView }).dslabReport = view;
  let drawn = false;
  let analysis: PanelAnalysis | undefined;
  let sweep: SweepRunState | undefined;

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = event.data;
    if (!isHostToPanelMessage(message)) {
      vscode.postMessage({ type: 'error', message: `the panel got a message it does not know: ${JSON.stringify(message).slice(0, 200)}` });
      return;
    }
    try {
      switch (message.type) {
        case 'analysis':
          if (!drawn) performance.mark('dslab:analysis');
          showError(null);
          analysis = unpackPanelAnalysis(message.analysis);
          showSummary(analysis);
          view.show(analysis, message.details);
          // Without a task of this window running the sweep, the header says what is on disk.
          showSweepState(sweep ? withAnalysis(sweep, analysis) : idleState(analysis));
          if (!drawn) {
            drawn = true;
            document.body.classList.add('drawn');
            // How long the first render takes, for anyone profiling the panel: ready → analysis → painted.
            requestAnimationFrame(() => setTimeout(() => performance.mark('dslab:drawn'), 0));
            window.scrollTo(0, view.state.scroll);
          }
          break;
        case 'sweepState':
          sweep = message.state;
          showSweepState(withAnalysis(sweep, analysis));
          break;
        case 'details':
          view.addDetails(message.details);
          break;
        case 'select':
          view.select(message.key);
          break;
        case 'error':
          showError(message.message);
          break;
      }
    } catch (err) {
      vscode.postMessage({ type: 'error', message: `drawing the panel failed: ${(err as Error).message}` });
    }
  });

  let pending = false;
  window.addEventListener('scroll', () => {
    if (pending) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      view.scrolled(window.scrollY);
    }, 300);
  });
  observeTheme(() => view.redraw());
  performance.mark('dslab:ready');
  vscode.postMessage({ type: 'ready' });
}

main();
