/* cb_bench: the benchmark driver. A benchmark is a const table of function
 * pointers (cb_bench_t: name, buffers, init data, run one operation, check,
 * bandwidth factors — nccl-tests' struct testColl idea without its globals);
 * the driver sweeps sizes with adaptive effort, times every iteration (the
 * sample of an iteration is the max over ranks), validates data outside the
 * timed loop, prints a table and writes the results CSV. */
#ifndef CB_BENCH_H
#define CB_BENCH_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "cb_bw.h"
#include "cb_comm.h"
#include "cb_results.h"
#include "cb_stats.h"
#include "cb_transport.h"
#include "cb_watchdog.h"

typedef enum cb_prog { CB_PROG_ALLREDUCE, CB_PROG_P2P } cb_prog_t;

enum { CB_PLACE_OUT = 1, CB_PLACE_IN = 2 };
enum { CB_P2P_LATENCY = 1, CB_P2P_BW = 2, CB_P2P_BIBW = 4 };

typedef struct cb_bench_opts {
    uint64_t min_bytes, max_bytes; /* -b, -e */
    uint64_t step_factor;          /* -f: multiply (default 2) */
    uint64_t step_bytes;           /* -i: add instead (0 = use factor) */
    cb_dtype_t dtypes[CB_DT_COUNT];
    int ndtypes;
    char transport[16];            /* auto, mpi, nccl */
    int placements;                /* CB_PLACE_* bits */
    int check;                     /* validate data (default on) */
    int warmup_iters;              /* -w: at most this many warm-up iterations */
    int min_iters, max_iters;      /* bounds on timed iterations (-n = max) */
    double time_per_size_s;        /* budget per size and variant */
    double total_time_s;           /* budget for the whole sweep; 0 = none */
    double timeout_s;              /* watchdog; 0 = automatic */
    char output[1024];             /* CSV path; "" = results/<cluster>/<prog>-<run id>.csv */
    char cluster[128];
    int quiet;                     /* no progress lines */
    /* point-to-point */
    int modes;                     /* CB_P2P_* bits */
    int window;                    /* messages in flight for bw/bibw */
    int all_pairs;
} cb_bench_opts_t;

/* Defaults for a program. */
void cb_bench_opts_default(cb_prog_t prog, cb_bench_opts_t *o);
/* Parse argv into o (starting from defaults). CB_OK, 1 when --help was
 * asked (usage printed to `out`), or CB_ERR_USAGE with a one-line reason in
 * err. Pure apart from printing help; no I/O on files. */
int cb_bench_parse_args(cb_prog_t prog, int argc, char **argv, cb_bench_opts_t *o, FILE *out,
                        char *err, size_t errlen);
void cb_bench_usage(cb_prog_t prog, FILE *f);

/* State of one measured configuration, shared by driver and benchmark. */
typedef struct cb_run {
    const cb_bench_opts_t *opts;
    cb_comm_t *comm;
    const cb_transport_ops_t *tp;
    void *tps;
    cb_dtype_t dtype;
    int in_place;
    uint64_t bytes;   /* per-rank buffer / message size */
    size_t count;     /* elements of dtype */
    int active;       /* this rank takes part */
    int rank_a, rank_b; /* point-to-point pair (a initiates) */
    int window;
    void *sendbuf, *recvbuf, *ackbuf;
    cb_p2p_op_t *ops;
    double expect_us;   /* forecast of one iteration (0: unknown), for timeouts */
} cb_run_t;

typedef struct cb_bench {
    const char *name; /* CSV `benchmark` */
    const char *op;   /* CSV `op` */
    cb_coll_t coll;   /* bandwidth factors */
    int (*setup)(cb_run_t *r);
    int (*init_data)(cb_run_t *r, int phase);
    int (*run)(cb_run_t *r);
    int (*check)(cb_run_t *r, int phase, uint64_t *wrong);
    void (*teardown)(cb_run_t *r);
    double (*ops_per_iter)(const cb_run_t *r);  /* divides an iteration's time */
    double (*bytes_factor)(const cb_run_t *r);  /* bytes moved per op / r->bytes */
} cb_bench_t;

extern const cb_bench_t cb_bench_allreduce;
extern const cb_bench_t cb_bench_pingpong;
extern const cb_bench_t cb_bench_bw;
extern const cb_bench_t cb_bench_bibw;

/* Result of measuring one configuration. */
typedef struct cb_measure {
    int iters, warmup_iters;
    cb_stats_t time_us;   /* per operation, max over ranks per iteration */
    double algbw_gbps, busbw_gbps;
    uint64_t wrong;       /* summed over ranks; 0 when not checked */
    int checked;
    int rc;               /* CB_OK or the error that ended it */
} cb_measure_t;

/* Adaptive effort: iterations for a budget given one iteration's time. */
int cb_bench_iters_for_budget(double iter_us, double budget_s, int min_iters, int max_iters);
/* Sizes of the sweep: fills sizes (up to cap), returns how many. */
size_t cb_bench_sizes(const cb_bench_opts_t *o, uint64_t *sizes, size_t cap);

/* A whole program run: communicator, transport, results file, context. */
typedef struct cb_session {
    cb_prog_t prog;
    const char *progname;
    cb_bench_opts_t opts;
    cb_comm_t comm;
    const cb_transport_ops_t *tp;
    void *tps;
    cb_results_ctx_t ctx;
    cb_results_t *res;    /* rank 0 only */
    double t_start_us;
    int failures;         /* configurations that failed or found wrong data */
    int capped;           /* sizes skipped by the total budget */
    cb_watchdog_t wd;     /* aborts the job when an operation hangs */
    /* Rank 0: the row of the configuration in flight, formatted beforehand,
     * written as "timeout" by the watchdog or "failed" by a fatal signal so
     * the row is marked failed, not missing. */
    struct cb_inflight *volatile inflight_timeout, *volatile inflight_signal;
    /* Set by the first of them to write its row: the other writes nothing
     * (a SIGTERM that arrives while the watchdog aborts the job). */
    atomic_flag inflight_marked;
    int res_fd;           /* rank 0: the results file's descriptor, else -1 */
} cb_session_t;

/* Keep freed heap memory in the process (glibc mallopt: no trimming, large
 * mmap threshold) unless MALLOC_* / GLIBC_TUNABLES say otherwise. Without
 * it glibc returns Open MPI's temporary all-reduce buffers to the kernel
 * after every call from the main thread and each call faults them in again:
 * measured 2x slower 24 MiB all-reduces on the 3-node virtual cluster.
 * Returns whether it did. */
int cb_bench_keep_heap(void);

/* Parse args, init comm, select transport, open results (rank 0), write
 * topology rows. Returns a process exit code (0 ok; 2 usage; 3 runtime) —
 * on non-zero the session is already finalised. */
int cb_session_start(cb_session_t *s, cb_prog_t prog, const char *progname, int argc, char **argv);
/* Finalise; returns the exit code for main (0, or 3 when something failed). */
int cb_session_end(cb_session_t *s);

/* Timeout (s) of one phase of a measurement expected to take expect_s:
 * --timeout when given, else 60 s + 20x the expectation. */
double cb_bench_timeout_s(const cb_bench_opts_t *o, double expect_s);

/* Total budget (--total-time), collective: rank 0 forecasts the next size
 * from iter_us (one iteration, from the last size scaled by bytes; 0 =
 * unknown, never skips) times warm-up + --min-iters + check, for nconfigs
 * configurations, and all ranks learn whether it would overrun. */
int cb_bench_over_budget(cb_session_t *s, double iter_us, int nconfigs);

/* Measure one configuration on all ranks (collective). */
int cb_bench_measure(cb_session_t *s, const cb_bench_t *b, cb_run_t *r, cb_measure_t *m);
/* Rank 0 (no-op elsewhere): format the rows to write if configuration r of
 * b never finishes, for cb_bench_mark_inflight; b == NULL clears them. */
void cb_bench_set_inflight(cb_session_t *s, const cb_bench_t *b, const cb_run_t *r);
/* Write the row in flight to the results file: marked "timeout" (timeout
 * != 0, the watchdog) or "failed" (a fatal signal). Once per session: the
 * first call that finds a row writes it, later ones nothing, so a watchdog
 * and a signal racing to mark the same configuration leave one whole row.
 * Async-signal-safe. 1 written, 0 nothing to write (no row in flight, no
 * file, or already marked), -1 write failed (errno). */
int cb_bench_mark_inflight(cb_session_t *s, int timeout);
/* Write the CSV row of a measurement (rank 0; no-op elsewhere). */
int cb_bench_write_row(cb_session_t *s, const cb_bench_t *b, const cb_run_t *r,
                       const cb_measure_t *m, const char *status, const char *note);

/* Messages in flight for windowed bandwidth: the window, reduced so that at
 * most CB_P2P_MAX_INFLIGHT_BYTES are posted at once (far above any link's
 * bandwidth-delay product: 5 ms at 100 Gbit/s), so large messages on slow
 * links finish in bounded time (one iteration is 5.7 s at 100 Mbit/s). */
#define CB_P2P_MAX_INFLIGHT_BYTES ((uint64_t)64 << 20)
int cb_p2p_window(int window, uint64_t bytes);

/* Program bodies (thin mains call these). */
int cb_allreduce_main(int argc, char **argv);
int cb_p2p_main(int argc, char **argv);

#endif
