/* cb_bench: the benchmark driver. A benchmark is a const table of function
 * pointers (cb_bench_t: name, buffers, init data, run one operation, check,
 * bandwidth factors — nccl-tests' struct testColl idea without its globals);
 * the driver measures one configuration with adaptive effort, timing
 * batches of iterations between two timer reads (as nccl-tests times its
 * loop; the sample of a batch is the max over ranks; --per-iteration: every
 * iteration alone) and validating data outside the timed loop, and walks a
 * program's (test, size) points (cb_bench_sweep) on the program skeleton
 * (cb_prog.h): budget,
 * skipped rows, table, progress and the results CSV. */
#ifndef CB_BENCH_H
#define CB_BENCH_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "cb_bw.h"
#include "cb_comm.h"
#include "cb_prog.h"
#include "cb_results.h"
#include "cb_sched.h"
#include "cb_stats.h"
#include "cb_transport.h"
#include "cb_watchdog.h"

/* The option set of cb_bench_parse_args: cb-allreduce's or cb-p2p's. */
typedef enum cb_prog { CB_PROG_ALLREDUCE, CB_PROG_P2P } cb_prog_t;

enum { CB_PLACE_OUT = 1, CB_PLACE_IN = 2 };
enum { CB_P2P_LATENCY = 1, CB_P2P_BW = 2, CB_P2P_BIBW = 4 };

typedef struct cb_bench_opts {
    cb_prog_opts_t common;         /* -o, --cluster, -q, -t, --timeout, --total-time, -c
                                      (check the data), and -w/--warmup: at most this
                                      many warm-up iterations */
    uint64_t min_bytes, max_bytes; /* -b, -e */
    uint64_t step_factor;          /* -f: multiply (default 2) */
    uint64_t step_bytes;           /* -i: add instead (0 = use factor) */
    cb_dtype_t dtypes[CB_DT_COUNT];
    int ndtypes;
    int placements;                /* CB_PLACE_* bits */
    int min_iters, max_iters;      /* bounds on timed iterations (-n = max) */
    int per_iteration;             /* --per-iteration: time every iteration alone
                                      (else batches of CB_BENCH_BATCH_US) */
    double time_per_size_s;        /* budget per size and variant */
    /* point-to-point */
    int modes;                     /* CB_P2P_* bits */
    int window;                    /* messages in flight for bw/bibw */
    int all_pairs;
    int sequential;                /* all pairs one direction after another, not in rounds */
    int reference;                 /* rounds: every direction alone first, at the largest size */
    double round_shortfall;        /* a round this fraction below its pairs alone is reported */
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
    int pair_local;   /* a round of all-pairs: disjoint pairs measure at once and an
                         iteration's time (and the wrong count) is the pair's, not
                         every rank's; rank_a/rank_b name this rank's pair (or, where
                         it sits out, one it is not part of) */
    const int *round_a, *round_b; /* rank 0, pair_local: the round's round_n pairs, */
    int round_n;                  /* each a row in flight (none: rank_a/rank_b's) */
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
    /* n iterations in a row (may be NULL: the driver calls run n times). */
    int (*run_n)(cb_run_t *r, int n);
    int (*check)(cb_run_t *r, int phase, uint64_t *wrong);
    void (*teardown)(cb_run_t *r);
    double (*ops_per_iter)(const cb_run_t *r);  /* divides an iteration's time */
    double (*bytes_factor)(const cb_run_t *r);  /* bytes moved per op / r->bytes */
} cb_bench_t;

extern const cb_bench_t cb_bench_allreduce;
extern const cb_bench_t cb_bench_pingpong;
extern const cb_bench_t cb_bench_bw;
/* bw as --all-pairs --reference measures it first, each direction alone:
 * the same test, written as op = bw_alone so that the op = bw rows (the
 * matrix the gate and the report judge) hold one row per direction. */
extern const cb_bench_t cb_bench_bw_alone;
extern const cb_bench_t cb_bench_bibw;

/* Result of measuring one configuration. */
typedef struct cb_measure {
    int iters, warmup_iters;
    int batch_iters;      /* iterations per timed batch (1: --per-iteration) */
    cb_stats_t time_us;   /* per operation: over batches, each batch's time the
                             max over ranks, divided by its operations */
    double algbw_gbps, busbw_gbps;
    uint64_t wrong;       /* summed over ranks; 0 when not checked */
    int checked;
    int rc;               /* CB_OK or the error that ended it */
} cb_measure_t;

/* A timed batch lasts at least this long (us): its two timer reads and the
 * max over ranks are then a small part of it. */
#define CB_BENCH_BATCH_US 50.0
/* Batching of `iters` timed iterations of iter_us each (iters >= 1):
 * *batch = ceil(target_us / iter_us) clamped to [1, iters] (1 when iter_us
 * or target_us is not > 0), *nbatches = iters / *batch (at least 1, and
 * enough that batch * nbatches >= min_iters). Pure. */
void cb_bench_batching(double iter_us, int iters, int min_iters, double target_us, int *batch,
                       int *nbatches);
/* Adaptive effort: iterations for a budget given one iteration's time. */
int cb_bench_iters_for_budget(double iter_us, double budget_s, int min_iters, int max_iters);
/* Sizes of one sweep at most: more is a usage error (exit 2) naming it. */
#define CB_BENCH_MAX_SIZES 128
/* Sizes of the sweep: fills sizes (up to cap), returns how many. */
size_t cb_bench_sizes(const cb_bench_opts_t *o, uint64_t *sizes, size_t cap);

/* Timeout (s) of a phase expected to take expect_s under o's --timeout
 * (cb_prog_timeout_for). */
double cb_bench_timeout_s(const cb_bench_opts_t *o, double expect_s);

/* Measure one configuration on all ranks (collective), with the effort of
 * r->opts, under the session's watchdog (the row in flight marked if it
 * never finishes). */
int cb_bench_measure(cb_session_t *s, const cb_bench_t *b, cb_run_t *r, cb_measure_t *m);
/* Rank 0 (no-op elsewhere): format the rows to write if configuration r of
 * b never finishes (cb_prog_mark_inflight): one, or one for each of the
 * round's pairs (r->round_n); b == NULL clears them. */
void cb_bench_set_inflight(cb_session_t *s, const cb_bench_t *b, const cb_run_t *r);
/* Write the CSV row of a measurement (rank 0; no-op elsewhere). */
int cb_bench_write_row(cb_session_t *s, const cb_bench_t *b, const cb_run_t *r,
                       const cb_measure_t *m, const char *status, const char *note);

/* ---- the sweep: (test, size) points over cb_bench tables ---- */

/* One point: a benchmark and its configuration. */
typedef struct cb_bench_point {
    const cb_bench_t *b;
    cb_run_t r;       /* dtype, in_place, bytes, count, rank_a/b, window, active;
                         the sweep fills opts, comm, transport, expect_us */
    int series;       /* the budget skips the rest of a series (forecasts stay within one) */
    int group;        /* consecutive points of one group (one size) share a budget decision */
    int header;       /* print the program's header before this point */
    char label[64];   /* the series, for the skip message: "float", "bw 0->1" */
} cb_bench_point_t;

typedef struct cb_bench_sweep {
    const cb_bench_opts_t *o;
    cb_bench_point_t *points;
    size_t npoints;
    void *ctx;
    /* Rank 0 (may be NULL): the table's header before a point with .header,
     * a measured point's line, and the point's name in progress lines. */
    void (*print_header)(void *ctx, const cb_session_t *s, const cb_bench_point_t *p);
    void (*print_line)(void *ctx, const cb_session_t *s, const cb_bench_point_t *p,
                       const cb_measure_t *m);
    void (*describe)(void *ctx, const cb_session_t *s, const cb_bench_point_t *p, char *buf,
                     size_t len);
    /* Every rank, a point measured without error (may be NULL): the note of
     * its row when its data are right, and whatever the program keeps. */
    void (*measured)(void *ctx, const cb_session_t *s, const cb_bench_point_t *p,
                     const cb_measure_t *m, char *note, size_t len);
} cb_bench_sweep_t;

/* Walk the points in order (collective): the total budget before each
 * group (skipped points written as "skipped" rows), the measurement, its
 * row, table line and progress line; a failed measurement or row stops the
 * sweep. Failures are counted in s->failures. Returns CB_OK or the error
 * that stopped it. */
int cb_bench_sweep(cb_session_t *s, const cb_bench_sweep_t *w);

/* Messages in flight for windowed bandwidth: the window, reduced so that at
 * most CB_P2P_MAX_INFLIGHT_BYTES are posted at once (far above any link's
 * bandwidth-delay product: 5 ms at 100 Gbit/s), so large messages on slow
 * links finish in bounded time (one iteration is 5.7 s at 100 Mbit/s). */
#define CB_P2P_MAX_INFLIGHT_BYTES ((uint64_t)64 << 20)
int cb_p2p_window(int window, uint64_t bytes);

/* ---- all pairs (cb-p2p --all-pairs, p2p.c): pure parts ---- */

/* The pairs of `round` of the schedule over nnodes nodes, as ranks
 * (leader[node]; leader NULL: the node indices): a[i] sends to b[i]. Returns
 * how many (the round's non-empty slots, at most cb_sched_slots()). */
int cb_p2p_round_pairs(cb_sched_mode_t mode, int nnodes, const int *leader, size_t round,
                       int *a, int *b);

/* The round check: a round's aggregate (the sum of its pairs' rates
 * measured at once) against the sum of the same pairs' rates measured alone,
 * over the pairs with both (a rate <= 0, NaN or infinite: not measured). */
typedef struct cb_p2p_round_cmp {
    int npairs, ncompared;
    double together_gbps, alone_gbps; /* sums over the compared pairs */
    double shortfall;                 /* 1 - together/alone; NaN when none compared */
    int is_short;                     /* shortfall > threshold */
} cb_p2p_round_cmp_t;
void cb_p2p_round_compare(const double *together, const double *alone, int npairs,
                          double threshold, cb_p2p_round_cmp_t *out);

/* The programs (thin mains call these): their descriptors run by
 * cb_prog_main. */
int cb_allreduce_main(int argc, char **argv);
int cb_p2p_main(int argc, char **argv);

#endif
