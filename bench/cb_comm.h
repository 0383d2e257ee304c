/* cb_comm: the bootstrap communicator of a benchmark run — rank, size, node
 * layout (by hostname, so network/UTS namespaces count as nodes), and the few
 * collectives the driver needs outside timed loops. Implemented over MPI
 * (comm_mpi.c) or, in a build without MPI, as a single process (comm_self.c).
 * Timed collectives never go through here: they go through a transport. */
#ifndef CB_COMM_H
#define CB_COMM_H

#include <stddef.h>
#include <stdint.h>

#define CB_HOSTNAME_MAX 64

typedef struct cb_comm {
    int rank, size;
    int node, nnodes;           /* index of this rank's node; distinct hostnames */
    int local_rank, local_size; /* rank among ranks with the same hostname */
    int max_ranks_per_node;
    char hostname[CB_HOSTNAME_MAX];
    char (*hosts)[CB_HOSTNAME_MAX]; /* hostname of every rank (size entries) */
    int *node_of;                   /* node index of every rank */
    int *node_leader;               /* lowest rank of each node (nnodes entries) */
    void *impl;                     /* MPI_Comm* or NULL */
} cb_comm_t;

/* Initialise (MPI_Init when built with MPI; a singleton without mpirun works)
 * and fill the layout. Call once per process. */
int cb_comm_init(cb_comm_t *c, int *argc, char ***argv);
/* Thread levels of cb_comm_init_threaded(), in MPI's order. */
enum {
    CB_COMM_THREADS_SINGLE = 0,     /* one thread only */
    CB_COMM_THREADS_FUNNELED = 1,   /* only the main thread calls MPI */
    CB_COMM_THREADS_SERIALIZED = 2, /* any thread, one at a time */
    CB_COMM_THREADS_MULTIPLE = 3,   /* any thread, any time */
};
/* cb_comm_init asking for MPI_THREAD_MULTIPLE (MPI_Init_thread); *threads
 * gets the level provided (CB_COMM_THREADS_*; when MPI was initialised
 * already, the level it has). The self build provides MULTIPLE. */
int cb_comm_init_threaded(cb_comm_t *c, int *argc, char ***argv, int *threads);
/* Name of a level: "single", "funneled", "serialized", "multiple". */
const char *cb_comm_threads_name(int threads);
void cb_comm_finalize(cb_comm_t *c);
/* Abort every rank (watchdog, fatal error). Does not return. */
void cb_comm_abort(cb_comm_t *c, int code) __attribute__((noreturn));
int cb_comm_barrier(cb_comm_t *c);
int cb_comm_bcast(cb_comm_t *c, void *buf, size_t bytes, int root);
/* In-place element-wise reductions over all ranks. */
int cb_comm_allreduce_max_double(cb_comm_t *c, double *v, size_t n);
int cb_comm_allreduce_sum_u64(cb_comm_t *c, uint64_t *v, size_t n);
int cb_comm_allreduce_min_int(cb_comm_t *c, int *v, size_t n);
/* Swap `bytes` with one peer rank (send to it, receive its into recv). */
int cb_comm_sendrecv(cb_comm_t *c, const void *send, void *recv, size_t bytes, int peer);
/* Gather `bytes` from every rank into recv (size*bytes, root only). */
int cb_comm_gather(cb_comm_t *c, const void *send, size_t bytes, void *recv, int root);
/* Comma-separated distinct hostnames in node order (malloc'd). */
char *cb_comm_host_list(const cb_comm_t *c);
/* Name of the implementation: "mpi" or "self". */
const char *cb_comm_kind(void);

#endif
