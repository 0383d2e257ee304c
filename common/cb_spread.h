/* cb_spread: the slow-node check. Given one metric's value on each of n
 * nodes (or GPUs: any named entities), flag every entity that is more than a
 * threshold (default 10 %) worse than the median of its peers — the other
 * entities with a value. Pure; used by cb-gpu and the acceptance gate.
 *
 * Contract: "worse" is below for throughput (default) and above for times
 * (lower_is_better). deficit = (peer_median - value) / peer_median (or
 * (value - peer_median) / peer_median); an entity is flagged slow when
 * deficit > threshold: exactly at the threshold is NOT flagged (a relative
 * tolerance of 1e-9 absorbs rounding, so 90 vs 100 at 10 % is not slow).
 * With one entity, or none with a value beside it, nothing is compared
 * (no-peers). A value that is NaN/inf is "missing": not compared, not used
 * as a peer. A peer median that is not > 0 gives no verdict (ok, deficit NaN). */
#ifndef CB_SPREAD_H
#define CB_SPREAD_H

#include <stddef.h>

#define CB_SPREAD_DEFAULT_THRESHOLD 0.10

typedef enum cb_spread_state {
    CB_SPREAD_OK,
    CB_SPREAD_SLOW,
    CB_SPREAD_NO_PEERS,
    CB_SPREAD_MISSING,
} cb_spread_state_t;

typedef struct cb_spread_opts {
    double threshold;    /* fraction in [0, 1): 0.10 = 10 % */
    int lower_is_better; /* 0: flag values below the median (throughput); 1: above (times) */
} cb_spread_opts_t;

typedef struct cb_spread_verdict {
    const char *name;   /* the caller's name (not copied; may be NULL) */
    double value;
    double peer_median; /* median of the peers' values; NaN when no peers */
    int npeers;
    double deficit;     /* fraction worse than peer_median (negative = better); NaN if none */
    cb_spread_state_t state;
} cb_spread_verdict_t;

void cb_spread_opts_default(cb_spread_opts_t *o);

/* Fill out[0..n) (one verdict per entity, in input order). names may be
 * NULL. Returns the number of entities flagged slow (>= 0), or
 * CB_ERR_USAGE (threshold outside [0, 1), values/out NULL with n > 0) or
 * CB_ERR_NOMEM. */
int cb_spread_check(const char *const *names, const double *values, size_t n,
                    const cb_spread_opts_t *o, cb_spread_verdict_t *out);

/* "ok", "slow", "no-peers", "missing". */
const char *cb_spread_state_name(cb_spread_state_t s);

/* One line about a verdict, e.g. "node3: 812 TFLOPS is 17.9% below the
 * median of its 3 peers (989 TFLOPS)" (unit may be NULL); returns buf. */
char *cb_spread_describe(const cb_spread_verdict_t *v, const cb_spread_opts_t *o,
                         const char *unit, char *buf, size_t len);

#endif
