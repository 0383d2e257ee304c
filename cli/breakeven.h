/* breakeven: what the three files of `clusterbench breakeven` share (not a
 * public header; the command is cb_cli_breakeven() in cb_cli.h): its options
 * (breakeven_opts.c parses them), one result row per node count, and the
 * output in text, CSV or JSON (breakeven_out.c). cmd_breakeven.c runs the
 * model. */
#ifndef CB_BREAKEVEN_H
#define CB_BREAKEVEN_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "cb_ddp.h"
#include "cb_workload.h"

#define PROG "clusterbench breakeven"

#define BE_WHATIF_MAX 16 /* values per --what-if-* list (more: exit 2, naming it) */

typedef enum { FMT_TEXT, FMT_CSV, FMT_JSON } fmt_t;

typedef struct be_opts {
    const char **results; /* --results paths (malloc'd, argc entries) */
    int nresults;
    uint64_t grad_bytes; /* resolved G */
    const char *grad_bytes_arg, *params_arg, *workload_arg, *dtype_arg;
    uint64_t params;
    const cb_workload_t *workload;
    int *nodes; /* malloc'd: no limit on the node counts */
    int nnodes;
    double step_ms; /* NaN: not given */
    double bwd_frac, threshold;
    uint64_t bucket_bytes, first_bucket_bytes;
    int overlap, timeline, calibrate;
    const char *transport;
    fmt_t fmt;
    /* --what-if and its lever lists (0 entries: the defaults) */
    int what_if;
    double wi_links[BE_WHATIF_MAX];
    int wi_nlinks;
    int wi_ks[BE_WHATIF_MAX];
    int wi_nks;
    int wi_nodes[BE_WHATIF_MAX];
    int wi_nnodes;
} be_opts_t;

/* The result for one node count. */
typedef struct be_row {
    int nodes;
    cb_ddp_curve_t curve;
    cb_ddp_source_t src;
    cb_ddp_timeline_t tl; /* at --step-ms, or at 1 us for the totals (calibrated) */
    cb_ddp_timeline_t pure_tl; /* the same, pure model */
    double breakeven_us, threshold_us, pure_breakeven_us;
    double scale;         /* sigma used */
    size_t scale_points;  /* informative points behind it */
    int scale_own;        /* fitted to this node count's own points */
    uint64_t max_grad;
    cb_ddp_verdict_t verdict;
    size_t nextrap;
} be_row_t;

/* Parse the command's arguments into o: 0 ok, -1 done (help or the workload
 * list printed), else an exit code (2, the message printed). */
int be_parse_args(int argc, char **argv, be_opts_t *o);
/* Free what be_parse_args allocated in o (after any return of it). */
void be_opts_free(be_opts_t *o);

/* A number for csv/json: %.6g, "" / null when NaN, inf / null when infinite. */
void be_put_num(FILE *f, fmt_t fmt, double v);

/* The result files, comma-separated, into buf. */
void be_join_paths(const be_opts_t *o, char *buf, size_t len);

/* The rows in o->fmt on stdout (cal: the calibration the rows used). */
void be_print_text(const be_opts_t *o, const cb_ddp_calib_t *cal, const be_row_t *rows, int n);
void be_print_csv(const be_opts_t *o, const cb_ddp_calib_t *cal, const be_row_t *rows, int n);
void be_print_json(const be_opts_t *o, const cb_ddp_calib_t *cal, const be_row_t *rows, int n);

/* --what-if (breakeven_whatif.c): the table of levers on the largest node
 * count of the rows, in o->fmt on stdout; cfg: the model's configuration for
 * G (uncalibrated; the calibration is applied per node count). CB_OK, or a
 * negative code (the message printed). */
/* Exit 0, or 2 (the one-line message printed) when the levers cannot apply
 * to these rows (no node count > 1; --what-if-nodes not above the largest). */
int be_whatif_check(const be_opts_t *o, const be_row_t *rows, int nrows);
/* Only after be_whatif_check passed on the same rows. */
int be_whatif_run(const be_opts_t *o, const cb_ddp_calib_t *cal, const cb_ddp_config_t *cfg,
                  const be_row_t *rows, int nrows);

#endif
