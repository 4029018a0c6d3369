/** Worker thread of an import: one ImportRequest in (workerData), `{ progress }` messages, then one ImportResponse out. */
import { parentPort, workerData } from 'node:worker_threads';
import { runImportRequest, type ImportRequest } from './importRequest';

parentPort?.postMessage(runImportRequest(workerData as ImportRequest, (progress) => parentPort?.postMessage({ progress })));
