/* cb_launch: the launch geometry and work counts of the kernels in kernels/,
 * as pure functions (no CUDA: C and CUDA code include it, and the cmocka tests
 * check them in every build, with or without a CUDA toolkit). */
#ifndef CB_LAUNCH_H
#define CB_LAUNCH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Independent FMA chains per thread of the FP32 peak kernel (compute.cu). */
#define CB_KERNELS_FMA_CHAINS 8

/* Blocks a device keeps resident at once: sms x per_sm, each taken as at
 * least 1 (an occupancy query that found nothing still launches). */
static inline size_t cb_launch_resident(int sms, int per_sm)
{
    return (size_t)(sms > 0 ? sms : 1) * (size_t)(per_sm > 0 ? per_sm : 1);
}

/* Blocks of `threads` threads for a grid-stride kernel over `items` work
 * items (one per thread per pass): enough to cover every item once, at most
 * `cap`, and at least 1 (an empty launch still needs a valid grid). */
static inline unsigned cb_launch_blocks(size_t items, unsigned threads, size_t cap)
{
    size_t need = threads ? (items + threads - 1) / threads : 0;
    if (need > cap)
        need = cap;
    return need ? (unsigned)need : 1u;
}

/* FLOP of one FP32 peak kernel: blocks x threads x iters steps of
 * CB_KERNELS_FMA_CHAINS FMAs, 2 FLOP per FMA (the final sum not counted). */
static inline double cb_launch_fma_flop(int blocks, int threads, int iters)
{
    return 2.0 * (double)blocks * (double)threads * (double)iters * CB_KERNELS_FMA_CHAINS;
}

#ifdef __cplusplus
}
#endif
#endif
