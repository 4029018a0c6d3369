/*
 * Shared definitions of the training kernels for tfjs's wasm backend.
 *
 * The module is freestanding (no libc) and runs on the backend's own linear memory
 * (--import-memory): every pointer a kernel receives is an address tfjs allocated. For that
 * reason the module must own no memory of its own: no data segments (no static tables or
 * strings) and no statics; its shadow stack is placed by the loader inside a block it
 * allocates from tfjs's heap. scripts/build-kernels.js refuses a binary that breaks this.
 */
#ifndef DSLAB_KERNELS_H
#define DSLAB_KERNELS_H

#include <stdint.h>
#include <wasm_simd128.h>

/* Exported under its C name. */
#define EXPORT(name) __attribute__((export_name(#name))) name

/* a*b + c on four lanes: one fused op with relaxed SIMD, a multiply and an add otherwise. */
#if defined(DSLAB_RELAXED)
#define MADD(a, b, c) wasm_f32x4_relaxed_madd((a), (b), (c))
#else
#define MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul((a), (b)), (c))
#endif

static inline int imin(int a, int b) { return a < b ? a : b; }
static inline int imax(int a, int b) { return a > b ? a : b; }

#endif
