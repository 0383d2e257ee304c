/* The program skeleton (cb_prog.h): start-up of every benchmark program
 * (communicator, transport, results file, topology/environment rows,
 * banner), the watchdog and the row in flight, the total budget, progress
 * and stop decisions, and the end (summary line, agreed exit code). */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_env.h"
#include "cb_error.h"
#include "cb_prog.h"
#include "cb_timer.h"
#include "cb_topo.h"

extern char **environ;

/* A row formatted in advance, written from a watchdog or signal context. */
struct cb_inflight {
    size_t len;
    char row[];
};

/* The one piece of process-wide state: a fatal signal handler can only find
 * the session through a static. Set on rank 0 while a session runs. */
static cb_session_t *volatile signal_session;

/* ------------------------------------------------------------ in flight */

int cb_prog_mark_inflight(cb_session_t *s, int timeout)
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
        cb_prog_mark_inflight(s, 0); /* nothing more can be done from a signal handler */
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
    if (cb_prog_mark_inflight(s, 1) < 0)
        fprintf(stderr, "%s: could not mark the row in flight: %s\n", s->progname, strerror(errno));
    cb_comm_abort(&s->comm, 3);
}

/* n rows formatted one after another: one write() marks them all. */
static struct cb_inflight *format_inflight_rows(const cb_row_t *rows, size_t n)
{
    struct cb_inflight *in = NULL;
    size_t len = 0;
    for (size_t i = 0; rows && i < n; i++) {
        char *text = NULL;
        size_t l = 0;
        struct cb_inflight *x = NULL;
        if (!cb_results_format_row(&rows[i], &text, &l))
            x = realloc(in, sizeof *x + len + l);
        if (!x) {
            free(text);
            free(in);
            return NULL;
        }
        in = x;
        memcpy(in->row + len, text, l);
        len += l;
        in->len = len;
        free(text);
    }
    return in;
}

static struct cb_inflight *format_inflight(const cb_row_t *row)
{
    return format_inflight_rows(row, row ? 1 : 0);
}

/* The pointers are swapped before the old ones are freed, so a handler sees
 * either the old or the new row, never freed memory. */
static void swap_inflight(cb_session_t *s, struct cb_inflight *t, struct cb_inflight *g)
{
    struct cb_inflight *old_t = s->inflight_timeout, *old_g = s->inflight_signal;
    s->inflight_timeout = t;
    s->inflight_signal = g;
    free(old_t);
    free(old_g);
}

void cb_prog_set_inflight(cb_session_t *s, const cb_row_t *timeout_row, const cb_row_t *signal_row)
{
    if (s->comm.rank != 0)
        return;
    swap_inflight(s, format_inflight(timeout_row), format_inflight(signal_row));
}

void cb_prog_set_inflight_rows(cb_session_t *s, const cb_row_t *timeout_rows,
                               const cb_row_t *signal_rows, size_t n)
{
    if (s->comm.rank != 0)
        return;
    swap_inflight(s, format_inflight_rows(timeout_rows, n), format_inflight_rows(signal_rows, n));
}

double cb_prog_timeout_for(double timeout_s, double expect_s)
{
    if (timeout_s > 0)
        return timeout_s;
    return 60.0 + 20.0 * (expect_s > 0 ? expect_s : 0);
}

/* The timeout of a point of this session. */
static double timeout_s(const cb_session_t *s, double expect_s)
{
    return cb_prog_timeout_for(s->common->timeout_s, expect_s);
}

void cb_prog_point_begin(cb_session_t *s, cb_row_t *row, const char *timeout_note,
                         const char *signal_note, double expect_s, const char *what)
{
    if (s->comm.rank == 0 && row) {
        cb_row_set_str(row, CB_COL_STATUS, "timeout");
        cb_row_set_str(row, CB_COL_NOTE,
                       timeout_note ? timeout_note : "watchdog: did not finish within --timeout");
        struct cb_inflight *t = format_inflight(row);
        cb_row_set_str(row, CB_COL_STATUS, "failed");
        cb_row_set_str(row, CB_COL_NOTE, signal_note ? signal_note
                                                     : "interrupted: the job was killed while "
                                                       "measuring");
        swap_inflight(s, t, format_inflight(row));
    }
    cb_watchdog_arm(&s->wd, timeout_s(s, expect_s), what);
    cb_prog_point_enter(s);
}

void cb_prog_point_enter(cb_session_t *s)
{
    s->points++;
#ifdef CB_TEST_FAULTS
    /* Fault injection (the *-faults twins of tests/faults only). */
    const char *rank = getenv("CB_FAULT_STOP_RANK"), *point = getenv("CB_FAULT_STOP_POINT");
    if (rank && atoi(rank) == s->comm.rank && s->points == (point ? atoi(point) : 1)) {
        fprintf(stderr, "%s: fault injection: rank %d stops itself (SIGSTOP) at point %d\n",
                s->progname, s->comm.rank, s->points);
        raise(SIGSTOP);
    }
#endif
}

void cb_prog_point_rearm(cb_session_t *s, double expect_s, const char *what)
{
    cb_watchdog_arm(&s->wd, timeout_s(s, expect_s), what);
}

void cb_prog_point_end(cb_session_t *s)
{
    cb_watchdog_disarm(&s->wd);
    cb_prog_set_inflight(s, NULL, NULL);
}

/* ------------------------------------------------------------ helpers */

/* Keep freed heap memory in the process (glibc mallopt: no trimming, large
 * mmap threshold) unless MALLOC_* / GLIBC_TUNABLES say otherwise. Without
 * it glibc returns Open MPI's temporary all-reduce buffers to the kernel
 * after every call from the main thread and each call faults them in again:
 * measured 2x slower 24 MiB all-reduces on the 3-node virtual cluster.
 * Returns whether it did. */
static int keep_heap(void)
{
    if (getenv("MALLOC_TRIM_THRESHOLD_") || getenv("MALLOC_MMAP_THRESHOLD_") ||
        getenv("GLIBC_TUNABLES"))
        return 0;
    return mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
}

int cb_prog_agree(cb_session_t *s, int rc)
{
    int ok = rc == CB_OK;
    int e = cb_comm_allreduce_min_int(&s->comm, &ok, 1);
    if (e)
        return e;
    return ok ? CB_OK : (rc ? rc : CB_ERR_INTERNAL);
}

int cb_prog_over_budget(cb_session_t *s, double forecast_us)
{
    int skip = 0;
    if (s->comm.rank == 0 && s->common->total_time_s > 0 && forecast_us > 0) {
        double elapsed_us = cb_timer_now_us() - s->t_start_us;
        skip = elapsed_us + forecast_us > s->common->total_time_s * 1e6;
    }
    cb_comm_bcast(&s->comm, &skip, sizeof skip, 0);
    return skip;
}

void cb_prog_skip_note(cb_session_t *s, const char *what)
{
    if (s->comm.rank == 0)
        fprintf(stderr, "%s: --total-time %g s reached: skipping %s (raise --total-time to "
                        "measure them)\n",
                s->progname, s->common->total_time_s, what);
    s->capped = 1;
}

void cb_prog_progress(const cb_session_t *s, size_t done, size_t total, const char *text,
                      double t0_us)
{
    if (s->comm.rank != 0 || s->common->quiet)
        return;
    fprintf(stderr, "%s: [%zu/%zu] %s, %.1f s\n", s->progname, done, total, text,
            (cb_timer_now_us() - t0_us) / 1e6);
}

int cb_prog_stop(cb_session_t *s, int stop)
{
    cb_comm_bcast(&s->comm, &stop, sizeof stop, 0);
    return stop;
}

/* ------------------------------------------------------------ start-up */

/* The topology rows of every node, gathered to rank 0: the one copy. */
static int write_topology(cb_session_t *s)
{
    cb_comm_t *comm = &s->comm;
    cb_topo_t mine;
    if (cb_topo_discover(&mine, "/sys"))
        memset(&mine, 0, sizeof mine);
    snprintf(mine.hostname, sizeof mine.hostname, "%s", comm->hostname);
    cb_topo_t *all = NULL;
    int ok = comm->rank != 0 || (all = calloc((size_t)comm->size, sizeof *all)) != NULL;
    cb_comm_allreduce_min_int(comm, &ok, 1);
    if (!ok) {
        free(all);
        return CB_ERR_NOMEM;
    }
    int rc = cb_comm_gather(comm, &mine, sizeof mine, all, 0);
    if (rc == CB_OK && comm->rank == 0)
        for (int k = 0; k < comm->nnodes && rc == CB_OK; k++)
            rc = cb_topo_write_rows(&all[comm->node_leader[k]], &s->ctx, s->res);
    free(all);
    return rc;
}

static void print_banner(const cb_session_t *s)
{
    const cb_prog_desc_t *d = s->desc;
    if ((d->flags & CB_PROG_QUIET_BANNER) && s->common->quiet)
        return;
    printf("# %s: %d rank(s) on %d node(s) (%s), %d per node; bootstrap %s", s->progname,
           s->comm.size, s->comm.nnodes, s->ctx.hosts ? s->ctx.hosts : "?",
           s->comm.max_ranks_per_node, cb_comm_kind());
    if (d->threads > CB_COMM_THREADS_SINGLE)
        printf(", MPI thread level %s", cb_comm_threads_name(s->threads));
    printf("\n");
    if (d->flags & CB_PROG_TRANSPORT)
        printf("# transport: %s\n", s->transport_why);
    if (d->banner)
        d->banner(s, stdout);
    printf("# results: %s (run %s, cluster %s%s%s)\n", cb_results_path(s->res), s->ctx.run_id,
           s->ctx.cluster, s->ctx.slurm_job_id[0] ? ", job " : "", s->ctx.slurm_job_id);
    fflush(stdout);
}

/* Agreed start-up status: the worst (largest) exit code of any rank. */
static int agree_status(cb_session_t *s, int status)
{
    int agreed = -status;
    cb_comm_allreduce_min_int(&s->comm, &agreed, 1);
    return -agreed;
}

static void session_free(cb_session_t *s)
{
    cb_watchdog_stop(&s->wd);
    if (signal_session == s) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal_session = NULL;
    }
    cb_prog_set_inflight(s, NULL, NULL);
    if (s->desc->cleanup)
        s->desc->cleanup(s);
    if (s->tp && s->tps)
        s->tp->destroy(s->tps);
    s->tps = NULL;
    cb_results_close(s->res);
    s->res = NULL;
    cb_results_ctx_free(&s->ctx);
    cb_comm_finalize(&s->comm);
    free(s->opts);
    s->opts = NULL;
}

/* Everything before the program's work. Returns an exit code; -1 for
 * --help; on a code > 0 the session is already freed. */
static int start(cb_session_t *s, const cb_prog_desc_t *d, int argc, char **argv)
{
    memset(s, 0, sizeof *s);
    s->desc = d;
    s->progname = d->name;
    s->res_fd = -1;
    s->t_start_us = cb_timer_now_us();
    char err[1536] = "";
    if (!(s->opts = calloc(1, d->opts_size ? d->opts_size : 1))) {
        fprintf(stderr, "%s: out of memory\n", d->name);
        return 3;
    }
    /* Usage errors are found before MPI starts, so they cost nothing. */
    s->common = (cb_prog_opts_t *)((char *)s->opts + d->common_offset);
    int rc = d->parse(argc, argv, s->opts, stdout, err, sizeof err);
    if (rc == 1) {
        free(s->opts);
        return -1;
    }
    if (rc) {
        fprintf(stderr, "%s: %s\n(try '%s --help')\n", d->name, err, d->name);
        free(s->opts);
        return 2;
    }
    if (d->flags & CB_PROG_KEEP_HEAP)
        s->kept_heap = keep_heap();
    rc = d->threads > CB_COMM_THREADS_SINGLE
             ? cb_comm_init_threaded(&s->comm, &argc, &argv, &s->threads)
             : cb_comm_init(&s->comm, &argc, &argv);
    if (rc) {
        fprintf(stderr, "%s: cannot start the communicator: %s\n", d->name, cb_strerror(rc));
        free(s->opts);
        return 3;
    }
    int status = 0;
    if (d->flags & CB_PROG_TRANSPORT) {
        rc = cb_transport_select(s->common->transport, &s->tp, s->transport_why,
                                 sizeof s->transport_why);
        if (rc) {
            if (s->comm.rank == 0)
                fprintf(stderr, "%s: transport %s\n", d->name, s->transport_why);
            status = rc == CB_ERR_USAGE ? 2 : 3;
        }
    }
    status = agree_status(s, status);
    if (!status && d->prepare)
        status = d->prepare(s);

    cb_results_ctx_init(&s->ctx, s->common->cluster[0] ? s->common->cluster : NULL);
    /* One run id for all ranks: rank 0's. */
    cb_comm_bcast(&s->comm, s->ctx.run_id, sizeof s->ctx.run_id, 0);
    s->ctx.nodes = s->comm.nnodes;
    s->ctx.ranks = s->comm.size;
    s->ctx.ranks_per_node = s->comm.max_ranks_per_node;
    s->ctx.hosts = cb_comm_host_list(&s->comm);

    if (!status && s->comm.rank == 0) {
        char path[2400];
        if (s->common->output[0])
            snprintf(path, sizeof path, "%s", s->common->output);
        else
            snprintf(path, sizeof path, "%s/%s/%s-%s.csv", s->common->results_dir,
                     s->ctx.cluster, d->name, s->ctx.run_id);
        rc = cb_results_open(path, &s->res, err, sizeof err);
        if (rc) {
            fprintf(stderr, "%s: %s\n", d->name, err);
            status = rc == CB_ERR_IO || rc == CB_ERR_INPUT || rc == CB_ERR_USAGE ? 2 : 3;
        }
    }
    status = agree_status(s, status);
    if (!status) {
        if (s->comm.rank == 0)
            print_banner(s);
        if (d->flags & CB_PROG_TRANSPORT) {
            rc = s->tp->create(&s->comm, &s->tps);
            if (rc && s->comm.rank == 0)
                fprintf(stderr, "%s: cannot start transport %s: %s\n", d->name, s->tp->name,
                        cb_strerror(rc));
            if (cb_prog_agree(s, rc))
                status = 3;
        }
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
    if (!status && (d->flags & (CB_PROG_TOPO_ROWS | CB_PROG_ENV_ROWS))) {
        rc = d->flags & CB_PROG_TOPO_ROWS ? write_topology(s) : CB_OK;
        if (rc == CB_OK && (d->flags & CB_PROG_ENV_ROWS) && s->comm.rank == 0)
            rc = cb_env_write_rows(environ, s->comm.hostname, &s->ctx, s->res);
        if (rc && s->comm.rank == 0)
            fprintf(stderr, "%s: writing topology/environment rows: %s\n", d->name,
                    cb_strerror(rc));
    }
    if (status) {
        session_free(s);
        return status;
    }
    return 0;
}

int cb_prog_main(const cb_prog_desc_t *d, int argc, char **argv)
{
    cb_session_t s;
    int code = start(&s, d, argc, argv);
    if (code)
        return code < 0 ? 0 : code;
    code = d->run(&s);
    if (s.failures && code < 3)
        code = 3;
    /* Every rank ends with the worst code of any (rank 0 alone may have
     * failed to write a row). */
    code = agree_status(&s, code);
    if (s.comm.rank == 0) {
        if (s.failures)
            fprintf(stderr, "%s: %d configuration(s) failed or found wrong data\n", s.progname,
                    s.failures);
        double secs = (cb_timer_now_us() - s.t_start_us) / 1e6;
        if (s.res)
            printf("# wrote %s\n", cb_results_path(s.res));
        printf("# %s: %s in %.1f s%s\n", s.progname, code >= 2 ? "FAILED" : "done", secs,
               s.capped ? " (some points skipped by --total-time, see above)" : "");
        fflush(stdout);
    }
    session_free(&s);
    return code;
}
