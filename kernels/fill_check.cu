// Fill and check kernels for the correctness checks of the NCCL transport.
// Run outside timed loops; grid-stride loops, one atomic per block.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "cb_dtype.h"
#include "cb_kernels.h"

namespace {

template <typename T> __device__ __forceinline__ T from_int(int v) { return (T)v; }
template <> __device__ __forceinline__ __half from_int<__half>(int v) { return __int2half_rn(v); }
template <> __device__ __forceinline__ __nv_bfloat16 from_int<__nv_bfloat16>(int v)
{
    return __int2bfloat16_rn(v);
}
template <typename T> __device__ __forceinline__ float to_float(T v) { return (float)v; }
template <> __device__ __forceinline__ float to_float<__half>(__half v) { return __half2float(v); }
template <> __device__ __forceinline__ float to_float<__nv_bfloat16>(__nv_bfloat16 v)
{
    return __bfloat162float(v);
}

template <typename T>
__global__ void fill_kernel(T *buf, size_t count, int seed, int phase)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < count;
         i += (size_t)gridDim.x * blockDim.x)
        buf[i] = from_int<T>(cb_pattern_value(i, seed, phase));
}

template <typename T>
__global__ void check_kernel(const T *buf, size_t count, int seed, int nranks, int phase,
                             unsigned long long *wrong)
{
    __shared__ unsigned long long block_bad;
    if (threadIdx.x == 0)
        block_bad = 0;
    __syncthreads();
    float expect[5];
    for (int k = 0; k < 5; k++)
        expect[k] = (float)(seed >= 0 ? cb_pattern_value(k, seed, phase) : cb_pattern_sum(k, nranks, phase));
    unsigned long long bad = 0;
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < count;
         i += (size_t)gridDim.x * blockDim.x)
        bad += to_float(buf[i]) != expect[i % 5];
    if (bad)
        atomicAdd(&block_bad, bad);
    __syncthreads();
    if (threadIdx.x == 0 && block_bad)
        atomicAdd(wrong, block_bad);
}

template <typename T> __global__ void corrupt_kernel(T *buf, size_t i)
{
    buf[i] = from_int<T>((int)to_float(buf[i]) + 1);
}

unsigned grid_for(size_t count)
{
    return cb_launch_blocks(count, 256, 4096);
}

} // namespace

#define CB_DISPATCH(dtype, CALL)                                                   \
    switch (dtype) {                                                               \
    case CB_DT_UINT8: { typedef unsigned char T; CALL; break; }                    \
    case CB_DT_FLOAT: { typedef float T; CALL; break; }                            \
    case CB_DT_DOUBLE: { typedef double T; CALL; break; }                          \
    case CB_DT_HALF: { typedef __half T; CALL; break; }                            \
    case CB_DT_BF16: { typedef __nv_bfloat16 T; CALL; break; }                     \
    default: return (int)cudaErrorInvalidValue;                                    \
    }

extern "C" int cb_kernels_fill(void *buf, size_t count, int dtype, int seed, int phase,
                               void *stream)
{
    cudaStream_t s = (cudaStream_t)stream;
    CB_DISPATCH(dtype, (fill_kernel<T><<<grid_for(count), 256, 0, s>>>((T *)buf, count, seed, phase)));
    return (int)cudaGetLastError();
}

extern "C" int cb_kernels_check(const void *buf, size_t count, int dtype, int seed, int nranks,
                                int phase, uint64_t *wrong, void *stream)
{
    cudaStream_t s = (cudaStream_t)stream;
    unsigned long long *d_wrong = nullptr, h_wrong = 0;
    cudaError_t err = cudaMalloc(&d_wrong, sizeof *d_wrong);
    if (err != cudaSuccess)
        return (int)err;
    err = cudaMemsetAsync(d_wrong, 0, sizeof *d_wrong, s);
    if (err == cudaSuccess) {
        CB_DISPATCH(dtype, (check_kernel<T><<<grid_for(count), 256, 0, s>>>((const T *)buf, count, seed,
                                                                            nranks, phase, d_wrong)));
        err = cudaGetLastError();
    }
    if (err == cudaSuccess)
        err = cudaMemcpyAsync(&h_wrong, d_wrong, sizeof h_wrong, cudaMemcpyDeviceToHost, s);
    if (err == cudaSuccess)
        err = cudaStreamSynchronize(s);
    cudaFree(d_wrong);
    *wrong = h_wrong;
    return (int)err;
}

extern "C" int cb_kernels_corrupt(void *buf, size_t count, int dtype, void *stream)
{
    if (!count)
        return 0;
    cudaStream_t s = (cudaStream_t)stream;
    CB_DISPATCH(dtype, (corrupt_kernel<T><<<1, 1, 0, s>>>((T *)buf, count / 2)));
    return (int)cudaGetLastError();
}
