/** Runs requests in worker threads of the extension's bundle, so heavy core work never blocks the extension host. */
import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';

/**
 * The worker's one answer; undefined when `token` cancels it (the worker is ended). A worker that
 * crashes answers `{ error }`. With `onProgress`, messages `{ progress }` before the answer go there.
 */
export function runWorker<Request, Response, Progress = never>(
  script: string,
  request: Request,
  token?: vscode.CancellationToken,
  onProgress?: (progress: Progress) => void,
): Promise<Response | { error: string } | undefined> {
  return new Promise((resolve) => {
    const worker = new Worker(script, { workerData: request });
    const cancel = token?.onCancellationRequested(() => void worker.terminate().then(() => resolve(undefined)));
    worker.on('message', (message: Response | { progress: Progress }) => {
      if (onProgress && typeof message === 'object' && message !== null && 'progress' in message) return onProgress(message.progress);
      cancel?.dispose();
      resolve(message as Response);
      void worker.terminate();
    });
    worker.once('error', (err) => {
      cancel?.dispose();
      resolve({ error: err.message });
    });
  });
}

/**
 * A worker thread that stays up and answers requests in the order they were sent (one answer
 * each), keeping its state between them. Started on the first request; one that crashes answers
 * what was pending with `{ error }`, and the next request starts a fresh one.
 */
export class WorkerSession<Request, Response> {
  private worker: Worker | undefined;
  private readonly pending: ((response: Response | { error: string }) => void)[] = [];

  constructor(private readonly script: string) {}

  request(request: Request): Promise<Response | { error: string }> {
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.started().postMessage(request);
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.on('message', (response: Response) => this.pending.shift()?.(response));
    worker.once('error', (err) => this.stop(worker, err.message));
    worker.once('exit', (code) => this.stop(worker, `the worker thread exited (code ${code})`));
    this.worker = worker;
    return worker;
  }

  private stop(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const resolve of this.pending.splice(0)) resolve({ error: why });
  }

  /** Ends the worker; pending requests are answered `{ error }`. */
  dispose(): void {
    const worker = this.worker;
    if (!worker) return;
    this.stop(worker, 'the panel was closed');
    void worker.terminate();
  }
}
