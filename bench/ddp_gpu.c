/* ddp_gpu: cb-ddp's step engine on GPUs (transport nccl). Compute is real
 * GPU work: kernels/'s busy kernel (every SM computing for a set time) on a
 * compute stream, one launch for forward and one per backward chunk. Each
 * bucket's NCCL all-reduce (in place, the gradient dtype) goes on a
 * communication stream of its own, after a cudaStreamWaitEvent on the event
 * recorded when its chunk ends, as PyTorch DDP does. The engine has its own
 * NCCL communicator (one GPU per rank by node-local rank, as the transport
 * picks). Step time: host wall clock from the first launch to both streams
 * synchronised; the bucket timeline from CUDA events. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cuda_runtime.h>
#include <nccl.h>

#include "cb_cuda_check.h"
#include "cb_error.h"
#include "cb_kernels.h"
#include "cb_timer.h"
#include "ddp_bench.h"

typedef struct gpu_state {
    int device;
    ncclComm_t nccl;
    ncclDataType_t dt;
    size_t elem;
    cudaStream_t compute, comm;
    cudaEvent_t ev0;
    cudaEvent_t *ev_ready, *ev_ar0, *ev_ar1;
    size_t nev;
    char *buf;
} gpu_state_t;

static void free_events(gpu_state_t *st)
{
    for (size_t k = 0; k < st->nev; k++) {
        cudaEventDestroy(st->ev_ready[k]);
        cudaEventDestroy(st->ev_ar0[k]);
        cudaEventDestroy(st->ev_ar1[k]);
    }
    free(st->ev_ready);
    free(st->ev_ar0);
    free(st->ev_ar1);
    st->ev_ready = st->ev_ar0 = st->ev_ar1 = NULL;
    st->nev = 0;
}

static void gpu_destroy(void *state)
{
    gpu_state_t *st = state;
    if (!st)
        return;
    if (st->compute)
        cudaStreamSynchronize(st->compute);
    if (st->comm)
        cudaStreamSynchronize(st->comm);
    if (st->nccl)
        ncclCommDestroy(st->nccl);
    free_events(st);
    if (st->ev0)
        cudaEventDestroy(st->ev0);
    if (st->buf)
        cudaFree(st->buf);
    if (st->compute)
        cudaStreamDestroy(st->compute);
    if (st->comm)
        cudaStreamDestroy(st->comm);
    free(st);
}

static int gpu_init(gpu_state_t *st, const cb_ddp_engine_args_t *a)
{
    int ndev = 0;
    CB_CUDA_CHECK(cudaGetDeviceCount(&ndev));
    if (ndev < 1)
        return CB_ERR_NODEV;
    st->device = cb_cuda_device_for_rank(a->comm->local_rank, ndev);
    CB_CUDA_CHECK(cudaSetDevice(st->device));
    CB_CUDA_CHECK(cudaStreamCreateWithFlags(&st->compute, cudaStreamNonBlocking));
    CB_CUDA_CHECK(cudaStreamCreateWithFlags(&st->comm, cudaStreamNonBlocking));
    CB_CUDA_CHECK(cudaEventCreate(&st->ev0));
    CB_CUDA_CHECK(cudaMalloc((void **)&st->buf, (size_t)a->buffer_bytes));
    CB_CUDA_CHECK(cudaMemset(st->buf, 0, (size_t)a->buffer_bytes));
    int nt = cb_nccl_dtype(a->dtype);
    if (nt < 0)
        return CB_ERR_USAGE;
    st->dt = (ncclDataType_t)nt;
    ncclUniqueId id;
    memset(&id, 0, sizeof id);
    if (a->comm->rank == 0)
        CB_NCCL_CHECK(ncclGetUniqueId(&id));
    CB_CHECK(cb_comm_bcast(a->comm, &id, sizeof id, 0));
    CB_NCCL_CHECK(ncclCommInitRank(&st->nccl, a->comm->size, id, a->comm->rank));
    return CB_OK;
}

static int gpu_create(const cb_ddp_engine_args_t *a, void **state)
{
    *state = NULL;
    if (a->buffer_bytes == 0)
        return CB_ERR_USAGE;
    gpu_state_t *st = calloc(1, sizeof *st);
    if (!st)
        return CB_ERR_NOMEM;
    int rc = gpu_init(st, a);
    if (rc) {
        gpu_destroy(st);
        return rc;
    }
    *state = st;
    return CB_OK;
}

static int ensure_events(gpu_state_t *st, size_t n)
{
    if (n <= st->nev)
        return CB_OK;
    free_events(st);
    st->ev_ready = calloc(n, sizeof *st->ev_ready);
    st->ev_ar0 = calloc(n, sizeof *st->ev_ar0);
    st->ev_ar1 = calloc(n, sizeof *st->ev_ar1);
    if (!st->ev_ready || !st->ev_ar0 || !st->ev_ar1)
        return CB_ERR_NOMEM;
    for (size_t k = 0; k < n; k++) {
        CB_CUDA_CHECK(cudaEventCreate(&st->ev_ready[k]));
        CB_CUDA_CHECK(cudaEventCreate(&st->ev_ar0[k]));
        CB_CUDA_CHECK(cudaEventCreate(&st->ev_ar1[k]));
        st->nev = k + 1;
    }
    return CB_OK;
}

static int allreduce_bucket(gpu_state_t *st, const cb_ddp_bench_sched_t *s, size_t k)
{
    char *p = st->buf + s->offset[k];
    CB_CUDA_CHECK(cudaEventRecord(st->ev_ar0[k], st->comm));
    CB_NCCL_CHECK(ncclAllReduce(p, p, s->count[k], st->dt, ncclSum, st->nccl, st->comm));
    CB_CUDA_CHECK(cudaEventRecord(st->ev_ar1[k], st->comm));
    return CB_OK;
}

static double since_us(cudaEvent_t a, cudaEvent_t b)
{
    float ms = 0;
    if (cudaEventElapsedTime(&ms, a, b) != cudaSuccess)
        return NAN;
    return (double)ms * 1e3;
}

static int gpu_step(void *state, const cb_ddp_bench_sched_t *s, int comm, int overlap,
                    double *step_us, cb_ddp_step_trace_t *trace)
{
    gpu_state_t *st = state;
    size_t n = s->nbuckets;
    CB_CHECK(ensure_events(st, n));
    double t0 = cb_timer_now_us();
    CB_CUDA_CHECK(cudaEventRecord(st->ev0, st->compute));
    if (s->fwd_us > 0)
        CB_CUDA_CHECK(cb_kernels_busy(s->fwd_us, st->compute));
    for (size_t k = 0; k < n; k++) {
        if (s->chunk_us[k] > 0)
            CB_CUDA_CHECK(cb_kernels_busy(s->chunk_us[k], st->compute));
        CB_CUDA_CHECK(cudaEventRecord(st->ev_ready[k], st->compute));
        if (comm && overlap) {
            CB_CUDA_CHECK(cudaStreamWaitEvent(st->comm, st->ev_ready[k], 0));
            CB_CHECK(allreduce_bucket(st, s, k));
        }
    }
    if (comm && !overlap) {
        CB_CUDA_CHECK(cudaStreamWaitEvent(st->comm, st->ev_ready[n - 1], 0));
        for (size_t k = 0; k < n; k++)
            CB_CHECK(allreduce_bucket(st, s, k));
    }
    CB_CUDA_CHECK(cudaStreamSynchronize(st->compute));
    if (comm)
        CB_CUDA_CHECK(cudaStreamSynchronize(st->comm));
    *step_us = cb_timer_now_us() - t0;
    if (trace)
        for (size_t k = 0; k < n; k++) {
            if (trace->ready_us)
                trace->ready_us[k] = since_us(st->ev0, st->ev_ready[k]);
            if (trace->ar_start_us)
                trace->ar_start_us[k] = comm ? since_us(st->ev0, st->ev_ar0[k]) : NAN;
            if (trace->ar_end_us)
                trace->ar_end_us[k] = comm ? since_us(st->ev0, st->ev_ar1[k]) : NAN;
        }
    return CB_OK;
}

const cb_ddp_engine_ops_t cb_ddp_engine_gpu = {
    .name = "gpu",
    .compute = "gpu compute",
    .how = "GPU compute: busy kernel on a compute stream; all-reduce: NCCL (in place) on its "
           "own stream, after each chunk's event",
    .create = gpu_create,
    .destroy = gpu_destroy,
    .step = gpu_step,
};
