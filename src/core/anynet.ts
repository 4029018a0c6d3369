/**
 * AnyNet structure helpers: pycls's width/group compatibility rule and the per-block widths
 * of an expanded model.
 */
import type { ExpandedModel, StageSpec } from './model';
import { roundHalfEven } from './rounding';

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

/**
 * pycls adjust_block_compatibility for one stage (paper b; pycls bm = 1/b).
 * Makes the bottleneck width w·(1/b) a multiple of the group width g, clipping g to the
 * bottleneck width first; ties round half to even (w = 120, g = 48 gives 96, not 144).
 * Throws a RangeError when w, b, g are not positive, when 1/b is neither below 1 nor an
 * integer, or when the result is not compatible (pycls asserts the same).
 */
export function adjustBlockCompatibility(width: number, bottleneck: number, groupWidth: number): { width: number; groupWidth: number } {
  if (!(width > 0 && bottleneck > 0 && groupWidth > 0)) {
    throw new RangeError(`width, bottleneck and group width must be positive, got ${width}, ${bottleneck}, ${groupWidth}`);
  }
  const bm = 1 / bottleneck;
  if (!(bm < 1 || Number.isInteger(bm))) {
    throw new RangeError(`1/bottleneck must be below 1 or an integer, got 1/${bottleneck}`);
  }
  let v = Math.trunc(Math.max(1, width * bm));
  const g = Math.trunc(Math.min(groupWidth, v));
  const m = bm > 1 ? lcm(g, Math.trunc(bm)) : g;
  v = Math.max(m, roundHalfEven(v / m) * m);
  const w = Math.trunc(v / bm);
  if ((w * bm) % g !== 0) {
    throw new RangeError(`width ${width}, bottleneck ${bottleneck} and group width ${groupWidth} cannot be made compatible`);
  }
  return { width: w, groupWidth: g };
}

/** Per-block output widths of an expanded model, block by block (for width plots and e_fit). */
export function blockWidths(model: ExpandedModel): number[] {
  const out: number[] = [];
  for (const stage of model.stages) {
    for (let i = 0; i < stage.depth; i++) out.push(stage.width);
  }
  return out;
}

/** Width of a bottleneck block's inner convs: w_b = round(w / b) (pycls round(w·bm), half to even). */
export function bottleneckWidth(stage: StageSpec): number {
  return roundHalfEven(stage.width * (1 / stage.bottleneck));
}

/** SE hidden width w_se = round(r·w_in): from the block's input width, as pycls does; 0 = no SE. */
export function seWidth(seRatio: number, wIn: number): number {
  return seRatio > 0 ? roundHalfEven(seRatio * wIn) : 0;
}
