/* breakeven_out: the output of `clusterbench breakeven`: one row per node
 * count as text (with the calibration and, given --step-ms, the verdicts),
 * CSV or JSON. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "breakeven.h"
#include "cb_ddp.h"
#include "cb_size.h"

void be_join_paths(const be_opts_t *o, char *buf, size_t len)
{
    buf[0] = '\0';
    for (int i = 0; i < o->nresults; i++) {
        size_t l = strlen(buf);
        snprintf(buf + l, len - l, "%s%s", i ? ", " : "", o->results[i]);
    }
}

void be_put_num(FILE *f, fmt_t fmt, double v)
{
    if (isnan(v))
        fputs(fmt == FMT_JSON ? "null" : "", f);
    else if (isinf(v))
        fputs(fmt == FMT_JSON ? "null" : "inf", f);
    else
        fprintf(f, "%.6g", v);
}

static const char *const columns[] = {
    "nodes", "grad_bytes", "buckets", "bwd_frac", "overlap", "alpha_us", "beta_gbps",
    "fit_r2", "fit_sizes", "allreduce_ms_total", "breakeven_step_ms", "threshold",
    "threshold_step_ms", "step_ms", "ddp_step_ms", "speedup", "efficiency", "verdict",
    "max_grad_bytes", "pure_breakeven_step_ms", "pure_ddp_step_ms", "ar_scale", "tail_ms",
    "tail_source", "scale_source",
};

static const char *tail_source_name(int src)
{
    switch (src) {
    case CB_DDP_TAIL_TORCH: return "torch-ddp";
    case CB_DDP_TAIL_COPY: return "copy-bandwidth";
    }
    return "none";
}

static const char *scale_source_name(const be_row_t *r)
{
    return r->nodes < 2 || !r->scale_points ? "none" : r->scale_own ? "own" : "pooled";
}

static void put_str(FILE *f, fmt_t fmt, const char *s)
{
    fprintf(f, fmt == FMT_JSON ? "\"%s\"" : "%s", s);
}
#define NCOLUMNS (sizeof columns / sizeof columns[0])

static void put_field(FILE *f, const be_opts_t *o, const cb_ddp_calib_t *cal, const be_row_t *r,
                      size_t col)
{
    fmt_t fmt = o->fmt;
    int has_fit = r->nodes > 1, has_step = !isnan(o->step_ms);
    switch (col) {
    case 0: fprintf(f, "%d", r->nodes); break;
    case 1: fprintf(f, "%llu", (unsigned long long)o->grad_bytes); break;
    case 2: fprintf(f, "%zu", r->tl.nbuckets); break;
    case 3: be_put_num(f, fmt, o->bwd_frac); break;
    case 4: fprintf(f, "%d", o->overlap); break;
    case 5: be_put_num(f, fmt, has_fit ? r->curve.fit.alpha_us : NAN); break;
    case 6: be_put_num(f, fmt, has_fit ? cb_ddp_fit_gbps(&r->curve.fit) : NAN); break;
    case 7: be_put_num(f, fmt, has_fit ? r->curve.fit.r2 : NAN); break;
    case 8:
        if (has_fit)
            fprintf(f, "%zu", r->curve.n);
        else
            fputs(fmt == FMT_JSON ? "null" : "", f);
        break;
    case 9: be_put_num(f, fmt, r->tl.allreduce_us_total / 1e3); break;
    case 10: be_put_num(f, fmt, r->breakeven_us / 1e3); break;
    case 11: be_put_num(f, fmt, o->threshold); break;
    case 12: be_put_num(f, fmt, r->threshold_us / 1e3); break;
    case 13: be_put_num(f, fmt, has_step ? o->step_ms : NAN); break;
    case 14: be_put_num(f, fmt, has_step ? r->tl.ddp_step_us / 1e3 : NAN); break;
    case 15: be_put_num(f, fmt, has_step ? r->tl.speedup : NAN); break;
    case 16: be_put_num(f, fmt, has_step ? r->tl.efficiency : NAN); break;
    case 17:
        if (has_step)
            fprintf(f, fmt == FMT_JSON ? "\"%s\"" : "%s", cb_ddp_verdict_name(r->verdict));
        else
            fputs(fmt == FMT_JSON ? "null" : "", f);
        break;
    case 18:
        if (!has_step)
            fputs(fmt == FMT_JSON ? "null" : "", f);
        else if (r->max_grad == CB_DDP_GRAD_BYTES_UNBOUNDED)
            fputs(fmt == FMT_JSON ? "null" : "inf", f);
        else
            fprintf(f, "%llu", (unsigned long long)r->max_grad);
        break;
    case 19: be_put_num(f, fmt, r->pure_breakeven_us / 1e3); break;
    case 20: be_put_num(f, fmt, has_step ? r->pure_tl.ddp_step_us / 1e3 : NAN); break;
    case 21: be_put_num(f, fmt, has_fit ? r->scale : NAN); break;
    case 22: be_put_num(f, fmt, has_fit ? r->tl.tail_us / 1e3 : NAN); break;
    case 23: put_str(f, fmt, tail_source_name(cal->tail_source)); break;
    case 24: put_str(f, fmt, scale_source_name(r)); break;
    }
}

void be_print_csv(const be_opts_t *o, const cb_ddp_calib_t *cal, const be_row_t *rows, int n)
{
    for (size_t c = 0; c < NCOLUMNS; c++)
        printf("%s%s", c ? "," : "", columns[c]);
    putchar('\n');
    for (int i = 0; i < n; i++) {
        for (size_t c = 0; c < NCOLUMNS; c++) {
            if (c)
                putchar(',');
            put_field(stdout, o, cal, &rows[i], c);
        }
        putchar('\n');
    }
}

void be_print_json(const be_opts_t *o, const cb_ddp_calib_t *cal, const be_row_t *rows, int n)
{
    printf("[");
    for (int i = 0; i < n; i++) {
        printf("%s\n  {", i ? "," : "");
        for (size_t c = 0; c < NCOLUMNS; c++) {
            printf("%s\"%s\": ", c ? ", " : "", columns[c]);
            put_field(stdout, o, cal, &rows[i], c);
        }
        printf("}");
    }
    printf("\n]\n");
}

static const char *ms_text(double us, char *buf, size_t len)
{
    if (isinf(us))
        snprintf(buf, len, "never");
    else
        snprintf(buf, len, "%.3f", us / 1e3);
    return buf;
}

/* What calibrated the model, in words (text format). */
static void print_calibration(const be_opts_t *o, const cb_ddp_calib_t *cal, const be_row_t *rows,
                              int n)
{
    char hb[32];
    if (!o->calibrate) {
        printf("calibration: off (--no-calibration): the pure model\n\n");
        return;
    }
    if (!cb_ddp_calib_any(cal)) {
        printf("calibration: none: no cb-ddp-torch rows (real PyTorch DDP) and no GPU copy "
               "bandwidth in the results, so the pure model (no reducer tail, sigma 1)%s\n\n",
               cal->flagged ? "; flagged cb-ddp-torch points were left out" : "");
        return;
    }
    printf("calibration against real PyTorch DDP (cb-ddp-torch): %zu point%s", cal->points,
           cal->points == 1 ? "" : "s");
    if (cal->flagged)
        printf(", %zu flagged (compute ran late) left out", cal->flagged);
    printf("\n");
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, o->grad_bytes);
    cfg.first_bucket_bytes = o->first_bucket_bytes;
    cfg.bucket_bytes = o->bucket_bytes;
    double tail_ms = (cal->tail_us_per_byte * (double)o->grad_bytes +
                      cal->tail_us_per_bucket * (double)cb_ddp_bucket_count(&cfg)) / 1e3;
    if (cal->tail_source == CB_DDP_TAIL_TORCH)
        printf("  reducer tail      O = %.4g ms/MiB x G + %.4g ms/bucket, fitted to %zu one-node "
               "DDP-vs-plain step%s (RMS residual %.3g ms)\n",
               cal->tail_us_per_byte * 1048576.0 / 1e3, cal->tail_us_per_bucket / 1e3,
               cal->tail_points, cal->tail_points == 1 ? "" : "s", cal->tail_rms_us / 1e3);
    else if (cal->tail_source == CB_DDP_TAIL_COPY)
        printf("  reducer tail      O = one copy of the gradients at %.4g GB/s (cb-gpu "
               "d2d_memcpy_gbps, median): %.4g ms/MiB; no one-node DDP measurement\n",
               cal->copy_gbps, cal->tail_us_per_byte * 1048576.0 / 1e3);
    else
        printf("  reducer tail      none measured (no one-node DDP step, no copy bandwidth)\n");
    if (cal->tail_source != CB_DDP_TAIL_NONE)
        printf("                    = %.3f ms for %s in %zu buckets\n", tail_ms,
               cb_size_human((double)o->grad_bytes, hb, sizeof hb), cb_ddp_bucket_count(&cfg));
    printf("  all-reduce slowdown while backward runs:");
    int any = 0;
    for (int i = 0; i < n; i++) {
        const be_row_t *r = &rows[i];
        if (r->nodes < 2)
            continue;
        printf("%s sigma %.3f at N=%d (%s%zu step%s with communication exposed)", any ? ";" : "",
               r->scale, r->nodes,
               !r->scale_points ? "none: " : r->scale_own ? "" : "pooled over node counts, ",
               r->scale_points, r->scale_points == 1 ? "" : "s");
        any = 1;
    }
    printf("%s\n\n", any ? "" : " -");
}

void be_print_text(const be_opts_t *o, const cb_ddp_calib_t *cal, const be_row_t *rows, int n)
{
    char hb[32], hb2[32], hb3[32], paths[2048];
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, o->grad_bytes);
    cfg.first_bucket_bytes = o->first_bucket_bytes;
    cfg.bucket_bytes = o->bucket_bytes;
    size_t nb = cb_ddp_bucket_count(&cfg);

    printf("DDP break-even model (see --help)\n");
    printf("gradients   %s = %llu B", cb_size_human((double)o->grad_bytes, hb, sizeof hb),
           (unsigned long long)o->grad_bytes);
    if (!o->grad_bytes_arg) {
        const char *dt = o->dtype_arg ? o->dtype_arg : "fp32";
        uint64_t p = o->workload ? o->workload->params : o->params;
        if (o->workload)
            printf(" (%s: %s, %llu params x %u B %s)", o->workload->name, o->workload->model,
                   (unsigned long long)p, cb_workload_dtype_bytes(dt), dt);
        else
            printf(" (%llu params x %u B %s)", (unsigned long long)p, cb_workload_dtype_bytes(dt),
                   dt);
    }
    printf("\nbuckets     %zu: first %s", nb,
           cb_size_human((double)cb_ddp_bucket_size(&cfg, 0), hb, sizeof hb));
    if (nb > 2)
        printf(", then %s each", cb_size_human((double)o->bucket_bytes, hb2, sizeof hb2));
    if (nb > 1)
        printf(", last %s", cb_size_human((double)cb_ddp_bucket_size(&cfg, nb - 1), hb3, sizeof hb3));
    printf("\nstep        backward %.1f%% of T1; all-reduce %s\n", 100 * o->bwd_frac,
           o->overlap ? "overlapped with backward (one stream)" : "after backward (no overlap)");
    be_join_paths(o, paths, sizeof paths);
    printf("all-reduce  %s\n\n", paths);

    int any_fit = 0;
    for (int i = 0; i < n; i++)
        any_fit |= rows[i].nodes > 1;
    if (any_fit)
        printf("fit of the measured all-reduce time = alpha + bytes x beta (least squares):\n");
    for (int i = 0; i < n; i++) {
        const be_row_t *r = &rows[i];
        if (r->nodes < 2)
            continue;
        double gbps = cb_ddp_fit_gbps(&r->curve.fit);
        printf("  N=%d: alpha %.1f us, ", r->nodes, r->curve.fit.alpha_us);
        if (isnan(gbps))
            printf("beta <= 0 (no bandwidth), ");
        else
            printf("1/beta %.3g GB/s, ", gbps);
        printf("R^2 %.4f; %zu sizes %s..%s, %zu rows (%s, %s)\n", r->curve.fit.r2, r->curve.n,
               cb_size_human(r->src.min_bytes, hb, sizeof hb),
               cb_size_human(r->src.max_bytes, hb2, sizeof hb2), r->src.rows,
               r->src.transport[0] ? r->src.transport : "transport unknown",
               r->src.placement[0] ? r->src.placement : "placement unknown");
    }
    if (any_fit)
        putchar('\n');
    print_calibration(o, cal, rows, n);

    char thr_col[32], b1[32], b2[32], b0[32];
    snprintf(thr_col, sizeof thr_col, "eff>=%.2f_step_ms", o->threshold);
    if (isnan(o->step_ms)) {
        printf("%5s  %18s  %17s  %17s  %17s\n", "nodes", "allreduce_ms_total",
               "pure_breakeven_ms", "breakeven_step_ms", thr_col);
        for (int i = 0; i < n; i++) {
            const be_row_t *r = &rows[i];
            printf("%5d  %18.3f  %17s  %17s  %17s\n", r->nodes, r->tl.allreduce_us_total / 1e3,
                   ms_text(r->pure_breakeven_us, b0, sizeof b0),
                   ms_text(r->breakeven_us, b1, sizeof b1),
                   ms_text(r->threshold_us, b2, sizeof b2));
        }
        printf("\nDDP on N nodes is faster than one node for single-node steps longer than\n"
               "breakeven_step_ms, and at least %.0f%% efficient beyond %s\n"
               "(pure_breakeven_ms: the all-reduce model alone, without the calibration).\n",
               100 * o->threshold, thr_col);
    } else {
        printf("%5s  %9s  %12s  %11s  %7s  %10s  %17s  %17s  %17s  %12s  %s\n", "nodes",
               "step_ms", "pure_ddp_ms", "ddp_step_ms", "speedup", "efficiency",
               "pure_breakeven_ms", "breakeven_step_ms", thr_col, "max_grad", "verdict");
        for (int i = 0; i < n; i++) {
            const be_row_t *r = &rows[i];
            char mg[32];
            if (r->max_grad == CB_DDP_GRAD_BYTES_UNBOUNDED)
                snprintf(mg, sizeof mg, "unbounded");
            else if (r->max_grad == 0)
                snprintf(mg, sizeof mg, "none");
            else
                cb_size_human((double)r->max_grad, mg, sizeof mg);
            printf("%5d  %9.3f  %12.3f  %11.3f  %7.3f  %9.1f%%  %17s  %17s  %17s  %12s  %s\n",
                   r->nodes, o->step_ms, r->pure_tl.ddp_step_us / 1e3, r->tl.ddp_step_us / 1e3,
                   r->tl.speedup, 100 * r->tl.efficiency,
                   ms_text(r->pure_breakeven_us, b0, sizeof b0),
                   ms_text(r->breakeven_us, b1, sizeof b1),
                   ms_text(r->threshold_us, b2, sizeof b2), mg, cb_ddp_verdict_text(r->verdict));
        }
        printf("\nverdicts: use DDP = speedup > 1 and efficiency >= %.2f; DDP only for\n"
               "time-to-result = faster, but independent jobs on the same nodes give more total\n"
               "throughput; stay on one node = no speedup. max_grad = the largest gradient size\n"
               "that still breaks even at this step time. pure_*: the all-reduce model alone;\n"
               "the other columns are the calibrated model's (see calibration above).\n",
               o->threshold);
    }
    for (int i = 0; i < n; i++)
        if (rows[i].nextrap)
            printf("note: N=%d: %zu of %zu buckets lie outside the measured sizes (%s..%s); their "
                   "all-reduce time comes from the fit\n",
                   rows[i].nodes, rows[i].nextrap, rows[i].tl.nbuckets,
                   cb_size_human(rows[i].src.min_bytes, hb, sizeof hb),
                   cb_size_human(rows[i].src.max_bytes, hb2, sizeof hb2));

    if (o->timeline) {
        for (int i = 0; i < n; i++) {
            const be_row_t *r = &rows[i];
            printf("\ntimeline N=%d (ms from the start of the step; forward ends at %.3f, "
                   "backward at %.3f):\n",
                   r->nodes, r->tl.fwd_us / 1e3, r->tl.step_us / 1e3);
            printf("%6s  %12s  %9s  %9s  %9s  %12s\n", "bucket", "bytes", "ready", "ar_start",
                   "ar_end", "allreduce_ms");
            for (size_t k = 0; k < r->tl.nbuckets; k++) {
                const cb_ddp_bucket_t *b = &r->tl.buckets[k];
                printf("%6zu  %12llu  %9.3f  %9.3f  %9.3f  %12.3f%s\n", k + 1,
                       (unsigned long long)b->bytes, b->ready_us / 1e3, b->start_us / 1e3,
                       b->end_us / 1e3, b->allreduce_us / 1e3, b->extrapolated ? "  (fit)" : "");
            }
            printf("step ends at %.3f ms; %.3f ms of communication not hidden, then %.3f ms "
                   "of reducer tail\n",
                   r->tl.ddp_step_us / 1e3, r->tl.exposed_comm_us / 1e3, r->tl.tail_us / 1e3);
        }
    }
}
