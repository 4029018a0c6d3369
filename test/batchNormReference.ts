// The float64 reference of training-mode batch norm (+ ReLU or swish), forward and backward,
// that the fused kernels (wasm's C, webgpu's programs) are checked against.
import assert from 'node:assert/strict';

import type { Activation } from '../src/core/model';
import type { Rng } from '../src/core/sampling/rng';
import { randomValues } from './numeric';

/** The ε the kernel tests use. */
export const BN_EPS = 1e-5;

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
const ACTIVATIONS: Record<Activation, (z: number) => number> = { relu: (z) => Math.max(0, z), swish: (z) => z * sigmoid(z) };
const DERIVATIVES: Record<Activation, (z: number) => number> = { relu: (z) => (z > 0 ? 1 : 0), swish: (z) => sigmoid(z) * (1 + z * (1 - sigmoid(z))) };

/** Float64 reference of the forward pass over m rows of c channels; z is y before the activation. */
export function referenceForward(x: Float32Array, gamma: Float32Array, beta: Float32Array, m: number, c: number, act?: Activation) {
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let r = 0; r < m; r++) for (let j = 0; j < c; j++) mean[j] += x[r * c + j];
  for (let j = 0; j < c; j++) mean[j] /= m;
  for (let r = 0; r < m; r++) for (let j = 0; j < c; j++) variance[j] += (x[r * c + j] - mean[j]) ** 2;
  for (let j = 0; j < c; j++) variance[j] /= m;
  const z = new Float64Array(m * c);
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < c; j++) z[r * c + j] = (gamma[j] * (x[r * c + j] - mean[j])) / Math.sqrt(variance[j] + BN_EPS) + beta[j];
  }
  return { y: act === undefined ? z : z.map(ACTIVATIONS[act]), z, mean, variance };
}

/** Float64 reference of the backward pass: dx, dγ, dβ from dy (through the activation's derivative at z). */
export function referenceBackward(dy: Float32Array, x: Float32Array, z: Float64Array, gamma: Float32Array, mean: Float64Array, variance: Float64Array, m: number, c: number, act?: Activation) {
  const dGamma = new Float64Array(c);
  const dBeta = new Float64Array(c);
  const g = new Float64Array(m * c);
  for (let i = 0; i < m * c; i++) g[i] = act === undefined ? dy[i] : dy[i] * DERIVATIVES[act](z[i]);
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < c; j++) {
      const xHat = (x[r * c + j] - mean[j]) / Math.sqrt(variance[j] + BN_EPS);
      dBeta[j] += g[r * c + j];
      dGamma[j] += g[r * c + j] * xHat;
    }
  }
  const dx = new Float64Array(m * c);
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < c; j++) {
      const s = 1 / Math.sqrt(variance[j] + BN_EPS);
      const xHat = (x[r * c + j] - mean[j]) * s;
      dx[r * c + j] = gamma[j] * s * (g[r * c + j] - dBeta[j] / m - (xHat * dGamma[j]) / m);
    }
  }
  return { dx, dGamma, dBeta };
}

/**
 * dx is a difference of terms of size γ·s·|dy| that cancel almost fully for a few rows (for m = 1
 * it is 0): its error is measured against the size of those terms.
 */
export function assertDxClose(got: ArrayLike<number>, expected: Float64Array, dy: Float32Array, gamma: Float32Array, variance: Float64Array, bound: number): void {
  let termScale = 0;
  for (let j = 0; j < gamma.length; j++) termScale = Math.max(termScale, Math.abs(gamma[j]) / Math.sqrt(variance[j] + BN_EPS));
  termScale *= Math.max(...Array.from(dy, Math.abs));
  let err = 0;
  for (let i = 0; i < expected.length; i++) err = Math.max(err, Math.abs(got[i] - expected[i]));
  assert.ok(err <= bound * termScale, `dx: error ${err.toExponential(2)} against terms of ${termScale.toExponential(2)}`);
}

/** [rows, channels] to check: channel counts around the 4-lane width, rows from 1 (variance 0) to 2000, and seeded ones. */
export function batchNormCases(rng: Rng): [number, number][] {
  // Channel counts around the 4-lane width and rows from 1 (variance 0) to 2000.
  const cases: [number, number][] = [
    [1, 1],
    [1, 5],
    [2, 3],
    [7, 1],
    [64, 4],
    [65, 13],
    [200, 16],
    [333, 6],
    [1000, 17],
    [2000, 33],
  ];
  for (let i = 0; i < 6; i++) cases.push([1 + rng.int(0, 1999), 1 + rng.int(0, 39)]);
  return cases;
}

/** Inputs of one case: x with an offset mean and a spread per channel, as a conv output has. */
export function batchNormInputs(rng: Rng, m: number, c: number): { x: Float32Array; gamma: Float32Array; beta: Float32Array; dy: Float32Array } {
  const x = new Float32Array(m * c);
  for (let r = 0; r < m; r++) for (let j = 0; j < c; j++) x[r * c + j] = (j % 3) - 1 + (0.5 + j / c) * (rng.float() * 2 - 1);
  return { x, gamma: randomValues(rng, c, 0.5, 1), beta: randomValues(rng, c, 0.5), dy: randomValues(rng, m * c) };
}
