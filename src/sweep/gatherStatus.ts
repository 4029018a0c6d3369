/**
 * Gathers what `dslab status` shows: the records and the locks in the sweep directory, and for a
 * sweep submitted to Slurm, the scheduler's view of its jobs and the tasks' logs. Reads only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSweep, type SweepSnapshot } from '../core/analysis/loadSweep';
import { readOpenedFile } from '../core/openedFile';
import { taskLogName, trialPath } from '../core/results/layout';
import { inspectLock, type LockView } from '../core/results/lock';
import { sweepStatus, type SweepStatus } from '../core/results/sweepStatus';
import { readSubmissions } from '../core/slurm/submissions';
import { lastLines, logEnd } from '../core/slurm/taskLog';
import { trialKey } from './runner';
import { jobStateJudge, submissionTasks } from './slurm/scheduler';

/** Lines of a failed task's log shown with its failure. */
const LOG_LINES = 6;
/** Only the end of a log is read: what says how a task ended is there. */
const LOG_TAIL_BYTES = 64 * 1024;

function tail(file: string): string | undefined {
  return readOpenedFile(file, (fd) => {
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, LOG_TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  });
}

/** The status of the sweep in `dir`; throws a SweepDirectoryError when it holds none. */
export function gatherStatus(dir: string, snapshot: SweepSnapshot = loadSweep(dir)): SweepStatus {
  const submissions = readSubmissions(dir);
  const judge = submissions.length > 0 ? jobStateJudge() : undefined;
  const locks = new Map<string, LockView>();
  for (const m of snapshot.manifest.models) {
    const lock = inspectLock(trialPath(dir, m.space, m.index, 'lock'), { jobState: judge });
    if (lock) locks.set(trialKey(m), lock);
  }
  return sweepStatus({
    dir,
    manifest: snapshot.manifest,
    records: snapshot.records,
    unusable: snapshot.unusable,
    locks,
    submissions,
    scheduler: submissionTasks(dir, submissions),
    taskLog: (job, task) => {
      const text = tail(path.join(dir, taskLogName(job, task)));
      return text === undefined ? undefined : { ...optionalEnd(logEnd(text)), lastLines: lastLines(text, LOG_LINES) };
    },
    logName: taskLogName,
    now: Date.now() / 1000,
  });
}

const optionalEnd = <T>(end: T | undefined): { end?: T } => (end === undefined ? {} : { end });
