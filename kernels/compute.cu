// Compute kernels for cb-gpu and cb-ddp: the FP32 FMA peak (independent FMA
// chains per thread, exact FLOP count) with its host reference, and the busy
// kernel that keeps every SM computing for a set time (global timer).
#include <cmath>

#include <cuda_runtime.h>

#include "cb_kernels.h"

namespace {

constexpr int kChains = CB_KERNELS_FMA_CHAINS;
constexpr float kFmaA = 0.999f; // x -> 0.999 x + 0.001 converges to 1: no overflow, no denormals
constexpr float kFmaB = 0.001f;

__host__ __device__ __forceinline__ float chain_start(unsigned thread, int c)
{
    return 0.5f + 0.0625f * (float)(thread & 15u) + 0.125f * (float)c;
}

// a and b arrive as arguments so the compiler cannot fold the recurrence.
__global__ void fma_kernel(float *__restrict__ out, int iters, float a, float b)
{
    const unsigned t = blockIdx.x * blockDim.x + threadIdx.x;
    float x[kChains];
#pragma unroll
    for (int c = 0; c < kChains; c++)
        x[c] = chain_start(t, c);
#pragma unroll 16
    for (int i = 0; i < iters; i++) {
#pragma unroll
        for (int c = 0; c < kChains; c++)
            x[c] = fmaf(x[c], a, b);
    }
    float s = 0.0f;
#pragma unroll
    for (int c = 0; c < kChains; c++)
        s += x[c];
    out[t] = s;
}

__device__ __forceinline__ unsigned long long global_timer_ns()
{
    unsigned long long t;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
    return t;
}

__device__ float busy_sink; // written only if the (impossible) value appears

__global__ void busy_kernel(unsigned long long ns, float a, float b)
{
    __shared__ unsigned long long t0;
    if (threadIdx.x == 0)
        t0 = global_timer_ns();
    __syncthreads();
    float x[4] = {1.0f * threadIdx.x, 2.0f, 3.0f, 4.0f};
    unsigned long long now;
    do {
#pragma unroll 16
        for (int k = 0; k < 64; k++) {
#pragma unroll
            for (int c = 0; c < 4; c++)
                x[c] = fmaf(x[c], a, b);
        }
        now = global_timer_ns();
    } while (now - t0 < ns);
    if (x[0] + x[1] + x[2] + x[3] == -12345.0f)
        busy_sink = x[0];
}

} // namespace

extern "C" int cb_kernels_fma_grid(int *blocks, int *threads)
{
    int dev = 0, sms = 0, per_sm = 0;
    cudaError_t e = cudaGetDevice(&dev);
    if (e == cudaSuccess)
        e = cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev);
    if (e == cudaSuccess)
        e = cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, fma_kernel, 256, 0);
    if (e != cudaSuccess)
        return (int)e;
    *threads = 256;
    *blocks = (int)cb_launch_resident(sms, per_sm);
    return 0;
}

extern "C" int cb_kernels_fma(float *out, int blocks, int threads, int iters, void *stream)
{
    if (blocks < 1 || threads < 1 || threads > 1024 || iters < 0 || !out)
        return (int)cudaErrorInvalidValue;
    fma_kernel<<<blocks, threads, 0, (cudaStream_t)stream>>>(out, iters, kFmaA, kFmaB);
    return (int)cudaGetLastError();
}

extern "C" float cb_kernels_fma_reference(unsigned thread, int iters)
{
    float x[kChains];
    for (int c = 0; c < kChains; c++)
        x[c] = chain_start(thread, c);
    for (int i = 0; i < iters; i++)
        for (int c = 0; c < kChains; c++)
            x[c] = std::fmaf(x[c], kFmaA, kFmaB);
    float s = 0.0f;
    for (int c = 0; c < kChains; c++)
        s += x[c];
    return s;
}

extern "C" int cb_kernels_busy(double duration_us, void *stream)
{
    if (!(duration_us >= 0) || duration_us > 3.6e9)
        return (int)cudaErrorInvalidValue;
    int dev = 0, sms = 0;
    cudaError_t e = cudaGetDevice(&dev);
    if (e == cudaSuccess)
        e = cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev);
    if (e != cudaSuccess)
        return (int)e;
    unsigned long long ns = (unsigned long long)(duration_us * 1e3 + 0.5);
    busy_kernel<<<(unsigned)cb_launch_resident(sms, 1), 128, 0, (cudaStream_t)stream>>>(ns, 0.999f,
                                                                                       0.001f);
    return (int)cudaGetLastError();
}
