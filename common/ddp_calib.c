/* ddp_calib: the DDP model (cb_ddp.h) calibrated against real PyTorch DDP.
 * Reads cb-ddp-torch's rows (benchmark=ddp-torch) from a results table into
 * points, fits the reducer's tail O = c_b·G + c_k·K to the one-node
 * DDP-vs-plain steps and the in-DDP all-reduce scale sigma to the N-node DDP
 * steps. Pure: no I/O, no MPI, no global state. Times in microseconds. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_ddp.h"
#include "cb_error.h"
#include "cb_stats.h"

/* ------------------------------------------------------------ points */

/* The value of `key=` in a note of "; "-separated parts, into buf; 0 when
 * the note has no such part. */
static int note_value(const char *note, const char *key, char *buf, size_t len)
{
    size_t kl = strlen(key);
    for (const char *p = note; p && *p;) {
        while (*p == ' ' || *p == ';')
            p++;
        if (!strncmp(p, key, kl) && p[kl] == '=') {
            const char *v = p + kl + 1;
            size_t n = strcspn(v, ";");
            while (n && v[n - 1] == ' ')
                n--;
            if (n >= len)
                n = len - 1;
            memcpy(buf, v, n);
            buf[n] = '\0';
            return 1;
        }
        p = strchr(p, ';');
    }
    return 0;
}

/* A finite number of the note, or NaN. */
static double note_num(const char *note, const char *key)
{
    char buf[64], *end;
    if (!note_value(note, key, buf, sizeof buf) || !buf[0])
        return NAN;
    double v = strtod(buf, &end);
    return *end || !isfinite(v) ? NAN : v;
}

typedef struct raw_point {
    cb_ddp_torch_point_t p;
    char step[64]; /* step_ms= text: part of the key */
    int flagged;
} raw_point_t;

static int same_point(const raw_point_t *a, const cb_table_t *t, size_t r, const char *step)
{
    return !strcmp(a->p.run_id, cb_table_str(t, r, CB_COL_RUN_ID)) &&
           a->p.nodes == (int)cb_table_num(t, r, CB_COL_NODES) &&
           a->p.ranks == (int)cb_table_num(t, r, CB_COL_RANKS) &&
           (double)a->p.grad_bytes == cb_table_num(t, r, CB_COL_BYTES) && !strcmp(a->step, step);
}

static void new_point(raw_point_t *a, const cb_table_t *t, size_t r, const char *note,
                      const char *step)
{
    memset(a, 0, sizeof *a);
    cb_ddp_torch_point_t *p = &a->p;
    snprintf(p->run_id, sizeof p->run_id, "%s", cb_table_str(t, r, CB_COL_RUN_ID));
    snprintf(a->step, sizeof a->step, "%s", step);
    p->nodes = (int)cb_table_num(t, r, CB_COL_NODES);
    p->ranks = (int)cb_table_num(t, r, CB_COL_RANKS);
    p->grad_bytes = (uint64_t)cb_table_num(t, r, CB_COL_BYTES);
    double cap = note_num(note, "bucket_cap_mb");
    p->bucket_bytes = cap > 0 ? (uint64_t)llround(cap * 1048576.0) : CB_DDP_BUCKET_BYTES_DEFAULT;
    double f = note_num(note, "bwd_frac");
    p->bwd_frac = f >= 0 && f <= 1 ? f : CB_DDP_BWD_FRAC_DEFAULT;
    p->step_ms = note_num(note, "step_ms");
    p->t1_us = p->ddp1_us = p->tn_us = p->breakeven_us = NAN;
    p->probe = strstr(note, "sweep probe") != NULL;
    p->row = r;
}

int cb_ddp_torch_points(const cb_table_t *t, const char *cluster, cb_ddp_torch_point_t **pts,
                        size_t *n, size_t *flagged)
{
    *pts = NULL;
    *n = 0;
    if (flagged)
        *flagged = 0;
    raw_point_t *raw = NULL;
    size_t nraw = 0, cap = 0;
    for (size_t r = 0; t && r < t->nrows; r++) {
        if (strcmp(cb_table_str(t, r, CB_COL_BENCHMARK), "ddp-torch") ||
            (cluster && strcmp(cb_table_str(t, r, CB_COL_CLUSTER), cluster)))
            continue;
        const char *status = cb_table_str(t, r, CB_COL_STATUS);
        int is_flagged = !strcmp(status, "flagged");
        if (strcmp(status, "ok") && !is_flagged)
            continue;
        double g = cb_table_num(t, r, CB_COL_BYTES), v = cb_table_num(t, r, CB_COL_VALUE);
        double nodes = cb_table_num(t, r, CB_COL_NODES), ranks = cb_table_num(t, r, CB_COL_RANKS);
        if (!(g >= 1) || !(nodes >= 1) || !(ranks >= 1) || !isfinite(v))
            continue;
        const char *metric = cb_table_str(t, r, CB_COL_METRIC);
        double *slot = NULL;
        const char *note = cb_table_str(t, r, CB_COL_NOTE);
        char step[64] = "";
        note_value(note, "step_ms", step, sizeof step);
        /* Points are written row after row: look back from the newest. */
        raw_point_t *a = NULL;
        for (size_t i = nraw; i-- > 0 && !a;)
            if (same_point(&raw[i], t, r, step))
                a = &raw[i];
        if (!a) {
            if (nraw == cap) {
                size_t nc = cap ? 2 * cap : 16;
                raw_point_t *nr = realloc(raw, nc * sizeof *nr);
                if (!nr) {
                    free(raw);
                    return CB_ERR_NOMEM;
                }
                raw = nr;
                cap = nc;
            }
            a = &raw[nraw++];
            new_point(a, t, r, note, step);
        }
        a->flagged |= is_flagged;
        if (!strcmp(metric, "t1_ms"))
            slot = &a->p.t1_us;
        else if (!strcmp(metric, "ddp1_ms"))
            slot = &a->p.ddp1_us;
        else if (!strcmp(metric, "tn_ms"))
            slot = &a->p.tn_us;
        else if (!strcmp(metric, "breakeven_t1_ms"))
            slot = &a->p.breakeven_us;
        if (slot && v >= 0)
            *slot = v * 1e3;
    }
    size_t m = 0;
    for (size_t i = 0; i < nraw; i++) {
        if (raw[i].flagged) {
            if (flagged)
                (*flagged)++;
            continue;
        }
        raw[m++] = raw[i];
    }
    cb_ddp_torch_point_t *out = NULL;
    if (m) {
        out = malloc(m * sizeof *out);
        if (!out) {
            free(raw);
            return CB_ERR_NOMEM;
        }
        for (size_t i = 0; i < m; i++)
            out[i] = raw[i].p;
    }
    free(raw);
    *pts = out;
    *n = m;
    return CB_OK;
}

/* ------------------------------------------------------------ tail */

int cb_ddp_fit_tail(const double *grad_bytes, const double *buckets, const double *overhead_us,
                    size_t n, double *us_per_byte, double *us_per_bucket)
{
    *us_per_byte = *us_per_bucket = 0;
    if (n == 0)
        return CB_ERR_INPUT;
    /* Normal equations of o = b·G + k·K through the origin. G in MiB keeps
     * the sums of squares within a few orders of K's. */
    double gg = 0, gk = 0, kk = 0, go = 0, ko = 0;
    for (size_t i = 0; i < n; i++) {
        double g = grad_bytes[i] / 1048576.0, k = buckets[i], o = overhead_us[i];
        if (!isfinite(g) || !isfinite(k) || !isfinite(o) || g < 0 || k < 0)
            return CB_ERR_INPUT;
        gg += g * g;
        gk += g * k;
        kk += k * k;
        go += g * o;
        ko += k * o;
    }
    double det = gg * kk - gk * gk;
    double b = NAN, k = NAN;
    if (det > 1e-9 * gg * kk) {
        b = (go * kk - ko * gk) / det;
        k = (ko * gg - go * gk) / det;
    }
    if (!(b >= 0 && k >= 0)) { /* one ratio only, or a negative term: fit one */
        double b_only = gg > 0 ? go / gg : 0, k_only = kk > 0 ? ko / kk : 0;
        if (!isnan(k) && k < 0 && b_only >= 0) {
            b = b_only, k = 0;
        } else if (!isnan(b) && b < 0 && k_only >= 0) {
            b = 0, k = k_only;
        } else {
            b = b_only > 0 ? b_only : 0, k = 0;
        }
    }
    *us_per_byte = b / 1048576.0;
    *us_per_bucket = k;
    return CB_OK;
}

/* ------------------------------------------------------------ sigma */

static double model_tn(const cb_ddp_obs_t *o, double scale, int *ok)
{
    cb_ddp_config_t cfg = o->cfg;
    cfg.ar_scale = scale;
    cb_ddp_timeline_t tl;
    if (cb_ddp_step_time(&cfg, o->curve, o->nodes, o->t1_us, &tl) != CB_OK) {
        *ok = 0;
        return NAN;
    }
    double tn = tl.ddp_step_us;
    cb_ddp_timeline_free(&tl);
    return tn;
}

static double loss(const cb_ddp_obs_t *obs, size_t n, size_t skip, double scale, int *ok)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == skip)
            continue;
        double e = (model_tn(&obs[i], scale, ok) - obs[i].tn_us) / obs[i].tn_us;
        sum += e * e;
    }
    return sum;
}

int cb_ddp_fit_ar_scale(const cb_ddp_obs_t *obs, size_t n, size_t skip, double *scale,
                        size_t *informative)
{
    *scale = 1.0;
    *informative = 0;
    for (size_t i = 0; i < n; i++)
        if (!obs[i].curve || obs[i].nodes < 2 || !(obs[i].t1_us > 0) || !(obs[i].tn_us > 0) ||
            !isfinite(obs[i].tn_us) || cb_ddp_config_check(&obs[i].cfg) < 0)
            return CB_ERR_USAGE;
    int ok = 1;
    /* The loss is a sum of squares of piecewise-linear functions of sigma:
     * a log-spaced scan finds the basin, golden sections refine it. */
    enum { GRID = 240 };
    double lmin = log(CB_DDP_SCALE_MIN), lmax = log(CB_DDP_SCALE_MAX);
    double best = INFINITY;
    int bi = 0;
    for (int k = 0; k <= GRID; k++) {
        double l = loss(obs, n, skip, exp(lmin + (lmax - lmin) * k / GRID), &ok);
        if (l < best) {
            best = l;
            bi = k;
        }
    }
    if (!ok)
        return CB_ERR_USAGE;
    double a = lmin + (lmax - lmin) * (bi > 0 ? bi - 1 : 0) / GRID;
    double b = lmin + (lmax - lmin) * (bi < GRID ? bi + 1 : GRID) / GRID;
    const double g = (sqrt(5.0) - 1) / 2;
    double c = b - g * (b - a), d = a + g * (b - a);
    double fc = loss(obs, n, skip, exp(c), &ok), fd = loss(obs, n, skip, exp(d), &ok);
    for (int it = 0; it < 60 && b - a > 1e-7; it++) {
        if (fc <= fd) {
            b = d, d = c, fd = fc;
            c = b - g * (b - a);
            fc = loss(obs, n, skip, exp(c), &ok);
        } else {
            a = c, c = d, fc = fd;
            d = a + g * (b - a);
            fd = loss(obs, n, skip, exp(d), &ok);
        }
    }
    double s = exp((a + b) / 2);
    size_t inf = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == skip)
            continue;
        /* Informative: T_N moves when sigma does (communication exposed). */
        if (model_tn(&obs[i], s * 1.01, &ok) > model_tn(&obs[i], s, &ok) * (1 + 1e-9))
            inf++;
    }
    if (!ok)
        return CB_ERR_USAGE;
    *informative = inf;
    *scale = inf ? s : 1.0;
    return CB_OK;
}

/* ------------------------------------------------------------ calibrate */

void cb_ddp_calib_free(cb_ddp_calib_t *c)
{
    if (!c)
        return;
    free(c->scale_nodes);
    free(c->scale);
    free(c->scale_points);
    memset(c, 0, sizeof *c);
    c->pooled_scale = 1.0;
}

static size_t buckets_of(uint64_t g, uint64_t bucket_bytes)
{
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, g);
    cfg.bucket_bytes = bucket_bytes;
    return cb_ddp_bucket_count(&cfg);
}

/* The copy default: median of cb-gpu's d2d_memcpy_gbps rows (NaN: none). */
static double copy_gbps(const cb_table_t *t)
{
    double *v = malloc((t->nrows ? t->nrows : 1) * sizeof *v);
    if (!v)
        return NAN;
    size_t n = 0;
    for (size_t r = 0; r < t->nrows; r++)
        if (!strcmp(cb_table_str(t, r, CB_COL_BENCHMARK), "gpu") &&
            !strcmp(cb_table_str(t, r, CB_COL_STATUS), "ok") &&
            !strcmp(cb_table_str(t, r, CB_COL_METRIC), "d2d_memcpy_gbps")) {
            double x = cb_table_num(t, r, CB_COL_VALUE);
            if (x > 0 && isfinite(x))
                v[n++] = x;
        }
    double out = NAN;
    if (n) {
        cb_stats_t st;
        cb_stats_compute(v, n, &st);
        out = st.median;
    }
    free(v);
    return out;
}

static int fit_tail_from(const cb_ddp_torch_point_t *p, size_t n, cb_ddp_calib_t *c)
{
    double *g = malloc((n ? n : 1) * 3 * sizeof *g);
    if (!g)
        return CB_ERR_NOMEM;
    double *k = g + n, *o = g + 2 * n;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(p[i].t1_us) && isfinite(p[i].ddp1_us)) {
            g[m] = (double)p[i].grad_bytes;
            k[m] = (double)buckets_of(p[i].grad_bytes, p[i].bucket_bytes);
            o[m] = p[i].ddp1_us - p[i].t1_us;
            m++;
        }
    if (m && cb_ddp_fit_tail(g, k, o, m, &c->tail_us_per_byte, &c->tail_us_per_bucket) == CB_OK) {
        c->tail_source = CB_DDP_TAIL_TORCH;
        c->tail_points = m;
        double ss = 0;
        for (size_t i = 0; i < m; i++) {
            double e = o[i] - (c->tail_us_per_byte * g[i] + c->tail_us_per_bucket * k[i]);
            ss += e * e;
        }
        c->tail_rms_us = sqrt(ss / (double)m);
    }
    free(g);
    return CB_OK;
}

/* All-reduce curves by node count, built once per calibration. */
typedef struct curves {
    const cb_table_t *t;
    const char *cluster, *transport;
    int *nodes;
    cb_ddp_curve_t *c; /* n < 2: no curve for that node count */
    size_t n, cap;
    int oom;
} curves_t;

static const cb_ddp_curve_t *curve_for(curves_t *cv, int nodes)
{
    for (size_t i = 0; i < cv->n; i++)
        if (cv->nodes[i] == nodes)
            return cv->c[i].n >= 2 ? &cv->c[i] : NULL;
    if (cv->n == cv->cap) {
        size_t nc = cv->cap ? 2 * cv->cap : 4;
        int *nn = realloc(cv->nodes, nc * sizeof *nn);
        if (nn)
            cv->nodes = nn;
        cb_ddp_curve_t *c = nn ? realloc(cv->c, nc * sizeof *c) : NULL;
        if (!c) {
            cv->oom = 1;
            return NULL;
        }
        cv->c = c;
        cv->cap = nc;
    }
    cb_ddp_source_t src;
    cb_ddp_curve_t *c = &cv->c[cv->n];
    if (cb_ddp_curve_from_table(cv->t, cv->cluster, nodes, cv->transport, c, &src) ==
        CB_ERR_NOMEM)
        cv->oom = 1;
    cv->nodes[cv->n++] = nodes;
    return c->n >= 2 ? c : NULL;
}

static void curves_free(curves_t *cv)
{
    for (size_t i = 0; i < cv->n; i++)
        cb_ddp_curve_free(&cv->c[i]);
    free(cv->c);
    free(cv->nodes);
}

/* The observation of a point for fitting sigma, if it is one: not a probe,
 * N >= 2, plain and DDP step measured, an all-reduce curve for N. */
static int obs_of(curves_t *cv, const cb_ddp_torch_point_t *p, const cb_ddp_calib_t *c,
                  cb_ddp_obs_t *o)
{
    if (p->probe || p->nodes < 2 || !isfinite(p->t1_us) || !isfinite(p->tn_us))
        return 0;
    const cb_ddp_curve_t *curve = curve_for(cv, p->nodes);
    if (!curve)
        return 0;
    cb_ddp_config_default(&o->cfg, p->grad_bytes);
    o->cfg.bucket_bytes = p->bucket_bytes;
    o->cfg.bwd_frac = p->bwd_frac;
    o->cfg.tail_us_per_byte = c->tail_us_per_byte;
    o->cfg.tail_us_per_bucket = c->tail_us_per_bucket;
    o->curve = curve;
    o->nodes = p->nodes;
    o->t1_us = p->t1_us;
    o->tn_us = p->tn_us;
    return 1;
}

/* sigma of the points of one node count (nodes = 0: all, pooled), without
 * point `skip` (SIZE_MAX: none). */
static int fit_scale_of(curves_t *cv, const cb_ddp_torch_point_t *p, size_t n, int nodes,
                        size_t skip, const cb_ddp_calib_t *c, double *scale, size_t *points)
{
    *scale = 1.0;
    *points = 0;
    cb_ddp_obs_t *obs = calloc(n ? n : 1, sizeof *obs);
    if (!obs)
        return CB_ERR_NOMEM;
    size_t m = 0, oskip = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        if (nodes && p[i].nodes != nodes)
            continue;
        if (obs_of(cv, &p[i], c, &obs[m])) {
            if (i == skip)
                oskip = m;
            m++;
        }
    }
    int rc = cv->oom ? CB_ERR_NOMEM : CB_OK;
    if (rc == CB_OK && m)
        rc = cb_ddp_fit_ar_scale(obs, m, oskip, scale, points);
    if (rc == CB_ERR_USAGE) /* a point the model cannot take: left uncalibrated */
        rc = CB_OK, *scale = 1.0, *points = 0;
    free(obs);
    return rc;
}

static int calibrate(curves_t *cv, const cb_ddp_torch_point_t *p, size_t n, cb_ddp_calib_t *c)
{
    int rc = fit_tail_from(p, n, c);
    if (rc)
        return rc;
    if (c->tail_source == CB_DDP_TAIL_NONE) {
        double bw = copy_gbps(cv->t);
        if (bw > 0) {
            /* One copy of the gradients back after the last all-reduce: G
             * bytes read and G written at bw GB/s (= bw·1e3 B/us). */
            c->tail_source = CB_DDP_TAIL_COPY;
            c->copy_gbps = bw;
            c->tail_us_per_byte = 2.0 / (bw * 1e3);
        }
    }
    c->scale_nodes = malloc((n ? n : 1) * sizeof *c->scale_nodes);
    c->scale = malloc((n ? n : 1) * sizeof *c->scale);
    c->scale_points = malloc((n ? n : 1) * sizeof *c->scale_points);
    if (!c->scale_nodes || !c->scale || !c->scale_points)
        return CB_ERR_NOMEM;
    /* Node counts with points, ascending (a handful). */
    int *nodes = c->scale_nodes;
    size_t nn = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < nn && nodes[j] != p[i].nodes)
            j++;
        if (j < nn || p[i].nodes < 2)
            continue;
        for (j = nn++; j > 0 && nodes[j - 1] > p[i].nodes; j--)
            nodes[j] = nodes[j - 1];
        nodes[j] = p[i].nodes;
    }
    for (size_t i = 0; i < nn; i++) {
        double sc;
        size_t pts;
        if ((rc = fit_scale_of(cv, p, n, nodes[i], SIZE_MAX, c, &sc, &pts)))
            return rc;
        if (pts >= CB_DDP_SCALE_MIN_POINTS) { /* compacts in place: c->nscale <= i */
            c->scale_nodes[c->nscale] = nodes[i];
            c->scale[c->nscale] = sc;
            c->scale_points[c->nscale++] = pts;
        }
    }
    if (nn)
        rc = fit_scale_of(cv, p, n, 0, SIZE_MAX, c, &c->pooled_scale, &c->pooled_points);
    return rc;
}

int cb_ddp_calibrate(const cb_table_t *t, const char *cluster, const char *transport,
                     cb_ddp_calib_t *c)
{
    memset(c, 0, sizeof *c);
    c->pooled_scale = 1.0;
    if (!t)
        return CB_ERR_USAGE;
    cb_ddp_torch_point_t *p = NULL;
    size_t n = 0;
    int rc = cb_ddp_torch_points(t, cluster, &p, &n, &c->flagged);
    if (rc)
        return rc;
    c->points = n;
    curves_t cv = {.t = t, .cluster = cluster, .transport = transport};
    rc = calibrate(&cv, p, n, c);
    curves_free(&cv);
    free(p);
    if (rc)
        cb_ddp_calib_free(c);
    return rc;
}

double cb_ddp_calib_scale(const cb_ddp_calib_t *c, int nodes, size_t *points, int *own)
{
    if (own)
        *own = 0;
    for (size_t i = 0; c && i < c->nscale; i++)
        if (c->scale_nodes[i] == nodes) {
            if (points)
                *points = c->scale_points[i];
            if (own)
                *own = 1;
            return c->scale[i];
        }
    if (points)
        *points = c ? c->pooled_points : 0;
    return c && c->pooled_points ? c->pooled_scale : 1.0;
}

void cb_ddp_calib_apply(const cb_ddp_calib_t *c, int nodes, cb_ddp_config_t *cfg)
{
    cfg->ar_scale = cb_ddp_calib_scale(c, nodes, NULL, NULL);
    cfg->tail_us_per_byte = c ? c->tail_us_per_byte : 0;
    cfg->tail_us_per_bucket = c ? c->tail_us_per_bucket : 0;
}

int cb_ddp_calib_any(const cb_ddp_calib_t *c)
{
    return c && (c->tail_source != CB_DDP_TAIL_NONE || c->pooled_points > 0);
}

/* ------------------------------------------------------------ predict */

static double step_or_nan(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                          double t1_us)
{
    cb_ddp_timeline_t tl;
    if (cb_ddp_step_time(cfg, curve, nodes, t1_us, &tl) != CB_OK)
        return NAN;
    double tn = tl.ddp_step_us;
    cb_ddp_timeline_free(&tl);
    return tn;
}

static double breakeven_or_nan(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes)
{
    double us;
    return cb_ddp_breakeven_step(cfg, curve, nodes, &us) == CB_OK ? us : NAN;
}

int cb_ddp_calib_predict(const cb_table_t *t, const char *cluster, const char *transport,
                         const cb_ddp_calib_t *c, const cb_ddp_torch_point_t *pts, size_t n,
                         cb_ddp_prediction_t *out)
{
    curves_t cv = {.t = t, .cluster = cluster, .transport = transport};
    int rc = CB_OK;
    for (size_t i = 0; i < n && rc == CB_OK; i++) {
        const cb_ddp_torch_point_t *p = &pts[i];
        cb_ddp_prediction_t *o = &out[i];
        o->pure_us = o->calib_us = o->heldout_us = o->heldout_scale = NAN;
        const cb_ddp_curve_t *curve = p->nodes >= 2 ? curve_for(&cv, p->nodes) : NULL;
        if (!curve)
            continue;
        cb_ddp_config_t pure, cal;
        cb_ddp_config_default(&pure, p->grad_bytes);
        pure.bucket_bytes = p->bucket_bytes;
        pure.bwd_frac = p->bwd_frac;
        cal = pure;
        cb_ddp_calib_apply(c, p->nodes, &cal);
        if (isfinite(p->breakeven_us)) {
            o->pure_us = breakeven_or_nan(&pure, curve, p->nodes);
            o->calib_us = o->heldout_us = breakeven_or_nan(&cal, curve, p->nodes);
            o->heldout_scale = cal.ar_scale;
            continue;
        }
        if (!isfinite(p->t1_us))
            continue;
        o->pure_us = step_or_nan(&pure, curve, p->nodes, p->t1_us);
        o->calib_us = step_or_nan(&cal, curve, p->nodes, p->t1_us);
        o->heldout_us = o->calib_us;
        o->heldout_scale = cal.ar_scale;
        cb_ddp_obs_t ob;
        if (!obs_of(&cv, p, c, &ob))
            continue; /* not in the fit: calib is already a prediction */
        int own;
        size_t pts_behind;
        cb_ddp_calib_scale(c, p->nodes, &pts_behind, &own);
        cb_ddp_config_t held = cal;
        size_t inf;
        rc = fit_scale_of(&cv, pts, n, own ? p->nodes : 0, i, c, &held.ar_scale, &inf);
        if (rc == CB_OK) {
            o->heldout_scale = held.ar_scale;
            o->heldout_us = step_or_nan(&held, curve, p->nodes, p->t1_us);
        }
    }
    if (rc == CB_OK && cv.oom)
        rc = CB_ERR_NOMEM;
    curves_free(&cv);
    return rc;
}
