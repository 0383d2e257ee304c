/* cb_comm over MPI_COMM_WORLD. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mpi.h>

#include "cb_comm.h"
#include "cb_error.h"
#include "cb_mpi_check.h"

const char *cb_comm_kind(void)
{
    return "mpi";
}

static int layout(cb_comm_t *c)
{
    c->hosts = calloc((size_t)c->size, sizeof *c->hosts);
    c->node_of = calloc((size_t)c->size, sizeof *c->node_of);
    c->node_leader = calloc((size_t)c->size, sizeof *c->node_leader);
    if (!c->hosts || !c->node_of || !c->node_leader)
        return CB_ERR_NOMEM;
    CB_MPI_CHECK(MPI_Allgather(c->hostname, CB_HOSTNAME_MAX, MPI_CHAR, c->hosts, CB_HOSTNAME_MAX,
                               MPI_CHAR, MPI_COMM_WORLD));
    c->nnodes = 0;
    c->local_rank = 0;
    c->local_size = 0;
    for (int r = 0; r < c->size; r++) {
        int n = -1;
        for (int k = 0; k < c->nnodes; k++)
            if (!strcmp(c->hosts[c->node_leader[k]], c->hosts[r]))
                n = k;
        if (n < 0) {
            n = c->nnodes++;
            c->node_leader[n] = r;
        }
        c->node_of[r] = n;
    }
    c->node = c->node_of[c->rank];
    c->max_ranks_per_node = 0;
    for (int k = 0; k < c->nnodes; k++) {
        int cnt = 0;
        for (int r = 0; r < c->size; r++)
            if (c->node_of[r] == k) {
                if (r == c->rank)
                    c->local_rank = cnt;
                cnt++;
            }
        if (k == c->node)
            c->local_size = cnt;
        if (cnt > c->max_ranks_per_node)
            c->max_ranks_per_node = cnt;
    }
    return CB_OK;
}

int cb_comm_init(cb_comm_t *c, int *argc, char ***argv)
{
    memset(c, 0, sizeof *c);
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited)
        CB_MPI_CHECK(MPI_Init(argc, argv));
    /* Errors come back as codes so CB_MPI_CHECK can name file:line. */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    CB_MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &c->rank));
    CB_MPI_CHECK(MPI_Comm_size(MPI_COMM_WORLD, &c->size));
    gethostname(c->hostname, sizeof c->hostname - 1);
    return layout(c);
}

int cb_comm_init_threaded(cb_comm_t *c, int *argc, char ***argv, int *threads)
{
    memset(c, 0, sizeof *c);
    int inited = 0, provided = MPI_THREAD_SINGLE;
    MPI_Initialized(&inited);
    if (!inited)
        CB_MPI_CHECK(MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided));
    else
        CB_MPI_CHECK(MPI_Query_thread(&provided));
    *threads = provided >= MPI_THREAD_MULTIPLE     ? CB_COMM_THREADS_MULTIPLE
               : provided >= MPI_THREAD_SERIALIZED ? CB_COMM_THREADS_SERIALIZED
               : provided >= MPI_THREAD_FUNNELED   ? CB_COMM_THREADS_FUNNELED
                                                   : CB_COMM_THREADS_SINGLE;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    CB_MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &c->rank));
    CB_MPI_CHECK(MPI_Comm_size(MPI_COMM_WORLD, &c->size));
    gethostname(c->hostname, sizeof c->hostname - 1);
    return layout(c);
}

const char *cb_comm_threads_name(int threads)
{
    static const char *names[] = {"single", "funneled", "serialized", "multiple"};
    return threads >= 0 && threads <= 3 ? names[threads] : "?";
}

void cb_comm_finalize(cb_comm_t *c)
{
    if (!c)
        return;
    free(c->hosts);
    free(c->node_of);
    free(c->node_leader);
    c->hosts = NULL;
    c->node_of = c->node_leader = NULL;
    int fin = 0;
    MPI_Finalized(&fin);
    if (!fin)
        MPI_Finalize();
}

void cb_comm_abort(cb_comm_t *c, int code)
{
    (void)c;
    fflush(stdout);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, code);
    _exit(code);
}

int cb_comm_barrier(cb_comm_t *c)
{
    (void)c;
    CB_MPI_CHECK(MPI_Barrier(MPI_COMM_WORLD));
    return CB_OK;
}

int cb_comm_bcast(cb_comm_t *c, void *buf, size_t bytes, int root)
{
    (void)c;
    CB_MPI_CHECK(MPI_Bcast(buf, (int)bytes, MPI_BYTE, root, MPI_COMM_WORLD));
    return CB_OK;
}

int cb_comm_allreduce_max_double(cb_comm_t *c, double *v, size_t n)
{
    (void)c;
    CB_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD));
    return CB_OK;
}

int cb_comm_allreduce_sum_u64(cb_comm_t *c, uint64_t *v, size_t n)
{
    (void)c;
    CB_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD));
    return CB_OK;
}

int cb_comm_allreduce_min_int(cb_comm_t *c, int *v, size_t n)
{
    (void)c;
    CB_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_INT, MPI_MIN, MPI_COMM_WORLD));
    return CB_OK;
}

int cb_comm_sendrecv(cb_comm_t *c, const void *send, void *recv, size_t bytes, int peer)
{
    (void)c;
    CB_MPI_CHECK(MPI_Sendrecv(send, (int)bytes, MPI_BYTE, peer, 77, recv, (int)bytes, MPI_BYTE, peer,
                              77, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    return CB_OK;
}

int cb_comm_gather(cb_comm_t *c, const void *send, size_t bytes, void *recv, int root)
{
    (void)c;
    CB_MPI_CHECK(MPI_Gather(send, (int)bytes, MPI_BYTE, recv, (int)bytes, MPI_BYTE, root,
                            MPI_COMM_WORLD));
    return CB_OK;
}

char *cb_comm_host_list(const cb_comm_t *c)
{
    size_t len = 1;
    for (int k = 0; k < c->nnodes; k++)
        len += strlen(c->hosts[c->node_leader[k]]) + 1;
    char *s = calloc(1, len);
    if (!s)
        return NULL;
    for (int k = 0; k < c->nnodes; k++) {
        if (k)
            strcat(s, ",");
        strcat(s, c->hosts[c->node_leader[k]]);
    }
    return s;
}
