/*
 * One SGD step with momentum on one variable, as PyTorch defines it (dampening 0):
 *   g ← ∇p + wd·p;  buf ← m·buf + g;  update ← g + m·buf (Nesterov) or buf;  p ← p − lr·update.
 * p, grad, buf and the outputs p_out, buf_out: n floats (an output may be its input). buf starts
 * at 0, which makes the first buf equal g as in PyTorch.
 */
#include "kernels.h"

void EXPORT(dslab_sgd_momentum)(const float *p, const float *grad, const float *buf, float *p_out, float *buf_out, int n, float lr, float momentum,
                                float weight_decay, int nesterov) {
  v128_t lr4 = wasm_f32x4_splat(-lr);
  v128_t m4 = wasm_f32x4_splat(momentum);
  v128_t wd4 = wasm_f32x4_splat(weight_decay);
  int n4 = n & ~3;
  int i = 0;
  for (; i < n4; i += 4) {
    v128_t pv = wasm_v128_load(p + i);
    v128_t g = MADD(pv, wd4, wasm_v128_load(grad + i));
    v128_t b = MADD(wasm_v128_load(buf + i), m4, g);
    wasm_v128_store(buf_out + i, b);
    v128_t update = nesterov ? MADD(b, m4, g) : b;
    wasm_v128_store(p_out + i, MADD(update, lr4, pv));
  }
  for (; i < n; i++) {
    float g = grad[i] + weight_decay * p[i];
    float b = momentum * buf[i] + g;
    buf_out[i] = b;
    float update = nesterov ? g + momentum * b : b;
    p_out[i] = p[i] - lr * update;
  }
}
