/* report_priv: internals of the reporter, not a public header: the build
 * context and the helpers the sections share. Files and who calls whom
 * (arrows point down only; no file calls back into one above it):
 *   report_model.c    the build driver: select, rank, links, then the sections
 *   report_inputs.c, report_p2p.c, report_ar.c, report_gpu.c, report_ddp.c,
 *   report_ddp_torch.c, report_workload.c (workload section), report_tune.c
 *                     the sections
 *   report_select.c   the scan sorting rows into the sections' keys
 *   report_agg.c      keys and the sort-and-median aggregator
 *   report_intern.c   string interning and ranks
 *   report_link.c     the links of the clusters
 *   report_plot.c     shared plot helpers (over report_doc.c)
 *   report_summary.c  summary rows and summary.csv
 *   report_fmt.c      number formatting
 *   report_doc.c      the document (over svg*.c) */
#ifndef CB_REPORT_PRIV_H
#define CB_REPORT_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "cb_ddp.h"
#include "cb_results.h"
#include "report_doc.h"
#include "report_model.h"

#define REP_NK 8       /* key slots */
#define REP_NV 3       /* aggregated value columns */
#define REP_MAX_PROBLEMS_LISTED 100
#define REP_NONE UINT32_MAX

/* What a cluster's link should deliver (from its profile or the flag). */
typedef struct rep_link {
    int known;
    double line_gbps, goodput_gbps; /* Gbit/s */
    long mtu;
    char kind[16];
    char source[160]; /* "profile vcluster (ethernet, MTU 1500)" */
    char why[200];    /* when !known */
} rep_link_t;

/* A grouping key: string slots (strmask) hold interned ids, integer slots
 * numbers. Rows with equal (k, x, tail) form one group; groups come out of
 * rep_aggregate with ids turned into ranks (alphabetical order, natural for
 * numbers inside) and sorted by k[], then x, then tail. */
typedef struct rep_key {
    uint32_t k[REP_NK];
    double x;
    uint32_t tail;
    uint32_t row;
    double v[REP_NV]; /* the row's values, read in the (sequential) scan */
} rep_key_t;

/* A group of equal keys (k, x, tail): medians of up to REP_NV columns. */
typedef struct rep_agg {
    uint32_t k[REP_NK];
    double x;
    uint32_t tail;
    uint32_t first_row; /* lowest row index of the group */
    uint32_t n;         /* rows */
    double v[REP_NV];
} rep_agg_t;

typedef struct rep_strtab {
    const char **str;   /* by id */
    uint32_t n, cap;
    uint32_t *slots;    /* hash: id + 1, 0 = empty */
    size_t nslots;
    uint32_t *rank;     /* by id, after rep_rank() */
    uint32_t *by_rank;  /* rank -> id */
} rep_strtab_t;

typedef struct rep_section_rows {
    rep_key_t *keys;
    size_t n, cap;
    uint32_t strmask; /* bit i: k[i] is a string id */
} rep_rows_t;

typedef struct rep {
    const cb_table_t *t;
    const cb_report_opts_t *o;
    const cb_report_workload_t *w;
    const cb_report_input_t *in;
    cb_doc_t *doc;
    cb_report_summary_t *sum;
    rep_strtab_t st;
    struct {
        const char *s;
        uint32_t id;
    } cache[CB_NCOLS];
    rep_rows_t ar, p2p, gpu, ddp;
    /* rows that are not ok, or ok but unusable (reason != NULL) */
    uint32_t *bad;
    const char **bad_reason;
    size_t nbad, capbad;
    size_t nunusable;
    /* tune.csv's rows (benchmark=tune), and how many rows of the benchmarks
     * themselves ran as tune trials (left out of the sections) */
    uint32_t *tune;
    size_t ntune, captune, ntune_bench;
    rep_link_t *links; /* by cluster string id (st.n entries after the scan) */
    int oom;
} rep_t;

/* Rows and ok rows of a benchmark (by string id). */
typedef struct rep_bcount {
    size_t rows, ok;
} rep_bcount_t;

/* What the scan counted, for the inputs section. */
typedef struct rep_scan {
    rep_bcount_t *bench;  /* by id */
    size_t *cluster_rows; /* by id */
    size_t cap;
    const char *ts_min, *ts_max;
} rep_scan_t;

/* The all-reduce medians (v: time_us_median, busbw_gbps, algbw_gbps; key
 * slots: 0 cluster, 1 transport, 2 memory, 3 dtype, 4 op, 5 placement,
 * 7 nodes; x bytes), which the all-reduce section makes and the DDP section
 * feeds its model with. agg is malloc'd. */
typedef struct rep_ar {
    rep_agg_t *agg;
    size_t n;
} rep_ar_t;

/* The scan (report_select.c): every row into r->ar/p2p/gpu/ddp or r->bad,
 * counts into *s (freed by the caller). CB_OK or CB_ERR_NOMEM. */
int rep_select(rep_t *r, rep_scan_t *s);
/* Rank the interned strings (natural order); rep_str and the aggregator's
 * keys use the ranks. */
int rep_rank(rep_t *r);
/* The link of a cluster (by name) from the options or its profile. */
void rep_link_compute(const cb_report_opts_t *o, const char *cluster, rep_link_t *l);

/* Interning: the id of row's field col ("" included). REP_NONE on OOM. */
uint32_t rep_id(rep_t *r, size_t row, int col);
uint32_t rep_intern(rep_t *r, const char *s);
/* String of a rank (after ranking). */
const char *rep_str(const rep_t *r, uint32_t rank);
/* Rank of a string that was interned, REP_NONE if it was not. */
uint32_t rep_rank_of(const rep_t *r, const char *s);

int rep_key_push(rep_t *r, rep_rows_t *rows, const rep_key_t *k);
/* Sort rows->keys and group them into *out (malloc'd) with the medians of
 * the keys' v[0..nv) per group (NaN values left out). CB_OK or CB_ERR_NOMEM. */
int rep_aggregate(rep_t *r, rep_rows_t *rows, int nv, rep_agg_t **out, size_t *nout);
/* Same groups up to (k, x): compare two aggs. */
int rep_agg_same_k(const rep_agg_t *a, const rep_agg_t *b, int nk);

/* Link of a cluster (by rank). */
const rep_link_t *rep_link(const rep_t *r, uint32_t cluster_rank);

/* Summary rows: a new zeroed row (NaN numbers), or NULL on OOM. */
cb_report_sum_row_t *rep_sum_add(rep_t *r, const char *section);

/* Formatting into caller buffers; "—" for NaN. */
#define REP_DASH "\xE2\x80\x94"
const char *rep_fmt(char *buf, size_t len, double v);            /* %.4g */
const char *rep_fmt_fixed(char *buf, size_t len, double v, int decimals);
const char *rep_fmt_pct(char *buf, size_t len, double frac);     /* 94.1% */
const char *rep_fmt_change(char *buf, size_t len, double pct);   /* +12.3% */
const char *rep_fmt_ratio(char *buf, size_t len, double ratio);  /* 0.52× */
const char *rep_fmt_bytes(char *buf, size_t len, double bytes);  /* 64K, 1M, 1536 */
/* "cluster 'x'" text for an empty name too. */
const char *rep_cluster_name(const char *s);

/* Plot series allocated in the document's arena (never freed singly). */
typedef struct rep_series {
    cb_svg_series_t *s;
    size_t n, cap;
} rep_series_t;
/* A new series with room for maxpts points: a line with automatic colour
 * and marker; label copied. NULL on OOM. The pointer is valid until the
 * next rep_series_add on the same set. */
cb_svg_series_t *rep_series_add(rep_t *r, rep_series_t *set, const char *label, size_t maxpts);
void rep_series_pt(cb_svg_series_t *s, double x, double y);

/* A DDP plot: speedup N x T1 / T_N against the single-node step time T1
 * (log axis) of these series and reference lines. */
void rep_plot_speedup(rep_t *r, const char *title, const rep_series_t *set,
                      const cb_svg_ref_t *refs, size_t nrefs);

/* The what-if picture (report_whatif.c): the model's speedup against T1 on
 * `nodes` for today's link and links x4/x10/x40 (latency kept), the measured
 * points (t1_ms/speedup, nmeasured of them; real PyTorch DDP points of the
 * cluster and G added from the table), break-evens marked and tabled. */
void rep_whatif_plot(rep_t *r, size_t *nplots, const char *cluster, const cb_ddp_config_t *cfg,
                     const cb_ddp_curve_t *curve, unsigned nodes, double xlo, double xhi,
                     const double *t1_ms, const double *speedup, size_t nmeasured);

/* Reference lines of a cluster's link in GB/s (line rate, goodput) into
 * refs[0..2); returns how many (0 when unknown). */
size_t rep_link_refs(rep_t *r, const rep_link_t *l, cb_svg_ref_t refs[2]);

/* The user's workload (report_workload.c): medians per node count. */
typedef struct rep_wl_agg {
    int nodes;
    double v;
    size_t n;
} rep_wl_agg_t;
/* Medians of the workload per node count, ascending; *out malloc'd (NULL
 * and 0 when w is NULL or empty, or on OOM). */
size_t rep_wl_aggregate(const cb_report_workload_t *w, rep_wl_agg_t **out);
/* The entry of node count base, or NULL. */
const rep_wl_agg_t *rep_wl_base(const rep_wl_agg_t *a, size_t n, int base);
/* Speedup and efficiency of a against the baseline b (same workload); NaN
 * without b. */
void rep_wl_speedup(const cb_report_workload_t *w, const rep_wl_agg_t *a, const rep_wl_agg_t *b,
                    double *speedup, double *eff);

/* The sections, in report order. */
int rep_section_inputs(rep_t *r, const rep_scan_t *s);
int rep_section_p2p(rep_t *r);
/* Also the all-reduce medians into *ar (ar->agg to be freed by the caller,
 * also on failure). */
int rep_section_allreduce(rep_t *r, rep_ar_t *ar);
int rep_section_gpu(rep_t *r);
/* The DDP section, its model fed with the all-reduce medians ar; *nplots
 * gets the number of DDP plots drawn (the workload section refers to them). */
int rep_section_ddp(rep_t *r, const rep_ar_t *ar, size_t *nplots);
int rep_section_ddp_torch(rep_t *r);
/* The user's workload (r->w); ddp_plots: how many DDP plots mark it. */
int rep_section_workload(rep_t *r, size_t ddp_plots);
/* Transport tuning (report_tune.c): nothing without tune rows. */
int rep_section_tune(rep_t *r);
int rep_section_problems(rep_t *r);


#endif
