/**
 * The learning-rate schedule as pycls applies it (`pycls/core/optimizer.py`, reference §6.1):
 * one lr per epoch, a half-period cosine (MIN_LR = 0) or a constant, times a linear warm-up
 * factor during the first epochs.
 */
import type { ResolvedTraining } from './space/types';

export type Schedule = ResolvedTraining['schedule'];

/** Half-period cosine: 1 at e = 0, ½ at e = E/2, 0 at e = E. */
export function cosineFactor(epoch: number, epochs: number): number {
  return 0.5 * (1 + Math.cos((Math.PI * epoch) / epochs));
}

/** Linear warm-up: f at e = 0, rising linearly to 1 at e = W; 1 from e = W on. */
export function warmupFactor(epoch: number, warmupEpochs: number, factor: number): number {
  if (epoch >= warmupEpochs) return 1;
  const alpha = epoch / warmupEpochs;
  return factor * (1 - alpha) + alpha;
}

/** The lr of epoch `epoch` (0-based) of `epochs`: baseLr × policy × warm-up. */
export function epochLr(schedule: Schedule, baseLr: number, epoch: number, epochs: number): number {
  const policy = schedule.type === 'cosine' ? cosineFactor(epoch, epochs) : 1;
  return baseLr * policy * warmupFactor(epoch, schedule.warmupEpochs, schedule.warmupFactor);
}
