/* cb_transport over MPI on host memory: MPI_Allreduce, Isend/Irecv batches
 * (a batch of one: MPI_Send or MPI_Recv), wall-clock timing. */
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "cb_error.h"
#include "cb_mpi_check.h"
#include "cb_timer.h"
#include "cb_transport.h"

typedef struct mpi_state {
    cb_comm_t *comm;
    double t0;
    MPI_Request *reqs;
    int nreqs;
} mpi_state_t;

static int mpi_supports(cb_dtype_t dt)
{
    return dt == CB_DT_FLOAT || dt == CB_DT_DOUBLE || dt == CB_DT_UINT8;
}

static MPI_Datatype mpi_dtype(cb_dtype_t dt)
{
    switch (dt) {
    case CB_DT_FLOAT: return MPI_FLOAT;
    case CB_DT_DOUBLE: return MPI_DOUBLE;
    default: return MPI_BYTE;
    }
}

static int mpi_create(cb_comm_t *comm, void **state)
{
    mpi_state_t *s = calloc(1, sizeof *s);
    if (!s)
        return CB_ERR_NOMEM;
    s->comm = comm;
    *state = s;
    return CB_OK;
}

static void mpi_destroy(void *st)
{
    mpi_state_t *s = st;
    if (!s)
        return;
    free(s->reqs);
    free(s);
}

static int mpi_alloc(void *st, size_t bytes, void **buf)
{
    (void)st;
    /* Page-aligned and touched, so first-touch costs stay out of timing. */
    void *p = NULL;
    if (posix_memalign(&p, 4096, bytes ? bytes : 1))
        return CB_ERR_NOMEM;
    memset(p, 0, bytes);
    *buf = p;
    return CB_OK;
}

static void mpi_free(void *st, void *buf)
{
    (void)st;
    free(buf);
}

static int mpi_fill(void *st, void *buf, size_t count, cb_dtype_t dt, int seed, int phase)
{
    (void)st;
    for (size_t i = 0; i < count; i++) {
        int v = cb_pattern_value(i, seed, phase);
        switch (dt) {
        case CB_DT_FLOAT: ((float *)buf)[i] = (float)v; break;
        case CB_DT_DOUBLE: ((double *)buf)[i] = v; break;
        case CB_DT_UINT8: ((uint8_t *)buf)[i] = (uint8_t)v; break;
        default: return CB_ERR_UNSUPPORTED;
        }
    }
    return CB_OK;
}

static int mpi_zero(void *st, void *buf, size_t bytes)
{
    (void)st;
    memset(buf, 0, bytes);
    return CB_OK;
}

static int mpi_check(void *st, const void *buf, size_t count, cb_dtype_t dt, int seed, int nranks,
                     int phase, uint64_t *wrong)
{
    (void)st;
    uint64_t bad = 0;
    /* The expected value depends on i only through i mod 5. */
    double expect[5];
    for (size_t k = 0; k < 5; k++)
        expect[k] = seed >= 0 ? cb_pattern_value(k, seed, phase) : cb_pattern_sum(k, nranks, phase);
    for (size_t i = 0; i < count; i++) {
        double v;
        switch (dt) {
        case CB_DT_FLOAT: v = ((const float *)buf)[i]; break;
        case CB_DT_DOUBLE: v = ((const double *)buf)[i]; break;
        case CB_DT_UINT8: v = ((const uint8_t *)buf)[i]; break;
        default: return CB_ERR_UNSUPPORTED;
        }
        bad += v != expect[i % 5];
    }
    *wrong = bad;
    return CB_OK;
}

static int mpi_corrupt(void *st, void *buf, size_t count, cb_dtype_t dt)
{
    (void)st;
    if (!count)
        return CB_OK;
    size_t i = count / 2;
    switch (dt) {
    case CB_DT_FLOAT: ((float *)buf)[i] += 1; break;
    case CB_DT_DOUBLE: ((double *)buf)[i] += 1; break;
    case CB_DT_UINT8: ((uint8_t *)buf)[i] += 1; break;
    default: return CB_ERR_UNSUPPORTED;
    }
    return CB_OK;
}

static int mpi_allreduce(void *st, const void *send, void *recv, size_t count, cb_dtype_t dt)
{
    (void)st;
    const void *sb = send == recv ? MPI_IN_PLACE : send;
    CB_MPI_CHECK(MPI_Allreduce(sb, recv, (int)count, mpi_dtype(dt), MPI_SUM, MPI_COMM_WORLD));
    return CB_OK;
}

static int mpi_p2p_batch(void *st, const cb_p2p_op_t *ops, int nops)
{
    mpi_state_t *s = st;
    if (nops > s->nreqs) {
        MPI_Request *r = realloc(s->reqs, (size_t)nops * sizeof *r);
        if (!r)
            return CB_ERR_NOMEM;
        s->reqs = r;
        s->nreqs = nops;
    }
    /* One operation with another rank (a ping-pong's half, an ack): the
     * blocking call, which costs less than Isend/Irecv + Waitall (a bare
     * MPI_Send/MPI_Recv loop is the reference, issue 15). Never to itself:
     * a blocking send to oneself can wait forever. */
    if (nops == 1 && ops[0].peer != s->comm->rank) {
        if (ops[0].is_send)
            CB_MPI_CHECK(MPI_Send(ops[0].buf, (int)ops[0].bytes, MPI_BYTE, ops[0].peer, 100,
                                  MPI_COMM_WORLD));
        else
            CB_MPI_CHECK(MPI_Recv(ops[0].buf, (int)ops[0].bytes, MPI_BYTE, ops[0].peer, 100,
                                  MPI_COMM_WORLD, MPI_STATUS_IGNORE));
        return CB_OK;
    }
    for (int i = 0; i < nops; i++) {
        if (ops[i].is_send)
            CB_MPI_CHECK(MPI_Isend(ops[i].buf, (int)ops[i].bytes, MPI_BYTE, ops[i].peer, 100,
                                   MPI_COMM_WORLD, &s->reqs[i]));
        else
            CB_MPI_CHECK(MPI_Irecv(ops[i].buf, (int)ops[i].bytes, MPI_BYTE, ops[i].peer, 100,
                                   MPI_COMM_WORLD, &s->reqs[i]));
    }
    CB_MPI_CHECK(MPI_Waitall(nops, s->reqs, MPI_STATUSES_IGNORE));
    return CB_OK;
}

static int mpi_pingpong(void *st, void *sendbuf, void *recvbuf, size_t bytes, int peer,
                        int initiator, int n)
{
    (void)st;
    const int count = (int)bytes;
    for (int i = 0; i < n; i++) {
        if (initiator) {
            CB_MPI_CHECK(MPI_Send(sendbuf, count, MPI_BYTE, peer, 100, MPI_COMM_WORLD));
            CB_MPI_CHECK(MPI_Recv(recvbuf, count, MPI_BYTE, peer, 100, MPI_COMM_WORLD,
                                  MPI_STATUS_IGNORE));
        } else {
            CB_MPI_CHECK(MPI_Recv(recvbuf, count, MPI_BYTE, peer, 100, MPI_COMM_WORLD,
                                  MPI_STATUS_IGNORE));
            CB_MPI_CHECK(MPI_Send(sendbuf, count, MPI_BYTE, peer, 100, MPI_COMM_WORLD));
        }
    }
    return CB_OK;
}

static int mpi_time_begin(void *st)
{
    ((mpi_state_t *)st)->t0 = cb_timer_now_us();
    return CB_OK;
}

static int mpi_time_end(void *st, double *us)
{
    *us = cb_timer_now_us() - ((mpi_state_t *)st)->t0;
    return CB_OK;
}

const cb_transport_ops_t cb_transport_mpi = {
    .name = "mpi",
    .memory = "host",
    .supports = mpi_supports,
    .create = mpi_create,
    .destroy = mpi_destroy,
    .alloc = mpi_alloc,
    .free = mpi_free,
    .fill = mpi_fill,
    .zero = mpi_zero,
    .check = mpi_check,
    .corrupt = mpi_corrupt,
    .allreduce = mpi_allreduce,
    .p2p_batch = mpi_p2p_batch,
    .pingpong = mpi_pingpong,
    .time_begin = mpi_time_begin,
    .time_end = mpi_time_end,
};
