/**
 * The training loss of a run, step by step, kept small: the mean loss of each run of consecutive
 * steps, at most `maxPoints` of them. A record stores it so that a run of one epoch, which has one
 * test error, still shows how it learned.
 */
export interface LossPoint {
  /** The last step (1-based, of the whole run) the point averages over. */
  step: number;
  loss: number;
}

export const LOSS_CURVE_POINTS = 64;

export class LossCurve {
  private readonly every: number;
  private readonly points: LossPoint[] = [];
  private sum = 0;
  private n = 0;
  private last = 0;

  constructor(totalSteps: number, maxPoints = LOSS_CURVE_POINTS) {
    this.every = Math.max(1, Math.ceil(totalSteps / maxPoints));
  }

  /** The loss of `step` (1-based); steps come in order. */
  add(step: number, loss: number): void {
    if (!Number.isFinite(loss)) return;
    this.sum += loss;
    this.n++;
    this.last = step;
    if (this.n === this.every) this.flush();
  }

  private flush(): void {
    if (this.n === 0) return;
    this.points.push({ step: this.last, loss: this.sum / this.n });
    this.sum = 0;
    this.n = 0;
  }

  /** The points so far, the last partial run included. */
  curve(): LossPoint[] {
    this.flush();
    return this.points.slice();
  }
}
