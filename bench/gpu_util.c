/* cb-gpu's shared helpers, a leaf the other gpu*.c files use (none of them
 * uses another in a circle): GEMM type names and checks, bandwidth and
 * FLOP accounting, PCIe facts from sysfs, the gpu_info note, and the CUDA-
 * event timer of every measurement (cb_gpu_time_op). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_gpu.h"
#include "cb_gpuspec.h"

#ifdef CB_HAVE_CUDA
#include <cuda_runtime.h>

#include "cb_cuda_check.h"
#endif

/* ------------------------------------------------------------ pure helpers */

const char *cb_gpu_gemm_type_name(cb_gpu_gemm_type_t t)
{
    static const char *const n[CB_GEMM_NTYPES] = {"fp32", "tf32", "bf16", "fp16", "fp8"};
    return (unsigned)t < CB_GEMM_NTYPES ? n[t] : "unknown";
}

int cb_gpu_gemm_type_parse(const char *s, cb_gpu_gemm_type_t *t)
{
    static const struct { const char *name; cb_gpu_gemm_type_t t; } names[] = {
        {"fp32", CB_GEMM_FP32}, {"float", CB_GEMM_FP32},   {"tf32", CB_GEMM_TF32},
        {"bf16", CB_GEMM_BF16}, {"bfloat16", CB_GEMM_BF16}, {"fp16", CB_GEMM_FP16},
        {"half", CB_GEMM_FP16}, {"fp8", CB_GEMM_FP8},       {"e4m3", CB_GEMM_FP8},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(s, names[i].name)) {
            *t = names[i].t;
            return CB_OK;
        }
    return CB_ERR_USAGE;
}

const char *cb_gpu_gemm_dtype(cb_gpu_gemm_type_t t)
{
    static const char *const n[CB_GEMM_NTYPES] = {"float", "tf32", "bfloat16", "half", "fp8_e4m3"};
    return (unsigned)t < CB_GEMM_NTYPES ? n[t] : "unknown";
}

cb_gpuspec_metric_t cb_gpu_gemm_spec_metric(cb_gpu_gemm_type_t t)
{
    switch (t) {
    case CB_GEMM_FP32: return CB_GPUSPEC_FP32;
    case CB_GEMM_TF32: return CB_GPUSPEC_TF32;
    case CB_GEMM_BF16: return CB_GPUSPEC_BF16;
    case CB_GEMM_FP16: return CB_GPUSPEC_FP16;
    default: return CB_GPUSPEC_FP8;
    }
}

int cb_gpu_gemm_supported(cb_gpu_gemm_type_t t, int cc_major, int cc_minor, char *why, size_t len)
{
    int cc = cc_major * 10 + cc_minor;
    int need = t == CB_GEMM_FP8 ? 89 : (t == CB_GEMM_TF32 || t == CB_GEMM_BF16) ? 80 : 0;
    if (cc >= need)
        return 1;
    snprintf(why, len, "%s GEMM needs compute capability >= %d.%d (this GPU: %d.%d)",
             cb_gpu_gemm_type_name(t), need / 10, need % 10, cc_major, cc_minor);
    return 0;
}

double cb_gpu_gemm_flop(int n)
{
    return 2.0 * (double)n * (double)n * (double)n;
}

double cb_gpu_bytes_moved(cb_gpu_xfer_t x, double buffer_bytes)
{
    switch (x) {
    case CB_GPU_XFER_H2D:
    case CB_GPU_XFER_D2H: return buffer_bytes;
    case CB_GPU_XFER_COPY:
    case CB_GPU_XFER_MEMCPY: return 2.0 * buffer_bytes;
    case CB_GPU_XFER_TRIAD: return 3.0 * buffer_bytes;
    }
    return NAN;
}

double cb_gpu_gbps(double bytes_moved, double time_us)
{
    return time_us > 0 ? bytes_moved / (time_us * 1e-6) / 1e9 : NAN;
}

double cb_gpu_tflops(double flop, double time_us)
{
    return time_us > 0 ? flop / (time_us * 1e-6) / 1e12 : NAN;
}

int cb_gpu_pci_sysfs_id(const char *busid, char *out, size_t len)
{
    unsigned dom, bus, dev, fn;
    char tail;
    if (!busid || sscanf(busid, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) != 4 ||
        dom > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
        return CB_ERR_INPUT;
    const char *colon = strchr(busid, ':');
    if (!colon || colon == busid || colon - busid > 8)
        return CB_ERR_INPUT;
    for (const char *p = busid; *p; p++)
        if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
            return CB_ERR_INPUT;
    snprintf(out, len, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
    return CB_OK;
}

/* First number of a sysfs file ("16.0 GT/s PCIe", "16"); NaN when unreadable. */
static double read_sysfs_num(const char *dir, const char *file)
{
    char path[512], buf[64];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    if (!f)
        return NAN;
    double v = NAN;
    if (fgets(buf, sizeof buf, f)) {
        char *end;
        v = strtod(buf, &end);
        if (end == buf)
            v = NAN;
    }
    fclose(f);
    return v;
}

int cb_gpu_read_pcie_link(const char *sysfs_root, const char *busid, double *gts, int *width,
                          double *max_gts, int *max_width)
{
    *gts = *max_gts = 0;
    *width = *max_width = 0;
    char id[32], dir[400];
    if (cb_gpu_pci_sysfs_id(busid, id, sizeof id))
        return CB_ERR_INPUT;
    snprintf(dir, sizeof dir, "%s/bus/pci/devices/%s", sysfs_root, id);
    double v;
    if ((v = read_sysfs_num(dir, "current_link_speed")) > 0) *gts = v;
    if ((v = read_sysfs_num(dir, "current_link_width")) > 0) *width = (int)v;
    if ((v = read_sysfs_num(dir, "max_link_speed")) > 0) *max_gts = v;
    if ((v = read_sysfs_num(dir, "max_link_width")) > 0) *max_width = (int)v;
    return *gts > 0 && *width > 0 ? CB_OK : CB_ERR_IO;
}

void cb_gpu_pcie_text(double gts, int width, char *buf, size_t len)
{
    int gen = cb_gpuspec_pcie_gen(gts);
    if (gts <= 0 || width <= 0)
        snprintf(buf, len, "unknown");
    else if (gen)
        snprintf(buf, len, "Gen%d x%d", gen, width);
    else
        snprintf(buf, len, "%g GT/s x%d", gts, width);
}

char *cb_gpu_info_note(const cb_gpu_report_t *r, char *buf, size_t len)
{
    char cur[32], max[32];
    cb_gpu_pcie_text(r->pcie_gts, r->pcie_width, cur, sizeof cur);
    cb_gpu_pcie_text(r->pcie_max_gts, r->pcie_max_width, max, sizeof max);
    snprintf(buf, len,
             "name=%s; cc=%d.%d; sms=%d; sm_clock_mhz=%d; mem_clock_mhz=%d; mem_bus_bits=%d; "
             "mem_bytes=%lld; l2_bytes=%d; ecc=%d; pci=%s; pcie=%s; pcie_max=%s; driver=%d.%d; "
             "runtime=%d.%d; spec=%s",
             r->name, r->cc_major, r->cc_minor, r->sms, r->sm_clock_mhz, r->mem_clock_mhz,
             r->mem_bus_bits, r->mem_bytes, r->l2_bytes, r->ecc, r->busid, cur, max,
             r->driver_version / 1000, r->driver_version % 1000 / 10, r->runtime_version / 1000,
             r->runtime_version % 1000 / 10, r->spec_name[0] ? r->spec_name : "unknown");
    return buf;
}

/* ------------------------------------------------------------ the CUDA timer */

#ifdef CB_HAVE_CUDA
/* Capture reps operations into a CUDA graph, so a batch of short operations
 * runs back to back however slowly the host launches them. NULL (and the
 * batch is enqueued directly) when an operation cannot be captured. */
static cudaGraphExec_t capture_batch(cudaStream_t s, cb_gpu_op_fn op, void *ctx, int reps)
{
    cudaGraph_t graph = NULL;
    cudaGraphExec_t exec = NULL;
    if (cudaStreamBeginCapture(s, cudaStreamCaptureModeRelaxed) != cudaSuccess) {
        cudaGetLastError();
        return NULL;
    }
    int rc = CB_OK;
    for (int r = 0; r < reps && !rc; r++)
        rc = op(ctx);
    cudaError_t e = cudaStreamEndCapture(s, &graph);
    if (!rc && e == cudaSuccess && graph && cudaGraphInstantiate(&exec, graph, 0) != cudaSuccess)
        exec = NULL;
    if (graph)
        cudaGraphDestroy(graph);
    cudaGetLastError();
    return exec;
}

int cb_gpu_time_op(void *stream, cb_gpu_op_fn op, void *ctx, int warmup, int iters,
                   double batch_us, double *samples_us, int *reps_out)
{
    cudaStream_t s = (cudaStream_t)stream;
    cudaEvent_t e0 = NULL, e1 = NULL;
    cudaGraphExec_t batch = NULL;
    int rc = CB_OK;
    float ms = 0;
    cudaError_t e = cudaEventCreate(&e0);
    if (e == cudaSuccess)
        e = cudaEventCreate(&e1);
    if (e != cudaSuccess) {
        CB_LOG_ERR("cudaEventCreate: %s", cudaGetErrorString(e));
        rc = CB_ERR_CUDA;
        goto out;
    }
    for (int i = 0; i < warmup && !rc; i++)
        rc = op(ctx);
    if (rc)
        goto out;
    /* one operation sizes the batch */
    if ((e = cudaEventRecord(e0, s)) != cudaSuccess)
        goto cuda_fail;
    if ((rc = op(ctx)))
        goto out;
    if ((e = cudaEventRecord(e1, s)) != cudaSuccess || (e = cudaEventSynchronize(e1)) != cudaSuccess ||
        (e = cudaEventElapsedTime(&ms, e0, e1)) != cudaSuccess)
        goto cuda_fail;
    double one_us = ms * 1e3;
    int reps = one_us > 0 ? (int)ceil(batch_us / one_us) : 1000;
    reps = reps < 1 ? 1 : reps > 1000 ? 1000 : reps;
    *reps_out = reps;
    batch = capture_batch(s, op, ctx, reps);
    if (batch && (e = cudaGraphLaunch(batch, s)) != cudaSuccess) /* warm the graph */
        goto cuda_fail;
    for (int i = 0; i < iters; i++) {
        if ((e = cudaEventRecord(e0, s)) != cudaSuccess)
            goto cuda_fail;
        if (batch) {
            if ((e = cudaGraphLaunch(batch, s)) != cudaSuccess)
                goto cuda_fail;
        } else {
            for (int r = 0; r < reps && !rc; r++)
                rc = op(ctx);
            if (rc)
                goto out;
        }
        if ((e = cudaEventRecord(e1, s)) != cudaSuccess ||
            (e = cudaEventSynchronize(e1)) != cudaSuccess ||
            (e = cudaEventElapsedTime(&ms, e0, e1)) != cudaSuccess)
            goto cuda_fail;
        samples_us[i] = ms * 1e3 / reps;
    }
    goto out;
cuda_fail:
    CB_LOG_ERR("timing with CUDA events: %s", cudaGetErrorString(e));
    rc = CB_ERR_CUDA;
out:
    if (batch)
        cudaGraphExecDestroy(batch);
    if (e0)
        cudaEventDestroy(e0);
    if (e1)
        cudaEventDestroy(e1);
    return rc;
}

#else /* no CUDA in this build */

int cb_gpu_time_op(void *stream, cb_gpu_op_fn op, void *ctx, int warmup, int iters,
                   double batch_us, double *samples_us, int *reps)
{
    return CB_ERR_UNSUPPORTED;
}

#endif
