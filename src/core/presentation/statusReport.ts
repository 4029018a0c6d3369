/** The words of `dslab status`: where a sweep stands, what runs and waits, and why each failure failed. */
import type { SweepStatus, TrialStatus } from '../results/sweepStatus';
import { commandLine } from '../slurm/shellWords';
import { count } from './counts';
import { percent } from './sweepText';
import { tableLines } from './table';

/** Trials listed per state before "… and N more". */
const LISTED = 12;

/** "A #3". */
const trialName = (t: Pick<TrialStatus, 'space' | 'index'>): string => `${t.space} #${t.index}`;

function listed(title: string, trials: TrialStatus[], line: (t: TrialStatus) => string[]): string[] {
  if (trials.length === 0) return [];
  const width = Math.max(...trials.slice(0, LISTED).map((t) => trialName(t).length));
  const lines = [`${title}:`];
  for (const t of trials.slice(0, LISTED)) {
    const [first, ...more] = line(t);
    lines.push(`  ${trialName(t).padEnd(width)}  ${first}`, ...more.map((m) => `  ${' '.repeat(width)}  ${m}`));
  }
  if (trials.length > LISTED) lines.push(`  … and ${trials.length - LISTED} more`);
  return lines;
}

/** How to submit what is missing: the last submission's command, for the trials of its spaces that have no result and no task. */
function resubmitLines(s: SweepStatus & { slurm: NonNullable<SweepStatus['slurm']> }): string[] {
  const args = s.slurm.sweepArgs;
  const spaces = args.flatMap((a, i) => (a === '--space' && i + 1 < args.length ? [args[i + 1]] : []));
  const mine = s.trials.filter((t) => spaces.length === 0 || spaces.includes(t.space));
  const missing = mine.filter((t) => t.state === 'todo' || (t.state === 'failed' && t.failure?.kind !== 'MODEL')).length;
  const modelFailed = mine.filter((t) => t.failure?.kind === 'MODEL').length;
  if (missing + modelFailed === 0) return [];
  const timedOut = mine.some((t) => t.failure?.kind === 'TIMEOUT') ? ' (with a longer --time for those that ran out of time)' : '';
  return [
    '',
    `To submit the ${count(missing, 'trial')} without a result or a task: dslab sweep ${commandLine(args)}${timedOut}`,
    ...(modelFailed > 0 ? [`Add --retry-failed to train the ${count(modelFailed, 'trial')} whose model failed again.`] : []),
  ];
}

/** The status as lines of text. */
export function statusLines(s: SweepStatus): string[] {
  const c = s.counts;
  const lines = [
    `Sweep ${s.dir} (${s.file}): ${count(s.total, 'trial')}: ${c.done} done, ${c.running} running, ${c.pending} pending, ${c.failed} failed, ${c.todo} to train`,
    `Best error so far: ${s.best ? `${percent(s.best.error)} (${trialName(s.best)})` : 'none yet'}`,
    '',
    ...tableLines([
      ['space', 'n', 'done', 'running', 'pending', 'failed', 'to train', 'best'],
      ...s.spaces.map((sp) => [sp.name, sp.n, sp.done, sp.running, sp.pending, sp.failed, sp.todo, percent(sp.best)]),
    ], 1),
  ];
  if (s.slurm) {
    lines.push('');
    for (const j of s.slurm.jobs) {
      const tasks = j.waiting + j.running + j.ended === 0 ? 'no longer listed by the scheduler' : `${j.running} running, ${j.waiting} waiting, ${j.ended} ended`;
      lines.push(`Slurm job ${j.job} (${j.script}, ${count(j.trials, 'trial')}): ${tasks}${j.cancelledAt ? `; cancelled at ${j.cancelledAt}` : ''}`);
    }
    if (s.slurm.schedulerUnavailable) lines.push(`The scheduler cannot be asked (${s.slurm.schedulerUnavailable}): states come from records, locks and logs.`);
  }
  const of = (state: TrialStatus['state']): TrialStatus[] => s.trials.filter((t) => t.state === state);
  const where = (t: TrialStatus): string => [t.task ? `task ${t.task}` : '', t.detail ?? ''].filter(Boolean).join(' ');
  for (const block of [
    listed('Running', of('running'), (t) => [where(t)]),
    listed('Pending', of('pending'), (t) => [where(t)]),
    listed('Failed', of('failed'), (t) => [
      t.failure!.message,
      ...(t.failure!.log ?? []).map((l) => `| ${l}`),
      ...(t.log && t.failure!.kind !== 'MODEL' && t.failure!.kind !== 'ENVIRONMENT' ? [`log: ${t.log}`] : []),
    ]),
  ]) {
    if (block.length > 0) lines.push('', ...block);
  }
  for (const u of s.unusable) lines.push(`${u.file}: unusable (${u.reason}); trained again by the next run`);
  if (s.slurm) lines.push(...resubmitLines({ ...s, slurm: s.slurm }));
  return lines;
}
