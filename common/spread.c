/* The slow-node check: each entity against the median of its peers. See
 * cb_spread.h for the contract (boundary, missing values, no peers). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cb_error.h"
#include "cb_spread.h"
#include "cb_stats.h"

#define CB_SPREAD_TOLERANCE 1e-9

void cb_spread_opts_default(cb_spread_opts_t *o)
{
    o->threshold = CB_SPREAD_DEFAULT_THRESHOLD;
    o->lower_is_better = 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Element k of sorted s[0..m) with the element at position p taken out. */
static double without(const double *s, size_t p, size_t k)
{
    return k < p ? s[k] : s[k + 1];
}

/* The median of sorted s[0..m) with the element at position p taken out
 * (m - 1 >= 1 values): cb_stats_percentile_sorted(, , 50) of that array. */
static double median_without(const double *s, size_t m, size_t p)
{
    size_t n = m - 1;
    if (n == 1)
        return without(s, p, 0);
    double pos = 0.5 * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    if (lo >= n - 1)
        return without(s, p, n - 1);
    double frac = pos - (double)lo, a = without(s, p, lo);
    return a + frac * (without(s, p, lo + 1) - a);
}

/* Position of the first element equal to v in sorted s[0..m) (v is there). */
static size_t lower_bound(const double *s, size_t m, double v)
{
    size_t lo = 0, hi = m;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The peers of an entity are the finite values less its own: one sort of
 * all finite values serves every entity (O(n log n) for n entities, e.g.
 * the n(n-1) directions of an all-pairs matrix). */
int cb_spread_check(const char *const *names, const double *values, size_t n,
                    const cb_spread_opts_t *o, cb_spread_verdict_t *out)
{
    cb_spread_opts_t def;
    if (!o) {
        cb_spread_opts_default(&def);
        o = &def;
    }
    if (!(o->threshold >= 0 && o->threshold < 1))
        return CB_ERR_USAGE;
    if (n == 0)
        return 0;
    if (!values || !out)
        return CB_ERR_USAGE;
    double *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return CB_ERR_NOMEM;
    size_t m = 0;
    for (size_t j = 0; j < n; j++)
        if (isfinite(values[j]))
            sorted[m++] = values[j];
    qsort(sorted, m, sizeof *sorted, cmp_double);
    int flagged = 0;
    for (size_t i = 0; i < n; i++) {
        cb_spread_verdict_t *v = &out[i];
        v->name = names ? names[i] : NULL;
        v->value = values[i];
        v->peer_median = NAN;
        v->deficit = NAN;
        if (!isfinite(values[i])) {
            v->npeers = (int)m;
            v->state = CB_SPREAD_MISSING;
            continue;
        }
        v->npeers = (int)(m - 1);
        if (m == 1) {
            v->state = CB_SPREAD_NO_PEERS;
            continue;
        }
        v->peer_median = median_without(sorted, m, lower_bound(sorted, m, values[i]));
        v->state = CB_SPREAD_OK;
        if (!(v->peer_median > 0))
            continue;
        double diff = o->lower_is_better ? values[i] - v->peer_median : v->peer_median - values[i];
        v->deficit = diff / v->peer_median;
        if (v->deficit > o->threshold + CB_SPREAD_TOLERANCE) {
            v->state = CB_SPREAD_SLOW;
            flagged++;
        }
    }
    free(sorted);
    return flagged;
}

const char *cb_spread_state_name(cb_spread_state_t s)
{
    switch (s) {
    case CB_SPREAD_OK: return "ok";
    case CB_SPREAD_SLOW: return "slow";
    case CB_SPREAD_NO_PEERS: return "no-peers";
    case CB_SPREAD_MISSING: return "missing";
    }
    return "unknown";
}

char *cb_spread_describe(const cb_spread_verdict_t *v, const cb_spread_opts_t *o,
                         const char *unit, char *buf, size_t len)
{
    const char *name = v->name ? v->name : "?";
    const char *sp = unit && *unit ? " " : "";
    unit = unit ? unit : "";
    int lower = o && o->lower_is_better;
    switch (v->state) {
    case CB_SPREAD_MISSING:
        snprintf(buf, len, "%s: no value", name);
        break;
    case CB_SPREAD_NO_PEERS:
        snprintf(buf, len, "%s: %.4g%s%s, no peers to compare with", name, v->value, sp, unit);
        break;
    default:
        if (isnan(v->deficit))
            snprintf(buf, len, "%s: %.4g%s%s, peer median %.4g%s%s: not compared", name, v->value,
                     sp, unit, v->peer_median, sp, unit);
        else
            snprintf(buf, len, "%s: %.4g%s%s is %.1f%% %s the median of its %d peer%s (%.4g%s%s)%s",
                     name, v->value, sp, unit, fabs(v->deficit) * 100,
                     (v->deficit >= 0) != lower ? "below" : "above", v->npeers,
                     v->npeers == 1 ? "" : "s", v->peer_median, sp, unit,
                     v->state == CB_SPREAD_SLOW ? ": SLOW" : "");
        break;
    }
    return buf;
}
