/* report_whatif: the DDP section's "what if" picture (as `clusterbench
 * breakeven --what-if`): the model's speedup against T1 on the largest node
 * count for today's link and links 4, 10 and 40 times as fast (each measured
 * all-reduce keeps its latency term, its bandwidth part divided by the
 * factor), the measured points on today's curve (synthetic DDP, and real
 * PyTorch DDP of the same gradient size where cb-ddp-torch measured it), and
 * the break-even of each curve marked and tabled. Calls the model and
 * report_plot/report_doc only. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cb_ddp.h"
#include "cb_error.h"
#include "report_priv.h"

#define WI_POINTS 72

static const double factors[] = {1, 4, 10, 40};
#define NFACTORS (sizeof factors / sizeof factors[0])

/* Real DDP points of this cluster, node count and gradient size (within
 * 1%): T1 in ms and speedup into x/y (room for n), how many. */
static size_t torch_points(rep_t *r, const char *cluster, unsigned nodes, double grad_bytes,
                           double *x, double *y, size_t room)
{
    cb_ddp_torch_point_t *p = NULL;
    size_t n = 0, m = 0;
    if (cb_ddp_torch_points(r->t, cluster, &p, &n, NULL) < 0) {
        r->oom = 1;
        return 0;
    }
    for (size_t i = 0; i < n && m < room; i++)
        if (p[i].nodes == (int)nodes && fabs((double)p[i].grad_bytes - grad_bytes) <= 0.01 * grad_bytes &&
            p[i].t1_us > 0 && p[i].tn_us > 0) {
            x[m] = p[i].t1_us / 1e3;
            y[m++] = nodes * p[i].t1_us / p[i].tn_us;
        }
    free(p);
    return m;
}

void rep_whatif_plot(rep_t *r, size_t *nplots, const char *cluster, const cb_ddp_config_t *cfg,
                     const cb_ddp_curve_t *curve, unsigned nodes, double xlo, double xhi,
                     const double *t1_ms, const double *speedup, size_t nmeasured)
{
    rep_series_t set = {0};
    cb_svg_ref_t *refs = cb_doc_alloc(r->doc, (NFACTORS + 1) * sizeof *refs);
    double be[NFACTORS];
    if (!refs) {
        r->oom = 1;
        return;
    }
    size_t nrefs = 0;
    refs[nrefs++] = (cb_svg_ref_t){"speedup 1 (break-even)", 1, 0, CB_SVG_COLOR_AUTO};
    /* Each link's curve and break-even first: the axis reaches down to the
     * fastest link's break-even. */
    cb_ddp_curve_t scaled[NFACTORS];
    const cb_ddp_curve_t *c[NFACTORS];
    for (size_t f = 0; f < NFACTORS; f++) {
        double us;
        be[f] = NAN;
        c[f] = curve;
        if (factors[f] != 1)
            c[f] = cb_ddp_curve_scale_link(curve, factors[f], &scaled[f]) == CB_OK ? &scaled[f]
                                                                                    : NULL;
        if (c[f] && cb_ddp_breakeven_step(cfg, c[f], (int)nodes, &us) == CB_OK && us > 0) {
            be[f] = us / 1e3;
            xlo = fmin(xlo, pow(10, floor(log10(be[f] / 5))));
        }
    }
    for (size_t f = 0; f < NFACTORS && !r->oom; f++) {
        if (!c[f])
            continue;
        cb_svg_series_t *s = rep_series_add(
            r, &set,
            factors[f] == 1 ? cb_doc_printf(r->doc, "today's link: model")
                            : cb_doc_printf(r->doc, "link x%g: model", factors[f]),
            WI_POINTS);
        if (!s) {
            r->oom = 1;
            break;
        }
        s->marker = CB_SVG_MARK_NONE;
        s->dashed = factors[f] != 1;
        s->color = (int)f;
        for (int k = 0; k < WI_POINTS; k++) {
            double t1 = xlo * pow(xhi / xlo, (double)k / (WI_POINTS - 1));
            cb_ddp_timeline_t tl;
            if (cb_ddp_step_time(cfg, c[f], (int)nodes, t1 * 1e3, &tl) == CB_OK)
                rep_series_pt(s, t1, tl.speedup);
            cb_ddp_timeline_free(&tl);
        }
        if (isfinite(be[f]))
            refs[nrefs++] = (cb_svg_ref_t){
                factors[f] == 1
                    ? cb_doc_printf(r->doc, "today: break-even %.3g ms", be[f])
                    : cb_doc_printf(r->doc, "x%g: break-even %.3g ms", factors[f], be[f]),
                be[f], 1, (int)f};
    }
    for (size_t f = 0; f < NFACTORS; f++)
        if (c[f] && c[f] != curve)
            cb_ddp_curve_free(&scaled[f]);
    if (r->oom)
        return;
    if (nmeasured) {
        cb_svg_series_t *s = rep_series_add(r, &set, "measured (cb-ddp)", nmeasured);
        if (!s)
            return;
        s->line = 0;
        s->marker = CB_SVG_MARK_CIRCLE;
        s->color = 0;
        for (size_t i = 0; i < nmeasured; i++)
            rep_series_pt(s, t1_ms[i], speedup[i]);
    }
    double tx[64], ty[64];
    size_t nt = torch_points(r, cluster, nodes, (double)cfg->grad_bytes, tx, ty, 64);
    if (nt) {
        cb_svg_series_t *s = rep_series_add(r, &set, "measured (real PyTorch DDP)", nt);
        if (!s)
            return;
        s->line = 0;
        s->marker = CB_SVG_MARK_SQUARE;
        s->color = 0;
        for (size_t i = 0; i < nt; i++)
            rep_series_pt(s, tx[i], ty[i]);
    }
    rep_plot_speedup(r,
                     cb_doc_printf(r->doc, "What if: a faster link \xE2\x80\x94 %u nodes, %s",
                                   nodes, rep_cluster_name(cluster)),
                     &set, refs, nrefs);
    (*nplots)++;
    char gb[32];
    cb_doc_para(r->doc,
                "What if (as clusterbench breakeven --what-if): the same model on %u nodes for "
                "%s of gradients with a link 4, 10 and 40 times as fast: each measured "
                "all-reduce time keeps its latency term (%.4g us) and its bandwidth part is "
                "divided by the factor. The measured points belong on today's curve. Links "
                "scaled beyond x25 were not checked against shaped links.",
                nodes, rep_fmt_bytes(gb, sizeof gb, (double)cfg->grad_bytes),
                cb_ddp_curve_latency_us(curve));
    static const char *const h[] = {"link", "model break-even T1 ms"};
    cb_doc_table_t *tb = cb_doc_table(r->doc, 2, h, "lr");
    char b[32];
    for (size_t f = 0; f < NFACTORS; f++) {
        cb_doc_row(tb);
        if (factors[f] == 1)
            cb_doc_cell_str(tb, 0, "today's");
        else
            cb_doc_cell(tb, 0, "x%g", factors[f]);
        cb_doc_cell_str(tb, 0, rep_fmt(b, sizeof b, be[f]));
    }
}
