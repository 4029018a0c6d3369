/*
 * Grouped 2-D convolution, NHWC, for training: forward, input gradient and filter gradient.
 *
 * x [n, h, w, cIn], filter [k, k, cIn/G, cOut] (group g's output channels are the g-th block of
 * cOut, as in tfjs's layout), stride s, padding p on every side, output [n, oh, ow, cOut] with
 * oh = (h + 2p - k)/s + 1.
 *
 * Each op is an indirect GEMM: a register tile of 4 rows × 8 columns (two f32x4 per row) runs
 * over "rows" given as pointers, one per row and filter tap, instead of an im2col copy; a tap
 * that falls in the padding points at a row of zeros. The filter is packed into panels of 8
 * columns (zero-padded), so channel counts that are not multiples of 4 or 8 need no special
 * inner loop; only the stores of the last panel are partial.
 *
 * The filter gradient is the same tile turned around: rows are (tap, input channel) pairs, columns
 * output channels, and the reduction runs over a chunk of output pixels whose x and dy are packed
 * first (x in blocks of four pairs, dy in panels of eight channels), so the tile reads both
 * contiguously.
 *
 * The input gradient of a strided conv is split by pixel phase: input pixels whose (i + p) mod s
 * agree receive contributions from the same filter taps, so each phase is one dense indirect GEMM
 * with no multiplications by the zeros a dilated gradient would hold.
 *
 * Depthwise convs (one input and one output channel per group) take a separate path that
 * vectorizes across channels, as a GEMM of width 1 would waste 7/8 of each tile.
 *
 * A narrow input (a stem: 1 or 3 channels) would make the tap pointers or the packed copies cost
 * as much as the GEMM, one per multiply-add of a row: its forward op and filter gradient copy the
 * k input rows of one output row at a time into a zero-padded band instead, where neighbouring
 * output pixels read at fixed offsets (inside a step, forward + filter gradient: the tiny AnyNet's
 * 1-channel stem 3.0 → 1.3 ms, RegNetX's 3-channel one 7.1 → 3.8 ms).
 *
 * Paths with one call site are kept out of line (noinline): inlined into an exported op, they made
 * V8 compile that op's other loops worse (every filter gradient ran ~2× slower).
 *
 * Every op takes a scratch block (its size from the matching *_scratch function), 16-byte aligned.
 */
#include "kernels.h"

#define MR 4   /* rows of the register tile (6 spills in V8's 16 SIMD registers: 40% slower) */
#define NR 8   /* columns of the register tile = width of a packed panel */
#define MB 64  /* rows whose indirection is built at once (forward, input gradient) */
#define MC 256 /* output pixels per chunk of the filter gradient */
/* The same, x read through tap pointers: a chunk's source pixels span more image rows than its
   output pixels (k×k taps, stride), and 64 keep them in the L1 and L2 caches while the tiles
   sweep them (the tiny AnyNet's 3×3 grouped filter gradients: ~10% faster than 256). */
#define MC_INDIRECT 64

static inline int ceil_div(int a, int b) { return (a + b - 1) / b; }
static inline int round_up(int a, int b) { return ceil_div(a, b) * b; }

/* The first n (0..4) lanes of v to p. */
static inline void store_part(float *p, v128_t v, int n) {
  if (n >= 4) {
    wasm_v128_store(p, v);
    return;
  }
  if (n & 2) {
    wasm_v128_store64_lane(p, v, 0);
    p += 2;
    v = wasm_i64x2_shuffle(v, v, 1, 1);
  }
  if (n & 1) wasm_v128_store32_lane(p, v, 0);
}

/* The first nc (1..8) columns of a row of the tile. */
static inline void store_row(float *p, v128_t lo, v128_t hi, int nc) {
  if (nc >= 8) {
    wasm_v128_store(p, lo);
    wasm_v128_store(p + 4, hi);
  } else if (nc > 4) {
    wasm_v128_store(p, lo);
    store_part(p + 4, hi, nc - 4);
  } else {
    store_part(p, lo, nc);
  }
}

/*
 * One step of a 4×8 register tile: c[2r], c[2r + 1] += *a_r · b[0..8) for the four rows r. Every
 * GEMM here is a loop of these.
 */
static inline __attribute__((always_inline)) void tile_step(const float *a0, const float *a1, const float *a2, const float *a3, const float *b,
                                                            v128_t *c) {
  v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
  v128_t x0 = wasm_v128_load32_splat(a0);
  v128_t x1 = wasm_v128_load32_splat(a1);
  v128_t x2 = wasm_v128_load32_splat(a2);
  v128_t x3 = wasm_v128_load32_splat(a3);
  c[0] = MADD(x0, b0, c[0]);
  c[1] = MADD(x0, b1, c[1]);
  c[2] = MADD(x1, b0, c[2]);
  c[3] = MADD(x1, b1, c[3]);
  c[4] = MADD(x2, b0, c[4]);
  c[5] = MADD(x2, b1, c[5]);
  c[6] = MADD(x3, b0, c[6]);
  c[7] = MADD(x3, b1, c[7]);
}

/* The first nc columns of the tile's first mr rows to rows[0..mr) at column offset off. */
static inline __attribute__((always_inline)) void store_tile(float *const *rows, int off, const v128_t *c, int mr, int nc) {
  store_row(rows[0] + off, c[0], c[1], nc);
  if (mr > 1) store_row(rows[1] + off, c[2], c[3], nc);
  if (mr > 2) store_row(rows[2] + off, c[4], c[5], nc);
  if (mr > 3) store_row(rows[3] + off, c[6], c[7], nc);
}

/*
 * C[r][0..nc) = Σ_t Σ_i a[r][t][aoff + i] · B[t·kc + i][0..8) for r < mr, where a[r][t] is the
 * pointer ind[r·taps + t], B a packed panel and C row r starts at crow[r] + coff. Rows mr..3 of
 * `ind` must still point at readable memory (the zero row).
 */
static inline void gemm_tile(const float *const *ind, int taps, int aoff, int kc, const float *b, float *const *crow,
                             int coff, int mr, int nc) {
  v128_t c[8];
  for (int l = 0; l < 8; l++) c[l] = wasm_f32x4_splat(0);
  for (int t = 0; t < taps; t++) {
    const float *a0 = ind[t] + aoff;
    const float *a1 = ind[taps + t] + aoff;
    const float *a2 = ind[2 * taps + t] + aoff;
    const float *a3 = ind[3 * taps + t] + aoff;
    for (int i = 0; i < kc; i++, b += NR) tile_step(a0 + i, a1 + i, a2 + i, a3 + i, b, c);
  }
  store_tile(crow, coff, c, mr, nc);
}

/*
 * Runs the tiles of one block of rows: for every group and panel, C[rows][g's columns] from the
 * rows' indirection. kc: the reduction length per tap; aoff_g/coff_g: per-group offsets into the
 * A rows and C rows; cols: C columns per group; panel: floats per packed panel.
 */
static void gemm_block(const float *const *ind, float *const *crow, int rows, int taps, int kc, int groups, int aoff_g,
                       int coff_g, int cols, const float *packed, int rows_outer) {
  int panels = ceil_div(cols, NR);
  int panel = taps * kc * NR;
  if (rows_outer) {
    /* Four rows at a time through every group: the rows' pixels (all groups' channels) stay in the
       L1 cache. For a strided grouped conv the block's pixels span too many image rows to stay
       there while the groups take turns (RegNetX 3×3 G6 48 s2 at 32×32: 5.9 → 3.5 ms). */
    for (int r = 0; r < rows; r += MR)
      for (int g = 0; g < groups; g++)
        for (int j = 0; j < panels; j++)
          gemm_tile(ind + r * taps, taps, g * aoff_g, kc, packed + (g * panels + j) * panel, crow + r, g * coff_g + j * NR, imin(MR, rows - r),
                    imin(NR, cols - j * NR));
    return;
  }
  for (int g = 0; g < groups; g++) {
    for (int j = 0; j < panels; j++) {
      const float *b = packed + (g * panels + j) * panel;
      int nc = imin(NR, cols - j * NR);
      for (int r = 0; r < rows; r += MR) gemm_tile(ind + r * taps, taps, g * aoff_g, kc, b, crow + r, g * coff_g + j * NR, imin(MR, rows - r), nc);
    }
  }
}

/* The zero row at the start of a scratch block: `len` floats, rounded to a multiple of 4. */
static float *zero_row(void *scratch, int len) {
  float *z = (float *)scratch;
  for (int i = 0; i < round_up(len, 4); i++) z[i] = 0;
  return z;
}

/* ---------------------------------------------------------------- depthwise (multiplier 1) */

/* The range [lo, hi) of output positions o whose o·s + t − p lies in [0, len). */
static inline void tap_range(int t, int s, int p, int len, int out, int *lo, int *hi) {
  int a = p - t; /* o·s ≥ a */
  *lo = a <= 0 ? 0 : ceil_div(a, s);
  int b = len - 1 + p - t; /* o·s ≤ b */
  *hi = b < 0 ? 0 : imin(out, b / s + 1);
  if (*hi < *lo) *hi = *lo;
}

__attribute__((noinline)) static void dw_forward(const float *x, const float *w, float *y, int n, int h, int wd, int c, int oh, int ow, int k,
                       int s, int p) {
  for (int b = 0; b < n; b++)
    for (int i = 0; i < oh; i++)
      for (int j = 0; j < ow; j++) {
        float *out = y + ((b * oh + i) * ow + j) * c;
        int kh0 = imax(0, p - i * s), kh1 = imin(k, h + p - i * s);
        int kw0 = imax(0, p - j * s), kw1 = imin(k, wd + p - j * s);
        if (kw0 == 0 && j + 3 < ow && (j + 3) * s - p + k <= wd && c % 4 == 0) {
          /* Four pixels of a row whose taps are all inside: each weight load serves four pixels. */
          for (int ch = 0; ch < c; ch += 4) {
            v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
            for (int u = kh0; u < kh1; u++) {
              const float *xp = x + ((b * h + i * s + u - p) * wd + j * s - p) * c + ch;
              const float *wp = w + u * k * c + ch;
              for (int v = 0; v < k; v++, xp += c, wp += c) {
                v128_t f = wasm_v128_load(wp);
                a0 = MADD(wasm_v128_load(xp), f, a0);
                a1 = MADD(wasm_v128_load(xp + s * c), f, a1);
                a2 = MADD(wasm_v128_load(xp + 2 * s * c), f, a2);
                a3 = MADD(wasm_v128_load(xp + 3 * s * c), f, a3);
              }
            }
            wasm_v128_store(out + ch, a0);
            wasm_v128_store(out + c + ch, a1);
            wasm_v128_store(out + 2 * c + ch, a2);
            wasm_v128_store(out + 3 * c + ch, a3);
          }
          j += 3;
          continue;
        }
        int ch = 0;
        for (; ch + 8 <= c; ch += 8) {
          v128_t a0 = wasm_f32x4_splat(0), a1 = a0;
          for (int u = kh0; u < kh1; u++) {
            const float *xr = x + ((b * h + i * s + u - p) * wd) * c + ch;
            for (int v = kw0; v < kw1; v++) {
              const float *xp = xr + (j * s + v - p) * c;
              const float *wp = w + (u * k + v) * c + ch;
              a0 = MADD(wasm_v128_load(xp), wasm_v128_load(wp), a0);
              a1 = MADD(wasm_v128_load(xp + 4), wasm_v128_load(wp + 4), a1);
            }
          }
          wasm_v128_store(out + ch, a0);
          wasm_v128_store(out + ch + 4, a1);
        }
        for (; ch + 4 <= c; ch += 4) {
          v128_t a0 = wasm_f32x4_splat(0);
          for (int u = kh0; u < kh1; u++)
            for (int v = kw0; v < kw1; v++)
              a0 = MADD(wasm_v128_load(x + ((b * h + i * s + u - p) * wd + j * s + v - p) * c + ch),
                        wasm_v128_load(w + (u * k + v) * c + ch), a0);
          wasm_v128_store(out + ch, a0);
        }
        for (; ch < c; ch++) {
          float a = 0;
          for (int u = kh0; u < kh1; u++)
            for (int v = kw0; v < kw1; v++)
              a += x[((b * h + i * s + u - p) * wd + j * s + v - p) * c + ch] * w[(u * k + v) * c + ch];
          out[ch] = a;
        }
      }
}

__attribute__((noinline)) static void dw_backprop_input(const float *dy, const float *w, float *dx, int n, int h, int wd, int c, int oh, int ow,
                              int k, int s, int p) {
  for (int b = 0; b < n; b++)
    for (int i = 0; i < h; i++)
      for (int j = 0; j < wd; j++) {
        float *out = dx + ((b * h + i) * wd + j) * c;
        /* Taps u with (i + p − u) divisible by s and the output row (i + p − u)/s inside. */
        int u0 = (i + p) % s, v0 = (j + p) % s;
        if (s == 1 && j + p - (k - 1) >= 0 && j + 3 + p < ow && c % 4 == 0) {
          /* Stride 1, four pixels whose taps all read inside dy: each weight load serves four. */
          for (int ch = 0; ch < c; ch += 4) {
            v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
            for (int u = 0; u < k; u++) {
              int r = i + p - u;
              if (r < 0 || r >= oh) continue;
              const float *gp = dy + ((b * oh + r) * ow + j + p) * c + ch;
              const float *wp = w + u * k * c + ch;
              for (int v = 0; v < k; v++, gp -= c, wp += c) {
                v128_t f = wasm_v128_load(wp);
                a0 = MADD(wasm_v128_load(gp), f, a0);
                a1 = MADD(wasm_v128_load(gp + c), f, a1);
                a2 = MADD(wasm_v128_load(gp + 2 * c), f, a2);
                a3 = MADD(wasm_v128_load(gp + 3 * c), f, a3);
              }
            }
            wasm_v128_store(out + ch, a0);
            wasm_v128_store(out + c + ch, a1);
            wasm_v128_store(out + 2 * c + ch, a2);
            wasm_v128_store(out + 3 * c + ch, a3);
          }
          j += 3;
          continue;
        }
        int ch = 0;
        for (; ch + 8 <= c; ch += 8) {
          v128_t a0 = wasm_f32x4_splat(0), a1 = a0;
          for (int u = u0; u < k; u += s) {
            int r = (i + p - u) / s;
            if (i + p - u < 0 || r >= oh) continue;
            for (int v = v0; v < k; v += s) {
              int q = (j + p - v) / s;
              if (j + p - v < 0 || q >= ow) continue;
              const float *gp = dy + ((b * oh + r) * ow + q) * c + ch;
              const float *wp = w + (u * k + v) * c + ch;
              a0 = MADD(wasm_v128_load(gp), wasm_v128_load(wp), a0);
              a1 = MADD(wasm_v128_load(gp + 4), wasm_v128_load(wp + 4), a1);
            }
          }
          wasm_v128_store(out + ch, a0);
          wasm_v128_store(out + ch + 4, a1);
        }
        for (; ch < c; ch++) {
          float a = 0;
          for (int u = u0; u < k; u += s) {
            int r = (i + p - u) / s;
            if (i + p - u < 0 || r >= oh) continue;
            for (int v = v0; v < k; v += s) {
              int q = (j + p - v) / s;
              if (j + p - v < 0 || q >= ow) continue;
              a += dy[((b * oh + r) * ow + q) * c + ch] * w[(u * k + v) * c + ch];
            }
          }
          out[ch] = a;
        }
      }
}

__attribute__((noinline)) static void dw_backprop_filter(const float *x, const float *dy, float *dw, int n, int h, int wd, int c, int oh, int ow,
                               int k, int s, int p) {
  for (int u = 0; u < k; u++)
    for (int v = 0; v < k; v++) {
      int i0, i1, j0, j1;
      tap_range(u, s, p, h, oh, &i0, &i1);
      tap_range(v, s, p, wd, ow, &j0, &j1);
      float *out = dw + (u * k + v) * c;
      int ch = 0;
      for (; ch + 16 <= c; ch += 16) {
        v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < n; b++)
          for (int i = i0; i < i1; i++) {
            const float *xp = x + ((b * h + i * s + u - p) * wd + j0 * s + v - p) * c + ch;
            const float *gp = dy + ((b * oh + i) * ow + j0) * c + ch;
            for (int j = j0; j < j1; j++, xp += s * c, gp += c) {
              a0 = MADD(wasm_v128_load(xp), wasm_v128_load(gp), a0);
              a1 = MADD(wasm_v128_load(xp + 4), wasm_v128_load(gp + 4), a1);
              a2 = MADD(wasm_v128_load(xp + 8), wasm_v128_load(gp + 8), a2);
              a3 = MADD(wasm_v128_load(xp + 12), wasm_v128_load(gp + 12), a3);
            }
          }
        wasm_v128_store(out + ch, a0);
        wasm_v128_store(out + ch + 4, a1);
        wasm_v128_store(out + ch + 8, a2);
        wasm_v128_store(out + ch + 12, a3);
      }
      for (; ch + 4 <= c; ch += 4) {
        v128_t a0 = wasm_f32x4_splat(0);
        for (int b = 0; b < n; b++)
          for (int i = i0; i < i1; i++) {
            const float *xp = x + ((b * h + i * s + u - p) * wd + j0 * s + v - p) * c + ch;
            const float *gp = dy + ((b * oh + i) * ow + j0) * c + ch;
            for (int j = j0; j < j1; j++, xp += s * c, gp += c) a0 = MADD(wasm_v128_load(xp), wasm_v128_load(gp), a0);
          }
        wasm_v128_store(out + ch, a0);
      }
      for (; ch < c; ch++) {
        float a = 0;
        for (int b = 0; b < n; b++)
          for (int i = i0; i < i1; i++) {
            const float *xp = x + ((b * h + i * s + u - p) * wd + j0 * s + v - p) * c + ch;
            const float *gp = dy + ((b * oh + i) * ow + j0) * c + ch;
            for (int j = j0; j < j1; j++, xp += s * c, gp += c) a += *xp * *gp;
          }
        out[ch] = a;
      }
    }
}

static inline int is_depthwise(int cIn, int cOut, int groups) { return groups == cIn && groups == cOut; }

/* ---------------------------------------------------------------- row pointers */

/*
 * The indirection of a block of `rows` GEMM rows that are the pixels of an nh × nw grid per image,
 * th × tw taps each: ind[r·taps + t] is where tap t of row r reads (the zero row where it falls
 * outside the source image), crow[r] where row r's output goes; the rows past `rows` up to a
 * multiple of MR read zeros and write to out0.
 *
 * Grid pixel (b, gi, gj), tap (tu, tv) reads source pixel (gi·rs + du + tu·ts, gj·ss + dv + tv·ts)
 * of image b, and writes output pixel (gi·os + oi0, gj·os + oj0). The rows are walked as runs
 * along a grid row: no divisions and no per-pixel bounds checks, which cost more than the GEMM
 * itself on small layers.
 */
struct grid {
  int nh, nw, th, tw;
  const float *src; /* source images: sh × sw pixels of cs floats */
  int sh, sw, cs, rs, ss, du, dv, ts;
  float *out; /* output images: oh × ow pixels of co floats */
  int oh, ow, co, os, oi0, oj0;
};

static void grid_rows(const struct grid *G, const float **ind, float **crow, const float *zero, int m0, int rows) {
  int taps = G->th * G->tw, per_image = G->nh * G->nw;
  int b = m0 / per_image, gi = m0 / G->nw % G->nh, gj = m0 % G->nw;
  long step = (long)G->ss * G->cs;
  for (int r = 0; r < rows;) {
    int run = imin(G->nw - gj, rows - r), end = gj + run;
    for (int tu = 0; tu < G->th; tu++) {
      int sr = gi * G->rs + G->du + tu * G->ts;
      for (int tv = 0; tv < G->tw; tv++) {
        /* The run's columns c whose source column c·ss + off lies in [0, sw). */
        int off = G->dv + tv * G->ts, lo = gj, hi = gj;
        if (sr >= 0 && sr < G->sh) {
          lo = imin(imax(off >= 0 ? 0 : ceil_div(-off, G->ss), gj), end);
          hi = G->sw - 1 - off < 0 ? lo : imax(imin((G->sw - 1 - off) / G->ss + 1, end), lo);
        }
        const float **d = ind + r * taps + tu * G->tw + tv; /* d[(c − gj)·taps] for column c */
        const float *base = G->src + ((long)(b * G->sh + sr) * G->sw + off) * G->cs;
        int c = gj;
        for (; c < lo; c++) d[(c - gj) * taps] = zero;
        for (; c < hi; c++) d[(c - gj) * taps] = base + c * step;
        for (; c < end; c++) d[(c - gj) * taps] = zero;
      }
    }
    float *out = G->out + ((long)(b * G->oh + gi * G->os + G->oi0) * G->ow + G->oj0) * G->co;
    if (crow)
      for (int c = gj; c < end; c++) crow[r + c - gj] = out + (long)c * G->os * G->co;
    r += run;
    gj = 0;
    if (++gi == G->nh) gi = 0, b++;
  }
  for (int r = rows; r < round_up(rows, MR); r++) {
    for (int t = 0; t < taps; t++) ind[r * taps + t] = zero;
    if (crow) crow[r] = G->out;
  }
}

/* ---------------------------------------------------------------- forward */

/* Floats of the zero row of an op on these channel counts (16-byte multiple). */
static inline int zero_len(int cIn, int cOut) { return round_up(imax(cIn, cOut), 4); }

/* Whether the forward op reads a padded band (see the top of the file): an ungrouped k×k conv on at most 4 channels. */
static inline int narrow_input(int cIn, int k, int groups) { return groups == 1 && k > 1 && cIn <= 4; }

/* Pixels of a padded band row: every column a tile of four output pixels reads, the last tile's past ow included. */
static inline int band_width(int ow, int k, int s) { return (round_up(ow, MR) - 1) * s + k; }

/*
 * y = conv(x, w) for a narrow input: for each output row, the k input rows it reads go to `band`
 * (band_width pixels each, zero where they fall in the padding), and each tile of four output
 * pixels × eight output channels sums tap (u, v), channel c from band[u][j·s + v][c] for its
 * pixels j; `off` holds those offsets for j = 0, `packed` the filter in panels of eight columns.
 */
/* Floats of the band (k rows of band_width pixels), rounded up to 4: the offsets follow it. */
static inline int band_floats(int cIn, int ow, int k, int s) { return round_up(k * band_width(ow, k, s) * cIn, 4); }

/* Floats of scratch a narrow-input op needs besides its filter panels: the band and the offsets. */
static inline int narrow_scratch(int cIn, int wd, int k, int s) {
  int ow = (wd + 2 * ((k - 1) / 2) - k) / s + 1;
  return band_floats(cIn, ow, k, s) + round_up(k * k * cIn, 4);
}

/*
 * off[t] for (tap, channel) pair t = (u·k + v)·cIn + c: where in the band output pixel 0 reads it;
 * pairs past k·k·cIn up to a multiple of 4 read offset 0 (their sums are not stored).
 */
static void band_offsets(int *off, int k, int cIn, int row) {
  for (int u = 0; u < k; u++)
    for (int v = 0; v < k; v++)
      for (int c = 0; c < cIn; c++) off[(u * k + v) * cIn + c] = u * row + v * cIn + c;
  for (int t = k * k * cIn; t < round_up(k * k * cIn, 4); t++) off[t] = 0;
}

/* The band of output row i of image b: for each tap row u, p pixels of padding, the image row (zeros above and below the image), zeros to bw. */
static void fill_band(float *band, const float *x, int b, int i, int h, int wd, int cIn, int bw, int k, int s, int p) {
  int row = bw * cIn;
  for (int u = 0; u < k; u++) {
    float *d = band + u * row;
    int ih = i * s + u - p, q = 0;
    int left = imin(p, bw) * cIn, inside = ih >= 0 && ih < h ? imin(wd, bw - p) * cIn : 0;
    for (; q < left; q++) d[q] = 0;
    if (inside > 0) {
      const float *src = x + (long)(b * h + ih) * wd * cIn;
      for (; q < left + inside; q++) d[q] = src[q - left];
    }
    for (; q < row; q++) d[q] = 0;
  }
}

__attribute__((noinline)) static void narrow_forward(const float *x, const float *packed, float *y, float *band, int n, int h, int wd, int cIn, int oh, int ow, int cOut,
                           int k, int s, int p) {
  int bw = band_width(ow, k, s), kk = k * k * cIn, panels = ceil_div(cOut, NR);
  int *off = (int *)(band + band_floats(cIn, ow, k, s));
  band_offsets(off, k, cIn, bw * cIn);
  int step = s * cIn; /* between neighbouring output pixels */
  for (int b = 0; b < n; b++)
    for (int i = 0; i < oh; i++) {
      fill_band(band, x, b, i, h, wd, cIn, bw, k, s, p);
      float *out = y + (long)(b * oh + i) * ow * cOut;
      for (int j = 0; j < ow; j += MR) {
        const float *a = band + j * step;
        int mr = imin(MR, ow - j);
        for (int jp = 0; jp < panels; jp++) {
          const float *bp = packed + jp * kk * NR;
          v128_t c[8];
          for (int l = 0; l < 8; l++) c[l] = wasm_f32x4_splat(0);
          for (int t = 0; t < kk; t++, bp += NR) {
            const float *at = a + off[t];
            tile_step(at, at + step, at + 2 * step, at + 3 * step, bp, c);
          }
          float *o = out + (long)j * cOut;
          float *rows[MR] = {o, o + cOut, o + 2 * cOut, o + 3 * cOut};
          store_tile(rows, jp * NR, c, mr, imin(NR, cOut - jp * NR));
        }
      }
    }
}

/* Scratch bytes dslab_conv2d_forward needs (w, s: the input's width and the stride). */
int EXPORT(dslab_conv2d_forward_scratch)(int cIn, int cOut, int k, int groups, int wd, int s) {
  if (is_depthwise(cIn, cOut, groups)) return 16;
  int cinG = cIn / groups, coutG = cOut / groups;
  int packed = groups * ceil_div(coutG, NR) * NR * k * k * cinG;
  if (narrow_input(cIn, k, groups)) return (packed + narrow_scratch(cIn, wd, k, s)) * 4;
  return (zero_len(cIn, cOut) + packed) * 4 + MB * (k * k + 1) * 4;
}

/* y = conv(x, w): see the top of this file for the shapes. */
void EXPORT(dslab_conv2d_forward)(const float *x, const float *w, float *y, int n, int h, int wd, int cIn, int oh,
                                   int ow, int cOut, int k, int s, int p, int groups, void *scratch) {
  if (is_depthwise(cIn, cOut, groups)) {
    dw_forward(x, w, y, n, h, wd, cIn, oh, ow, k, s, p);
    return;
  }
  int cinG = cIn / groups, coutG = cOut / groups, taps = k * k;
  int panels = ceil_div(coutG, NR);
  /* Scratch: the zero row (none for a narrow input), the packed panels, then the band or the indirection. */
  int narrow = narrow_input(cIn, k, groups);
  float *zero = narrow ? 0 : zero_row(scratch, zero_len(cIn, cOut));
  float *packed = narrow ? (float *)scratch : zero + zero_len(cIn, cOut);
  float *rest = packed + groups * panels * NR * taps * cinG;

  /* Panel (g, j): row t·cinG + i holds w[t][i][g·coutG + 8j … +8), zero past coutG. */
  float *q = packed;
  for (int g = 0; g < groups; g++)
    for (int j = 0; j < panels; j++)
      for (int r = 0; r < taps * cinG; r++)
        for (int l = 0; l < NR; l++, q++) {
          int co = j * NR + l;
          *q = co < coutG ? w[r * cOut + g * coutG + co] : 0;
        }

  if (narrow) {
    narrow_forward(x, packed, y, rest, n, h, wd, cIn, oh, ow, cOut, k, s, p);
    return;
  }
  const float **ind = (const float **)rest;
  float **crow = (float **)(ind + MB * taps);
  /* Output pixel (b, i, j), tap (u, v) reads x[b, i·s + u − p, j·s + v − p]. */
  struct grid G = {oh, ow, k, k, x, h, wd, cIn, s, s, -p, -p, 1, y, oh, ow, cOut, 1, 0, 0};
  int m = n * oh * ow;
  for (int m0 = 0; m0 < m; m0 += MB) {
    int rows = imin(MB, m - m0);
    grid_rows(&G, ind, crow, zero, m0, rows);
    gemm_block((const float *const *)ind, crow, rows, taps, cinG, groups, cinG, coutG, coutG, packed, groups > 1 && s > 1);
  }
}

/* ---------------------------------------------------------------- input gradient */

/* Scratch bytes dslab_conv2d_backprop_input needs. */
/* (wd and s: as the forward op's; this op's scratch does not depend on them.) */
int EXPORT(dslab_conv2d_backprop_input_scratch)(int cIn, int cOut, int k, int groups, int wd, int s) {
  (void)wd, (void)s;
  if (is_depthwise(cIn, cOut, groups)) return 16;
  int cinG = cIn / groups, coutG = cOut / groups;
  int packed = groups * ceil_div(cinG, NR) * NR * k * k * coutG;
  return (zero_len(cIn, cOut) + packed) * 4 + MB * (k * k + 1) * 4;
}

/* dx = ∂L/∂x from dy = ∂L/∂y and the filter w (shapes as the forward op). */
void EXPORT(dslab_conv2d_backprop_input)(const float *dy, const float *w, float *dx, int n, int h, int wd, int cIn,
                                          int oh, int ow, int cOut, int k, int s, int p, int groups, void *scratch) {
  if (is_depthwise(cIn, cOut, groups)) {
    dw_backprop_input(dy, w, dx, n, h, wd, cIn, oh, ow, k, s, p);
    return;
  }
  int cinG = cIn / groups, coutG = cOut / groups;
  int panels = ceil_div(cinG, NR);
  float *zero = zero_row(scratch, zero_len(cIn, cOut));
  float *packed = zero + zero_len(cIn, cOut);
  const float **ind = (const float **)(packed + groups * panels * NR * k * k * coutG);

  /* Phase (a, c): input rows i with (i + p) mod s = a, columns with (j + p) mod s = c. Each phase's
     panels are packed first; then the phases take turns a block of MB phase pixels at a time. When
     s divides h and w their m0-th blocks cover the same rows of dx, so dx is written in one sweep
     rather than s² sweeps that each leave gaps (the tiny AnyNet's strided 3×3 input gradients inside
     a step: ~5% faster). */
  struct phase {
    struct grid G;
    int m, taps;
    const float *packed;
  } phases[s * s];
  int count = 0, longest = 0;
  float *q = packed;
  for (int a = 0; a < s; a++)
    for (int c = 0; c < s; c++) {
      int i0 = ((a - p) % s + s) % s, j0 = ((c - p) % s + s) % s;
      int nh = i0 < h ? (h - 1 - i0) / s + 1 : 0, nw = j0 < wd ? (wd - 1 - j0) / s + 1 : 0;
      int m = n * nh * nw;
      if (m == 0) continue;
      int th = a < k ? (k - 1 - a) / s + 1 : 0, tw = c < k ? (k - 1 - c) / s + 1 : 0;
      int taps = th * tw;
      if (taps == 0) {
        /* No filter tap reaches these pixels (k < s): their gradient is zero. */
        for (int b = 0; b < n; b++)
          for (int i = i0; i < h; i += s)
            for (int j = j0; j < wd; j += s) {
              float *d = dx + ((long)(b * h + i) * wd + j) * cIn;
              for (int ch = 0; ch < cIn; ch++) d[ch] = 0;
            }
        continue;
      }
      /* Panel (g, j): row t·coutG + o holds w[tap t][g·cinG + 8j … +8 as input channel][g·coutG + o]. */
      const float *start = q;
      for (int g = 0; g < groups; g++)
        for (int jp = 0; jp < panels; jp++)
          for (int tu = 0; tu < th; tu++)
            for (int tv = 0; tv < tw; tv++) {
              int u = a + tu * s, v = c + tv * s;
              for (int o = 0; o < coutG; o++)
                for (int l = 0; l < NR; l++, q++) {
                  int ci = jp * NR + l;
                  *q = ci < cinG ? w[((u * k + v) * cinG + ci) * cOut + g * coutG + o] : 0;
                }
            }
      /* Phase pixel (b, ii, jj) is dx[b, i0 + ii·s, j0 + jj·s]; its tap (tu, tv) is filter tap (a + tu·s, c + tv·s)
         and reads dy[b, ii + ea − tu, jj + ec − tv], ea = (i0 + p − a)/s, ec = (j0 + p − c)/s (exact, ≥ 0). */
      struct grid G = {nh, nw, th, tw, dy, oh, ow, cOut, 1, 1, (i0 + p - a) / s, (j0 + p - c) / s, -1, dx, h, wd, cIn, s, i0, j0};
      phases[count++] = (struct phase){G, m, taps, start};
      longest = imax(longest, m);
    }
  for (int m0 = 0; m0 < longest; m0 += MB)
    for (int f = 0; f < count; f++) {
      const struct phase *P = &phases[f];
      if (m0 >= P->m) continue;
      int rows = imin(MB, P->m - m0);
      float **crow = (float **)(ind + MB * P->taps);
      grid_rows(&P->G, ind, crow, zero, m0, rows);
      gemm_block((const float *const *)ind, crow, rows, P->taps, coutG, groups, coutG, cinG, cinG, P->packed, groups > 1 && s > 1);
    }
}

/* ---------------------------------------------------------------- filter gradient */

/* Packed x floats per pixel: each group's taps·cInG (tap, channel) pairs rounded up to 4. */
static inline int xpack_width(int cIn, int k, int groups) { return groups * round_up(k * k * (cIn / groups), 4); }

/* About the most floats of packed x per chunk: wide layers take fewer pixels, so the scratch stays small. */
#define XPACK_MAX 65536

/*
 * Whether x is read through tap pointers instead of packed: for a k×k conv (k > 1) whose groups
 * have a multiple of 4 channels, as packing would copy x k² times over (RegNetX 3×3 G3 24 at
 * 32×32: the copies took 3.6 of 8.4 ms).
 */
static inline int dw_indirect(int cIn, int k, int groups) { return k > 1 && (cIn / groups) % 4 == 0; }

/* Output pixels per chunk of the filter gradient: MC_INDIRECT through tap pointers, else MC, fewer for wide packed layers (a multiple of 4, at least 16). */
static int dw_chunk(int cIn, int k, int groups) {
  if (dw_indirect(cIn, k, groups)) return MC_INDIRECT;
  int mc = XPACK_MAX / xpack_width(cIn, k, groups) / 4 * 4;
  return mc < 16 ? 16 : mc > MC ? MC : mc;
}

/* Scratch bytes dslab_conv2d_backprop_filter needs. */
/* (wd and s: as the forward op's; this op's scratch does not depend on them.) */
int EXPORT(dslab_conv2d_backprop_filter_scratch)(int cIn, int cOut, int k, int groups, int wd, int s) {
  if (is_depthwise(cIn, cOut, groups)) return 16;
  if (narrow_input(cIn, k, groups)) return narrow_scratch(cIn, wd, k, s) * 4;
  int coutG = cOut / groups, mc = dw_chunk(cIn, k, groups);
  int packed_dy = groups * ceil_div(coutG, NR) * NR * mc;
  /* x: the zero row and the tap pointers, or the packed blocks. */
  int x_part = dw_indirect(cIn, k, groups) ? zero_len(cIn, cOut) + round_up(mc, MR) * k * k : xpack_width(cIn, k, groups) * mc;
  return (packed_dy + x_part) * 4;
}

/* Adds the first nc (1..8) columns of a tile row to p. */
static inline void add_row(float *p, v128_t lo, v128_t hi, int nc) {
  if (nc == NR) {
    wasm_v128_store(p, wasm_f32x4_add(wasm_v128_load(p), lo));
    wasm_v128_store(p + 4, wasm_f32x4_add(wasm_v128_load(p + 4), hi));
    return;
  }
  float lanes[NR];
  wasm_v128_store(lanes, lo);
  wasm_v128_store(lanes + 4, hi);
  for (int l = 0; l < nc; l++) p[l] += lanes[l];
}

/* c[2i], c[2i + 1] += a[i] · b[0..8) for i < 4: one pixel's step of a filter-gradient tile. */
static inline __attribute__((always_inline)) void dw_step(const float *a, const float *b, v128_t *c) { tile_step(a, a + 1, a + 2, a + 3, b, c); }

/* Adds the tile c (four rows of 8 columns) to rows d, d + ldd, … of dw: n4 rows, nc columns. */
static inline __attribute__((always_inline)) void dw_store(float *d, int ldd, const v128_t *c, int n4, int nc) {
  for (int i = 0; i < n4; i++) add_row(d + i * ldd, c[2 * i], c[2 * i + 1], nc);
}

/*
 * Adds to four rows of dw (d, d + ldd, …; n4 of them valid) the first nc columns of
 * Σ_r a[r][0..4)ᵀ · b[r][0..8) over the chunk's `rows` pixels: a is a packed block of x (four
 * (tap, channel) pairs per pixel), b a packed panel of dy (eight output channels per pixel).
 */
static inline void dw_tile(const float *a, const float *b, int rows, float *d, int ldd, int n4, int nc) {
  v128_t c[8];
  for (int i = 0; i < 8; i++) c[i] = wasm_f32x4_splat(0);
  for (int r = 0; r < rows; r++, a += 4, b += NR) dw_step(a, b, c);
  dw_store(d, ldd, c, n4, nc);
}

/*
 * As dw_tile, with the four pairs (one tap t, channels aoff … aoff + 3) read through the tap
 * pointers ind[r·taps + t] of the chunk's pixels.
 */
static inline void dw_tile_ind(const float *const *ind, int taps, int t, int aoff, const float *b, int rows, float *d, int ldd, int nc) {
  v128_t c[8];
  for (int i = 0; i < 8; i++) c[i] = wasm_f32x4_splat(0);
  const float *const *row = ind + t;
  for (int r = 0; r < rows; r++, row += taps, b += NR) dw_step(*row + aoff, b, c);
  dw_store(d, ldd, c, 4, nc);
}

/*
 * As dw_tile, reading the pixels' four x values and eight dy values where they lie: x at a, a +
 * lda, …, dy at b, b + ldb, …
 */
static inline void dw_tile_rows(const float *a, int lda, const float *b, int ldb, int rows, float *d, int ldd, int nc) {
  v128_t c[8];
  for (int i = 0; i < 8; i++) c[i] = wasm_f32x4_splat(0);
  for (int r = 0; r < rows; r++, a += lda, b += ldb) dw_step(a, b, c);
  dw_store(d, ldd, c, 4, nc);
}

/*
 * Whether the filter gradient reads x and dy in place: a 1×1 stride-1 ungrouped conv's output
 * pixel r reads input pixel r, so both operands are already rows of channels; packing them per
 * chunk only copied them (1×1 16→16 at 28×28, batch 64: the copies took ~40% of the time).
 */
static inline int dw_in_place(int cIn, int cOut, int k, int s, int groups) { return k == 1 && s == 1 && groups == 1 && cIn % 4 == 0 && cOut % NR == 0; }

/* Pixels per chunk of the in-place filter gradient: x's and dy's rows of a chunk fill about half of the L1 cache. */
static inline int dw_in_place_chunk(int cIn, int cOut) {
  int mc = 4096 / (cIn + cOut) / 4 * 4;
  return mc < 16 ? 16 : mc;
}

/* The filter gradient where dw_in_place holds: m pixels of x and dy, chunk by chunk, four input × eight output channels at a time. */
__attribute__((noinline)) static void in_place_backprop_filter(const float *x, const float *dy, float *dw, int m, int cIn, int cOut) {
  int mc = dw_in_place_chunk(cIn, cOut);
  for (int i = 0; i < cIn * cOut; i++) dw[i] = 0;
  for (int m0 = 0; m0 < m; m0 += mc) {
    int rows = imin(mc, m - m0);
    for (int jp = 0; jp < cOut; jp += NR)
      for (int ch = 0; ch < cIn; ch += 4)
        dw_tile_rows(x + (long)m0 * cIn + ch, cIn, dy + (long)m0 * cOut + jp, cOut, rows, dw + ch * cOut + jp, cOut, NR);
  }
}

/*
 * The filter gradient of a narrow input (see narrow_forward): for each output row, the band of
 * its input rows, then for four (tap, channel) pairs × eight output channels at a time, the sum
 * over the row's pixels of band values × dy, added to dw.
 */
__attribute__((noinline)) static void narrow_backprop_filter(const float *x, const float *dy, float *dw, float *band, int n, int h, int wd, int cIn, int oh, int ow,
                                   int cOut, int k, int s, int p) {
  int bw = band_width(ow, k, s), kk = k * k * cIn, step = s * cIn;
  int *off = (int *)(band + band_floats(cIn, ow, k, s));
  band_offsets(off, k, cIn, bw * cIn);
  for (int i = 0; i < kk * cOut; i++) dw[i] = 0;
  for (int b = 0; b < n; b++)
    for (int i = 0; i < oh; i++) {
      fill_band(band, x, b, i, h, wd, cIn, bw, k, s, p);
      const float *g = dy + (long)(b * oh + i) * ow * cOut;
      for (int jp = 0; jp < cOut; jp += NR) {
        int nc = imin(NR, cOut - jp);
        for (int t = 0; t < kk; t += 4) {
          const float *a0 = band + off[t], *a1 = band + off[t + 1], *a2 = band + off[t + 2], *a3 = band + off[t + 3];
          v128_t c[8];
          for (int l = 0; l < 8; l++) c[l] = wasm_f32x4_splat(0);
          const float *gp = g + jp;
          for (int j = 0; j < ow; j++, gp += cOut) {
            /* dy's panel of eight: read in place when whole, else zero-padded (the last columns are not stored). */
            const float *bp = gp;
            float lanes[NR];
            if (nc < NR) {
              for (int l = 0; l < NR; l++) lanes[l] = l < nc ? gp[l] : 0;
              bp = lanes;
            }
            int o = j * step;
            tile_step(a0 + o, a1 + o, a2 + o, a3 + o, bp, c);
          }
          dw_store(dw + t * cOut + jp, cOut, c, imin(4, kk - t), nc);
        }
      }
    }
}

/* dy of chunk rows [m0, m0 + rows) into gp: panel (g, jp) holds output channels g·coutG + 8jp … +8, zero past coutG. */
static void pack_dy(float *gp, const float *dy, int m0, int rows, int mc, int groups, int panels, int coutG, int cOut) {
  for (int g = 0; g < groups; g++)
    for (int jp = 0; jp < panels; jp++) {
      float *q = gp + (g * panels + jp) * mc * NR;
      int nc = imin(NR, coutG - jp * NR);
      const float *src = dy + (long)m0 * cOut + g * coutG + jp * NR;
      if (nc == NR) {
        for (int r = 0; r < rows; r++, src += cOut, q += NR) {
          wasm_v128_store(q, wasm_v128_load(src));
          wasm_v128_store(q + 4, wasm_v128_load(src + 4));
        }
      } else {
        for (int r = 0; r < rows; r++, src += cOut, q += NR)
          for (int l = 0; l < NR; l++) q[l] = l < nc ? src[l] : 0;
      }
    }
}

/*
 * Packs one tap's values for output pixels jj ∈ [j0, j1) of one output row into xp (see below):
 * pixel jj is chunk row r0 + jj and reads x at src + jj·step (pairs q0 … q0 + cInG − 1 of each
 * group); pixels outside [lo, hi) read the padding, zero.
 */
static void pack_x_run(float *xp, int mc, int nqp, int groups, int cinG, int q0, const float *src, int step, int r0, int j0, int lo, int hi,
                       int j1) {
  for (int g = 0; g < groups; g++) {
    float *dst = xp + (long)g * nqp * mc;
    const float *sg = src + g * cinG;
    if (cinG % 4 == 0) {
      for (int ch = 0; ch < cinG; ch += 4) {
        float *d = dst + ((long)(q0 + ch) / 4 * mc + r0) * 4;
        v128_t z = wasm_f32x4_splat(0);
        int jj = j0;
        for (; jj < lo; jj++) wasm_v128_store(d + jj * 4, z);
        for (; jj < hi; jj++) wasm_v128_store(d + jj * 4, wasm_v128_load(sg + (long)jj * step + ch));
        for (; jj < j1; jj++) wasm_v128_store(d + jj * 4, z);
      }
    } else {
      for (int ch = 0; ch < cinG; ch++) {
        int q = q0 + ch;
        float *d = dst + ((long)q / 4 * mc + r0) * 4 + q % 4;
        int jj = j0;
        for (; jj < lo; jj++) d[jj * 4] = 0;
        for (; jj < hi; jj++) d[jj * 4] = sg[(long)jj * step + ch];
        for (; jj < j1; jj++) d[jj * 4] = 0;
      }
    }
  }
}

/*
 * dw = ∂L/∂w from the input x and dy = ∂L/∂y (shapes as the forward op): a GEMM per group,
 * dw[q][o] = Σ_pixels X[pixel][q] · dy[pixel][o] over (tap, channel) pairs q, chunk by chunk of
 * output pixels. Both operands are packed per chunk so the tile reads them contiguously: dy into
 * panels of 8 output channels [g][panel][pixel][8], x into blocks of 4 pairs [g][block][pixel][4]
 * (zero in the padding and past the group's taps·cInG pairs). A block of x stays in the L1 cache
 * while the panels of dy pass by.
 */
void EXPORT(dslab_conv2d_backprop_filter)(const float *x, const float *dy, float *dw, int n, int h, int wd, int cIn,
                                           int oh, int ow, int cOut, int k, int s, int p, int groups, void *scratch) {
  if (is_depthwise(cIn, cOut, groups)) {
    dw_backprop_filter(x, dy, dw, n, h, wd, cIn, oh, ow, k, s, p);
    return;
  }
  if (narrow_input(cIn, k, groups)) {
    narrow_backprop_filter(x, dy, dw, (float *)scratch, n, h, wd, cIn, oh, ow, cOut, k, s, p);
    return;
  }
  if (dw_in_place(cIn, cOut, k, s, groups)) {
    in_place_backprop_filter(x, dy, dw, n * oh * ow, cIn, cOut);
    return;
  }
  int cinG = cIn / groups, coutG = cOut / groups, taps = k * k;
  int panels = ceil_div(coutG, NR), mc = dw_chunk(cIn, k, groups);
  int nq = taps * cinG, nqp = round_up(nq, 4), blocks = nqp / 4;
  int indirect = dw_indirect(cIn, k, groups);
  float *gp = (float *)scratch; /* [g][panel][pixel][8] */
  float *xp = gp + groups * panels * NR * mc; /* [g][block][pixel][4], or the zero row and the tap pointers */
  float *zero = indirect ? zero_row(xp, zero_len(cIn, cOut)) : 0;
  const float **ind = indirect ? (const float **)(zero + zero_len(cIn, cOut)) : 0;
  /* Output pixel (b, i, j), tap (u, v) reads x[b, i·s + u − p, j·s + v − p]. */
  struct grid G = {oh, ow, k, k, x, h, wd, cIn, s, s, -p, -p, 1, dw, oh, ow, cOut, 1, 0, 0};
  for (int i = 0; i < nq * cOut; i++) dw[i] = 0;

  int m = n * oh * ow;
  for (int m0 = 0; m0 < m; m0 += mc) {
    int rows = imin(mc, m - m0);
    if (indirect) {
      grid_rows(&G, ind, 0, zero, m0, rows);
      pack_dy(gp, dy, m0, rows, mc, groups, panels, coutG, cOut);
      /* Rows q = t·cInG + ch of dw, four channels of one tap at a time. */
      for (int g = 0; g < groups; g++)
        for (int jp = 0; jp < panels; jp++) {
          const float *bp = gp + (g * panels + jp) * mc * NR;
          int nc = imin(NR, coutG - jp * NR);
          for (int t = 0; t < taps; t++)
            for (int ch = 0; ch < cinG; ch += 4)
              dw_tile_ind((const float *const *)ind, taps, t, g * cinG + ch, bp, rows, dw + (t * cinG + ch) * cOut + g * coutG + jp * NR, cOut, nc);
        }
      continue;
    }
    /* x: pixel r's pair q = t·cInG + ch of group g goes to xp[g][q/4][r][q%4], a run of pixels of
       one output row at a time (no per-pixel bounds checks). */
    for (int r = 0; r < rows;) {
      int o = m0 + r, b = o / (oh * ow), i = o / ow % oh, j = o % ow;
      int run = imin(ow - j, rows - r);
      for (int u = 0; u < k; u++) {
        int ih = i * s + u - p;
        for (int v = 0; v < k; v++) {
          int lo, hi;
          tap_range(v, s, p, wd, ow, &lo, &hi);
          if (ih < 0 || ih >= h) lo = hi = j;
          lo = imin(imax(lo, j), j + run);
          hi = imax(imin(hi, j + run), lo);
          const float *src = x + ((long)(b * h + ih) * wd + v - p) * cIn; /* + jj·s·cIn for pixel jj */
          pack_x_run(xp, mc, nqp, groups, cinG, (u * k + v) * cinG, src, s * cIn, r - j, j, lo, hi, j + run);
        }
      }
      r += run;
    }
    for (int g = 0; g < groups; g++)
      for (int q = nq; q < nqp; q++) {
        float *d = xp + (long)g * nqp * mc + (long)q / 4 * mc * 4 + q % 4;
        for (int r = 0; r < rows; r++) d[r * 4] = 0;
      }
    pack_dy(gp, dy, m0, rows, mc, groups, panels, coutG, cOut);
    for (int g = 0; g < groups; g++)
      for (int jp = 0; jp < panels; jp++) {
        const float *bp = gp + (g * panels + jp) * mc * NR;
        int nc = imin(NR, coutG - jp * NR);
        for (int qb = 0; qb < blocks; qb++) {
          const float *ap = xp + (long)g * nqp * mc + (long)qb * mc * 4;
          dw_tile(ap, bp, rows, dw + qb * 4 * cOut + g * coutG + jp * NR, cOut, imin(4, nq - qb * 4), nc);
        }
      }
  }
}
