/**
 * The runner's side of one worker process: fork it, wait until it is ready, run a job on it, and
 * stop or kill it. A worker that dies is reported as the end of whatever it was doing, with
 * the reason (exit code or signal, and the last thing it printed), never as a hang.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { BackendChoice, EpochResult } from '../core/analysis/sweepEvents';
import type { TrialJob, TrialOutcome } from '../train/trial';
import type { RunnerMessage, WorkerConfig, WorkerMessage } from './workerProtocol';

/** How a job on a worker ended. */
export type RunEnd =
  | { kind: 'done'; outcome: TrialOutcome }
  /** runTrial threw; `name`: the exception's class (DatasetError, BackendUnavailableError, …). */
  | { kind: 'error'; message: string; stack?: string; name?: string }
  /** The process ended mid-trial: crash, out of memory, killed (`signal`: by which signal). */
  | { kind: 'exit'; message: string; output: string; signal?: string };

/** The worker could not start (its backend is unavailable, or it died first). */
export class WorkerStartError extends Error {
  constructor(
    message: string,
    /** The exception's name inside the worker, e.g. 'BackendUnavailableError'. */
    readonly causeName?: string,
  ) {
    super(message);
    this.name = 'WorkerStartError';
  }
}

/** The worker's entry point: the part of a sweep that loads tfjs (compiled beside this module's folder). */
const WORKER_SCRIPT = path.join(__dirname, '..', 'train', 'worker.js');

/** What a worker printed last, kept for crash messages (its output never reaches our stdout). */
const OUTPUT_TAIL_CHARS = 4000;

/** The line of a crash's output that says most: the last one naming an error, else the last one. */
export function telling(output: string): string | undefined {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  // Only a line that reports a failure: a library's warning (Dawn's about an adapter, say) or a
  // progress line says nothing about why the process ended.
  return [...lines].reverse().find((l) => /error|fatal|abort|killed|out of memory/i.test(l) && !/^\W*warning\b/i.test(l));
}

export class WorkerProcess {
  private readonly child: ChildProcess;
  private output = '';
  private exitMessage: string | undefined;
  private readonly exited: Promise<void>;
  private listener: ((m: WorkerMessage) => void) | undefined;
  /** Messages that arrived while nobody was waiting (delivered to the next waiter). */
  private readonly unheard: WorkerMessage[] = [];
  private exitListener: (() => void) | undefined;

  constructor(config: WorkerConfig, workerScript = WORKER_SCRIPT) {
    // No inherited exec flags (a test runner's would apply to the worker too); stdout and stderr
    // are captured so that tfjs's banners never mix with a command's JSON output.
    this.child = fork(workerScript, [JSON.stringify(config)], {
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.on('message', (m: WorkerMessage) => (this.listener ? this.listener(m) : this.unheard.push(m)));
    this.exited = new Promise((resolve) => {
      const ended = (message: string): void => {
        if (this.exitMessage !== undefined) return;
        this.exitMessage = message;
        resolve();
        this.exitListener?.();
      };
      // 'close', not 'exit': by then the worker's last output has been read.
      this.child.on('close', (code, signal) => {
        if (signal) this.exitSignal = signal;
        ended(signal ? `the worker process was killed by ${signal}` : `the worker process exited with code ${code}`);
      });
      this.child.on('error', (err) => ended(`the worker process failed: ${err.message}`));
    });
  }

  /** The signal that ended the process, if one did. */
  private exitSignal: string | undefined;

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitMessage === undefined;
  }

  private post(message: RunnerMessage): void {
    if (this.alive && this.child.connected) this.child.send(message);
  }

  private waitFor<T>(onMessage: (m: WorkerMessage, settle: (v: T) => void) => void, onExit: (settle: (v: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve) => {
      const settle = (v: T): void => {
        this.listener = undefined;
        this.exitListener = undefined;
        resolve(v);
      };
      this.listener = (m) => onMessage(m, settle);
      this.exitListener = () => onExit(settle);
      for (const m of this.unheard.splice(0)) this.listener?.(m);
      if (!this.alive) this.exitListener?.();
    });
  }

  private started: Promise<BackendChoice> | undefined;

  /** The backend the worker started (the same answer on every call); throws a WorkerStartError when it could not start. */
  ready(): Promise<BackendChoice> {
    this.started ??= this.waitFor<BackendChoice | WorkerStartError>(
      (m, settle) => {
        if (m.type === 'ready') settle(m.backend);
        else if (m.type === 'error') settle(new WorkerStartError(m.message, m.name));
      },
      (settle) => settle(new WorkerStartError(this.crashMessage())),
    ).then((result) => {
      if (result instanceof WorkerStartError) throw result;
      return result;
    });
    return this.started;
  }

  /** Runs one job; `onEpoch`/`onStep` see its progress. */
  run(job: TrialJob, progress: { onEpoch?: (e: EpochResult) => void; onStep?: (step: number, steps: number, loss: number) => void } = {}): Promise<RunEnd> {
    const end = this.waitFor<RunEnd>(
      (m, settle) => {
        if (m.type === 'epoch') progress.onEpoch?.(m.epoch);
        else if (m.type === 'step') progress.onStep?.(m.step, m.steps, m.loss);
        else if (m.type === 'done') settle({ kind: 'done', outcome: m.outcome });
        else if (m.type === 'error') settle({ kind: 'error', message: m.message, stack: m.stack, ...(m.name ? { name: m.name } : {}) });
      },
      (settle) => settle({ kind: 'exit', message: this.crashMessage(), output: this.output, ...(this.exitSignal ? { signal: this.exitSignal } : {}) }),
    );
    this.post({ type: 'run', job });
    return end;
  }

  /** "the worker process exited with code 134: FATAL ERROR: … JavaScript heap out of memory". */
  private crashMessage(): string {
    const line = telling(this.output);
    const message = this.exitMessage ?? 'the worker process ended';
    return line ? `${message}: ${line}` : message;
  }

  /** Asks an idle worker to exit; kills it if it has not after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.post({ type: 'stop' });
    await this.ended(graceMs);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async kill(graceMs: number): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    await this.ended(graceMs);
  }

  private async ended(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        if (this.alive) this.child.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, late]);
    clearTimeout(timer);
    await this.exited;
  }
}
