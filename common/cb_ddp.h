/* cb_ddp: the DDP break-even model. Pure (no I/O, no MPI): given the gradient
 * bytes, the single-node step time and a measured all-reduce time curve, it
 * predicts the data-parallel step time on N nodes, the speedup and efficiency,
 * the break-even step time and a verdict. Used by `clusterbench breakeven`,
 * the reporter's break-even plot and cb-ddp's printed prediction.
 *
 * The model (times in microseconds, sizes in bytes):
 *   G      gradient bytes (parameters x bytes per gradient element)
 *   T1     single-node step time at a fixed per-GPU batch
 *   f_b    backward share of T1; the forward (1 - f_b)·T1 runs first
 *   buckets  PyTorch DDP's: the first bucket first_bucket_bytes (1 MiB), then
 *          bucket_bytes (25 MiB) each, the last one the remainder. Cut at
 *          exact byte counts (PyTorch cuts at parameter boundaries, so its
 *          buckets are a little larger).
 *   T_ar(s) all-reduce time of an s-byte bucket on N nodes (cb_ddp_curve_t)
 * Gradients become ready uniformly through backward: bucket k is ready at
 *   ready_k = fwd + f_b·T1·C_k/G     (C_k = bytes of buckets 1..k)
 * and its all-reduce starts when it is ready and bucket k-1's has ended (one
 * communication stream): start_k = max(ready_k, end_{k-1}),
 * end_k = start_k + T_ar(s_k). The step ends when backward and the last
 * all-reduce are done: T_N = max(T1, end_K). Without overlap the all-reduces
 * run back to back after backward: T_N = T1 + sum_k T_ar(s_k).
 * speedup = N·T1/T_N (throughput at a fixed per-GPU batch), efficiency =
 * speedup/N = T1/T_N. N = 1: no all-reduce, speedup 1 by definition.
 *
 * Calibration (measured against real PyTorch DDP, cb-ddp-torch). The pure
 * model above misses DDP's reducer. Two terms, 1 and 0 in the pure model
 * (cb_ddp_config_default), set from measurements by cb_ddp_calibrate():
 *   ar_scale  sigma: while backward runs, a bucket's all-reduce progresses at
 *             1/sigma of its standalone speed (it competes with backward's
 *             compute and DDP's copies: 4-10% slower was measured with 100
 *             MiB of gradients on emulated 2.5 Gbit/s links, where the last
 *             bucket's all-reduce, after backward, ran at standalone speed);
 *             after backward at full speed: an all-reduce of standalone time
 *             t starting at s ends at s + t + (1 - 1/sigma)·clamp(T1 - s, 0,
 *             sigma·t)
 *   tail      O = c_b·G + c_k·K after backward and the last all-reduce:
 *             copying gradients into buckets, dividing, copying back
 *             (tail_us_per_byte c_b, tail_us_per_bucket c_k, K buckets)
 * so on N >= 2 nodes T_N = max(T1, end_K) + O.
 *
 * Unrolled (sigma = 1), T_N = max(T1, max_j (a_j·T1 + b_j)) + O with a_j =
 * (1-f_b) + f_b·C_j/G (a_K = 1) and b_j = sum_{i>=j} T_ar(s_i): convex,
 * non-decreasing in T1, slope <= 1. So efficiency >= e  <=>  T1 >= max(O /
 * (1/e - 1), max_j (b_j + O) / (1/e - a_j)), which gives the break-even
 * (e = 1/N, i.e. T_N <= N·T1) and threshold step times in closed form. With
 * sigma != 1 every end time still has slope <= 1 in T1, the answer lies
 * between the closed forms with all all-reduces at min(sigma, 1) and
 * max(sigma, 1) times their time, and bisection finds it. With overlap,
 * efficiency -> 1 as T1 -> inf but reaches 1 only if the last bucket's
 * all-reduce and the tail take no time: a threshold < 1 is always
 * reachable, 1.0 is (practically) never. */
#ifndef CB_DDP_H
#define CB_DDP_H

#include <stddef.h>
#include <stdint.h>

#include "cb_results.h"

#define CB_DDP_FIRST_BUCKET_BYTES_DEFAULT ((uint64_t)1 << 20) /* 1 MiB */
#define CB_DDP_BUCKET_BYTES_DEFAULT ((uint64_t)25 << 20)      /* 25 MiB */
#define CB_DDP_BWD_FRAC_DEFAULT (2.0 / 3.0)
#define CB_DDP_THRESHOLD_DEFAULT 0.8
/* cb_ddp_max_grad_bytes() searches up to this many bytes (4 TiB). */
#define CB_DDP_GRAD_BYTES_CAP ((uint64_t)1 << 42)
/* cb_ddp_max_grad_bytes(): "breaks even at every size searched". */
#define CB_DDP_GRAD_BYTES_UNBOUNDED UINT64_MAX

/* ---- alpha-beta fit and the all-reduce time curve ---- */

/* time_us = alpha_us + bytes · beta_us_per_byte, ordinary least squares. */
typedef struct cb_ddp_fit {
    size_t npoints;
    double alpha_us;
    double beta_us_per_byte;
    double r2; /* coefficient of determination; 1 for an exact line (also
                  when all times are equal and fitted exactly) */
} cb_ddp_fit_t;

/* Fit n points; needs at least 2 distinct byte counts (else CB_ERR_INPUT),
 * finite values (else CB_ERR_USAGE). */
int cb_ddp_fit(const double *bytes, const double *time_us, size_t n, cb_ddp_fit_t *out);
/* Bandwidth 1/beta in GB/s (1e9 B/s); NaN when beta <= 0. */
double cb_ddp_fit_gbps(const cb_ddp_fit_t *fit);

/* All-reduce time of a message on one node count, from measured points. */
typedef struct cb_ddp_curve {
    size_t n;        /* distinct sizes, ascending */
    double *bytes;   /* owned */
    double *time_us; /* owned; median over the points given for that size */
    cb_ddp_fit_t fit; /* over the n merged points */
} cb_ddp_curve_t;

/* Build from n (bytes, time_us) points in any order. Points with the same
 * byte count (several runs, dtypes) are merged into their median. Needs >= 2
 * distinct sizes (CB_ERR_INPUT); bytes >= 0 and time_us >= 0 finite
 * (CB_ERR_USAGE). On error *c is left empty (safe to free). */
int cb_ddp_curve_init(cb_ddp_curve_t *c, const double *bytes, const double *time_us, size_t n);
void cb_ddp_curve_free(cb_ddp_curve_t *c); /* NULL ok */
/* Time of a `bytes` all-reduce: linear interpolation in (bytes, time)
 * between the two neighbouring measured sizes (a measured size gives its own
 * time); outside the measured range the fit alpha + bytes·beta, clamped at 0.
 * *extrapolated (may be NULL) tells which. */
double cb_ddp_curve_time_us(const cb_ddp_curve_t *c, double bytes, int *extrapolated);

/* ---- measured curves from results CSV (an in-memory cb_table_t) ---- */

/* What cb_ddp_curve_from_table() used. */
typedef struct cb_ddp_source {
    size_t rows;          /* rows used */
    size_t sizes;         /* distinct byte counts among them */
    char transport[16];   /* "nccl", "mpi", ... or "mixed" */
    char placement[16];   /* "out-of-place", "in-place", "" or "mixed" */
    double min_bytes, max_bytes;
} cb_ddp_source_t;

/* The all-reduce curve of `nodes` nodes from a results table. Rows used:
 * benchmark=allreduce, status=ok, cluster = `cluster` when not NULL,
 * nodes=N, numeric bytes and time_us_median
 * (>= 0); transport = `transport` when not NULL, else nccl when any nccl row
 * exists (DDP on GPUs uses NCCL), else gloo when any (PyTorch DDP on CPUs,
 * measured by cb-ddp-torch), else all; then out-of-place rows when any
 * exist, else the rest. Each row contributes its time_us_median; rows of the
 * same size (runs, dtypes) are merged into their median by
 * cb_ddp_curve_init(). CB_ERR_INPUT when no row qualifies (src->rows = 0) or
 * fewer than 2 sizes do (src->sizes < 2); CB_ERR_NOMEM. */
int cb_ddp_curve_from_table(const cb_table_t *t, const char *cluster, int nodes,
                            const char *transport, cb_ddp_curve_t *c, cb_ddp_source_t *src);
/* Distinct node counts > 1 of qualifying all-reduce rows (transport filter as
 * above), ascending, in a malloc'd array (NULL when none). */
int cb_ddp_table_nodes(const cb_table_t *t, const char *transport, int **nodes, size_t *n);

/* ---- the step ---- */

typedef struct cb_ddp_config {
    uint64_t grad_bytes;         /* G > 0 */
    uint64_t first_bucket_bytes; /* > 0; PyTorch: 1 MiB */
    uint64_t bucket_bytes;       /* > 0; PyTorch: bucket_cap_mb = 25 (MiB) */
    double bwd_frac;             /* f_b in [0, 1] */
    int overlap;                 /* 1: all-reduce overlaps backward (DDP) */
    /* Calibration (see the top; pure model: 1, 0, 0). */
    double ar_scale;             /* sigma > 0: slowdown of an all-reduce while
                                    backward runs */
    double tail_us_per_byte;     /* c_b >= 0: reducer tail per gradient byte */
    double tail_us_per_bucket;   /* c_k >= 0: and per bucket */
} cb_ddp_config_t;

/* Defaults above with grad_bytes = G, overlap on, no calibration. */
void cb_ddp_config_default(cb_ddp_config_t *cfg, uint64_t grad_bytes);
/* CB_OK, or CB_ERR_USAGE for G = 0, a bucket size 0, f_b outside [0,1]/NaN,
 * ar_scale not > 0, a negative or non-finite tail term. */
int cb_ddp_config_check(const cb_ddp_config_t *cfg);

/* Number of buckets: 1 when G <= first, else 1 + ceil((G - first)/bucket). */
size_t cb_ddp_bucket_count(const cb_ddp_config_t *cfg);
/* Size of bucket k (0-based, k < count), in the order gradients get ready. */
uint64_t cb_ddp_bucket_size(const cb_ddp_config_t *cfg, size_t k);
/* All bucket sizes in a malloc'd array (caller frees). CB_ERR_USAGE for a
 * bad config, CB_ERR_NOMEM. */
int cb_ddp_bucket_plan(const cb_ddp_config_t *cfg, uint64_t **sizes, size_t *n);

typedef struct cb_ddp_bucket {
    uint64_t bytes;
    uint64_t cum_bytes;  /* C_k: bytes of this and all earlier buckets */
    double ready_us;     /* gradients of the bucket computed */
    double start_us;     /* its all-reduce starts */
    double end_us;       /* its all-reduce ends */
    double allreduce_us;  /* end - start: T_ar(bytes), longer while backward runs
                             when sigma > 1; 0 for N = 1 */
    int extrapolated;    /* T_ar came from the fit, not between measurements */
} cb_ddp_bucket_t;

/* The predicted step on N nodes; times from the start of the step. */
typedef struct cb_ddp_timeline {
    int nodes;
    double step_us;            /* T1 (backward ends here) */
    double fwd_us;             /* (1 - f_b)·T1 */
    size_t nbuckets;
    cb_ddp_bucket_t *buckets;  /* owned */
    double allreduce_us_total; /* sum of allreduce_us over buckets */
    double tail_us;            /* O, the reducer's tail (0 uncalibrated, N = 1) */
    double ddp_step_us;        /* T_N */
    double exposed_comm_us;    /* T_N - T1 - O: communication not hidden */
    double speedup;            /* N·T1/T_N */
    double efficiency;         /* T1/T_N */
} cb_ddp_timeline_t;

/* Simulate one step of T1 = step_us (> 0) on `nodes` (>= 1) nodes; `curve`
 * is T_ar for that node count (may be NULL when nodes = 1). CB_ERR_USAGE for
 * bad arguments, CB_ERR_NOMEM. On error *out is empty (safe to free). */
int cb_ddp_step_time(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                     double step_us, cb_ddp_timeline_t *out);
void cb_ddp_timeline_free(cb_ddp_timeline_t *t); /* NULL ok */

/* Smallest T1 (us) with speedup >= 1, i.e. T_N <= N·T1. 0 for N = 1. */
int cb_ddp_breakeven_step(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                          double *step_us);
/* Smallest T1 (us) with efficiency >= `efficiency` (in (0, 1]); INFINITY when
 * no finite T1 reaches it (efficiency 1 while the last bucket's all-reduce,
 * or without overlap any all-reduce, takes time). 0 for N = 1. */
int cb_ddp_threshold_step(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                          double efficiency, double *step_us);
/* Largest gradient size G (bytes, using cfg's buckets and f_b) with speedup
 * >= 1 at T1 = step_us: bisection to the byte between a G that breaks even
 * and one that does not, found by doubling from 1 B. 0 when even 1 B does not
 * break even; CB_DDP_GRAD_BYTES_UNBOUNDED when every size up to
 * CB_DDP_GRAD_BYTES_CAP does (and for N = 1). T_N grows with G except for
 * small dips where the interpolated curve is not monotone, so this is the
 * edge of the break-even range around the answer. */
int cb_ddp_max_grad_bytes(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                          double step_us, uint64_t *grad_bytes);

/* ---- calibration against real PyTorch DDP (ddp_calib.c) ---- */

/* One measured point of real DDP: the benchmark=ddp-torch rows (status ok;
 * 'flagged' points are left out) of one run, G, node and rank count and
 * asked T1 (the note's "step_ms=<T1>; bwd_frac=<F>; bucket_cap_mb=<MB>;"). */
typedef struct cb_ddp_torch_point {
    char run_id[64];
    int nodes, ranks;
    uint64_t grad_bytes;
    uint64_t bucket_bytes;        /* bucket_cap_mb of the note (25 MiB when absent) */
    double bwd_frac;              /* bwd_frac of the note (2/3 when absent: real compute) */
    double step_ms;               /* asked; NaN for the sweep's break-even row */
    double t1_us, ddp1_us, tn_us; /* plain, DDP on one rank, DDP on all; NaN: not measured */
    double breakeven_us;          /* a breakeven_t1_ms row (then the others are NaN) */
    int probe;                    /* a break-even sweep's probe ("sweep probe" in the note) */
    size_t row;                   /* first row of the point in the table */
} cb_ddp_torch_point_t;

/* The points of a table (of one cluster when `cluster` is not NULL) in row
 * order; *pts malloc'd (NULL when none). *flagged (may be NULL) counts the
 * 'flagged' points left out. CB_OK or CB_ERR_NOMEM. */
int cb_ddp_torch_points(const cb_table_t *t, const char *cluster, cb_ddp_torch_point_t **pts,
                        size_t *n, size_t *flagged);

/* Fit the reducer's tail O = c_b·G + c_k·K to n one-node measurements
 * (overhead_us = DDP on one rank - plain step, G bytes, K buckets): least
 * squares through the origin with c_b, c_k >= 0 (a coefficient that would
 * be negative is fixed at 0 and the other refitted; with one distinct G/K
 * ratio, c_k = 0). CB_ERR_INPUT when n = 0 or a value is not finite. */
int cb_ddp_fit_tail(const double *grad_bytes, const double *buckets, const double *overhead_us,
                    size_t n, double *us_per_byte, double *us_per_bucket);

/* One measured N-node DDP step for fitting sigma. */
typedef struct cb_ddp_obs {
    cb_ddp_config_t cfg;          /* its G, buckets, f_b and the tail terms */
    const cb_ddp_curve_t *curve;  /* standalone all-reduce of its node count */
    int nodes;                    /* >= 2 */
    double t1_us, tn_us;          /* measured plain step and DDP step */
} cb_ddp_obs_t;

/* A node count gets a sigma of its own from at least this many informative
 * points; with fewer it takes the one pooled over all node counts. */
#define CB_DDP_SCALE_MIN_POINTS 3
#define CB_DDP_SCALE_MIN 0.25
#define CB_DDP_SCALE_MAX 4.0

/* sigma in [CB_DDP_SCALE_MIN, CB_DDP_SCALE_MAX] minimising the sum over the
 * observations (but the one at index `skip`; SIZE_MAX: none) of the squared
 * relative error of the model's T_N (ar_scale = sigma, cfg's tail) against
 * tn_us. *informative counts the observations whose model T_N depends on
 * sigma there (communication not hidden); when none does, sigma = 1.
 * CB_ERR_USAGE for a bad observation. */
int cb_ddp_fit_ar_scale(const cb_ddp_obs_t *obs, size_t n, size_t skip, double *scale,
                        size_t *informative);

/* Everything cb_ddp_calibrate() found for one table (and cluster). */
typedef struct cb_ddp_calib {
    int tail_source;           /* CB_DDP_TAIL_* */
    double tail_us_per_byte, tail_us_per_bucket;
    size_t tail_points;        /* one-node DDP measurements behind the fit */
    double tail_rms_us;        /* their RMS residual */
    double copy_gbps;          /* CB_DDP_TAIL_COPY: the copy bandwidth used */
    size_t nscale;             /* node counts with a sigma of their own */
    int *scale_nodes;          /* owned, ascending */
    double *scale;             /* owned: sigma of that node count */
    size_t *scale_points;      /* owned: informative points behind it */
    double pooled_scale;       /* over all node counts; 1 when none */
    size_t pooled_points;
    size_t points, flagged;    /* torch points read; flagged ones left out */
} cb_ddp_calib_t;

enum {
    CB_DDP_TAIL_NONE = 0,  /* no measurement: no tail */
    CB_DDP_TAIL_TORCH = 1, /* fitted from one-node DDP vs plain steps */
    CB_DDP_TAIL_COPY = 2,  /* default: one copy of G at the nodes' measured
                              copy bandwidth (cb-gpu d2d_memcpy_gbps) */
};

/* Calibrate from a table (of one cluster when `cluster` is not NULL): the
 * tail from the cb-ddp-torch one-node points (else the copy default, else
 * none); sigma per node count (with at least CB_DDP_SCALE_MIN_POINTS
 * informative points) from its N-node points that are not sweep probes (so
 * the measured break-even stays out of the fit), against the
 * all-reduce curve of that node count (cb_ddp_curve_from_table with
 * `transport`), and pooled over all node counts. *c is zeroed first and
 * safe to free on error. CB_OK or CB_ERR_NOMEM. */
int cb_ddp_calibrate(const cb_table_t *t, const char *cluster, const char *transport,
                     cb_ddp_calib_t *c);
void cb_ddp_calib_free(cb_ddp_calib_t *c); /* NULL ok */
/* sigma for a node count: its own, else the pooled one (1 when none);
 * *points (may be NULL) gets how many informative points are behind it and
 * *own whether it is that node count's own. */
double cb_ddp_calib_scale(const cb_ddp_calib_t *c, int nodes, size_t *points, int *own);
/* Set cfg's calibration terms for a node count. */
void cb_ddp_calib_apply(const cb_ddp_calib_t *c, int nodes, cb_ddp_config_t *cfg);
/* Whether anything was calibrated (a tail or a sigma from points). */
int cb_ddp_calib_any(const cb_ddp_calib_t *c);

/* The model beside a measured point: for a T_N point (t1_us, tn_us) the
 * pure model's T_N at the measured T1, the calibrated one's, and the
 * calibrated one's with sigma fitted without this point (held out: the
 * honest prediction; equal to calib for points outside the fit); for a
 * break-even point the break-even T1 of each. NaN where the node count has
 * no all-reduce curve or nothing applies. */
typedef struct cb_ddp_prediction {
    double pure_us, calib_us, heldout_us;
    double heldout_scale;
} cb_ddp_prediction_t;

/* out[i] for pts[i] (from cb_ddp_torch_points with the same table and
 * cluster; c from cb_ddp_calibrate likewise). CB_OK or CB_ERR_NOMEM. */
int cb_ddp_calib_predict(const cb_table_t *t, const char *cluster, const char *transport,
                         const cb_ddp_calib_t *c, const cb_ddp_torch_point_t *pts, size_t n,
                         cb_ddp_prediction_t *out);

/* The same for efficiency >= `efficiency` (in (0, 1]) instead of speedup
 * >= 1 (which is efficiency 1/N): cb_ddp_max_grad_bytes is this with 1/N. */
int cb_ddp_max_grad_bytes_eff(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                              double step_us, double efficiency, uint64_t *grad_bytes);

/* ---- what if: levers and their inverse questions (ddp_whatif.c) ---- */

/* The latency term kept when a link is scaled: the fit's alpha, clamped to
 * [0, the smallest measured time]. */
double cb_ddp_curve_latency_us(const cb_ddp_curve_t *c);
/* The curve of a link `factor` times as fast (> 0): each measured time keeps
 * the latency term a and its bandwidth part is divided by the factor,
 * t'(s) = a + (t(s) - a) / factor (the fit refitted). CB_ERR_USAGE, NOMEM. */
int cb_ddp_curve_scale_link(const cb_ddp_curve_t *c, double factor, cb_ddp_curve_t *out);
/* The curve of a ring all-reduce on `nodes` from one measured on
 * `from_nodes` (both >= 2): T(s) = 2(N-1)·a_step + 2(N-1)/N·s/B, so the
 * latency term scales with (N-1)/(N0-1) and the bandwidth part with
 * ((N-1)/N)/((N0-1)/N0). CB_ERR_USAGE, CB_ERR_NOMEM. */
int cb_ddp_curve_for_nodes(const cb_ddp_curve_t *c, int from_nodes, int nodes,
                           cb_ddp_curve_t *out);

/* Gradient accumulation over k micro-steps: DDP all-reduces once per k
 * (no_sync before), during the last micro-step's backward, so one step is
 * T_N(k) = (k-1)·T1 + T_N(T1) against k·T1 on one node: speedup N·k·T1 /
 * T_N(k), efficiency k·T1 / T_N(k). tl (may be NULL) gets the last
 * micro-step's timeline. CB_ERR_USAGE for k < 1 or a bad model input. */
typedef struct cb_ddp_accum {
    int k;
    double step_us;     /* k·T1: the same work on one node */
    double ddp_step_us; /* T_N(k) */
    double speedup, efficiency;
} cb_ddp_accum_t;
int cb_ddp_accum_step(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                      double step_us, int k, cb_ddp_accum_t *out, cb_ddp_timeline_t *tl);

#define CB_DDP_NEVER_K 0           /* no accumulation reaches the efficiency */
#define CB_DDP_LINK_FACTOR_MAX 1e6 /* the link scale searched up to */

/* The smallest link factor (relative to the curve's link) at which N nodes
 * reach `efficiency` at T1 with k micro-steps: bisection in log(factor)
 * between 1e-6 and CB_DDP_LINK_FACTOR_MAX, to 1e-9 relative (efficiency
 * grows with the factor). INFINITY when even the largest does not reach it
 * (latency-bound). CB_ERR_USAGE, CB_ERR_NOMEM. */
int cb_ddp_min_link_factor(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                           double step_us, int k, double efficiency, double *factor);
/* The smallest k with efficiency >= e: from k·T1 >= e·((k-1)·T1 + T_N),
 * k >= e·(T_N - T1) / ((1 - e)·T1), the smallest integer >= max(1, that);
 * CB_DDP_NEVER_K when e = 1 and T_N > T1, or beyond k_max. CB_ERR_USAGE. */
int cb_ddp_min_accumulation(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                            double step_us, double efficiency, int k_max, int *k);

/* ---- verdict ---- */

typedef enum cb_ddp_verdict {
    CB_DDP_STAY_ONE_NODE = 0,  /* speedup <= 1: the other nodes buy nothing */
    CB_DDP_TIME_TO_RESULT = 1, /* speedup > 1 but efficiency < threshold:
                                  independent jobs on the same nodes give more
                                  total throughput */
    CB_DDP_USE_DDP = 2,        /* speedup > 1 and efficiency >= threshold */
} cb_ddp_verdict_t;

/* Speedup exactly 1 is "stay on one node" (no gain, N-1 nodes spent);
 * efficiency exactly at the threshold is "use DDP". NaN → stay. */
cb_ddp_verdict_t cb_ddp_verdict(double speedup, double efficiency, double threshold);
/* Machine name ("use-ddp", "time-to-result-only", "stay-on-one-node") and
 * words for people; never NULL. */
const char *cb_ddp_verdict_name(cb_ddp_verdict_t v);
const char *cb_ddp_verdict_text(cb_ddp_verdict_t v);

#endif
