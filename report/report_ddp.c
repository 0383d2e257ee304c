/* report_ddp: the DDP section. DDP rows are generic
 * (benchmark=ddp, any metric names): per configuration a table of every
 * metric's median per node count, beside the baseline node count in
 * summary.csv. Known names (t1_ms, tn_ms, speedup, efficiency, model_tn_ms,
 * or *_us) give the measured speedup, which is plotted against the
 * single-node step time together with the model of cb_ddp.h fed with this
 * cluster's all-reduce medians, its break-even step time marked (and the
 * break-even implied by the measured overhead); a user's workload
 * (report_workload.c) is marked on the plots. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_ddp.h"
#include "cb_error.h"
#include "report_priv.h"

/* DDP key slots: 0 cluster, 1 transport, 2 memory, 3 dtype, 4 op, 5 bytes
 * (string), 6 nodes, 7 metric; v[0] = value. */
#define DDP_CFG 6
#define MODEL_POINTS 72

/* ------------------------------------------------------------ model */

/* The all-reduce curve of a cluster and node count from the all-reduce
 * medians: rows of `transport` when it has any (else nccl when any, else
 * all), out-of-place when any (else all) — cb_ddp_curve_from_table's rule,
 * per cluster. CB_ERR_INPUT when fewer than 2 sizes. */
static int model_curve(rep_t *r, const rep_ar_t *ar, uint32_t cluster, uint32_t nodes,
                       uint32_t transport, cb_ddp_curve_t *c, char *src, size_t srclen)
{
    memset(c, 0, sizeof *c);
    const rep_agg_t *ag = ar->agg;
    size_t n = ar->n;
    uint32_t nccl = rep_rank_of(r, "nccl"), oop = rep_rank_of(r, "out-of-place");
    int has_tp = 0, has_nccl = 0;
    for (size_t i = 0; i < n; i++)
        if (ag[i].k[0] == cluster && ag[i].k[7] == nodes && isfinite(ag[i].v[0])) {
            has_tp |= transport != REP_NONE && ag[i].k[1] == transport;
            has_nccl |= ag[i].k[1] == nccl;
        }
    uint32_t tp = has_tp ? transport : has_nccl ? nccl : REP_NONE;
    int has_oop = 0;
    for (size_t i = 0; i < n; i++)
        if (ag[i].k[0] == cluster && ag[i].k[7] == nodes && isfinite(ag[i].v[0]) &&
            (tp == REP_NONE || ag[i].k[1] == tp))
            has_oop |= ag[i].k[5] == oop;
    double *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return CB_ERR_NOMEM;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (ag[i].k[0] == cluster && ag[i].k[7] == nodes && isfinite(ag[i].v[0]) &&
            (tp == REP_NONE || ag[i].k[1] == tp) && (!has_oop || ag[i].k[5] == oop)) {
            x[m] = ag[i].x;
            y[m++] = ag[i].v[0];
        }
    int rc = m ? cb_ddp_curve_init(c, x, y, m) : CB_ERR_INPUT;
    snprintf(src, srclen, "%s%s all-reduce, %u nodes",
             tp == REP_NONE ? "all transports" : rep_str(r, tp), has_oop ? " out-of-place" : "",
             nodes);
    free(x);
    free(y);
    return rc;
}

/* ------------------------------------------------------------ ddp */

/* DDP rows come in records: one measurement point writes t1_ms, tn_ms,
 * speedup, ... one after the other, and a sweep over step times repeats
 * them. A point is a run of consecutive rows of one file, run and
 * configuration in which no metric repeats; points are told apart by their
 * single-node step time (t1_ms, t1_us or t1_s; 3 significant digits), which
 * goes into the key's x (-1 when a point has none), so repeated runs of
 * the same step time merge into medians and a sweep stays a sweep. */
static uint32_t id_of(const rep_t *r, const char *s)
{
    const rep_strtab_t *st = &r->st;
    if (!st->nslots)
        return REP_NONE;
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    size_t i = (size_t)h & (st->nslots - 1);
    while (st->slots[i]) {
        uint32_t id = st->slots[i] - 1;
        if (!strcmp(st->str[id], s))
            return id;
        i = (i + 1) & (st->nslots - 1);
    }
    return REP_NONE;
}

static double round3(double v)
{
    if (!(v > 0) || !isfinite(v))
        return -1;
    double e = pow(10, floor(log10(v)) - 2);
    return round(v / e) * e;
}

static int ddp_points(rep_t *r)
{
    rep_rows_t *rows = &r->ddp;
    size_t n = rows->n;
    uint32_t *pt = malloc((n ? n : 1) * sizeof *pt);
    double *t1 = malloc((n ? n : 1) * sizeof *t1);
    if (!pt || !t1) {
        free(pt);
        free(t1);
        return CB_ERR_NOMEM;
    }
    const uint32_t t1_ms = id_of(r, "t1_ms"), t1_us = id_of(r, "t1_us"), t1_s = id_of(r, "t1_s");
    uint32_t seen[64], nseen = 0, npt = 0;
    for (size_t i = 0; i < n; i++) {
        const rep_key_t *k = &rows->keys[i], *p = i ? &rows->keys[i - 1] : NULL;
        int same = p && r->t->row_file[k->row] == r->t->row_file[p->row] &&
                   !memcmp(k->k, p->k, 7 * sizeof k->k[0]) &&
                   !strcmp(cb_table_str(r->t, k->row, CB_COL_RUN_ID),
                           cb_table_str(r->t, p->row, CB_COL_RUN_ID));
        for (uint32_t q = 0; same && q < nseen; q++)
            if (seen[q] == k->k[7])
                same = 0;
        if (!same || nseen == 64) {
            t1[npt++] = NAN;
            nseen = 0;
        }
        seen[nseen++] = k->k[7];
        pt[i] = npt - 1;
        double v = k->v[0];
        if (k->k[7] == t1_ms)
            t1[npt - 1] = v;
        else if (k->k[7] == t1_us)
            t1[npt - 1] = v / 1e3;
        else if (k->k[7] == t1_s)
            t1[npt - 1] = v * 1e3;
    }
    for (size_t i = 0; i < n; i++)
        rows->keys[i].x = round3(t1[pt[i]]);
    free(pt);
    free(t1);
    return CB_OK;
}

typedef struct measured {
    uint32_t nodes;
    double x; /* the point's key */
    double t1_ms, tn_ms, speedup, eff;
} measured_t;

static double metric_of(const rep_t *r, const rep_agg_t *ag, size_t lo, size_t hi, uint32_t nodes,
                        double x, const char *name)
{
    uint32_t m = rep_rank_of(r, name);
    if (m == REP_NONE)
        return NAN;
    for (size_t i = lo; i < hi; i++)
        if (ag[i].k[6] == nodes && ag[i].k[7] == m && ag[i].x == x)
            return ag[i].v[0];
    return NAN;
}

static double ms_metric(const rep_t *r, const rep_agg_t *ag, size_t lo, size_t hi,
                        uint32_t nodes, double x, const char *base)
{
    char name[64];
    snprintf(name, sizeof name, "%s_ms", base);
    double v = metric_of(r, ag, lo, hi, nodes, x, name);
    if (isnan(v)) {
        snprintf(name, sizeof name, "%s_us", base);
        v = metric_of(r, ag, lo, hi, nodes, x, name) / 1e3;
    }
    if (isnan(v)) {
        snprintf(name, sizeof name, "%s_s", base);
        v = metric_of(r, ag, lo, hi, nodes, x, name) * 1e3;
    }
    return v;
}

static void measure(const rep_t *r, const rep_agg_t *ag, size_t lo, size_t hi, uint32_t nodes,
                    double x, measured_t *m)
{
    m->nodes = nodes;
    m->x = x;
    m->t1_ms = ms_metric(r, ag, lo, hi, nodes, x, "t1");
    m->tn_ms = ms_metric(r, ag, lo, hi, nodes, x, "tn");
    m->speedup = metric_of(r, ag, lo, hi, nodes, x, "speedup");
    if (isnan(m->speedup))
        m->speedup = nodes * m->t1_ms / m->tn_ms;
    m->eff = metric_of(r, ag, lo, hi, nodes, x, "efficiency");
    if (isnan(m->eff))
        m->eff = m->speedup / nodes;
}

/* Measured break-even of node count N from its points ms[] (ascending T1):
 * where the speedup crosses 1, interpolated in log T1; with one point, the
 * step time at which its overhead T_N - T1, if it stayed fixed, is paid
 * back: N·T1 = T1 + overhead. NaN when neither applies. *how says which. */
static double measured_breakeven(const measured_t *ms, size_t n, uint32_t nodes,
                                 const char **how)
{
    const measured_t *prev = NULL;
    size_t cnt = 0;
    const measured_t *only = NULL;
    *how = "";
    for (size_t i = 0; i < n; i++) {
        const measured_t *m = &ms[i];
        if (m->nodes != nodes || !(m->t1_ms > 0) || !isfinite(m->speedup))
            continue;
        cnt++;
        only = m;
        if (prev && (prev->speedup - 1) * (m->speedup - 1) <= 0 && prev->speedup != m->speedup) {
            double f = (1 - prev->speedup) / (m->speedup - prev->speedup);
            *how = "interpolated";
            return exp(log(prev->t1_ms) + f * (log(m->t1_ms) - log(prev->t1_ms)));
        }
        prev = m;
    }
    if (cnt == 1 && nodes > 1 && isfinite(only->tn_ms)) {
        double over = only->tn_ms - only->t1_ms;
        *how = "from overhead";
        return over > 0 ? over / (nodes - 1) : NAN;
    }
    return NAN;
}

/* One DDP plot (and the model tables) for a cluster: measured points ms[]
 * (ascending nodes, then T1; may be empty) and model curves from the
 * all-reduce medians ar for each node count in nodes[]; counted in *nplots. */
static void ddp_plot(rep_t *r, const rep_ar_t *ar, size_t *nplots, const char *title,
                     uint32_t cluster, uint32_t transport, double grad_bytes, int overlap,
                     const uint32_t *nodes, size_t nn, const measured_t *ms, size_t nms)
{
    rep_series_t set = {0};
    cb_svg_ref_t *refs = cb_doc_alloc(r->doc, (nn + 1) * sizeof *refs);
    if (!refs)
        return;
    size_t nrefs = 0;
    refs[nrefs++] = (cb_svg_ref_t){"speedup 1 (break-even)", 1, 0, CB_SVG_COLOR_AUTO};

    rep_wl_agg_t *wa = NULL;
    size_t nwa = r->w && r->w->step_time ? rep_wl_aggregate(r->w, &wa) : 0;
    const rep_wl_agg_t *wb = rep_wl_base(wa, nwa, r->o->baseline_nodes);

    double xlo = INFINITY, xhi = -INFINITY;
    cb_ddp_config_t cfg;
    int have_g = grad_bytes >= 1 && grad_bytes < 1.8e19;
    if (have_g) {
        cb_ddp_config_default(&cfg, (uint64_t)grad_bytes);
        cfg.overlap = overlap;
    }
    cb_ddp_curve_t *curves = calloc(nn ? nn : 1, sizeof *curves);
    double *be = malloc((nn ? nn : 1) * sizeof *be), *mbe = malloc((nn ? nn : 1) * sizeof *mbe);
    const char **how = calloc(nn ? nn : 1, sizeof *how);
    char (*src)[96] = calloc(nn ? nn : 1, sizeof *src);
    int *ok = calloc(nn ? nn : 1, sizeof *ok);
    if (!curves || !be || !mbe || !how || !src || !ok) {
        r->oom = 1;
        goto out;
    }
    for (size_t i = 0; i < nn; i++) {
        be[i] = NAN;
        mbe[i] = measured_breakeven(ms, nms, nodes[i], &how[i]);
        if (mbe[i] > 0) {
            xlo = fmin(xlo, mbe[i]);
            xhi = fmax(xhi, mbe[i]);
        }
        if (!have_g)
            continue;
        int rc = model_curve(r, ar, cluster, nodes[i], transport, &curves[i], src[i],
                             sizeof src[i]);
        if (rc == CB_ERR_NOMEM) {
            r->oom = 1;
            goto out;
        }
        if (rc < 0)
            continue;
        double us;
        if (cb_ddp_breakeven_step(&cfg, &curves[i], (int)nodes[i], &us) == CB_OK) {
            ok[i] = 1;
            be[i] = us / 1e3;
            if (be[i] > 0) {
                xlo = fmin(xlo, be[i]);
                xhi = fmax(xhi, be[i]);
            }
        }
    }
    for (size_t i = 0; i < nms; i++)
        if (ms[i].t1_ms > 0) {
            xlo = fmin(xlo, ms[i].t1_ms);
            xhi = fmax(xhi, ms[i].t1_ms);
        }
    if (wb && wb->v > 0) {
        xlo = fmin(xlo, wb->v);
        xhi = fmax(xhi, wb->v);
    }
    if (!isfinite(xlo)) {
        xlo = 1;
        xhi = 1000;
    }
    xlo = pow(10, floor(log10(xlo / 5))); /* whole decades: the curve spans the axis */
    xhi = pow(10, ceil(log10(xhi * 20)));

    for (size_t i = 0; i < nn; i++) {
        int color = (int)i;
        if (ok[i]) {
            cb_svg_series_t *s =
                rep_series_add(r, &set, cb_doc_printf(r->doc, "%u nodes: model", nodes[i]),
                               MODEL_POINTS);
            if (!s)
                goto out;
            s->marker = CB_SVG_MARK_NONE;
            s->dashed = 1;
            s->color = color;
            for (int k = 0; k < MODEL_POINTS; k++) {
                double t1 = xlo * pow(xhi / xlo, (double)k / (MODEL_POINTS - 1));
                cb_ddp_timeline_t tl;
                if (cb_ddp_step_time(&cfg, &curves[i], (int)nodes[i], t1 * 1e3, &tl) == CB_OK)
                    rep_series_pt(s, t1, tl.speedup);
                cb_ddp_timeline_free(&tl);
            }
            refs[nrefs++] = (cb_svg_ref_t){
                cb_doc_printf(r->doc, "%u nodes: model break-even %.3g ms", nodes[i], be[i]),
                be[i], 1, color};
        }
        size_t cnt = 0;
        for (size_t j = 0; j < nms; j++)
            cnt += ms[j].nodes == nodes[i];
        if (cnt) {
            cb_svg_series_t *s = rep_series_add(
                r, &set, cb_doc_printf(r->doc, "%u nodes: measured", nodes[i]), cnt);
            if (!s)
                goto out;
            s->marker = CB_SVG_MARK_CIRCLE;
            s->color = color;
            for (size_t j = 0; j < nms; j++)
                if (ms[j].nodes == nodes[i] && ms[j].t1_ms > 0)
                    rep_series_pt(s, ms[j].t1_ms, ms[j].speedup);
        }
        if (mbe[i] > 0) {
            cb_svg_series_t *s = rep_series_add(
                r, &set,
                cb_doc_printf(r->doc, "%u nodes: measured break-even %.3g ms", nodes[i], mbe[i]),
                1);
            if (!s)
                goto out;
            s->line = 0;
            s->marker = CB_SVG_MARK_DIAMOND;
            s->color = color;
            rep_series_pt(s, mbe[i], 1);
        }
    }
    for (size_t i = 0; i < nwa && wb; i++) {
        if (wa[i].nodes == wb->nodes)
            continue;
        double sp, ef;
        rep_wl_speedup(r->w, &wa[i], wb, &sp, &ef);
        cb_svg_series_t *s = rep_series_add(
            r, &set, cb_doc_printf(r->doc, "your workload: %d nodes", wa[i].nodes), 1);
        if (!s)
            goto out;
        s->line = 0;
        s->marker = CB_SVG_MARK_SQUARE;
        s->color = (int)(nn + i) % CB_SVG_NCOLORS;
        rep_series_pt(s, wb->v, sp);
    }
    rep_plot_speedup(r, title, &set, refs, nrefs);
    (*nplots)++;

    char gb[32], b[8][48];
    if (have_g)
        cb_doc_para(r->doc,
                    "Model (cb_ddp.h, as clusterbench breakeven): gradients %s (%.0f B), "
                    "PyTorch DDP buckets (1 MiB first, then 25 MiB), backward 2/3 of the step, "
                    "all-reduce %s; all-reduce times from this cluster's all-reduce medians.",
                    rep_fmt_bytes(gb, sizeof gb, grad_bytes), grad_bytes,
                    overlap ? "overlapped with backward" : "after backward (no overlap)");
    else
        cb_doc_note(r->doc, "No gradient size (the DDP rows' bytes column, a grad_bytes metric "
                            "or --grad-bytes): no model curve.");
    static const char *const hb[] = {"nodes", "model break-even T1 ms", "measured break-even T1 ms",
                                     "measured how", "model from"};
    cb_doc_table_t *tb = cb_doc_table(r->doc, 5, hb, "rrrll");
    for (size_t i = 0; i < nn; i++) {
        cb_doc_row(tb);
        cb_doc_cell(tb, 0, "%u", nodes[i]);
        cb_doc_cell_str(tb, 0, rep_fmt(b[0], sizeof b[0], be[i]));
        cb_doc_cell_str(tb, 0, rep_fmt(b[1], sizeof b[1], mbe[i]));
        cb_doc_cell_str(tb, 0, *how[i] && isfinite(mbe[i]) ? how[i] : REP_DASH);
        cb_doc_cell_str(tb, 0, ok[i] ? src[i] : have_g ? "fewer than 2 all-reduce sizes" : REP_DASH);
    }
    cb_doc_note(r->doc, "measured break-even: where the measured speedup crosses 1 "
                        "(interpolated in log T1), or with a single point the step time at "
                        "which its overhead T_N - T1, if it stayed fixed, is paid back: "
                        "(T_N - T1) / (N - 1).");
    if (!nms)
        goto whatif;
    static const char *const hp[] = {"nodes", "T1 ms", "T_N ms", "speedup", "efficiency",
                                     "model T_N ms", "model speedup", "verdict"};
    tb = cb_doc_table(r->doc, 8, hp, "rrrrrrrl");
    for (size_t j = 0; j < nms; j++) {
        const measured_t *m = &ms[j];
        size_t i = 0;
        while (i < nn && nodes[i] != m->nodes)
            i++;
        double mt = NAN, msp = NAN;
        if (i < nn && ok[i] && m->t1_ms > 0) {
            cb_ddp_timeline_t tl;
            if (cb_ddp_step_time(&cfg, &curves[i], (int)m->nodes, m->t1_ms * 1e3, &tl) == CB_OK) {
                mt = tl.ddp_step_us / 1e3;
                msp = tl.speedup;
            }
            cb_ddp_timeline_free(&tl);
        }
        cb_doc_row(tb);
        cb_doc_cell(tb, 0, "%u", m->nodes);
        cb_doc_cell_str(tb, 0, rep_fmt(b[0], sizeof b[0], m->t1_ms));
        cb_doc_cell_str(tb, 0, rep_fmt(b[1], sizeof b[1], m->tn_ms));
        cb_doc_cell_str(tb, 0, rep_fmt_fixed(b[2], sizeof b[2], m->speedup, 3));
        cb_doc_cell_str(tb, 0, rep_fmt_pct(b[3], sizeof b[3], m->eff));
        cb_doc_cell_str(tb, 0, rep_fmt(b[4], sizeof b[4], mt));
        cb_doc_cell_str(tb, 0, rep_fmt_fixed(b[5], sizeof b[5], msp, 3));
        if (isfinite(m->speedup)) {
            cb_ddp_verdict_t v = cb_ddp_verdict(m->speedup, m->eff, CB_DDP_THRESHOLD_DEFAULT);
            cb_doc_cell_str(tb, v == CB_DDP_STAY_ONE_NODE ? CB_DOC_CELL_BAD
                                : v == CB_DDP_USE_DDP   ? CB_DOC_CELL_GOOD
                                                        : 0,
                            cb_ddp_verdict_text(v));
        } else {
            cb_doc_cell_str(tb, 0, REP_DASH);
        }
    }
    cb_doc_note(r->doc, "verdict at %.0f%% efficiency (as clusterbench breakeven).",
                100 * CB_DDP_THRESHOLD_DEFAULT);
whatif:
    /* The what-if picture on the largest node count with a model curve. */
    for (size_t i = nn; i-- > 0;) {
        if (!ok[i])
            continue;
        double *mx = malloc((nms ? nms : 1) * sizeof *mx), *my = malloc((nms ? nms : 1) * sizeof *my);
        size_t m = 0;
        if (!mx || !my) {
            r->oom = 1;
        } else {
            for (size_t j = 0; j < nms; j++)
                if (ms[j].nodes == nodes[i] && ms[j].t1_ms > 0 && isfinite(ms[j].speedup)) {
                    mx[m] = ms[j].t1_ms;
                    my[m++] = ms[j].speedup;
                }
            rep_whatif_plot(r, nplots, rep_str(r, cluster), &cfg, &curves[i], nodes[i], xlo,
                            xhi, mx, my, m);
        }
        free(mx);
        free(my);
        break;
    }
out:
    for (size_t i = 0; curves && i < nn; i++)
        cb_ddp_curve_free(&curves[i]);
    free(curves);
    free(be);
    free(mbe);
    free(how);
    free(src);
    free(ok);
    free(wa);
}

typedef struct npoint {
    uint32_t nodes;
    double x;
} npoint_t;

static int cmp_npoint(const void *a, const void *b)
{
    const npoint_t *p = a, *q = b;
    if (p->nodes != q->nodes)
        return p->nodes < q->nodes ? -1 : 1;
    return (p->x > q->x) - (p->x < q->x);
}

static void ddp_config(rep_t *r, const rep_ar_t *ar, size_t *nplots, const rep_agg_t *ag,
                       size_t lo, size_t hi)
{
    uint32_t B = (uint32_t)r->o->baseline_nodes;
    const rep_agg_t *a0 = &ag[lo];
    const char *cl = rep_cluster_name(rep_str(r, a0->k[0]));
    char label[400];
    size_t ll = 0;
    for (int s = 1; s < DDP_CFG && ll < sizeof label; s++) {
        const char *v = rep_str(r, a0->k[s]);
        char bb[32], *end;
        double x = strtod(v, &end);
        if (s == 5 && *v && !*end)
            v = rep_fmt_bytes(bb, sizeof bb, x);
        if (*v)
            ll += (size_t)snprintf(label + ll, sizeof label - ll, "%s%s%s", ll ? ", " : "",
                                   s == 5 ? "gradients " : "", v);
    }
    const char *op = rep_str(r, a0->k[4]);
    int overlap = !strstr(op, "no-overlap") && !strstr(op, "nooverlap") &&
                  !strstr(op, "no_overlap");
    cb_doc_heading(r->doc, 3, "%s: DDP %s", cl, ll ? label : "(no configuration fields)");

    size_t n = hi - lo, nm = 0, np = 0;
    uint32_t *mets = malloc(n * sizeof *mets), *first = malloc(n * sizeof *first);
    npoint_t *pts = malloc(n * sizeof *pts);
    measured_t *ms = calloc(n, sizeof *ms);
    uint32_t *nodes = malloc(n * sizeof *nodes);
    if (!mets || !first || !pts || !ms || !nodes) {
        r->oom = 1;
        goto out;
    }
    for (size_t i = lo; i < hi; i++) {
        size_t k = 0;
        while (k < nm && mets[k] != ag[i].k[7])
            k++;
        if (k == nm) {
            mets[nm] = ag[i].k[7];
            first[nm++] = ag[i].first_row;
        } else if (ag[i].first_row < first[k]) {
            first[k] = ag[i].first_row;
        }
        pts[np].nodes = ag[i].k[6];
        pts[np++].x = ag[i].x;
    }
    qsort(pts, np, sizeof *pts, cmp_npoint);
    size_t nu = 0;
    for (size_t i = 0; i < np; i++)
        if (!nu || cmp_npoint(&pts[i], &pts[nu - 1]))
            pts[nu++] = pts[i];
    np = nu;
    for (size_t i = 1; i < nm; i++) /* metric columns by first appearance */
        for (size_t j = i; j > 0 && first[j] < first[j - 1]; j--) {
            uint32_t t = first[j];
            first[j] = first[j - 1];
            first[j - 1] = t;
            t = mets[j];
            mets[j] = mets[j - 1];
            mets[j - 1] = t;
        }
    const char **h = cb_doc_alloc(r->doc, (nm + 1) * sizeof *h);
    char *align = cb_doc_alloc(r->doc, nm + 2);
    if (!h || !align)
        goto out;
    h[0] = "nodes";
    for (size_t k = 0; k < nm; k++)
        h[k + 1] = rep_str(r, mets[k]);
    memset(align, 'r', nm + 1);

    /* measured points, model and plot first; the raw metrics table last */
    size_t nn = 0, nms = 0;
    for (size_t i = 0; i < np; i++) {
        if (pts[i].nodes < 2)
            continue;
        measure(r, ag, lo, hi, pts[i].nodes, pts[i].x, &ms[nms++]);
        if (!nn || nodes[nn - 1] != pts[i].nodes)
            nodes[nn++] = pts[i].nodes;
    }
    double g = r->o->grad_bytes;
    if (!isfinite(g)) {
        char *end;
        double bytes = strtod(rep_str(r, a0->k[5]), &end);
        g = *rep_str(r, a0->k[5]) && !*end && bytes >= 1 ? bytes : NAN;
    }
    for (size_t i = 0; i < np && !isfinite(g); i++)
        g = metric_of(r, ag, lo, hi, pts[i].nodes, pts[i].x, "grad_bytes");
    if (nn)
        ddp_plot(r, ar, nplots,
                 cb_doc_printf(r->doc,
                               "DDP speedup against single-node step time \xE2\x80\x94 %s%s%s", cl,
                               ll ? ", " : "", ll ? label : ""),
                 a0->k[0], a0->k[1], g, overlap, nodes, nn, ms, nms);
    else
        cb_doc_note(r->doc, "Only single-node DDP rows: no speedup to plot.");

    cb_doc_para(r->doc, "Every metric of the DDP rows (medians per node count and step time):");
    cb_doc_table_t *tb = cb_doc_table(r->doc, nm + 1, h, align);
    char b[48];
    for (size_t i = 0; i < np; i++) {
        cb_doc_row(tb);
        cb_doc_cell(tb, 0, "%u", pts[i].nodes);
        for (size_t k = 0; k < nm; k++)
            cb_doc_cell_str(tb, 0, rep_fmt(b, sizeof b,
                                           metric_of(r, ag, lo, hi, pts[i].nodes, pts[i].x,
                                                     rep_str(r, mets[k]))));
    }
    /* summary: every metric beside the baseline node count's at the same step time */
    for (size_t i = lo; i < hi; i++) {
        const rep_agg_t *a = &ag[i];
        const rep_agg_t *bs = NULL;
        if (a->k[6] != B)
            for (size_t q = lo; q < hi; q++)
                if (ag[q].k[6] == B && ag[q].k[7] == a->k[7] && ag[q].x == a->x)
                    bs = &ag[q];
        const measured_t *m = NULL;
        for (size_t q = 0; q < nms; q++)
            if (ms[q].nodes == a->k[6] && ms[q].x == a->x)
                m = &ms[q];
        cb_report_sum_row_t *s = rep_sum_add(r, "ddp");
        if (!s)
            goto out;
        s->cluster = rep_str(r, a->k[0]);
        s->transport = rep_str(r, a->k[1]);
        s->memory = rep_str(r, a->k[2]);
        s->dtype = rep_str(r, a->k[3]);
        s->op = rep_str(r, a->k[4]);
        char *end;
        double bytes = strtod(rep_str(r, a->k[5]), &end);
        s->bytes = *rep_str(r, a->k[5]) && !*end ? bytes : NAN;
        s->metric = rep_str(r, a->k[7]);
        s->nodes = (int)a->k[6];
        s->baseline_nodes = (int)B;
        s->value = a->v[0];
        s->baseline_value = bs ? bs->v[0] : NAN;
        s->ratio = s->value / s->baseline_value;
        s->change_pct = (s->ratio - 1) * 100;
        s->speedup = m ? m->speedup : NAN;
        s->efficiency = m ? m->eff : NAN;
        s->rows = a->n;
        s->baseline_rows = bs ? bs->n : 0;
    }
out:
    free(mets);
    free(first);
    free(pts);
    free(ms);
    free(nodes);
}

/* Without DDP rows: the model alone, when --grad-bytes is given. */
static void model_only(rep_t *r, const rep_ar_t *ar, size_t *nplots)
{
    const rep_agg_t *ag = ar->agg;
    size_t n = ar->n;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && ag[j].k[0] == ag[i].k[0])
            j++;
        uint32_t *nodes = malloc((j - i) * sizeof *nodes); /* every node count */
        if (!nodes) {
            r->oom = 1;
            return;
        }
        size_t nn = 0;
        for (size_t q = i; q < j; q++) {
            if (ag[q].k[7] < 2)
                continue;
            size_t k = 0;
            while (k < nn && nodes[k] != ag[q].k[7])
                k++;
            if (k == nn)
                nodes[nn++] = ag[q].k[7];
        }
        for (size_t a = 1; a < nn; a++)
            for (size_t b = a; b > 0 && nodes[b] < nodes[b - 1]; b--) {
                uint32_t t = nodes[b];
                nodes[b] = nodes[b - 1];
                nodes[b - 1] = t;
            }
        if (nn) {
            const char *cl = rep_cluster_name(rep_str(r, ag[i].k[0]));
            cb_doc_heading(r->doc, 3, "%s: DDP model", cl);
            ddp_plot(r, ar, nplots,
                     cb_doc_printf(r->doc, "DDP speedup (model) against single-node step time "
                                           "\xE2\x80\x94 %s",
                                   cl),
                     ag[i].k[0], REP_NONE, r->o->grad_bytes, 1, nodes, nn, NULL, 0);
        }
        free(nodes);
        i = j;
    }
}

int rep_section_ddp(rep_t *r, const rep_ar_t *ar, size_t *nplots)
{
    rep_agg_t *ag; /* v: value */
    size_t n;
    int rc = ddp_points(r);
    if (rc == CB_OK)
        rc = rep_aggregate(r, &r->ddp, 1, &ag, &n);
    if (rc < 0)
        return rc;
    cb_doc_heading(r->doc, 2, "DDP");
    if (!n) {
        cb_doc_para(r->doc, "No DDP rows (benchmark=ddp, status=ok, with a metric and value) in "
                            "the input.");
        if (isfinite(r->o->grad_bytes))
            model_only(r, ar, nplots);
        else
            cb_doc_note(r->doc, "With --grad-bytes the model alone is drawn from the all-reduce "
                                "rows.");
        return r->oom ? CB_ERR_NOMEM : CB_OK;
    }
    cb_doc_para(r->doc,
                "Speedup = N x T1 / T_N at a fixed per-GPU batch (throughput on N nodes over one "
                "node), efficiency = speedup / N. Measured points come from the DDP rows "
                "(t1_ms, tn_ms, speedup, efficiency; *_us also read); the curves are the "
                "break-even model fed with the all-reduce medians of the same cluster.");
    for (size_t i = 0; i < n && !r->oom;) {
        size_t j = i + 1;
        while (j < n && rep_agg_same_k(&ag[j], &ag[i], DDP_CFG))
            j++;
        ddp_config(r, ar, nplots, ag, i, j);
        i = j;
    }
    free(ag);
    return r->oom ? CB_ERR_NOMEM : CB_OK;
}
