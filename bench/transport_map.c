/* The pure mappings the transports share, a leaf file: the CUDA device of
 * a rank and the NCCL element type of a dtype (transport_select.c selects the
 * transport, transport_nccl.c uses both). */
#include "cb_transport.h"

int cb_cuda_device_for_rank(int local_rank, int ndev)
{
    return ndev < 1 || local_rank < 0 ? -1 : local_rank % ndev;
}

int cb_nccl_dtype(cb_dtype_t dt)
{
    switch (dt) {
    case CB_DT_UINT8: return CB_NCCL_UINT8;
    case CB_DT_FLOAT: return CB_NCCL_FLOAT32;
    case CB_DT_DOUBLE: return CB_NCCL_FLOAT64;
    case CB_DT_HALF: return CB_NCCL_FLOAT16;
    case CB_DT_BF16: return CB_NCCL_BFLOAT16;
    default: return -1;
    }
}
