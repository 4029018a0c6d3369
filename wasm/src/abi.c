/* The version of the calling conventions below; the loader refuses a binary it does not know. */
#include "kernels.h"

int EXPORT(dslab_abi_version)(void) { return 2; }

/* 1 when built with relaxed-SIMD fused multiply-add. */
int EXPORT(dslab_relaxed)(void) {
#if defined(DSLAB_RELAXED)
  return 1;
#else
  return 0;
#endif
}
