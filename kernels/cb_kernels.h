/* cb_kernels: CUDA kernels behind a C interface. All functions enqueue on
 * `stream` (a cudaStream_t passed as void*) and return a cudaError_t value as
 * int (0 = success); none synchronises unless it says so.
 *
 * dtype codes are cb_dtype_t's values and the pattern is cb_pattern_value,
 * both from common/cb_dtype.h (included by the kernels themselves). */
#ifndef CB_KERNELS_H
#define CB_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "cb_launch.h" /* launch geometry, CB_KERNELS_FMA_CHAINS */

#ifdef __cplusplus
extern "C" {
#endif

/* Fill buf[0..count) with the pattern of `seed` in `phase`. */
int cb_kernels_fill(void *buf, size_t count, int dtype, int seed, int phase, void *stream);
/* Count elements that differ from the pattern of `seed` (seed >= 0) or from
 * the all-reduce sum over nranks (seed < 0). Synchronises the stream and
 * writes the count to *wrong (host). */
int cb_kernels_check(const void *buf, size_t count, int dtype, int seed, int nranks, int phase,
                     uint64_t *wrong, void *stream);
/* Add 1 to the middle element (fault-injection builds). */
int cb_kernels_corrupt(void *buf, size_t count, int dtype, void *stream);

/* ---- cb-gpu: memory bandwidth, FP32 peak, busy kernel, GEMM data ---- */

/* Device-to-device copy dst[0..bytes) = src[0..bytes) with 16-byte (float4)
 * loads/stores, grid = sm_count x resident blocks per SM (grid-stride, 4
 * loads in flight per thread). bytes must be a multiple of 16 and both
 * pointers 16-byte aligned (cudaMalloc's are), else cudaErrorInvalidValue.
 * Moves 2 x bytes (read + write). */
int cb_kernels_copy(void *dst, const void *src, size_t bytes, int sm_count, void *stream);
/* STREAM triad a[i] = b[i] + scalar * c[i] over `count` floats, float4
 * accesses; count must be a multiple of 4. Moves 3 x 4 x count bytes. */
int cb_kernels_triad(float *a, const float *b, const float *c, float scalar, size_t count,
                     int sm_count, void *stream);

/* FP32 FMA peak: `blocks` x `threads` threads, each running
 * CB_KERNELS_FMA_CHAINS independent chains x = fmaf(x, 0.999f, 0.001f) for
 * `iters` steps, then out[thread] = sum of its chains (in chain order). The
 * kernel executes exactly blocks x threads x iters x CB_KERNELS_FMA_CHAINS
 * FMAs = 2x that many FLOP (the final sum is not counted). out must hold
 * blocks x threads floats. */
int cb_kernels_fma(float *out, int blocks, int threads, int iters, void *stream);
/* Host reference of out[thread] for the same iters (fmaf in the same order). */
float cb_kernels_fma_reference(unsigned thread, int iters);
/* Blocks/threads that fill every SM of the current device (for _fma):
 * 256 threads, cb_launch_resident(SMs, resident blocks per SM). */
int cb_kernels_fma_grid(int *blocks, int *threads);

/* A compute kernel that keeps every SM of the current device busy for
 * duration_us: one block per SM, each running FMA work until the device's
 * global timer (ns, %globaltimer) shows duration_us since the block began;
 * no clock calibration needed. With the GPU otherwise idle the kernel lasts
 * duration_us plus launch latency; if its blocks start late (other kernels
 * hold the SMs) it lasts longer. For the synthetic DDP backward chunk. */
int cb_kernels_busy(double duration_us, void *stream);

/* Element types of the GEMM data helpers (not cb_dtype_t codes). */
enum {
    CB_KERNELS_T_F32 = 0,
    CB_KERNELS_T_F16 = 1,
    CB_KERNELS_T_BF16 = 2,
    CB_KERNELS_T_FP8_E4M3 = 3,
};
/* Fill buf[0..count) of `type` with a hash of (seed, i): uniform in [-1, 1)
 * when integers == 0; integers in [-2, 2] (exact in every type) when 1. */
int cb_kernels_fill_random(void *buf, size_t count, int type, uint32_t seed, int integers,
                           void *stream);
/* dst[i] = (float)src[i] for src of `type`. */
int cb_kernels_to_float(float *dst, const void *src, size_t count, int type, void *stream);

#ifdef __cplusplus
}
#endif
#endif
