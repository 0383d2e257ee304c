/* cb_transport: the one interface every benchmark drives — buffers, data
 * fill/check, the timed operations (all-reduce; point-to-point batches) and
 * their timer. Two implementations: MPI on host memory (transport_mpi.c) and
 * NCCL on CUDA memory (transport_nccl.c, when built with CUDA and NCCL). */
#ifndef CB_TRANSPORT_H
#define CB_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "cb_comm.h"
#include "cb_dtype.h" /* cb_dtype_t and the test pattern */

/* One point-to-point operation of a batch. */
typedef struct cb_p2p_op {
    int is_send;
    void *buf;
    size_t bytes;
    int peer;
} cb_p2p_op_t;

typedef struct cb_transport_ops {
    const char *name;   /* "mpi", "nccl" */
    const char *memory; /* "host", "cuda" */
    int (*supports)(cb_dtype_t dt);
    int (*create)(cb_comm_t *comm, void **state);
    void (*destroy)(void *state); /* NULL ok */
    int (*alloc)(void *st, size_t bytes, void **buf);
    void (*free)(void *st, void *buf);
    int (*fill)(void *st, void *buf, size_t count, cb_dtype_t dt, int seed, int phase);
    int (*zero)(void *st, void *buf, size_t bytes);
    /* Count elements differing from the pattern of `seed` (seed >= 0) or from
     * the all-reduce sum over nranks (seed < 0). */
    int (*check)(void *st, const void *buf, size_t count, cb_dtype_t dt, int seed, int nranks,
                 int phase, uint64_t *wrong);
    /* Flip one element (fault-injection builds only). */
    int (*corrupt)(void *st, void *buf, size_t count, cb_dtype_t dt);
    int (*allreduce)(void *st, const void *send, void *recv, size_t count, cb_dtype_t dt);
    /* Post all ops of a batch and complete them (MPI: Isend/Irecv + Waitall,
     * a batch of one op with another rank a blocking MPI_Send/MPI_Recv;
     * NCCL: one group). */
    int (*p2p_batch)(void *st, const cb_p2p_op_t *ops, int nops);
    /* n ping-pong round trips of `bytes` with peer (another rank): the
     * initiator sends then receives, the other the reverse; one tight loop
     * of blocking calls, like a bare MPI loop (MPI). NULL: the caller loops
     * over p2p_batch (NCCL). */
    int (*pingpong)(void *st, void *sendbuf, void *recvbuf, size_t bytes, int peer,
                    int initiator, int n);
    /* Timer around one operation: device-side for NCCL (CUDA events). */
    int (*time_begin)(void *st);
    int (*time_end)(void *st, double *elapsed_us);
} cb_transport_ops_t;

extern const cb_transport_ops_t cb_transport_mpi;
#ifdef CB_HAVE_NCCL
extern const cb_transport_ops_t cb_transport_nccl;
#endif

/* Number of CUDA devices this process sees; 0 (with the reason in why) when
 * there is no CUDA build, no driver or no device. */
int cb_cuda_device_count(char *why, size_t len);
/* The CUDA device of a rank that drives one GPU: its node-local rank modulo
 * the devices it sees (ranks 0..ndev-1 of a node on devices 0..ndev-1, more
 * ranks than devices sharing them in turn). -1 when ndev < 1 or local_rank < 0.
 * The one rule of the NCCL transport, cb-ddp's GPU engine and cb-gpu. */
int cb_cuda_device_for_rank(int local_rank, int ndev);

/* NCCL's ncclDataType_t values (nccl.h's enum; transport_nccl.c checks at
 * compile time that they agree), so the mapping is testable without NCCL. */
enum {
    CB_NCCL_INT8 = 0,
    CB_NCCL_UINT8 = 1,
    CB_NCCL_FLOAT16 = 6,
    CB_NCCL_FLOAT32 = 7,
    CB_NCCL_FLOAT64 = 8,
    CB_NCCL_BFLOAT16 = 9,
};
/* The NCCL element type of a cb_dtype_t (uint8 -> ncclUint8, float ->
 * ncclFloat32, double -> ncclFloat64, half -> ncclFloat16, bfloat16 ->
 * ncclBfloat16); -1 for a value that is no cb_dtype_t. */
int cb_nccl_dtype(cb_dtype_t dt);

/* Resolve "auto", "mpi" or "nccl". For auto, `why` says what was picked and
 * why. CB_ERR_USAGE: unknown name; CB_ERR_UNSUPPORTED: nccl not built;
 * CB_ERR_NODEV: nccl asked for but no CUDA device. */
int cb_transport_select(const char *name, const cb_transport_ops_t **out, char *why, size_t len);

#endif
