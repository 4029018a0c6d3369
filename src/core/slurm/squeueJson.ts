/**
 * `squeue --json` → the tasks of the jobs asked about. Slurm 22.05 ignores squeue's filters
 * with --json and lists every job it still knows (finished ones for MinJobAge seconds), so the
 * caller names the array jobs it wants. Later Slurm versions wrap numbers as
 * `{ set, infinite, number }`, give `job_state` as a list and `exit_code` as an object; both
 * forms are read.
 */
import { arrayTaskIds, stateKind, waitStatus, type SchedulerTask } from './tasks';

/** squeue's output is not what was expected: a message saying what. */
export class SchedulerOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchedulerOutputError';
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A number, or the number of a `{ set, infinite, number }` wrapper; undefined when unset or infinite. */
function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (isObject(v) && v.set !== false && v.infinite !== true) return num(v.number);
  return undefined;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

/** 22.05: a raw wait status; later: `{ return_code, signal: { id } }`. */
function exitOf(v: unknown): Pick<SchedulerTask, 'exitCode' | 'signal'> {
  const raw = num(v);
  if (raw !== undefined) return waitStatus(raw);
  if (!isObject(v)) return {};
  const signal = isObject(v.signal) ? num(v.signal.id) : undefined;
  if (signal !== undefined && signal !== 0) return { signal };
  const code = num(v.return_code);
  return code === undefined ? {} : { exitCode: code };
}

/** The tasks of the array jobs `arrayJobIds` (every job when absent) in squeue's JSON output. */
export function parseSqueueJson(output: string, arrayJobIds?: ReadonlySet<string>): SchedulerTask[] {
  let doc: unknown;
  try {
    doc = JSON.parse(output);
  } catch (err) {
    throw new SchedulerOutputError(`squeue --json printed something that is not JSON (${(err as Error).message})`);
  }
  if (!isObject(doc) || !Array.isArray(doc.jobs)) throw new SchedulerOutputError('squeue --json printed no "jobs" list');
  const tasks: SchedulerTask[] = [];
  for (const job of doc.jobs) {
    if (!isObject(job)) continue;
    const ownId = num(job.job_id);
    const arrayId = num(job.array_job_id);
    if (ownId === undefined) continue;
    const isArray = arrayId !== undefined && arrayId !== 0;
    const arrayJobId = String(isArray ? arrayId : ownId);
    if (arrayJobIds && !arrayJobIds.has(arrayJobId)) continue;
    const state = text(job.job_state) ?? 'UNKNOWN';
    const reason = text(job.state_reason);
    const kind = stateKind(state);
    const command = text(job.command);
    const common = {
      arrayJobId,
      state,
      ...(command ? { command } : {}),
      ...(reason && reason !== 'None' ? { reason } : {}),
      restarts: num(job.restart_cnt) ?? 0,
      ...optional('timeLimitMinutes', num(job.time_limit)),
    };
    const taskId = num(job.array_task_id);
    if (isArray && taskId === undefined) {
      // The array's own record: the tasks not started yet, as an expression ("1-3%1").
      for (const id of arrayTaskIds(text(job.array_task_string) ?? '')) tasks.push({ ...common, taskId: id });
      continue;
    }
    const node = text(job.nodes);
    tasks.push({
      ...common,
      ...(isArray ? { taskId } : {}),
      jobId: String(ownId),
      ...(kind === 'ended' ? exitOf(job.exit_code) : {}),
      ...(kind !== 'waiting' && node ? { node } : {}),
      ...(kind !== 'waiting' ? optional('startTime', num(job.start_time)) : {}),
      ...(kind === 'ended' ? optional('endTime', num(job.end_time)) : {}),
    });
  }
  return tasks;
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined || value === 0 ? {} : ({ [key]: value } as Record<K, number>);
}
