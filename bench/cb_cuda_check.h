/* CB_CUDA_CHECK / CB_NCCL_CHECK: log file:line and the library's error text,
 * return CB_ERR_CUDA / CB_ERR_NCCL. */
#ifndef CB_CUDA_CHECK_H
#define CB_CUDA_CHECK_H

#include <cuda_runtime.h>

#include "cb_error.h"

#define CB_CUDA_CHECK(call)                                                          \
    do {                                                                             \
        cudaError_t cb_cuda_rc_ = (cudaError_t)(call);                               \
        if (cb_cuda_rc_ != cudaSuccess) {                                            \
            cb_log_error(__FILE__, __LINE__, "%s: %s", #call,                        \
                         cudaGetErrorString(cb_cuda_rc_));                           \
            return CB_ERR_CUDA;                                                      \
        }                                                                            \
    } while (0)

#ifdef CB_HAVE_NCCL
#include <nccl.h>
#define CB_NCCL_CHECK(call)                                                          \
    do {                                                                             \
        ncclResult_t cb_nccl_rc_ = (call);                                           \
        if (cb_nccl_rc_ != ncclSuccess) {                                            \
            cb_log_error(__FILE__, __LINE__, "%s: %s", #call,                        \
                         ncclGetErrorString(cb_nccl_rc_));                           \
            return CB_ERR_NCCL;                                                      \
        }                                                                            \
    } while (0)
#endif

#endif
