// Device memory bandwidth kernels for cb-gpu: copy and STREAM triad with
// 16-byte (float4) accesses, grid-stride loops with 4 independent loads in
// flight per thread, grid sized from the SM count and resident blocks per SM.
#include <cstdint>

#include <cuda_runtime.h>

#include "cb_kernels.h"

namespace {

constexpr int kThreads = 256;
constexpr int kUnroll = 4;

__global__ void __launch_bounds__(kThreads) copy_f4(float4 *__restrict__ dst,
                                                    const float4 *__restrict__ src, size_t n)
{
    const size_t stride = (size_t)gridDim.x * blockDim.x;
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    for (; i + (kUnroll - 1) * stride < n; i += kUnroll * stride) {
        float4 v[kUnroll];
#pragma unroll
        for (int u = 0; u < kUnroll; u++)
            v[u] = src[i + u * stride];
#pragma unroll
        for (int u = 0; u < kUnroll; u++)
            dst[i + u * stride] = v[u];
    }
    for (; i < n; i += stride)
        dst[i] = src[i];
}

__device__ __forceinline__ float4 triad4(float4 b, float4 c, float s)
{
    return make_float4(fmaf(s, c.x, b.x), fmaf(s, c.y, b.y), fmaf(s, c.z, b.z), fmaf(s, c.w, b.w));
}

__global__ void __launch_bounds__(kThreads) triad_f4(float4 *__restrict__ a,
                                                     const float4 *__restrict__ b,
                                                     const float4 *__restrict__ c, float s,
                                                     size_t n)
{
    const size_t stride = (size_t)gridDim.x * blockDim.x;
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    for (; i + (kUnroll - 1) * stride < n; i += kUnroll * stride) {
        float4 vb[kUnroll], vc[kUnroll];
#pragma unroll
        for (int u = 0; u < kUnroll; u++) {
            vb[u] = b[i + u * stride];
            vc[u] = c[i + u * stride];
        }
#pragma unroll
        for (int u = 0; u < kUnroll; u++)
            a[i + u * stride] = triad4(vb[u], vc[u], s);
    }
    for (; i < n; i += stride)
        a[i] = triad4(b[i], c[i], s);
}

// Blocks for a kernel: resident blocks per SM x SMs, at most what the data
// needs (one float4 per thread).
template <typename K> cudaError_t grid_for(K kernel, int sm_count, size_t n4, unsigned *grid)
{
    if (sm_count <= 0) {
        int dev = 0;
        cudaError_t e = cudaGetDevice(&dev);
        if (e == cudaSuccess)
            e = cudaDeviceGetAttribute(&sm_count, cudaDevAttrMultiProcessorCount, dev);
        if (e != cudaSuccess)
            return e;
    }
    int per_sm = 0;
    cudaError_t e = cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, kThreads, 0);
    if (e != cudaSuccess)
        return e;
    *grid = cb_launch_blocks(n4, kThreads, cb_launch_resident(sm_count, per_sm));
    return cudaSuccess;
}

bool aligned16(const void *p)
{
    return ((uintptr_t)p & 15u) == 0;
}

} // namespace

extern "C" int cb_kernels_copy(void *dst, const void *src, size_t bytes, int sm_count, void *stream)
{
    if (bytes % 16 || !aligned16(dst) || !aligned16(src))
        return (int)cudaErrorInvalidValue;
    if (!bytes)
        return 0;
    size_t n4 = bytes / 16;
    unsigned grid = 1;
    cudaError_t e = grid_for(copy_f4, sm_count, n4, &grid);
    if (e != cudaSuccess)
        return (int)e;
    copy_f4<<<grid, kThreads, 0, (cudaStream_t)stream>>>((float4 *)dst, (const float4 *)src, n4);
    return (int)cudaGetLastError();
}

extern "C" int cb_kernels_triad(float *a, const float *b, const float *c, float scalar,
                                size_t count, int sm_count, void *stream)
{
    if (count % 4 || !aligned16(a) || !aligned16(b) || !aligned16(c))
        return (int)cudaErrorInvalidValue;
    if (!count)
        return 0;
    size_t n4 = count / 4;
    unsigned grid = 1;
    cudaError_t e = grid_for(triad_f4, sm_count, n4, &grid);
    if (e != cudaSuccess)
        return (int)e;
    triad_f4<<<grid, kThreads, 0, (cudaStream_t)stream>>>((float4 *)a, (const float4 *)b,
                                                          (const float4 *)c, scalar, n4);
    return (int)cudaGetLastError();
}
