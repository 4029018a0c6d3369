/** Summary statistics of plain lists of numbers (weighted ones for EDFs are in edf.ts). */

/** The median of a non-empty list; of an even count, the mean of the middle two. NaN for an empty list. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
