/** Worker thread of the Sample lens: one SampleRequest in (workerData), one SampleResponse out. */
import { parentPort, workerData } from 'node:worker_threads';
import { runSampleRequest, type SampleRequest } from './sampleRequest';

parentPort?.postMessage(runSampleRequest(workerData as SampleRequest));
