/* cb_prog: the one skeleton every benchmark program runs on (cb-allreduce,
 * cb-p2p, cb-ddp, cb-gpu, cb-preflight, and any later one). A program is a
 * small const descriptor (cb_prog_desc_t: name, options hook, MPI thread
 * level, what start-up brings, extra banner lines, its body); cb_prog_main()
 * gives each of them the same
 *   - start-up: options (the shared flags parsed here, prog_opts.c, one
 *     spelling each), the communicator (MPI or the one-process bootstrap),
 *     transport, results file, topology/environment rows written once by one
 *     function, the banner;
 *   - the watchdog, and the row in flight written exactly once, by the
 *     watchdog ("timeout") or by a fatal signal ("failed");
 *   - the total time budget, skipped rows, the progress line, the stop
 *     decision and the exit code.
 * The (test, size) sweep of cb_bench tables sits on top of it (cb_bench.h). */
#ifndef CB_PROG_H
#define CB_PROG_H

#include <getopt.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>

#include "cb_comm.h"
#include "cb_results.h"
#include "cb_transport.h"
#include "cb_watchdog.h"

/* ---- the shared flags (prog_opts.c) ---- */

/* Which shared flags a program takes (-h/--help always). */
enum {
    CB_PROG_OPT_OUTPUT = 1 << 0,     /* -o, --output FILE */
    CB_PROG_OPT_CLUSTER = 1 << 1,    /* --cluster NAME */
    CB_PROG_OPT_QUIET = 1 << 2,      /* -q, --quiet */
    CB_PROG_OPT_TIMEOUT = 1 << 3,    /* --timeout S */
    CB_PROG_OPT_TOTAL_TIME = 1 << 4, /* --total-time S */
    CB_PROG_OPT_WARMUP = 1 << 5,     /* --warmup N (alias --warmup_iters; -w unless the
                                        program's own options use -w) */
    CB_PROG_OPT_TRANSPORT = 1 << 6,  /* -t, --transport auto|mpi|nccl */
    CB_PROG_OPT_CHECK = 1 << 7,      /* -c 0|1, --check[=0|1], --no-check */
};

/* Values of the shared flags. */
typedef struct cb_prog_opts {
    char output[1024];    /* "" = <results_dir>/<cluster>/<program>-<run id>.csv */
    char results_dir[1024]; /* default "results" */
    char cluster[128];    /* "" = $CB_CLUSTER or "local" */
    int quiet;            /* no progress lines */
    double timeout_s;     /* watchdog; 0 = automatic */
    double total_time_s;  /* budget of the whole run; 0 = none */
    int warmup_iters;
    char transport[16];   /* auto, mpi, nccl */
    int check;            /* validate the data (default 1) */
} cb_prog_opts_t;

/* A program's command line: the shared flags it takes and its own. */
typedef struct cb_prog_parser {
    const char *name;
    unsigned shared;               /* CB_PROG_OPT_* */
    int warmup_min, warmup_max;    /* range of --warmup */
    const char *shortopts;         /* its own, getopt syntax ("b:e:f:") */
    const struct option *longopts; /* its own, {0}-terminated; may be NULL */
    /* One of its own options (c as getopt_long returns it; flag as typed).
     * CB_OK, 1 (it printed what was asked, e.g. --list-workloads: exit 0),
     * or CB_ERR_USAGE with one line in err. */
    int (*option)(void *o, int c, const char *arg, const char *flag, FILE *out, char *err,
                  size_t errlen);
    /* After the last option (may be NULL): cross-checks, like option. */
    int (*finish)(void *o, cb_prog_opts_t *c, FILE *out, char *err, size_t errlen);
    void (*usage)(FILE *f);
} cb_prog_parser_t;

/* Parse argv: the shared flags into c (the program's options embed it), the
 * rest through p's hooks, which get o (their parse state); both hold their
 * defaults already. CB_OK; 1 when help (or what a hook
 * printed) went to `out`; CB_ERR_USAGE with a one-line reason in err. No
 * I/O besides that. Messages: "unknown option '-x'", "-o: missing value",
 * "unexpected argument 'x'", "<flag> '<value>': <why>". */
int cb_prog_parse(const cb_prog_parser_t *p, int argc, char **argv, void *o, cb_prog_opts_t *c,
                  FILE *out, char *err, size_t errlen);
/* Defaults of the shared flags: results dir "results", transport "auto",
 * check 1, the rest empty or 0. */
void cb_prog_opts_default(cb_prog_opts_t *c);
/* An integer option in [min, max] ("<flag> '<v>': expected an integer in
 * [min, max]"). */
int cb_prog_parse_int(const char *flag, const char *v, long min, long max, int *out, char *err,
                      size_t errlen);

/* ---- the program descriptor and its run ---- */

typedef struct cb_session cb_session_t;

/* What start-up brings (cb_prog_desc_t.flags). */
enum {
    CB_PROG_TRANSPORT = 1 << 0,   /* select (-t) and create a transport */
    CB_PROG_TOPO_ROWS = 1 << 1,   /* topology rows of every node */
    CB_PROG_ENV_ROWS = 1 << 2,    /* environment rows of rank 0 */
    CB_PROG_KEEP_HEAP = 1 << 3,   /* keep freed heap memory in the process (prog.c
                                     says why) before MPI starts */
    CB_PROG_QUIET_BANNER = 1 << 4, /* -q also hides the banner */
};

typedef struct cb_prog_desc {
    const char *name;     /* "cb-allreduce": messages and the default output name */
    unsigned flags;       /* CB_PROG_* */
    int threads;          /* MPI thread level the program needs (CB_COMM_THREADS_*):
                             SINGLE = plain MPI_Init; above, MPI_Init_thread asking
                             MULTIPLE (s->threads: what MPI provides, the program
                             judges it in prepare) */
    size_t opts_size;     /* bytes of the program's options (cb_session_t.opts) */
    size_t common_offset; /* where in them the shared flags are (offsetof) */
    /* Defaults and parsing of the program's options, the shared flags
     * included: as cb_prog_parse. */
    int (*parse)(int argc, char **argv, void *opts, FILE *out, char *err, size_t errlen);
    /* After the communicator and the transport's choice, before the results
     * file (may be NULL): the program's own checks and loading, on every
     * rank. Returns an exit code (0 goes on); the ranks agree on the worst.
     * It may set s->common->cluster (the run's cluster name). */
    int (*prepare)(cb_session_t *s);
    /* Extra banner lines (rank 0, may be NULL). */
    void (*banner)(const cb_session_t *s, FILE *f);
    /* The program's work after start-up, on every rank; returns its exit
     * code (0 ok, 1 a verdict failed, 3 runtime error); the session adds 3
     * when configurations failed (s->failures). */
    int (*run)(cb_session_t *s);
    /* Frees what prepare/run kept in s->state (may be NULL). */
    void (*cleanup)(cb_session_t *s);
} cb_prog_desc_t;

/* A row formatted in advance (opaque), written from a watchdog or signal. */
struct cb_inflight;

/* A whole program run: communicator, transport, results file, context. */
struct cb_session {
    const cb_prog_desc_t *desc;
    const char *progname;
    void *opts;            /* the program's options (desc->opts_size bytes) */
    cb_prog_opts_t *common; /* the shared flags, inside opts */
    void *state;           /* the program's own run state */
    cb_comm_t comm;
    int threads;           /* MPI thread level provided */
    int kept_heap;         /* freed heap memory is kept (CB_PROG_KEEP_HEAP) */
    const cb_transport_ops_t *tp; /* CB_PROG_TRANSPORT */
    void *tps;
    char transport_why[512];
    cb_results_ctx_t ctx;
    cb_results_t *res;     /* rank 0 only */
    double t_start_us;
    int failures;          /* configurations that failed or found wrong data */
    int capped;            /* points skipped by the total budget */
    int points;            /* points begun (cb_prog_point_enter) */
    cb_watchdog_t wd;      /* aborts the job when a point hangs */
    /* Rank 0: the row of the point in flight, formatted beforehand, written
     * as "timeout" by the watchdog or "failed" by a fatal signal so the
     * point is marked failed, not missing. */
    struct cb_inflight *volatile inflight_timeout, *volatile inflight_signal;
    /* Set by the first of them to write its row: the other writes nothing
     * (a SIGTERM that arrives while the watchdog aborts the job). */
    atomic_flag inflight_marked;
    int res_fd;            /* rank 0: the results file's descriptor, else -1 */
};

/* Run the program: parse, start up, desc->run, finish. Returns the exit
 * code for main: 0; 1 (a verdict of the program failed); 2 usage or input
 * error; 3 runtime error or failed configurations. */
int cb_prog_main(const cb_prog_desc_t *d, int argc, char **argv);

/* Every rank must reach every collective, so errors are agreed on first:
 * CB_OK when rc is CB_OK on every rank, else this rank's error (or
 * CB_ERR_INTERNAL where this rank was fine). Collective. */
int cb_prog_agree(cb_session_t *s, int rc);

/* ---- points: the watchdog, the row in flight, the budget ---- */

/* Timeout (s) of a point expected to take expect_s: timeout_s (--timeout)
 * when > 0, else 60 s + 20x the expectation. Pure. */
double cb_prog_timeout_for(double timeout_s, double expect_s);
/* Begin a point: rank 0 keeps `row` (its columns; status and note are set
 * here, the caller clears it) to write if the point never finishes —
 * status "timeout" with timeout_note by the watchdog, "failed" with
 * signal_note on a fatal signal (NULL notes: "watchdog: did not finish
 * within --timeout", "interrupted: the job was killed while measuring");
 * row NULL: nothing to mark. Every rank arms the watchdog for
 * cb_prog_timeout_for(--timeout, expect_s) naming `what`. */
void cb_prog_point_begin(cb_session_t *s, cb_row_t *row, const char *timeout_note,
                         const char *signal_note, double expect_s, const char *what);
/* Count a point as begun (cb_prog_point_begin does; every rank). In the
 * fault-injection builds (CB_TEST_FAULTS: the *-faults twins that
 * tests/faults runs) the rank $CB_FAULT_STOP_RANK stops itself with
 * SIGSTOP at point $CB_FAULT_STOP_POINT (default 1), its row in flight set
 * and the watchdogs armed: a rank hung in the middle of a point. */
void cb_prog_point_enter(cb_session_t *s);
/* Re-arm the watchdog of the point in flight (a new phase of it). */
void cb_prog_point_rearm(cb_session_t *s, double expect_s, const char *what);
/* End the point: disarm, forget the row in flight. */
void cb_prog_point_end(cb_session_t *s);
/* Rank 0 (no-op elsewhere): keep the rows to write if the point in flight
 * never finishes (either NULL: none). */
void cb_prog_set_inflight(cb_session_t *s, const cb_row_t *timeout_row,
                          const cb_row_t *signal_row);
/* The same for n rows at once (points measured at once: a round of
 * all-pairs): marking writes them all, in one write(). */
void cb_prog_set_inflight_rows(cb_session_t *s, const cb_row_t *timeout_rows,
                               const cb_row_t *signal_rows, size_t n);
/* Write the row in flight to the results file: marked "timeout" (timeout
 * != 0, the watchdog) or "failed" (a fatal signal). Once per session: the
 * first call that finds a row writes it, later ones nothing, so a watchdog
 * and a signal racing to mark the same point leave one whole row.
 * Async-signal-safe. 1 written, 0 nothing to write (no row in flight, no
 * file, or already marked), -1 write failed (errno). */
int cb_prog_mark_inflight(cb_session_t *s, int timeout);

/* Total budget (--total-time), collective: rank 0 decides whether
 * forecast_us more (0 = unknown: never skips) would overrun it, every rank
 * learns the answer. */
int cb_prog_over_budget(cb_session_t *s, double forecast_us);
/* Rank 0: say on stderr that the budget skips `what`; marks the session
 * capped (every rank calls it). */
void cb_prog_skip_note(cb_session_t *s, const char *what);
/* Rank 0, unless -q: the progress line "<prog>: [done/total] <text>, <secs> s". */
void cb_prog_progress(const cb_session_t *s, size_t done, size_t total, const char *text,
                      double t0_us);
/* Rank 0 decides to stop (stop != 0), every rank learns it. Collective. */
int cb_prog_stop(cb_session_t *s, int stop);

#endif
