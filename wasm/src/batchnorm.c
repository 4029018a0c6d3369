/*
 * Training-mode batch norm (+ optional ReLU or swish) over NHWC data seen as m = N·H·W rows of c
 * channels.
 *
 * Per-channel sums run over rows with four channels per SIMD lane group. Each block of ROWS rows
 * is summed in float32 into a small per-channel buffer, and the block sums are added into
 * float64 totals: the rounding error grows with ROWS + m/ROWS instead of m, so a mean over
 * 100,000 values keeps about the precision of one over a few hundred. The variance is the mean
 * of (x − μ)² (a second pass), never E[x²] − μ², which cancels.
 *
 * Scratch (a few floats and doubles per channel) lives on the shadow stack.
 */
#include "kernels.h"
#include "swish.h"

#define ROWS 64

/* The activation after the normalization (the `act` argument of both kernels). */
enum { ACT_NONE = 0, ACT_RELU = 1, ACT_SWISH = 2 };

/* γ/√(σ² + ε) from the float σ² the backward pass gets: under swish both passes compute z with it, bit
 * for bit, which swish_grad4 needs. */
static float swish_scale(float gamma, float var, float eps) { return (float)((double)gamma / __builtin_sqrt((double)var + (double)eps)); }

/* acc[j] = 0 for j < c. */
static void zero(float *acc, int c) {
  for (int j = 0; j < c; j++) acc[j] = 0.0f;
}

/* total[j] += acc[j]. */
static void flush(double *total, const float *acc, int c) {
  for (int j = 0; j < c; j++) total[j] += (double)acc[j];
}

/* acc[j] += Σ_rows (x[r, j] − origin[j]) over rows [r0, r1). */
static void add_rows(float *acc, const float *x, const float *origin, int r0, int r1, int c) {
  int c4 = c & ~3;
  for (int r = r0; r < r1; r++) {
    const float *row = x + (long)r * c;
    int j = 0;
    for (; j < c4; j += 4) wasm_v128_store(acc + j, wasm_f32x4_add(wasm_v128_load(acc + j), wasm_f32x4_sub(wasm_v128_load(row + j), wasm_v128_load(origin + j))));
    for (; j < c; j++) acc[j] += row[j] - origin[j];
  }
}

/* acc[j] += Σ_rows (x[r, j] − mean[j])² over rows [r0, r1). */
static void add_squares(float *acc, const float *x, const float *mean, int r0, int r1, int c) {
  int c4 = c & ~3;
  for (int r = r0; r < r1; r++) {
    const float *row = x + (long)r * c;
    int j = 0;
    for (; j < c4; j += 4) {
      v128_t d = wasm_f32x4_sub(wasm_v128_load(row + j), wasm_v128_load(mean + j));
      wasm_v128_store(acc + j, MADD(d, d, wasm_v128_load(acc + j)));
    }
    for (; j < c; j++) {
      float d = row[j] - mean[j];
      acc[j] += d * d;
    }
  }
}

/*
 * Forward. x, y: [m, c]; gamma, beta, mean_out, var_out: [c]. Writes y = act(z) with
 * z = γ(x − μ)/√(σ² + ε) + β (act: none, max(0, z) or z·σ(z)), the batch mean μ and the biased batch
 * variance σ².
 */
void EXPORT(dslab_batchnorm_train)(const float *x, const float *gamma, const float *beta, float *y, float *mean_out, float *var_out, int m,
                                   int c, float eps, int act) {
  float acc[c];
  double total[c];
  float mean[c], scale[c], origin[c];

  /* Summed relative to the first row: a large common offset does not eat the float32 sums' precision. */
  for (int j = 0; j < c; j++) {
    total[j] = 0.0;
    origin[j] = x[j];
  }
  for (int r = 0; r < m; r += ROWS) {
    zero(acc, c);
    add_rows(acc, x, origin, r, imin(r + ROWS, m), c);
    flush(total, acc, c);
  }
  for (int j = 0; j < c; j++) mean[j] = (float)((double)origin[j] + total[j] / m);

  for (int j = 0; j < c; j++) total[j] = 0.0;
  for (int r = 0; r < m; r += ROWS) {
    zero(acc, c);
    add_squares(acc, x, mean, r, imin(r + ROWS, m), c);
    flush(total, acc, c);
  }
  for (int j = 0; j < c; j++) {
    double var = total[j] / m;
    double s = (double)gamma[j] / __builtin_sqrt(var + (double)eps);
    mean_out[j] = mean[j];
    var_out[j] = (float)var;
    /* y = (x − μ)·scale + β with scale = γ/√(σ² + ε); centred first, as x·scale + (β − μ·scale) cancels when σ is small. */
    scale[j] = act == ACT_SWISH ? swish_scale(gamma[j], var_out[j], eps) : (float)s;
  }

  int c4 = c & ~3;
  v128_t zero4 = wasm_f32x4_splat(0.0f);
  for (int r = 0; r < m; r++) {
    const float *in = x + (long)r * c;
    float *out = y + (long)r * c;
    int j = 0;
    if (act == ACT_RELU) {
      for (; j < c4; j += 4) {
        v128_t d = wasm_f32x4_sub(wasm_v128_load(in + j), wasm_v128_load(mean + j));
        wasm_v128_store(out + j, wasm_f32x4_max(MADD(d, wasm_v128_load(scale + j), wasm_v128_load(beta + j)), zero4));
      }
      for (; j < c; j++) {
        float v = (in[j] - mean[j]) * scale[j] + beta[j];
        out[j] = v > 0.0f ? v : 0.0f;
      }
    } else if (act == ACT_SWISH) {
      for (; j < c4; j += 4) {
        v128_t d = wasm_f32x4_sub(wasm_v128_load(in + j), wasm_v128_load(mean + j));
        wasm_v128_store(out + j, swish4(MADD(d, wasm_v128_load(scale + j), wasm_v128_load(beta + j))));
      }
      if (j < c) {
        int n = c - j;
        v128_t d = wasm_f32x4_sub(load_tail(in + j, n), load_tail(mean + j, n));
        store_tail(out + j, swish4(MADD(d, load_tail(scale + j, n), load_tail(beta + j, n))), n);
      }
    } else {
      for (; j < c4; j += 4) {
        v128_t d = wasm_f32x4_sub(wasm_v128_load(in + j), wasm_v128_load(mean + j));
        wasm_v128_store(out + j, MADD(d, wasm_v128_load(scale + j), wasm_v128_load(beta + j)));
      }
      for (; j < c; j++) out[j] = (in[j] - mean[j]) * scale[j] + beta[j];
    }
  }
}

/* acc_g[j] += Σ g, acc_gx[j] += Σ g·(x − μ) over rows [r0, r1); g = dy, masked by y > 0 when relu. */
static void add_grad_rows(float *acc_g, float *acc_gx, const float *dy, const float *x, const float *y, const float *mean, int r0, int r1,
                          int c, int relu) {
  int c4 = c & ~3;
  v128_t zero4 = wasm_f32x4_splat(0.0f);
  for (int r = r0; r < r1; r++) {
    long o = (long)r * c;
    int j = 0;
    for (; j < c4; j += 4) {
      v128_t g = wasm_v128_load(dy + o + j);
      if (relu) g = wasm_v128_and(g, wasm_f32x4_gt(wasm_v128_load(y + o + j), zero4));
      v128_t d = wasm_f32x4_sub(wasm_v128_load(x + o + j), wasm_v128_load(mean + j));
      wasm_v128_store(acc_g + j, wasm_f32x4_add(wasm_v128_load(acc_g + j), g));
      wasm_v128_store(acc_gx + j, MADD(g, d, wasm_v128_load(acc_gx + j)));
    }
    for (; j < c; j++) {
      float g = dy[o + j];
      if (relu && !(y[o + j] > 0.0f)) g = 0.0f;
      acc_g[j] += g;
      acc_gx[j] += g * (x[o + j] - mean[j]);
    }
  }
}

/*
 * As add_grad_rows under swish: g = dy·swish′(z), with z = (x − μ)·scale + β recomputed as the
 * forward pass computed it (y alone does not give it back), and g is written to g_out for the
 * second pass.
 */
static void add_swish_grad_rows(float *acc_g, float *acc_gx, float *g_out, const float *dy, const float *x, const float *y, const float *mean,
                                const float *scale, const float *beta, int r0, int r1, int c) {
  int c4 = c & ~3;
  for (int r = r0; r < r1; r++) {
    long o = (long)r * c;
    int j = 0;
    for (; j < c4; j += 4) {
      v128_t d = wasm_f32x4_sub(wasm_v128_load(x + o + j), wasm_v128_load(mean + j));
      v128_t g = swish_grad4(wasm_v128_load(dy + o + j), MADD(d, wasm_v128_load(scale + j), wasm_v128_load(beta + j)), wasm_v128_load(y + o + j));
      wasm_v128_store(g_out + o + j, g);
      wasm_v128_store(acc_g + j, wasm_f32x4_add(wasm_v128_load(acc_g + j), g));
      wasm_v128_store(acc_gx + j, MADD(g, d, wasm_v128_load(acc_gx + j)));
    }
    if (j < c) {
      int n = c - j;
      v128_t d = wasm_f32x4_sub(load_tail(x + o + j, n), load_tail(mean + j, n));
      store_tail(g_out + o + j, swish_grad4(load_tail(dy + o + j, n), MADD(d, load_tail(scale + j, n), load_tail(beta + j, n)), load_tail(y + o + j, n)), n);
      for (; j < c; j++) {
        acc_g[j] += g_out[o + j];
        acc_gx[j] += g_out[o + j] * (x[o + j] - mean[j]);
      }
    }
  }
}

/*
 * Backward of dslab_batchnorm_train. dy, x, y, dx: [m, c] (y is the forward output, read for the
 * ReLU mask only under ReLU); gamma, beta, mean, var, dgamma, dbeta: [c] (β is read only under
 * swish, to recompute z). With g the gradient at z (dy masked by y > 0 under ReLU, dy·swish′(z)
 * under swish), s = 1/√(σ² + ε), x̂ = (x − μ)·s:
 *   dβ = Σ g,  dγ = Σ g·x̂,  dx = γ·s·(g − dβ/m − x̂·dγ/m).
 * dγ is summed from the centred x, so it does not cancel.
 */
void EXPORT(dslab_batchnorm_train_grad)(const float *dy, const float *x, const float *y, const float *gamma, const float *beta,
                                        const float *mean, const float *var, float *dx, float *dgamma, float *dbeta, int m, int c, float eps,
                                        int act) {
  float acc_g[c], acc_gx[c];
  double total_g[c], total_gx[c];
  float p[c], q[c], r0[c], zscale[c];
  int relu = act == ACT_RELU;
  int swish = act == ACT_SWISH;

  for (int j = 0; j < c; j++) {
    total_g[j] = total_gx[j] = 0.0;
    zscale[j] = swish_scale(gamma[j], var[j], eps);
  }
  for (int r = 0; r < m; r += ROWS) {
    zero(acc_g, c);
    zero(acc_gx, c);
    if (swish)
      add_swish_grad_rows(acc_g, acc_gx, dx, dy, x, y, mean, zscale, beta, r, imin(r + ROWS, m), c);
    else
      add_grad_rows(acc_g, acc_gx, dy, x, y, mean, r, imin(r + ROWS, m), c, relu);
    flush(total_g, acc_g, c);
    flush(total_gx, acc_gx, c);
  }
  for (int j = 0; j < c; j++) {
    double s = 1.0 / __builtin_sqrt((double)var[j] + (double)eps);
    double gs = (double)gamma[j] * s;
    dbeta[j] = (float)total_g[j];
    dgamma[j] = (float)(total_gx[j] * s);
    /* dx = p·g + q·(x − μ) + r. */
    p[j] = (float)gs;
    q[j] = (float)(-gs * s * s * total_gx[j] / m);
    r0[j] = (float)(-gs * total_g[j] / m);
  }

  /* Under swish g is already in dx, where the first pass left it; each element is read before it is overwritten. */
  const float *g_in = swish ? dx : dy;
  int c4 = c & ~3;
  v128_t zero4 = wasm_f32x4_splat(0.0f);
  for (int r = 0; r < m; r++) {
    long o = (long)r * c;
    int j = 0;
    for (; j < c4; j += 4) {
      v128_t g = wasm_v128_load(g_in + o + j);
      if (relu) g = wasm_v128_and(g, wasm_f32x4_gt(wasm_v128_load(y + o + j), zero4));
      v128_t d = wasm_f32x4_sub(wasm_v128_load(x + o + j), wasm_v128_load(mean + j));
      v128_t v = MADD(d, wasm_v128_load(q + j), wasm_v128_load(r0 + j));
      wasm_v128_store(dx + o + j, MADD(g, wasm_v128_load(p + j), v));
    }
    for (; j < c; j++) {
      float g = g_in[o + j];
      if (relu && !(y[o + j] > 0.0f)) g = 0.0f;
      dx[o + j] = g * p[j] + ((x[o + j] - mean[j]) * q[j] + r0[j]);
    }
  }
}

/*
 * Running statistics after a training batch, in place (PyTorch's BatchNorm2d): with momentum mo,
 * running_mean ← (1 − mo)·running_mean + mo·mean and running_var ← (1 − mo)·running_var +
 * mo·unbias·var, where unbias = M/(M − 1) makes the biased batch variance unbiased.
 */
void EXPORT(dslab_batchnorm_running_update)(float *running_mean, float *running_var, const float *mean, const float *var, int c, float momentum,
                                            float unbias) {
  float keep = 1.0f - momentum;
  for (int j = 0; j < c; j++) {
    running_mean[j] = keep * running_mean[j] + momentum * mean[j];
    running_var[j] = keep * running_var[j] + momentum * (unbias * var[j]);
  }
}
