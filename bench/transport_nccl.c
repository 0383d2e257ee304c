/* cb_transport over NCCL on CUDA memory: one GPU per rank chosen by the
 * node-local rank, the NCCL unique id broadcast over the bootstrap
 * communicator, one stream, CUDA events for timing, fill/check kernels from
 * kernels/. */
#include <sched.h>
#include <stdlib.h>

#include <cuda_runtime.h>
#include <nccl.h>

#include "cb_cuda_check.h"
#include "cb_error.h"
#include "cb_kernels.h"
#include "cb_transport.h"

typedef struct nccl_state {
    cb_comm_t *comm;
    int device;
    ncclComm_t nccl;
    cudaStream_t stream;
    cudaEvent_t ev_begin, ev_end;
} nccl_state_t;

/* cb_nccl_dtype() (transport_map.c, unit-tested without NCCL) speaks nccl.h's
 * numbers: they must agree. */
_Static_assert(CB_NCCL_INT8 == (int)ncclInt8 && CB_NCCL_UINT8 == (int)ncclUint8 &&
                   CB_NCCL_FLOAT16 == (int)ncclFloat16 && CB_NCCL_FLOAT32 == (int)ncclFloat32 &&
                   CB_NCCL_FLOAT64 == (int)ncclFloat64 && CB_NCCL_BFLOAT16 == (int)ncclBfloat16,
               "CB_NCCL_* differ from nccl.h's ncclDataType_t");

static int nccl_supports(cb_dtype_t dt)
{
    return cb_nccl_dtype(dt) >= 0;
}

static ncclDataType_t nccl_dtype(cb_dtype_t dt)
{
    return (ncclDataType_t)cb_nccl_dtype(dt);
}

static void nccl_destroy(void *st)
{
    nccl_state_t *s = st;
    if (!s)
        return;
    if (s->nccl)
        ncclCommDestroy(s->nccl);
    if (s->ev_begin)
        cudaEventDestroy(s->ev_begin);
    if (s->ev_end)
        cudaEventDestroy(s->ev_end);
    if (s->stream)
        cudaStreamDestroy(s->stream);
    free(s);
}

static int nccl_init(nccl_state_t *s)
{
    int ndev = 0;
    CB_CUDA_CHECK(cudaGetDeviceCount(&ndev));
    if (ndev < 1)
        return CB_ERR_NODEV;
    s->device = cb_cuda_device_for_rank(s->comm->local_rank, ndev);
    CB_CUDA_CHECK(cudaSetDevice(s->device));
    CB_CUDA_CHECK(cudaStreamCreateWithFlags(&s->stream, cudaStreamNonBlocking));
    CB_CUDA_CHECK(cudaEventCreate(&s->ev_begin));
    CB_CUDA_CHECK(cudaEventCreate(&s->ev_end));
    ncclUniqueId id;
    if (s->comm->rank == 0)
        CB_NCCL_CHECK(ncclGetUniqueId(&id));
    CB_CHECK(cb_comm_bcast(s->comm, &id, sizeof id, 0));
    CB_NCCL_CHECK(ncclCommInitRank(&s->nccl, s->comm->size, id, s->comm->rank));
    return CB_OK;
}

static int nccl_create(cb_comm_t *comm, void **state)
{
    nccl_state_t *s = calloc(1, sizeof *s);
    if (!s)
        return CB_ERR_NOMEM;
    s->comm = comm;
    int rc = nccl_init(s);
    if (rc) {
        nccl_destroy(s);
        return rc;
    }
    *state = s;
    return CB_OK;
}

static int nccl_alloc(void *st, size_t bytes, void **buf)
{
    (void)st;
    CB_CUDA_CHECK(cudaMalloc(buf, bytes ? bytes : 1));
    CB_CUDA_CHECK(cudaMemset(*buf, 0, bytes ? bytes : 1));
    return CB_OK;
}

static void nccl_free(void *st, void *buf)
{
    (void)st;
    cudaFree(buf);
}

static int nccl_fill(void *st, void *buf, size_t count, cb_dtype_t dt, int seed, int phase)
{
    nccl_state_t *s = st;
    CB_CUDA_CHECK(cb_kernels_fill(buf, count, (int)dt, seed, phase, s->stream));
    CB_CUDA_CHECK(cudaStreamSynchronize(s->stream));
    return CB_OK;
}

static int nccl_zero(void *st, void *buf, size_t bytes)
{
    nccl_state_t *s = st;
    CB_CUDA_CHECK(cudaMemsetAsync(buf, 0, bytes, s->stream));
    CB_CUDA_CHECK(cudaStreamSynchronize(s->stream));
    return CB_OK;
}

static int nccl_check(void *st, const void *buf, size_t count, cb_dtype_t dt, int seed, int nranks,
                      int phase, uint64_t *wrong)
{
    nccl_state_t *s = st;
    CB_CUDA_CHECK(cb_kernels_check(buf, count, (int)dt, seed, nranks, phase, wrong, s->stream));
    return CB_OK;
}

static int nccl_corrupt(void *st, void *buf, size_t count, cb_dtype_t dt)
{
    nccl_state_t *s = st;
    CB_CUDA_CHECK(cb_kernels_corrupt(buf, count, (int)dt, s->stream));
    CB_CUDA_CHECK(cudaStreamSynchronize(s->stream));
    return CB_OK;
}

static int nccl_allreduce(void *st, const void *send, void *recv, size_t count, cb_dtype_t dt)
{
    nccl_state_t *s = st;
    CB_NCCL_CHECK(ncclAllReduce(send, recv, count, nccl_dtype(dt), ncclSum, s->nccl, s->stream));
    return CB_OK;
}

static int nccl_p2p_batch(void *st, const cb_p2p_op_t *ops, int nops)
{
    nccl_state_t *s = st;
    CB_NCCL_CHECK(ncclGroupStart());
    for (int i = 0; i < nops; i++) {
        ncclResult_t r = ops[i].is_send
                             ? ncclSend(ops[i].buf, ops[i].bytes, nccl_dtype(CB_DT_UINT8), ops[i].peer, s->nccl, s->stream)
                             : ncclRecv(ops[i].buf, ops[i].bytes, nccl_dtype(CB_DT_UINT8), ops[i].peer, s->nccl, s->stream);
        if (r != ncclSuccess) {
            ncclGroupEnd();
            CB_NCCL_CHECK(r);
        }
    }
    CB_NCCL_CHECK(ncclGroupEnd());
    return CB_OK;
}

static int nccl_time_begin(void *st)
{
    nccl_state_t *s = st;
    CB_CUDA_CHECK(cudaEventRecord(s->ev_begin, s->stream));
    return CB_OK;
}

static int nccl_time_end(void *st, double *us)
{
    nccl_state_t *s = st;
    float ms = 0;
    CB_CUDA_CHECK(cudaEventRecord(s->ev_end, s->stream));
    /* Poll instead of blocking, so a failed peer (NCCL's async error) ends
     * the wait with ncclCommAbort rather than hanging; a silent hang is the
     * driver's watchdog's to end. */
    for (;;) {
        cudaError_t q = cudaEventQuery(s->ev_end);
        if (q == cudaSuccess)
            break;
        if (q != cudaErrorNotReady)
            CB_CUDA_CHECK(q);
        ncclResult_t async = ncclSuccess;
        CB_NCCL_CHECK(ncclCommGetAsyncError(s->nccl, &async));
        if (async != ncclSuccess) {
            CB_LOG_ERR("NCCL asynchronous error: %s; aborting the communicator",
                       ncclGetErrorString(async));
            ncclCommAbort(s->nccl);
            s->nccl = NULL;
            return CB_ERR_NCCL;
        }
        sched_yield();
    }
    CB_CUDA_CHECK(cudaEventElapsedTime(&ms, s->ev_begin, s->ev_end));
    *us = (double)ms * 1e3;
    return CB_OK;
}

const cb_transport_ops_t cb_transport_nccl = {
    .name = "nccl",
    .memory = "cuda",
    .supports = nccl_supports,
    .create = nccl_create,
    .destroy = nccl_destroy,
    .alloc = nccl_alloc,
    .free = nccl_free,
    .fill = nccl_fill,
    .zero = nccl_zero,
    .check = nccl_check,
    .corrupt = nccl_corrupt,
    .allreduce = nccl_allreduce,
    .p2p_batch = nccl_p2p_batch,
    .time_begin = nccl_time_begin,
    .time_end = nccl_time_end,
};
