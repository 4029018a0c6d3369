/**
 * A Slurm sweep followed from outside: each look at its status (records, locks, the scheduler)
 * becomes the sweep events a local run would have emitted, so that the terminal, the editor's
 * task, its status bar and the Results panel follow a job array as they follow local workers.
 * What was already reported is remembered, so each record and each failure is told once.
 */
import type { SweepEvent } from '../analysis/sweepEvents';
import type { TrialRecord } from '../results/records';
import type { SweepStatus } from '../results/sweepStatus';

export interface FollowMemory {
  /** Records reported, by trial and finish time (a retried trial's new record is news). */
  readonly records: Set<string>;
  /** Failures reported, by trial, task and kind. */
  readonly failures: Set<string>;
  /** The last queue counts reported ("2/5"). */
  queue?: string;
}

const recordKey = (r: TrialRecord): string => `${r.space}/${r.index}@${r.finishedAt}`;

/** The memory of a follow that starts now: what is on disk already is not news. */
export function followMemory(records: readonly TrialRecord[]): FollowMemory {
  return { records: new Set(records.map(recordKey)), failures: new Set() };
}

export interface FollowLook {
  events: SweepEvent[];
  /** Trials of the followed spaces that a task runs or the scheduler holds, or a live lock claims. */
  live: number;
}

/**
 * The events of one look at the sweep: records that landed, tasks that ended without one, and
 * the queue when it changed. `spaces`: the followed spaces (all when undefined).
 */
export function followLook(memory: FollowMemory, status: SweepStatus, records: readonly TrialRecord[], spaces?: ReadonlySet<string>): FollowLook {
  const followed = (t: { space: string }): boolean => spaces === undefined || spaces.has(t.space);
  const events: SweepEvent[] = [];
  for (const r of records) {
    if (!followed(r) || memory.records.has(recordKey(r))) continue;
    memory.records.add(recordKey(r));
    events.push({ type: 'trialFinished', record: r });
  }
  let running = 0;
  let pending = 0;
  for (const t of status.trials) {
    if (!followed(t)) continue;
    if (t.state === 'running') running++;
    else if (t.state === 'pending') pending++;
    // A record's own failure came as trialFinished; these are tasks that ended without one.
    else if (t.state === 'failed' && t.failure && t.failure.kind !== 'MODEL' && t.failure.kind !== 'ENVIRONMENT') {
      const key = `${t.space}/${t.index}/${t.task ?? ''}/${t.failure.kind}`;
      if (memory.failures.has(key)) continue;
      memory.failures.add(key);
      events.push({ type: 'trialFailed', space: t.space, index: t.index, kind: t.failure.kind, message: t.failure.message });
    }
  }
  const queue = `${running}/${pending}`;
  if (queue !== memory.queue) {
    memory.queue = queue;
    events.push({ type: 'queue', running, pending });
  }
  return { events, live: running + pending };
}
