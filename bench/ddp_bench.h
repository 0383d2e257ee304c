/* ddp_bench: cb-ddp, the synthetic DDP step measured for real (issue 5, the
 * measured half of common/cb_ddp.h's model). Options and usage
 * (ddp_options.c), the pure helpers the program is built from and that the
 * unit tests check alone (ddp_plan.c: step schedule, all-reduce curve from
 * result rows, step-time reduction, break-even bisection), the step engines
 * (ddp_cpu.c: emulated compute + MPI on a communication thread; ddp_gpu.c:
 * busy kernel + NCCL on its own stream) and the program body (ddp.c).
 *
 * Times in microseconds unless a name says _ms; sizes in bytes. */
#ifndef CB_DDP_BENCH_H
#define CB_DDP_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cb_comm.h"
#include "cb_ddp.h"
#include "cb_prog.h"
#include "cb_results.h"
#include "cb_transport.h"

#define CB_DDP_BENCH_MAX_STEPS 32     /* values in --step-ms */
#define CB_DDP_BENCH_MAX_STEP_MS 1e7  /* 10^4 s: one step longer than this is a typo */
#define CB_DDP_BENCH_MAX_GRAD_BYTES ((uint64_t)64 << 30) /* 64 GiB per rank */

/* ---- options (ddp_options.c) ---- */

typedef struct cb_ddp_bench_opts {
    cb_prog_opts_t common;            /* -o, --cluster, -q, -t, --timeout, --total-time (budget
                                         of the run), --warmup (warm-up steps per T1) */
    int iters;                        /* timed steps per T1 */
    uint64_t grad_bytes;              /* G, resolved */
    char grad_desc[160];              /* how G was given, for the header line */
    cb_dtype_t grad_dtype;            /* gradient element type (NCCL all-reduces it) */
    double step_ms[CB_DDP_BENCH_MAX_STEPS]; /* T1 values, in the order given */
    int nsteps;
    double bwd_frac;                  /* f_b */
    uint64_t bucket_bytes, first_bucket_bytes;
    int overlap;                      /* 0: --no-overlap */
    int accumulate;                   /* --accumulate k: micro-steps per all-reduce (1) */
    double ar_time_s;                 /* per bucket size when measuring all-reduce here */
    double threshold;                 /* efficiency for "use DDP" */
    char allreduce_csv[1024];         /* "" = measure the bucket sizes here */
    int timeline;                     /* print each T1's measured bucket timeline */
    int realtime;                     /* CPU path: real-time waits (default on) */
    int sweep;                        /* search the measured break-even T1 */
    double sweep_lo_ms, sweep_hi_ms;  /* NaN: from the model */
    int sweep_probes;                 /* at most this many probes */
} cb_ddp_bench_opts_t;

void cb_ddp_bench_opts_default(cb_ddp_bench_opts_t *o);
/* Parse argv (from defaults). CB_OK; 1 when --help/--list-workloads was
 * printed to `out`; CB_ERR_USAGE with one line in err. Pure apart from
 * printing help. */
int cb_ddp_bench_parse_args(int argc, char **argv, cb_ddp_bench_opts_t *o, FILE *out, char *err,
                            size_t errlen);
void cb_ddp_bench_usage(FILE *f);
/* The model configuration the options describe. */
void cb_ddp_bench_config(const cb_ddp_bench_opts_t *o, cb_ddp_config_t *cfg);

/* ---- pure helpers (ddp_plan.c) ---- */

/* One step's schedule for T1 = step_us: forward, then one backward chunk per
 * bucket, bucket k's gradients complete at ready_us[k] = fwd + f_b·T1·C_k/G
 * (exactly the model's ready times); chunk_us[k] = ready_us[k] -
 * ready_us[k-1] (ready_us[-1] = fwd_us) is the compute that releases it.
 * offset[k] is the bucket's offset in one gradient buffer, each bucket
 * starting on a 256-byte boundary; buffer_bytes covers them all. count[k] =
 * ceil(bytes[k] / elem_bytes) elements are all-reduced for it. */
typedef struct cb_ddp_bench_sched {
    double step_us, fwd_us;
    int accumulate;     /* micro-steps in the step (1; cb_ddp_bench_schedule_accumulate) */
    double micro_us;    /* one micro-step's T1 (= step_us when accumulate is 1) */
    size_t nbuckets;
    uint64_t *bytes;
    double *ready_us;
    double *chunk_us;
    uint64_t *offset;
    size_t *count;
    uint64_t buffer_bytes;
} cb_ddp_bench_sched_t;

/* CB_ERR_USAGE: bad config, step_us not > 0, elem_bytes 0; CB_ERR_NOMEM.
 * On error *s is empty (safe to free). */
int cb_ddp_bench_schedule(const cb_ddp_config_t *cfg, double step_us, size_t elem_bytes,
                          cb_ddp_bench_sched_t *s);
void cb_ddp_bench_schedule_free(cb_ddp_bench_sched_t *s); /* NULL ok */
/* Gradient accumulation over k micro-steps (issue 17): the first k-1 run
 * forward and backward without communication (DDP's no_sync), the last one
 * is the schedule's step, its bucketed all-reduces overlapping its backward
 * only. So the one step of s becomes k·T1 long: fwd_us and every ready_us
 * move by (k-1)·T1 (the compute before the last backward; the emulated
 * compute of a micro-step without sync is one wait of T1), chunk_us stays,
 * step_us = k·T1, micro_us = T1, accumulate = k. Apply once, to a fresh
 * schedule. CB_ERR_USAGE for k < 1 or a schedule already accumulated. */
int cb_ddp_bench_schedule_accumulate(cb_ddp_bench_sched_t *s, int k);

/* Distinct bucket sizes of a plan, ascending, at least two: when the plan
 * has one size only, a second one (half of it, or 2x below 8 bytes) is added
 * so that a curve (which needs two sizes) can be fitted; each rounded up to a
 * multiple of elem_bytes. *sizes malloc'd. CB_ERR_USAGE, CB_ERR_NOMEM. */
int cb_ddp_bench_probe_sizes(const cb_ddp_config_t *cfg, size_t elem_bytes, uint64_t **sizes,
                             size_t *n);

/* The all-reduce curve for a DDP run of `ranks` ranks on `nodes` nodes from
 * result rows: benchmark=allreduce, status=ok, nodes and ranks equal, numeric
 * bytes and time_us_median >= 0, transport = `transport` (NULL: any); of
 * those the in-place rows when any exist (DDP reduces its buckets in place),
 * else all. time_us_median of each; rows of one size merged into their
 * median (cb_ddp_curve_init). CB_ERR_INPUT when no row (src->rows = 0) or
 * fewer than 2 sizes qualify; CB_ERR_NOMEM. */
int cb_ddp_bench_curve(const cb_table_t *t, int nodes, int ranks, const char *transport,
                       cb_ddp_curve_t *c, cb_ddp_source_t *src);

/* Reduce per-rank samples to one step time: samples[r * nsteps + i] is rank
 * r's time of step i; a step's time is its slowest rank's, and out gets the
 * statistics over steps (median = the headline). CB_ERR_USAGE when empty. */
int cb_ddp_bench_reduce(const double *samples, int nranks, int nsteps, double *per_step,
                        cb_stats_t *out);

/* Bisection for the smallest T1 with speedup >= 1, on a log scale between
 * lo and hi (us). Probe next() (the model's guess first when it lies inside
 * the range, then geometric midpoints); tell result() whether it broke even.
 * done() once hi/lo <= 1 + rel_tol or probes are used up. The answer is the
 * geometric midpoint of the final [lo, hi]; lo_seen/hi_seen say whether each
 * end was measured (an unmeasured end means the answer may lie outside the
 * range). */
typedef struct cb_ddp_bench_bisect {
    double lo_us, hi_us;  /* current bracket */
    double guess_us;      /* first probe; NaN: midpoint */
    int lo_seen, hi_seen; /* measured: lo did not break even, hi did */
    int probes, max_probes;
    double rel_tol;
} cb_ddp_bench_bisect_t;

int cb_ddp_bench_bisect_init(cb_ddp_bench_bisect_t *b, double lo_us, double hi_us,
                             double guess_us, int max_probes, double rel_tol);
double cb_ddp_bench_bisect_next(const cb_ddp_bench_bisect_t *b);
void cb_ddp_bench_bisect_result(cb_ddp_bench_bisect_t *b, double t1_us, int breaks_even);
int cb_ddp_bench_bisect_done(const cb_ddp_bench_bisect_t *b);
double cb_ddp_bench_bisect_answer(const cb_ddp_bench_bisect_t *b);

/* Signed model error in percent: 100 (model - measured) / measured. */
double cb_ddp_bench_error_pct(double model, double measured);

/* ---- step engines (ddp_cpu.c, ddp_gpu.c) ---- */

/* What an engine gets: the communicator (bootstrap), the transport the
 * session picked, its state (the CPU engine all-reduces through it), and the
 * gradient element type. */
typedef struct cb_ddp_engine_args {
    cb_comm_t *comm;
    const cb_transport_ops_t *tp;
    void *tps;
    cb_dtype_t dtype;
    uint64_t buffer_bytes; /* the schedule's buffer_bytes (same for every T1) */
    int realtime;          /* CPU engine: real-time priority for the waits, if allowed */
} cb_ddp_engine_args_t;

/* Measured times of one step on this rank, from its start (us). Arrays of
 * the schedule's nbuckets (NULL: not wanted); NaN where unknown. */
typedef struct cb_ddp_step_trace {
    double *ready_us;    /* bucket's backward chunk done */
    double *ar_start_us; /* its all-reduce began */
    double *ar_end_us;   /* and ended */
} cb_ddp_step_trace_t;

typedef struct cb_ddp_engine_ops {
    const char *name;    /* "cpu", "gpu" */
    const char *compute; /* CSV note / header: "emulated compute", "gpu compute" */
    const char *how;     /* one line for the header */
    int (*create)(const cb_ddp_engine_args_t *a, void **state);
    void (*destroy)(void *state); /* NULL ok */
    /* One step on this rank; every rank calls it together (after a barrier).
     * comm = 0: the single-node baseline, compute only. overlap = 0:
     * all-reduces after backward. *step_us: from the start until backward
     * and every all-reduce are done. */
    int (*step)(void *state, const cb_ddp_bench_sched_t *s, int comm, int overlap,
                double *step_us, cb_ddp_step_trace_t *trace);
    /* One line about how this instance runs (may be NULL). */
    void (*describe)(void *state, char *buf, size_t len);
} cb_ddp_engine_ops_t;

extern const cb_ddp_engine_ops_t cb_ddp_engine_cpu;
#ifdef CB_HAVE_NCCL
extern const cb_ddp_engine_ops_t cb_ddp_engine_gpu;
#endif

/* ---- the program (ddp.c) ---- */

int cb_ddp_bench_main(int argc, char **argv);

#endif
