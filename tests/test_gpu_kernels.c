/* GPU tests (label gpu) of kernels/ and cb-gpu's GEMMs on small sizes:
 * copy and triad results, the FMA kernel against its host reference, the
 * busy kernel never ending before its time, the GEMM data helpers, and every
 * GEMM type at 256^3 against a CPU reference. Exits 77 with "no CUDA device:
 * <reason>" where there is no GPU at all; fails where the NVIDIA driver sees a
 * GPU (/proc/driver/nvidia/gpus; CB_TEST_GPU_PRESENT=1|0 overrides, as in
 * tests/gpu/gpu_lib.sh) that CUDA cannot use. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cuda_runtime.h>

#include "cb_test.h"

#include "cb_error.h"
#include "cb_gpu.h"
#include "cb_kernels.h"
#include "cb_transport.h"

static cudaStream_t g_stream; /* set up once in main, before the tests */

static void test_gpu_kernels_copy(void **state)
{
    (void)state;
    const size_t count = (1u << 20) + 4, bytes = count * sizeof(float);
    void *src = NULL, *dst = NULL;
    assert_int_equal(cudaMalloc(&src, bytes), cudaSuccess);
    assert_int_equal(cudaMalloc(&dst, bytes), cudaSuccess);
    assert_int_equal(cb_kernels_fill(src, count, CB_DT_FLOAT, 5, 0, g_stream), 0);
    assert_int_equal(cudaMemsetAsync(dst, 0, bytes, g_stream), cudaSuccess);
    assert_int_equal(cb_kernels_copy(dst, src, bytes, 0, g_stream), 0);
    uint64_t wrong = 99;
    assert_int_equal(cb_kernels_check(dst, count, CB_DT_FLOAT, 5, 1, 0, &wrong, g_stream), 0);
    assert_int_equal(wrong, 0);
    /* a wrong seed shows as wrong elements (the check can fail) */
    assert_int_equal(cb_kernels_check(dst, count, CB_DT_FLOAT, 6, 1, 0, &wrong, g_stream), 0);
    assert_true(wrong > 0);
    /* contract: multiples of 16 bytes, 16-byte aligned */
    assert_int_equal(cb_kernels_copy(dst, src, bytes - 4, 0, g_stream), (int)cudaErrorInvalidValue);
    assert_int_equal(cb_kernels_copy((char *)dst + 4, src, 64, 0, g_stream), (int)cudaErrorInvalidValue);
    cudaFree(src);
    cudaFree(dst);
}

static void test_gpu_kernels_triad(void **state)
{
    (void)state;
    const size_t count = 1u << 20, bytes = count * sizeof(float);
    float *a = NULL, *b = NULL, *c = NULL, *h = malloc(bytes);
    assert_non_null(h);
    assert_int_equal(cudaMalloc((void **)&a, bytes), cudaSuccess);
    assert_int_equal(cudaMalloc((void **)&b, bytes), cudaSuccess);
    assert_int_equal(cudaMalloc((void **)&c, bytes), cudaSuccess);
    assert_int_equal(cb_kernels_fill(b, count, CB_DT_FLOAT, 5, 0, g_stream), 0);
    assert_int_equal(cb_kernels_fill(c, count, CB_DT_FLOAT, 6, 0, g_stream), 0);
    assert_int_equal(cb_kernels_triad(a, b, c, 3.0f, count, 0, g_stream), 0);
    assert_int_equal(cudaMemcpyAsync(h, a, bytes, cudaMemcpyDeviceToHost, g_stream), cudaSuccess);
    assert_int_equal(cudaStreamSynchronize(g_stream), cudaSuccess);
    size_t wrong = 0;
    for (size_t i = 0; i < count; i++)
        wrong += h[i] != (float)cb_pattern_value(i, 5, 0) + 3.0f * (float)cb_pattern_value(i, 6, 0);
    assert_int_equal(wrong, 0);
    assert_int_equal(cb_kernels_triad(a, b, c, 3.0f, count - 1, 0, g_stream), (int)cudaErrorInvalidValue);
    cudaFree(a);
    cudaFree(b);
    cudaFree(c);
    free(h);
}

static void test_gpu_kernels_fma(void **state)
{
    (void)state;
    int blocks = 0, threads = 0;
    assert_int_equal(cb_kernels_fma_grid(&blocks, &threads), 0);
    assert_true(blocks > 0 && threads > 0);
    const int iters = 5000;
    size_t n = (size_t)blocks * threads;
    float *d = NULL, *h = malloc(n * sizeof *h);
    assert_non_null(h);
    assert_int_equal(cudaMalloc((void **)&d, n * sizeof *d), cudaSuccess);
    assert_int_equal(cb_kernels_fma(d, blocks, threads, iters, g_stream), 0);
    assert_int_equal(cudaMemcpyAsync(h, d, n * sizeof *h, cudaMemcpyDeviceToHost, g_stream), cudaSuccess);
    assert_int_equal(cudaStreamSynchronize(g_stream), cudaSuccess);
    size_t wrong = 0;
    for (size_t t = 0; t < n; t++) {
        float ref = cb_kernels_fma_reference((unsigned)(t % 16), iters);
        wrong += !(fabsf(h[t] - ref) <= 1e-6f * fabsf(ref));
    }
    assert_int_equal(wrong, 0);
    /* the recurrence converges to 1 per chain: a sum of 8 */
    assert_double_equal(cb_kernels_fma_reference(3, 100000), 8.0, 1e-3);
    assert_int_equal(cb_kernels_fma(d, 0, 256, 1, g_stream), (int)cudaErrorInvalidValue);
    cudaFree(d);
    free(h);
}

static double time_busy_us(double us)
{
    cudaEvent_t e0, e1;
    float ms = 0;
    assert_int_equal(cudaEventCreate(&e0), cudaSuccess);
    assert_int_equal(cudaEventCreate(&e1), cudaSuccess);
    assert_int_equal(cudaEventRecord(e0, g_stream), cudaSuccess);
    assert_int_equal(cb_kernels_busy(us, g_stream), 0);
    assert_int_equal(cudaEventRecord(e1, g_stream), cudaSuccess);
    assert_int_equal(cudaEventSynchronize(e1), cudaSuccess);
    assert_int_equal(cudaEventElapsedTime(&ms, e0, e1), cudaSuccess);
    cudaEventDestroy(e0);
    cudaEventDestroy(e1);
    return ms * 1e3;
}

static void test_gpu_kernels_busy(void **state)
{
    (void)state;
    time_busy_us(100); /* warm-up: module load */
    const double want[] = {1000, 20000};
    for (int i = 0; i < 2; i++) {
        double got = time_busy_us(want[i]);
        print_message("busy kernel: asked %.0f us, took %.1f us\n", want[i], got);
        /* Its contract: it never ends before its time (it spins on the
         * device's global timer; 5% for that timer against the events').
         * How much longer it takes is speed: printed, never asserted. */
        assert_true(got >= 0.95 * want[i]);
    }
    assert_int_equal(cb_kernels_busy(-1, g_stream), (int)cudaErrorInvalidValue);
}

static void test_gpu_kernels_gemm_data(void **state)
{
    (void)state;
    const size_t n = 4096;
    void *buf = NULL;
    float *f = NULL, *h = malloc(n * sizeof *h);
    assert_non_null(h);
    assert_int_equal(cudaMalloc(&buf, n * 4), cudaSuccess);
    assert_int_equal(cudaMalloc((void **)&f, n * 4), cudaSuccess);
    for (int type = CB_KERNELS_T_F32; type <= CB_KERNELS_T_FP8_E4M3; type++)
        for (int integers = 0; integers < 2; integers++) {
            assert_int_equal(cb_kernels_fill_random(buf, n, type, 7, integers, g_stream), 0);
            assert_int_equal(cb_kernels_to_float(f, buf, n, type, g_stream), 0);
            assert_int_equal(cudaMemcpyAsync(h, f, n * 4, cudaMemcpyDeviceToHost, g_stream), cudaSuccess);
            assert_int_equal(cudaStreamSynchronize(g_stream), cudaSuccess);
            int seen[5] = {0};
            for (size_t i = 0; i < n; i++) {
                if (integers) {
                    assert_true(h[i] == floorf(h[i]) && h[i] >= -2 && h[i] <= 2);
                    seen[(int)h[i] + 2] = 1;
                } else {
                    assert_true(h[i] >= -1 && h[i] <= 1);
                }
            }
            if (integers)
                assert_int_equal(seen[0] + seen[1] + seen[2] + seen[3] + seen[4], 5);
        }
    assert_int_equal(cb_kernels_fill_random(buf, n, 9, 7, 0, g_stream), (int)cudaErrorInvalidValue);
    cudaFree(buf);
    cudaFree(f);
    free(h);
}

static void test_gpu_gemm_reference(void **state)
{
    (void)state;
    int dev = 0, maj = 0, min = 0;
    assert_int_equal(cudaGetDevice(&dev), cudaSuccess);
    cudaDeviceGetAttribute(&maj, cudaDevAttrComputeCapabilityMajor, dev);
    cudaDeviceGetAttribute(&min, cudaDevAttrComputeCapabilityMinor, dev);
    cb_gpu_gemm_t *g = NULL;
    assert_int_equal(cb_gpu_gemm_create(g_stream, &g), CB_OK);
    for (int t = 0; t < CB_GEMM_NTYPES; t++) {
        char why[200] = "";
        if (!cb_gpu_gemm_supported(t, maj, min, why, sizeof why)) {
            print_message("%s: %s\n", cb_gpu_gemm_type_name(t), why);
            continue;
        }
        uint64_t wrong = 99;
        double max_rel = -1;
        int rc = cb_gpu_gemm_check(g, t, 256, &wrong, &max_rel, why, sizeof why);
        print_message("%s GEMM 256^3 vs CPU: rc %d, %llu wrong, max rel %.3g %s\n",
                      cb_gpu_gemm_type_name(t), rc, (unsigned long long)wrong, max_rel, why);
        assert_int_equal(rc, CB_OK);
        assert_int_equal(wrong, 0);
        cb_gpu_meas_t m;
        memset(&m, 0, sizeof m);
        rc = cb_gpu_gemm_measure(g, t, 256, 1, 3, &m);
        assert_int_equal(rc, CB_OK);
        assert_true(isfinite(m.value) && m.value > 0);
        assert_int_equal(m.iters, 3);
        assert_true(m.reps >= 1);
        assert_int_equal(m.gemm_n, 256);
    }
    cb_gpu_gemm_destroy(g);
}

/* Whether the NVIDIA driver sees a GPU on this machine. */
static int gpu_present(void)
{
    const char *force = getenv("CB_TEST_GPU_PRESENT");
    if (force && (!strcmp(force, "0") || !strcmp(force, "1")))
        return force[0] == '1';
    DIR *d = opendir("/proc/driver/nvidia/gpus");
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n > 0;
}

int main(void)
{
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess || n < 1) {
        const char *why = e != cudaSuccess ? cudaGetErrorString(e) : "none found";
        if (gpu_present()) {
            printf("FAIL: the NVIDIA driver sees a GPU, but CUDA finds no usable device: %s\n", why);
            return 1;
        }
        printf("SKIP: no CUDA device: %s\n", why);
        return 77;
    }
    if (cudaSetDevice(0) != cudaSuccess || cudaStreamCreate(&g_stream) != cudaSuccess) {
        printf("cannot start CUDA device 0\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gpu_kernels_copy),
        cmocka_unit_test(test_gpu_kernels_triad),
        cmocka_unit_test(test_gpu_kernels_fma),
        cmocka_unit_test(test_gpu_kernels_busy),
        cmocka_unit_test(test_gpu_kernels_gemm_data),
        cmocka_unit_test(test_gpu_gemm_reference),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    cudaStreamDestroy(g_stream);
    return rc;
}
