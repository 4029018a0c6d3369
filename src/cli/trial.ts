/** `dslab trial DIR SPACE INDEX`: train one trial of an existing sweep, as a task of a Slurm job array does. */
import { hostName, slurmJobOfThisProcess } from '../core/results/process';
import { trialRelativePath } from '../core/results/layout';
import { trialHeader } from '../core/slurm/taskLog';
import { SweepProgress, trialLine } from '../core/presentation/sweepText';
import { runSingleTrial, type SingleTrialResult } from '../sweep/singleTrial';
import { parseCommandArgs, printJson, UsageError, type Command, type Io } from './command';
import { Interrupts, sweepUserError } from './interrupts';
import { backendOption, EXIT_ENVIRONMENT } from './sweep';

const HELP = `Usage: dslab trial DIR SPACE INDEX [--backend B] [--native-modules DIR] [--retry-failed] [--json]

Trains trial INDEX of space SPACE of the sweep in DIR (a directory \`dslab sweep\` made) exactly
as a worker of a local sweep does: claims it with its lock file, trains it on the backend of the
sweep's file (training.backend; auto: the best this machine has), and writes its record
atomically. This is what each task of a sweep's Slurm job array runs. A trial that already has
a record is not trained again, so a task that runs twice (requeued, resubmitted) leaves one
record; a lock left by a process or Slurm task that is gone is taken over. Ctrl-C or SIGTERM
(scancel, a time limit) stops it: no record, its lock released.

Options:
  --backend B  auto | tfjs-node-gpu | tfjs-node | wasm | cpu | webgpu, instead of the file's
  --native-modules DIR
               also look for the native backends in DIR/node_modules
  --retry-failed
               train it again if its record says it failed (failures of the environment
               are trained again anyway)
  --json       print one JSON document: {dir, space, index, outcome: trained | recorded |
               held | interrupted, record?, holder?}

Exit status: 0 the trial has a record (trained now, ok or diverged, or recorded before), 1 DIR
is not a sweep or has no such trial, or the backend is not installed, 2 bad usage, 3 it failed
because of the environment (recorded; trained again next time), 4 the sweep directory cannot be
written, 5 it failed because of its model (recorded), 75 another live process is training it
(left to it), 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).

Example:
  dslab trial .dslab/space.regnet RegNetX 3
`;

/** The trial's model failed (an exception while training it): recorded, a result. */
export const EXIT_MODEL_FAILED = 5;
/** Another live process holds the trial's lock (EX_TEMPFAIL: try again later). */
export const EXIT_HELD = 75;

/** The exit status of a trial that ended without an interruption. */
function exitCodeOf(result: SingleTrialResult): number {
  if (result.kind === 'held') return EXIT_HELD;
  if (result.kind !== 'trained' || result.record.status !== 'failed') return 0;
  return result.record.failure?.cause === 'environment' ? EXIT_ENVIRONMENT : EXIT_MODEL_FAILED;
}

/** What happened, in one line on stdout. */
function outcomeLine(r: SingleTrialResult, space: string, index: number): string {
  switch (r.kind) {
    case 'trained':
      return trialLine(r.record);
    case 'recorded':
      return `${space} #${index}: already recorded, not trained again (${trialLine(r.record).slice(`${space} #${index}: `.length)})`;
    case 'held':
      return `${space} #${index}: being trained by ${r.holder}; left to it`;
    case 'interrupted':
      return `${space} #${index}: interrupted; no record (trained again on the next run)`;
  }
}

export const trialCommand: Command = {
  name: 'trial',
  summary: 'train one trial of an existing sweep (what a Slurm array task runs)',
  help: HELP,
  async run(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, {
      backend: { type: 'string' },
      'native-modules': { type: 'string' },
      'retry-failed': { type: 'boolean' },
    });
    if (positionals.length !== 3) throw new UsageError(`expected DIR SPACE INDEX, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`);
    const [dir, space] = positionals;
    if (!/^\d+$/.test(positionals[2])) throw new UsageError(`INDEX must be a trial's index (0, 1, …), got '${positionals[2]}'`);
    const index = Number(positionals[2]);
    const backend = backendOption(values.backend);

    const job = slurmJobOfThisProcess();
    const arrayTask = process.env.SLURM_ARRAY_JOB_ID && process.env.SLURM_ARRAY_TASK_ID ? `${process.env.SLURM_ARRAY_JOB_ID}_${process.env.SLURM_ARRAY_TASK_ID}` : job?.id;
    io.stderr(trialHeader(space, index, dir, hostName(), job && arrayTask ? { name: arrayTask, run: job.restarts + 1 } : undefined) + '\n');
    const progress = new SweepProgress('run it again');
    const interrupts = new Interrupts((signal) => io.stderr(`dslab trial: stopping (${signal}); no record is written, the trial is trained again next time\n`));
    let result: SingleTrialResult;
    try {
      result = await runSingleTrial({
        dir,
        space,
        index,
        backend,
        nativeModulesPath: values['native-modules'],
        retryFailed: values['retry-failed'],
        signal: interrupts.signal,
        onEvent: (e) => {
          // The outcome goes to stdout below; the rest of the trial's course to stderr.
          if (e.type === 'trialFinished' || e.type === 'step' || e.type === 'trialSkipped') return;
          for (const line of progress.apply(e)) io.stderr((e.type === 'warning' ? `dslab trial: ${line}` : line) + '\n');
        },
      });
    } catch (err) {
      throw sweepUserError(err);
    } finally {
      interrupts.dispose();
    }
    if (values.json) {
      printJson(io, {
        dir,
        space,
        index,
        outcome: result.kind,
        ...('record' in result ? { record: result.record } : {}),
        ...(result.kind === 'held' ? { holder: result.holder } : {}),
      });
    } else {
      io.stdout(outcomeLine(result, space, index) + '\n');
      if ('record' in result) io.stdout(`Record: ${dir}/${trialRelativePath(space, index)}\n`);
    }
    return interrupts.exitCode() ?? exitCodeOf(result);
  },
};
