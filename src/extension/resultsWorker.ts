/** Worker thread of the Sweeps view's HTML report: one ResultsRequest in (workerData), one ResultsResponse out. */
import { parentPort, workerData } from 'node:worker_threads';
import { runResultsRequest, type ResultsRequest } from './resultsRequest';

parentPort?.postMessage(runResultsRequest(workerData as ResultsRequest));
