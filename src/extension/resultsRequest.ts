/**
 * The HTML report's work for the Sweeps view, done in a worker thread (resultsWorker.ts): analyze
 * the sweep directory, the same analysis `dslab analyze` prints, and write its report.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { loadSweep } from '../core/analysis/loadSweep';
import { renderReportHtml } from '../core/analysis/reportHtml';
import { analyzeSweep, type SweepAnalysis } from '../core/analysis/sweepAnalysis';

export interface ResultsRequest {
  /** The sweep directory. */
  dir: string;
  /** Also write the HTML report to `file`, with the report's browser code read from `bundle`. */
  report?: { file: string; bundle: string };
}

export type ResultsResponse = { analysis: SweepAnalysis } | { error: string };

/** The analysis of a sweep directory (and its HTML report, when asked), or why there is none. */
export function runResultsRequest(request: ResultsRequest): ResultsResponse {
  try {
    const analysis = analyzeSweep(loadSweep(request.dir));
    if (request.report) {
      const html = renderReportHtml(analysis, fs.readFileSync(request.report.bundle, 'utf8'), randomBytes(18).toString('base64'));
      fs.writeFileSync(request.report.file, html);
    }
    return { analysis };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
