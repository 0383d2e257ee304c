/* report_ddp_torch: the section "DDP: predicted vs measured". Real PyTorch
 * DDP (cb-ddp-torch rows, benchmark=ddp-torch) beside the break-even model of
 * cb_ddp.h, pure and calibrated (common/ddp_calib.c: the reducer's tail from
 * the one-node DDP steps, sigma from the N-node ones), per cluster: a table
 * of every measured T_N with each model's error (the calibrated one also
 * with sigma fitted without the point itself, the honest prediction), the
 * measured break-even against each model's, and per gradient size a plot of
 * speedup against T1 with the measured points on the models' curves. The
 * section appears only when the input has cb-ddp-torch rows. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_ddp.h"
#include "cb_error.h"
#include "report_priv.h"

#define CURVE_POINTS 64

static int cmp_point(const void *a, const void *b)
{
    const cb_ddp_torch_point_t *p = a, *q = b;
    if (p->grad_bytes != q->grad_bytes)
        return p->grad_bytes < q->grad_bytes ? -1 : 1;
    if (p->nodes != q->nodes)
        return p->nodes < q->nodes ? -1 : 1;
    double x = isfinite(p->t1_us) ? p->t1_us : INFINITY, y = isfinite(q->t1_us) ? q->t1_us : INFINITY;
    return (x > y) - (x < y);
}

static double err_pct(double model, double measured)
{
    return measured > 0 && isfinite(model) ? 100.0 * (model - measured) / measured : NAN;
}

/* Largest |error| over the T_N points, of one prediction kind. */
static double max_abs_err(const cb_ddp_torch_point_t *p, const cb_ddp_prediction_t *pr, size_t n,
                          int kind, size_t *count)
{
    double m = NAN;
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(p[i].tn_us))
            continue;
        double v = kind == 0 ? pr[i].pure_us : kind == 1 ? pr[i].calib_us : pr[i].heldout_us;
        double e = fabs(err_pct(v, p[i].tn_us));
        if (isfinite(e)) {
            (*count)++;
            m = isnan(m) || e > m ? e : m;
        }
    }
    return m;
}

static void calibration_text(rep_t *r, const cb_ddp_calib_t *c)
{
    if (!cb_ddp_calib_any(c)) {
        cb_doc_note(r->doc, "Nothing to calibrate with (no one-node DDP step, no N-node step "
                            "with an all-reduce curve of its node count): the calibrated model "
                            "is the pure one.");
        return;
    }
    char sc[512] = "";
    size_t len = 0;
    for (size_t i = 0; i < c->nscale && len < sizeof sc; i++)
        len += (size_t)snprintf(sc + len, sizeof sc - len, "%s%.3f at N=%d (%zu points)",
                                i ? ", " : "", c->scale[i], c->scale_nodes[i],
                                c->scale_points[i]);
    char pooled[160];
    snprintf(pooled, sizeof pooled, "%.3f pooled over all node counts (%zu points)",
             c->pooled_scale, c->pooled_points);
    char tail[200];
    if (c->tail_source == CB_DDP_TAIL_TORCH)
        snprintf(tail, sizeof tail,
                 "O = %.4g ms/MiB x G + %.4g ms/bucket, fitted to %zu one-node DDP-vs-plain "
                 "steps (RMS residual %.3g ms)",
                 c->tail_us_per_byte * 1048576.0 / 1e3, c->tail_us_per_bucket / 1e3,
                 c->tail_points, c->tail_rms_us / 1e3);
    else
        snprintf(tail, sizeof tail, "%s",
                 c->tail_source == CB_DDP_TAIL_COPY ? "one copy of G at cb-gpu's copy bandwidth"
                                                    : "none measured");
    cb_doc_para(r->doc,
                "Calibration: DDP's reducer tail %s; all-reduce slowdown while backward runs, "
                "sigma %s%s%s, fitted to the N-node DDP steps that are not break-even probes "
                "(a node count with at least %d informative points gets its own).",
                tail, c->nscale ? sc : pooled, c->nscale ? "; other node counts " : "",
                c->nscale ? pooled : "", CB_DDP_SCALE_MIN_POINTS);
}

static void point_table(rep_t *r, const cb_ddp_torch_point_t *p, const cb_ddp_prediction_t *pr,
                        size_t n)
{
    static const char *const h[] = {"G", "N", "T1 asked ms", "T1 ms", "T_N ms", "pure T_N ms",
                                    "pure error", "calibrated T_N ms", "calibrated error",
                                    "held-out error", "point"};
    cb_doc_table_t *tb = cb_doc_table(r->doc, 11, h, "lrrrrrrrrrl");
    char b[8][48];
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(p[i].tn_us))
            continue;
        double ep = err_pct(pr[i].pure_us, p[i].tn_us), ec = err_pct(pr[i].calib_us, p[i].tn_us);
        double eh = err_pct(pr[i].heldout_us, p[i].tn_us);
        cb_doc_row(tb);
        cb_doc_cell_str(tb, 0, rep_fmt_bytes(b[0], sizeof b[0], (double)p[i].grad_bytes));
        cb_doc_cell(tb, 0, "%d", p[i].nodes);
        cb_doc_cell_str(tb, 0, rep_fmt(b[1], sizeof b[1], p[i].step_ms));
        cb_doc_cell_str(tb, 0, rep_fmt(b[2], sizeof b[2], p[i].t1_us / 1e3));
        cb_doc_cell_str(tb, 0, rep_fmt(b[3], sizeof b[3], p[i].tn_us / 1e3));
        cb_doc_cell_str(tb, 0, rep_fmt(b[4], sizeof b[4], pr[i].pure_us / 1e3));
        cb_doc_cell_str(tb, fabs(ep) > 8 ? CB_DOC_CELL_BAD : 0,
                        rep_fmt_change(b[5], sizeof b[5], ep));
        cb_doc_cell_str(tb, 0, rep_fmt(b[6], sizeof b[6], pr[i].calib_us / 1e3));
        cb_doc_cell_str(tb, fabs(ec) > 8 ? CB_DOC_CELL_BAD : 0,
                        rep_fmt_change(b[7], sizeof b[7], ec));
        cb_doc_cell_str(tb, fabs(eh) > 8 ? CB_DOC_CELL_BAD : isfinite(eh) ? CB_DOC_CELL_GOOD : 0,
                        rep_fmt_change(b[5], sizeof b[5], eh));
        cb_doc_cell_str(tb, 0, p[i].probe ? "break-even probe (not fitted)"
                               : p[i].nodes < 2 ? "one node"
                                                : "fitted");
    }
    size_t cp, cc, ch;
    double mp = max_abs_err(p, pr, n, 0, &cp), mc = max_abs_err(p, pr, n, 1, &cc),
           mh = max_abs_err(p, pr, n, 2, &ch);
    cb_doc_note(r->doc,
                "Error = 100 (model - measured) / measured, at the measured T1. Largest |error| "
                "over %zu points: pure %.1f%%, calibrated %.1f%%, held out %.1f%% (marked when "
                "over 8%%). Held out: sigma fitted without the point itself, so it predicts "
                "rather than fits it; break-even probes are never fitted. Points whose emulated "
                "compute ran late by more than 5%% of T1 are 'flagged' and left out (see "
                "Problems).",
                cp, mp, mc, mh);
    (void)cc;
    (void)ch;
}

static void breakeven_table(rep_t *r, const cb_ddp_torch_point_t *p, const cb_ddp_prediction_t *pr,
                            size_t n)
{
    size_t cnt = 0;
    for (size_t i = 0; i < n; i++)
        cnt += isfinite(p[i].breakeven_us);
    if (!cnt)
        return;
    static const char *const h[] = {"G", "N", "measured break-even T1 ms", "pure ms",
                                    "pure error", "calibrated ms", "calibrated error"};
    cb_doc_table_t *tb = cb_doc_table(r->doc, 7, h, "lrrrrrr");
    char b[6][48];
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(p[i].breakeven_us))
            continue;
        double ep = err_pct(pr[i].pure_us, p[i].breakeven_us);
        double ec = err_pct(pr[i].calib_us, p[i].breakeven_us);
        cb_doc_row(tb);
        cb_doc_cell_str(tb, 0, rep_fmt_bytes(b[0], sizeof b[0], (double)p[i].grad_bytes));
        cb_doc_cell(tb, 0, "%d", p[i].nodes);
        cb_doc_cell_str(tb, 0, rep_fmt(b[1], sizeof b[1], p[i].breakeven_us / 1e3));
        cb_doc_cell_str(tb, 0, rep_fmt(b[2], sizeof b[2], pr[i].pure_us / 1e3));
        cb_doc_cell_str(tb, fabs(ep) > 8 ? CB_DOC_CELL_BAD : 0,
                        rep_fmt_change(b[3], sizeof b[3], ep));
        cb_doc_cell_str(tb, 0, rep_fmt(b[4], sizeof b[4], pr[i].calib_us / 1e3));
        cb_doc_cell_str(tb, fabs(ec) > 8 ? CB_DOC_CELL_BAD : 0,
                        rep_fmt_change(b[5], sizeof b[5], ec));
    }
    cb_doc_note(r->doc, "Measured break-even: cb-ddp-torch --sweep, the smallest T1 whose "
                        "measured speedup N x T1 / T_N reaches 1 (bisection, geometric middle "
                        "of the final bracket). Model: the same solved exactly.");
}

/* A curve of speedup against T1 for one (G, N) and a model configuration. */
static void model_series(rep_t *r, rep_series_t *set, const char *label, int color, int dashed,
                         const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                         double xlo, double xhi)
{
    cb_svg_series_t *s = rep_series_add(r, set, label, CURVE_POINTS);
    if (!s)
        return;
    s->marker = CB_SVG_MARK_NONE;
    s->dashed = dashed;
    s->color = color;
    for (int k = 0; k < CURVE_POINTS; k++) {
        double t1 = xlo * pow(xhi / xlo, (double)k / (CURVE_POINTS - 1));
        cb_ddp_timeline_t tl;
        if (cb_ddp_step_time(cfg, curve, nodes, t1 * 1e3, &tl) == CB_OK)
            rep_series_pt(s, t1, tl.speedup);
        cb_ddp_timeline_free(&tl);
    }
}

/* One plot per gradient size: for each node count the pure (dashed) and the
 * calibrated model (solid), the measured points, the measured break-even. */
static void size_plot(rep_t *r, const char *cluster, const cb_ddp_calib_t *c,
                      const cb_ddp_torch_point_t *p, size_t lo, size_t hi)
{
    double xlo = INFINITY, xhi = -INFINITY;
    for (size_t i = lo; i < hi; i++) {
        double x = isfinite(p[i].t1_us) ? p[i].t1_us : p[i].breakeven_us;
        if (x > 0) {
            xlo = fmin(xlo, x / 1e3);
            xhi = fmax(xhi, x / 1e3);
        }
    }
    if (!isfinite(xlo))
        return;
    xlo = pow(10, floor(log10(xlo / 3)));
    xhi = pow(10, ceil(log10(xhi * 3)));
    rep_series_t set = {0};
    cb_svg_ref_t *refs = cb_doc_alloc(r->doc, sizeof *refs);
    if (!refs)
        return;
    refs[0] = (cb_svg_ref_t){"speedup 1 (break-even)", 1, 0, CB_SVG_COLOR_AUTO};
    int color = 0;
    for (size_t i = lo; i < hi; i = i + 1) {
        if (p[i].nodes < 2 || (i > lo && p[i].nodes == p[i - 1].nodes))
            continue;
        int nodes = p[i].nodes;
        cb_ddp_curve_t curve;
        cb_ddp_source_t src;
        int crc = cb_ddp_curve_from_table(r->t, cluster, nodes, NULL, &curve, &src);
        if (crc == CB_ERR_NOMEM) {
            r->oom = 1;
            return;
        }
        if (crc == CB_OK) {
            cb_ddp_config_t pure, cal;
            cb_ddp_config_default(&pure, p[i].grad_bytes);
            pure.bucket_bytes = p[i].bucket_bytes;
            pure.bwd_frac = p[i].bwd_frac;
            cal = pure;
            cb_ddp_calib_apply(c, nodes, &cal);
            model_series(r, &set, cb_doc_printf(r->doc, "%d nodes: pure model", nodes), color, 1,
                         &pure, &curve, nodes, xlo, xhi);
            model_series(r, &set, cb_doc_printf(r->doc, "%d nodes: calibrated model", nodes),
                         color, 0, &cal, &curve, nodes, xlo, xhi);
        }
        cb_ddp_curve_free(&curve);
        size_t cnt = 0;
        for (size_t j = lo; j < hi; j++)
            cnt += p[j].nodes == nodes && isfinite(p[j].tn_us) && p[j].t1_us > 0;
        cb_svg_series_t *s =
            cnt ? rep_series_add(r, &set, cb_doc_printf(r->doc, "%d nodes: measured", nodes), cnt)
                : NULL;
        if (s) {
            s->line = 0;
            s->marker = CB_SVG_MARK_CIRCLE;
            s->color = color;
            for (size_t j = lo; j < hi; j++)
                if (p[j].nodes == nodes && isfinite(p[j].tn_us) && p[j].t1_us > 0)
                    rep_series_pt(s, p[j].t1_us / 1e3, nodes * p[j].t1_us / p[j].tn_us);
        }
        for (size_t j = lo; j < hi; j++) {
            if (p[j].nodes != nodes || !(p[j].breakeven_us > 0))
                continue;
            s = rep_series_add(r, &set,
                               cb_doc_printf(r->doc, "%d nodes: measured break-even %.3g ms",
                                             nodes, p[j].breakeven_us / 1e3),
                               1);
            if (!s)
                break;
            s->line = 0;
            s->marker = CB_SVG_MARK_DIAMOND;
            s->color = color;
            rep_series_pt(s, p[j].breakeven_us / 1e3, 1);
        }
        color++;
    }
    if (r->oom || !set.n)
        return;
    char gb[32];
    rep_plot_speedup(r, cb_doc_printf(r->doc, "Real PyTorch DDP and the model: %s of gradients",
                                      rep_fmt_bytes(gb, sizeof gb, (double)p[lo].grad_bytes)),
                     &set, refs, 1);
}

static int cluster_section(rep_t *r, const char *cluster, int several)
{
    cb_ddp_torch_point_t *p = NULL;
    cb_ddp_prediction_t *pr = NULL;
    size_t n = 0, flagged = 0;
    cb_ddp_calib_t cal;
    int rc = cb_ddp_torch_points(r->t, cluster, &p, &n, &flagged);
    if (rc == CB_OK)
        rc = cb_ddp_calibrate(r->t, cluster, NULL, &cal);
    else
        memset(&cal, 0, sizeof cal);
    if (rc)
        goto out;
    if (several)
        cb_doc_heading(r->doc, 3, "%s", rep_cluster_name(cluster));
    if (!n) {
        cb_doc_para(r->doc, "No usable cb-ddp-torch point (%zu flagged: emulated compute ran "
                            "late; skipped rows say why, see Problems).",
                    flagged);
        goto out;
    }
    qsort(p, n, sizeof *p, cmp_point);
    pr = malloc(n * sizeof *pr);
    if (!pr) {
        rc = CB_ERR_NOMEM;
        goto out;
    }
    rc = cb_ddp_calib_predict(r->t, cluster, NULL, &cal, p, n, pr);
    if (rc)
        goto out;
    calibration_text(r, &cal);
    point_table(r, p, pr, n);
    breakeven_table(r, p, pr, n);
    for (size_t i = 0; i < n && !r->oom;) {
        size_t j = i + 1;
        while (j < n && p[j].grad_bytes == p[i].grad_bytes)
            j++;
        size_plot(r, cluster, &cal, p, i, j);
        i = j;
    }
    if (flagged)
        cb_doc_note(r->doc, "%zu point%s flagged and left out: emulated compute ran late by more "
                            "than 5%% of T1 (a loaded machine); rerun on a quiet one.",
                    flagged, flagged == 1 ? "" : "s");
out:
    free(p);
    free(pr);
    cb_ddp_calib_free(&cal);
    if (rc == CB_ERR_NOMEM)
        r->oom = 1;
    return rc;
}

int rep_section_ddp_torch(rep_t *r)
{
    const cb_table_t *t = r->t;
    const char **clusters = NULL;
    size_t nc = 0, skipped = 0;
    const char *skip_note = NULL;
    for (size_t i = 0; i < t->nrows; i++) {
        if (strcmp(cb_table_str(t, i, CB_COL_BENCHMARK), "ddp-torch"))
            continue;
        if (!strcmp(cb_table_str(t, i, CB_COL_STATUS), "skipped")) {
            skipped++;
            skip_note = skip_note ? skip_note : cb_table_str(t, i, CB_COL_NOTE);
            continue;
        }
        const char *c = cb_table_str(t, i, CB_COL_CLUSTER);
        size_t j = 0;
        while (j < nc && strcmp(clusters[j], c))
            j++;
        if (j < nc)
            continue;
        const char **nn = realloc(clusters, (nc + 1) * sizeof *nn);
        if (!nn) {
            free(clusters);
            return CB_ERR_NOMEM;
        }
        clusters = nn;
        clusters[nc++] = c;
    }
    if (!nc && !skipped)
        return CB_OK;
    cb_doc_heading(r->doc, 2, "DDP: predicted vs measured");
    cb_doc_para(r->doc,
                "Real PyTorch DDP (cb-ddp-torch: DistributedDataParallel with PyTorch's defaults, "
                "emulated or real compute) beside the break-even model of clusterbench breakeven: "
                "pure (the all-reduce rows alone, DDP's own backend first: nccl, else gloo) and "
                "calibrated (the reducer's tail and the in-DDP all-reduce scale fitted to these "
                "measurements).");
    if (skipped)
        cb_doc_note(r->doc, "%zu cb-ddp-torch row%s skipped: %s", skipped,
                    skipped == 1 ? "" : "s", skip_note);
    int rc = CB_OK;
    for (size_t i = 0; i < nc && rc == CB_OK; i++)
        rc = cluster_section(r, clusters[i], nc > 1);
    free(clusters);
    return rc;
}
