/* cb_dtype: the element types the benchmarks move and reduce, and the test
 * pattern their data checks compare against. Plain C, shared by bench/ (host
 * side) and kernels/ (CUDA: the pattern is __host__ __device__ there), so the
 * values and the pattern are written once. */
#ifndef CB_DTYPE_H
#define CB_DTYPE_H

#include <stddef.h>

/* Functions usable on both sides when compiled by nvcc. */
#ifdef __CUDACC__
#define CB_DTYPE_HD __host__ __device__
#else
#define CB_DTYPE_HD
#endif

/* Values are part of the kernels' C interface (cb_kernels.h's int dtype). */
typedef enum cb_dtype {
    CB_DT_UINT8 = 0, /* point-to-point payloads */
    CB_DT_FLOAT = 1,
    CB_DT_DOUBLE = 2,
    CB_DT_HALF = 3,
    CB_DT_BF16 = 4,
    CB_DT_COUNT
} cb_dtype_t;

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of one element; 0 for a value that is no cb_dtype_t. */
size_t cb_dtype_size(cb_dtype_t dt);
/* uint8, float, double, half, bfloat16; "?" otherwise. */
const char *cb_dtype_name(cb_dtype_t dt);
/* float|fp32, double|fp64, half|fp16, bfloat16|bf16 → CB_OK / CB_ERR_USAGE. */
int cb_dtype_parse(const char *s, cb_dtype_t *dt);

#ifdef __cplusplus
}
#endif

/* Test pattern: element i of the buffer filled by `seed` (a rank) in `phase`
 * is ((7 i + 3 seed + phase) mod 5): small integers, so sums over up to 64
 * ranks are exact even in bfloat16. */
static inline CB_DTYPE_HD int cb_pattern_value(size_t i, int seed, int phase)
{
    return (int)((7 * (i % 5) + 3 * (unsigned)seed + (unsigned)phase) % 5);
}
/* Expected all-reduce (sum) of element i over ranks 0..nranks-1. */
static inline CB_DTYPE_HD int cb_pattern_sum(size_t i, int nranks, int phase)
{
    int s = 0;
    for (int r = 0; r < nranks; r++)
        s += cb_pattern_value(i, r, phase);
    return s;
}

#endif
