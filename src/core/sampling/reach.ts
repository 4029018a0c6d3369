/**
 * What complexity a space can reach, estimated by drawing models from it without constraints:
 * the smallest and largest flops, params and acts among the draws. A constraint that lies wholly
 * outside that range cannot be met by any model the space is likely to produce, so sampling it
 * would only run into `maxAttempts`. `dslab validate` warns about such constraints.
 */
import { complexity } from '../complexity';
import type { ComplexityMetric, DesignSpace, Interval } from '../space/types';
import { Rng } from './rng';
import { candidateDrawer } from './spaceSampler';

/** Draws per space: a few milliseconds, enough to see the range's bulk. */
export const REACH_DRAWS = 2000;

export interface Reach {
  /** Models drawn that passed the space's structural rules. */
  drawn: number;
  range: Record<ComplexityMetric, Interval>;
}

/** The range of each metric over `draws` candidates of `space` (its own seed); null when none passes the structural rules. */
export function estimateReach(space: DesignSpace, draws = REACH_DRAWS): Reach | null {
  const draw = candidateDrawer(space);
  const rng = new Rng(space.seed);
  const range: Record<ComplexityMetric, Interval> = { flops: [Infinity, -Infinity], params: [Infinity, -Infinity], acts: [Infinity, -Infinity] };
  let drawn = 0;
  for (let i = 0; i < draws; i++) {
    const c = draw(rng);
    if ('rejected' in c) continue;
    const cx = complexity(c.model);
    drawn++;
    for (const m of ['flops', 'params', 'acts'] as const) {
      range[m][0] = Math.min(range[m][0], cx[m]);
      range[m][1] = Math.max(range[m][1], cx[m]);
    }
  }
  return drawn === 0 ? null : { drawn, range };
}

/** The constraints of `space` that no drawn model met: [metric, constraint, reached range]. */
export function unreachableConstraints(space: DesignSpace, reach: Reach): [ComplexityMetric, Interval, Interval][] {
  const out: [ComplexityMetric, Interval, Interval][] = [];
  for (const m of ['flops', 'params', 'acts'] as const) {
    const c = space.constraints[m];
    if (!c) continue;
    const [lo, hi] = reach.range[m];
    if (c[1] < lo || c[0] > hi) out.push([m, c, [lo, hi]]);
  }
  return out;
}
