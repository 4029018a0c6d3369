/**
 * The sweep task's view of `dslab sweep --events`: JSON lines from the child's stdout in,
 * terminal lines (CRLF) and the figures of the progress notification and status bar out.
 */
import type { SweepPhase, SweepRunState } from '../core/analysis/panelProtocol';
import { describeRound, type SequentialSummary } from '../core/analysis/sequential';
import { escapeControlChars } from '../core/terminalText';
import { describeEnvironmentFailures, type TrialRecord } from '../core/results/records';
import type { SweepEvent, SweepSummary } from '../core/analysis/sweepEvents';

/** Splits a byte stream into complete lines, keeping a partial last line for the next chunk. */
export class LineBuffer {
  private rest = '';

  push(chunk: string): string[] {
    const lines = (this.rest + chunk).split(/\r?\n/);
    this.rest = lines.pop() ?? '';
    return lines.filter((l) => l !== '');
  }

  /** What is left when the stream ends. */
  flush(): string[] {
    const last = this.rest;
    this.rest = '';
    return last === '' ? [] : [last];
  }
}

/** A line for a pseudoterminal: control characters from user files escaped, every line break as CRLF, ending with one. */
export function terminalText(text: string): string {
  return escapeControlChars(text).replace(/\r?\n/g, '\r\n') + '\r\n';
}

/**
 * Whether a line of the CLI's stderr is worth showing beside the events: a diagnostic of the
 * space file (`FILE:LINE:COL: error: …`) or the CLI's own message (`dslab sweep: …`, `dslab: …`),
 * not one of the progress lines that repeat the events.
 */
export function isMessageForUser(line: string): boolean {
  return /^dslab( \w+)?: /.test(line) || /:\d+:\d+: (error|warning): /.test(line);
}

const percent = (x: number | null): string => (x === null ? '–' : `${x.toFixed(1)}%`);

function trialText(r: TrialRecord): string {
  const head = `${r.space} #${r.index}`;
  if (r.status === 'failed') return `${head}: failed (${r.failure?.message ?? 'no reason recorded'})`;
  if (r.status === 'diverged') return `${head}: diverged${r.divergedAt ? ` at epoch ${r.divergedAt.epoch}, step ${r.divergedAt.step}` : ''}`;
  return `${head}: ${percent(r.error)} error in ${r.wallSeconds.toFixed(1)} s`;
}

/** The closing table: per space, trials done of n, failures, best and median error. */
export function summaryLines(s: SweepSummary): string[] {
  const rows = [['space', 'done', 'failed', 'diverged', 'best', 'median']];
  for (const sp of s.spaces) rows.push([sp.name, `${sp.done}/${sp.n}`, String(sp.failed), String(sp.diverged), percent(sp.bestError), percent(sp.medianError)]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const table = rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
  const head = `${s.done} of ${s.total} trials done, ${s.trained} trained in ${s.wallSeconds.toFixed(1)} s`;
  const tail = s.interrupted ? [`Stopped: ${s.remaining} trials remain; run the task again to resume.`] : s.remaining > 0 ? [`${s.remaining} trials remain; run the task again.`] : [];
  const environment = s.environmentFailures > 0 ? [describeEnvironmentFailures(s.environmentFailures, s.environmentFailure, 'run the task again')] : [];
  return [head, ...table, ...tail, ...(s.sequential ? describeRound(s.sequential) : []), ...environment, `Results: ${s.dir}`];
}

/** The state of a running sweep, advanced by its events. */
export class SweepProgress {
  total = 0;
  done = 0;
  /** Lowest final error (%) of an `ok` trial so far, with its space. */
  best: { space: string; error: number } | undefined;
  summary: SweepSummary | undefined;
  /** A sequential sweep's latest round. */
  sequential: SequentialSummary | undefined;

  /** Applies an event and returns the terminal lines it prints (none for per-step events). */
  apply(e: SweepEvent): string[] {
    switch (e.type) {
      case 'started':
        this.total = e.total;
        this.done = e.done;
        return [`Sweep of ${e.total} trials in ${e.dir}${e.created ? ' (new)' : ''}: ${e.done} done, ${e.todo} to train`];
      case 'warning':
        return [`warning: ${e.message}`];
      case 'unusable':
        return [`${e.file}: unusable (${e.reason}); training it again`];
      case 'backend':
        return [...e.backend.fellThrough.map((l) => `  skipped ${l}`), `Training on ${e.backend.detail} with ${e.workers} worker${e.workers === 1 ? '' : 's'}`];
      case 'round':
        this.sequential = e.sequential;
        this.total = e.total;
        this.done = e.done;
        return describeRound(e.sequential);
      case 'trialStarted':
        return [`${e.space} #${e.index}: started on worker ${e.worker}`];
      case 'epoch':
        return [`${e.space} #${e.index}: epoch ${e.epoch.epoch}, loss ${e.epoch.trainLoss.toFixed(3)}, error ${percent(e.epoch.testError)}`];
      case 'step':
        return [];
      case 'trialSkipped':
        return [`${e.space} #${e.index}: being trained by ${e.holder}; left to it`];
      case 'trialFinished': {
        const r = e.record;
        this.done++;
        if (r.status === 'ok' && r.error !== null && (this.best === undefined || r.error < this.best.error)) this.best = { space: r.space, error: r.error };
        return [`${trialText(r)}  [${this.done}/${this.total}]`];
      }
      case 'finished':
        this.summary = e.summary;
        this.sequential = e.summary.sequential ?? this.sequential;
        this.done = e.summary.done;
        this.total = e.summary.total;
        return summaryLines(e.summary);
      default:
        return [];
    }
  }

  /** Status bar text: "dslab 3/12 · best 11.2%", with "· round 2/4" for a sequential sweep. */
  statusText(): string {
    const round = this.sequential ? ` · round ${this.sequential.round}/${this.sequential.rounds}` : '';
    return `dslab ${this.done}/${this.total}${round}${this.best ? ` · best ${percent(this.best.error)}` : ''}`;
  }

  /** The state the Results panel shows, in a phase the task knows. */
  runState(phase: SweepPhase): SweepRunState {
    return { phase, done: this.done, total: this.total, best: this.best ? { ...this.best } : null };
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
