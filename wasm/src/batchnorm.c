/*
 * Training-mode batch norm (+ optional ReLU or swish) over NHWC data seen as m = N·H·W rows of c
 * channels.
 *
 * Sums run in float32 within a block of ROWS rows and are added into float64 totals after it: the
 * rounding error grows with ROWS + m/ROWS instead of m, so a mean over 100,000 values keeps about
 * the precision of one over a few hundred.
 *
 * Forward: the statistics take one pass over x, the sums of d = x − o and of d² for o = the
 * channel's first value, σ² = E[d²] − E[d]². Measured from a value of the batch, E[d]² is of the
 * size of σ² (not of μ², as E[x²] − μ² would cancel), so the difference keeps float32 precision;
 * a second pass normalizes. Both walk a block of rows one group of four channels at a time, the
 * group's sums and constants in registers, the block's rows in the L1 cache while the groups
 * revisit them.
 *
 * Backward: two passes row by row over dy, x and y, per-channel block sums in a small buffer. (The
 * forward's channel-group walk, and recomputing the ReLU mask from x instead of reading y, were
 * faster on warm data but 20–30% slower inside a training step, where x comes from memory.)
 *
 * Scratch (a few floats and doubles per channel) lives on the shadow stack.
 */
#include "kernels.h"
#include "swish.h"

#define ROWS 64

/* The activation after the normalization (the `act` argument of both kernels). */
enum { ACT_NONE = 0, ACT_RELU = 1, ACT_SWISH = 2 };

/* γ/√(σ² + ε) from the float σ² the backward pass gets: both passes compute z with it, bit for bit,
 * which the backward pass's ReLU mask and swish_grad4 need. */
static float z_scale(float gamma, float var, float eps) { return (float)((double)gamma / __builtin_sqrt((double)var + (double)eps)); }

/* The first n (1..4) floats at p as lanes (the rest 0). */
static inline v128_t load_n(const float *p, int n) { return n == 4 ? wasm_v128_load(p) : load_tail(p, n); }

static inline void store_n(float *p, v128_t v, int n) {
  if (n == 4)
    wasm_v128_store(p, v);
  else
    store_tail(p, v, n);
}

/* total[0..n) += the first n lanes of v. */
static inline void add_lanes(double *total, v128_t v, int n) {
  float lanes[4];
  wasm_v128_store(lanes, v);
  for (int l = 0; l < n; l++) total[l] += (double)lanes[l];
}

/* z = (x − μ)·scale + β on four lanes, as both passes compute it. */
static inline v128_t z4(v128_t d, v128_t scale, v128_t beta) { return MADD(d, scale, beta); }

/*
 * Sums of d = x − o and of d² over rows [r0, r1) of n channels at x (row stride c). Two sets of
 * sums, even and odd rows, halve the wait on the adds' latency. Inlined with n = 4 for the full
 * groups, so their loads are plain.
 */
static inline __attribute__((always_inline)) void moments(const float *x, int c, int r0, int r1, v128_t o, int n, v128_t *s, v128_t *s2) {
  v128_t a = wasm_f32x4_splat(0.0f), a2 = a, b = a, b2 = a;
  int r = r0;
  for (; r + 1 < r1; r += 2) {
    v128_t d = wasm_f32x4_sub(load_n(x + (long)r * c, n), o);
    v128_t e = wasm_f32x4_sub(load_n(x + (long)(r + 1) * c, n), o);
    a = wasm_f32x4_add(a, d);
    a2 = MADD(d, d, a2);
    b = wasm_f32x4_add(b, e);
    b2 = MADD(e, e, b2);
  }
  if (r < r1) {
    v128_t d = wasm_f32x4_sub(load_n(x + (long)r * c, n), o);
    a = wasm_f32x4_add(a, d);
    a2 = MADD(d, d, a2);
  }
  *s = wasm_f32x4_add(a, b);
  *s2 = wasm_f32x4_add(a2, b2);
}

/* y = act(z) for `rows` rows of n channels (row stride c). */
static inline __attribute__((always_inline)) void normalize(const float *in, float *out, int c, int rows, v128_t mu, v128_t sc, v128_t b, int act,
                                                            int n) {
  v128_t zero4 = wasm_f32x4_splat(0.0f);
  if (act == ACT_RELU) {
    for (int r = 0; r < rows; r++, in += c, out += c) store_n(out, wasm_f32x4_max(z4(wasm_f32x4_sub(load_n(in, n), mu), sc, b), zero4), n);
  } else if (act == ACT_SWISH) {
    for (int r = 0; r < rows; r++, in += c, out += c) store_n(out, swish4(z4(wasm_f32x4_sub(load_n(in, n), mu), sc, b)), n);
  } else {
    for (int r = 0; r < rows; r++, in += c, out += c) store_n(out, z4(wasm_f32x4_sub(load_n(in, n), mu), sc, b), n);
  }
}

/*
 * Forward. x, y: [m, c]; gamma, beta, mean_out, var_out: [c]. Writes y = act(z) with
 * z = γ(x − μ)/√(σ² + ε) + β (act: none, max(0, z) or z·σ(z)), the batch mean μ and the biased batch
 * variance σ².
 */
void EXPORT(dslab_batchnorm_train)(const float *x, const float *gamma, const float *beta, float *y, float *mean_out, float *var_out, int m,
                                   int c, float eps, int act) {
  double total[c], total2[c];
  float mean[c], scale[c];

  /* Summed relative to the first row: a large common offset does not eat the float32 sums' precision. */
  for (int j = 0; j < c; j++) total[j] = total2[j] = 0.0;
  for (int r0 = 0; r0 < m; r0 += ROWS) {
    int r1 = imin(r0 + ROWS, m);
    for (int j = 0; j < c; j += 4) {
      int n = imin(4, c - j);
      v128_t s, s2;
      if (n == 4)
        moments(x + j, c, r0, r1, wasm_v128_load(x + j), 4, &s, &s2);
      else
        moments(x + j, c, r0, r1, load_tail(x + j, n), n, &s, &s2);
      add_lanes(total + j, s, n);
      add_lanes(total2 + j, s2, n);
    }
  }
  for (int j = 0; j < c; j++) {
    double shift = total[j] / m;
    double var = total2[j] / m - shift * shift;
    mean[j] = (float)((double)x[j] + shift);
    mean_out[j] = mean[j];
    var_out[j] = (float)(var > 0.0 ? var : 0.0);
    /* y = (x − μ)·scale + β; centred first, as x·scale + (β − μ·scale) cancels when σ is small. */
    scale[j] = z_scale(gamma[j], var_out[j], eps);
  }

  for (int r0 = 0; r0 < m; r0 += ROWS) {
    int rows = imin(ROWS, m - r0);
    for (int j = 0; j < c; j += 4) {
      int n = imin(4, c - j);
      const float *in = x + (long)r0 * c + j;
      float *out = y + (long)r0 * c + j;
      if (n == 4)
        normalize(in, out, c, rows, wasm_v128_load(mean + j), wasm_v128_load(scale + j), wasm_v128_load(beta + j), act, 4);
      else
        normalize(in, out, c, rows, load_tail(mean + j, n), load_tail(scale + j, n), load_tail(beta + j, n), act, n);
    }
  }
}

/* acc[j] = 0 for j < c. */
static void zero(float *acc, int c) {
  for (int j = 0; j < c; j++) acc[j] = 0.0f;
}

/* total[j] += acc[j]. */
static void flush(double *total, const float *acc, int c) {
  for (int j = 0; j < c; j++) total[j] += (double)acc[j];
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
    zscale[j] = z_scale(gamma[j], var[j], eps);
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
