/** Runs one request in a worker thread of the extension's bundle, so heavy core work never blocks the extension host. */
import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';

/** The worker's one answer; undefined when cancelled. A worker that crashes answers `{ error }`. */
export function runWorker<Request, Response>(script: string, request: Request, token: vscode.CancellationToken): Promise<Response | { error: string } | undefined> {
  return new Promise((resolve) => {
    const worker = new Worker(script, { workerData: request });
    const cancel = token.onCancellationRequested(() => void worker.terminate().then(() => resolve(undefined)));
    worker.once('message', (response: Response) => {
      cancel.dispose();
      resolve(response);
      void worker.terminate();
    });
    worker.once('error', (err) => {
      cancel.dispose();
      resolve({ error: err.message });
    });
  });
}
