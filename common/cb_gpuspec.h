/* cb_gpuspec: the built-in table of GPU spec-sheet figures (dense, no
 * sparsity) that cb-gpu's measurements are compared with, its lookup by
 * device name and compute capability, the efficiency arithmetic, and the
 * PCIe line rate of a link. Pure: no CUDA, no I/O.
 *
 * Units: memory bandwidth in GB/s (1 GB = 1e9 B), throughput in TFLOPS
 * (1e12 FLOP/s; one FMA = 2 FLOP). A figure of 0 means "not published / not
 * known here": nothing is compared against it. */
#ifndef CB_GPUSPEC_H
#define CB_GPUSPEC_H

#include <stddef.h>

#define CB_GPUSPEC_MAX_TOKENS 4

/* Which spec figure a measurement is compared with. */
typedef enum cb_gpuspec_metric {
    CB_GPUSPEC_MEM_BW,   /* device memory bandwidth, GB/s */
    CB_GPUSPEC_FP32,     /* FP32 non-tensor (CUDA cores), TFLOPS */
    CB_GPUSPEC_TF32,     /* TF32 tensor core, dense, TFLOPS */
    CB_GPUSPEC_BF16,     /* BF16 tensor core, FP32 accumulate, dense */
    CB_GPUSPEC_FP16,     /* FP16 tensor core, FP32 accumulate, dense */
    CB_GPUSPEC_FP8,      /* FP8 (e4m3) tensor core, FP32 accumulate, dense */
    CB_GPUSPEC_NMETRICS
} cb_gpuspec_metric_t;

typedef struct cb_gpuspec {
    const char *name; /* "H100 SXM" */
    /* The device name (as cudaGetDeviceProperties gives it) must contain every
     * `match` token and no `exclude` token (case-insensitive substrings). */
    const char *match[CB_GPUSPEC_MAX_TOKENS];
    const char *exclude[CB_GPUSPEC_MAX_TOKENS];
    int cc_major, cc_minor; /* compute capability of this part */
    double mem_bw_gbps;
    double fp32_tflops, tf32_tflops, bf16_tflops, fp16_tflops, fp8_tflops;
    const char *source; /* where the figures come from, and any doubt */
} cb_gpuspec_t;

/* The built-in table (n entries). */
const cb_gpuspec_t *cb_gpuspec_table(size_t *n);

/* The entry for a device: every entry whose tokens match `device_name` and,
 * when cc_major >= 0, whose compute capability equals (cc_major, cc_minor).
 * When several match, the one with the most match tokens wins (the most
 * specific); a tie between entries is ambiguous and gives NULL, as does no
 * match. A name that matches but whose compute capability contradicts the
 * entry gives NULL too: an unknown GPU is never guessed. */
const cb_gpuspec_t *cb_gpuspec_lookup(const char *device_name, int cc_major, int cc_minor);
/* The same over any table (tests use small synthetic ones). */
const cb_gpuspec_t *cb_gpuspec_lookup_in(const cb_gpuspec_t *table, size_t n,
                                         const char *device_name, int cc_major, int cc_minor);

/* A figure of an entry; 0 when spec is NULL or the figure is unknown. */
double cb_gpuspec_value(const cb_gpuspec_t *spec, cb_gpuspec_metric_t m);

/* measured / spec as a fraction (0.87 = 87 %); NaN when spec is not > 0 or
 * either value is not finite or measured is negative. */
double cb_gpuspec_efficiency(double measured, double spec);

/* Usable bandwidth of one direction of a PCIe link in GB/s: transfer rate
 * (GT/s, per lane) x lanes x line-code efficiency / 8: 8b/10b for 2.5 and
 * 5 GT/s (Gen1/2), 128b/130b for 8, 16 and 32 GT/s (Gen3-5), 1 for 64 GT/s
 * (Gen6 FLIT mode; its FEC/CRC overhead is not subtracted). Gen4 x16 =
 * 31.51 GB/s, Gen5 x16 = 63.02 GB/s. NaN for a rate it does not know or
 * width < 1. TLP/DLLP overhead is not subtracted either: expect ~80-90 %. */
double cb_gpuspec_pcie_gbps(double gts, int width);
/* PCIe generation of a per-lane transfer rate (2.5 → 1 ... 64 → 6); 0 unknown. */
int cb_gpuspec_pcie_gen(double gts);

#endif
