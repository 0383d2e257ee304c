/* ddp_whatif: the DDP model's levers (cb_ddp.h "what if"): a faster or
 * slower link (the bandwidth part of the measured all-reduce scaled, the
 * latency kept), another node count by the ring model, gradient
 * accumulation, and the inverse questions (the smallest link, the smallest
 * accumulation that reach an efficiency). Pure: no I/O, no global state.
 * Times in microseconds, sizes in bytes. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_ddp.h"
#include "cb_error.h"

double cb_ddp_curve_latency_us(const cb_ddp_curve_t *c)
{
    if (!c || c->n == 0)
        return NAN;
    double tmin = c->time_us[0];
    for (size_t i = 1; i < c->n; i++)
        if (c->time_us[i] < tmin)
            tmin = c->time_us[i];
    double a = c->fit.alpha_us;
    if (!(a > 0)) /* also NaN */
        a = 0;
    return a < tmin ? a : tmin;
}

/* out = a curve at c's sizes with times a_new + (t - a)·bw_mult. */
static int transform(const cb_ddp_curve_t *c, double a, double a_new, double bw_mult,
                     cb_ddp_curve_t *out)
{
    memset(out, 0, sizeof *out);
    double *t = malloc(c->n * sizeof *t);
    if (!t)
        return CB_ERR_NOMEM;
    for (size_t i = 0; i < c->n; i++)
        t[i] = a_new + (c->time_us[i] - a) * bw_mult;
    int rc = cb_ddp_curve_init(out, c->bytes, t, c->n);
    free(t);
    return rc;
}

int cb_ddp_curve_scale_link(const cb_ddp_curve_t *c, double factor, cb_ddp_curve_t *out)
{
    memset(out, 0, sizeof *out);
    if (!c || c->n < 2 || !(factor > 0) || !isfinite(factor))
        return CB_ERR_USAGE;
    double a = cb_ddp_curve_latency_us(c);
    return transform(c, a, a, 1.0 / factor, out);
}

int cb_ddp_curve_for_nodes(const cb_ddp_curve_t *c, int from_nodes, int nodes,
                           cb_ddp_curve_t *out)
{
    memset(out, 0, sizeof *out);
    if (!c || c->n < 2 || from_nodes < 2 || nodes < 2)
        return CB_ERR_USAGE;
    double a = cb_ddp_curve_latency_us(c);
    double lat = (double)(nodes - 1) / (double)(from_nodes - 1);
    double bw = ((double)(nodes - 1) / nodes) / ((double)(from_nodes - 1) / from_nodes);
    return transform(c, a, a * lat, bw, out);
}

int cb_ddp_accum_step(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                      double step_us, int k, cb_ddp_accum_t *out, cb_ddp_timeline_t *tl)
{
    memset(out, 0, sizeof *out);
    if (k < 1)
        return CB_ERR_USAGE;
    cb_ddp_timeline_t local;
    cb_ddp_timeline_t *t = tl ? tl : &local;
    int rc = cb_ddp_step_time(cfg, curve, nodes, step_us, t);
    if (rc)
        return rc;
    out->k = k;
    out->step_us = k * step_us;
    out->ddp_step_us = (k - 1) * step_us + t->ddp_step_us;
    out->efficiency = out->step_us / out->ddp_step_us;
    out->speedup = nodes * out->efficiency;
    if (!tl)
        cb_ddp_timeline_free(&local);
    return CB_OK;
}

/* Efficiency at a link factor (NaN on error, *rc set). */
static double eff_at(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                     double step_us, int k, double factor, int *rc)
{
    cb_ddp_curve_t scaled;
    *rc = cb_ddp_curve_scale_link(curve, factor, &scaled);
    if (*rc)
        return NAN;
    cb_ddp_accum_t a;
    *rc = cb_ddp_accum_step(cfg, &scaled, nodes, step_us, k, &a, NULL);
    cb_ddp_curve_free(&scaled);
    return *rc ? NAN : a.efficiency;
}

int cb_ddp_min_link_factor(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                           double step_us, int k, double efficiency, double *factor)
{
    *factor = NAN;
    if (cb_ddp_config_check(cfg) < 0 || !curve || curve->n < 2 || nodes < 2 || k < 1 ||
        !(step_us > 0) || !isfinite(step_us) || !(efficiency > 0 && efficiency <= 1))
        return CB_ERR_USAGE;
    int rc;
    double lo = log(1e-6), hi = log(CB_DDP_LINK_FACTOR_MAX);
    double e_hi = eff_at(cfg, curve, nodes, step_us, k, exp(hi), &rc);
    if (rc)
        return rc;
    if (e_hi < efficiency) {
        *factor = INFINITY; /* latency, tail or compute bound */
        return CB_OK;
    }
    double e_lo = eff_at(cfg, curve, nodes, step_us, k, exp(lo), &rc);
    if (rc)
        return rc;
    if (e_lo >= efficiency) {
        *factor = exp(lo);
        return CB_OK;
    }
    /* invariant: lo does not reach the efficiency, hi does */
    while (hi - lo > 1e-9) {
        double mid = (lo + hi) / 2;
        double e = eff_at(cfg, curve, nodes, step_us, k, exp(mid), &rc);
        if (rc)
            return rc;
        if (e >= efficiency)
            hi = mid;
        else
            lo = mid;
    }
    *factor = exp(hi);
    return CB_OK;
}

int cb_ddp_min_accumulation(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                            double step_us, double efficiency, int k_max, int *k)
{
    *k = CB_DDP_NEVER_K;
    if (!(efficiency > 0 && efficiency <= 1) || k_max < 1)
        return CB_ERR_USAGE;
    cb_ddp_timeline_t tl;
    int rc = cb_ddp_step_time(cfg, curve, nodes, step_us, &tl);
    if (rc)
        return rc;
    double over = tl.ddp_step_us - step_us; /* T_N - T1 >= 0 */
    cb_ddp_timeline_free(&tl);
    if (over <= 0) {
        *k = 1;
        return CB_OK;
    }
    if (efficiency >= 1)
        return CB_OK; /* never: every step carries the overhead */
    double need = efficiency * over / ((1.0 - efficiency) * step_us);
    double kk = ceil(need - 1e-12 * need);
    if (kk < 1)
        kk = 1;
    /* k·T1 >= e·((k-1)·T1 + T_N): check the candidate against the rounding. */
    while (kk * step_us < efficiency * ((kk - 1) * step_us + step_us + over) && kk <= k_max)
        kk += 1;
    if (kk > k_max)
        return CB_OK;
    *k = (int)kk;
    return CB_OK;
}
