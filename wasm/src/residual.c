/*
 * The end of a residual block, y = max(0, a + b) or y = swish(a + b), and its gradient: the same
 * dx reaches both branches. Under ReLU it is dy where y > 0 and 0 elsewhere; under swish it is
 * dy·swish′(a + b) from y and the sum, recomputed from a and b. n floats each.
 */
#include "kernels.h"
#include "swish.h"

void EXPORT(dslab_add_relu)(const float *a, const float *b, float *y, int n) {
  v128_t zero4 = wasm_f32x4_splat(0.0f);
  int n4 = n & ~3;
  int i = 0;
  for (; i < n4; i += 4) wasm_v128_store(y + i, wasm_f32x4_max(wasm_f32x4_add(wasm_v128_load(a + i), wasm_v128_load(b + i)), zero4));
  for (; i < n; i++) {
    float v = a[i] + b[i];
    y[i] = v > 0.0f ? v : 0.0f;
  }
}

void EXPORT(dslab_relu_grad)(const float *dy, const float *y, float *dx, int n) {
  v128_t zero4 = wasm_f32x4_splat(0.0f);
  int n4 = n & ~3;
  int i = 0;
  for (; i < n4; i += 4) wasm_v128_store(dx + i, wasm_v128_and(wasm_v128_load(dy + i), wasm_f32x4_gt(wasm_v128_load(y + i), zero4)));
  for (; i < n; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

void EXPORT(dslab_add_swish)(const float *a, const float *b, float *y, int n) {
  int n4 = n & ~3;
  int i = 0;
  for (; i < n4; i += 4) wasm_v128_store(y + i, swish4(wasm_f32x4_add(wasm_v128_load(a + i), wasm_v128_load(b + i))));
  if (i < n) store_tail(y + i, swish4(wasm_f32x4_add(load_tail(a + i, n - i), load_tail(b + i, n - i))), n - i);
}

void EXPORT(dslab_add_swish_grad)(const float *dy, const float *a, const float *b, const float *y, float *dx, int n) {
  int n4 = n & ~3;
  int i = 0;
  for (; i < n4; i += 4) {
    v128_t z = wasm_f32x4_add(wasm_v128_load(a + i), wasm_v128_load(b + i));
    wasm_v128_store(dx + i, swish_grad4(wasm_v128_load(dy + i), z, wasm_v128_load(y + i)));
  }
  if (i < n) {
    v128_t z = wasm_f32x4_add(load_tail(a + i, n - i), load_tail(b + i, n - i));
    store_tail(dx + i, swish_grad4(load_tail(dy + i, n - i), z, load_tail(y + i, n - i)), n - i);
  }
}
