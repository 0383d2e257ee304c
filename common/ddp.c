/* cb_ddp: the DDP break-even model (see cb_ddp.h for the model and its
 * contracts). Pure: no I/O, no MPI, no global state. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_ddp.h"
#include "cb_error.h"
#include "cb_stats.h"

/* ------------------------------------------------------------ fit, curve */

int cb_ddp_fit(const double *bytes, const double *time_us, size_t n, cb_ddp_fit_t *out)
{
    memset(out, 0, sizeof *out);
    out->alpha_us = out->beta_us_per_byte = out->r2 = NAN;
    out->npoints = n;
    if (n < 2 || !bytes || !time_us)
        return CB_ERR_INPUT;
    double xm = 0, ym = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(bytes[i]) || !isfinite(time_us[i]))
            return CB_ERR_USAGE;
        xm += bytes[i];
        ym += time_us[i];
    }
    xm /= (double)n;
    ym /= (double)n;
    /* Centred sums: sizes span 1 B .. GiB, raw sums of squares lose digits. */
    double sxx = 0, sxy = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = bytes[i] - xm, dy = time_us[i] - ym;
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if (!(sxx > 0))
        return CB_ERR_INPUT; /* one distinct size: no slope */
    double beta = sxy / sxx;
    double alpha = ym - beta * xm;
    double ssr = 0;
    for (size_t i = 0; i < n; i++) {
        double r = time_us[i] - (alpha + beta * bytes[i]);
        ssr += r * r;
    }
    out->alpha_us = alpha;
    out->beta_us_per_byte = beta;
    if (syy > 0)
        out->r2 = 1.0 - ssr / syy;
    else
        out->r2 = 1.0; /* all times equal: beta = 0 fits them exactly */
    return CB_OK;
}

double cb_ddp_fit_gbps(const cb_ddp_fit_t *fit)
{
    /* 1/beta bytes per us = 1e6/beta B/s = 1e-3/beta GB/s. */
    if (!fit || !(fit->beta_us_per_byte > 0))
        return NAN;
    return 1e-3 / fit->beta_us_per_byte;
}

typedef struct pt {
    double b, t;
} pt_t;

static int cmp_pt(const void *a, const void *b)
{
    const pt_t *x = a, *y = b;
    if (x->b != y->b)
        return (x->b > y->b) - (x->b < y->b);
    return (x->t > y->t) - (x->t < y->t);
}

int cb_ddp_curve_init(cb_ddp_curve_t *c, const double *bytes, const double *time_us, size_t n)
{
    memset(c, 0, sizeof *c);
    c->fit.alpha_us = c->fit.beta_us_per_byte = c->fit.r2 = NAN;
    if (n == 0 || !bytes || !time_us)
        return CB_ERR_INPUT;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(bytes[i]) || !isfinite(time_us[i]) || bytes[i] < 0 || time_us[i] < 0)
            return CB_ERR_USAGE;
    int rc = CB_ERR_NOMEM;
    pt_t *p = malloc(n * sizeof *p);
    double *tmp = malloc(n * sizeof *tmp);
    c->bytes = malloc(n * sizeof *c->bytes);
    c->time_us = malloc(n * sizeof *c->time_us);
    if (!p || !tmp || !c->bytes || !c->time_us)
        goto out;
    for (size_t i = 0; i < n; i++)
        p[i] = (pt_t){bytes[i], time_us[i]};
    qsort(p, n, sizeof *p, cmp_pt);
    /* Merge equal sizes into the median of their times (sorted by time). */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && p[j].b == p[i].b) {
            tmp[j - i] = p[j].t;
            j++;
        }
        c->bytes[c->n] = p[i].b;
        c->time_us[c->n] = cb_stats_percentile_sorted(tmp, j - i, 50);
        c->n++;
        i = j;
    }
    if (c->n < 2) {
        rc = CB_ERR_INPUT;
        goto out;
    }
    rc = cb_ddp_fit(c->bytes, c->time_us, c->n, &c->fit);
out:
    free(p);
    free(tmp);
    if (rc < 0) {
        cb_ddp_fit_t fit = c->fit;
        cb_ddp_curve_free(c);
        c->fit = fit;
    }
    return rc;
}

void cb_ddp_curve_free(cb_ddp_curve_t *c)
{
    if (!c)
        return;
    free(c->bytes);
    free(c->time_us);
    memset(c, 0, sizeof *c);
}

double cb_ddp_curve_time_us(const cb_ddp_curve_t *c, double bytes, int *extrapolated)
{
    if (extrapolated)
        *extrapolated = 0;
    if (!c || c->n == 0 || !isfinite(bytes))
        return NAN;
    if (bytes < c->bytes[0] || bytes > c->bytes[c->n - 1]) {
        if (extrapolated)
            *extrapolated = 1;
        double t = c->fit.alpha_us + bytes * c->fit.beta_us_per_byte;
        return t > 0 ? t : 0;
    }
    /* Largest i with bytes[i] <= bytes. */
    size_t lo = 0, hi = c->n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (c->bytes[mid] <= bytes)
            lo = mid;
        else
            hi = mid - 1;
    }
    if (c->bytes[lo] == bytes || lo == c->n - 1)
        return c->time_us[lo];
    double b0 = c->bytes[lo], b1 = c->bytes[lo + 1];
    double t0 = c->time_us[lo], t1 = c->time_us[lo + 1];
    return t0 + (t1 - t0) * (bytes - b0) / (b1 - b0);
}

/* ------------------------------------------------------------ buckets */

void cb_ddp_config_default(cb_ddp_config_t *cfg, uint64_t grad_bytes)
{
    cfg->grad_bytes = grad_bytes;
    cfg->first_bucket_bytes = CB_DDP_FIRST_BUCKET_BYTES_DEFAULT;
    cfg->bucket_bytes = CB_DDP_BUCKET_BYTES_DEFAULT;
    cfg->bwd_frac = CB_DDP_BWD_FRAC_DEFAULT;
    cfg->overlap = 1;
    cfg->ar_scale = 1.0;
    cfg->tail_us_per_byte = 0;
    cfg->tail_us_per_bucket = 0;
}

int cb_ddp_config_check(const cb_ddp_config_t *cfg)
{
    if (!cfg || cfg->grad_bytes == 0 || cfg->first_bucket_bytes == 0 || cfg->bucket_bytes == 0)
        return CB_ERR_USAGE;
    if (!(cfg->bwd_frac >= 0 && cfg->bwd_frac <= 1)) /* also NaN */
        return CB_ERR_USAGE;
    if (!(cfg->ar_scale > 0) || !isfinite(cfg->ar_scale))
        return CB_ERR_USAGE;
    if (!(cfg->tail_us_per_byte >= 0) || !isfinite(cfg->tail_us_per_byte) ||
        !(cfg->tail_us_per_bucket >= 0) || !isfinite(cfg->tail_us_per_bucket))
        return CB_ERR_USAGE;
    return CB_OK;
}

size_t cb_ddp_bucket_count(const cb_ddp_config_t *cfg)
{
    uint64_t g = cfg->grad_bytes, f = cfg->first_bucket_bytes, b = cfg->bucket_bytes;
    if (g <= f)
        return 1;
    uint64_t rest = g - f;
    return (size_t)(1 + rest / b + (rest % b != 0));
}

uint64_t cb_ddp_bucket_size(const cb_ddp_config_t *cfg, size_t k)
{
    uint64_t g = cfg->grad_bytes, f = cfg->first_bucket_bytes, b = cfg->bucket_bytes;
    size_t count = cb_ddp_bucket_count(cfg);
    if (k >= count)
        return 0;
    if (k == 0)
        return g < f ? g : f;
    if (k < count - 1)
        return b;
    return g - f - (uint64_t)(count - 2) * b; /* the last: the remainder */
}

int cb_ddp_bucket_plan(const cb_ddp_config_t *cfg, uint64_t **sizes, size_t *n)
{
    *sizes = NULL;
    *n = 0;
    if (cb_ddp_config_check(cfg) < 0)
        return CB_ERR_USAGE;
    size_t count = cb_ddp_bucket_count(cfg);
    uint64_t *s = malloc(count * sizeof *s);
    if (!s)
        return CB_ERR_NOMEM;
    for (size_t k = 0; k < count; k++)
        s[k] = cb_ddp_bucket_size(cfg, k);
    *sizes = s;
    *n = count;
    return CB_OK;
}

/* ------------------------------------------------------------ the step */

/* T_ar lookups: a plan has at most three distinct sizes (first, full,
 * remainder), so a three-entry memo makes a step O(buckets) cheap ops. */
typedef struct ar_memo {
    uint64_t bytes[3];
    double t[3];
    int extrap[3];
    int used;
    double scale; /* sigma, applied to every lookup */
} ar_memo_t;

/* scale multiplies every lookup: solve_ratio()'s bounds (the step itself
 * applies sigma only while backward runs, see all_reduce_end()). */
static ar_memo_t memo_scaled(double scale)
{
    return (ar_memo_t){.used = 0, .scale = scale};
}

static double ar_time(const cb_ddp_curve_t *curve, int nodes, uint64_t bytes, int *extrap,
                      ar_memo_t *m)
{
    *extrap = 0;
    if (nodes <= 1)
        return 0;
    for (int i = 0; i < m->used; i++)
        if (m->bytes[i] == bytes) {
            *extrap = m->extrap[i];
            return m->t[i];
        }
    double t = cb_ddp_curve_time_us(curve, (double)bytes, extrap) * m->scale;
    int slot = m->used < 3 ? m->used++ : 2;
    m->bytes[slot] = bytes;
    m->t[slot] = t;
    m->extrap[slot] = *extrap;
    return t;
}

/* Fraction of T1 at which bucket k's gradients are ready, given C_k. The
 * last bucket is ready exactly at T1 (no rounding in 1 - f_b + f_b). */
static double ready_frac(const cb_ddp_config_t *cfg, uint64_t cum)
{
    if (cum >= cfg->grad_bytes)
        return 1.0;
    return (1.0 - cfg->bwd_frac) + cfg->bwd_frac * ((double)cum / (double)cfg->grad_bytes);
}

/* End of an all-reduce of standalone time t that starts at `start`: while
 * backward runs (until step_us) it progresses at 1/sigma of its standalone
 * speed, after that at full speed:
 *   end = start + t + (1 - 1/sigma) * clamp(step_us - start, 0, sigma * t). */
static double all_reduce_end(double start, double t, double step_us, double sigma)
{
    if (sigma == 1.0)
        return start + t;
    double over = step_us - start;
    if (over < 0)
        over = 0;
    if (over > sigma * t)
        over = sigma * t;
    return start + t + over * (1.0 - 1.0 / sigma);
}

/* O: the reducer's tail after backward and the last all-reduce (N >= 2). */
static double tail_us(const cb_ddp_config_t *cfg, int nodes)
{
    if (nodes <= 1)
        return 0;
    return cfg->tail_us_per_byte * (double)cfg->grad_bytes +
           cfg->tail_us_per_bucket * (double)cb_ddp_bucket_count(cfg);
}

static int check_args(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes)
{
    if (cb_ddp_config_check(cfg) < 0 || nodes < 1)
        return CB_ERR_USAGE;
    if (nodes > 1 && (!curve || curve->n < 2))
        return CB_ERR_USAGE;
    return CB_OK;
}

/* Simulate the step; fills `b` (nbuckets entries) when not NULL. Returns T_N
 * and the sum of all-reduce times in *total. */
static double simulate(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                       double step_us, cb_ddp_bucket_t *b, double *total)
{
    size_t count = cb_ddp_bucket_count(cfg);
    ar_memo_t memo = memo_scaled(1.0);
    uint64_t cum = 0;
    double prev_end = 0, sum = 0;
    for (size_t k = 0; k < count; k++) {
        uint64_t s = cb_ddp_bucket_size(cfg, k);
        cum += s;
        int extrap;
        double t = ar_time(curve, nodes, s, &extrap, &memo);
        double ready = step_us * ready_frac(cfg, cum);
        /* Without overlap the all-reduces wait for the end of backward. */
        double can_start = cfg->overlap ? ready : step_us;
        double start = can_start > prev_end ? can_start : prev_end;
        if (nodes <= 1)
            start = ready; /* nothing to communicate */
        double end = all_reduce_end(start, t, step_us, cfg->ar_scale);
        t = end - start;
        if (b)
            b[k] = (cb_ddp_bucket_t){.bytes = s, .cum_bytes = cum, .ready_us = ready,
                                     .start_us = start, .end_us = end, .allreduce_us = t,
                                     .extrapolated = extrap};
        if (nodes > 1)
            prev_end = end;
        sum += t;
    }
    *total = sum;
    return (prev_end > step_us ? prev_end : step_us) + tail_us(cfg, nodes);
}

int cb_ddp_step_time(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                     double step_us, cb_ddp_timeline_t *out)
{
    memset(out, 0, sizeof *out);
    if (check_args(cfg, curve, nodes) < 0 || !(step_us > 0) || !isfinite(step_us))
        return CB_ERR_USAGE;
    size_t count = cb_ddp_bucket_count(cfg);
    cb_ddp_bucket_t *b = calloc(count, sizeof *b);
    if (!b)
        return CB_ERR_NOMEM;
    double total;
    double tn = simulate(cfg, curve, nodes, step_us, b, &total);
    out->nodes = nodes;
    out->step_us = step_us;
    out->fwd_us = (1.0 - cfg->bwd_frac) * step_us;
    out->nbuckets = count;
    out->buckets = b;
    out->allreduce_us_total = total;
    out->tail_us = tail_us(cfg, nodes);
    out->ddp_step_us = nodes > 1 ? tn : step_us;
    out->exposed_comm_us = out->ddp_step_us - step_us - out->tail_us;
    out->speedup = nodes > 1 ? (double)nodes * step_us / out->ddp_step_us : 1.0;
    out->efficiency = out->speedup / (double)nodes;
    return CB_OK;
}

void cb_ddp_timeline_free(cb_ddp_timeline_t *t)
{
    if (!t)
        return;
    free(t->buckets);
    memset(t, 0, sizeof *t);
}

/* The smallest T1 with d·T1 >= x: 0 when x <= 0, infinite when x > 0 and
 * d <= 0. */
static double chain_bound(double x, double d)
{
    if (!(x > 0))
        return 0;
    return d > 0 ? x / d : INFINITY;
}

/* Smallest T1 >= 0 with T_N <= ratio·T1 when every all-reduce takes `scale`
 * times its standalone time, from T_N = max(T1, max_j a_j·T1 + b_j) + O (see
 * cb_ddp.h): max(O/(ratio - 1), max_j (b_j + O)/(ratio - a_j)); infinite
 * when some chain with b_j + O > 0 has a_j >= ratio. ratio >= 1. */
static double solve_closed(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                           double ratio, double scale)
{
    size_t count = cb_ddp_bucket_count(cfg);
    ar_memo_t memo = memo_scaled(scale);
    double o = tail_us(cfg, nodes);
    double suffix = 0, best = chain_bound(o, ratio - 1);
    uint64_t cum = cfg->grad_bytes; /* C_k while walking k = K-1 .. 0 */
    for (size_t i = count; i-- > 0;) {
        uint64_t s = cb_ddp_bucket_size(cfg, i);
        int extrap;
        suffix += ar_time(curve, nodes, s, &extrap, &memo);
        if (cfg->overlap) {
            double cand = chain_bound(suffix + o, ratio - ready_frac(cfg, cum));
            if (cand > best)
                best = cand;
        }
        cum -= s;
    }
    if (!cfg->overlap) /* one chain: T_N = T1 + sum + O */
        best = chain_bound(suffix + o, ratio - 1);
    return best;
}

/* Smallest T1 >= 0 with T_N <= ratio·T1. sigma = 1 (or no overlap, where no
 * all-reduce runs during backward): closed form. Otherwise T_N lies between
 * the steps with every all-reduce at min(sigma, 1) and at max(sigma, 1)
 * times its standalone time, so the answer lies between their closed forms;
 * T_N has slope <= 1 in T1 (every end time does), so ratio·T1 - T_N is
 * non-decreasing and bisection finds where it reaches 0. */
static double solve_ratio(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                          double ratio)
{
    double sigma = cfg->ar_scale;
    if (sigma == 1.0 || !cfg->overlap)
        return solve_closed(cfg, curve, nodes, ratio, 1.0);
    double lo = solve_closed(cfg, curve, nodes, ratio, sigma < 1 ? sigma : 1.0);
    double hi = solve_closed(cfg, curve, nodes, ratio, sigma > 1 ? sigma : 1.0);
    if (!isfinite(hi) || hi <= lo)
        return hi;
    for (int it = 0; it < 200 && hi - lo > 1e-12 * hi; it++) {
        double mid = lo + (hi - lo) / 2, total;
        if (simulate(cfg, curve, nodes, mid, NULL, &total) <= ratio * mid)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

int cb_ddp_breakeven_step(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                          double *step_us)
{
    *step_us = NAN;
    if (check_args(cfg, curve, nodes) < 0)
        return CB_ERR_USAGE;
    *step_us = nodes == 1 ? 0 : solve_ratio(cfg, curve, nodes, (double)nodes);
    return CB_OK;
}

int cb_ddp_threshold_step(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                          double efficiency, double *step_us)
{
    *step_us = NAN;
    if (check_args(cfg, curve, nodes) < 0 || !(efficiency > 0 && efficiency <= 1))
        return CB_ERR_USAGE;
    *step_us = nodes == 1 ? 0 : solve_ratio(cfg, curve, nodes, 1.0 / efficiency);
    return CB_OK;
}

/* Whether gradients of g bytes reach T_N <= ratio·T1 (ratio = N: break
 * even; 1/e: efficiency e). */
static int reaches(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                   double step_us, double ratio, uint64_t g)
{
    cb_ddp_config_t c = *cfg;
    c.grad_bytes = g;
    double total;
    return simulate(&c, curve, nodes, step_us, NULL, &total) <= ratio * step_us;
}

int cb_ddp_max_grad_bytes(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                          double step_us, uint64_t *grad_bytes)
{
    return cb_ddp_max_grad_bytes_eff(cfg, curve, nodes, step_us, nodes > 0 ? 1.0 / nodes : NAN,
                                     grad_bytes);
}

int cb_ddp_max_grad_bytes_eff(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *curve, int nodes,
                              double step_us, double efficiency, uint64_t *grad_bytes)
{
    *grad_bytes = 0;
    if (check_args(cfg, curve, nodes) < 0 || !(step_us > 0) || !isfinite(step_us) ||
        !(efficiency > 0 && efficiency <= 1))
        return CB_ERR_USAGE;
    if (nodes == 1) {
        *grad_bytes = CB_DDP_GRAD_BYTES_UNBOUNDED;
        return CB_OK;
    }
    double ratio = 1.0 / efficiency;
    if (!reaches(cfg, curve, nodes, step_us, ratio, 1))
        return CB_OK;
    uint64_t lo = 1, hi = 2;
    while (reaches(cfg, curve, nodes, step_us, ratio, hi)) {
        lo = hi;
        if (hi >= CB_DDP_GRAD_BYTES_CAP) {
            *grad_bytes = CB_DDP_GRAD_BYTES_UNBOUNDED;
            return CB_OK;
        }
        hi *= 2;
    }
    while (hi - lo > 1) { /* invariant: lo reaches the ratio, hi does not */
        uint64_t mid = lo + (hi - lo) / 2;
        if (reaches(cfg, curve, nodes, step_us, ratio, mid))
            lo = mid;
        else
            hi = mid;
    }
    *grad_bytes = lo;
    return CB_OK;
}

/* ------------------------------------------------------------ verdict */

cb_ddp_verdict_t cb_ddp_verdict(double speedup, double efficiency, double threshold)
{
    if (!(speedup > 1))
        return CB_DDP_STAY_ONE_NODE;
    if (efficiency >= threshold)
        return CB_DDP_USE_DDP;
    return CB_DDP_TIME_TO_RESULT;
}

const char *cb_ddp_verdict_name(cb_ddp_verdict_t v)
{
    switch (v) {
    case CB_DDP_USE_DDP: return "use-ddp";
    case CB_DDP_TIME_TO_RESULT: return "time-to-result-only";
    case CB_DDP_STAY_ONE_NODE: return "stay-on-one-node";
    }
    return "unknown";
}

const char *cb_ddp_verdict_text(cb_ddp_verdict_t v)
{
    switch (v) {
    case CB_DDP_USE_DDP: return "use DDP";
    case CB_DDP_TIME_TO_RESULT: return "DDP only for time-to-result";
    case CB_DDP_STAY_ONE_NODE: return "stay on one node";
    }
    return "unknown";
}

/* ------------------------------------------------------------ from a table */

/* Row qualifies before the transport/placement preference (cluster NULL:
 * any). */
static int row_base_ok(const cb_table_t *t, size_t r, const char *cluster, int nodes)
{
    if (strcmp(cb_table_str(t, r, CB_COL_BENCHMARK), "allreduce") ||
        strcmp(cb_table_str(t, r, CB_COL_STATUS), "ok") ||
        (cluster && strcmp(cb_table_str(t, r, CB_COL_CLUSTER), cluster)))
        return 0;
    double n = cb_table_num(t, r, CB_COL_NODES);
    if (!(n >= 1) || n != floor(n) || (nodes > 0 && n != nodes))
        return 0;
    double b = cb_table_num(t, r, CB_COL_BYTES), tm = cb_table_num(t, r, CB_COL_TIME_US_MEDIAN);
    return isfinite(b) && b >= 0 && isfinite(tm) && tm >= 0;
}

/* The transport to keep for `nodes` (0: any node count): the requested one,
 * else the first of DDP's own backends present ("nccl", then "gloo": what
 * PyTorch DDP all-reduces its buckets with), else NULL (all). */
static const char *pick_transport(const cb_table_t *t, const char *cluster, int nodes,
                                  const char *transport)
{
    static const char *const ddp_backends[] = {"nccl", "gloo"};
    if (transport)
        return transport;
    for (size_t b = 0; b < sizeof ddp_backends / sizeof ddp_backends[0]; b++)
        for (size_t r = 0; r < t->nrows; r++)
            if (row_base_ok(t, r, cluster, nodes) &&
                !strcmp(cb_table_str(t, r, CB_COL_TRANSPORT), ddp_backends[b]))
                return ddp_backends[b];
    return NULL;
}

static void note_value(char *dst, size_t len, const char *v)
{
    if (!strcmp(dst, "mixed"))
        return;
    if (!dst[0] && v[0])
        snprintf(dst, len, "%s", v);
    else if (strcmp(dst, v))
        snprintf(dst, len, "mixed");
}

int cb_ddp_curve_from_table(const cb_table_t *t, const char *cluster, int nodes,
                            const char *transport, cb_ddp_curve_t *c, cb_ddp_source_t *src)
{
    memset(c, 0, sizeof *c);
    memset(src, 0, sizeof *src);
    src->min_bytes = src->max_bytes = NAN;
    if (!t || nodes < 1)
        return CB_ERR_USAGE;
    const char *tr = pick_transport(t, cluster, nodes, transport);
    int oop = 0;
    for (size_t r = 0; r < t->nrows && !oop; r++)
        if (row_base_ok(t, r, cluster, nodes) &&
            (!tr || !strcmp(cb_table_str(t, r, CB_COL_TRANSPORT), tr)))
            oop = !strcmp(cb_table_str(t, r, CB_COL_PLACEMENT), "out-of-place");
    double *b = malloc((t->nrows ? t->nrows : 1) * sizeof *b);
    double *tm = malloc((t->nrows ? t->nrows : 1) * sizeof *tm);
    int rc = CB_ERR_NOMEM;
    if (!b || !tm)
        goto out;
    size_t n = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        if (!row_base_ok(t, r, cluster, nodes))
            continue;
        const char *rt = cb_table_str(t, r, CB_COL_TRANSPORT);
        const char *pl = cb_table_str(t, r, CB_COL_PLACEMENT);
        if ((tr && strcmp(rt, tr)) || (oop && strcmp(pl, "out-of-place")))
            continue;
        b[n] = cb_table_num(t, r, CB_COL_BYTES);
        tm[n] = cb_table_num(t, r, CB_COL_TIME_US_MEDIAN);
        if (n == 0 || b[n] < src->min_bytes)
            src->min_bytes = b[n];
        if (n == 0 || b[n] > src->max_bytes)
            src->max_bytes = b[n];
        note_value(src->transport, sizeof src->transport, rt);
        note_value(src->placement, sizeof src->placement, pl);
        n++;
    }
    src->rows = n;
    if (n == 0) {
        rc = CB_ERR_INPUT;
        goto out;
    }
    rc = cb_ddp_curve_init(c, b, tm, n);
    /* Distinct sizes, also when init failed for having too few. */
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < i && b[j] != b[i])
            j++;
        distinct += j == i;
        if (distinct > 1 && rc == CB_OK)
            break;
    }
    src->sizes = rc == CB_OK ? c->n : distinct;
out:
    free(b);
    free(tm);
    return rc;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int cb_ddp_table_nodes(const cb_table_t *t, const char *transport, int **nodes, size_t *n)
{
    *nodes = NULL;
    *n = 0;
    if (!t)
        return CB_ERR_USAGE;
    int *v = NULL;
    size_t cnt = 0, cap = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        if (!row_base_ok(t, r, NULL, 0))
            continue;
        if (transport && strcmp(cb_table_str(t, r, CB_COL_TRANSPORT), transport))
            continue;
        int nn = (int)cb_table_num(t, r, CB_COL_NODES);
        if (nn < 2)
            continue;
        size_t i = 0;
        while (i < cnt && v[i] != nn)
            i++;
        if (i < cnt)
            continue;
        if (cnt == cap) {
            cap = cap ? 2 * cap : 8;
            int *nv = realloc(v, cap * sizeof *nv);
            if (!nv) {
                free(v);
                return CB_ERR_NOMEM;
            }
            v = nv;
        }
        v[cnt++] = nn;
    }
    if (cnt)
        qsort(v, cnt, sizeof *v, cmp_int);
    *nodes = v;
    *n = cnt;
    return CB_OK;
}
