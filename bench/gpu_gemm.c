/* cb-gpu's GEMMs through cuBLASLt: one code path for FP32 (CUDA cores), TF32,
 * BF16, FP16 (FP32 accumulate) and FP8 e4m3 (BF16 out), all as D = A^T B
 * (the "TN" layout FP8 requires) with alpha = 1, beta = 0, the heuristic's
 * first algorithm and a 32 MiB workspace. Timing through cb_gpu_time_op();
 * the reference check runs one small GEMM of small integers against a CPU
 * result in double, outside any timed loop. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cublasLt.h>
#include <cuda_runtime.h>

#include "cb_cuda_check.h"
#include "cb_error.h"
#include "cb_gpu.h"
#include "cb_kernels.h"

#define GEMM_WORKSPACE_BYTES ((size_t)32 << 20)
#define GEMM_BATCH_US 2000.0

struct cb_gpu_gemm {
    cublasLtHandle_t lt;
    cudaStream_t stream;
    void *ws;
    size_t ws_bytes;
};

#define CB_LT_CHECK(call, why, len)                                                      \
    do {                                                                                 \
        cublasStatus_t cb_lt_rc_ = (call);                                               \
        if (cb_lt_rc_ != CUBLAS_STATUS_SUCCESS) {                                        \
            snprintf((why), (len), "%s: %s", #call, cublasLtGetStatusString(cb_lt_rc_)); \
            return cb_lt_rc_ == CUBLAS_STATUS_NOT_SUPPORTED ||                           \
                           cb_lt_rc_ == CUBLAS_STATUS_ARCH_MISMATCH                      \
                       ? CB_ERR_UNSUPPORTED                                              \
                       : CB_ERR_CUDA;                                                    \
        }                                                                                \
    } while (0)

/* Types of one GEMM flavour. */
typedef struct gemm_types {
    cudaDataType_t ab, cd;
    cublasComputeType_t compute;
    int kt_ab, kt_cd;      /* cb_kernels element types */
    size_t ab_size, cd_size;
    double out_rel_tol;    /* rounding of the output type */
} gemm_types_t;

static void types_of(cb_gpu_gemm_type_t t, gemm_types_t *g)
{
    memset(g, 0, sizeof *g);
    g->compute = CUBLAS_COMPUTE_32F;
    switch (t) {
    case CB_GEMM_FP32:
    case CB_GEMM_TF32:
        g->ab = g->cd = CUDA_R_32F;
        g->kt_ab = g->kt_cd = CB_KERNELS_T_F32;
        g->ab_size = g->cd_size = 4;
        g->out_rel_tol = 1e-6;
        if (t == CB_GEMM_TF32)
            g->compute = CUBLAS_COMPUTE_32F_FAST_TF32;
        break;
    case CB_GEMM_BF16:
        g->ab = g->cd = CUDA_R_16BF;
        g->kt_ab = g->kt_cd = CB_KERNELS_T_BF16;
        g->ab_size = g->cd_size = 2;
        g->out_rel_tol = 1.0 / 128;
        break;
    case CB_GEMM_FP16:
        g->ab = g->cd = CUDA_R_16F;
        g->kt_ab = g->kt_cd = CB_KERNELS_T_F16;
        g->ab_size = g->cd_size = 2;
        g->out_rel_tol = 1.0 / 512;
        break;
    default: /* CB_GEMM_FP8 */
        g->ab = CUDA_R_8F_E4M3;
        g->cd = CUDA_R_16BF;
        g->kt_ab = CB_KERNELS_T_FP8_E4M3;
        g->kt_cd = CB_KERNELS_T_BF16;
        g->ab_size = 1;
        g->cd_size = 2;
        g->out_rel_tol = 1.0 / 128;
        break;
    }
}

int cb_gpu_gemm_create(void *stream, cb_gpu_gemm_t **out)
{
    *out = NULL;
    cb_gpu_gemm_t *g = calloc(1, sizeof *g);
    if (!g)
        return CB_ERR_NOMEM;
    g->stream = (cudaStream_t)stream;
    g->ws_bytes = GEMM_WORKSPACE_BYTES;
    cublasStatus_t st = cublasLtCreate(&g->lt);
    if (st != CUBLAS_STATUS_SUCCESS) {
        CB_LOG_ERR("cublasLtCreate: %s", cublasLtGetStatusString(st));
        free(g);
        return CB_ERR_CUDA;
    }
    cudaError_t e = cudaMalloc(&g->ws, g->ws_bytes);
    if (e != cudaSuccess) {
        CB_LOG_ERR("cudaMalloc(cuBLASLt workspace): %s", cudaGetErrorString(e));
        cb_gpu_gemm_destroy(g);
        return CB_ERR_CUDA;
    }
    *out = g;
    return CB_OK;
}

void cb_gpu_gemm_destroy(cb_gpu_gemm_t *g)
{
    if (!g)
        return;
    if (g->ws)
        cudaFree(g->ws);
    if (g->lt)
        cublasLtDestroy(g->lt);
    free(g);
}

/* One prepared GEMM: buffers, descriptors, algorithm. */
typedef struct gemm_run {
    cb_gpu_gemm_t *g;
    gemm_types_t ty;
    int n;
    void *a, *b, *d;
    cublasLtMatmulDesc_t op;
    cublasLtMatrixLayout_t la, lb, ld;
    cublasLtMatmulPreference_t pref;
    cublasLtMatmulHeuristicResult_t heur;
    int nalgos;
    float alpha, beta;
    char why[200];
} gemm_run_t;

static void run_free(gemm_run_t *r)
{
    if (r->pref) cublasLtMatmulPreferenceDestroy(r->pref);
    if (r->la) cublasLtMatrixLayoutDestroy(r->la);
    if (r->lb) cublasLtMatrixLayoutDestroy(r->lb);
    if (r->ld) cublasLtMatrixLayoutDestroy(r->ld);
    if (r->op) cublasLtMatmulDescDestroy(r->op);
    if (r->a) cudaFree(r->a);
    if (r->b) cudaFree(r->b);
    if (r->d) cudaFree(r->d);
    r->pref = NULL;
    r->la = r->lb = r->ld = NULL;
    r->op = NULL;
    r->a = r->b = r->d = NULL;
}

/* Describe D (m x n) = op(A) (m x k) op(B) (k x n) with A stored k x m
 * (transposed), B k x n, D m x n, column-major, m = n = k. */
static int run_describe(gemm_run_t *r)
{
    const uint64_t n = (uint64_t)r->n;
    const int64_t ldn = r->n;
    cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
    CB_LT_CHECK(cublasLtMatmulDescCreate(&r->op, r->ty.compute, CUDA_R_32F), r->why, sizeof r->why);
    CB_LT_CHECK(cublasLtMatmulDescSetAttribute(r->op, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta),
                r->why, sizeof r->why);
    CB_LT_CHECK(cublasLtMatmulDescSetAttribute(r->op, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb),
                r->why, sizeof r->why);
    CB_LT_CHECK(cublasLtMatrixLayoutCreate(&r->la, r->ty.ab, n, n, ldn), r->why, sizeof r->why);
    CB_LT_CHECK(cublasLtMatrixLayoutCreate(&r->lb, r->ty.ab, n, n, ldn), r->why, sizeof r->why);
    CB_LT_CHECK(cublasLtMatrixLayoutCreate(&r->ld, r->ty.cd, n, n, ldn), r->why, sizeof r->why);
    CB_LT_CHECK(cublasLtMatmulPreferenceCreate(&r->pref), r->why, sizeof r->why);
    uint64_t ws = r->g->ws_bytes;
    CB_LT_CHECK(cublasLtMatmulPreferenceSetAttribute(r->pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                     &ws, sizeof ws),
                r->why, sizeof r->why);
    CB_LT_CHECK(cublasLtMatmulAlgoGetHeuristic(r->g->lt, r->op, r->la, r->lb, r->ld, r->ld, r->pref,
                                               1, &r->heur, &r->nalgos),
                r->why, sizeof r->why);
    if (r->nalgos < 1 || r->heur.state != CUBLAS_STATUS_SUCCESS) {
        snprintf(r->why, sizeof r->why, "cuBLASLt has no algorithm for this GEMM on this GPU");
        return CB_ERR_UNSUPPORTED;
    }
    return CB_OK;
}

static int run_prepare(cb_gpu_gemm_t *g, cb_gpu_gemm_type_t t, int n, int integers, gemm_run_t *r)
{
    memset(r, 0, sizeof *r);
    r->g = g;
    r->n = n;
    r->alpha = 1.0f;
    r->beta = 0.0f;
    types_of(t, &r->ty);
    size_t elems = (size_t)n * (size_t)n;
    cudaError_t e = cudaMalloc(&r->a, elems * r->ty.ab_size);
    if (e == cudaSuccess)
        e = cudaMalloc(&r->b, elems * r->ty.ab_size);
    if (e == cudaSuccess)
        e = cudaMalloc(&r->d, elems * r->ty.cd_size);
    if (e != cudaSuccess) {
        snprintf(r->why, sizeof r->why, "cudaMalloc for %dx%d matrices: %s", n, n,
                 cudaGetErrorString(e));
        cudaGetLastError();
        return CB_ERR_CUDA;
    }
    int k = cb_kernels_fill_random(r->a, elems, r->ty.kt_ab, 1u, integers, g->stream);
    if (!k)
        k = cb_kernels_fill_random(r->b, elems, r->ty.kt_ab, 2u, integers, g->stream);
    if (!k)
        k = (int)cudaMemsetAsync(r->d, 0, elems * r->ty.cd_size, g->stream);
    if (!k)
        k = (int)cudaStreamSynchronize(g->stream);
    if (k) {
        snprintf(r->why, sizeof r->why, "filling the matrices: %s",
                 cudaGetErrorString((cudaError_t)k));
        return CB_ERR_CUDA;
    }
    return run_describe(r);
}

static int gemm_op(void *ctx)
{
    gemm_run_t *r = ctx;
    cublasStatus_t st = cublasLtMatmul(r->g->lt, r->op, &r->alpha, r->a, r->la, r->b, r->lb,
                                       &r->beta, r->d, r->ld, r->d, r->ld, &r->heur.algo, r->g->ws,
                                       r->g->ws_bytes, r->g->stream);
    if (st != CUBLAS_STATUS_SUCCESS) {
        CB_LOG_ERR("cublasLtMatmul: %s", cublasLtGetStatusString(st));
        return CB_ERR_CUDA;
    }
    return CB_OK;
}

int cb_gpu_gemm_measure(cb_gpu_gemm_t *g, cb_gpu_gemm_type_t t, int n, int warmup, int iters,
                        cb_gpu_meas_t *m)
{
    gemm_run_t r;
    double *samples = NULL;
    snprintf(m->metric, sizeof m->metric, "gemm_%s_tflops", cb_gpu_gemm_type_name(t));
    snprintf(m->unit, sizeof m->unit, "TFLOPS");
    snprintf(m->dtype, sizeof m->dtype, "%s", cb_gpu_gemm_dtype(t));
    snprintf(m->op, sizeof m->op, "gemm");
    m->gemm_n = n;
    int rc = run_prepare(g, t, n, 0, &r);
    m->bytes = (long long)n * n * (long long)r.ty.ab_size;
    if (rc) {
        snprintf(m->note, sizeof m->note, "%s", r.why);
        goto out;
    }
    if (!(samples = calloc((size_t)iters, sizeof *samples))) {
        rc = CB_ERR_NOMEM;
        goto out;
    }
    rc = cb_gpu_time_op(g->stream, gemm_op, &r, warmup, iters, GEMM_BATCH_US, samples, &m->reps);
    if (rc) {
        snprintf(m->note, sizeof m->note, "timing the GEMM failed: %s", cb_strerror(rc));
        goto out;
    }
    cb_stats_compute(samples, (size_t)iters, &m->time_us);
    m->iters = iters;
    m->warmup_iters = warmup + 1;
    m->value = cb_gpu_tflops(cb_gpu_gemm_flop(n), m->time_us.median);
    snprintf(m->note, sizeof m->note, "cuBLASLt D=A^T*B m=n=k=%d, %s out, FP32 accumulate%s",
             n, t == CB_GEMM_FP8 ? "bfloat16" : cb_gpu_gemm_dtype(t),
             t == CB_GEMM_TF32 ? " (TF32 inputs)" : "");
out:
    free(samples);
    run_free(&r);
    m->rc = rc;
    return rc;
}

int cb_gpu_gemm_check(cb_gpu_gemm_t *g, cb_gpu_gemm_type_t t, int n, uint64_t *wrong,
                      double *max_rel, char *why, size_t len)
{
    gemm_run_t r;
    float *dev_f = NULL, *ha = NULL, *hb = NULL, *hd = NULL;
    *wrong = 0;
    *max_rel = 0;
    size_t elems = (size_t)n * (size_t)n;
    int rc = run_prepare(g, t, n, 1, &r);
    if (rc) {
        snprintf(why, len, "%s", r.why);
        goto out;
    }
    rc = gemm_op(&r);
    if (rc) {
        snprintf(why, len, "cublasLtMatmul failed");
        goto out;
    }
    ha = malloc(elems * sizeof *ha);
    hb = malloc(elems * sizeof *hb);
    hd = malloc(elems * sizeof *hd);
    if (!ha || !hb || !hd) {
        rc = CB_ERR_NOMEM;
        snprintf(why, len, "out of host memory");
        goto out;
    }
    cudaError_t e = cudaMalloc((void **)&dev_f, elems * sizeof *dev_f);
    struct { const void *src; int kt; float *host; } conv[3] = {
        {r.a, r.ty.kt_ab, ha}, {r.b, r.ty.kt_ab, hb}, {r.d, r.ty.kt_cd, hd}};
    for (int i = 0; i < 3 && e == cudaSuccess; i++) {
        e = (cudaError_t)cb_kernels_to_float(dev_f, conv[i].src, elems, conv[i].kt, g->stream);
        if (e == cudaSuccess)
            e = cudaMemcpyAsync(conv[i].host, dev_f, elems * sizeof *dev_f, cudaMemcpyDeviceToHost,
                                g->stream);
        if (e == cudaSuccess)
            e = cudaStreamSynchronize(g->stream);
    }
    if (e != cudaSuccess) {
        snprintf(why, len, "reading the result back: %s", cudaGetErrorString(e));
        rc = CB_ERR_CUDA;
        goto out;
    }
    /* D[i + j n] = sum_l A[l + i n] * B[l + j n] (A stored transposed). */
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double ref = 0;
            const float *ac = ha + (size_t)i * n, *bc = hb + (size_t)j * n;
            for (int l = 0; l < n; l++)
                ref += (double)ac[l] * (double)bc[l];
            double got = hd[(size_t)i + (size_t)j * n];
            double err = fabs(got - ref);
            double rel = err / (fabs(ref) > 1 ? fabs(ref) : 1);
            if (!(rel <= *max_rel))
                *max_rel = isnan(rel) ? INFINITY : rel;
            if (!(err <= r.ty.out_rel_tol * fabs(ref) + 1e-3))
                (*wrong)++;
        }
    if (*wrong)
        snprintf(why, len, "%llu of %zu elements differ from the CPU reference (max rel. error %.3g)",
                 (unsigned long long)*wrong, elems, *max_rel);
out:
    if (dev_f)
        cudaFree(dev_f);
    free(ha);
    free(hb);
    free(hd);
    run_free(&r);
    return rc;
}
