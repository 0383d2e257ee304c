/* `clusterbench breakeven`: the DDP break-even model (common/cb_ddp.h) fed
 * with all-reduce times measured by cb-allreduce (or by cb-ddp-torch through
 * DDP's own backend) and, where real PyTorch DDP was measured (cb-ddp-torch
 * rows), calibrated against it (the reducer's tail, the in-DDP all-reduce
 * scale). For each node count N it prints the fitted alpha/beta, the
 * break-even single-node step time of the pure and the calibrated model, the
 * step time at which DDP reaches an efficiency threshold and, given a step
 * time, the predicted DDP step, speedup, efficiency and a verdict. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "breakeven.h"
#include "cb_cli.h"
#include "cb_ddp.h"
#include "cb_error.h"
#include "cb_results.h"

/* ------------------------------------------------------------ main */

int cb_cli_breakeven(int argc, char **argv)
{
    be_opts_t o;
    int rc = be_parse_args(argc, argv, &o);
    if (rc) {
        be_opts_free(&o);
        return rc < 0 ? 0 : rc;
    }

    int exit_code = 0;
    be_row_t *rows = NULL; /* one per node count */
    int nrows = 0;
    int *present = NULL;
    size_t npresent = 0;
    char paths[2048];
    cb_table_t table;
    cb_ddp_calib_t cal;
    memset(&cal, 0, sizeof cal);
    cb_table_init(&table);
    be_join_paths(&o, paths, sizeof paths);

    for (int i = 0; i < o.nresults; i++) {
        if ((exit_code = cb_cli_read_results(PROG, &table, o.results[i])))
            goto out;
    }
    int default_nodes = o.nnodes == 0;
    if (default_nodes) {
        if (cb_ddp_table_nodes(&table, o.transport, &present, &npresent) < 0) {
            fprintf(stderr, PROG ": out of memory\n");
            exit_code = 3;
            goto out;
        }
        if (npresent == 0) {
            exit_code = cb_cli_usage_err(PROG, "no all-reduce rows (benchmark=allreduce, status=ok) with "
                                  "nodes > 1%s%s in %s",
                                  o.transport ? " and transport=" : "",
                                  o.transport ? o.transport : "", paths);
            goto out;
        }
        if (!(o.nodes = malloc(npresent * sizeof *o.nodes))) {
            fprintf(stderr, PROG ": out of memory\n");
            exit_code = 3;
            goto out;
        }
        for (size_t i = 0; i < npresent; i++)
            o.nodes[o.nnodes++] = present[i];
    }
    if (!(rows = calloc((size_t)o.nnodes, sizeof *rows))) {
        fprintf(stderr, PROG ": out of memory\n");
        exit_code = 3;
        goto out;
    }

    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, o.grad_bytes);
    cfg.first_bucket_bytes = o.first_bucket_bytes;
    cfg.bucket_bytes = o.bucket_bytes;
    cfg.bwd_frac = o.bwd_frac;
    cfg.overlap = o.overlap;
    if (cb_ddp_config_check(&cfg) < 0) {
        exit_code = cb_cli_usage_err(PROG, "invalid model configuration");
        goto out;
    }
    double step_us = isnan(o.step_ms) ? 1.0 : o.step_ms * 1e3;
    if (o.calibrate) {
        int crc = cb_ddp_calibrate(&table, NULL, o.transport, &cal);
        if (crc < 0) {
            fprintf(stderr, PROG ": calibration: %s\n", cb_strerror(crc));
            exit_code = cb_error_exit_code(crc);
            goto out;
        }
    }

    for (int i = 0; i < o.nnodes; i++) {
        be_row_t *r = &rows[nrows++];
        r->nodes = o.nodes[i];
        const cb_ddp_curve_t *curve = NULL;
        if (r->nodes > 1) {
            int crc = cb_ddp_curve_from_table(&table, NULL, r->nodes, o.transport, &r->curve, &r->src);
            if (crc == CB_ERR_INPUT && r->src.rows == 0) {
                exit_code = cb_cli_usage_err(PROG, "no all-reduce rows (benchmark=allreduce, status=ok) for "
                                      "nodes=%d%s%s in %s",
                                      r->nodes, o.transport ? " and transport=" : "",
                                      o.transport ? o.transport : "", paths);
                goto out;
            }
            if (crc == CB_ERR_INPUT && default_nodes) {
                /* Not asked for by name: skip it, say so. */
                fprintf(stderr,
                        PROG ": warning: skipping nodes=%d: only %zu measured all-reduce size "
                             "(the model needs at least 2)\n",
                        r->nodes, r->src.sizes);
                cb_ddp_curve_free(&r->curve);
                memset(r, 0, sizeof *r);
                nrows--;
                continue;
            }
            if (crc == CB_ERR_INPUT) {
                exit_code = cb_cli_usage_err(PROG, "nodes=%d: only %zu measured all-reduce size in %s; the "
                                      "model needs at least 2 to fit alpha + beta",
                                      r->nodes, r->src.sizes, paths);
                goto out;
            }
            if (crc < 0) {
                fprintf(stderr, PROG ": nodes=%d: %s\n", r->nodes, cb_strerror(crc));
                exit_code = cb_error_exit_code(crc);
                goto out;
            }
            curve = &r->curve;
            if (!(r->curve.fit.beta_us_per_byte > 0))
                fprintf(stderr,
                        PROG ": warning: nodes=%d: fitted all-reduce time does not grow with "
                             "size (beta %.3g us/B); extrapolated times are clamped at 0\n",
                        r->nodes, r->curve.fit.beta_us_per_byte);
        }
        cb_ddp_config_t ccfg = cfg;
        if (o.calibrate)
            cb_ddp_calib_apply(&cal, r->nodes, &ccfg);
        r->scale = ccfg.ar_scale;
        if (o.calibrate)
            cb_ddp_calib_scale(&cal, r->nodes, &r->scale_points, &r->scale_own);
        int mrc = cb_ddp_step_time(&cfg, curve, r->nodes, step_us, &r->pure_tl);
        if (mrc >= 0)
            mrc = cb_ddp_breakeven_step(&cfg, curve, r->nodes, &r->pure_breakeven_us);
        if (mrc >= 0)
            mrc = cb_ddp_step_time(&ccfg, curve, r->nodes, step_us, &r->tl);
        if (mrc >= 0)
            mrc = cb_ddp_breakeven_step(&ccfg, curve, r->nodes, &r->breakeven_us);
        if (mrc >= 0)
            mrc = cb_ddp_threshold_step(&ccfg, curve, r->nodes, o.threshold, &r->threshold_us);
        if (mrc >= 0 && !isnan(o.step_ms))
            mrc = cb_ddp_max_grad_bytes(&ccfg, curve, r->nodes, step_us, &r->max_grad);
        if (mrc < 0) {
            fprintf(stderr, PROG ": nodes=%d: model: %s\n", r->nodes, cb_strerror(mrc));
            exit_code = cb_error_exit_code(mrc);
            goto out;
        }
        r->verdict = cb_ddp_verdict(r->tl.speedup, r->tl.efficiency, o.threshold);
        for (size_t k = 0; k < r->tl.nbuckets; k++)
            r->nextrap += r->tl.buckets[k].extrapolated != 0;
    }

    if (nrows == 0) {
        exit_code = cb_cli_usage_err(PROG, "no node count with at least 2 measured all-reduce sizes in %s",
                              paths);
        goto out;
    }
    if (o.what_if && (exit_code = be_whatif_check(&o, rows, nrows)))
        goto out;
    switch (o.what_if && o.fmt != FMT_TEXT ? -1 : (int)o.fmt) {
    case FMT_TEXT: be_print_text(&o, &cal, rows, nrows); break;
    case FMT_CSV: be_print_csv(&o, &cal, rows, nrows); break;
    case FMT_JSON: be_print_json(&o, &cal, rows, nrows); break;
    }
    if (o.what_if) { /* csv/json: the what-if table alone */
        int wrc = be_whatif_run(&o, &cal, &cfg, rows, nrows);
        if (wrc < 0) {
            exit_code = cb_error_exit_code(wrc);
            goto out;
        }
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, PROG ": writing output failed\n");
        exit_code = 3;
    }

out:
    for (int i = 0; i < nrows; i++) {
        cb_ddp_curve_free(&rows[i].curve);
        cb_ddp_timeline_free(&rows[i].tl);
        cb_ddp_timeline_free(&rows[i].pure_tl);
    }
    free(rows);
    cb_ddp_calib_free(&cal);
    free(present);
    cb_table_free(&table);
    be_opts_free(&o);
    return exit_code;
}
