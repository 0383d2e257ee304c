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
    double *peers = malloc(n * sizeof *peers);
    if (!peers)
        return CB_ERR_NOMEM;
    int flagged = 0;
    for (size_t i = 0; i < n; i++) {
        cb_spread_verdict_t *v = &out[i];
        v->name = names ? names[i] : NULL;
        v->value = values[i];
        v->peer_median = NAN;
        v->deficit = NAN;
        v->npeers = 0;
        size_t np = 0;
        for (size_t j = 0; j < n; j++)
            if (j != i && isfinite(values[j]))
                peers[np++] = values[j];
        v->npeers = (int)np;
        if (!isfinite(values[i])) {
            v->state = CB_SPREAD_MISSING;
            continue;
        }
        if (np == 0) {
            v->state = CB_SPREAD_NO_PEERS;
            continue;
        }
        qsort(peers, np, sizeof *peers, cmp_double);
        v->peer_median = cb_stats_percentile_sorted(peers, np, 50);
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
    free(peers);
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
