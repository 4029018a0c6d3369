/**
 * Rounding as Python and numpy do it. pycls rounds with `round`/`np.round`, which round half to
 * even; JavaScript's Math.round rounds half up, and the ties really occur (w0 = 40, wm = 2.5
 * gives 100 / 8 = 12.5), so every width computation goes through here.
 */

/** Round to the nearest integer, ties to the even neighbour (Python `round(x)`, `np.round`). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f; // exact for |x| < 2^52
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Number of decimal places needed to write `q` exactly (0.1 → 1, 0.001 → 3, 8 → 0, 1e-10 → 10). */
export function decimalPlaces(q: number): number {
  if (Number.isInteger(q)) return 0;
  const s = q.toExponential(); // e.g. "1.25e-3"
  const [mantissa, exp] = s.split('e');
  const frac = mantissa.includes('.') ? mantissa.split('.')[1].length : 0;
  return Math.max(0, frac - Number(exp));
}

/**
 * k·q computed in decimal arithmetic, as pycls's samplers do: 364 · 0.1 is 36.4, not
 * 36.400000000000006, so sampled values reproduce pycls configs bit for bit.
 */
export function multipleOf(k: number, q: number): number {
  return Number((k * q).toFixed(decimalPlaces(q)));
}

/**
 * The integers k with lo ≤ k·q ≤ hi, the products compared as decimals (so 0.1·3 counts as
 * 0.3): `kHi < kLo` when no multiple of q lies in [lo, hi].
 */
export function multiplesIn(lo: number, hi: number, q: number): { kLo: number; kHi: number } {
  let kLo = Math.ceil(lo / q);
  while (multipleOf(kLo - 1, q) >= lo) kLo--;
  while (multipleOf(kLo, q) < lo) kLo++;
  let kHi = Math.floor(hi / q);
  while (multipleOf(kHi + 1, q) <= hi) kHi++;
  while (multipleOf(kHi, q) > hi) kHi--;
  return { kLo, kHi };
}
