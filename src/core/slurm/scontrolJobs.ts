/**
 * `scontrol show job ID` → the tasks of that job: one record per task, records separated by
 * blank lines, each a list of Key=Value words. The fallback where squeue has no --json (Slurm
 * before 21.08), and for a job squeue does not list. Times are the controller's local time.
 */
import { arrayTaskIds, stateKind, type SchedulerTask } from './tasks';

/** The Key=Value words of one record (values never hold blanks in the keys read here). */
function fields(record: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of record.matchAll(/(?:^|\s)([A-Za-z/:]+)=(\S*)/g)) if (!out.has(m[1])) out.set(m[1], m[2]);
  return out;
}

/** "2026-12-05T09:15:12" (local time) → seconds since the epoch; undefined for Unknown, None, N/A. */
function time(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(v)) return undefined;
  return Math.round(new Date(v).getTime() / 1000);
}

/** "1-02:03:04", "00:01:00", "5:00" → minutes; undefined for UNLIMITED or anything else. */
export function slurmMinutes(v: string | undefined): number | undefined {
  const m = v === undefined ? null : /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(v);
  if (!m) return undefined;
  const [days, hours, minutes, seconds] = [m[1], m[2], m[3], m[4]].map((x) => Number(x ?? 0));
  return days * 1440 + hours * 60 + minutes + seconds / 60;
}

const isCount = (v: string | undefined): v is string => v !== undefined && /^\d+$/.test(v);

/** The tasks in `scontrol show job` output. */
export function parseScontrolJobs(output: string): SchedulerTask[] {
  const tasks: SchedulerTask[] = [];
  for (const record of output.split(/\n\s*\n/)) {
    const f = fields(record);
    const ownId = f.get('JobId');
    if (!isCount(ownId)) continue;
    const arrayJobId = f.get('ArrayJobId');
    const isArray = isCount(arrayJobId);
    const state = f.get('JobState') ?? 'UNKNOWN';
    const kind = stateKind(state);
    const reason = f.get('Reason');
    const limit = slurmMinutes(f.get('TimeLimit'));
    const command = f.get('Command');
    const common = {
      arrayJobId: isArray ? arrayJobId : ownId,
      state,
      ...(command && command !== '(null)' ? { command } : {}),
      ...(reason && reason !== 'None' ? { reason } : {}),
      restarts: Number(f.get('Restarts') ?? 0) || 0,
      ...(limit === undefined ? {} : { timeLimitMinutes: limit }),
    };
    const taskExpr = f.get('ArrayTaskId');
    if (isArray && taskExpr !== undefined && !isCount(taskExpr)) {
      for (const id of arrayTaskIds(taskExpr)) tasks.push({ ...common, taskId: id });
      continue;
    }
    const [code, signal] = (f.get('ExitCode') ?? '0:0').split(':').map(Number);
    const node = f.get('NodeList');
    const start = time(f.get('StartTime'));
    const end = time(f.get('EndTime'));
    tasks.push({
      ...common,
      ...(isArray && isCount(taskExpr) ? { taskId: Number(taskExpr) } : {}),
      jobId: ownId,
      ...(kind === 'ended' ? (signal ? { signal } : { exitCode: code }) : {}),
      ...(kind !== 'waiting' && node && node !== '(null)' ? { node } : {}),
      ...(kind !== 'waiting' && start !== undefined ? { startTime: start } : {}),
      ...(kind === 'ended' && end !== undefined ? { endTime: end } : {}),
    });
  }
  return tasks;
}
