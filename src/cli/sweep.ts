/** `dslab sweep FILE`: sample the file's design spaces and train every model, resumably. */
import { describeEnvironmentFailures } from '../core/results/records';
import { sweepDirOf } from '../core/results/layout';
import { SweepMismatchError } from '../core/results/store';
import { duration, percent, summaryLines, SweepProgress, TRIAL_DETAIL_EVENTS } from '../core/presentation/sweepText';
import type { BackendName } from '../core/space/types';
import type { SweepEvent, SweepSummary } from '../core/analysis/sweepEvents';
import { runSweep } from '../sweep/runner';
import { Interrupts, sweepUserError } from './interrupts';
import { intFlag, parseCommandArgs, printJson, UsageError, type Command, type Io } from './command';
import { loadSpaceFile } from './spaceFile';
import { SLURM_FLAGS, slurmExecutor, submitSlurm, submittedEvent, submitToSlurm } from './sweepSlurm';
import { followSweep, type FollowResult } from '../sweep/slurm/follow';
import type { SlurmSubmitOptions, SubmitSummary } from '../sweep/slurm/submit';
import { shellQuote } from '../core/slurm/shellWords';
import { count, plural } from '../core/presentation/counts';
import { bar, StatusLine } from './statusLine';

const HELP = `Usage: dslab sweep FILE [--space S] [--out DIR] [--workers N] [--backend B] [--samples N]
                  [--retry-failed] [--fresh] [--native-modules DIR] [--json | --events]
       dslab sweep FILE --executor slurm [--partition P] [--time T] [--gpus-per-task N]
                  [--cpus-per-task N] [--mem M] [--parallel K] [--sbatch-arg ARG]...
                  [--space S] [--out DIR] [--backend B] [--samples N] [--retry-failed]
                  [--json | --follow | --events]

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
  --fresh      when DIR holds a sweep of other settings, keep it beside as
               DIR.<its creation time> and start a new sweep in DIR
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
               step, trialFinished, trialSkipped, and finished (with the summary above) last;
               or, when DIR holds a sweep of other settings, only mismatch {dir, differences,
               keptAs} before the error

Progress goes to stderr: a progress bar on a terminal, else one line per finished trial.

On a Slurm cluster (--executor slurm, or executor: { type: slurm } in the file): the file is
sampled and DIR written as above, then the trials still to train are submitted with sbatch as
one job array, one task per trial, each running 'dslab trial DIR SPACE INDEX' on its node (the
backend: training.backend or --backend; auto takes what the node has). DIR must be on a
filesystem the nodes share (a warning says so when it plainly is not, e.g. under /tmp). The
batch script is kept as DIR/slurm/array-N.sh, the tasks' output goes to DIR/slurm/logs/. The
command returns once the array is submitted: follow it with 'dslab status DIR', stop it with
'dslab cancel DIR'. With --follow it stays, shows the progress as a local sweep does until every
task has ended (a sequential sweep's next round is submitted when one ends), and exits 1 when
tasks ended without a record (TIMEOUT, FAILED…); --events follows the same way and prints the
events below, with submitted {job, script, array, submitted, queued, elsewhere}, queue
{running, pending} when they change, and trialFailed {space, index, kind, message}. Ctrl-C
stops following only: the jobs keep running. Running it again submits only the trials that have no record and no task
queued or running (and those that failed, with --retry-failed). The Slurm options, which
replace the file's executor settings:
  --partition P        sbatch --partition
  --time T             time limit of each task (one trial): minutes or [D-]HH:MM[:SS]
  --gpus-per-task N    sbatch --gpus-per-task
  --cpus-per-task N    sbatch --cpus-per-task
  --mem M              memory of each task: megabytes, or with K, M, G, T (e.g. 8G)
  --parallel K         at most K tasks at once (--array=0-(N-1)%K)
  --sbatch-arg ARG     any other sbatch option, e.g. --sbatch-arg=--account=proj (repeatable)
With --json it prints {dir, file, job, script, array, total, done, submitted, queued,
elsewhere, sequential?}.

A trial that fails is recorded with its cause: its model (an exception while training it, out
of memory for it) or the environment (the dataset missing, the backend lost, the worker killed
by a signal). A failure of the dataset or the backend stops the sweep at once. Failures of the
environment are trained again on the next run; those of a model only with --retry-failed.

Exit status: 0 the sweep completed (failed and diverged trials are results too), 1 an
invalid file, an unknown space, a backend that is not installed, or a DIR of another sweep,
2 bad usage, 3 trials failed because of the environment (fix it, run again), 4 the sweep
directory cannot be written (full, read-only, a file in the way: the message names the path and
what is lost), 130 interrupted (Ctrl-C), 143 terminated (SIGTERM). With Slurm: 1 also for no
sbatch on PATH or a submission sbatch refused (its own message: an unknown partition, say).

Examples:
  dslab sweep examples/space.regnet.yaml --space RegNetX --workers 2
  dslab sweep examples/space.regnet.yaml --executor slurm --partition gpu --gpus-per-task 1 \\
      --time 30 --parallel 16 --out /shared/sweeps/regnet
`;

const BACKENDS: readonly BackendName[] = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu', 'webgpu'];

/** The value of --backend, checked. */
export function backendOption(value: string | undefined): BackendName | undefined {
  if (value !== undefined && !BACKENDS.includes(value as BackendName)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got '${value}'`);
  return value as BackendName | undefined;
}
/** Some trials failed because of the machine (data missing, backend lost, worker killed): fix it and run again. */
export const EXIT_ENVIRONMENT = 3;

// ------------------------------------------------------------------ progress

/** How the summary and the environment message tell the user to go on. */
const AGAIN = 'run the same command again';

/** What to do about trials that failed because of the environment. */
export function environmentText(s: SweepSummary): string {
  return describeEnvironmentFailures(s.environmentFailures, s.environmentFailure, AGAIN);
}

/** The closing report on stdout. */
export function summaryText(s: SweepSummary): string {
  return summaryLines(s, AGAIN).join('\n') + '\n';
}

/** Draws the progress bar on a terminal, and prints a line per event but the per-trial detail (the bar stands in for it). */
class Progress {
  private readonly state = new SweepProgress(AGAIN);
  private readonly started = Date.now();
  private readonly line: StatusLine;

  constructor(private readonly io: Io) {
    this.line = new StatusLine(io);
  }

  event(e: SweepEvent): void {
    const lines = this.state.apply(e);
    if (e.type === 'finished') {
      // The summary goes to stdout (or --json): stderr only loses its bar.
      this.clear();
      return;
    }
    if (!TRIAL_DETAIL_EVENTS.has(e.type)) {
      // The CLI's own framing of a warning, as for its other messages.
      for (const line of lines) this.say(e.type === 'warning' ? `dslab sweep: ${line}` : line);
    }
    this.draw();
  }

  private say(line: string): void {
    this.clear();
    this.io.stderr(line + '\n');
  }

  private draw(): void {
    const s = this.state;
    if (s.total === 0 || !this.line.due()) return;
    const now = Date.now();
    const left = s.todo - s.finishedNow;
    const eta = s.finishedNow > 0 && left > 0 ? ` · ETA ${duration(((now - this.started) / 1000 / s.finishedNow) * left)}` : '';
    const best = [...s.bestBySpace].map(([space, error]) => `${space} ${percent(error)}`).join(', ');
    const failed = s.failed > 0 ? `, ${s.failed} failed` : '';
    this.line.draw(`${bar(s.done / s.total)} ${s.done}/${s.total} trials${failed}${eta}${best ? ` · best ${best}` : ''}`);
  }

  clear(): void {
    this.line.clear();
  }
}

/** Submits to Slurm, then follows the job array until its tasks have ended (--follow, --events); the jobs outlive an interrupt. */
async function followOnSlurm(submission: Omit<SlurmSubmitOptions, 'dslab' | 'onEvent'>, events: boolean, io: Io): Promise<number> {
  const progress = new Progress(io);
  const emit = (e: SweepEvent): void => {
    if (events) io.stdout(JSON.stringify(e) + '\n');
    progress.event(e);
  };
  const dir = shellQuote(submission.out);
  const interrupts = new Interrupts((signal) => {
    progress.clear();
    io.stderr(`dslab sweep: no longer following (${signal}); the jobs keep running: dslab status ${dir} follows them, dslab cancel ${dir} stops them\n`);
  });
  const submit = async (): Promise<SubmitSummary> => {
    const s = await submitSlurm({ ...submission, onEvent: emit });
    emit(submittedEvent(s));
    return s;
  };
  let result: FollowResult;
  try {
    const submitted = await submit();
    result = await followSweep({ dir: submission.out, file: submission.file, spaces: submission.spaces, submitted, signal: interrupts.signal, onEvent: emit, submitAgain: submit });
  } catch (err) {
    throw sweepUserError(err);
  } finally {
    progress.clear();
    interrupts.dispose();
  }
  emit({ type: 'finished', summary: result.summary });
  if (!events) io.stdout(summaryText(result.summary));
  const interrupted = interrupts.exitCode();
  if (interrupted !== undefined) return interrupted;
  if (result.taskFailures.size > 0) {
    const kinds = [...result.taskFailures].map(([kind, n]) => `${kind} ${n}`).join(', ');
    const n = [...result.taskFailures.values()].reduce((a, b) => a + b, 0);
    io.stderr(`dslab sweep: ${count(n, "trial's task", "trials' tasks")} ended without a record (${kinds}): dslab status ${dir} says why; run the same command again to submit ${plural(n, 'it', 'them')} again\n`);
    return 1;
  }
  if (result.summary.environmentFailures > 0) {
    io.stderr(`dslab sweep: ${environmentText(result.summary)}\n`);
    return EXIT_ENVIRONMENT;
  }
  return 0;
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
      fresh: { type: 'boolean' },
      ...SLURM_FLAGS,
    });
    if (positionals.length === 0) throw new UsageError('missing FILE (a space file, e.g. examples/space.regnet.yaml)');
    if (positionals.length > 1) throw new UsageError(`expected one FILE, got ${positionals.length} arguments`);
    if (values.json && values.events) throw new UsageError('--json and --events cannot be combined');
    const workers = intFlag('workers', values.workers, 1);
    const samples = intFlag('samples', values.samples, 1);
    const backend = backendOption(values.backend);
    if (values.out === '') throw new UsageError('--out expects a directory');
    const file = positionals[0];
    const out = values.out ?? sweepDirOf(file);

    const resolved = loadSpaceFile(file, io);
    const executor = slurmExecutor(values, resolved);
    if (executor) {
      if (values.workers !== undefined) throw new UsageError('--workers is for local sweeps; with Slurm, --parallel K caps the tasks running at once');
      const sweepArgs = [file, ...(values.out ? ['--out', values.out] : []), ...(values.space ?? []).flatMap((sp) => ['--space', sp]), ...(samples ? ['--samples', String(samples)] : []), ...(backend ? ['--backend', backend] : []), ...(values['native-modules'] ? ['--native-modules', values['native-modules']] : []), ...executor.flags];
      const submission = { file, resolved, out, spaces: values.space, samples, backend, nativeModulesPath: values['native-modules'], retryFailed: values['retry-failed'], settings: executor.settings, sweepArgs };
      if (values.follow || values.events) {
        if (values.json) throw new UsageError('--json prints the submission; follow the sweep with --follow or --events instead, not both');
        return followOnSlurm(submission, values.events === true, io);
      }
      return submitToSlurm(submission, values.json === true, io);
    }
    if (values.follow) throw new UsageError('--follow follows a sweep on Slurm: add --executor slurm (a local sweep shows its progress anyway)');

    const progress = new Progress(io);
    const interrupts = new Interrupts((signal) => {
      progress.clear();
      io.stderr(`dslab sweep: stopping (${signal}); running trials will be trained again next time\n`);
    });
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
        fresh: values.fresh,
        signal: interrupts.signal,
        onEvent: (e) => {
          if (values.events) io.stdout(JSON.stringify(e) + '\n');
          progress.event(e);
        },
      });
    } catch (err) {
      if (err instanceof SweepMismatchError && values.events) {
        const event: SweepEvent = { type: 'mismatch', dir: err.dir, differences: err.differences, keptAs: err.keptAs };
        io.stdout(JSON.stringify(event) + '\n');
      }
      throw sweepUserError(err);
    } finally {
      progress.clear();
      interrupts.dispose();
    }

    if (values.json) printJson(io, summary);
    else if (!values.events) io.stdout(summaryText(summary));
    const interrupted = interrupts.exitCode();
    if (interrupted !== undefined) return interrupted;
    if (summary.environmentFailures > 0) {
      io.stderr(`dslab sweep: ${environmentText(summary)}\n`);
      return EXIT_ENVIRONMENT;
    }
    return 0;
  },
};
