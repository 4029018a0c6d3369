/*
 * swish(z) = z·σ(z) and its derivative on four lanes. WebAssembly has no exp instruction: exp is
 * Cephes' expf (range reduction by ln 2, polynomial, ~1 ulp). σ is computed from t = exp(−|z|) ∈
 * (0, 1], which cannot overflow: σ(|z|) = 1/(1 + t), σ(−|z|) = t/(1 + t), both accurate.
 */
#ifndef DSLAB_SWISH_H
#define DSLAB_SWISH_H

#include "kernels.h"

/* exp(x) for x ≤ 0, and 0 below −87: from there on exp(x) < 1.7e−38 would need subnormal scales,
 * and z·exp(z) is 0 to float32's sums anyway (the mask also clears whatever the reduction made of
 * a huge |x|, so x needs no clamp). */
static inline v128_t exp_nonpositive4(v128_t x) {
  v128_t underflow = wasm_f32x4_lt(x, wasm_f32x4_splat(-87.0f));
  /* n = round(x/ln 2) by adding 1.5·2^23: the sum's low mantissa bits are n, and shifted up by 23
   * they are the exponent field of 2^n (n + 127 ≥ 1 for x ≥ −87, a normal float). */
  v128_t magic = wasm_f32x4_splat(12582912.0f);
  v128_t t = MADD(x, wasm_f32x4_splat(1.44269504088896341f), magic);
  v128_t n = wasm_f32x4_sub(t, magic);
  v128_t scale = wasm_i32x4_add(wasm_i32x4_shl(t, 23), wasm_i32x4_splat(127 << 23));
  /* ln 2 in two parts: n·0.693359375 is exact (n has ≤ 7 bits, the constant 9), so r keeps its bits. */
  v128_t r = MADD(n, wasm_f32x4_splat(-0.693359375f), x);
  r = MADD(n, wasm_f32x4_splat(2.12194440e-4f), r);
  v128_t p = wasm_f32x4_splat(1.9875691500e-4f);
  p = MADD(p, r, wasm_f32x4_splat(1.3981999507e-3f));
  p = MADD(p, r, wasm_f32x4_splat(8.3334519073e-3f));
  p = MADD(p, r, wasm_f32x4_splat(4.1665795894e-2f));
  p = MADD(p, r, wasm_f32x4_splat(1.6666665459e-1f));
  p = MADD(p, r, wasm_f32x4_splat(5.0000001201e-1f));
  p = MADD(p, wasm_f32x4_mul(r, r), wasm_f32x4_add(r, wasm_f32x4_splat(1.0f)));
  return wasm_v128_andnot(wasm_f32x4_mul(p, scale), underflow);
}

/* z·σ(z), with σ(z) = 1/(1 + t) for z ≥ 0 and t/(1 + t) below, t = exp(−|z|): one division. */
static inline v128_t swish4(v128_t z) {
  v128_t t = exp_nonpositive4(wasm_f32x4_neg(wasm_f32x4_abs(z)));
  v128_t num = wasm_v128_bitselect(t, wasm_f32x4_splat(1.0f), wasm_f32x4_lt(z, wasm_f32x4_splat(0.0f)));
  return wasm_f32x4_mul(z, wasm_f32x4_div(num, wasm_f32x4_add(wasm_f32x4_splat(1.0f), t)));
}

/*
 * dy·swish′(z) = dy·σ(z)·(1 + z·(1 − σ(z))) from z and y = swish4(z), with z computed bit for bit as
 * the forward pass computed it: then σ(z) = y/z to an ulp, a division instead of an exp. Where |z|
 * is too small for y to keep its bits, σ = 1/2. For large z, 1 − σ loses its relative precision,
 * which costs the result at most ~1.5e−6 of its size (around z = 14).
 */
static inline v128_t swish_grad4(v128_t dy, v128_t z, v128_t y) {
  v128_t one = wasm_f32x4_splat(1.0f);
  v128_t tiny = wasm_f32x4_lt(wasm_f32x4_abs(z), wasm_f32x4_splat(0x1p-60f));
  v128_t s = wasm_v128_bitselect(wasm_f32x4_splat(0.5f), wasm_f32x4_div(y, z), tiny);
  return wasm_f32x4_mul(dy, wasm_f32x4_mul(s, MADD(z, wasm_f32x4_sub(one, s), one)));
}

/* Loads and stores of the last n < 4 floats of a row through four lanes, so tails get the same
 * arithmetic as the vector body (there is no scalar exp). */
static inline v128_t load_tail(const float *p, int n) {
  float lanes[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  for (int i = 0; i < n; i++) lanes[i] = p[i];
  return wasm_v128_load(lanes);
}

static inline void store_tail(float *p, v128_t v, int n) {
  float lanes[4];
  wasm_v128_store(lanes, v);
  for (int i = 0; i < n; i++) p[i] = lanes[i];
}

#endif
