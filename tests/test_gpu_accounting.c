/* Unit tests of the GPU paths' pure arithmetic, with values derived by hand:
 * cb-gpu's bandwidth accounting (bytes a copy, cudaMemcpy, triad or pinned
 * transfer moves; GB/s and TFLOPS from microseconds), the kernels' launch
 * geometry and FMA work count (kernels/cb_launch.h), the NCCL element type
 * of each dtype, and the device a rank drives. Built and run in every build:
 * none of it needs CUDA. */
#include <math.h>

#include "cb_test.h"

#include "cb_gpu.h"
#include "cb_launch.h"
#include "cb_transport.h"

#define MiB (1024.0 * 1024.0)

static void test_gpu_bytes_moved(void **state)
{
    (void)state;
    /* pinned transfers cross the link once; copy and cudaMemcpy read and
     * write (2x); triad reads b and c and writes a (3x) */
    assert_double_equal(cb_gpu_bytes_moved(CB_GPU_XFER_H2D, 1024 * MiB), 1073741824.0, 0);
    assert_double_equal(cb_gpu_bytes_moved(CB_GPU_XFER_D2H, 256 * MiB), 268435456.0, 0);
    assert_double_equal(cb_gpu_bytes_moved(CB_GPU_XFER_COPY, 256 * MiB), 536870912.0, 0);
    assert_double_equal(cb_gpu_bytes_moved(CB_GPU_XFER_MEMCPY, 256 * MiB), 536870912.0, 0);
    assert_double_equal(cb_gpu_bytes_moved(CB_GPU_XFER_TRIAD, 64 * MiB), 201326592.0, 0);
    assert_true(isnan(cb_gpu_bytes_moved((cb_gpu_xfer_t)99, 64 * MiB)));
}

static void test_gpu_units(void **state)
{
    (void)state;
    /* 256 MiB copied (536870912 B moved) in 200 us: 536870912 / 200 =
     * 2684354.56 B/us = 2684.35456 GB/s (GB = 1e9 B) */
    assert_double_equal(cb_gpu_gbps(536870912.0, 200), 2684.35456, 1e-9);
    /* triad over 64 MiB (201326592 B) in 100 us: 2013.26592 GB/s */
    assert_double_equal(cb_gpu_gbps(cb_gpu_bytes_moved(CB_GPU_XFER_TRIAD, 64 * MiB), 100),
                        2013.26592, 1e-9);
    /* 256 MiB host to device in 5 ms: 53.6870912 GB/s */
    assert_double_equal(cb_gpu_gbps(cb_gpu_bytes_moved(CB_GPU_XFER_H2D, 256 * MiB), 5000),
                        53.6870912, 1e-12);
    assert_true(isnan(cb_gpu_gbps(1e9, 0)));
    assert_true(isnan(cb_gpu_gbps(1e9, -1)));
    /* an 8192^3 GEMM (2 x 8192^3 = 1099511627776 FLOP) in 1 ms: 1099.51 TFLOPS */
    assert_double_equal(cb_gpu_tflops(cb_gpu_gemm_flop(8192), 1000), 1099.511627776, 1e-9);
    assert_double_equal(cb_gpu_tflops(cb_gpu_gemm_flop(256), 10), 3.3554432, 1e-12);
    assert_true(isnan(cb_gpu_tflops(1e12, 0)));
}

static void test_gpu_launch_geometry(void **state)
{
    (void)state;
    /* resident blocks: SMs x blocks per SM, each at least 1 */
    assert_int_equal(cb_launch_resident(132, 8), 1056);
    assert_int_equal(cb_launch_resident(0, 8), 8);
    assert_int_equal(cb_launch_resident(132, 0), 132);
    assert_int_equal(cb_launch_resident(-1, -1), 1);
    /* blocks of 256 threads for a grid-stride loop: ceil(items / 256),
     * capped, never 0 */
    assert_int_equal(cb_launch_blocks(0, 256, 4096), 1);
    assert_int_equal(cb_launch_blocks(1, 256, 4096), 1);
    assert_int_equal(cb_launch_blocks(256, 256, 4096), 1);
    assert_int_equal(cb_launch_blocks(257, 256, 4096), 2);
    assert_int_equal(cb_launch_blocks(4096 * 256, 256, 4096), 4096);
    assert_int_equal(cb_launch_blocks(4096 * 256 + 1, 256, 4096), 4096);
    assert_int_equal(cb_launch_blocks(100, 0, 4096), 1);
    /* the copy kernel over 256 MiB: 16777216 float4, 65536 blocks needed,
     * capped at what an H100 keeps resident (132 SMs x 8) */
    assert_int_equal(cb_launch_blocks((size_t)(256 * MiB) / 16, 256, cb_launch_resident(132, 8)),
                     1056);
    /* a small buffer needs fewer: 1000 float4 = 4 blocks */
    assert_int_equal(cb_launch_blocks(1000, 256, cb_launch_resident(132, 8)), 4);
    /* FMA kernel: 1056 blocks x 256 threads x 4096 steps x 8 chains x 2 FLOP
     * = 17716740096 FLOP; in 300 us, 59.05580032 TFLOPS */
    assert_int_equal(CB_KERNELS_FMA_CHAINS, 8);
    assert_double_equal(cb_launch_fma_flop(1056, 256, 4096), 17716740096.0, 0);
    assert_double_equal(cb_gpu_tflops(cb_launch_fma_flop(1056, 256, 4096), 300), 59.05580032,
                        1e-9);
}

static void test_nccl_dtype_mapping(void **state)
{
    (void)state;
    /* nccl.h: ncclInt8 0, ncclUint8 1, ncclFloat16 6, ncclFloat32 7,
     * ncclFloat64 8, ncclBfloat16 9 */
    assert_int_equal(cb_nccl_dtype(CB_DT_UINT8), 1);
    assert_int_equal(cb_nccl_dtype(CB_DT_FLOAT), 7);
    assert_int_equal(cb_nccl_dtype(CB_DT_DOUBLE), 8);
    assert_int_equal(cb_nccl_dtype(CB_DT_HALF), 6);
    assert_int_equal(cb_nccl_dtype(CB_DT_BF16), 9);
    assert_int_equal(cb_nccl_dtype(CB_DT_COUNT), -1);
    assert_int_equal(cb_nccl_dtype((cb_dtype_t)-1), -1);
    /* every dtype a user can name maps to an NCCL type of its size */
    static const int nccl_size[10] = {1, 1, 4, 4, 8, 8, 2, 4, 8, 2};
    for (int dt = 0; dt < CB_DT_COUNT; dt++)
        assert_int_equal(nccl_size[cb_nccl_dtype((cb_dtype_t)dt)], cb_dtype_size((cb_dtype_t)dt));
}

static void test_device_for_rank(void **state)
{
    (void)state;
    assert_int_equal(cb_cuda_device_for_rank(0, 4), 0);
    assert_int_equal(cb_cuda_device_for_rank(3, 4), 3);
    assert_int_equal(cb_cuda_device_for_rank(4, 4), 0); /* more ranks than GPUs: in turn */
    assert_int_equal(cb_cuda_device_for_rank(5, 4), 1);
    assert_int_equal(cb_cuda_device_for_rank(2, 1), 0);
    assert_int_equal(cb_cuda_device_for_rank(0, 0), -1);
    assert_int_equal(cb_cuda_device_for_rank(-1, 2), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gpu_bytes_moved),
        cmocka_unit_test(test_gpu_units),
        cmocka_unit_test(test_gpu_launch_geometry),
        cmocka_unit_test(test_nccl_dtype_mapping),
        cmocka_unit_test(test_device_for_rank),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
