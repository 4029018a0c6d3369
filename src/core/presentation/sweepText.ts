/**
 * The words of a sweep as it runs: a line per event and the closing summary, and the state its
 * progress displays read. `dslab sweep` (stderr, a progress bar) and the editor's sweep task (a
 * terminal, a notification, the status bar) both render events through this module, so the two
 * say the same thing about the same event.
 */
import { statusBarText, type SweepPhase, type SweepRunState } from './runState';
import { describeRound, type SequentialSummary } from '../analysis/sequential';
import type { SweepEvent, SweepSummary } from '../analysis/sweepEvents';
import { describeEnvironmentFailures, type TrialRecord } from '../results/records';
import { count } from './counts';
import { tableLines } from './table';

/** "12.4%", or "–" for no value. */
export const percent = (x: number | null): string => (x === null ? '–' : `${x.toFixed(1)}%`);

/** "2.1 s", "4m05s", "1h02m". */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** "RegNetX #3: 12.4% error, 2.1 s, 480 img/s", or what went wrong. */
export function trialLine(r: TrialRecord): string {
  const head = `${r.space} #${r.index}`;
  if (r.status === 'failed') return `${head}: failed (${r.failure?.message ?? 'no reason recorded'})`;
  if (r.status === 'diverged') {
    const at = r.divergedAt ? ` at epoch ${r.divergedAt.epoch}, step ${r.divergedAt.step} (loss ${r.divergedAt.loss ?? 'NaN'})` : '';
    return `${head}: diverged${at}`;
  }
  const speed = r.imagesPerSecond === null ? '' : `, ${Math.round(r.imagesPerSecond)} img/s`;
  return `${head}: ${percent(r.error)} error, ${duration(r.wallSeconds)}${speed}`;
}

/**
 * The closing report: what was done and on what, a table per space, what remains and how to go
 * on. `again` says how to run the sweep again: "run the same command again", "run the task again".
 */
export function summaryLines(s: SweepSummary, again: string): string[] {
  const rows = [['space', 'n', 'done', 'failed', 'diverged', 'best', 'median']];
  for (const sp of s.spaces) {
    rows.push([sp.name, String(sp.n), String(sp.done), String(sp.failed), String(sp.diverged), percent(sp.bestError), percent(sp.medianError)]);
  }
  const jobs = s.slurmJobs ?? [];
  const ran = s.backend ? `on ${s.backend.detail}, ${count(s.workers, 'worker')}` : jobs.length > 0 ? `on Slurm, job ${jobs.join(', ')}` : 'nothing to train';
  const lines = [`${s.file}: ${s.done} of ${s.total} trials done, ${s.trained} trained in ${duration(s.wallSeconds)} (${ran})`, ...tableLines(rows)];
  if (s.interrupted) lines.push(`Interrupted: ${count(s.remaining, 'trial remains', 'trials remain')}; ${again} to resume.`);
  if (s.elsewhere > 0) lines.push(`${count(s.elsewhere, 'trial is', 'trials are')} being trained by another process.`);
  else if (!s.interrupted && s.remaining > 0) lines.push(`${count(s.remaining, 'trial remains', 'trials remain')}; ${again}.`);
  if (s.sequential) lines.push(...describeRound(s.sequential));
  if (s.environmentFailures > 0) lines.push(describeEnvironmentFailures(s.environmentFailures, s.environmentFailure, again));
  lines.push(`Results: ${s.dir}`);
  return lines;
}

/**
 * Events about one trial's course that a terminal of its own shows and a progress bar stands in
 * for: `dslab sweep` leaves their lines out of stderr.
 */
export const TRIAL_DETAIL_EVENTS: ReadonlySet<SweepEvent['type']> = new Set(['trialStarted', 'epoch']);

/** What a submission to Slurm did: the job array, or why nothing went out, and what was left out. */
export function submittedLines(s: Omit<Extract<SweepEvent, { type: 'submitted' }>, 'type'>): string[] {
  const lines = s.job !== null ? [`Submitted Slurm job ${s.job}: ${count(s.submitted, 'trial')} as array ${s.array} (script ${s.script})`] : ['Nothing new to submit to Slurm'];
  if (s.queued > 0) lines.push(`${count(s.queued, 'trial is', 'trials are')} queued or running in an earlier submission.`);
  if (s.elsewhere > 0) lines.push(`${count(s.elsewhere, 'trial is', 'trials are')} being trained by another process.`);
  return lines;
}

/** The state of a running sweep, advanced by its events, and the lines each event prints. */
export class SweepProgress {
  total = 0;
  done = 0;
  failed = 0;
  /** Trials this run set out to train (0 until the sweep starts). */
  todo = 0;
  /** Trials this run finished. */
  finishedNow = 0;
  /** Lowest final error (%) of an `ok` trial so far, with its space. */
  best: { space: string; error: number } | undefined;
  /** The same per space, in the order the spaces first had one. */
  readonly bestBySpace = new Map<string, number>();
  summary: SweepSummary | undefined;
  /** A sequential sweep's latest round. */
  sequential: SequentialSummary | undefined;
  /** The one space this run trains, when it trains one. */
  space: string | undefined;
  /** Slurm tasks that ended without a record (a followed Slurm sweep). */
  taskFailures = 0;

  /**
   * `again`: how to run the sweep again, for the summary (see summaryLines). `install`: where the
   * user installs a missing backend (the editor's command); backends skipped as not installed
   * are then named in one line pointing there, instead of one npm line each.
   */
  constructor(
    private readonly again: string,
    private readonly install?: string,
  ) {}

  private backendLines(fellThrough: readonly string[]): string[] {
    if (this.install === undefined) return fellThrough.map((l) => `  skipped ${l}`);
    const missing = fellThrough.map((l) => /^(\S+): not installed\b/.exec(l)?.[1]).filter((n): n is string => n !== undefined);
    const lines = fellThrough.filter((l) => !/^\S+: not installed\b/.test(l)).map((l) => `  skipped ${l}`);
    if (missing.length > 0) lines.push(`  not installed: ${missing.join(', ')} (${this.install})`);
    return lines;
  }

  /** Applies an event and returns the lines it prints (none for per-step events). */
  apply(e: SweepEvent): string[] {
    switch (e.type) {
      case 'started':
        this.total = e.total;
        this.done = e.done;
        this.todo = e.todo;
        this.space = e.spaces?.length === 1 ? e.spaces[0].name : undefined;
        return [`Sweep of ${e.total} trials in ${e.dir}${e.created ? ' (new)' : ''}: ${e.done} done, ${e.todo} to train`];
      case 'warning':
        return [`warning: ${e.message}`];
      case 'unusable':
        return [`${e.file}: unusable (${e.reason}); training it again`];
      case 'backend':
        return [...this.backendLines(e.backend.fellThrough), `Training on ${e.backend.detail} with ${count(e.workers, 'worker')}`];
      case 'round':
        this.sequential = e.sequential;
        this.total = e.total;
        this.done = e.done;
        this.todo = e.total - e.done + this.finishedNow;
        return describeRound(e.sequential);
      case 'trialStarted':
        return [`${e.space} #${e.index}: started on worker ${e.worker}`];
      case 'epoch':
        return [`${e.space} #${e.index}: epoch ${e.epoch.epoch}, loss ${e.epoch.trainLoss.toFixed(3)}, error ${percent(e.epoch.testError)}`];
      case 'step':
        return [];
      case 'mismatch':
        // The command's error message says it; the editor offers the ways on.
        return [];
      case 'trialSkipped':
        return [`${e.space} #${e.index}: being trained by ${e.holder}; left to it`];
      case 'submitted':
        return submittedLines(e);
      case 'queue':
        return [`Slurm: ${e.running} running, ${e.pending} pending`];
      case 'trialFailed':
        this.taskFailures++;
        return [`${e.space} #${e.index}: ${e.kind}: ${e.message}`];
      case 'trialFinished': {
        const r = e.record;
        this.done++;
        this.finishedNow++;
        if (r.status === 'failed') this.failed++;
        if (r.status === 'ok' && r.error !== null) {
          if (this.best === undefined || r.error < this.best.error) this.best = { space: r.space, error: r.error };
          this.bestBySpace.set(r.space, Math.min(this.bestBySpace.get(r.space) ?? Infinity, r.error));
        }
        return [trialLine(r)];
      }
      case 'finished':
        this.summary = e.summary;
        this.sequential = e.summary.sequential ?? this.sequential;
        this.done = e.summary.done;
        this.total = e.summary.total;
        return summaryLines(e.summary, this.again);
    }
  }

  /** Status bar text: "dslab 3/12 · best 11.2%", with "· round 2/4" for a sequential sweep. */
  statusText(): string {
    return statusBarText(this.runState('running'));
  }

  /** The sweep's state in a phase the task knows. */
  runState(phase: SweepPhase, reason?: string): SweepRunState {
    return {
      phase,
      done: this.done,
      total: this.total,
      best: this.best ? { ...this.best } : null,
      ...(this.space !== undefined ? { space: this.space } : {}),
      ...(this.sequential ? { round: { round: this.sequential.round, rounds: this.sequential.rounds } } : {}),
      ...(reason !== undefined ? { reason } : {}),
    };
  }

  /** How the sweep ended: done when every trial has a record, else cancelled (stopped) or failed. */
  endPhase(exitCode: number, stopped: boolean): SweepPhase {
    if (this.summary && this.summary.remaining === 0 && exitCode === 0) return 'done';
    if (stopped || this.summary?.interrupted) return 'cancelled';
    return exitCode === 0 ? 'done' : 'failed';
  }

  /** Fraction done, 0..1 (0 before the total is known). */
  fraction(): number {
    return this.total === 0 ? 0 : Math.min(1, this.done / this.total);
  }
}
