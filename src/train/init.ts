/**
 * pycls's weight initialisation (`pycls/models/blocks.py init_weights`, reference §1.5), drawn
 * from our seeded `Rng` so that a seed gives the same network on every machine and backend:
 * tfjs's own random ops are neither seeded per model nor stable across backends.
 */
import type { Rng } from '../core/sampling/rng';

/** `n` samples of N(0, std²): Box–Muller on pairs of uniform floats, both outputs used. */
export function normal(rng: Rng, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    // 1 − u lies in (0, 1], so the log is finite.
    const r = Math.sqrt(-2 * Math.log(1 - rng.float()));
    const theta = 2 * Math.PI * rng.float();
    out[i] = std * r * Math.cos(theta);
    if (i + 1 < n) out[i + 1] = std * r * Math.sin(theta);
  }
  return out;
}

/** `n` samples of U(−bound, bound). */
export function uniform(rng: Rng, n: number, bound: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = bound * (2 * rng.float() - 1);
  return out;
}

/**
 * Conv weights: N(0, √(2 / fan_out)) with fan_out = k·k·c_out. Groups are ignored, as in pycls
 * (it is PyTorch's kaiming "fan_out" mode written out).
 */
export function convStd(k: number, cOut: number): number {
  return Math.sqrt(2 / (k * k * cOut));
}

/** PyTorch's default conv bias bound 1/√fan_in with fan_in = c_in·k·k / groups (pycls leaves SE biases at it). */
export function convBiasBound(k: number, cIn: number, groups: number): number {
  return 1 / Math.sqrt((cIn * k * k) / groups);
}

/** Linear layer weights: N(0, 0.01²); its bias starts at 0. */
export const LINEAR_STD = 0.01;
