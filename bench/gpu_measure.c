/* cb-gpu's measurements of one GPU (CUDA): device facts, pinned host<->device
 * bandwidth, device memory bandwidth (copy/triad kernels beside cudaMemcpy),
 * the FP32 FMA peak and cuBLASLt GEMMs (gpu_gemm.c), timed with
 * cb_gpu_time_op (gpu_util.c) and checked outside the timed loops. Without
 * CUDA in the build only the stubs that say so. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_gpu.h"
#include "cb_gpuspec.h"
#include "cb_size.h"
#include "cb_timer.h"
#include "cb_transport.h"

#ifdef CB_HAVE_CUDA
#include <cuda_runtime.h>

#include "cb_cuda_check.h"
#include "cb_kernels.h"
#endif

#define PROG "cb-gpu"

/* ------------------------------------------------------------ measuring (CUDA) */


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

static void progress(const cb_gpu_ctx_t *c, const cb_gpu_meas_t *m)
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

static void measure_pcie(cb_gpu_ctx_t *c, cudaStream_t s)
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
        cb_gpu_pcie_text(rep->pcie_gts, rep->pcie_width, cur, sizeof cur);
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
    rc = cb_gpu_time_op(s, memcpy_op, &h2d, o->common.warmup_iters, o->iters, 20000, samples, &mh->reps);
    if (rc) {
        set_fail(mh, rc, "h2d cudaMemcpyAsync");
    } else {
        finish_bw(mh, samples, o->iters, CB_GPU_XFER_H2D, bytes);
        mh->warmup_iters = o->common.warmup_iters + 1;
        if (o->common.check) {
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
        rc = cb_gpu_time_op(s, memcpy_op, &d2h, o->common.warmup_iters, o->iters, 20000, samples, &md->reps);
    if (rc) {
        set_fail(md, rc, "d2h cudaMemcpyAsync");
    } else {
        finish_bw(md, samples, o->iters, CB_GPU_XFER_D2H, bytes);
        md->warmup_iters = o->common.warmup_iters + 1;
        if (o->common.check) {
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

static void measure_membw(cb_gpu_ctx_t *c, cudaStream_t s)
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
        rc = cb_gpu_time_op(s, copy_kernel_op, &k, o->common.warmup_iters, o->iters, 5000, samples, &mk->reps);
    if (rc) {
        set_fail(mk, rc, "copy kernel");
    } else {
        finish_bw(mk, samples, o->iters, CB_GPU_XFER_COPY, bytes);
        mk->warmup_iters = o->common.warmup_iters + 1;
        if (o->common.check && (cudaMemsetAsync(a, 0, bytes, s) != cudaSuccess ||
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
    rc = cb_gpu_time_op(s, memcpy_op, &m, o->common.warmup_iters, o->iters, 5000, samples, &mm->reps);
    if (rc) {
        set_fail(mm, rc, "cudaMemcpyAsync device to device");
    } else {
        finish_bw(mm, samples, o->iters, CB_GPU_XFER_MEMCPY, bytes);
        mm->warmup_iters = o->common.warmup_iters + 1;
        if (o->common.check && (cudaMemsetAsync(a, 0, bytes, s) != cudaSuccess || (rc = memcpy_op(&m)) ||
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
    rc = cb_gpu_time_op(s, triad_op, &k, o->common.warmup_iters, o->iters, 5000, samples, &mt->reps);
    if (rc) {
        set_fail(mt, rc, "triad kernel");
    } else {
        finish_bw(mt, samples, o->iters, CB_GPU_XFER_TRIAD, bytes);
        mt->warmup_iters = o->common.warmup_iters + 1;
        if (o->common.check && (cudaMemsetAsync(a, 0, bytes, s) != cudaSuccess || (rc = triad_op(&k)) ||
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

static void measure_fma(cb_gpu_ctx_t *c, cudaStream_t s)
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
        rc = cb_gpu_time_op(s, fma_op, &f, o->common.warmup_iters, o->iters, 20000, samples, &m->reps);
    }
    if (rc) {
        set_fail(m, rc, "FMA kernel");
        goto out;
    }
    double flop = cb_launch_fma_flop(f.blocks, f.threads, f.iters);
    cb_stats_compute(samples, (size_t)o->iters, &m->time_us);
    m->iters = o->iters;
    m->warmup_iters = o->common.warmup_iters + 1;
    m->value = cb_gpu_tflops(flop, m->time_us.median);
    m->spec_value = cb_gpuspec_value(c->spec, CB_GPUSPEC_FP32);
    snprintf(m->note, sizeof m->note, "%d blocks x %d threads x %d steps x %d FMA chains = %.4g "
             "FLOP per kernel (2 per FMA)", f.blocks, f.threads, f.iters, CB_KERNELS_FMA_CHAINS,
             flop);
    if (o->common.check) {
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

static void measure_gemm(cb_gpu_ctx_t *c, cudaStream_t s)
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
        if (o->common.check) {
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
            cb_gpu_gemm_measure(g, t, o->gemm_sizes[k], o->common.warmup_iters, o->iters, m);
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
int cb_gpu_device_begin(cb_gpu_ctx_t *c, int dev)
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

void cb_gpu_device_part(cb_gpu_ctx_t *c, int part)
{
    cudaSetDevice(c->rep->device);
    switch (part) {
    case CB_GPU_PART_PCIE: measure_pcie(c, c->stream); break;
    case CB_GPU_PART_MEMBW: measure_membw(c, c->stream); break;
    case CB_GPU_PART_FMA: measure_fma(c, c->stream); break;
    case CB_GPU_PART_GEMM: measure_gemm(c, c->stream); break;
    }
}

void cb_gpu_device_end(cb_gpu_ctx_t *c)
{
    if (c->stream)
        cudaStreamDestroy(c->stream);
    c->stream = NULL;
}

#else /* no CUDA in this build: cb_cuda_device_count() says 0, so none of these runs */


int cb_gpu_device_begin(cb_gpu_ctx_t *c, int dev)
{
    c->rep->device = -1;
    snprintf(c->rep->reason, sizeof c->rep->reason, "no CUDA device: this build has no CUDA support");
    return CB_ERR_UNSUPPORTED;
}

void cb_gpu_device_part(cb_gpu_ctx_t *c, int part) { (void)c, (void)part; }
void cb_gpu_device_end(cb_gpu_ctx_t *c) { (void)c; }

#endif

