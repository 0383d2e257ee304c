// Data helpers for cb-gpu's GEMMs: deterministic pseudo-random fill of
// FP32/FP16/BF16/FP8(e4m3) matrices on the device, and conversion to FP32
// for the CPU reference check. Outside timed loops.
#include <cstdint>

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <cuda_runtime.h>

#include "cb_kernels.h"

namespace {

__device__ __forceinline__ uint32_t mix(uint64_t x)
{
    // splitmix64 finaliser
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return (uint32_t)((x ^ (x >> 31)) >> 32);
}

__device__ __forceinline__ float value_at(size_t i, uint32_t seed, int integers)
{
    uint32_t h = mix(((uint64_t)seed << 40) ^ (uint64_t)i);
    if (integers)
        return (float)((int)(h % 5u) - 2);
    return (float)(h >> 8) * (2.0f / 16777216.0f) - 1.0f; // [-1, 1)
}

template <typename T> __device__ __forceinline__ T from_float(float v) { return (T)v; }
template <> __device__ __forceinline__ __half from_float<__half>(float v) { return __float2half_rn(v); }
template <> __device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float v)
{
    return __float2bfloat16_rn(v);
}
template <> __device__ __forceinline__ __nv_fp8_e4m3 from_float<__nv_fp8_e4m3>(float v)
{
    return __nv_fp8_e4m3(v);
}

template <typename T> __device__ __forceinline__ float to_f(T v) { return (float)v; }
template <> __device__ __forceinline__ float to_f<__half>(__half v) { return __half2float(v); }
template <> __device__ __forceinline__ float to_f<__nv_bfloat16>(__nv_bfloat16 v)
{
    return __bfloat162float(v);
}

template <typename T>
__global__ void fill_random_kernel(T *buf, size_t count, uint32_t seed, int integers)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < count;
         i += (size_t)gridDim.x * blockDim.x)
        buf[i] = from_float<T>(value_at(i, seed, integers));
}

template <typename T> __global__ void to_float_kernel(float *dst, const T *src, size_t count)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < count;
         i += (size_t)gridDim.x * blockDim.x)
        dst[i] = to_f<T>(src[i]);
}

unsigned grid_for(size_t count)
{
    return cb_launch_blocks(count, 256, 8192);
}

} // namespace

#define CB_GEMM_DISPATCH(type, CALL)                                               \
    switch (type) {                                                                \
    case CB_KERNELS_T_F32: { typedef float T; CALL; break; }                       \
    case CB_KERNELS_T_F16: { typedef __half T; CALL; break; }                      \
    case CB_KERNELS_T_BF16: { typedef __nv_bfloat16 T; CALL; break; }              \
    case CB_KERNELS_T_FP8_E4M3: { typedef __nv_fp8_e4m3 T; CALL; break; }          \
    default: return (int)cudaErrorInvalidValue;                                    \
    }

extern "C" int cb_kernels_fill_random(void *buf, size_t count, int type, uint32_t seed,
                                      int integers, void *stream)
{
    if (!count)
        return 0;
    cudaStream_t s = (cudaStream_t)stream;
    CB_GEMM_DISPATCH(type, (fill_random_kernel<T><<<grid_for(count), 256, 0, s>>>((T *)buf, count,
                                                                                seed, integers)));
    return (int)cudaGetLastError();
}

extern "C" int cb_kernels_to_float(float *dst, const void *src, size_t count, int type,
                                   void *stream)
{
    if (!count)
        return 0;
    cudaStream_t s = (cudaStream_t)stream;
    CB_GEMM_DISPATCH(type, (to_float_kernel<T><<<grid_for(count), 256, 0, s>>>(dst, (const T *)src,
                                                                              count)));
    return (int)cudaGetLastError();
}
