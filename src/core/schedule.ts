/**
 * The learning-rate schedule: a half-period cosine (MIN_LR = 0) or a constant, times a linear
 * warm-up factor at the start.
 *
 * `unit: epoch` is pycls's schedule exactly (`pycls/core/optimizer.py`, reference §6.1): one lr
 * per epoch, so a one-epoch run trains at the base lr throughout and never anneals. `unit: step`
 * (the default) evaluates the same formulas at every optimizer step, over the run's total steps:
 * short runs anneal too, and for runs of many epochs the two differ only within epochs.
 */
import type { ResolvedTraining } from './space/types';

export type Schedule = ResolvedTraining['schedule'];

/** Half-period cosine: 1 at t = 0, ½ at t = T/2, 0 at t = T. */
export function cosineFactor(t: number, total: number): number {
  return 0.5 * (1 + Math.cos((Math.PI * t) / total));
}

/** Linear warm-up: f at t = 0, rising linearly to 1 at t = W; 1 from t = W on. */
export function warmupFactor(t: number, warmup: number, factor: number): number {
  if (t >= warmup) return 1;
  const alpha = t / warmup;
  return factor * (1 - alpha) + alpha;
}

/** The lr of epoch `epoch` (0-based) of `epochs` with pycls's per-epoch rule: baseLr × policy × warm-up. */
export function epochLr(schedule: Schedule, baseLr: number, epoch: number, epochs: number): number {
  const policy = schedule.type === 'cosine' ? cosineFactor(epoch, epochs) : 1;
  return baseLr * policy * warmupFactor(epoch, schedule.warmupEpochs, schedule.warmupFactor);
}

/** Warm-up length in optimizer steps for a per-step schedule: `warmupSteps` when set, else warmupEpochs × steps per epoch, rounded. */
export function warmupSteps(schedule: Schedule, stepsPerEpoch: number): number {
  return schedule.warmupSteps ?? Math.round(schedule.warmupEpochs * stepsPerEpoch);
}

/** The lr of step `step` (0-based) of `totalSteps` with the per-step rule. */
export function stepLr(schedule: Schedule, baseLr: number, step: number, totalSteps: number, stepsPerEpoch: number): number {
  const policy = schedule.type === 'cosine' ? cosineFactor(step, totalSteps) : 1;
  return baseLr * policy * warmupFactor(step, warmupSteps(schedule, stepsPerEpoch), schedule.warmupFactor);
}

/**
 * The lr of every step of a run, whichever the unit: what the trainer applies. `epochs` epochs of
 * `stepsPerEpoch` steps each.
 */
export class LrSchedule {
  readonly totalSteps: number;

  constructor(
    readonly schedule: Schedule,
    readonly baseLr: number,
    readonly epochs: number,
    readonly stepsPerEpoch: number,
  ) {
    this.totalSteps = epochs * stepsPerEpoch;
  }

  /** The lr of step `stepInEpoch` (0-based) of epoch `epoch` (0-based). */
  at(epoch: number, stepInEpoch: number): number {
    if (this.schedule.unit === 'epoch') return epochLr(this.schedule, this.baseLr, epoch, this.epochs);
    return stepLr(this.schedule, this.baseLr, epoch * this.stepsPerEpoch + stepInEpoch, this.totalSteps, this.stepsPerEpoch);
  }

  /**
   * At most `points` (step, lr) pairs that draw the curve: evenly spaced steps, the last one and,
   * for a per-epoch schedule, the first step of every epoch (where the lr jumps), 1-based steps.
   */
  curve(points = 64): { step: number; lr: number }[] {
    const T = this.totalSteps;
    if (T === 0) return [];
    const steps = new Set<number>();
    const n = Math.min(points, T);
    for (let k = 0; k < n; k++) steps.add(Math.round((k * (T - 1)) / Math.max(1, n - 1)));
    if (this.schedule.unit === 'epoch') {
      for (let e = 0; e < this.epochs && steps.size < 2 * points; e++) {
        steps.add(e * this.stepsPerEpoch);
        if (e > 0) steps.add(e * this.stepsPerEpoch - 1);
      }
    }
    return [...steps]
      .sort((a, b) => a - b)
      .map((s) => ({ step: s + 1, lr: this.at(Math.floor(s / this.stepsPerEpoch), s % this.stepsPerEpoch) }));
  }
}
