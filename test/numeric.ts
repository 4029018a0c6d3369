// Numeric helpers shared by the kernel and op tests: seeded inputs and errors relative to a
// reference's scale.
import assert from 'node:assert/strict';

import type { Rng } from '../src/core/sampling/rng';

/** n values uniform in [offset − scale, offset + scale), from the seeded stream. */
export function randomValues(rng: Rng, n: number, scale = 1, offset = 0): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = offset + scale * (rng.float() * 2 - 1);
  return v;
}

/** max |a − b| / max |b|: the error relative to the reference's scale (absolute if b is all zeros). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return den === 0 ? num : num / den;
}

/** Asserts relativeError(actual, expected) ≤ bound, naming what was compared. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, bound: number, label: string): void {
  const err = relativeError(actual, expected);
  assert.ok(err <= bound, `${label}: relative error ${err.toExponential(2)} > ${bound}`);
}
