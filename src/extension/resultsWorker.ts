/** Worker thread of the Results lens: one ResultsRequest in (workerData), one ResultsResponse out. */
import { parentPort, workerData } from 'node:worker_threads';
import { runResultsRequest, type ResultsRequest } from './resultsRequest';

parentPort?.postMessage(runResultsRequest(workerData as ResultsRequest));
