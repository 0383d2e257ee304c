/* gate_judge: the judging of a loaded gate's checks against a results table
 * (cb_gate_evaluate()): row selection, each kind's verdict (value, spread,
 * zero, no_status) with its summary and failing-row details. Pure: tables in,
 * verdicts out. See cb_gate.h for the contracts. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_gate.h"
#include "cb_size.h"
#include "cb_spread.h"
#include "cb_stats.h"
#include "gate_select.h"
#include "gate_text.h"

#define REL_TOL 1e-9        /* relative tolerance of a bound (rounding in the CSV) */
#define MAX_DETAIL_LINES 20 /* failing rows listed per check */

/* ------------------------------------------------------------ judging */

typedef struct judge {
    const cb_gate_check_t *k;
    const cb_table_t *t;
    const cb_gate_env_t *env;
    cb_gate_result_t *res;
    size_t *idx;
    size_t n;
    gate_labeler_t lab;
    gate_sbuf_t detail;
    size_t ndetail;
} judge_t;

static void set_summary(cb_gate_result_t *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_summary(cb_gate_result_t *res, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->summary, sizeof res->summary, fmt, ap);
    va_end(ap);
}

static void error_at(judge_t *j, size_t r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void error_at(judge_t *j, size_t r, const char *fmt, ...)
{
    char msg[512], where[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    j->res->verdict = CB_GATE_ERROR;
    set_summary(j->res, "%s (%s)", msg, cb_table_where(j->t, r, where, sizeof where));
}

static void add_detail(judge_t *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_detail(judge_t *j, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    j->ndetail++;
    if (j->ndetail <= MAX_DETAIL_LINES)
        gate_sb_printf(&j->detail, "%s\n", line);
}

static void finish_detail(judge_t *j)
{
    if (j->ndetail > MAX_DETAIL_LINES)
        gate_sb_printf(&j->detail, "... and %zu more\n", j->ndetail - MAX_DETAIL_LINES);
    if (j->detail.oom) {
        free(j->detail.s);
        j->detail.s = NULL;
    }
    j->res->detail = j->detail.s;
    j->detail.s = NULL;
}

/* The unit of a row's judged column (the column's own, or the row's). */
static const char *row_unit(const judge_t *j, size_t r)
{
    const gate_column_t *col = gate_column_find(j->k->column);
    return col && col->unit ? col->unit : cb_table_str(j->t, r, CB_COL_UNIT);
}

/* Measured value of row r in the check's unit: NaN when the row has none
 * (then *has_value = 0); -1 (and an ERROR) when its unit cannot be converted. */
static int measured(judge_t *j, size_t r, double *out)
{
    double raw = cb_table_num(j->t, r, j->k->column);
    if (!isfinite(raw)) {
        *out = NAN;
        return 0;
    }
    const char *u = row_unit(j, r);
    double v = gate_convert(raw, u, j->k->unit);
    if (isnan(v)) {
        error_at(j, r, "%s is in '%s', which cannot be expressed in %s",
                 cb_results_column_name(j->k->column), u, j->k->unit);
        return -1;
    }
    *out = v;
    return 1;
}

/* The reference for row r in the check's unit; -1 (and an ERROR) when there
 * is none. */
static int reference(judge_t *j, size_t r, double *out)
{
    const cb_gate_check_t *k = j->k;
    const cb_profile_t *p = j->env ? j->env->profile : NULL;
    switch (k->ref) {
    case CB_GATE_REF_NUMBER:
        *out = k->ref_value;
        return 0;
    case CB_GATE_REF_GOODPUT:
    case CB_GATE_REF_LINE_RATE:
        if (!p) {
            j->res->verdict = CB_GATE_ERROR;
            set_summary(j->res,
                        "reference = %s needs a cluster profile (--profile, or rows whose "
                        "cluster column names a shipped profile)",
                        k->ref == CB_GATE_REF_GOODPUT ? "profile.goodput_gbps"
                                                      : "profile.line_rate_gbps");
            return -1;
        }
        *out = gate_convert(k->ref == CB_GATE_REF_GOODPUT ? cb_profile_goodput_gbps(p)
                                                     : p->line_rate_gbps,
                       "Gbit/s", k->unit);
        return 0;
    case CB_GATE_REF_SPEC: {
        double s = cb_table_num(j->t, r, CB_COL_SPEC_VALUE);
        const char *u = cb_table_str(j->t, r, CB_COL_UNIT);
        if (!(s > 0)) {
            char lbl[256];
            gate_row_label(&j->lab, j->t, r, lbl, sizeof lbl);
            error_at(j, r, "reference = spec: row %s%shas no spec_value (a GPU not in the spec "
                           "table?)",
                     lbl, *lbl ? " " : "");
            return -1;
        }
        *out = gate_convert(s, u, k->unit);
        if (isnan(*out)) {
            error_at(j, r, "spec_value is in '%s', which cannot be expressed in %s", u, k->unit);
            return -1;
        }
        return 0;
    }
    case CB_GATE_REF_NONE:
        break;
    }
    j->res->verdict = CB_GATE_ERROR;
    set_summary(j->res, "no reference");
    return -1;
}

static const char *ref_origin(const judge_t *j, char *buf, size_t len)
{
    const cb_profile_t *p = j->env ? j->env->profile : NULL;
    char lr[32];
    buf[0] = '\0';
    if (p)
        snprintf(lr, sizeof lr, "%g", p->line_rate_gbps);
    switch (j->k->ref) {
    case CB_GATE_REF_GOODPUT:
        if (p->net_kind == CB_NET_ETHERNET)
            snprintf(buf, len, " (TCP goodput of %s Gbit/s at MTU %ld)", lr, p->mtu);
        else
            snprintf(buf, len, " (line rate %s Gbit/s, %s)", lr, cb_net_kind_name(p->net_kind));
        break;
    case CB_GATE_REF_LINE_RATE:
        snprintf(buf, len, " (line rate %s Gbit/s)", lr);
        break;
    case CB_GATE_REF_SPEC:
        snprintf(buf, len, " (spec)");
        break;
    default:
        break;
    }
    return buf;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* stat of v[0..n) (finite values); NaN for n = 0. Sorts v. */
static double aggregate(cb_gate_stat_t st, double *v, size_t n)
{
    if (!n)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    switch (st) {
    case CB_GATE_STAT_MIN: return v[0];
    case CB_GATE_STAT_MAX: return v[n - 1];
    case CB_GATE_STAT_MEAN: {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += v[i];
        return s / (double)n;
    }
    default:
        return cb_stats_median(v, n);
    }
}

/* margin of v inside [lo, hi] relative to ref: negative = outside. */
static double margin(double v, double lo, double hi, double ref)
{
    double m = INFINITY;
    if (!isnan(lo))
        m = fmin(m, (v - lo) / ref);
    if (!isnan(hi))
        m = fmin(m, (hi - v) / ref);
    return m;
}

static void bounds_for(const cb_gate_check_t *k, double ref, double *lo, double *hi)
{
    *lo = isnan(k->lower) ? NAN : ref * (1 + k->lower);
    *hi = isnan(k->upper) ? NAN : ref * (1 + k->upper);
}

static void judge_value(judge_t *j)
{
    const cb_gate_check_t *k = j->k;
    cb_gate_result_t *res = j->res;
    size_t n = j->n;
    double *m = malloc(n * sizeof *m), *ref = malloc(n * sizeof *ref), *tmp = malloc(n * sizeof *tmp);
    if (!m || !ref || !tmp) {
        res->verdict = CB_GATE_ERROR;
        set_summary(res, "out of memory");
        goto out;
    }
    size_t nmissing = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = measured(j, j->idx[i], &m[i]);
        if (rc < 0)
            goto out;
        ref[i] = NAN;
        if (rc == 0) {
            nmissing++;
            continue;
        }
        if (reference(j, j->idx[i], &ref[i]) < 0)
            goto out;
    }
    res->nrows = n;
    char lbl[256], where[512], a[32], b[32], c[32], f1[16], f2[16], org[128];
    const char *colname = cb_results_column_name(k->column);
    /* rows without a value fail the check */
    if (nmissing) {
        res->verdict = CB_GATE_FAIL;
        res->nbad = nmissing;
        gate_sbuf_t who = {0};
        size_t listed = 0;
        for (size_t i = 0; i < n; i++) {
            if (!isnan(m[i]))
                continue;
            size_t r = j->idx[i];
            const char *st = cb_table_str(j->t, r, CB_COL_STATUS);
            gate_row_label(&j->lab, j->t, r, lbl, sizeof lbl);
            if (listed++ < 4)
                gate_sb_printf(&who, "%s%s", who.len ? ", " : "", *lbl ? lbl : "row");
            add_detail(j, "%s: no %s (status %s%s%s) at %s", *lbl ? lbl : "row", colname,
                       *st ? st : "empty", *cb_table_str(j->t, r, CB_COL_NOTE) ? ": " : "",
                       cb_table_str(j->t, r, CB_COL_NOTE), cb_table_where(j->t, r, where, sizeof where));
        }
        set_summary(res, "%zu of %zu rows have no %s: %s%s", nmissing, n, colname,
                    who.s && !who.oom ? who.s : "", listed > 4 ? ", ..." : "");
        free(who.s);
        goto out;
    }
    double v, r, lo, hi;
    size_t worst = 0;
    if (k->stat == CB_GATE_STAT_EACH) {
        double wm = INFINITY;
        for (size_t i = 0; i < n; i++) {
            bounds_for(k, ref[i], &lo, &hi);
            double mg = margin(m[i], lo, hi, ref[i]);
            if (mg < -REL_TOL)
                res->nbad++;
            if (mg < wm) {
                wm = mg;
                worst = i;
            }
        }
        v = m[worst];
        r = ref[worst];
    } else {
        for (size_t i = 0; i < n; i++)
            tmp[i] = m[i];
        v = aggregate(k->stat, tmp, n);
        for (size_t i = 0; i < n; i++)
            tmp[i] = ref[i];
        r = aggregate(k->stat == CB_GATE_STAT_MEAN ? CB_GATE_STAT_MEAN : CB_GATE_STAT_MEDIAN,
                      tmp, n);
    }
    bounds_for(k, r, &lo, &hi);
    double mg = margin(v, lo, hi, r);
    int pass = mg >= -REL_TOL && res->nbad == 0;
    if (k->stat != CB_GATE_STAT_EACH)
        res->nbad = pass ? 0 : 1;
    res->verdict = pass ? CB_GATE_PASS : CB_GATE_FAIL;
    res->value = v;
    res->reference = r;
    res->lower_bound = lo;
    res->upper_bound = hi;

    /* "<v> <unit> >= 0.70 x <ref> <unit> (origin) — 55.6%" */
    cb_gate_format_num(v, a, sizeof a);
    cb_gate_format_num(r, b, sizeof b);
    ref_origin(j, org, sizeof org);
    char bound[96];
    if (!isnan(k->lower) && !isnan(k->upper))
        snprintf(bound, sizeof bound, "%s [%s, %s] x", pass ? "within" : "outside",
                 gate_format_factor(1 + k->lower, f1, sizeof f1),
                 gate_format_factor(1 + k->upper, f2, sizeof f2));
    else if (!isnan(k->lower))
        snprintf(bound, sizeof bound, "%s %s x", pass ? ">=" : "<",
                 gate_format_factor(1 + k->lower, f1, sizeof f1));
    else
        snprintf(bound, sizeof bound, "%s %s x", pass ? "<=" : ">",
                 gate_format_factor(1 + k->upper, f2, sizeof f2));
    char pct[32];
    snprintf(pct, sizeof pct, "%.1f%%", 100 * v / r);
    char stat[64] = "";
    if (k->stat != CB_GATE_STAT_EACH)
        snprintf(stat, sizeof stat, " (%s of %zu row%s)", gate_stat_names[k->stat], n,
                 n == 1 ? "" : "s");
    char tail[384] = "";
    if (k->stat == CB_GATE_STAT_EACH && n > 1) {
        if (pass) {
            gate_row_label(&j->lab, j->t, j->idx[worst], lbl, sizeof lbl);
            snprintf(tail, sizeof tail, "; worst of %zu rows%s%s", n, *lbl ? ": " : "", lbl);
        } else {
            gate_sbuf_t who = {0};
            size_t listed = 0;
            for (size_t i = 0; i < n; i++) {
                bounds_for(k, ref[i], &lo, &hi);
                if (margin(m[i], lo, hi, ref[i]) >= -REL_TOL)
                    continue;
                gate_row_label(&j->lab, j->t, j->idx[i], lbl, sizeof lbl);
                if (*lbl && listed++ < 4)
                    gate_sb_printf(&who, "%s%s", who.len ? ", " : "", lbl);
            }
            snprintf(tail, sizeof tail, "; %zu of %zu rows fail%s%s%s", res->nbad, n,
                     listed ? ": " : "", who.s && !who.oom ? who.s : "", listed > 4 ? ", ..." : "");
            free(who.s);
        }
    } else if (n == 1 || k->stat == CB_GATE_STAT_EACH) {
        gate_row_label(&j->lab, j->t, j->idx[worst], lbl, sizeof lbl);
        if (*lbl)
            snprintf(tail, sizeof tail, "; %s", lbl);
    }
    set_summary(res, "%s %s%s %s %s %s%s \u2014 %s%s", a, k->unit, stat, bound, b, k->unit, org,
                pct, tail);
    /* detail: a failing "each" check lists its failing rows, else every row */
    for (size_t i = 0; i < n; i++) {
        size_t row = j->idx[i];
        bounds_for(k, ref[i], &lo, &hi);
        int ok = margin(m[i], lo, hi, ref[i]) >= -REL_TOL;
        if (k->stat == CB_GATE_STAT_EACH && ok && !pass)
            continue;
        gate_row_label(&j->lab, j->t, row, lbl, sizeof lbl);
        add_detail(j, "%s: %s %s (%.1f%% of %s %s)%s at %s", *lbl ? lbl : "row",
                   cb_gate_format_num(m[i], a, sizeof a), k->unit, 100 * m[i] / ref[i],
                   cb_gate_format_num(ref[i], c, sizeof c), k->unit,
                   k->stat == CB_GATE_STAT_EACH && !ok ? ": FAIL" : "",
                   cb_table_where(j->t, row, where, sizeof where));
    }
out:
    free(m);
    free(ref);
    free(tmp);
}

typedef struct entity {
    char name[160];
    double *vals;
    size_t n, cap;
    size_t missing; /* rows without a value */
    size_t miss_row; /* the first of them */
} entity_t;

static entity_t *entity_get(entity_t **ents, size_t *nents, size_t *cap, const char *name)
{
    for (size_t i = 0; i < *nents; i++)
        if (!strcmp((*ents)[i].name, name))
            return &(*ents)[i];
    if (*nents == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        entity_t *e = realloc(*ents, nc * sizeof *e);
        if (!e)
            return NULL;
        *ents = e;
        *cap = nc;
    }
    entity_t *e = &(*ents)[(*nents)++];
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    return e;
}

static int entity_add(entity_t *e, double v, size_t row)
{
    if (isnan(v)) {
        if (!e->missing)
            e->miss_row = row;
        e->missing++;
        return 0;
    }
    if (e->n == e->cap) {
        size_t nc = e->cap ? 2 * e->cap : 8;
        double *d = realloc(e->vals, nc * sizeof *d);
        if (!d)
            return -1;
        e->vals = d;
        e->cap = nc;
    }
    e->vals[e->n++] = v;
    return 0;
}

static void judge_spread(judge_t *j)
{
    const cb_gate_check_t *k = j->k;
    cb_gate_result_t *res = j->res;
    entity_t *ents = NULL;
    size_t nents = 0, cap = 0;
    double *vals = NULL;
    const char **names = NULL;
    cb_spread_verdict_t *ver = NULL;
    const char *what = k->per == CB_GATE_PER_GPU ? "GPU" : "host";
    char where[512], a[32], b[32];
    int oom = 0;

    for (size_t i = 0; i < j->n && !oom; i++) {
        size_t r = j->idx[i];
        double v;
        if (measured(j, r, &v) < 0)
            goto out;
        const char *host = cb_table_str(j->t, r, CB_COL_HOST);
        if (!*host) {
            error_at(j, r, "a spread check needs the host column; this row has none");
            goto out;
        }
        char name[160];
        if (k->per == CB_GATE_PER_GPU && *cb_table_str(j->t, r, CB_COL_RANK))
            snprintf(name, sizeof name, "%s/rank%s", host, cb_table_str(j->t, r, CB_COL_RANK));
        else
            snprintf(name, sizeof name, "%s", host);
        entity_t *e = entity_get(&ents, &nents, &cap, name);
        if (!e || entity_add(e, v, r) < 0) {
            oom = 1;
            break;
        }
        const char *peer = cb_table_str(j->t, r, CB_COL_PEER);
        if (k->per == CB_GATE_PER_HOST_PEER && *peer && strcmp(peer, host)) {
            e = entity_get(&ents, &nents, &cap, peer);
            if (!e || entity_add(e, v, r) < 0)
                oom = 1;
        }
    }
    if (res->verdict == CB_GATE_ERROR)
        goto out;
    if (!oom && nents) {
        vals = malloc(nents * sizeof *vals);
        names = malloc(nents * sizeof *names);
        ver = malloc(nents * sizeof *ver);
        oom = !vals || !names || !ver;
    }
    if (oom) {
        res->verdict = CB_GATE_ERROR;
        set_summary(res, "out of memory");
        goto out;
    }
    res->nrows = j->n;
    if (nents < 2) {
        res->verdict = CB_GATE_ERROR;
        char sel[512];
        set_summary(res, "needs at least 2 %ss to compare; the matching rows (%s) name only %s",
                    what, cb_gate_selector_text(k, sel, sizeof sel), ents[0].name);
        goto out;
    }
    for (size_t i = 0; i < nents; i++) {
        names[i] = ents[i].name;
        /* an entity with a failed row has no trustworthy value: missing */
        vals[i] = ents[i].missing ? NAN : aggregate(k->stat, ents[i].vals, ents[i].n);
    }
    cb_spread_opts_t so;
    cb_spread_opts_default(&so);
    so.lower_is_better = isnan(k->lower);
    so.threshold = so.lower_is_better ? k->upper : -k->lower;
    int nf = cb_spread_check(names, vals, nents, &so, ver);
    if (nf < 0) {
        res->verdict = CB_GATE_ERROR;
        set_summary(res, "spread check: %s", cb_strerror(nf));
        goto out;
    }
    size_t nmiss = 0, worst = 0;
    double wd = -INFINITY;
    for (size_t i = 0; i < nents; i++) {
        if (ver[i].state == CB_SPREAD_MISSING)
            nmiss++;
        else if (!isnan(ver[i].deficit) && ver[i].deficit > wd) {
            wd = ver[i].deficit;
            worst = i;
        }
    }
    res->nbad = (size_t)nf + nmiss;
    res->verdict = res->nbad ? CB_GATE_FAIL : CB_GATE_PASS;
    const char *dir = so.lower_is_better ? "above" : "below";
    double thr_pct = 100 * so.threshold;
    if (wd > -INFINITY) {
        res->value = ver[worst].value;
        res->reference = ver[worst].peer_median;
        if (so.lower_is_better)
            res->upper_bound = res->reference * (1 + so.threshold);
        else
            res->lower_bound = res->reference * (1 - so.threshold);
    }
    if (res->verdict == CB_GATE_PASS) {
        set_summary(res,
                    "no %s more than %.3g%% %s its peers' median (%zu %ss; %s: %s %s, %.1f%% %s "
                    "%s %s)",
                    what, thr_pct, dir, nents, what, ver[worst].name,
                    cb_gate_format_num(ver[worst].value, a, sizeof a), k->unit,
                    fabs(ver[worst].deficit) * 100, ver[worst].deficit >= 0 ? dir : (so.lower_is_better ? "below" : "above"),
                    cb_gate_format_num(ver[worst].peer_median, b, sizeof b), k->unit);
    } else if (nf == 1 && nmiss == 0) {
        set_summary(res, "%s is %.1f%% %s the median of its %d peers: %s %s vs %s %s (limit %.3g%%)",
                    ver[worst].name, ver[worst].deficit * 100, dir, ver[worst].npeers,
                    cb_gate_format_num(ver[worst].value, a, sizeof a), k->unit,
                    cb_gate_format_num(ver[worst].peer_median, b, sizeof b), k->unit, thr_pct);
    } else {
        gate_sbuf_t who = {0};
        for (size_t i = 0; i < nents; i++) {
            if (ver[i].state == CB_SPREAD_SLOW)
                gate_sb_printf(&who, "%s%s (%.1f%%)", who.len ? ", " : "", ver[i].name,
                          ver[i].deficit * 100);
            else if (ver[i].state == CB_SPREAD_MISSING)
                gate_sb_printf(&who, "%s%s (no value)", who.len ? ", " : "", ver[i].name);
        }
        set_summary(res, "%zu of %zu %ss more than %.3g%% %s their peers' median or without a "
                         "value: %s",
                    res->nbad, nents, what, thr_pct, dir, who.s && !who.oom ? who.s : "");
        free(who.s);
    }
    for (size_t i = 0; i < nents; i++) {
        char d[512];
        if (ver[i].state == CB_SPREAD_MISSING) {
            size_t r = ents[i].miss_row;
            const char *st = cb_table_str(j->t, r, CB_COL_STATUS);
            add_detail(j, "%s: %zu row%s without %s (status %s) at %s", ents[i].name,
                       ents[i].missing, ents[i].missing == 1 ? "" : "s",
                       cb_results_column_name(k->column), *st ? st : "empty",
                       cb_table_where(j->t, r, where, sizeof where));
            continue;
        }
        cb_spread_describe(&ver[i], &so, k->unit, d, sizeof d);
        add_detail(j, "%s", d);
    }
out:
    for (size_t i = 0; i < nents; i++)
        free(ents[i].vals);
    free(ents);
    free(vals);
    free(names);
    free(ver);
}

static void judge_zero(judge_t *j)
{
    const cb_gate_check_t *k = j->k;
    cb_gate_result_t *res = j->res;
    char lbl[256], where[512];
    size_t m = 0;
    for (size_t i = 0; i < j->n; i++)
        if (isfinite(cb_table_num(j->t, j->idx[i], k->column)))
            j->idx[m++] = j->idx[i];
    j->n = m;
    if (!m) {
        char sel[512];
        res->verdict = CB_GATE_ERROR;
        set_summary(res, "matches no rows with a %s value (%s)",
                    cb_results_column_name(k->column), cb_gate_selector_text(k, sel, sizeof sel));
        return;
    }
    double sum = 0;
    for (size_t i = 0; i < m; i++) {
        size_t r = j->idx[i];
        double v = cb_table_num(j->t, r, k->column);
        if (v == 0)
            continue;
        res->nbad++;
        sum += v;
        gate_row_label(&j->lab, j->t, r, lbl, sizeof lbl);
        add_detail(j, "%s: %s = %s at %s", *lbl ? lbl : "row", cb_results_column_name(k->column),
                   cb_table_str(j->t, r, k->column), cb_table_where(j->t, r, where, sizeof where));
    }
    res->nrows = m;
    res->value = sum;
    res->reference = 0;
    res->lower_bound = 0;
    res->upper_bound = 0;
    res->verdict = res->nbad ? CB_GATE_FAIL : CB_GATE_PASS;
    if (!res->nbad)
        set_summary(res, "%s = 0 in all %zu rows", cb_results_column_name(k->column), m);
    else
        set_summary(res, "%s = %.15g in %zu of %zu rows (must be 0)",
                    cb_results_column_name(k->column), sum, res->nbad, m);
}

static void judge_no_status(judge_t *j)
{
    const cb_gate_check_t *k = j->k;
    cb_gate_result_t *res = j->res;
    char lbl[256], where[512];
    gate_sbuf_t who = {0};
    size_t listed = 0;
    for (size_t i = 0; i < j->n; i++) {
        size_t r = j->idx[i];
        const char *st = cb_table_str(j->t, r, CB_COL_STATUS);
        if (!gate_in_list(k->forbid, st))
            continue;
        res->nbad++;
        gate_row_label(&j->lab, j->t, r, lbl, sizeof lbl);
        if (listed++ < 4)
            gate_sb_printf(&who, "%s%s", who.len ? ", " : "", *lbl ? lbl : "row");
        const char *note = cb_table_str(j->t, r, CB_COL_NOTE);
        add_detail(j, "%s: %s%s%s at %s", *lbl ? lbl : "row", st, *note ? ": " : "", note,
                   cb_table_where(j->t, r, where, sizeof where));
    }
    res->nrows = j->n;
    res->value = (double)res->nbad;
    res->reference = 0;
    res->lower_bound = 0;
    res->upper_bound = 0;
    res->verdict = res->nbad ? CB_GATE_FAIL : CB_GATE_PASS;
    char forbid[CB_GATE_SEL_LEN];
    snprintf(forbid, sizeof forbid, "%s", k->forbid);
    for (char *p = forbid; *p; p++)
        if (*p == ',')
            *p = '/';
    if (!res->nbad)
        set_summary(res, "no row with status %s among %zu rows", forbid, j->n);
    else
        set_summary(res, "%zu of %zu rows with status %s: %s%s", res->nbad, j->n, forbid,
                    who.s && !who.oom ? who.s : "", listed > 4 ? ", ..." : "");
    free(who.s);
}

static int judge_check(const cb_gate_check_t *k, const cb_table_t *t, const cb_gate_env_t *env,
                       cb_gate_result_t *res)
{
    memset(res, 0, sizeof *res);
    res->check = k;
    res->value = res->reference = res->lower_bound = res->upper_bound = NAN;
    snprintf(res->unit, sizeof res->unit, "%s", k->unit);
    for (size_t i = 0; env && i < env->nskip; i++)
        if (env->skip[i] && !strcmp(env->skip[i], k->name)) {
            res->verdict = CB_GATE_SKIP;
            set_summary(res, "skipped on request (--skip)");
            return CB_OK;
        }
    judge_t j = {.k = k, .t = t, .env = env, .res = res};
    j.idx = malloc((t->nrows ? t->nrows : 1) * sizeof *j.idx);
    if (!j.idx)
        return CB_ERR_NOMEM;
    for (size_t r = 0; r < t->nrows; r++)
        if (gate_row_matches(k, t, r))
            j.idx[j.n++] = r;
    size_t nbase = j.n;
    j.n = gate_filter_num(t, j.idx, j.n, CB_COL_NODES, k->nodes_mode, (double)k->nodes);
    j.n = gate_filter_num(t, j.idx, j.n, CB_COL_BYTES, k->bytes_mode, (double)k->bytes);
    if (!j.n) {
        char sel[512];
        res->verdict = CB_GATE_ERROR;
        cb_gate_selector_text(k, sel, sizeof sel);
        if (k->optional) { /* rows only some runs write: say so, never pass */
            res->verdict = CB_GATE_SKIP;
            res->not_measured = 1;
            set_summary(res, "not measured (optional = yes): no rows match (%s)%s%s", sel,
                        nbase ? ", only without nodes/bytes" : "",
                        gate_in_list(k->sel[CB_GATE_SEL_OP], "round")
                            ? "; op=round rows come from cb-p2p --all-pairs --reference"
                            : "");
        } else if (nbase)
            set_summary(res, "matches no rows (%s; %zu rows match without nodes/bytes)", sel,
                        nbase);
        else
            set_summary(res, "matches no rows (%s)", sel);
        free(j.idx);
        return CB_OK;
    }
    gate_labeler_init(&j.lab, t, j.idx, j.n,
                 k->kind == CB_GATE_KIND_ZERO || k->kind == CB_GATE_KIND_NO_STATUS);
    switch (k->kind) {
    case CB_GATE_KIND_VALUE: judge_value(&j); break;
    case CB_GATE_KIND_SPREAD: judge_spread(&j); break;
    case CB_GATE_KIND_ZERO: judge_zero(&j); break;
    case CB_GATE_KIND_NO_STATUS: judge_no_status(&j); break;
    }
    finish_detail(&j);
    if (res->verdict == CB_GATE_ERROR) { /* the summary says why; no half detail */
        free(res->detail);
        res->detail = NULL;
    }
    free(j.idx);
    return CB_OK;
}

int cb_gate_evaluate(const cb_gate_t *g, const cb_table_t *t, const cb_gate_env_t *env,
                     cb_gate_report_t *out)
{
    if (!g || !t || !out)
        return CB_ERR_USAGE;
    memset(out, 0, sizeof *out);
    out->results = calloc(g->n ? g->n : 1, sizeof *out->results);
    if (!out->results)
        return CB_ERR_NOMEM;
    for (size_t i = 0; i < g->n; i++) {
        int rc = judge_check(&g->checks[i], t, env, &out->results[i]);
        out->n = i + 1;
        if (rc < 0) {
            cb_gate_report_free(out);
            return rc;
        }
        switch (out->results[i].verdict) {
        case CB_GATE_PASS: out->npass++; break;
        case CB_GATE_FAIL: out->nfail++; break;
        case CB_GATE_SKIP:
            out->nskip++;
            out->nnot_measured += out->results[i].not_measured != 0;
            break;
        case CB_GATE_ERROR: out->nerror++; break;
        }
    }
    return CB_OK;
}

void cb_gate_report_free(cb_gate_report_t *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->results[i].detail);
    free(r->results);
    memset(r, 0, sizeof *r);
}

int cb_gate_exit_code(const cb_gate_report_t *r)
{
    if (!r || r->nerror)
        return 2;
    return r->nfail ? 1 : 0;
}
