/* cb_gpu: cb-gpu, per-GPU throughput against the spec sheet — its options
 * (gpu_options.c), the shared helpers and the CUDA-event timer of the
 * measurements (gpu_util.c, a leaf), the GEMM runner over cuBLASLt
 * (gpu_gemm.c), the measurements of one GPU (gpu_measure.c), the per-GPU
 * report that ranks gather to rank 0 (gpu_report.c), and the program on
 * the skeleton of cb_prog.h (gpu_prog.c). */
#ifndef CB_GPU_H
#define CB_GPU_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cb_gpuspec.h"
#include "cb_prog.h"
#include "cb_results.h"
#include "cb_stats.h"

#define CB_GPU_MAX_GEMM_SIZES 8
#define CB_GPU_MAX_GEMM_N 16384
#define CB_GPU_MAX_MEAS 64

/* What to measure (--measure). */
enum {
    CB_GPU_PART_PCIE = 1,  /* pinned host<->device */
    CB_GPU_PART_MEMBW = 2, /* device memory: copy/triad kernels, cudaMemcpy D2D */
    CB_GPU_PART_FMA = 4,   /* FP32 FMA peak */
    CB_GPU_PART_GEMM = 8,  /* cuBLASLt GEMMs */
    CB_GPU_PART_ALL = 15,
};

typedef enum cb_gpu_gemm_type {
    CB_GEMM_FP32, /* SGEMM on CUDA cores (CUBLAS_COMPUTE_32F) */
    CB_GEMM_TF32, /* FP32 data, TF32 tensor cores (CUBLAS_COMPUTE_32F_FAST_TF32) */
    CB_GEMM_BF16, /* BF16 in and out, FP32 accumulate */
    CB_GEMM_FP16, /* FP16 in and out, FP32 accumulate */
    CB_GEMM_FP8,  /* e4m3 in, BF16 out, FP32 accumulate; compute capability >= 8.9 */
    CB_GEMM_NTYPES
} cb_gpu_gemm_type_t;

typedef struct cb_gpu_opts {
    cb_prog_opts_t common; /* -o, --cluster, -q, --timeout, -c (check the data), and
                              -w/--warmup: untimed operations before timing */
    int require_gpu;    /* no device = error (exit 3) instead of a skipped row */
    int list_specs;     /* print the spec table and exit */
    int device;         /* -1: automatic (see usage) */
    int parts;          /* CB_GPU_PART_* bits */
    int gemm_sizes[CB_GPU_MAX_GEMM_SIZES];
    int ngemm_sizes;
    int gemm_types;     /* bits 1 << cb_gpu_gemm_type_t */
    uint64_t mem_bytes; /* buffer size for memory/PCIe measurements */
    int iters;          /* timed samples per measurement */
    double slow_threshold; /* fraction below the peer median that flags a GPU */
} cb_gpu_opts_t;

void cb_gpu_opts_default(cb_gpu_opts_t *o);
/* Parse argv (from defaults). CB_OK; 1 when --help printed usage to `out`;
 * CB_ERR_USAGE with a one-line reason in err. No I/O besides help. */
int cb_gpu_parse_args(int argc, char **argv, cb_gpu_opts_t *o, FILE *out, char *err,
                      size_t errlen);
void cb_gpu_usage(FILE *f);
/* Print the built-in spec table (--list-specs). */
void cb_gpu_print_specs(FILE *f);

const char *cb_gpu_gemm_type_name(cb_gpu_gemm_type_t t); /* fp32 tf32 bf16 fp16 fp8 */
int cb_gpu_gemm_type_parse(const char *s, cb_gpu_gemm_type_t *t);
/* CSV dtype of the GEMM's inputs: float, tf32, bfloat16, half, fp8_e4m3. */
const char *cb_gpu_gemm_dtype(cb_gpu_gemm_type_t t);
cb_gpuspec_metric_t cb_gpu_gemm_spec_metric(cb_gpu_gemm_type_t t);
/* 1 when the type runs on tensor cores/cuBLASLt of this compute capability
 * (TF32/BF16 need 8.0, FP8 needs 8.9); why says otherwise. */
int cb_gpu_gemm_supported(cb_gpu_gemm_type_t t, int cc_major, int cc_minor, char *why,
                          size_t len);
/* FLOP of an n x n x n GEMM: 2 n^3. */
double cb_gpu_gemm_flop(int n);

/* The bandwidth measurements of cb-gpu and the bytes one operation over a
 * buffer of B bytes moves, which its GB/s count: */
typedef enum cb_gpu_xfer {
    CB_GPU_XFER_H2D,    /* cudaMemcpy pinned host -> device: B over the link */
    CB_GPU_XFER_D2H,    /* device -> pinned host: B */
    CB_GPU_XFER_COPY,   /* copy kernel dst = src: B read + B written = 2 B */
    CB_GPU_XFER_MEMCPY, /* cudaMemcpy device -> device: 2 B, as the copy kernel */
    CB_GPU_XFER_TRIAD,  /* a = b + s c: 2 B read + B written = 3 B */
} cb_gpu_xfer_t;
/* Bytes moved by one operation of kind x over buffer_bytes; NaN for an
 * unknown kind. */
double cb_gpu_bytes_moved(cb_gpu_xfer_t x, double buffer_bytes);
/* GB/s (1 GB = 1e9 B) of bytes_moved in time_us microseconds; NaN unless
 * time_us > 0. */
double cb_gpu_gbps(double bytes_moved, double time_us);
/* TFLOPS (1e12 FLOP/s) of flop in time_us microseconds; NaN unless time_us > 0. */
double cb_gpu_tflops(double flop, double time_us);

/* "0000:3B:00.0" or "00000000:3b:00.0" (CUDA / NVML spellings) → sysfs's
 * "0000:3b:00.0". CB_ERR_INPUT when it does not look like a PCI address. */
int cb_gpu_pci_sysfs_id(const char *busid, char *out, size_t len);
/* PCIe link of a device from <sysfs_root>/bus/pci/devices/<id>/
 * {current,max}_link_{speed,width}: GT/s per lane and lanes; 0 for what
 * cannot be read. CB_OK when the current speed and width were read. */
int cb_gpu_read_pcie_link(const char *sysfs_root, const char *busid, double *gts, int *width,
                          double *max_gts, int *max_width);

/* "16 GT/s x16" (or "unknown") into buf. */
void cb_gpu_pcie_text(double gts, int width, char *buf, size_t len);

/* One measured quantity of one GPU: a row of the CSV. Plain data (gathered
 * between ranks as bytes). */
typedef struct cb_gpu_meas {
    char metric[40];     /* gemm_bf16_tflops, d2d_copy_kernel_gbps, ... */
    char unit[12];       /* GB/s, TFLOPS */
    char dtype[16];
    char op[16];         /* h2d, d2h, copy, triad, memcpy, fma, gemm */
    double value;        /* from the median time per operation */
    double spec_value;   /* 0 = no spec figure */
    long long bytes;     /* buffer (transfers) or one operand matrix (GEMM); -1 none */
    int gemm_n;          /* m = n = k for GEMMs, else 0 */
    int iters, warmup_iters, reps; /* samples, untimed ops, ops per sample */
    cb_stats_t time_us;  /* per operation */
    long long wrong;     /* wrong elements found by the check; -1 not checked */
    int rc;              /* CB_OK; CB_ERR_UNSUPPORTED = skipped; other = failed */
    char note[200];
} cb_gpu_meas_t;

/* Everything one rank learnt about one GPU (or about having none). */
typedef struct cb_gpu_report {
    char host[64];
    int rank;
    int device;          /* CUDA ordinal in this process; -1 = no device */
    char reason[200];    /* device == -1: why */
    char name[128];
    char busid[32];
    int cc_major, cc_minor;
    int sms;
    int sm_clock_mhz, mem_clock_mhz, mem_bus_bits;
    long long mem_bytes;
    int l2_bytes, ecc;
    double pcie_gts, pcie_max_gts;
    int pcie_width, pcie_max_width;
    int driver_version, runtime_version; /* 13000 = 13.0 */
    char spec_name[32];  /* "" = not in the table */
    int nmeas;
    cb_gpu_meas_t meas[CB_GPU_MAX_MEAS];
} cb_gpu_report_t;

/* gpu_info note of a report: "name=...; cc=9.0; sms=132; ..." into buf. */
char *cb_gpu_info_note(const cb_gpu_report_t *r, char *buf, size_t len);

/* Rank 0's part, pure apart from its output: from every GPU's report (and
 * the no-device ones, device -1) write the CSV rows — one gpu_info row per
 * GPU, one row per measurement with spec_value/efficiency where the spec
 * table has a figure, status ok / failed (error or wrong data) / skipped
 * (unsupported, or no device); a GPU flagged by the slow-GPU check keeps
 * status ok (its measurement is valid) with "SLOW: <verdict>" in the note — and
 * print the per-GPU results, the summary table and the verdicts to `out`.
 * Returns the exit code: 0; 2 for --device out of range; 3 for failures,
 * wrong data, a write error, or no device with --require-gpu. */
int cb_gpu_report_results(const cb_gpu_opts_t *o, const cb_results_ctx_t *ctx,
                          cb_results_t *res, const cb_gpu_report_t *reps, size_t n, FILE *out);

/* ---- CUDA side (only in builds with CUDA) ---- */

/* An operation enqueued on the timer's stream. */
typedef int (*cb_gpu_op_fn)(void *ctx);

/* Time `op` with CUDA events on `stream`: `warmup` untimed operations, one
 * to size the batch, then `iters` samples, each a batch of reps operations
 * between two events (reps so that a batch takes about batch_us; 1..1000),
 * the batch captured once into a CUDA graph so short operations run back to
 * back (enqueued directly when capture fails); samples_us[i] = batch time /
 * reps. */
int cb_gpu_time_op(void *stream, cb_gpu_op_fn op, void *ctx, int warmup, int iters,
                   double batch_us, double *samples_us, int *reps);

typedef struct cb_gpu_gemm cb_gpu_gemm_t;
/* cuBLASLt handle, workspace and stream state on the current device. */
int cb_gpu_gemm_create(void *stream, cb_gpu_gemm_t **out);
void cb_gpu_gemm_destroy(cb_gpu_gemm_t *g); /* NULL ok */
/* Time an n^3 GEMM of type t (random data in [-1,1)); fills m (value in
 * TFLOPS from the median, stats, iterations). CB_ERR_UNSUPPORTED with the
 * reason in m->note when cuBLASLt has no algorithm for it. */
int cb_gpu_gemm_measure(cb_gpu_gemm_t *g, cb_gpu_gemm_type_t t, int n, int warmup, int iters,
                        cb_gpu_meas_t *m);
/* Run one n^3 GEMM of integers in [-2, 2] and compare every element with a
 * CPU reference (double); *wrong = elements outside the output type's
 * tolerance, *max_rel = the largest relative error. */
int cb_gpu_gemm_check(cb_gpu_gemm_t *g, cb_gpu_gemm_type_t t, int n, uint64_t *wrong,
                      double *max_rel, char *why, size_t len);

/* ---- measuring one GPU (gpu_measure.c) ---- */

/* What one rank's measuring of one GPU needs. */
typedef struct cb_gpu_ctx {
    const cb_gpu_opts_t *o;
    int progress;         /* print progress lines (rank 0, not -q) */
    int others;           /* other ranks on this host measuring at the same time */
    cb_gpu_report_t *rep;
    const cb_gpuspec_t *spec;
    void *stream;         /* cudaStream_t */
} cb_gpu_ctx_t;

/* Start measuring device dev: facts, spec lookup, a stream. CB_OK, or an
 * error recorded in the report (a failed gpu_info measurement; without CUDA
 * in the build: device -1 and the reason). */
int cb_gpu_device_begin(cb_gpu_ctx_t *c, int dev);
/* One part (CB_GPU_PART_*) of the measurements, into c->rep. */
void cb_gpu_device_part(cb_gpu_ctx_t *c, int part);
void cb_gpu_device_end(cb_gpu_ctx_t *c);

/* ---- the program (gpu_prog.c; thin main in cb-gpu.c) ---- */

int cb_gpu_main(int argc, char **argv);

#endif
