/**
 * The Results lens's work, done in a worker thread (resultsWorker.ts): analyze the sweep directory
 * and render the same HTML report as `dslab analyze --html`.
 */
import * as fs from 'node:fs';
import { loadSweep } from '../core/analysis/loadSweep';
import { renderReportHtml } from '../core/analysis/reportHtml';
import { analyzeSweep } from '../core/analysis/sweepAnalysis';

export interface ResultsRequest {
  /** The sweep directory. */
  dir: string;
  /** The built browser code of the report (out/webview/report.js). */
  bundlePath: string;
}

export type ResultsResponse = { html: string; recorded: number; planned: number } | { error: string };

/** The report of a sweep directory, or why there is none. */
export function runResultsRequest(request: ResultsRequest): ResultsResponse {
  try {
    const analysis = analyzeSweep(loadSweep(request.dir));
    const bundle = fs.readFileSync(request.bundlePath, 'utf8');
    return { html: renderReportHtml(analysis, bundle), recorded: analysis.progress.recorded, planned: analysis.progress.planned };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
