/** `dslab sweep FILE`: sample the file's design spaces and train every model, resumably. */
import { describeRound } from '../core/analysis/sequential';
import { describeEnvironmentFailures, type TrialRecord } from '../core/results/records';
import { SweepFilesystemError } from '../core/results/fsErrors';
import { sweepDirOf } from '../core/results/layout';
import { SweepDirectoryError } from '../core/results/store';
import type { BackendName } from '../core/space/types';
import type { SweepEvent, SweepSummary } from '../core/analysis/sweepEvents';
import { runSweep, SweepError } from '../sweep/runner';
import { intFlag, parseCommandArgs, printJson, UsageError, UserError, type Command, type Io } from './command';
import { loadSpaceFile } from './spaceFile';
import { bar, StatusLine } from './statusLine';
import { table } from './table';

const HELP = `Usage: dslab sweep FILE [--space S] [--out DIR] [--workers N] [--backend B] [--samples N]
                  [--retry-failed] [--native-modules DIR] [--json | --events]

Samples the design spaces of a space file and trains each sampled model briefly (the file's
dataset and training settings), in worker processes. Every trial's result is written to
DIR/trials/<space>/<index>.json as soon as it ends. Running the same command again resumes:
trials with a result are skipped, a damaged result is reported and trained again. Ctrl-C
stops; what was running is trained again on the next run.

A file whose sampling.samples is sequential ({ min, max, step, until: decided }) trains in
rounds: min models per space, then step more per space per round, until every compared pair
of spaces differs at analysis.alpha (spent over the rounds) or max is reached. Each round
prints where the sweep stands and why it stops.

Options:
  --space S    train only space S (repeat for several); every space is still sampled, so
               later runs into the same DIR can train the others
  --out DIR    the sweep directory (default: .dslab/<file name without extension>/ in the
               current directory); a DIR holding a sweep of other settings is refused
  --workers N  worker processes (default: one per core, as memory allows; one for a GPU)
  --backend B  auto | tfjs-node-gpu | tfjs-node | wasm | cpu | webgpu, instead of the file's
               training.backend (auto: the first that works of tfjs-node-gpu, webgpu on a
               hardware GPU, tfjs-node, wasm, cpu; webgpu named also takes a software
               adapter; DSLAB_WEBGPU_ADAPTER=INDEX|NAME picks one of several GPUs)
  --retry-failed
               train failed trials again, whatever failed them (trials that failed because
               of the environment are trained again anyway)
  --samples N  models per space, instead of the file's samples (a sequential file's
               rounds included: the sweep is then of fixed size)
  --native-modules DIR
               also look for @tensorflow/tfjs-node(-gpu) and the webgpu pair in
               DIR/node_modules (where 'npm install --prefix DIR @tensorflow/tfjs-node@4.22.0'
               puts it)
  --json       print one JSON document at the end: {dir, file, fingerprint, backend,
               workers, total, done, trained, remaining, elsewhere, interrupted,
               wallSeconds, spaces: [{name, n, done, ok, failed, diverged, bestError,
               medianError}], sequential?: {status, round, rounds, target, pairs},
               environmentFailures, environmentFailure?}
  --events     print one JSON event per line as the sweep goes (for programs): started,
               warning, unusable, backend, round (sequential sweeps), trialStarted, epoch,
               step, trialFinished, trialSkipped, and finished (with the summary above) last

Progress goes to stderr: a progress bar on a terminal, else one line per finished trial.

A trial that fails is recorded with its cause: its model (an exception while training it, out
of memory for it) or the environment (the dataset missing, the backend lost, the worker killed
by a signal). A failure of the dataset or the backend stops the sweep at once. Failures of the
environment are trained again on the next run; those of a model only with --retry-failed.

Exit status: 0 the sweep completed (failed and diverged trials are results too), 1 an
invalid file, an unknown space, a backend that is not installed, or a DIR of another sweep,
2 bad usage, 3 trials failed because of the environment (fix it, run again), 4 the sweep
directory cannot be written (full, read-only, a file in the way: the message names the path and
what is lost), 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).

Example:
  dslab sweep examples/space.regnet.yaml --space RegNetX --workers 2
`;

const BACKENDS: readonly BackendName[] = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu', 'webgpu'];
const EXIT_INTERRUPTED = 130;
/** Some trials failed because of the machine (data missing, backend lost, worker killed): fix it and run again. */
export const EXIT_ENVIRONMENT = 3;
/** The sweep directory cannot be written (full, read-only, not a folder): the message names the path and the cause. */
export const EXIT_FILESYSTEM = 4;

// ------------------------------------------------------------------ formatting

const percent = (x: number | null): string => (x === null ? '–' : `${x.toFixed(1)}%`);

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** "RegNetX #3: 12.4% error, 2.1 s, 480 img/s", or what went wrong. */
export function trialLine(r: TrialRecord): string {
  const head = `${r.space} #${r.index}`;
  if (r.status === 'failed') return `${head}: failed (${r.failure?.message ?? 'no reason recorded'})`;
  if (r.status === 'diverged') {
    const at = r.divergedAt ? ` at epoch ${r.divergedAt.epoch}, step ${r.divergedAt.step} (loss ${r.divergedAt.loss ?? 'NaN'})` : '';
    return `${head}: diverged${at}`;
  }
  const speed = r.imagesPerSecond === null ? '' : `, ${Math.round(r.imagesPerSecond)} img/s`;
  return `${head}: ${percent(r.error)} error, ${duration(r.wallSeconds)}${speed}`;
}

/** What to do about trials that failed because of the environment. */
export function environmentText(s: SweepSummary): string {
  return describeEnvironmentFailures(s.environmentFailures, s.environmentFailure, 'run the same command again');
}

/** The closing report on stdout. */
export function summaryText(s: SweepSummary): string {
  const rows = [['space', 'n', 'done', 'failed', 'diverged', 'best', 'median']];
  for (const sp of s.spaces) {
    rows.push([sp.name, String(sp.n), String(sp.done), String(sp.failed), String(sp.diverged), percent(sp.bestError), percent(sp.medianError)]);
  }
  const ran = s.backend ? `on ${s.backend.detail}, ${s.workers} worker${s.workers === 1 ? '' : 's'}` : 'nothing to train';
  const lines = [`${s.file}: ${s.done} of ${s.total} trials done, ${s.trained} trained in ${duration(s.wallSeconds)} (${ran})`, table(rows)];
  if (s.interrupted) lines.push(`Interrupted: ${s.remaining} trial${s.remaining === 1 ? '' : 's'} remain; run the same command again to resume.`);
  if (s.elsewhere > 0) lines.push(`${s.elsewhere} trial${s.elsewhere === 1 ? ' is' : 's are'} being trained by another process.`);
  else if (!s.interrupted && s.remaining > 0) lines.push(`${s.remaining} trial${s.remaining === 1 ? '' : 's'} remain; run the same command again.`);
  if (s.sequential) lines.push(...describeRound(s.sequential));
  if (s.environmentFailures > 0) lines.push(environmentText(s));
  lines.push(`Results: ${s.dir}`);
  return lines.join('\n') + '\n';
}

/** Draws the progress bar on a terminal, and prints one line per finished trial. */
class Progress {
  private total = 0;
  private done = 0;
  private failed = 0;
  private todo = 0;
  private finishedNow = 0;
  private readonly best = new Map<string, number>();
  private readonly started = Date.now();
  private readonly line: StatusLine;

  constructor(private readonly io: Io) {
    this.line = new StatusLine(io);
  }

  event(e: SweepEvent): void {
    switch (e.type) {
      case 'started':
        this.total = e.total;
        this.done = e.done;
        this.todo = e.todo;
        this.say(`Sweep of ${e.total} trials in ${e.dir}${e.created ? ' (new)' : ''}: ${e.done} done, ${e.todo} to train`);
        break;
      case 'warning':
        this.say(`dslab sweep: warning: ${e.message}`);
        break;
      case 'unusable':
        this.say(`${e.file}: corrupt (${e.reason}); retraining`);
        break;
      case 'backend':
        for (const line of e.backend.fellThrough) this.say(`  skipped ${line}`);
        this.say(`Training on ${e.backend.detail} with ${e.workers} worker${e.workers === 1 ? '' : 's'}`);
        break;
      case 'round':
        this.total = e.total;
        this.done = e.done;
        this.todo = e.total - e.done + this.finishedNow;
        for (const line of describeRound(e.sequential)) this.say(line);
        break;
      case 'trialSkipped':
        this.say(`${e.space} #${e.index}: being trained by ${e.holder}; left to it`);
        break;
      case 'trialFinished': {
        const r = e.record;
        this.done++;
        this.finishedNow++;
        if (r.status === 'failed') this.failed++;
        if (r.status === 'ok' && r.error !== null) this.best.set(r.space, Math.min(this.best.get(r.space) ?? Infinity, r.error));
        this.say(trialLine(r));
        break;
      }
      case 'finished':
        this.clear();
        return;
      default:
        break;
    }
    this.draw();
  }

  private say(line: string): void {
    this.clear();
    this.io.stderr(line + '\n');
  }

  private draw(): void {
    if (this.total === 0 || !this.line.due()) return;
    const now = Date.now();
    const left = this.todo - this.finishedNow;
    const eta = this.finishedNow > 0 && left > 0 ? ` · ETA ${duration(((now - this.started) / 1000 / this.finishedNow) * left)}` : '';
    const best = [...this.best].map(([space, error]) => `${space} ${percent(error)}`).join(', ');
    const failed = this.failed > 0 ? `, ${this.failed} failed` : '';
    this.line.draw(`${bar(this.done / this.total)} ${this.done}/${this.total} trials${failed}${eta}${best ? ` · best ${best}` : ''}`);
  }

  clear(): void {
    this.line.clear();
  }
}

// ------------------------------------------------------------------ command

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'sample the design spaces of a space file and train the models (resumable)',
  help: HELP,
  async run(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, {
      space: { type: 'string', multiple: true },
      out: { type: 'string' },
      workers: { type: 'string' },
      backend: { type: 'string' },
      'native-modules': { type: 'string' },
      samples: { type: 'string' },
      events: { type: 'boolean' },
      'retry-failed': { type: 'boolean' },
    });
    if (positionals.length === 0) throw new UsageError('missing FILE (a space file, e.g. examples/space.regnet.yaml)');
    if (positionals.length > 1) throw new UsageError(`expected one FILE, got ${positionals.length} arguments`);
    if (values.json && values.events) throw new UsageError('--json and --events cannot be combined');
    const workers = intFlag('workers', values.workers, 1);
    const samples = intFlag('samples', values.samples, 1);
    const backend = values.backend as BackendName | undefined;
    if (backend !== undefined && !BACKENDS.includes(backend)) {
      throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got '${values.backend}'`);
    }
    if (values.out === '') throw new UsageError('--out expects a directory');
    const file = positionals[0];
    const out = values.out ?? sweepDirOf(file);

    const resolved = loadSpaceFile(file, io);

    const progress = new Progress(io);
    const controller = new AbortController();
    let interruptedBy: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (interruptedBy) process.exit(EXIT_INTERRUPTED); // a second Ctrl-C: stop waiting for the workers
      interruptedBy = signal;
      progress.clear();
      io.stderr(`dslab sweep: stopping (${signal}); running trials will be trained again next time\n`);
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let summary: SweepSummary;
    try {
      summary = await runSweep({
        file,
        resolved,
        out,
        spaces: values.space,
        samples,
        workers,
        backend,
        nativeModulesPath: values['native-modules'],
        retryFailed: values['retry-failed'],
        signal: controller.signal,
        onEvent: (e) => {
          if (values.events) io.stdout(JSON.stringify(e) + '\n');
          progress.event(e);
        },
      });
    } catch (err) {
      if (err instanceof SweepError || err instanceof SweepDirectoryError) throw new UserError(err.message);
      if (err instanceof SweepFilesystemError) throw new UserError(err.message, EXIT_FILESYSTEM);
      throw err;
    } finally {
      progress.clear();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }

    if (values.json) printJson(io, summary);
    else if (!values.events) io.stdout(summaryText(summary));
    if (interruptedBy) return interruptedBy === 'SIGTERM' ? 143 : EXIT_INTERRUPTED;
    if (summary.environmentFailures > 0) {
      io.stderr(`dslab sweep: ${environmentText(summary)}\n`);
      return EXIT_ENVIRONMENT;
    }
    return 0;
  },
};
