/* The benchmark driver: session set-up (communicator, transport, results
 * file, topology rows), adaptive-effort measurement of one configuration,
 * and its CSV row. */
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_bench.h"
#include "cb_env.h"
#include "cb_error.h"
#include "cb_size.h"
#include "cb_timer.h"
#include "cb_topo.h"
#include "cb_watchdog.h"

extern char **environ;

/* A row formatted in advance, written from a watchdog or signal context. */
struct cb_inflight {
    size_t len;
    char row[];
};

/* The one piece of process-wide state: a fatal signal handler can only find
 * the session through a static. Set on rank 0 while a session runs. */
static cb_session_t *volatile signal_session;

int cb_bench_mark_inflight(cb_session_t *s, int timeout)
{
    struct cb_inflight *in = timeout ? s->inflight_timeout : s->inflight_signal;
    if (!in || s->res_fd < 0 || atomic_flag_test_and_set(&s->inflight_marked))
        return 0;
    return write(s->res_fd, in->row, in->len) == (ssize_t)in->len ? 1 : -1;
}

static void on_fatal_signal(int sig)
{
    cb_session_t *s = signal_session;
    if (s)
        cb_bench_mark_inflight(s, 0); /* nothing more can be done from a signal handler */
    static const char msg[] = "clusterbench: terminated by a signal: the configuration in flight "
                              "is marked failed in the results CSV; earlier rows are intact\n";
    if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_watchdog(void *arg, const char *what, double waited_s)
{
    cb_session_t *s = arg;
    fprintf(stderr,
            "%s: watchdog: rank %d on %s: %s did not finish in %.0f s (--timeout); a rank or "
            "link is dead or hung; aborting the job\n",
            s->progname, s->comm.rank, s->comm.hostname, what, waited_s);
    if (cb_bench_mark_inflight(s, 1) < 0)
        fprintf(stderr, "%s: could not mark the row in flight: %s\n", s->progname, strerror(errno));
    cb_comm_abort(&s->comm, 3);
}

int cb_bench_keep_heap(void)
{
    if (getenv("MALLOC_TRIM_THRESHOLD_") || getenv("MALLOC_MMAP_THRESHOLD_") ||
        getenv("GLIBC_TUNABLES"))
        return 0;
    return mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
}

double cb_bench_timeout_s(const cb_bench_opts_t *o, double expect_s)
{
    if (o->timeout_s > 0)
        return o->timeout_s;
    return 60.0 + 20.0 * (expect_s > 0 ? expect_s : 0);
}

int cb_bench_iters_for_budget(double iter_us, double budget_s, int min_iters, int max_iters)
{
    double n = iter_us > 0 ? budget_s * 1e6 / iter_us : (double)max_iters;
    if (n < min_iters)
        n = min_iters;
    if (n > max_iters)
        n = max_iters;
    return (int)n;
}

size_t cb_bench_sizes(const cb_bench_opts_t *o, uint64_t *sizes, size_t cap)
{
    size_t n = 0;
    for (uint64_t s = o->min_bytes; s <= o->max_bytes && n < cap;) {
        sizes[n++] = s;
        uint64_t next = o->step_bytes ? s + o->step_bytes : s * o->step_factor;
        if (next <= s)
            break;
        s = next;
    }
    return n;
}

/* ------------------------------------------------------------ session */

static void default_output(cb_session_t *s, char *buf, size_t len)
{
    snprintf(buf, len, "results/%s/%s-%s.csv", s->ctx.cluster, s->progname, s->ctx.run_id);
}

static int write_topology(cb_session_t *s)
{
    cb_topo_t mine;
    int rc = cb_topo_discover(&mine, "/sys");
    if (rc)
        memset(&mine, 0, sizeof mine);
    snprintf(mine.hostname, sizeof mine.hostname, "%s", s->comm.hostname);
    cb_topo_t *all = NULL;
    if (s->comm.rank == 0 && !(all = calloc((size_t)s->comm.size, sizeof *all)))
        return CB_ERR_NOMEM;
    rc = cb_comm_gather(&s->comm, &mine, sizeof mine, all, 0);
    if (rc == CB_OK && s->comm.rank == 0)
        for (int k = 0; k < s->comm.nnodes && rc == CB_OK; k++)
            rc = cb_topo_write_rows(&all[s->comm.node_leader[k]], &s->ctx, s->res);
    free(all);
    return rc;
}

int cb_session_start(cb_session_t *s, cb_prog_t prog, const char *progname, int argc, char **argv)
{
    memset(s, 0, sizeof *s);
    s->prog = prog;
    s->progname = progname;
    s->t_start_us = cb_timer_now_us();
    char err[512] = "", why[512] = "";
    /* Usage errors are found before MPI starts, so they cost nothing. */
    int rc = cb_bench_parse_args(prog, argc, argv, &s->opts, stdout, err, sizeof err);
    if (rc == 1)
        return -1; /* --help: exit 0 without a session */
    if (rc) {
        fprintf(stderr, "%s: %s\n(try '%s --help')\n", progname, err, progname);
        return 2;
    }
    s->res_fd = -1;
    cb_bench_keep_heap();
    if ((rc = cb_comm_init(&s->comm, &argc, &argv))) {
        fprintf(stderr, "%s: cannot start the communicator: %s\n", progname, cb_strerror(rc));
        return 3;
    }
    int status = 0; /* agreed exit code of the start-up */
    rc = cb_transport_select(s->opts.transport, &s->tp, why, sizeof why);
    if (rc) {
        if (s->comm.rank == 0)
            fprintf(stderr, "%s: transport %s\n", progname, why);
        status = rc == CB_ERR_USAGE ? 2 : 3;
    }
    for (int i = 0; !status && i < s->opts.ndtypes; i++)
        if (!s->tp->supports(s->opts.dtypes[i])) {
            if (s->comm.rank == 0)
                fprintf(stderr, "%s: datatype %s is not supported by transport %s "
                                "(mpi: float, double; nccl: float, half, bfloat16, double)\n",
                        progname, cb_dtype_name(s->opts.dtypes[i]), s->tp->name);
            status = 2;
        }
    if (!status && s->prog == CB_PROG_P2P && s->opts.all_pairs && s->comm.nnodes < 2 &&
        s->comm.rank == 0)
        fprintf(stderr, "%s: --all-pairs with one node: measuring rank 0 with rank %d instead\n",
                progname, s->comm.size > 1 ? 1 : 0);

    cb_results_ctx_init(&s->ctx, s->opts.cluster);
    /* One run id for all ranks: rank 0's. */
    cb_comm_bcast(&s->comm, s->ctx.run_id, sizeof s->ctx.run_id, 0);
    s->ctx.nodes = s->comm.nnodes;
    s->ctx.ranks = s->comm.size;
    s->ctx.ranks_per_node = s->comm.max_ranks_per_node;
    s->ctx.hosts = cb_comm_host_list(&s->comm);

    if (!status && s->comm.rank == 0) {
        char path[1100];
        if (s->opts.output[0])
            snprintf(path, sizeof path, "%s", s->opts.output);
        else
            default_output(s, path, sizeof path);
        rc = cb_results_open(path, &s->res, err, sizeof err);
        if (rc) {
            fprintf(stderr, "%s: %s\n", progname, err);
            status = rc == CB_ERR_IO || rc == CB_ERR_INPUT || rc == CB_ERR_USAGE ? 2 : 3;
        }
    }
    int agreed = status ? -status : 0;
    cb_comm_allreduce_min_int(&s->comm, &agreed, 1);
    status = -agreed;
    if (!status) {
        if (s->comm.rank == 0) {
            printf("# %s: %d rank(s) on %d node(s) (%s), %d per node; bootstrap %s\n", progname,
                   s->comm.size, s->comm.nnodes, s->ctx.hosts ? s->ctx.hosts : "?",
                   s->comm.max_ranks_per_node, cb_comm_kind());
            printf("# transport: %s\n", why);
            printf("# results: %s (run %s, cluster %s%s%s)\n", cb_results_path(s->res), s->ctx.run_id,
                   s->ctx.cluster, s->ctx.slurm_job_id[0] ? ", job " : "", s->ctx.slurm_job_id);
            fflush(stdout);
        }
        rc = s->tp->create(&s->comm, &s->tps);
        if (rc && s->comm.rank == 0)
            fprintf(stderr, "%s: cannot start transport %s: %s\n", progname, s->tp->name,
                    cb_strerror(rc));
        int ok = rc ? 0 : 1;
        cb_comm_allreduce_min_int(&s->comm, &ok, 1);
        if (!ok)
            status = 3;
    }
    if (!status && cb_watchdog_start(&s->wd, on_watchdog, s) != CB_OK)
        status = 3;
    if (!status && s->comm.rank == 0) {
        s->res_fd = cb_results_fd(s->res);
        signal_session = s;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
    }
    if (!status) {
        rc = write_topology(s);
        if (rc == CB_OK && s->comm.rank == 0)
            rc = cb_env_write_rows(environ, s->comm.hostname, &s->ctx, s->res);
        if (rc && s->comm.rank == 0)
            fprintf(stderr, "%s: writing topology/environment rows: %s\n", progname, cb_strerror(rc));
    }
    if (status) {
        cb_watchdog_stop(&s->wd);
        if (s->tp && s->tps)
            s->tp->destroy(s->tps);
        s->tps = NULL;
        cb_results_close(s->res);
        s->res = NULL;
        cb_results_ctx_free(&s->ctx);
        cb_comm_finalize(&s->comm);
        return status;
    }
    return 0;
}

int cb_session_end(cb_session_t *s)
{
    int code = s->failures ? 3 : 0;
    if (s->comm.rank == 0) {
        double secs = (cb_timer_now_us() - s->t_start_us) / 1e6;
        if (s->res)
            printf("# wrote %s\n", cb_results_path(s->res));
        printf("# %s: %s in %.1f s%s\n", s->progname, s->failures ? "FAILED" : "done", secs,
               s->capped ? " (some sizes skipped by --total-time, see above)" : "");
        fflush(stdout);
    }
    cb_watchdog_stop(&s->wd);
    if (signal_session == s) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal_session = NULL;
    }
    if (s->tp && s->tps)
        s->tp->destroy(s->tps);
    cb_results_close(s->res);
    cb_results_ctx_free(&s->ctx);
    cb_comm_finalize(&s->comm);
    return code;
}

int cb_bench_over_budget(cb_session_t *s, double iter_us, int nconfigs)
{
    const cb_bench_opts_t *o = &s->opts;
    int skip = 0;
    if (s->comm.rank == 0 && o->total_time_s > 0 && iter_us > 0) {
        double forecast_s = iter_us * (1 + o->min_iters + (o->check ? 1 : 0)) * nconfigs / 1e6;
        double elapsed_s = (cb_timer_now_us() - s->t_start_us) / 1e6;
        skip = elapsed_s + forecast_s > o->total_time_s;
    }
    cb_comm_bcast(&s->comm, &skip, sizeof skip, 0);
    return skip;
}

/* ------------------------------------------------------------ measuring */

static int timed_iter(cb_run_t *r, const cb_bench_t *b, double *us)
{
    int rc = r->tp->time_begin(r->tps);
    if (!rc)
        rc = b->run(r);
    if (!rc)
        rc = r->tp->time_end(r->tps, us);
    return rc;
}

/* Every rank must reach every collective, so errors are agreed on first. */
static int agree_ok(cb_session_t *s, int rc)
{
    int ok = rc == CB_OK;
    int e = cb_comm_allreduce_min_int(&s->comm, &ok, 1);
    if (e)
        return e;
    return ok ? CB_OK : (rc ? rc : CB_ERR_INTERNAL);
}

int cb_bench_measure(cb_session_t *s, const cb_bench_t *b, cb_run_t *r, cb_measure_t *m)
{
    const cb_bench_opts_t *o = &s->opts;
    memset(m, 0, sizeof *m);
    double *samples = NULL;
    double t = 0;
    char what[160], sz[32];
    snprintf(what, sizeof what, "%s %s %s %s", b->name, b->op,
             cb_size_format(r->bytes, sz, sizeof sz),
             b->coll == CB_COLL_SENDRECV ? "" : (r->in_place ? "in-place" : "out-of-place"));
    cb_bench_set_inflight(s, b, r);
    cb_watchdog_arm(&s->wd, cb_bench_timeout_s(o, r->expect_us / 1e6), what);
    int rc = b->setup(r);
    if ((rc = agree_ok(s, rc)))
        goto out;
    /* Timing data: the pattern (values stay exact for out-of-place; in-place
     * buffers grow, which does not change the time of a sum). */
    if (r->active)
        rc = b->init_data(r, 0);
    if ((rc = agree_ok(s, rc)))
        goto out;

    /* Warm-up: one iteration, then as many more as fit a quarter of the
     * budget (decided on the max over ranks, so every rank agrees). */
    if (r->active)
        rc = timed_iter(r, b, &t);
    if ((rc = agree_ok(s, rc)))
        goto out;
    cb_comm_allreduce_max_double(&s->comm, &t, 1);
    int more = cb_bench_iters_for_budget(t, o->time_per_size_s / 4, 0, o->warmup_iters - 1);
    double warm_sum = t;
    for (int i = 0; i < more && rc == CB_OK; i++) {
        double u = 0;
        if (r->active)
            rc = timed_iter(r, b, &u);
        warm_sum += u;
    }
    if ((rc = agree_ok(s, rc)))
        goto out;
    m->warmup_iters = 1 + more;
    double warm_mean = warm_sum / m->warmup_iters;
    cb_comm_allreduce_max_double(&s->comm, &warm_mean, 1);
    m->iters = cb_bench_iters_for_budget(warm_mean, o->time_per_size_s, o->min_iters, o->max_iters);
    /* The timed loop's own deadline: its expected length, plus one more
     * iteration for the check. */
    cb_watchdog_arm(&s->wd, cb_bench_timeout_s(o, warm_mean * (m->iters + 1) / 1e6), what);

    samples = calloc((size_t)m->iters, sizeof *samples);
    if (!samples)
        rc = CB_ERR_NOMEM;
    if ((rc = agree_ok(s, rc)))
        goto out;
    for (int i = 0; i < m->iters && rc == CB_OK; i++)
        if (r->active)
            rc = timed_iter(r, b, &samples[i]);
    if ((rc = agree_ok(s, rc)))
        goto out;
    /* An iteration's time is the slowest rank's. */
    if ((rc = cb_comm_allreduce_max_double(&s->comm, samples, (size_t)m->iters)))
        goto out;
    double per = b->ops_per_iter(r);
    for (int i = 0; i < m->iters; i++)
        samples[i] /= per;
    cb_stats_compute(samples, (size_t)m->iters, &m->time_us);
    int nranks = b->coll == CB_COLL_SENDRECV ? 2 : s->comm.size;
    m->algbw_gbps = cb_bw_algbw_gbps(b->coll, (double)r->bytes * b->bytes_factor(r),
                                     m->time_us.mean, nranks);
    m->busbw_gbps = m->algbw_gbps * cb_bw_bus_factor(b->coll, nranks);

    /* Validation, outside the timed loop: fresh data, one operation. */
    if (o->check) {
        uint64_t wrong = 0;
        if (r->active) {
            rc = b->init_data(r, 1);
            if (!rc)
                rc = b->run(r);
            if (!rc)
                rc = r->tp->time_end(r->tps, &t); /* completes device work */
#ifdef CB_TEST_CORRUPT
            if (!rc && s->comm.rank == s->comm.size - 1)
                rc = r->tp->corrupt(r->tps, r->recvbuf, r->count, r->dtype);
#endif
            if (!rc)
                rc = b->check(r, 1, &wrong);
        }
        if ((rc = agree_ok(s, rc)))
            goto out;
        if ((rc = cb_comm_allreduce_sum_u64(&s->comm, &wrong, 1)))
            goto out;
        m->wrong = wrong;
        m->checked = 1;
    }
out:
    cb_watchdog_disarm(&s->wd);
    cb_bench_set_inflight(s, NULL, NULL);
    if (b->teardown)
        b->teardown(r);
    free(samples);
    m->rc = rc;
    return rc;
}

static void fill_row(cb_session_t *s, const cb_bench_t *b, const cb_run_t *r,
                     const cb_measure_t *m, const char *status, const char *note, cb_row_t *row)
{
    cb_row_init(row, &s->ctx);
    cb_row_set_str(row, CB_COL_BENCHMARK, b->name);
    cb_row_set_str(row, CB_COL_TRANSPORT, s->tp->name);
    cb_row_set_str(row, CB_COL_MEMORY, s->tp->memory);
    cb_row_set_str(row, CB_COL_DTYPE, cb_dtype_name(r->dtype));
    cb_row_set_str(row, CB_COL_OP, b->op);
    if (b->coll != CB_COLL_SENDRECV) {
        cb_row_set_str(row, CB_COL_PLACEMENT, r->in_place ? "in-place" : "out-of-place");
    } else {
        cb_row_set_str(row, CB_COL_HOST, s->comm.hosts[r->rank_a]);
        cb_row_set_str(row, CB_COL_PEER, s->comm.hosts[r->rank_b]);
        cb_row_set_int(row, CB_COL_RANK, r->rank_a);
        cb_row_set_int(row, CB_COL_PEER_RANK, r->rank_b);
    }
    cb_row_set_int(row, CB_COL_BYTES, (long long)r->bytes);
    if (m && m->iters) {
        cb_row_set_int(row, CB_COL_ITERS, m->iters);
        cb_row_set_int(row, CB_COL_WARMUP_ITERS, m->warmup_iters);
        cb_row_set_stats(row, &m->time_us);
        cb_row_set_num(row, CB_COL_ALGBW_GBPS, m->algbw_gbps);
        cb_row_set_num(row, CB_COL_BUSBW_GBPS, m->busbw_gbps);
    }
    if (m && m->checked)
        cb_row_set_int(row, CB_COL_WRONG_ELEMENTS, (long long)m->wrong);
    cb_row_set_str(row, CB_COL_STATUS, status);
    cb_row_set_str(row, CB_COL_NOTE, note);
}

int cb_bench_write_row(cb_session_t *s, const cb_bench_t *b, const cb_run_t *r,
                       const cb_measure_t *m, const char *status, const char *note)
{
    if (s->comm.rank != 0)
        return CB_OK;
    cb_row_t row;
    fill_row(s, b, r, m, status, note, &row);
    int rc = cb_results_write(s->res, &row);
    cb_row_clear(&row);
    return rc;
}

static struct cb_inflight *format_inflight(cb_session_t *s, const cb_bench_t *b, const cb_run_t *r,
                                           const char *status, const char *note)
{
    cb_row_t row;
    char *text = NULL;
    size_t len = 0;
    fill_row(s, b, r, NULL, status, note, &row);
    int rc = cb_results_format_row(&row, &text, &len);
    cb_row_clear(&row);
    if (rc)
        return NULL;
    struct cb_inflight *in = malloc(sizeof *in + len);
    if (in) {
        in->len = len;
        memcpy(in->row, text, len);
    }
    free(text);
    return in;
}

/* The pointers are swapped before the old ones are freed, so a handler sees
 * either the old or the new row, never freed memory. */
void cb_bench_set_inflight(cb_session_t *s, const cb_bench_t *b, const cb_run_t *r)
{
    if (s->comm.rank != 0)
        return;
    struct cb_inflight *t = b ? format_inflight(s, b, r, "timeout",
                                                "watchdog: did not finish within --timeout")
                              : NULL;
    struct cb_inflight *g = b ? format_inflight(s, b, r, "failed",
                                                "interrupted: the job was killed while measuring")
                              : NULL;
    struct cb_inflight *old_t = s->inflight_timeout, *old_g = s->inflight_signal;
    s->inflight_timeout = t;
    s->inflight_signal = g;
    free(old_t);
    free(old_g);
}
