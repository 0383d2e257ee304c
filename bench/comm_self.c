/* cb_comm for a build without MPI: one process, one node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_comm.h"
#include "cb_error.h"

const char *cb_comm_kind(void)
{
    return "self";
}

int cb_comm_init(cb_comm_t *c, int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    memset(c, 0, sizeof *c);
    c->size = c->nnodes = c->local_size = c->max_ranks_per_node = 1;
    gethostname(c->hostname, sizeof c->hostname - 1);
    c->hosts = calloc(1, sizeof *c->hosts);
    c->node_of = calloc(1, sizeof *c->node_of);
    c->node_leader = calloc(1, sizeof *c->node_leader);
    if (!c->hosts || !c->node_of || !c->node_leader)
        return CB_ERR_NOMEM;
    memcpy(c->hosts[0], c->hostname, CB_HOSTNAME_MAX);
    return CB_OK;
}

int cb_comm_init_threaded(cb_comm_t *c, int *argc, char ***argv, int *threads)
{
    *threads = CB_COMM_THREADS_MULTIPLE;
    return cb_comm_init(c, argc, argv);
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
}

void cb_comm_abort(cb_comm_t *c, int code)
{
    (void)c;
    fflush(stdout);
    fflush(stderr);
    _exit(code);
}

int cb_comm_barrier(cb_comm_t *c) { (void)c; return CB_OK; }
int cb_comm_bcast(cb_comm_t *c, void *b, size_t n, int root) { (void)c; (void)b; (void)n; (void)root; return CB_OK; }
int cb_comm_allreduce_max_double(cb_comm_t *c, double *v, size_t n) { (void)c; (void)v; (void)n; return CB_OK; }
int cb_comm_allreduce_sum_u64(cb_comm_t *c, uint64_t *v, size_t n) { (void)c; (void)v; (void)n; return CB_OK; }
int cb_comm_allreduce_min_int(cb_comm_t *c, int *v, size_t n) { (void)c; (void)v; (void)n; return CB_OK; }

int cb_comm_sendrecv(cb_comm_t *c, const void *send, void *recv, size_t bytes, int peer)
{
    (void)c;
    if (peer != 0)
        return CB_ERR_INTERNAL;
    memmove(recv, send, bytes);
    return CB_OK;
}

int cb_comm_gather(cb_comm_t *c, const void *send, size_t bytes, void *recv, int root)
{
    (void)c;
    (void)root;
    memcpy(recv, send, bytes);
    return CB_OK;
}

char *cb_comm_host_list(const cb_comm_t *c)
{
    return strdup(c->hostname);
}
