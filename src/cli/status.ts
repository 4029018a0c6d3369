/** `dslab status DIR`: where a sweep stands, local or on Slurm. */
import { statusLines } from '../core/presentation/statusReport';
import { SweepDirectoryError } from '../core/results/store';
import { gatherStatus } from '../sweep/gatherStatus';
import { parseCommandArgs, printJson, UsageError, UserError, type Command, type Io } from './command';

const HELP = `Usage: dslab status DIR [--json]

Shows where the sweep in DIR stands: how many trials are done, running, pending (waiting in
the scheduler's queue), failed and still to train, per space, with the best error so far. It
reads the records, the trials' lock files (a live lock is a trial in training, on whatever host)
and, for a sweep submitted to Slurm (dslab sweep --executor slurm), what the scheduler says of
its job arrays (squeue --json, or scontrol show job; no accounting database is needed). Each
failed trial says why: its record's failure (the model's, or the environment's), or how its
task ended: FAILED with an exit status and the last lines of its log, TIMEOUT, CANCELLED,
NODE_FAIL, OUT_OF_MEMORY. Once the scheduler has forgotten a task, its log in
DIR/slurm/logs/ tells. The last line says how to submit what is missing.

Options:
  --json  print one JSON document: {dir, file, total, counts: {done, running, pending, failed,
          todo}, spaces: [{name, n, done, running, pending, failed, todo, best}], best,
          trials: [{space, index, state, error?, failure?: {kind, message, log?}, task?,
          detail?, log?}], slurm?: {jobs: [{job, script, trials, cancelledAt?, waiting,
          running, ended}], schedulerUnavailable?, sweepArgs}, unusable}

Exit status: 0 success, 1 DIR is not a sweep directory, 2 bad usage.

Example:
  dslab status .dslab/space.regnet
`;

export const statusCommand: Command = {
  name: 'status',
  summary: 'where a sweep stands: done, running, pending and failed trials, and why',
  help: HELP,
  run(argv: string[], io: Io): number {
    const { values, positionals } = parseCommandArgs(argv, {});
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing DIR (a sweep directory)' : `expected one DIR, got ${positionals.length} arguments`);
    let status;
    try {
      status = gatherStatus(positionals[0]);
    } catch (err) {
      if (err instanceof SweepDirectoryError) throw new UserError(err.message);
      throw err;
    }
    if (values.json) printJson(io, status);
    else io.stdout(statusLines(status).join('\n') + '\n');
    return 0;
  },
};
