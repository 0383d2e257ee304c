/* cb-gpu: per-GPU throughput against the spec sheet. Each rank measures its
 * GPU(s) on its own — device facts, pinned host<->device bandwidth, device
 * memory bandwidth (our copy/triad kernels beside cudaMemcpy), the FP32 FMA
 * peak and cuBLASLt GEMMs — timing with CUDA events and checking data
 * outside the timed loops; rank 0 gathers every report, writes the CSV
 * (benchmark=gpu), prints per-GPU results, a summary table and the slow-GPU
 * verdicts (common/cb_spread.h). Without a CUDA device (or a CUDA build) it
 * writes a skipped row, or fails with --require-gpu. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_comm.h"
#include "cb_error.h"
#include "cb_gpu.h"
#include "cb_gpuspec.h"
#include "cb_results.h"
#include "cb_size.h"
#include "cb_spread.h"
#include "cb_timer.h"
#include "cb_topo.h"
#include "cb_transport.h"

#ifdef CB_HAVE_CUDA
#include <cuda_runtime.h>

#include "cb_cuda_check.h"
#include "cb_kernels.h"
#endif

#define PROG "cb-gpu"

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

static void pcie_text(double gts, int width, char *buf, size_t len)
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
    pcie_text(r->pcie_gts, r->pcie_width, cur, sizeof cur);
    pcie_text(r->pcie_max_gts, r->pcie_max_width, max, sizeof max);
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

/* ------------------------------------------------------------ measuring (CUDA) */

/* What one rank's measuring of one GPU needs. */
typedef struct gpu_ctx {
    const cb_gpu_opts_t *o;
    int progress;         /* print progress lines (rank 0, not -q) */
    int others;           /* other ranks on this host measuring at the same time */
    cb_gpu_report_t *rep;
    const cb_gpuspec_t *spec;
    void *stream;         /* cudaStream_t */
} gpu_ctx_t;

#ifdef CB_HAVE_CUDA
static cb_gpu_meas_t *new_meas(cb_gpu_report_t *rep, const char *metric, const char *unit,
                               const char *dtype, const char *op)
{
    if (rep->nmeas >= CB_GPU_MAX_MEAS)
        return NULL;
    cb_gpu_meas_t *m = &rep->meas[rep->nmeas++];
    memset(m, 0, sizeof *m);
    snprintf(m->metric, sizeof m->metric, "%s", metric);
    snprintf(m->unit, sizeof m->unit, "%s", unit);
    snprintf(m->dtype, sizeof m->dtype, "%s", dtype);
    snprintf(m->op, sizeof m->op, "%s", op);
    m->bytes = -1;
    m->wrong = -1;
    m->value = NAN;
    return m;
}

static void progress(const gpu_ctx_t *c, const cb_gpu_meas_t *m)
{
    if (!c->progress)
        return;
    char size[32] = "";
    if (m->gemm_n)
        snprintf(size, sizeof size, " n=%d", m->gemm_n);
    else if (m->bytes > 0)
        snprintf(size, sizeof size, " %s", cb_size_format((uint64_t)m->bytes, (char[32]){0}, 32));
    if (m->rc == CB_OK) {
        char eff[48] = "";
        if (m->spec_value > 0)
            snprintf(eff, sizeof eff, " (%.1f%% of %.4g)",
                     100 * cb_gpuspec_efficiency(m->value, m->spec_value), m->spec_value);
        fprintf(stderr, "%s: [%s gpu%d] %s%s: %.2f %s%s%s\n", PROG, c->rep->host, c->rep->device,
                m->metric, size, m->value, m->unit, eff, m->wrong > 0 ? " WRONG DATA" : "");
    } else {
        fprintf(stderr, "%s: [%s gpu%d] %s%s: %s: %s\n", PROG, c->rep->host, c->rep->device,
                m->metric, size, m->rc == CB_ERR_UNSUPPORTED ? "skipped" : "FAILED", m->note);
    }
    fflush(stderr);
}

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

static int device_facts(int dev, cb_gpu_report_t *r)
{
    struct cudaDeviceProp p;
    CB_CUDA_CHECK(cudaGetDeviceProperties(&p, dev));
    snprintf(r->name, sizeof r->name, "%.*s", (int)sizeof r->name - 1, p.name);
    r->cc_major = p.major;
    r->cc_minor = p.minor;
    r->sms = p.multiProcessorCount;
    r->mem_bytes = (long long)p.totalGlobalMem;
    r->l2_bytes = p.l2CacheSize;
    r->ecc = p.ECCEnabled;
    r->mem_bus_bits = p.memoryBusWidth;
    int khz = 0;
    if (cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, dev) == cudaSuccess)
        r->sm_clock_mhz = khz / 1000;
    if (cudaDeviceGetAttribute(&khz, cudaDevAttrMemoryClockRate, dev) == cudaSuccess)
        r->mem_clock_mhz = khz / 1000;
    cudaGetLastError();
    if (cudaDeviceGetPCIBusId(r->busid, sizeof r->busid, dev) != cudaSuccess) {
        snprintf(r->busid, sizeof r->busid, "unknown");
        cudaGetLastError();
    }
    cudaDriverGetVersion(&r->driver_version);
    cudaRuntimeGetVersion(&r->runtime_version);
    cb_gpu_read_pcie_link("/sys", r->busid, &r->pcie_gts, &r->pcie_width, &r->pcie_max_gts,
                          &r->pcie_max_width);
    return CB_OK;
}

/* Fill m's value after timing: GB/s from the median time of an operation of
 * kind x over `bytes` (cb_gpu_bytes_moved: what the kind counts). */
static void finish_bw(cb_gpu_meas_t *m, const double *samples, int iters, cb_gpu_xfer_t x,
                      size_t bytes)
{
    cb_stats_compute(samples, (size_t)iters, &m->time_us);
    m->iters = iters;
    m->value = cb_gpu_gbps(cb_gpu_bytes_moved(x, (double)bytes), m->time_us.median);
}

/* ---- pinned host <-> device ---- */

typedef struct copy_ctx {
    void *dst;
    const void *src;
    size_t bytes;
    enum cudaMemcpyKind kind;
    cudaStream_t stream;
    int sms;
    float *a, *b, *c; /* triad */
    size_t count;
} copy_ctx_t;

static int memcpy_op(void *vc)
{
    copy_ctx_t *c = vc;
    CB_CUDA_CHECK(cudaMemcpyAsync(c->dst, c->src, c->bytes, c->kind, c->stream));
    return CB_OK;
}

static int copy_kernel_op(void *vc)
{
    copy_ctx_t *c = vc;
    CB_CUDA_CHECK(cb_kernels_copy(c->dst, c->src, c->bytes, c->sms, c->stream));
    return CB_OK;
}

static int triad_op(void *vc)
{
    copy_ctx_t *c = vc;
    CB_CUDA_CHECK(cb_kernels_triad(c->a, c->b, c->c, 3.0f, c->count, c->sms, c->stream));
    return CB_OK;
}

static void set_fail(cb_gpu_meas_t *m, int rc, const char *what)
{
    m->rc = rc ? rc : CB_ERR_CUDA;
    snprintf(m->note, sizeof m->note, "%s: %s", what, cb_strerror(m->rc));
}

/* Count floats of dev[0..count) that differ from expect(i), reading back in
 * chunks through host memory `tmp` of tmp_count floats. */
static int check_floats_on_host(const float *dev, size_t count, float *tmp, size_t tmp_count,
                                float (*expect)(size_t i), cudaStream_t s, long long *wrong)
{
    *wrong = 0;
    for (size_t off = 0; off < count; off += tmp_count) {
        size_t n = count - off < tmp_count ? count - off : tmp_count;
        CB_CUDA_CHECK(cudaMemcpyAsync(tmp, dev + off, n * sizeof *tmp, cudaMemcpyDeviceToHost, s));
        CB_CUDA_CHECK(cudaStreamSynchronize(s));
        for (size_t i = 0; i < n; i++)
            *wrong += tmp[i] != expect(off + i);
    }
    return CB_OK;
}

static float expect_d2h(size_t i) { return (float)cb_pattern_value(i, 4, 0); }
static float expect_triad(size_t i)
{
    return (float)cb_pattern_value(i, 5, 0) + 3.0f * (float)cb_pattern_value(i, 6, 0);
}

static int check_device_pattern(const void *buf, size_t count, int seed, cudaStream_t s,
                                long long *wrong)
{
    uint64_t w = 0;
    CB_CUDA_CHECK(cb_kernels_check(buf, count, CB_DT_FLOAT, seed, 1, 0, &w, s));
    *wrong = (long long)w;
    return CB_OK;
}

static void measure_pcie(gpu_ctx_t *c, cudaStream_t s)
{
    const cb_gpu_opts_t *o = c->o;
    cb_gpu_report_t *rep = c->rep;
    size_t bytes = o->mem_bytes, count = bytes / sizeof(float);
    float *host = NULL;
    void *dbuf = NULL;
    double *samples = calloc((size_t)o->iters, sizeof *samples);
    cb_gpu_meas_t *mh = new_meas(rep, "h2d_pinned_gbps", "GB/s", "uint8", "h2d");
    cb_gpu_meas_t *md = new_meas(rep, "d2h_pinned_gbps", "GB/s", "uint8", "d2h");
    if (!mh || !md)
        goto out;
    mh->bytes = md->bytes = (long long)bytes;
    int rc = samples ? CB_OK : CB_ERR_NOMEM;
    cudaError_t e = cudaSuccess;
    if (!rc && ((e = cudaMallocHost((void **)&host, bytes)) != cudaSuccess ||
                (e = cudaMalloc(&dbuf, bytes)) != cudaSuccess)) {
        snprintf(mh->note, sizeof mh->note, "allocating %s pinned host + device buffers: %s "
                 "(use --mem-size)", cb_size_format(bytes, (char[32]){0}, 32), cudaGetErrorString(e));
        snprintf(md->note, sizeof md->note, "%s", mh->note);
        mh->rc = md->rc = CB_ERR_CUDA;
        cudaGetLastError();
        goto out;
    }
    if (rc) {
        set_fail(mh, rc, "h2d");
        set_fail(md, rc, "d2h");
        goto out;
    }
    for (size_t i = 0; i < count; i++)
        host[i] = (float)cb_pattern_value(i, 3, 0);

    /* The link speed while it carries data (idle GPUs train the link down to
     * save power): read it 2 ms into four back-to-back copies. */
    e = cudaSuccess;
    for (int i = 0; i < 4 && e == cudaSuccess; i++)
        e = cudaMemcpyAsync(dbuf, host, bytes, cudaMemcpyHostToDevice, s);
    if (e == cudaSuccess) {
        cb_timer_wait_us(2000);
        double gts, mgts;
        int w, mw;
        if (cb_gpu_read_pcie_link("/sys", rep->busid, &gts, &w, &mgts, &mw) == CB_OK) {
            rep->pcie_gts = gts;
            rep->pcie_width = w;
        }
    }
    cudaStreamSynchronize(s);
    cudaGetLastError();
    double line = cb_gpuspec_pcie_gbps(rep->pcie_gts, rep->pcie_width);
    char link[200] = "PCIe link unknown: no efficiency";
    if (isfinite(line)) {
        char cur[32];
        pcie_text(rep->pcie_gts, rep->pcie_width, cur, sizeof cur);
        snprintf(link, sizeof link, "spec = PCIe %s line rate per direction (%.2f GB/s) under load",
                 cur, line);
    }
    if (c->others > 0) {
        size_t l = strlen(link);
        snprintf(link + l, sizeof link - l, "; concurrent with %d other rank(s) on this host",
                 c->others);
    }

    copy_ctx_t h2d = {.dst = dbuf, .src = host, .bytes = bytes, .kind = cudaMemcpyHostToDevice,
                      .stream = s};
    rc = cb_gpu_time_op(s, memcpy_op, &h2d, o->warmup_iters, o->iters, 20000, samples, &mh->reps);
    if (rc) {
        set_fail(mh, rc, "h2d cudaMemcpyAsync");
    } else {
        finish_bw(mh, samples, o->iters, CB_GPU_XFER_H2D, bytes);
        mh->warmup_iters = o->warmup_iters + 1;
        if (o->check) {
            cudaMemsetAsync(dbuf, 0, bytes, s);
            if ((rc = memcpy_op(&h2d)) || (rc = check_device_pattern(dbuf, count, 3, s, &mh->wrong)))
                set_fail(mh, rc, "h2d check");
        }
    }
    if (mh->rc == CB_OK) {
        mh->spec_value = isfinite(line) ? line : 0;
        snprintf(mh->note, sizeof mh->note, "cudaMemcpyAsync pinned host to device; %s", link);
    }
    progress(c, mh);

    copy_ctx_t d2h = {.dst = host, .src = dbuf, .bytes = bytes, .kind = cudaMemcpyDeviceToHost,
                      .stream = s};
    rc = cb_kernels_fill(dbuf, count, CB_DT_FLOAT, 4, 0, s);
    if (rc)
        rc = CB_ERR_CUDA;
    if (!rc)
        rc = cb_gpu_time_op(s, memcpy_op, &d2h, o->warmup_iters, o->iters, 20000, samples, &md->reps);
    if (rc) {
        set_fail(md, rc, "d2h cudaMemcpyAsync");
    } else {
        finish_bw(md, samples, o->iters, CB_GPU_XFER_D2H, bytes);
        md->warmup_iters = o->warmup_iters + 1;
        if (o->check) {
            memset(host, 0, bytes);
            if ((rc = memcpy_op(&d2h)) || cudaStreamSynchronize(s) != cudaSuccess) {
                set_fail(md, rc, "d2h check");
            } else {
                md->wrong = 0;
                for (size_t i = 0; i < count; i++)
                    md->wrong += host[i] != expect_d2h(i);
            }
        }
    }
    if (md->rc == CB_OK) {
        md->spec_value = isfinite(line) ? line : 0;
        snprintf(md->note, sizeof md->note, "cudaMemcpyAsync device to pinned host; %s", link);
    }
    progress(c, md);
out:
    if (host)
        cudaFreeHost(host);
    if (dbuf)
        cudaFree(dbuf);
    free(samples);
}

/* ---- device memory ---- */

static void measure_membw(gpu_ctx_t *c, cudaStream_t s)
{
    const cb_gpu_opts_t *o = c->o;
    cb_gpu_report_t *rep = c->rep;
    size_t bytes = o->mem_bytes, count = bytes / sizeof(float);
    void *a = NULL, *b = NULL, *cc = NULL;
    float *tmp = NULL;
    const size_t tmp_count = (size_t)4 << 20;
    double *samples = calloc((size_t)o->iters, sizeof *samples);
    double spec = cb_gpuspec_value(c->spec, CB_GPUSPEC_MEM_BW);
    cb_gpu_meas_t *mk = new_meas(rep, "d2d_copy_kernel_gbps", "GB/s", "float", "copy");
    cb_gpu_meas_t *mm = new_meas(rep, "d2d_memcpy_gbps", "GB/s", "uint8", "memcpy");
    cb_gpu_meas_t *mt = new_meas(rep, "d2d_triad_kernel_gbps", "GB/s", "float", "triad");
    if (!mk || !mm || !mt)
        goto out;
    mk->bytes = mm->bytes = mt->bytes = (long long)bytes;
    cudaError_t e = cudaMalloc(&a, bytes);
    if (e == cudaSuccess)
        e = cudaMalloc(&b, bytes);
    if (e == cudaSuccess)
        e = cudaMalloc(&cc, bytes);
    if (e != cudaSuccess || !samples || !(tmp = malloc(tmp_count * sizeof *tmp))) {
        cb_gpu_meas_t *all[3] = {mk, mm, mt};
        for (int i = 0; i < 3; i++) {
            all[i]->rc = e != cudaSuccess ? CB_ERR_CUDA : CB_ERR_NOMEM;
            snprintf(all[i]->note, sizeof all[i]->note, "allocating 3 x %s: %s (use --mem-size)",
                     cb_size_format(bytes, (char[32]){0}, 32),
                     e != cudaSuccess ? cudaGetErrorString(e) : "out of host memory");
            progress(c, all[i]);
        }
        cudaGetLastError();
        goto out;
    }
    copy_ctx_t k = {.dst = a, .src = b, .bytes = bytes, .stream = s, .sms = rep->sms,
                    .kind = cudaMemcpyDeviceToDevice, .a = a, .b = b, .c = cc, .count = count};
    int rc = cb_kernels_fill(b, count, CB_DT_FLOAT, 5, 0, s) ? CB_ERR_CUDA : CB_OK;
    if (!rc)
        rc = cb_kernels_fill(cc, count, CB_DT_FLOAT, 6, 0, s) ? CB_ERR_CUDA : CB_OK;

    /* copy kernel: a = b */
    if (!rc)
        rc = cb_gpu_time_op(s, copy_kernel_op, &k, o->warmup_iters, o->iters, 5000, samples, &mk->reps);
    if (rc) {
        set_fail(mk, rc, "copy kernel");
    } else {
        finish_bw(mk, samples, o->iters, CB_GPU_XFER_COPY, bytes);
        mk->warmup_iters = o->warmup_iters + 1;
        if (o->check && (cudaMemsetAsync(a, 0, bytes, s) != cudaSuccess ||
                         (rc = copy_kernel_op(&k)) ||
                         (rc = check_device_pattern(a, count, 5, s, &mk->wrong))))
            set_fail(mk, rc, "copy kernel check");
    }
    if (mk->rc == CB_OK) {
        mk->spec_value = spec;
        snprintf(mk->note, sizeof mk->note, "float4 copy kernel, %d SMs; counts read + write "
                 "(2 x bytes)", rep->sms);
    }
    progress(c, mk);

    /* cudaMemcpy device to device: a = b */
    copy_ctx_t m = k;
    rc = cb_gpu_time_op(s, memcpy_op, &m, o->warmup_iters, o->iters, 5000, samples, &mm->reps);
    if (rc) {
        set_fail(mm, rc, "cudaMemcpyAsync device to device");
    } else {
        finish_bw(mm, samples, o->iters, CB_GPU_XFER_MEMCPY, bytes);
        mm->warmup_iters = o->warmup_iters + 1;
        if (o->check && (cudaMemsetAsync(a, 0, bytes, s) != cudaSuccess || (rc = memcpy_op(&m)) ||
                         (rc = check_device_pattern(a, count, 5, s, &mm->wrong))))
            set_fail(mm, rc, "memcpy check");
    }
    if (mm->rc == CB_OK) {
        mm->spec_value = spec;
        snprintf(mm->note, sizeof mm->note, "cudaMemcpyAsync device to device; counts read + "
                 "write (2 x bytes)");
    }
    progress(c, mm);

    /* triad: a = b + 3 c */
    rc = cb_gpu_time_op(s, triad_op, &k, o->warmup_iters, o->iters, 5000, samples, &mt->reps);
    if (rc) {
        set_fail(mt, rc, "triad kernel");
    } else {
        finish_bw(mt, samples, o->iters, CB_GPU_XFER_TRIAD, bytes);
        mt->warmup_iters = o->warmup_iters + 1;
        if (o->check && (cudaMemsetAsync(a, 0, bytes, s) != cudaSuccess || (rc = triad_op(&k)) ||
                         (rc = check_floats_on_host(a, count, tmp, tmp_count, expect_triad, s,
                                                    &mt->wrong))))
            set_fail(mt, rc, "triad check");
    }
    if (mt->rc == CB_OK) {
        mt->spec_value = spec;
        snprintf(mt->note, sizeof mt->note, "STREAM triad a = b + s c, float4, %d SMs; counts 2 "
                 "reads + 1 write (3 x bytes)", rep->sms);
    }
    progress(c, mt);
out:
    cudaGetLastError();
    if (a)
        cudaFree(a);
    if (b)
        cudaFree(b);
    if (cc)
        cudaFree(cc);
    free(tmp);
    free(samples);
}

/* ---- FP32 FMA peak ---- */

typedef struct fma_ctx {
    float *out;
    int blocks, threads, iters;
    cudaStream_t s;
} fma_ctx_t;

static int fma_op(void *vc)
{
    fma_ctx_t *f = vc;
    CB_CUDA_CHECK(cb_kernels_fma(f->out, f->blocks, f->threads, f->iters, f->s));
    return CB_OK;
}

static void measure_fma(gpu_ctx_t *c, cudaStream_t s)
{
    const cb_gpu_opts_t *o = c->o;
    cb_gpu_meas_t *m = new_meas(c->rep, "fma_fp32_tflops", "TFLOPS", "float", "fma");
    double *samples = calloc((size_t)o->iters, sizeof *samples);
    float *host = NULL;
    fma_ctx_t f = {.s = s, .iters = 4096};
    int rc = m && samples ? CB_OK : CB_ERR_NOMEM;
    if (!m)
        goto out;
    if (!rc && cb_kernels_fma_grid(&f.blocks, &f.threads))
        rc = CB_ERR_CUDA;
    size_t nthreads = (size_t)f.blocks * (size_t)f.threads;
    if (!rc && cudaMalloc((void **)&f.out, nthreads * sizeof(float)) != cudaSuccess)
        rc = CB_ERR_CUDA;
    /* Size the kernel to about 20 ms: time one run of 4096 steps. */
    double one[1];
    int reps = 0;
    if (!rc)
        rc = cb_gpu_time_op(s, fma_op, &f, 1, 1, 0, one, &reps);
    if (!rc) {
        double scale = one[0] > 0 ? 20000.0 / one[0] : 64;
        double it = 4096 * scale;
        f.iters = it < 1024 ? 1024 : it > (1 << 24) ? (1 << 24) : (int)it;
        rc = cb_gpu_time_op(s, fma_op, &f, o->warmup_iters, o->iters, 20000, samples, &m->reps);
    }
    if (rc) {
        set_fail(m, rc, "FMA kernel");
        goto out;
    }
    double flop = cb_launch_fma_flop(f.blocks, f.threads, f.iters);
    cb_stats_compute(samples, (size_t)o->iters, &m->time_us);
    m->iters = o->iters;
    m->warmup_iters = o->warmup_iters + 1;
    m->value = cb_gpu_tflops(flop, m->time_us.median);
    m->spec_value = cb_gpuspec_value(c->spec, CB_GPUSPEC_FP32);
    snprintf(m->note, sizeof m->note, "%d blocks x %d threads x %d steps x %d FMA chains = %.4g "
             "FLOP per kernel (2 per FMA)", f.blocks, f.threads, f.iters, CB_KERNELS_FMA_CHAINS,
             flop);
    if (o->check) {
        if (!(host = malloc(nthreads * sizeof *host)) ||
            cudaMemcpyAsync(host, f.out, nthreads * sizeof *host, cudaMemcpyDeviceToHost, s) !=
                cudaSuccess ||
            cudaStreamSynchronize(s) != cudaSuccess) {
            set_fail(m, host ? CB_ERR_CUDA : CB_ERR_NOMEM, "FMA check");
            goto out;
        }
        float ref[16]; /* a thread's result depends on thread % 16 only */
        for (unsigned t = 0; t < 16; t++)
            ref[t] = cb_kernels_fma_reference(t, f.iters);
        m->wrong = 0;
        for (size_t t = 0; t < nthreads; t++)
            m->wrong += !(fabsf(host[t] - ref[t % 16]) <= 1e-6f * fabsf(ref[t % 16]));
    }
out:
    cudaGetLastError();
    if (m)
        progress(c, m);
    if (f.out)
        cudaFree(f.out);
    free(host);
    free(samples);
}

/* ---- GEMMs ---- */

static void measure_gemm(gpu_ctx_t *c, cudaStream_t s)
{
    const cb_gpu_opts_t *o = c->o;
    cb_gpu_report_t *rep = c->rep;
    cb_gpu_gemm_t *g = NULL;
    int rc = cb_gpu_gemm_create(s, &g);
    for (int t = 0; t < CB_GEMM_NTYPES; t++) {
        if (!(o->gemm_types & (1 << t)))
            continue;
        char why[200] = "";
        char metric[40];
        snprintf(metric, sizeof metric, "gemm_%s_tflops", cb_gpu_gemm_type_name(t));
        if (rc || !cb_gpu_gemm_supported(t, rep->cc_major, rep->cc_minor, why, sizeof why)) {
            cb_gpu_meas_t *m = new_meas(rep, metric, "TFLOPS", cb_gpu_gemm_dtype(t), "gemm");
            if (!m)
                break;
            m->rc = rc ? rc : CB_ERR_UNSUPPORTED;
            snprintf(m->note, sizeof m->note, "%s", rc ? "cuBLASLt set-up failed" : why);
            progress(c, m);
            continue;
        }
        /* Reference check at 256^3, outside the timed loops. */
        uint64_t wrong = 0;
        double max_rel = 0;
        long long check_wrong = -1;
        int crc = CB_OK;
        if (o->check) {
            crc = cb_gpu_gemm_check(g, t, 256, &wrong, &max_rel, why, sizeof why);
            if (!crc)
                check_wrong = (long long)wrong;
        }
        for (int k = 0; k < o->ngemm_sizes; k++) {
            cb_gpu_meas_t *m = new_meas(rep, metric, "TFLOPS", cb_gpu_gemm_dtype(t), "gemm");
            if (!m)
                break;
            if (crc) {
                m->rc = crc;
                m->gemm_n = o->gemm_sizes[k];
                snprintf(m->note, sizeof m->note, "reference check at 256^3: %s", why);
                progress(c, m);
                continue;
            }
            cb_gpu_gemm_measure(g, t, o->gemm_sizes[k], o->warmup_iters, o->iters, m);
            cudaGetLastError();
            m->wrong = check_wrong;
            if (m->rc == CB_OK) {
                m->spec_value = cb_gpuspec_value(c->spec, cb_gpu_gemm_spec_metric(t));
                size_t l = strlen(m->note);
                if (check_wrong > 0)
                    snprintf(m->note + l, sizeof m->note - l, "; 256^3 check: %s", why);
                else if (check_wrong == 0)
                    snprintf(m->note + l, sizeof m->note - l, "; 256^3 matches CPU (max rel %.2g)",
                             max_rel);
            }
            progress(c, m);
            if (m->rc == CB_ERR_UNSUPPORTED)
                break; /* the next sizes would say the same */
        }
    }
    cb_gpu_gemm_destroy(g);
}

/* Start measuring device dev: facts, spec lookup, a stream. CB_OK, or an
 * error recorded in the report as a failed gpu_info measurement. */
static int device_begin(gpu_ctx_t *c, int dev)
{
    cb_gpu_report_t *rep = c->rep;
    rep->device = dev;
    int rc = cudaSetDevice(dev) == cudaSuccess ? device_facts(dev, rep) : CB_ERR_CUDA;
    cudaStream_t st = NULL;
    if (!rc && cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking) != cudaSuccess)
        rc = CB_ERR_CUDA;
    c->stream = st;
    if (rc) {
        cb_gpu_meas_t *m = new_meas(rep, "gpu_info", "", "", "info");
        if (m) {
            m->rc = rc;
            snprintf(m->note, sizeof m->note, "cannot use CUDA device %d: %s", dev,
                     cudaGetErrorString(cudaGetLastError()));
        }
        return rc;
    }
    c->spec = cb_gpuspec_lookup(rep->name, rep->cc_major, rep->cc_minor);
    snprintf(rep->spec_name, sizeof rep->spec_name, "%s", c->spec ? c->spec->name : "");
    if (c->progress) {
        fprintf(stderr, "%s: [%s gpu%d] %s (cc %d.%d, %d SMs, %s): %s\n", PROG, rep->host, dev,
                rep->name, rep->cc_major, rep->cc_minor, rep->sms, rep->busid,
                c->spec ? c->spec->name : "not in the spec table: no efficiencies");
        fflush(stderr);
    }
    return CB_OK;
}

static void device_part(gpu_ctx_t *c, int part)
{
    cudaSetDevice(c->rep->device);
    switch (part) {
    case CB_GPU_PART_PCIE: measure_pcie(c, c->stream); break;
    case CB_GPU_PART_MEMBW: measure_membw(c, c->stream); break;
    case CB_GPU_PART_FMA: measure_fma(c, c->stream); break;
    case CB_GPU_PART_GEMM: measure_gemm(c, c->stream); break;
    }
}

static void device_end(gpu_ctx_t *c)
{
    if (c->stream)
        cudaStreamDestroy(c->stream);
    c->stream = NULL;
}

#else /* no CUDA in this build: cb_cuda_device_count() says 0, so none of these runs */

int cb_gpu_time_op(void *stream, cb_gpu_op_fn op, void *ctx, int warmup, int iters,
                   double batch_us, double *samples_us, int *reps)
{
    return CB_ERR_UNSUPPORTED;
}

static int device_begin(gpu_ctx_t *c, int dev)
{
    c->rep->device = -1;
    snprintf(c->rep->reason, sizeof c->rep->reason, "no CUDA device: this build has no CUDA support");
    return CB_ERR_UNSUPPORTED;
}

static void device_part(gpu_ctx_t *c, int part) {}
static void device_end(gpu_ctx_t *c) {}

#endif

/* ------------------------------------------------------------ the program */

static int write_topology(cb_comm_t *comm, const cb_results_ctx_t *ctx, cb_results_t *res)
{
    cb_topo_t mine;
    int rc = cb_topo_discover(&mine, "/sys");
    if (rc)
        memset(&mine, 0, sizeof mine);
    snprintf(mine.hostname, sizeof mine.hostname, "%s", comm->hostname);
    cb_topo_t *all = NULL;
    if (comm->rank == 0 && !(all = calloc((size_t)comm->size, sizeof *all)))
        rc = CB_ERR_NOMEM;
    int ok = comm->rank != 0 || all;
    cb_comm_allreduce_min_int(comm, &ok, 1);
    if (!ok) {
        free(all);
        return CB_ERR_NOMEM;
    }
    rc = cb_comm_gather(comm, &mine, sizeof mine, all, 0);
    if (rc == CB_OK && comm->rank == 0)
        for (int k = 0; k < comm->nnodes && rc == CB_OK; k++)
            rc = cb_topo_write_rows(&all[comm->node_leader[k]], ctx, res);
    free(all);
    return rc;
}

/* "host/gpuN (busid)" */
static void gpu_label(const cb_gpu_report_t *r, char *buf, size_t len)
{
    snprintf(buf, len, "%s/gpu%d (%s)", r->host, r->device, r->busid);
}

/* Status of a measurement: skipped (unsupported), failed (error or wrong
 * data), else ok. A GPU flagged slow keeps "ok" in the CSV — the measurement
 * is valid, and readers (the reporter, the gate) take status=ok rows and run
 * the same spread check — with "SLOW: ..." in its note; `slow` asks for the
 * "SLOW" label of the printed table instead. */
static const char *meas_status(const cb_gpu_meas_t *m, int slow)
{
    if (m->rc == CB_ERR_UNSUPPORTED)
        return "skipped";
    if (m->rc || m->wrong > 0)
        return "failed";
    return slow ? "SLOW" : "ok";
}

/* Slow-GPU verdicts: for every (model, metric, size) that two or more GPUs
 * measured, each GPU against the median of the others. Fills slow[i][j]
 * (report i, measurement j) with a malloc'd description when flagged.
 * Returns the number flagged; *groups_out = comparisons made. */
static int spread_all(const cb_gpu_report_t *reps, size_t nrep, double threshold, char ***slow,
                      int *groups_out)
{
    cb_spread_opts_t so;
    cb_spread_opts_default(&so);
    so.threshold = threshold;
    size_t cap = nrep ? nrep : 1;
    double *vals = malloc(cap * sizeof *vals);
    const char **names = malloc(cap * sizeof *names);
    char (*labels)[160] = malloc(cap * sizeof *labels);
    size_t *ri = malloc(cap * sizeof *ri), *mj = malloc(cap * sizeof *mj);
    cb_spread_verdict_t *v = malloc(cap * sizeof *v);
    char *done = NULL;
    size_t total = 0;
    for (size_t i = 0; i < nrep; i++)
        total += (size_t)reps[i].nmeas;
    done = calloc(total ? total : 1, 1);
    int flagged = 0, groups = 0;
    if (!vals || !names || !labels || !ri || !mj || !v || !done) {
        fprintf(stderr, "%s: out of memory in the slow-GPU check\n", PROG);
        goto out;
    }
    size_t base_i = 0;
    for (size_t i = 0; i < nrep; base_i += (size_t)reps[i].nmeas, i++) {
        for (int j = 0; j < reps[i].nmeas; j++) {
            const cb_gpu_meas_t *m = &reps[i].meas[j];
            if (done[base_i + (size_t)j] || m->rc || m->wrong > 0 || !isfinite(m->value))
                continue;
            /* every GPU of the same model with the same measurement */
            size_t n = 0, base_k = 0;
            for (size_t k = 0; k < nrep; base_k += (size_t)reps[k].nmeas, k++) {
                if (reps[k].device < 0 || strcmp(reps[k].name, reps[i].name))
                    continue;
                for (int l = 0; l < reps[k].nmeas; l++) {
                    const cb_gpu_meas_t *q = &reps[k].meas[l];
                    if (strcmp(q->metric, m->metric) || q->gemm_n != m->gemm_n ||
                        q->bytes != m->bytes || done[base_k + (size_t)l])
                        continue;
                    done[base_k + (size_t)l] = 1;
                    if (q->rc || q->wrong > 0 || !isfinite(q->value))
                        continue;
                    gpu_label(&reps[k], labels[n], sizeof labels[n]);
                    names[n] = labels[n];
                    vals[n] = q->value;
                    ri[n] = k;
                    mj[n] = (size_t)l;
                    n++;
                    break;
                }
            }
            if (n < 2)
                continue;
            groups++;
            int nf = cb_spread_check(names, vals, n, &so, v);
            if (nf <= 0)
                continue;
            for (size_t k = 0; k < n; k++) {
                if (v[k].state != CB_SPREAD_SLOW)
                    continue;
                char d[400];
                cb_spread_describe(&v[k], &so, m->unit, d, sizeof d);
                char *s = malloc(strlen(d) + 1);
                if (s)
                    strcpy(s, d);
                free(slow[ri[k]][mj[k]]);
                slow[ri[k]][mj[k]] = s;
                flagged++;
            }
        }
    }
out:
    *groups_out = groups;
    free(vals);
    free(names);
    free(labels);
    free(ri);
    free(mj);
    free(v);
    free(done);
    return flagged;
}

static int write_row(cb_results_t *res, const cb_results_ctx_t *ctx, const cb_gpu_report_t *r,
                     const cb_gpu_meas_t *m, const char *status, const char *note)
{
    cb_row_t row;
    cb_row_init(&row, ctx);
    cb_row_set_str(&row, CB_COL_BENCHMARK, "gpu");
    cb_row_set_str(&row, CB_COL_TRANSPORT, "cuda");
    cb_row_set_str(&row, CB_COL_MEMORY, "cuda");
    cb_row_set_str(&row, CB_COL_HOST, r->host);
    cb_row_set_int(&row, CB_COL_RANK, r->rank);
    if (m) {
        cb_row_set_str(&row, CB_COL_DTYPE, m->dtype);
        cb_row_set_str(&row, CB_COL_OP, m->op);
        if (m->bytes >= 0)
            cb_row_set_int(&row, CB_COL_BYTES, m->bytes);
        if (m->iters) {
            cb_row_set_int(&row, CB_COL_ITERS, m->iters);
            cb_row_set_int(&row, CB_COL_WARMUP_ITERS, m->warmup_iters);
            cb_row_set_stats(&row, &m->time_us);
        }
        cb_row_set_str(&row, CB_COL_METRIC, m->metric);
        if (m->rc == CB_OK) {
            cb_row_set_num(&row, CB_COL_VALUE, m->value);
            cb_row_set_str(&row, CB_COL_UNIT, m->unit);
            if (m->spec_value > 0) {
                cb_row_set_num(&row, CB_COL_SPEC_VALUE, m->spec_value);
                cb_row_set_num(&row, CB_COL_EFFICIENCY,
                               cb_gpuspec_efficiency(m->value, m->spec_value));
            }
        }
        if (m->wrong >= 0)
            cb_row_set_int(&row, CB_COL_WRONG_ELEMENTS, m->wrong);
    }
    cb_row_set_str(&row, CB_COL_STATUS, status);
    cb_row_set_str(&row, CB_COL_NOTE, note);
    int rc = cb_results_write(res, &row);
    cb_row_clear(&row);
    return rc;
}

static void print_report(FILE *f, const cb_gpu_report_t *r, char **slow)
{
    char label[160], cur[32];
    gpu_label(r, label, sizeof label);
    pcie_text(r->pcie_gts, r->pcie_width, cur, sizeof cur);
    fprintf(f, "#\n# %s rank %d: %s, cc %d.%d, %d SMs, %d MHz, %.1f GiB, PCIe %s; driver %d.%d, "
               "runtime %d.%d; spec: %s\n",
            label, r->rank, r->name, r->cc_major, r->cc_minor, r->sms, r->sm_clock_mhz,
            (double)r->mem_bytes / (1 << 30), cur, r->driver_version / 1000,
            r->driver_version % 1000 / 10, r->runtime_version / 1000,
            r->runtime_version % 1000 / 10, r->spec_name[0] ? r->spec_name : "not in the table");
    fprintf(f, "# %-24s %8s %10s %-6s %9s %7s %6s %s\n", "metric", "size", "value", "unit", "spec",
            "eff", "iters", "status");
    for (int j = 0; j < r->nmeas; j++) {
        const cb_gpu_meas_t *m = &r->meas[j];
        char size[32] = "-", val[32] = "-", spec[32] = "-", eff[32] = "-";
        if (m->gemm_n)
            snprintf(size, sizeof size, "%d", m->gemm_n);
        else if (m->bytes > 0)
            cb_size_format((uint64_t)m->bytes, size, sizeof size);
        if (m->rc == CB_OK) {
            snprintf(val, sizeof val, "%.2f", m->value);
            if (m->spec_value > 0) {
                snprintf(spec, sizeof spec, "%.6g", m->spec_value);
                snprintf(eff, sizeof eff, "%.1f%%",
                         100 * cb_gpuspec_efficiency(m->value, m->spec_value));
            }
        }
        const char *st = meas_status(m, slow[j] != NULL);
        char why[64] = "";
        if (m->rc == CB_OK && m->wrong > 0)
            snprintf(why, sizeof why, "%lld wrong elements", m->wrong);
        fprintf(f, "  %-24s %8s %10s %-6s %9s %7s %6d %s%s%s\n", m->metric, size, val,
                m->rc == CB_OK ? m->unit : "", spec, eff, m->iters, st,
                strcmp(st, "ok") ? ": " : "",
                strcmp(st, "ok") ? (slow[j] ? slow[j] : why[0] ? why : m->note) : "");
    }
}

/* The value of a metric of a report (for the summary; the largest GEMM n). */
static double summary_value(const cb_gpu_report_t *r, const char *metric)
{
    double v = NAN;
    int best_n = -1;
    for (int j = 0; j < r->nmeas; j++) {
        const cb_gpu_meas_t *m = &r->meas[j];
        if (strcmp(m->metric, metric) || m->rc || m->gemm_n < best_n)
            continue;
        best_n = m->gemm_n;
        v = m->value;
    }
    return v;
}

static void print_summary(FILE *f, const cb_gpu_report_t *reps, size_t nrep, int max_n)
{
    static const char *const cols[][2] = {
        {"h2d_pinned_gbps", "h2d"},        {"d2h_pinned_gbps", "d2h"},
        {"d2d_copy_kernel_gbps", "copy"},  {"d2d_triad_kernel_gbps", "triad"},
        {"d2d_memcpy_gbps", "memcpy"},     {"fma_fp32_tflops", "fma32"},
        {"gemm_fp32_tflops", "fp32"},      {"gemm_tf32_tflops", "tf32"},
        {"gemm_bf16_tflops", "bf16"},      {"gemm_fp16_tflops", "fp16"},
        {"gemm_fp8_tflops", "fp8"},
    };
    const size_t ncol = sizeof cols / sizeof cols[0];
    fprintf(f, "#\n# per-GPU summary: GB/s for transfers/memory, TFLOPS for fma/GEMM (GEMMs at the "
               "largest n%s%d)\n# %-28s %-14s", max_n ? " = " : "", max_n, "gpu", "model");
    for (size_t c = 0; c < ncol; c++)
        fprintf(f, " %7s", cols[c][1]);
    fprintf(f, "\n");
    for (size_t i = 0; i < nrep; i++) {
        const cb_gpu_report_t *r = &reps[i];
        if (r->device < 0)
            continue;
        char label[160];
        snprintf(label, sizeof label, "%s/gpu%d", r->host, r->device);
        fprintf(f, "  %-28s %-14.14s", label, r->spec_name[0] ? r->spec_name : r->name);
        for (size_t c = 0; c < ncol; c++) {
            double v = summary_value(r, cols[c][0]);
            if (isfinite(v))
                fprintf(f, " %7.1f", v);
            else
                fprintf(f, " %7s", "-");
        }
        fprintf(f, "\n");
    }
}

int cb_gpu_report_results(const cb_gpu_opts_t *o, const cb_results_ctx_t *ctx,
                          cb_results_t *res, const cb_gpu_report_t *reps, size_t nrep, FILE *out)
{
    int failures = 0, nodev = 0, ngpus = 0, bad_device = 0, write_err = 0;
    char ***slow = calloc(nrep ? nrep : 1, sizeof *slow);
    if (!slow) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        return 3;
    }
    for (size_t i = 0; i < nrep; i++)
        if (!(slow[i] = calloc(CB_GPU_MAX_MEAS, sizeof **slow))) {
            fprintf(stderr, "%s: out of memory\n", PROG);
            for (size_t k = 0; k < i; k++)
                free(slow[k]);
            free(slow);
            return 3;
        }
    int groups = 0, flagged = spread_all(reps, nrep, o->slow_threshold, slow, &groups);
    for (size_t i = 0; i < nrep; i++) {
        const cb_gpu_report_t *r = &reps[i];
        if (r->device >= 0) {
            ngpus++;
            print_report(out, r, slow[i]);
        }
    }
    /* Two ranks on one physical GPU contend: say so. */
    for (size_t i = 0; i < nrep; i++)
        for (size_t k = i + 1; k < nrep; k++)
            if (reps[i].device >= 0 && reps[k].device >= 0 && !strcmp(reps[i].host, reps[k].host) &&
                !strcmp(reps[i].busid, reps[k].busid) && reps[i].rank != reps[k].rank)
                fprintf(out, "# WARNING: ranks %d and %d measured the same GPU %s on %s at the same "
                       "time: their numbers are contended (run one rank per GPU)\n",
                       reps[i].rank, reps[k].rank, reps[i].busid, reps[i].host);
    int max_n = 0;
    for (int k = 0; k < o->ngemm_sizes; k++)
        if (o->gemm_sizes[k] > max_n)
            max_n = o->gemm_sizes[k];
    if (ngpus) {
        print_summary(out, reps, nrep, (o->parts & CB_GPU_PART_GEMM) ? max_n : 0);
        fprintf(out, "#\n# slow-GPU check: a GPU more than %g%% below the median of the other GPUs of "
               "its model, per measurement\n", o->slow_threshold * 100);
        for (size_t i = 0; i < nrep; i++)
            for (int j = 0; j < reps[i].nmeas; j++)
                if (slow[i][j]) {
                    char what[32] = "";
                    if (reps[i].meas[j].gemm_n)
                        snprintf(what, sizeof what, " n=%d", reps[i].meas[j].gemm_n);
                    fprintf(out, "#   SLOW %s%s: %s\n", reps[i].meas[j].metric, what, slow[i][j]);
                }
        if (!flagged)
            fprintf(out, "#   no GPU flagged (%d measurement(s) compared across GPUs of one model)%s\n",
                   groups, groups ? "" : ": fewer than two GPUs of one model");
        else
            fprintf(out, "#   %d measurement(s) flagged slow ('SLOW: ...' in the CSV note)\n",
                    flagged);
    }
    for (size_t i = 0; i < nrep; i++) {
        const cb_gpu_report_t *r = &reps[i];
        char note[512];
        if (r->device < 0) {
            int is_bad = !strncmp(r->reason, "--device", 8);
            const char *status = o->require_gpu || is_bad ? "failed" : "skipped";
            snprintf(note, sizeof note, "%s%s", r->reason,
                     o->require_gpu && !is_bad ? " (--require-gpu)" : "");
            if (write_row(res, ctx, r, NULL, status, note))
                write_err = 1;
            if (is_bad) {
                bad_device = 1;
                fprintf(stderr, "%s: %s on %s (rank %d)\n", PROG, r->reason, r->host, r->rank);
            } else if (o->require_gpu) {
                fprintf(stderr, "%s: no CUDA device on %s (rank %d): %s; --require-gpu makes "
                                "this an error\n", PROG, r->host, r->rank, r->reason);
            } else {
                fprintf(out, "%s: skipped on %s (rank %d): %s\n", PROG, r->host, r->rank, r->reason);
            }
            nodev++;
            continue;
        }
        cb_gpu_meas_t info = {.rc = CB_OK, .bytes = -1, .wrong = -1};
        snprintf(info.metric, sizeof info.metric, "gpu_info");
        snprintf(info.unit, sizeof info.unit, "cc");
        snprintf(info.op, sizeof info.op, "info");
        info.value = r->cc_major + r->cc_minor / 10.0;
        cb_gpu_info_note(r, note, sizeof note);
        if (write_row(res, ctx, r, &info, "ok", note))
            write_err = 1;
        for (int j = 0; j < r->nmeas; j++) {
            const cb_gpu_meas_t *m = &r->meas[j];
            const char *status = meas_status(m, 0);
            if (!strcmp(status, "failed"))
                failures++;
            char wrong[64] = "";
            if (m->wrong > 0)
                snprintf(wrong, sizeof wrong, "WRONG DATA: %lld wrong elements; ", m->wrong);
            snprintf(note, sizeof note, "%s; %s%s%s%s", r->name, wrong, m->note,
                     slow[i][j] ? "; SLOW: " : "", slow[i][j] ? slow[i][j] : "");
            if (write_row(res, ctx, r, m, status, note))
                write_err = 1;
        }
    }
    for (size_t i = 0; i < nrep; i++) {
        for (int j = 0; j < CB_GPU_MAX_MEAS; j++)
            free(slow[i][j]);
        free(slow[i]);
    }
    free(slow);
    if (write_err)
        fprintf(stderr, "%s: writing %s failed\n", PROG, cb_results_path(res));
    if (failures)
        fprintf(stderr, "%s: %d measurement(s) failed or found wrong data (see the status "
                        "column)\n", PROG, failures);
    if (nodev && !ngpus && !o->require_gpu && !bad_device)
        fprintf(out, "%s: skipped: no CUDA device anywhere in this run; wrote skipped row(s) "
               "(use --require-gpu to make this an error)\n", PROG);
    if (bad_device)
        return 2;
    if (write_err || failures || (nodev && o->require_gpu))
        return 3;
    return 0;
}

/* Which devices this rank measures: --device N; all of them when the rank
 * is alone on its node; else the node-local rank's. Fills devs, returns how
 * many (0 = none: reason in why). */
static int pick_devices(const cb_gpu_opts_t *o, const cb_comm_t *comm, int ndev, int *devs,
                        char *why, size_t len)
{
    if (ndev <= 0)
        return 0;
    if (o->device >= 0) {
        if (o->device >= ndev) {
            snprintf(why, len, "--device %d: this process sees %d CUDA device(s)", o->device, ndev);
            return 0;
        }
        devs[0] = o->device;
        return 1;
    }
    if (comm->local_size <= 1) {
        int n = ndev < CB_TOPO_MAX_GPUS ? ndev : CB_TOPO_MAX_GPUS;
        for (int i = 0; i < n; i++)
            devs[i] = i;
        return n;
    }
    devs[0] = cb_cuda_device_for_rank(comm->local_rank, ndev);
    return 1;
}

int cb_gpu_main(int argc, char **argv)
{
    cb_gpu_opts_t o;
    char err[512] = "";
    int rc = cb_gpu_parse_args(argc, argv, &o, stdout, err, sizeof err);
    if (rc == 1)
        return 0;
    if (rc) {
        fprintf(stderr, "%s: %s\n(try '%s --help')\n", PROG, err, PROG);
        return 2;
    }
    if (o.list_specs) {
        cb_gpu_print_specs(stdout);
        return 0;
    }
    double t0 = cb_timer_now_us();
    cb_comm_t comm;
    if ((rc = cb_comm_init(&comm, &argc, &argv))) {
        fprintf(stderr, "%s: cannot start the communicator: %s\n", PROG, cb_strerror(rc));
        return 3;
    }
    cb_results_ctx_t ctx;
    cb_results_t *res = NULL;
    cb_gpu_report_t *mine = NULL, *all = NULL;
    int status = 0;
    cb_results_ctx_init(&ctx, o.cluster);
    cb_comm_bcast(&comm, ctx.run_id, sizeof ctx.run_id, 0);
    ctx.nodes = comm.nnodes;
    ctx.ranks = comm.size;
    ctx.ranks_per_node = comm.max_ranks_per_node;
    ctx.hosts = cb_comm_host_list(&comm);
    if (comm.rank == 0) {
        char path[1200];
        if (o.output[0])
            snprintf(path, sizeof path, "%s", o.output);
        else
            snprintf(path, sizeof path, "results/%s/%s-%s.csv", ctx.cluster, PROG, ctx.run_id);
        rc = cb_results_open(path, &res, err, sizeof err);
        if (rc) {
            fprintf(stderr, "%s: %s\n", PROG, err);
            status = rc == CB_ERR_IO || rc == CB_ERR_INPUT || rc == CB_ERR_USAGE ? 2 : 3;
        }
    }
    int agreed = -status;
    cb_comm_allreduce_min_int(&comm, &agreed, 1);
    if ((status = -agreed))
        goto out;
    if (comm.rank == 0) {
        printf("# %s: %d rank(s) on %d node(s) (%s), %d per node; bootstrap %s\n", PROG, comm.size,
               comm.nnodes, ctx.hosts ? ctx.hosts : "?", comm.max_ranks_per_node, cb_comm_kind());
        printf("# results: %s (run %s, cluster %s%s%s)\n", cb_results_path(res), ctx.run_id,
               ctx.cluster, ctx.slurm_job_id[0] ? ", job " : "", ctx.slurm_job_id);
        fflush(stdout);
    }
    if ((rc = write_topology(&comm, &ctx, res)) && comm.rank == 0)
        fprintf(stderr, "%s: writing topology rows: %s\n", PROG, cb_strerror(rc));

    /* Measure this rank's GPUs. */
    char why[200] = "";
    int ndev = cb_cuda_device_count(why, sizeof why);
    int devs[CB_TOPO_MAX_GPUS];
    int nmine = pick_devices(&o, &comm, ndev, devs, why, sizeof why);
    int nrep = nmine ? nmine : 1, ok;
    /* Every rank walks k devices (the most any rank has) part by part, with
     * a barrier after each part: all GPUs of the run do the same thing at the
     * same time, so GPUs that share a host (PCIe, memory) are compared fairly. */
    double kmax = nrep;
    cb_comm_allreduce_max_double(&comm, &kmax, 1);
    int k = (int)kmax;
    mine = calloc((size_t)k, sizeof *mine);
    ok = mine != NULL;
    if (comm.rank == 0 && ok && !(all = calloc((size_t)comm.size * (size_t)k, sizeof *all)))
        ok = 0;
    cb_comm_allreduce_min_int(&comm, &ok, 1);
    if (!ok) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        status = 3;
        goto out;
    }
    static const int parts[] = {CB_GPU_PART_PCIE, CB_GPU_PART_MEMBW, CB_GPU_PART_FMA,
                                CB_GPU_PART_GEMM};
    for (int i = 0; i < k; i++) {
        cb_gpu_report_t *r = &mine[i];
        snprintf(r->host, sizeof r->host, "%s", comm.hostname);
        r->rank = comm.rank;
        r->device = i < nrep ? -1 : -2; /* -2: padding for the gather */
        gpu_ctx_t c = {.o = &o, .progress = comm.rank == 0 && !o.quiet, .rep = r,
                       .others = comm.size > 1 ? comm.local_size - 1 : 0};
        int active = 0;
        if (i < nrep && !nmine)
            /* one wording for "no device" however it came about */
            snprintf(r->reason, sizeof r->reason, "%s%s",
                     ndev <= 0 && strncmp(why, "no CUDA device", 14) ? "no CUDA device: " : "", why);
        else if (i < nrep)
            active = device_begin(&c, devs[i]) == CB_OK;
        for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) {
            if (!(o.parts & parts[p]))
                continue;
            if (active)
                device_part(&c, parts[p]);
            cb_comm_barrier(&comm);
        }
        if (active)
            device_end(&c);
    }

    /* Gather every rank's reports to rank 0. */
    if ((rc = cb_comm_gather(&comm, mine, (size_t)k * sizeof *mine, all, 0))) {
        status = 3;
        goto out;
    }
    if (comm.rank == 0) {
        size_t n = 0;
        for (size_t i = 0; i < (size_t)comm.size * (size_t)k; i++)
            if (all[i].device != -2)
                all[n++] = all[i];
        status = cb_gpu_report_results(&o, &ctx, res, all, n, stdout);
    }
    cb_comm_bcast(&comm, &status, sizeof status, 0);
    if (comm.rank == 0) {
        printf("# wrote %s\n# %s: %s in %.1f s\n", cb_results_path(res), PROG,
               status ? "FAILED" : "done", (cb_timer_now_us() - t0) / 1e6);
        fflush(stdout);
    }
out:
    free(mine);
    free(all);
    cb_results_close(res);
    cb_results_ctx_free(&ctx);
    cb_comm_finalize(&comm);
    return status;
}
