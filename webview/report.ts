/**
 * The static HTML report (`dslab analyze --html`, src/core/analysis/reportHtml.ts): draws the
 * analysis JSON embedded in the page with the views the Results panel uses.
 */
import type { SweepAnalysis } from '../src/core/analysis/sweepAnalysis';
import { panelAnalysisOf, trialDetailOf } from '../src/core/analysis/panelData';
import { ReportView } from './reportView';

function main(): void {
  const script = document.getElementById('dslab-data');
  if (!script?.textContent) throw new Error('the report page holds no analysis data');
  const view = new ReportView();
  const analysis = JSON.parse(script.textContent) as SweepAnalysis;
  // The page holds every trial's details.
  view.show(panelAnalysisOf(analysis), analysis.spaces.flatMap((s) => s.trials.map(trialDetailOf)));
  (window as unknown as { dslabReport: ReportView }).dslabReport = view;
}

try {
  main();
} catch (err) {
  console.error(`report: ${(err as Error).message}`);
  throw err;
}
