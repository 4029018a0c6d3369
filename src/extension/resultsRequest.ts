/**
 * The Results panel's work, done in a worker thread (resultsWorker.ts): analyze the sweep
 * directory, the same analysis `dslab analyze` prints and its HTML report draws.
 */
import { loadSweep } from '../core/analysis/loadSweep';
import { analyzeSweep, type SweepAnalysis } from '../core/analysis/sweepAnalysis';

export interface ResultsRequest {
  /** The sweep directory. */
  dir: string;
}

export type ResultsResponse = { analysis: SweepAnalysis } | { error: string };

/** The analysis of a sweep directory, or why there is none. */
export function runResultsRequest(request: ResultsRequest): ResultsResponse {
  try {
    return { analysis: analyzeSweep(loadSweep(request.dir)) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
