/* cb_kernels: CUDA kernels behind a C interface. All functions enqueue on
 * `stream` (a cudaStream_t passed as void*) and return a cudaError_t value as
 * int (0 = success); none synchronises unless it says so.
 *
 * dtype codes are cb_dtype_t's values from bench/cb_transport.h:
 * 0 uint8, 1 float, 2 double, 3 half, 4 bfloat16. The pattern is the one
 * defined there: value(i, seed, phase) = (7 i + 3 seed + phase) mod 5. */
#ifndef CB_KERNELS_H
#define CB_KERNELS_H

#include <stddef.h>
#include <stdint.h>

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

#ifdef __cplusplus
}
#endif
#endif
