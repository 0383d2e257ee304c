/* report_model: what `clusterbench report` computes from a results table —
 * rows grouped by cluster, benchmark, transport, dtype/op/placement and node
 * count (medians over repeated rows), each multi-node result beside its
 * baseline-node counterpart, link efficiency against the cluster profile's
 * line rate and TCP goodput, GPU node spread, DDP measured vs modelled, a
 * user's workload CSV, and the rows that were not ok — built into a
 * document (report_doc.h) and a list of comparison rows (summary.csv).
 *
 * Pure apart from reading cluster profiles (cb_profile_resolve/load) and,
 * in cb_report_workload_read(), the workload CSV. Grouping sorts row
 * indices once per section: O(n log n) in the number of rows. */
#ifndef CB_REPORT_MODEL_H
#define CB_REPORT_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cb_results.h"
#include "report_doc.h"

typedef struct cb_report_opts {
    int baseline_nodes;    /* the node count others are compared with (1) */
    double line_rate_gbps; /* NaN: each cluster's profile; else this for all */
    long mtu;              /* TCP goodput of line_rate_gbps (1500) */
    double grad_bytes;     /* DDP model gradient bytes; NaN: from the DDP rows */
    double slow_threshold; /* GPU/link spread: flag > this below the median (0.10) */
    const char *const *paths; /* the inputs as given (for the text) */
    size_t npaths;
} cb_report_opts_t;

void cb_report_opts_default(cb_report_opts_t *o);

/* A user's workload: (nodes, value) per data row of their CSV. */
typedef struct cb_report_workload {
    char *path;       /* as given */
    char *nodes_col, *value_col;
    int step_time;    /* 1: value is a step time in ms; 0: a throughput */
    size_t n;
    int *nodes;
    double *value;
    unsigned long *line; /* line of each row */
} cb_report_workload_t;

/* Read the CSV at path (RFC 4180, libcsv; the first row names the
 * columns). Every data row needs an integer nodes >= 1 and a finite value
 * > 0 in the named columns. CB_OK; CB_ERR_IO (cannot open);
 * CB_ERR_INPUT with "path:line: reason" in err (no header, no such column,
 * bad value, no data rows, CSV syntax); CB_ERR_NOMEM. */
int cb_report_workload_read(const char *path, const char *nodes_col, const char *value_col,
                            int step_time, cb_report_workload_t *w, char *err, size_t errlen);
void cb_report_workload_free(cb_report_workload_t *w); /* NULL ok */

/* One comparison row of summary.csv. Strings point into the table or the
 * document and live as long as both. NaN numbers are written empty. */
typedef struct cb_report_sum_row {
    const char *section; /* allreduce, p2p, gpu, ddp, workload */
    const char *cluster, *transport, *memory, *dtype, *op, *placement;
    const char *metric, *unit, *host, *peer;
    double bytes;
    int nodes, baseline_nodes;          /* 0: not applicable */
    double value, baseline_value;       /* medians */
    double ratio, change_pct;           /* value / baseline, (ratio - 1) * 100 */
    double speedup, efficiency;         /* ddp/workload; gpu: efficiency = value/spec */
    double line_rate_frac, goodput_frac;
    size_t rows, baseline_rows;         /* rows behind value / baseline_value */
    const char *flag;                   /* "slow", "below-median", "no-baseline"... or NULL */
} cb_report_sum_row_t;

typedef struct cb_report_summary {
    size_t n, cap;
    cb_report_sum_row_t *rows;
} cb_report_summary_t;

void cb_report_summary_free(cb_report_summary_t *s); /* NULL ok; not the strings */
/* Write summary.csv: a header and one line per row, fields quoted by
 * libcsv where they need it. 0, or -1 on a stream error. */
int cb_report_summary_write(const cb_report_summary_t *s, FILE *f);
/* The header's column names, in order (NULL-terminated). */
extern const char *const cb_report_summary_columns[];

/* Files under a directory that had a header and no row: reported, not fatal. */
typedef struct cb_report_input {
    const char *const *empty_files;
    size_t nempty;
    size_t nforeign; /* CSV files under directories skipped: not ours */
} cb_report_input_t;

/* Build the report of table t into doc and sum. w and in may be NULL.
 * CB_OK, CB_ERR_NOMEM, or CB_ERR_USAGE for bad options. */
int cb_report_build(const cb_table_t *t, const cb_report_opts_t *o,
                    const cb_report_workload_t *w, const cb_report_input_t *in, cb_doc_t *doc,
                    cb_report_summary_t *sum);

#endif
