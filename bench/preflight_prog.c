/* cb-preflight's program body: one rank per node gathers its node's facts
 * (preflight_facts.c) and judges them (common/cb_preflight.h); rank 0 adds
 * the cross-node checks (versions, clocks against its own, the MPI
 * exchange), writes one `preflight` row per check and node, prints the table
 * and decides the exit code. Every rank walks the same collectives in the
 * same order; extra ranks on a node only join the MPI exchange. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cb_comm.h"
#include "cb_error.h"
#include "cb_profile.h"
#include "cb_results.h"
#include "cb_timer.h"
#include "cb_transport.h"
#include "preflight.h"

#define PROG "cb-preflight"
#define XCHG_COUNT 1024         /* floats per all-reduce buffer and all-to-all block */
#define TOKEN_WAIT_S 2.0        /* how long missing tokens are retried (NFS caches), in all */

/* What rank 0 tells every rank about the profile. */
typedef struct pf_profile {
    int have;
    char name[64];
    char path[1024];
    char iface[16];
    double line_rate_gbps;
    long gpus_per_node; /* -1: no profile */
    long nodes;         /* -1: no profile */
} pf_profile_t;

/* What every rank sends to rank 0. */
typedef struct pf_node {
    int leader;                       /* this rank's facts stand for its node */
    cb_preflight_verdict_t v[CB_PREFLIGHT_NCHECKS]; /* the node-local verdicts */
    cb_preflight_cuda_t cuda;
    cb_preflight_exchange_t x;        /* this rank's part of the exchange */
} pf_node_t;

/* Every rank must reach every collective: agree on ok-ness first. */
static int agree(cb_comm_t *c, int ok)
{
    cb_comm_allreduce_min_int(c, &ok, 1);
    return ok;
}

static int load_profile(const cb_preflight_opts_t *o, pf_profile_t *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->gpus_per_node = p->nodes = -1;
    if (!o->profile[0])
        return CB_OK;
    char why[1024] = "";
    int rc = cb_profile_resolve(o->profile, p->path, sizeof p->path, why, sizeof why);
    cb_profile_t *prof = NULL;
    if (!rc)
        rc = cb_profile_load(p->path, &prof, why, sizeof why);
    if (rc) {
        snprintf(err, errlen, "%s%s%s", o->profile_from_env ? "$CB_PROFILE: " : "--profile: ",
                 why[0] ? "" : cb_strerror(rc), why);
        return rc;
    }
    p->have = 1;
    snprintf(p->name, sizeof p->name, "%s", prof->name);
    snprintf(p->iface, sizeof p->iface, "%s", prof->iface);
    p->line_rate_gbps = prof->line_rate_gbps;
    p->gpus_per_node = prof->gpus_per_node;
    p->nodes = prof->nodes;
    cb_profile_free(prof);
    return CB_OK;
}

/* ------------------------------------------------------ node-local facts */

static void local_checks(const cb_preflight_opts_t *o, const pf_profile_t *p, cb_comm_t *c,
                         const char *run_id, pf_node_t *me, int *wrote)
{
    cb_preflight_verdict_t *v = me->v;
    /* Names of every node, this one's among them. */
    const char **names = calloc((size_t)c->nnodes, sizeof *names);
    if (names) {
        for (int k = 0; k < c->nnodes; k++)
            names[k] = c->hosts[c->node_leader[k]];
        cb_preflight_check_hostnames(c->hostname, names, (size_t)c->nnodes,
                                     cb_preflight_resolve_getaddrinfo, NULL,
                                     &v[CB_PREFLIGHT_HOSTNAMES]);
        free(names);
    } else {
        cb_preflight_verdict_set(&v[CB_PREFLIGHT_HOSTNAMES], CB_PREFLIGHT_FAIL, "out of memory");
    }

    cb_preflight_gpu_t g;
    cb_preflight_read_gpu(&g);
    cb_preflight_check_gpu_count(&g, p->gpus_per_node, &v[CB_PREFLIGHT_GPU_COUNT]);
    cb_preflight_read_cuda("/proc", &me->cuda);

    cb_preflight_iface_t f;
    if (p->have)
        cb_preflight_read_iface(o->sysfs_root, p->iface, &f);
    else
        memset(&f, 0, sizeof f);
    cb_preflight_check_iface(p->have ? p->iface : NULL, &f, &v[CB_PREFLIGHT_IFACE]);
    cb_preflight_check_link_speed(p->have ? p->iface : NULL, &f, p->line_rate_gbps,
                                  &v[CB_PREFLIGHT_LINK_SPEED]);

    cb_preflight_shm_t shm;
    cb_preflight_read_shm("/dev/shm", &shm);
    int gpus = g.cuda_count > p->gpus_per_node ? g.cuda_count : (int)p->gpus_per_node;
    cb_preflight_check_dev_shm(&shm, gpus, &v[CB_PREFLIGHT_DEV_SHM]);

    cb_preflight_logind_t l;
    cb_preflight_read_logind(o->logind_root, &l);
    cb_preflight_check_removeipc(&l, &v[CB_PREFLIGHT_REMOVEIPC]);

    /* This node's token in the results directory, read back at once. */
    char path[1400], text[256], detail[1500] = "";
    cb_preflight_token_path(o->common.results_dir, run_id, c->node, path, sizeof path);
    cb_preflight_token_text(run_id, c->hostname, text, sizeof text);
    *wrote = cb_preflight_write_token(o->common.results_dir, path, text, detail, sizeof detail) == CB_OK;
    if (*wrote && cb_preflight_read_token(path, text, 0) != CB_PREFLIGHT_TOKEN_OK) {
        snprintf(detail, sizeof detail, "%s reads back other content than was written", path);
        unlink(path);
        *wrote = 0;
    }
    cb_preflight_check_results_dir(o->common.results_dir, detail, &v[CB_PREFLIGHT_RESULTS_DIR]);
}

/* Leaders read every other node's token; then each removes its own. */
static int shared_storage(const cb_preflight_opts_t *o, cb_comm_t *c, const char *run_id,
                          int wrote, pf_node_t *me)
{
    int *all = calloc((size_t)c->size, sizeof *all);
    int ok = all != NULL;
    if (!agree(c, ok)) {
        free(all);
        return CB_ERR_NOMEM;
    }
    int rc = cb_comm_gather(c, &wrote, sizeof wrote, all, 0);
    if (!rc)
        rc = cb_comm_bcast(c, all, (size_t)c->size * sizeof *all, 0);
    if (!rc)
        rc = cb_comm_barrier(c); /* every token is written */
    if (rc) {
        free(all);
        return rc;
    }
    if (me->leader) {
        int n = c->nnodes - 1;
        const char **peers = calloc((size_t)(n > 0 ? n : 1), sizeof *peers);
        cb_preflight_token_t *found = calloc((size_t)(n > 0 ? n : 1), sizeof *found);
        if (peers && found) {
            int i = 0;
            double wait_s = TOKEN_WAIT_S; /* for all missing tokens together */
            for (int k = 0; k < c->nnodes; k++) {
                if (k == c->node)
                    continue;
                int r = c->node_leader[k];
                char path[1400], text[256];
                peers[i] = c->hosts[r];
                cb_preflight_token_path(o->common.results_dir, run_id, k, path, sizeof path);
                cb_preflight_token_text(run_id, c->hosts[r], text, sizeof text);
                double t0 = cb_timer_now_us();
                found[i++] = all[r] ? cb_preflight_read_token(path, text, wait_s)
                                    : CB_PREFLIGHT_TOKEN_NOT_WRITTEN;
                wait_s -= (cb_timer_now_us() - t0) / 1e6;
            }
            cb_preflight_check_shared(o->common.results_dir, wrote, peers, found, (size_t)n,
                                      &me->v[CB_PREFLIGHT_SHARED_STORAGE]);
        } else {
            cb_preflight_verdict_set(&me->v[CB_PREFLIGHT_SHARED_STORAGE], CB_PREFLIGHT_FAIL,
                                     "out of memory");
        }
        free(peers);
        free(found);
    }
    free(all);
    rc = cb_comm_barrier(c); /* every token is read */
    if (me->leader && wrote) {
        char path[1400];
        cb_preflight_token_path(o->common.results_dir, run_id, c->node, path, sizeof path);
        unlink(path);
    }
    return rc;
}

/* ---------------------------------------------- clocks and the exchange */

#ifdef CB_HAVE_MPI
/* CLOCK_REALTIME in ns: the clocks being compared. */
static int64_t wall_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Ping-pong between rank 0 and each other node's leader, node by node.
 * Rank 0 fills offset_s/rtt_s per node (node 0: zeros). */
static int clock_offsets(cb_comm_t *c, void *tps, double *offset_s, double *rtt_s)
{
    const cb_transport_ops_t *tp = &cb_transport_mpi;
    int rc = CB_OK;
    for (int k = 1; k < c->nnodes && rc == CB_OK; k++) {
        int peer = c->node_leader[k];
        if (c->rank == 0) {
            enum { R = CB_PREFLIGHT_CLOCK_ROUNDS };
            int64_t ts[R + 1], tn[R + 1], tr[R + 1];
            for (int i = 0; i <= R && rc == CB_OK; i++) { /* round 0: warm-up */
                int64_t dummy = 0;
                cb_p2p_op_t s = {1, &dummy, sizeof dummy, peer};
                cb_p2p_op_t r = {0, &tn[i], sizeof tn[i], peer};
                ts[i] = wall_ns();
                rc = tp->p2p_batch(tps, &s, 1);
                if (!rc)
                    rc = tp->p2p_batch(tps, &r, 1);
                tr[i] = wall_ns();
            }
            if (!rc)
                rc = cb_preflight_clock_offset(ts + 1, tn + 1, tr + 1, R, &offset_s[k],
                                               &rtt_s[k]);
        } else if (c->rank == peer) {
            for (int i = 0; i <= CB_PREFLIGHT_CLOCK_ROUNDS && rc == CB_OK; i++) {
                int64_t dummy = 0, t;
                cb_p2p_op_t r = {0, &dummy, sizeof dummy, 0};
                cb_p2p_op_t s = {1, &t, sizeof t, 0};
                rc = tp->p2p_batch(tps, &r, 1);
                t = wall_ns();
                if (!rc)
                    rc = tp->p2p_batch(tps, &s, 1);
            }
        }
    }
    return rc;
}

/* An all-reduce and an all-to-all of XCHG_COUNT floats per rank / block,
 * filled with the transport's test pattern and verified. */
static void exchange(cb_comm_t *c, void *tps, cb_preflight_exchange_t *x)
{
    const cb_transport_ops_t *tp = &cb_transport_mpi;
    const size_t bytes = XCHG_COUNT * sizeof(float);
    int n = c->size, rc;
    void *send = NULL, *recv = NULL;
    cb_p2p_op_t *ops = NULL;
    x->bytes = bytes;
    rc = tp->alloc(tps, bytes * (size_t)n, &send);
    if (!rc)
        rc = tp->alloc(tps, bytes * (size_t)n, &recv);
    if (!rc && !(ops = calloc((size_t)(2 * n), sizeof *ops)))
        rc = CB_ERR_NOMEM;
    if (!agree(c, rc == CB_OK)) {
        snprintf(x->why, sizeof x->why, "buffers: %s", cb_strerror(rc ? rc : CB_ERR_NOMEM));
        x->err = rc ? rc : CB_ERR_INTERNAL;
        goto out;
    }
    /* all-reduce (sum) */
    rc = tp->fill(tps, send, XCHG_COUNT, CB_DT_FLOAT, c->rank, 0);
    if (!rc)
        rc = tp->allreduce(tps, send, recv, XCHG_COUNT, CB_DT_FLOAT);
    if (!rc)
        rc = tp->check(tps, recv, XCHG_COUNT, CB_DT_FLOAT, -1, n, 0, &x->wrong_allreduce);
    if (!agree(c, rc == CB_OK)) {
        snprintf(x->why, sizeof x->why, "all-reduce: %s", cb_strerror(rc ? rc : CB_ERR_MPI));
        x->err = rc ? rc : CB_ERR_MPI;
        goto out;
    }
    /* all-to-all: block j of rank i carries the pattern of seed i, phase j. */
    int nops = 0;
    for (int j = 0; j < n && !rc; j++) {
        char *sb = (char *)send + (size_t)j * bytes, *rb = (char *)recv + (size_t)j * bytes;
        rc = tp->fill(tps, sb, XCHG_COUNT, CB_DT_FLOAT, c->rank, j + 1);
        if (rc)
            break;
        if (j == c->rank) {
            memcpy(rb, sb, bytes);
            continue;
        }
        ops[nops++] = (cb_p2p_op_t){0, rb, bytes, j};
        ops[nops++] = (cb_p2p_op_t){1, sb, bytes, j};
    }
    if (!rc)
        rc = tp->p2p_batch(tps, ops, nops);
    for (int j = 0; j < n && !rc; j++) {
        uint64_t wrong = 0;
        rc = tp->check(tps, (char *)recv + (size_t)j * bytes, XCHG_COUNT, CB_DT_FLOAT, j,
                       n, c->rank + 1, &wrong);
        x->wrong_alltoall += wrong;
    }
    if (!agree(c, rc == CB_OK)) {
        snprintf(x->why, sizeof x->why, "all-to-all: %s", cb_strerror(rc ? rc : CB_ERR_MPI));
        x->err = rc ? rc : CB_ERR_MPI;
    }
out:
    if (send)
        tp->free(tps, send);
    if (recv)
        tp->free(tps, recv);
    free(ops);
}
#endif

/* --------------------------------------------------------------- output */

static int write_row(cb_results_t *res, const cb_results_ctx_t *ctx, const char *host, int check,
                     const cb_preflight_verdict_t *v, long long wrong)
{
    cb_row_t row;
    cb_row_init(&row, ctx);
    int mpi = check == CB_PREFLIGHT_MPI_EXCHANGE || check == CB_PREFLIGHT_CLOCK;
    cb_row_set_str(&row, CB_COL_BENCHMARK, "preflight");
    cb_row_set_str(&row, CB_COL_TRANSPORT, mpi ? "mpi" : "none");
    cb_row_set_str(&row, CB_COL_HOST, host);
    cb_row_set_str(&row, CB_COL_METRIC, cb_preflight_check_name(check));
    cb_row_set_num(&row, CB_COL_VALUE, v->value);
    cb_row_set_str(&row, CB_COL_UNIT, v->unit);
    cb_row_set_num(&row, CB_COL_SPEC_VALUE, v->spec);
    if (wrong >= 0)
        cb_row_set_int(&row, CB_COL_WRONG_ELEMENTS, wrong);
    cb_row_set_str(&row, CB_COL_STATUS, cb_preflight_status_name(v->status));
    cb_row_set_str(&row, CB_COL_NOTE, v->msg);
    int rc = cb_results_write(res, &row);
    cb_row_clear(&row);
    return rc;
}

/* Rank 0: the cross-node verdicts, rows, table; returns the exit code. */
static int report(const cb_preflight_opts_t *o, const pf_profile_t *p, cb_comm_t *c,
                  const cb_results_ctx_t *ctx, cb_results_t *res, pf_node_t *all,
                  const double *offset_s, const double *rtt_s, int clock_ok)
{
    int nn = c->nnodes;
    cb_preflight_cuda_t *cuda = calloc((size_t)nn, sizeof *cuda);
    const char **hosts = calloc((size_t)nn, sizeof *hosts);
    if (!cuda || !hosts) {
        free(cuda);
        free(hosts);
        fprintf(stderr, "%s: out of memory\n", PROG);
        return 3;
    }
    for (int k = 0; k < nn; k++) {
        cuda[k] = all[c->node_leader[k]].cuda;
        hosts[k] = c->hosts[c->node_leader[k]];
    }
    cb_preflight_verdict_t nodes;
    cb_preflight_check_nodes(nn, c->size, p->nodes, &nodes);
    for (int k = 0; k < nn; k++) {
        pf_node_t *leader = &all[c->node_leader[k]];
        cb_preflight_check_cuda_versions(cuda, hosts, (size_t)nn, (size_t)k, p->gpus_per_node,
                                         &leader->v[CB_PREFLIGHT_CUDA_VERSIONS]);
        if (!clock_ok)
            cb_preflight_verdict_set(&leader->v[CB_PREFLIGHT_CLOCK], CB_PREFLIGHT_FAIL,
                                     "the clock ping-pong with %s failed: check the MPI "
                                     "exchange", hosts[0]);
        else if (nn == 1)
            cb_preflight_verdict_set(&leader->v[CB_PREFLIGHT_CLOCK], CB_PREFLIGHT_PASS, "%s",
                                     "single node: its clock is the reference; nothing to "
                                     "compare");
        else
            cb_preflight_check_clock(hosts[0], k == 0, offset_s[k], rtt_s[k],
                                     o->clock_tolerance_s, &leader->v[CB_PREFLIGHT_CLOCK]);
        /* the exchange of every rank on this node */
        cb_preflight_exchange_t x = leader->x;
        for (int r = 0; r < c->size; r++) {
            if (c->node_of[r] != k || r == c->node_leader[k])
                continue;
            x.wrong_allreduce += all[r].x.wrong_allreduce;
            x.wrong_alltoall += all[r].x.wrong_alltoall;
            if (!x.err && all[r].x.err) {
                x.err = all[r].x.err;
                snprintf(x.why, sizeof x.why, "%s", all[r].x.why);
            }
        }
        cb_preflight_check_exchange(&x, &leader->v[CB_PREFLIGHT_MPI_EXCHANGE]);
        leader->x = x;
    }

    int count[3] = {0, 0, 0}, write_err = 0;
    if (!o->common.quiet)
        printf("#\n# %-21s %-16s %-6s %s\n", "check", "node", "status", "note");
    for (int check = 0; check < CB_PREFLIGHT_NCHECKS; check++) {
        for (int k = 0; k < nn; k++) {
            const cb_preflight_verdict_t *v =
                check == CB_PREFLIGHT_NODES ? &nodes : &all[c->node_leader[k]].v[check];
            const pf_node_t *leader = &all[c->node_leader[k]];
            long long wrong = -1;
            if (check == CB_PREFLIGHT_MPI_EXCHANGE && leader->x.mpi && !leader->x.err)
                wrong = (long long)(leader->x.wrong_allreduce + leader->x.wrong_alltoall);
            if (write_row(res, ctx, hosts[k], check, v, wrong))
                write_err = 1;
            count[v->status]++;
            if (!o->common.quiet || v->status != CB_PREFLIGHT_PASS)
                printf("  %-21s %-16s %-6s %s\n", cb_preflight_check_name(check), hosts[k],
                       cb_preflight_status_name(v->status), v->msg);
            if (check == CB_PREFLIGHT_NODES)
                break; /* one row for the run */
        }
    }
    printf("# preflight: %d pass, %d warn, %d fail on %d node(s): %s\n", count[0], count[1],
           count[2], nn,
           count[2]   ? "FAILED (fix the fail lines above)"
           : count[1] ? "passed with warnings (see the warn lines above)"
                      : "passed");
    if (write_err)
        fprintf(stderr, "%s: writing %s failed\n", PROG, cb_results_path(res));
    free(cuda);
    free(hosts);
    fflush(stdout);
    return write_err ? 3 : count[2] ? 1 : 0;
}

/* ------------------------------------------------------------------ main */

/* Everything the program keeps between its hooks. */
typedef struct pf_run {
    pf_profile_t prof;
} pf_run_t;

/* The profile: rank 0 loads it, everyone gets its facts; the run's cluster
 * is --cluster, else the profile's name. */
static int prepare(cb_session_t *s)
{
    const cb_preflight_opts_t *o = s->opts;
    pf_run_t *pr = calloc(1, sizeof *pr);
    int status = pr ? 0 : 3;
    if (!agree(&s->comm, status == 0))
        return 3;
    s->state = pr;
    char err[1536] = "";
    if (s->comm.rank == 0 && load_profile(o, &pr->prof, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", PROG, err);
        status = 2;
    }
    cb_comm_bcast(&s->comm, &pr->prof, sizeof pr->prof, 0);
    cb_comm_bcast(&s->comm, &status, sizeof status, 0);
    if (!status && !s->common->cluster[0] && pr->prof.have)
        snprintf(s->common->cluster, sizeof s->common->cluster, "%s", pr->prof.name);
    return status;
}

static void banner(const cb_session_t *s, FILE *f)
{
    const pf_profile_t *prof = &((const pf_run_t *)s->state)->prof;
    if (prof->have)
        fprintf(f, "# profile: %s (%s): %ld node(s), %ld GPU(s) per node, %s at %g Gbit/s\n",
                prof->name, prof->path, prof->nodes, prof->gpus_per_node, prof->iface,
                prof->line_rate_gbps);
    else
        fprintf(f, "# profile: none (--profile or $CB_PROFILE): the iface, link speed and GPU "
                   "count checks are skipped\n");
    fprintf(f, "# results dir tested: %s\n", s->common->results_dir);
}

/* The phase in flight, marked if a node hangs in it. */
static void phase_begin(cb_session_t *s, int check, const char *what)
{
    char note[160];
    snprintf(note, sizeof note, "watchdog: %s did not finish within --timeout", what);
    cb_row_t row;
    if (s->comm.rank == 0) {
        cb_row_init(&row, &s->ctx);
        cb_row_set_str(&row, CB_COL_BENCHMARK, "preflight");
        cb_row_set_str(&row, CB_COL_TRANSPORT, check == CB_PREFLIGHT_MPI_EXCHANGE ? "mpi" : "none");
        cb_row_set_str(&row, CB_COL_HOST, s->comm.hostname);
        cb_row_set_str(&row, CB_COL_METRIC, cb_preflight_check_name(check));
    }
    cb_prog_point_begin(s, s->comm.rank == 0 ? &row : NULL, note, NULL, TOKEN_WAIT_S, what);
    if (s->comm.rank == 0)
        cb_row_clear(&row);
}

static int run(cb_session_t *s)
{
    const cb_preflight_opts_t *o = s->opts;
    const pf_profile_t *prof = &((const pf_run_t *)s->state)->prof;
    cb_comm_t *comm = &s->comm;
    pf_node_t *me = NULL, *all = NULL;
    double *offset_s = NULL, *rtt_s = NULL;
#ifdef CB_HAVE_MPI
    void *tps = NULL;
#endif
    int status = 0, rc;

    me = calloc(1, sizeof *me);
    if (comm->rank == 0) {
        all = calloc((size_t)comm->size, sizeof *all);
        offset_s = calloc((size_t)comm->nnodes, sizeof *offset_s);
        rtt_s = calloc((size_t)comm->nnodes, sizeof *rtt_s);
    }
    if (!agree(comm, me && (comm->rank != 0 || (all && offset_s && rtt_s)))) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        status = 3;
        goto out;
    }
    me->leader = comm->node_leader[comm->node] == comm->rank;

    /* Node-local checks, then the shared-storage test across nodes. */
    int wrote = 0;
    if (me->leader)
        local_checks(o, prof, comm, s->ctx.run_id, me, &wrote);
    phase_begin(s, CB_PREFLIGHT_SHARED_STORAGE, "the shared-storage test");
    rc = shared_storage(o, comm, s->ctx.run_id, wrote, me);
    cb_prog_point_end(s);
    if (rc) {
        fprintf(stderr, "%s: shared-storage test: %s\n", PROG, cb_strerror(rc));
        status = 3;
        goto out;
    }

    /* Clocks against rank 0's, and the exchange. */
    int clock_ok = 1;
    me->x.ranks = comm->size;
    me->x.nnodes = comm->nnodes;
#ifdef CB_HAVE_MPI
    me->x.mpi = 1;
    rc = cb_transport_mpi.create(comm, &tps);
    if (!agree(comm, rc == CB_OK)) {
        fprintf(stderr, "%s: cannot start the MPI transport: %s\n", PROG, cb_strerror(rc));
        status = 3;
        goto out;
    }
    phase_begin(s, CB_PREFLIGHT_MPI_EXCHANGE, "the clock ping-pong and the MPI exchange");
    rc = clock_offsets(comm, tps, offset_s, rtt_s);
    clock_ok = agree(comm, rc == CB_OK);
    exchange(comm, tps, &me->x);
    cb_prog_point_end(s);
#endif

    if ((rc = cb_comm_gather(comm, me, sizeof *me, all, 0))) {
        fprintf(stderr, "%s: gathering the results: %s\n", PROG, cb_strerror(rc));
        status = 3;
        goto out;
    }
    if (comm->rank == 0)
        status = report(o, prof, comm, &s->ctx, s->res, all, offset_s, rtt_s, clock_ok);
    cb_comm_bcast(comm, &status, sizeof status, 0);
out:
#ifdef CB_HAVE_MPI
    cb_transport_mpi.destroy(tps);
#endif
    free(me);
    free(all);
    free(offset_s);
    free(rtt_s);
    return status;
}

static void cleanup(cb_session_t *s)
{
    free(s->state);
    s->state = NULL;
}

static int parse(int argc, char **argv, void *opts, FILE *out, char *err, size_t errlen)
{
    return cb_preflight_parse_args(argc, argv, opts, out, err, errlen);
}

static const cb_prog_desc_t cb_preflight_prog = {
    .name = PROG,
    .flags = CB_PROG_QUIET_BANNER,
    .threads = CB_COMM_THREADS_SINGLE,
    .opts_size = sizeof(cb_preflight_opts_t),
    .common_offset = offsetof(cb_preflight_opts_t, common),
    .parse = parse,
    .prepare = prepare,
    .banner = banner,
    .run = run,
    .cleanup = cleanup,
};

int cb_preflight_main(int argc, char **argv)
{
    return cb_prog_main(&cb_preflight_prog, argc, argv);
}
