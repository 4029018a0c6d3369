/** `dslab cancel DIR`: cancel a sweep's Slurm jobs, keeping every record. */
import { SweepDirectoryError } from '../core/results/store';
import { count, groupThousands } from '../core/presentation/counts';
import { commandLine } from '../core/slurm/shellWords';
import { SlurmUnavailableError } from '../sweep/slurm/commands';
import { cancelSweep, type CancelSummary } from '../sweep/slurm/cancel';
import { SweepError } from '../sweep/runner';
import { parseCommandArgs, printJson, UsageError, UserError, type Command, type Io } from './command';

const HELP = `Usage: dslab cancel DIR [--json]

Cancels the Slurm jobs of the sweep in DIR (submitted by dslab sweep --executor slurm): every
job array of it with tasks still waiting or running, with scancel. Finished records are kept;
running tasks stop without writing a record and release their trials (it waits up to 20 s for
them). Submitting the sweep again (the same dslab sweep command) trains what is missing.

Options:
  --json  print one JSON document: {dir, cancelled: [{job, waiting, running}], stopping,
          recorded, total, sweepArgs}

Exit status: 0 success (also when nothing was left to cancel), 1 DIR is not a sweep, was never
submitted to Slurm, or the scheduler cannot be asked, 2 bad usage.
`;

function cancelText(s: CancelSummary): string {
  const lines: string[] = [];
  if (s.cancelled.length === 0) lines.push(`Nothing to cancel: no job of ${s.dir} is waiting or running.`);
  for (const c of s.cancelled) lines.push(`Cancelled Slurm job ${c.job}: ${count(c.running, 'running task')}, ${count(c.waiting, 'waiting task')}.`);
  if (s.stopping > 0) lines.push(`${count(s.stopping, 'task is', 'tasks are')} still stopping.`);
  lines.push(`${groupThousands(s.recorded)} of ${count(s.total, 'trial')} have a record, kept.`);
  if (s.recorded < s.total) lines.push(`To go on: dslab sweep ${commandLine(s.sweepArgs)}`);
  return lines.join('\n') + '\n';
}

export const cancelCommand: Command = {
  name: 'cancel',
  summary: "cancel a sweep's Slurm jobs (records are kept)",
  help: HELP,
  async run(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, {});
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing DIR (a sweep directory)' : `expected one DIR, got ${positionals.length} arguments`);
    let summary: CancelSummary;
    try {
      summary = await cancelSweep(positionals[0]);
    } catch (err) {
      if (err instanceof SweepDirectoryError || err instanceof SweepError || err instanceof SlurmUnavailableError) throw new UserError(err.message);
      throw err;
    }
    if (values.json) printJson(io, summary);
    else io.stdout(cancelText(summary));
    return 0;
  },
};
