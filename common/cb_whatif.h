/* cb_whatif: "what would make DDP worth it" — the table of levers behind
 * `clusterbench breakeven --what-if`. For one workload (G, T1) on N nodes it
 * evaluates the DDP model (cb_ddp.h) with each lever alone and in the
 * combinations that matter, and answers the inverse questions, each row
 * marked where the model must not be trusted. Pure: no I/O, no globals.
 * Times in microseconds, sizes in bytes.
 *
 * The levers:
 *   link     a link `factor` times as fast: the bandwidth part of every
 *            measured all-reduce time divided by it, the latency term kept
 *            (cb_ddp_curve_scale_link)
 *   half     bf16/fp16 gradients: G/2 (only when G is fp32)
 *   k        gradient accumulation: one all-reduce per k micro-steps,
 *            overlapped with the last micro-step's backward only
 *            (cb_ddp_accum_step: T_N(k) = (k-1)·T1 + T_N(T1) against k·T1)
 *   nodes    each measured node count with its own curve, and larger ones
 *            from the largest measured curve by the ring model
 *            (cb_ddp_curve_for_nodes), marked extrapolated
 * The inverse questions, at N nodes and T1, for efficiency >= threshold: the
 * smallest link factor, the largest G, the smallest k (each solved exactly,
 * cb_ddp_min_link_factor, cb_ddp_max_grad_bytes_eff, cb_ddp_min_accumulation),
 * and the row at the solution. */
#ifndef CB_WHATIF_H
#define CB_WHATIF_H

#include <stddef.h>
#include <stdint.h>

#include "cb_ddp.h"

/* The link scales the virtual cluster's shaping confirmed against
 * measurement (2.5 Gbit/s -> 100 Mbit/s and back): outside, say so. */
#define CB_WHATIF_LINK_CONFIRMED_MIN 0.04
#define CB_WHATIF_LINK_CONFIRMED_MAX 25.0
/* An all-reduce fit with R^2 below this is called poor. */
#define CB_WHATIF_R2_MIN 0.95
/* The largest k the smallest-k question searches. */
#define CB_WHATIF_K_MAX 1024

/* One measured node count: its all-reduce curve and the model's config for
 * it (G = the workload's, calibrated for that node count or pure). */
typedef struct cb_whatif_measured {
    int nodes;                   /* >= 2 */
    const cb_ddp_curve_t *curve; /* measured on `nodes` */
    cb_ddp_config_t cfg;
} cb_whatif_measured_t;

typedef struct cb_whatif_input {
    const cb_whatif_measured_t *measured; /* ascending nodes, n >= 1 */
    size_t nmeasured;
    int nodes;              /* the node count the levers apply to; a measured one */
    double step_us;         /* T1 > 0 */
    double threshold;       /* efficiency in (0, 1] that makes DDP worth it */
    int grad_fp32;          /* G is fp32 gradients: the half lever applies */
    cb_ddp_config_t extra_cfg; /* config for extrapolated node counts */
    const double *link_factors; /* the link levers (> 0, != 1), e.g. 4, 10, 40 */
    size_t nlink;
    const int *ks;          /* accumulation levers (> 1), e.g. 2, 4, 8 */
    size_t nk;
    const int *extra_nodes; /* node counts beyond the largest measured, ascending */
    size_t nextra;
} cb_whatif_input_t;

typedef enum cb_whatif_kind {
    CB_WHATIF_TODAY = 0,   /* the measured link, G as given, k = 1, N */
    CB_WHATIF_LEVER = 1,   /* one lever */
    CB_WHATIF_COMBO = 2,   /* two levers */
    CB_WHATIF_NODES = 3,   /* another node count */
    CB_WHATIF_INVERSE = 4, /* the answer to an inverse question */
} cb_whatif_kind_t;

/* Where the row must not be trusted (bits). */
enum {
    CB_WHATIF_WARN_NODES_EXTRAP = 1u << 0, /* node count beyond the measured ones */
    CB_WHATIF_WARN_SIZES_EXTRAP = 1u << 1, /* a bucket outside the measured sizes */
    CB_WHATIF_WARN_LINK_UNCONFIRMED = 1u << 2, /* link factor outside the confirmed range */
    CB_WHATIF_WARN_POOR_FIT = 1u << 3,    /* the fit it leans on has R^2 < CB_WHATIF_R2_MIN */
    CB_WHATIF_WARN_NEVER = 1u << 4,       /* inverse: no solution (values NaN) */
};
#define CB_WHATIF_NWARN 5

typedef struct cb_whatif_row {
    cb_whatif_kind_t kind;
    char lever[64];         /* e.g. "link x10 + bf16/fp16" */
    char name[32];          /* machine name, e.g. "link_x10+half" */
    double link_factor;     /* 1 = today's link; INFINITY for "never" */
    uint64_t grad_bytes;    /* G of the row; CB_DDP_GRAD_BYTES_UNBOUNDED = any */
    int k;                  /* micro-steps per all-reduce; CB_DDP_NEVER_K = never */
    int nodes;
    double step_us;         /* k·T1: the same work on one node */
    double ddp_step_us;     /* T_N(k) */
    double speedup, efficiency;
    cb_ddp_verdict_t verdict;
    double gain;            /* speedup / today's speedup */
    double fit_r2;          /* of the curve the row used */
    unsigned warn;          /* CB_WHATIF_WARN_* */
} cb_whatif_row_t;

/* Build the table: today, each link factor, half, each k, each measured
 * node count (but N) and extra node count, the combinations link x f + half
 * (each f), half + k (each k), link x (first f) + k (each k), then the three
 * inverse rows. *rows malloc'd (caller frees), *n rows. CB_ERR_USAGE for a
 * bad input (N not measured, a factor not > 0, k < 2, an extra node count
 * not above the largest measured), CB_ERR_NOMEM; model errors passed on. */
int cb_whatif_table(const cb_whatif_input_t *in, cb_whatif_row_t **rows, size_t *n);

/* One row: N nodes (measured or from the largest measured curve by the ring
 * model), link x factor, G bytes, k micro-steps; gain left NaN. */
int cb_whatif_eval(const cb_whatif_input_t *in, int nodes, double link_factor,
                   uint64_t grad_bytes, int k, cb_whatif_row_t *row);

/* Words for a warning bit ("node count extrapolated beyond the measured"),
 * and a machine name ("nodes-extrapolated"); "" for an unknown bit. */
const char *cb_whatif_warn_text(unsigned bit);
const char *cb_whatif_warn_name(unsigned bit);

#endif
