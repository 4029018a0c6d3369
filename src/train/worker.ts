/**
 * A sweep worker: a child process (forked by the runner, src/sweep/runner.ts) that trains one trial at a
 * time. It starts its tfjs backend, says `ready` with the backend it got, then runs the jobs it
 * is sent, reporting epochs, throttled steps and the outcome. Everything crossing the process
 * boundary is a `WorkerMessage` / `RunnerMessage` (src/sweep/workerProtocol.ts).
 *
 * Training in a separate process keeps tfjs's memory and any crash (out of memory, a native
 * abort) away from the runner, and lets several models train in parallel on several cores.
 */
import type { BackendChoice } from '../core/analysis/sweepEvents';
import type { RunnerMessage, WorkerConfig, WorkerMessage } from '../sweep/workerProtocol';
import type { TrialHooks, TrialJob, TrialOutcome } from './trial';

/** What a worker needs from the trainer (the fake trial module of the tests provides the same). */
export interface TrialModule {
  initBackend(requested: TrialJob['backend'], options?: { nativeModulesPath?: string }): Promise<BackendChoice>;
  runTrial(job: TrialJob, hooks?: TrialHooks): Promise<TrialOutcome>;
}

/** Step messages are sent at most this often (one per step would flood the channel for tiny models). */
const STEP_EVERY_MS = 250;

/** Sends a message; resolves once it is handed to the channel (so a following disconnect does not drop it). */
function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

function errorMessage(err: unknown): WorkerMessage {
  const e = err instanceof Error ? err : new Error(String(err));
  return { type: 'error', message: e.message, stack: e.stack, name: e.name };
}

function loadTrialModule(config: WorkerConfig): TrialModule {
  if (config.trialModule) return require(config.trialModule) as TrialModule;
  // Loaded only here, so that the runner and the tests' fake never load tfjs.
  const { initBackend } = require('./backend') as typeof import('./backend');
  const { runTrial } = require('./trial') as typeof import('./trial');
  return { initBackend, runTrial };
}

/** The worker's life: start the backend, then serve `run` messages until `stop` or the runner goes away. */
async function serve(config: WorkerConfig): Promise<void> {
  // Ctrl-C reaches the whole process group; the runner decides what happens to running trials.
  process.on('SIGINT', () => {});
  // The runner is gone (killed): nobody will read what we would produce.
  process.on('disconnect', () => process.exit(0));

  let trials: TrialModule;
  try {
    trials = loadTrialModule(config);
    const backend = await trials.initBackend(config.backend, { nativeModulesPath: config.nativeModulesPath });
    void send({ type: 'ready', backend });
  } catch (err) {
    await send(errorMessage(err));
    process.disconnect();
    return;
  }

  let running: AbortController | undefined;
  let stopping = false;
  const exit = (): void => {
    process.off('message', onMessage);
    process.disconnect();
  };

  const run = async (job: TrialJob): Promise<void> => {
    running = new AbortController();
    let lastStep = 0;
    try {
      const outcome = await trials.runTrial(job, {
        signal: running.signal,
        onEpoch: (epoch) => void send({ type: 'epoch', epoch }),
        onStep: (step, steps, loss) => {
          const now = Date.now();
          if (now - lastStep < STEP_EVERY_MS && step < steps) return;
          lastStep = now;
          void send({ type: 'step', step, steps, loss });
        },
      });
      if (!stopping) await send({ type: 'done', outcome });
    } catch (err) {
      if (!stopping) await send(errorMessage(err));
    } finally {
      running = undefined;
      if (stopping) exit();
    }
  };

  const onMessage = (message: RunnerMessage): void => {
    if (message.type === 'run') {
      if (running) void send({ type: 'error', message: 'worker is busy: a second trial was sent before the first finished' });
      else void run(message.job);
    } else if (message.type === 'stop') {
      stopping = true;
      if (running) running.abort();
      else exit();
    }
  };
  process.on('message', onMessage);
}

if (require.main === module) {
  const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
  void serve(config);
}
