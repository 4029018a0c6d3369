/**
 * What a task's log says of how it ended, for when the scheduler no longer lists the task (it
 * forgets ended jobs after MinJobAge, and there may be no accounting database to ask): the line
 * slurmstepd writes when it kills a task ("*** JOB 8 ON node1 CANCELLED AT … DUE TO TIME LIMIT
 * ***"), its out-of-memory notice, and the batch script's own last line with its exit status.
 */

/** How the log says the task ended: a Slurm state and, when the script got to say it, its exit status. */
export interface LogEnd {
  state?: 'TIMEOUT' | 'CANCELLED' | 'NODE_FAIL' | 'PREEMPTED' | 'OUT_OF_MEMORY';
  exitCode?: number;
}

const KILLED = /\*\*\* JOB \d+ ON \S+ CANCELLED AT \S+(?: DUE TO ([A-Z ]+?))?(?:,.*)? \*\*\*/;
const CAUSES: Record<string, LogEnd['state']> = { 'TIME LIMIT': 'TIMEOUT', 'NODE FAILURE': 'NODE_FAIL', PREEMPTION: 'PREEMPTED' };
/** The batch script's last line (core/slurm/batchScript.ts). */
const EXITED = /^dslab trial exited with status (\d+)$/;
/** The first line `dslab trial` prints (trialHeader): a run starts, so whatever ended before does not count. */
const STARTED = /^Trial \S+ #\d+ of /;

/** The first line of a trial's output: "Trial A #3 of /sweeps/x on node1 (Slurm task 5_3, run 2)". */
export function trialHeader(space: string, index: number, dir: string, host: string, task?: { name: string; run: number }): string {
  return `Trial ${space} #${index} of ${dir} on ${host}${task ? ` (Slurm task ${task.name}, run ${task.run})` : ''}`;
}

/** How the last run in `log` ended, or undefined when the log does not say (still running, or ended silently). */
export function logEnd(log: string): LogEnd | undefined {
  // A requeued task appends: only the last run counts, and a requeue is not an end.
  let end: LogEnd | undefined;
  for (const line of log.split('\n')) {
    const killed = KILLED.exec(line);
    if (killed) {
      const cause = killed[1];
      end = cause === 'JOB REQUEUE' ? undefined : { state: (cause && CAUSES[cause]) || 'CANCELLED' };
      continue;
    }
    if (/oom[_-]kill event|OOM Killed/i.test(line) && line.includes('slurmstepd')) {
      end = { state: 'OUT_OF_MEMORY' };
      continue;
    }
    const exited = EXITED.exec(line.trim());
    if (exited) end = { ...(end?.state ? { state: end.state } : {}), exitCode: Number(exited[1]) };
    else if (STARTED.test(line)) end = undefined;
  }
  return end;
}

/** The last `n` lines of a task's output worth showing: not blank, not the script's own exit line. */
export function lastLines(log: string, n: number): string[] {
  return log
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !EXITED.test(l.trim()))
    .slice(-n);
}
