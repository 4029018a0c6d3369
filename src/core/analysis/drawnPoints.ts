/**
 * Which points of a large curve or scatter a chart draws. A chart of 25,000 points costs a
 * canvas far more than it shows: these pick a few thousand that draw the same picture — the
 * best and worst ends exactly, the rest within a fraction of a pixel (step curves) or one point
 * per small cell (scatters). Only what is drawn is thinned; every statistic is computed on all
 * the trials before. Small inputs are returned whole, so small sweeps draw every point.
 */

/** Share of the budget kept exactly at each end (the lowest and the highest errors). */
const END_SHARE = 0.1;

const all = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * Indices (ascending) of the points of a step curve (x ascending, y non-decreasing, as an EDF)
 * to draw, at most `max`. The first and last tenth of the budget are kept as they are; in
 * between a point is kept when it lies more than 1/r of the middle's span beyond the last kept
 * one in x or in y (r = half the remaining budget). Drawn as steps through the kept points,
 * the curve then differs from the full one by less than that span's 1/r in either direction.
 */
export function stepCurvePoints(x: readonly number[], y: readonly number[], max: number): number[] {
  const n = x.length;
  if (n <= max) return all(n);
  const ends = Math.floor(max * END_SHARE);
  const r = Math.max(1, Math.floor((max - 2 * ends) / 2));
  const from = ends;
  const to = n - ends; // [from, to): the middle
  const dx = (x[to - 1] - x[from]) / r;
  const dy = (y[to - 1] - y[from]) / r;
  const kept = all(ends);
  let last = from;
  kept.push(from);
  for (let k = from + 1; k < to; k++) {
    if (x[k] - x[last] > dx || y[k] - y[last] > dy) {
      kept.push(k);
      last = k;
    }
  }
  for (let k = to; k < n; k++) kept.push(k);
  return kept;
}

/**
 * Indices (ascending) of the points of a scatter to draw, at most about `max` (plus `keep`):
 * the points with the lowest and the highest y (a tenth of the budget each), every index in
 * `keep` (the selected trial), and of the rest the first point in each cell of a grid over their
 * range (twice as many columns as rows, as the charts are wide), so that every region the
 * trials reach keeps a point.
 */
export function scatterPoints(x: readonly number[], y: readonly number[], max: number, keep: readonly number[] = []): number[] {
  const n = x.length;
  if (n <= max) return all(n);
  const ends = Math.floor(max * END_SHARE);
  const byY = all(n).sort((a, b) => y[a] - y[b] || a - b);
  const chosen = new Set<number>([...byY.slice(0, ends), ...byY.slice(n - ends), ...keep.filter((i) => i >= 0 && i < n)]);
  const middle = byY.slice(ends, n - ends).sort((a, b) => a - b);
  const cells = Math.max(1, max - 2 * ends);
  const columns = Math.max(1, Math.floor(Math.sqrt(2 * cells)));
  const rows = Math.max(1, Math.floor(cells / columns));
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const i of middle) {
    x0 = Math.min(x0, x[i]);
    x1 = Math.max(x1, x[i]);
    y0 = Math.min(y0, y[i]);
    y1 = Math.max(y1, y[i]);
  }
  const cell = (v: number, lo: number, hi: number, count: number): number => (hi > lo ? Math.min(count - 1, Math.floor(((v - lo) / (hi - lo)) * count)) : 0);
  const taken = new Set<number>();
  for (const i of middle) {
    const c = cell(y[i], y0, y1, rows) * columns + cell(x[i], x0, x1, columns);
    if (taken.has(c)) continue;
    taken.add(c);
    chosen.add(i);
  }
  return [...chosen].sort((a, b) => a - b);
}
