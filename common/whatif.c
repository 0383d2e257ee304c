/* whatif: the table of levers behind `clusterbench breakeven --what-if`
 * (cb_whatif.h): each lever alone and in the combinations that matter, the
 * inverse questions, and where each row must not be trusted. Pure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_whatif.h"

static const cb_whatif_measured_t *find_measured(const cb_whatif_input_t *in, int nodes)
{
    for (size_t i = 0; i < in->nmeasured; i++)
        if (in->measured[i].nodes == nodes)
            return &in->measured[i];
    return NULL;
}

static int link_unconfirmed(double f)
{
    return f < CB_WHATIF_LINK_CONFIRMED_MIN * (1 - 1e-9) ||
           f > CB_WHATIF_LINK_CONFIRMED_MAX * (1 + 1e-9);
}

int cb_whatif_eval(const cb_whatif_input_t *in, int nodes, double link_factor,
                   uint64_t grad_bytes, int k, cb_whatif_row_t *row)
{
    memset(row, 0, sizeof *row);
    row->nodes = nodes;
    row->link_factor = link_factor;
    row->grad_bytes = grad_bytes;
    row->k = k;
    row->step_us = row->ddp_step_us = row->speedup = row->efficiency = NAN;
    row->gain = row->fit_r2 = NAN;
    if (!in || in->nmeasured == 0 || nodes < 2 || !(link_factor > 0) || !isfinite(link_factor) ||
        grad_bytes == 0 || k < 1)
        return CB_ERR_USAGE;
    const cb_whatif_measured_t *m = find_measured(in, nodes);
    const cb_whatif_measured_t *base = m ? m : &in->measured[in->nmeasured - 1];
    cb_ddp_curve_t ext, scaled;
    cb_ddp_timeline_t tl;
    memset(&ext, 0, sizeof ext);
    memset(&scaled, 0, sizeof scaled);
    memset(&tl, 0, sizeof tl);
    const cb_ddp_curve_t *curve = base->curve;
    cb_ddp_config_t cfg = m ? m->cfg : in->extra_cfg;
    int rc = CB_OK, leans_on_fit = 0;
    row->fit_r2 = base->curve->fit.r2;
    if (!m) {
        rc = cb_ddp_curve_for_nodes(base->curve, base->nodes, nodes, &ext);
        if (rc)
            goto out;
        curve = &ext;
        row->warn |= CB_WHATIF_WARN_NODES_EXTRAP;
        leans_on_fit = 1;
    }
    if (link_factor != 1) {
        rc = cb_ddp_curve_scale_link(curve, link_factor, &scaled);
        if (rc)
            goto out;
        curve = &scaled;
        leans_on_fit = 1;
        if (link_unconfirmed(link_factor))
            row->warn |= CB_WHATIF_WARN_LINK_UNCONFIRMED;
    }
    cfg.grad_bytes = grad_bytes;
    cb_ddp_accum_t a;
    rc = cb_ddp_accum_step(&cfg, curve, nodes, in->step_us, k, &a, &tl);
    if (rc)
        goto out;
    for (size_t b = 0; b < tl.nbuckets; b++)
        if (tl.buckets[b].extrapolated) {
            row->warn |= CB_WHATIF_WARN_SIZES_EXTRAP;
            leans_on_fit = 1;
        }
    if (leans_on_fit && !(row->fit_r2 >= CB_WHATIF_R2_MIN))
        row->warn |= CB_WHATIF_WARN_POOR_FIT;
    row->step_us = a.step_us;
    row->ddp_step_us = a.ddp_step_us;
    row->speedup = a.speedup;
    row->efficiency = a.efficiency;
    row->verdict = cb_ddp_verdict(a.speedup, a.efficiency, in->threshold);
out:
    cb_ddp_timeline_free(&tl);
    cb_ddp_curve_free(&scaled);
    cb_ddp_curve_free(&ext);
    return rc;
}

/* A growing array of rows. */
typedef struct rows {
    cb_whatif_row_t *v;
    size_t n, cap;
} rows_t;

static cb_whatif_row_t *push(rows_t *r)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 32;
        cb_whatif_row_t *v = realloc(r->v, cap * sizeof *v);
        if (!v)
            return NULL;
        r->v = v;
        r->cap = cap;
    }
    return &r->v[r->n++];
}

/* Evaluate and append a row with its label. */
static int add(rows_t *r, const cb_whatif_input_t *in, cb_whatif_kind_t kind, int nodes, double f,
               uint64_t g, int k, const char *lever, const char *name)
{
    cb_whatif_row_t *row = push(r);
    if (!row)
        return CB_ERR_NOMEM;
    int rc = cb_whatif_eval(in, nodes, f, g, k, row);
    row->kind = kind;
    snprintf(row->lever, sizeof row->lever, "%s", lever);
    snprintf(row->name, sizeof row->name, "%s", name);
    return rc;
}

/* An inverse row without a finite solution: values NaN, `never` says
 * whether that means no solution (else: any value does). */
static int add_unsolved(rows_t *r, const cb_whatif_input_t *in, int never, double f, uint64_t g,
                        int k, const char *lever, const char *name)
{
    cb_whatif_row_t *row = push(r);
    if (!row)
        return CB_ERR_NOMEM;
    memset(row, 0, sizeof *row);
    row->kind = CB_WHATIF_INVERSE;
    row->nodes = in->nodes;
    row->link_factor = f;
    row->grad_bytes = g;
    row->k = k;
    row->step_us = row->ddp_step_us = row->speedup = row->efficiency = NAN;
    row->gain = row->fit_r2 = NAN;
    row->warn = never ? CB_WHATIF_WARN_NEVER : 0;
    snprintf(row->lever, sizeof row->lever, "%s", lever);
    snprintf(row->name, sizeof row->name, "%s", name);
    return CB_OK;
}

static int check_input(const cb_whatif_input_t *in)
{
    if (!in || !in->measured || in->nmeasured == 0 || !(in->step_us > 0) ||
        !isfinite(in->step_us) || !(in->threshold > 0 && in->threshold <= 1) ||
        !find_measured(in, in->nodes))
        return CB_ERR_USAGE;
    for (size_t i = 0; i < in->nmeasured; i++)
        if (in->measured[i].nodes < 2 || !in->measured[i].curve ||
            (i && in->measured[i].nodes <= in->measured[i - 1].nodes))
            return CB_ERR_USAGE;
    for (size_t i = 0; i < in->nlink; i++)
        if (!(in->link_factors[i] > 0) || !isfinite(in->link_factors[i]) ||
            in->link_factors[i] == 1)
            return CB_ERR_USAGE;
    for (size_t i = 0; i < in->nk; i++)
        if (in->ks[i] < 2)
            return CB_ERR_USAGE;
    int last = in->measured[in->nmeasured - 1].nodes;
    for (size_t i = 0; i < in->nextra; i++) {
        if (in->extra_nodes[i] <= last)
            return CB_ERR_USAGE;
        last = in->extra_nodes[i];
    }
    return CB_OK;
}

/* The three inverse questions at in->nodes and T1. */
static int add_inverse(rows_t *r, const cb_whatif_input_t *in, uint64_t g)
{
    const cb_whatif_measured_t *m = find_measured(in, in->nodes);
    cb_ddp_config_t cfg = m->cfg;
    cfg.grad_bytes = g;
    char lever[64];
    double f;
    int rc = cb_ddp_min_link_factor(&cfg, m->curve, in->nodes, in->step_us, 1, in->threshold, &f);
    if (rc)
        return rc;
    snprintf(lever, sizeof lever, "smallest link for eff >= %.2f", in->threshold);
    rc = isfinite(f) ? add(r, in, CB_WHATIF_INVERSE, in->nodes, f, g, 1, lever, "min_link")
                     : add_unsolved(r, in, 1, INFINITY, g, 1, lever, "min_link");
    if (rc)
        return rc;
    uint64_t gmax;
    rc = cb_ddp_max_grad_bytes_eff(&cfg, m->curve, in->nodes, in->step_us, in->threshold, &gmax);
    if (rc)
        return rc;
    snprintf(lever, sizeof lever, "largest gradients for eff >= %.2f", in->threshold);
    rc = gmax == 0 || gmax == CB_DDP_GRAD_BYTES_UNBOUNDED
             ? add_unsolved(r, in, gmax == 0, 1, gmax, 1, lever, "max_grad")
             : add(r, in, CB_WHATIF_INVERSE, in->nodes, 1, gmax, 1, lever, "max_grad");
    if (rc)
        return rc;
    int k;
    rc = cb_ddp_min_accumulation(&cfg, m->curve, in->nodes, in->step_us, in->threshold,
                                 CB_WHATIF_K_MAX, &k);
    if (rc)
        return rc;
    snprintf(lever, sizeof lever, "smallest k for eff >= %.2f", in->threshold);
    return k == CB_DDP_NEVER_K ? add_unsolved(r, in, 1, 1, g, CB_DDP_NEVER_K, lever, "min_k")
                               : add(r, in, CB_WHATIF_INVERSE, in->nodes, 1, g, k, lever, "min_k");
}

int cb_whatif_table(const cb_whatif_input_t *in, cb_whatif_row_t **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    int rc = check_input(in);
    if (rc)
        return rc;
    rows_t r = {0};
    const cb_whatif_measured_t *m = find_measured(in, in->nodes);
    uint64_t g = m->cfg.grad_bytes, half = g / 2 ? g / 2 : 1;
    int N = in->nodes;
    char lever[64], name[32];
    const char *hl = "bf16/fp16 gradients";

    if ((rc = add(&r, in, CB_WHATIF_TODAY, N, 1, g, 1, "today", "today")))
        goto out;
    for (size_t i = 0; i < in->nlink; i++) {
        snprintf(lever, sizeof lever, "link x%g", in->link_factors[i]);
        snprintf(name, sizeof name, "link_x%g", in->link_factors[i]);
        if ((rc = add(&r, in, CB_WHATIF_LEVER, N, in->link_factors[i], g, 1, lever, name)))
            goto out;
    }
    if (in->grad_fp32 && (rc = add(&r, in, CB_WHATIF_LEVER, N, 1, half, 1, hl, "half")))
        goto out;
    for (size_t i = 0; i < in->nk; i++) {
        snprintf(lever, sizeof lever, "accumulate k=%d", in->ks[i]);
        snprintf(name, sizeof name, "k%d", in->ks[i]);
        if ((rc = add(&r, in, CB_WHATIF_LEVER, N, 1, g, in->ks[i], lever, name)))
            goto out;
    }
    for (size_t i = 0; i < in->nmeasured + in->nextra; i++) {
        int nn = i < in->nmeasured ? in->measured[i].nodes : in->extra_nodes[i - in->nmeasured];
        if (nn == N)
            continue;
        snprintf(lever, sizeof lever, "N=%d%s", nn, i < in->nmeasured ? "" : " (ring model)");
        snprintf(name, sizeof name, "nodes%d", nn);
        if ((rc = add(&r, in, CB_WHATIF_NODES, nn, 1, g, 1, lever, name)))
            goto out;
    }
    for (size_t i = 0; in->grad_fp32 && i < in->nlink; i++) {
        snprintf(lever, sizeof lever, "link x%g + bf16/fp16", in->link_factors[i]);
        snprintf(name, sizeof name, "link_x%g+half", in->link_factors[i]);
        if ((rc = add(&r, in, CB_WHATIF_COMBO, N, in->link_factors[i], half, 1, lever, name)))
            goto out;
    }
    for (size_t i = 0; in->grad_fp32 && i < in->nk; i++) {
        snprintf(lever, sizeof lever, "bf16/fp16 + k=%d", in->ks[i]);
        snprintf(name, sizeof name, "half+k%d", in->ks[i]);
        if ((rc = add(&r, in, CB_WHATIF_COMBO, N, 1, half, in->ks[i], lever, name)))
            goto out;
    }
    for (size_t i = 0; in->nlink && i < in->nk; i++) {
        snprintf(lever, sizeof lever, "link x%g + k=%d", in->link_factors[0], in->ks[i]);
        snprintf(name, sizeof name, "link_x%g+k%d", in->link_factors[0], in->ks[i]);
        if ((rc = add(&r, in, CB_WHATIF_COMBO, N, in->link_factors[0], g, in->ks[i], lever, name)))
            goto out;
    }
    if ((rc = add_inverse(&r, in, g)))
        goto out;
    for (size_t i = 0; i < r.n; i++)
        r.v[i].gain = r.v[i].speedup / r.v[0].speedup;
out:
    if (rc) {
        free(r.v);
        return rc;
    }
    *out = r.v;
    *nout = r.n;
    return CB_OK;
}

static const struct {
    unsigned bit;
    const char *name, *text;
} warnings[CB_WHATIF_NWARN] = {
    {CB_WHATIF_WARN_NODES_EXTRAP, "nodes-extrapolated",
     "node count not measured: all-reduce from the ring model"},
    {CB_WHATIF_WARN_SIZES_EXTRAP, "sizes-extrapolated",
     "a bucket lies outside the measured all-reduce sizes: its time comes from the fit"},
    {CB_WHATIF_WARN_LINK_UNCONFIRMED, "link-unconfirmed",
     "link scale beyond x0.04..x25, the range checked against shaped links"},
    {CB_WHATIF_WARN_POOR_FIT, "poor-fit", "leans on an all-reduce fit with R^2 below 0.95"},
    {CB_WHATIF_WARN_NEVER, "never", "no solution: no value of this lever reaches it"},
};

const char *cb_whatif_warn_text(unsigned bit)
{
    for (size_t i = 0; i < CB_WHATIF_NWARN; i++)
        if (warnings[i].bit == bit)
            return warnings[i].text;
    return "";
}

const char *cb_whatif_warn_name(unsigned bit)
{
    for (size_t i = 0; i < CB_WHATIF_NWARN; i++)
        if (warnings[i].bit == bit)
            return warnings[i].name;
    return "";
}
