/* ddp_plan: the pure helpers of cb-ddp (see ddp_bench.h): the step schedule
 * (when each backward chunk ends and releases its bucket), the sizes to
 * measure, the all-reduce curve from result rows, the reduction of per-rank
 * step times, and the bisection of the measured break-even. No I/O, no MPI. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_stats.h"
#include "ddp_bench.h"

#define CB_DDP_BENCH_ALIGN 256

void cb_ddp_bench_schedule_free(cb_ddp_bench_sched_t *s)
{
    if (!s)
        return;
    free(s->bytes);
    free(s->ready_us);
    free(s->chunk_us);
    free(s->offset);
    free(s->count);
    memset(s, 0, sizeof *s);
}

int cb_ddp_bench_schedule(const cb_ddp_config_t *cfg, double step_us, size_t elem_bytes,
                          cb_ddp_bench_sched_t *s)
{
    memset(s, 0, sizeof *s);
    if (!cfg || cb_ddp_config_check(cfg) < 0 || !(step_us > 0) || !isfinite(step_us) ||
        elem_bytes == 0)
        return CB_ERR_USAGE;
    int rc = cb_ddp_bucket_plan(cfg, &s->bytes, &s->nbuckets);
    if (rc < 0)
        return rc;
    size_t n = s->nbuckets;
    s->ready_us = calloc(n, sizeof *s->ready_us);
    s->chunk_us = calloc(n, sizeof *s->chunk_us);
    s->offset = calloc(n, sizeof *s->offset);
    s->count = calloc(n, sizeof *s->count);
    if (!s->ready_us || !s->chunk_us || !s->offset || !s->count) {
        cb_ddp_bench_schedule_free(s);
        return CB_ERR_NOMEM;
    }
    s->step_us = step_us;
    s->accumulate = 1;
    s->micro_us = step_us;
    s->fwd_us = (1.0 - cfg->bwd_frac) * step_us;
    double bwd_us = cfg->bwd_frac * step_us, g = (double)cfg->grad_bytes;
    uint64_t cum = 0, off = 0;
    double prev = s->fwd_us;
    for (size_t k = 0; k < n; k++) {
        cum += s->bytes[k];
        /* The last bucket ends backward exactly at T1 (no rounding drift). */
        s->ready_us[k] = k + 1 == n ? step_us : s->fwd_us + bwd_us * (double)cum / g;
        s->chunk_us[k] = s->ready_us[k] - prev;
        if (s->chunk_us[k] < 0)
            s->chunk_us[k] = 0;
        prev = s->ready_us[k];
        s->count[k] = (size_t)((s->bytes[k] + elem_bytes - 1) / elem_bytes);
        s->offset[k] = off;
        uint64_t used = (uint64_t)s->count[k] * elem_bytes;
        off += (used + CB_DDP_BENCH_ALIGN - 1) / CB_DDP_BENCH_ALIGN * CB_DDP_BENCH_ALIGN;
    }
    s->buffer_bytes = off;
    return CB_OK;
}

int cb_ddp_bench_schedule_accumulate(cb_ddp_bench_sched_t *s, int k)
{
    if (!s || k < 1 || s->accumulate != 1 || !(s->step_us > 0))
        return CB_ERR_USAGE;
    double before = (double)(k - 1) * s->micro_us;
    s->fwd_us += before;
    for (size_t i = 0; i < s->nbuckets; i++)
        s->ready_us[i] += before;
    s->step_us = (double)k * s->micro_us;
    s->accumulate = k;
    return CB_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int cb_ddp_bench_probe_sizes(const cb_ddp_config_t *cfg, size_t elem_bytes, uint64_t **sizes,
                             size_t *n)
{
    *sizes = NULL;
    *n = 0;
    if (!cfg || elem_bytes == 0)
        return CB_ERR_USAGE;
    uint64_t *plan = NULL;
    size_t nb = 0;
    int rc = cb_ddp_bucket_plan(cfg, &plan, &nb);
    if (rc < 0)
        return rc;
    uint64_t *out = calloc(nb + 1, sizeof *out);
    if (!out) {
        free(plan);
        return CB_ERR_NOMEM;
    }
    size_t m = 0;
    for (size_t k = 0; k < nb; k++) {
        uint64_t b = (plan[k] + elem_bytes - 1) / elem_bytes * elem_bytes;
        int seen = 0;
        for (size_t j = 0; j < m && !seen; j++)
            seen = out[j] == b;
        if (!seen)
            out[m++] = b;
    }
    free(plan);
    if (m == 1) {
        uint64_t b = out[0];
        uint64_t extra = b >= 8 ? b / 2 : b * 2;
        extra = (extra + elem_bytes - 1) / elem_bytes * elem_bytes;
        if (extra == b)
            extra = b + elem_bytes;
        out[m++] = extra;
    }
    qsort(out, m, sizeof *out, cmp_u64);
    *sizes = out;
    *n = m;
    return CB_OK;
}

static int row_ok(const cb_table_t *t, size_t r, int nodes, int ranks, const char *transport)
{
    if (strcmp(cb_table_str(t, r, CB_COL_BENCHMARK), "allreduce") ||
        strcmp(cb_table_str(t, r, CB_COL_STATUS), "ok"))
        return 0;
    if (cb_table_num(t, r, CB_COL_NODES) != nodes || cb_table_num(t, r, CB_COL_RANKS) != ranks)
        return 0;
    if (transport && strcmp(cb_table_str(t, r, CB_COL_TRANSPORT), transport))
        return 0;
    double b = cb_table_num(t, r, CB_COL_BYTES), tm = cb_table_num(t, r, CB_COL_TIME_US_MEDIAN);
    return b >= 0 && tm >= 0 && isfinite(b) && isfinite(tm);
}

int cb_ddp_bench_curve(const cb_table_t *t, int nodes, int ranks, const char *transport,
                       cb_ddp_curve_t *c, cb_ddp_source_t *src)
{
    memset(c, 0, sizeof *c);
    memset(src, 0, sizeof *src);
    src->min_bytes = src->max_bytes = NAN;
    if (!t || nodes < 1 || ranks < 1)
        return CB_ERR_USAGE;
    int in_place = 0;
    for (size_t r = 0; r < t->nrows && !in_place; r++)
        in_place = row_ok(t, r, nodes, ranks, transport) &&
                   !strcmp(cb_table_str(t, r, CB_COL_PLACEMENT), "in-place");
    size_t cap = t->nrows ? t->nrows : 1;
    double *b = malloc(cap * sizeof *b), *tm = malloc(cap * sizeof *tm);
    int rc = CB_ERR_NOMEM;
    if (!b || !tm)
        goto out;
    size_t n = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        if (!row_ok(t, r, nodes, ranks, transport))
            continue;
        const char *pl = cb_table_str(t, r, CB_COL_PLACEMENT);
        if (in_place && strcmp(pl, "in-place"))
            continue;
        b[n] = cb_table_num(t, r, CB_COL_BYTES);
        tm[n] = cb_table_num(t, r, CB_COL_TIME_US_MEDIAN);
        if (n == 0 || b[n] < src->min_bytes)
            src->min_bytes = b[n];
        if (n == 0 || b[n] > src->max_bytes)
            src->max_bytes = b[n];
        const char *rt = cb_table_str(t, r, CB_COL_TRANSPORT);
        if (n == 0) {
            strncpy(src->transport, rt, sizeof src->transport - 1);
            strncpy(src->placement, pl, sizeof src->placement - 1);
        } else {
            if (strcmp(src->transport, rt))
                strcpy(src->transport, "mixed");
            if (strcmp(src->placement, pl))
                strcpy(src->placement, "mixed");
        }
        n++;
    }
    src->rows = n;
    if (n == 0) {
        rc = CB_ERR_INPUT;
        goto out;
    }
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < i && b[j] != b[i])
            j++;
        distinct += j == i;
    }
    src->sizes = distinct;
    rc = distinct < 2 ? CB_ERR_INPUT : cb_ddp_curve_init(c, b, tm, n);
out:
    free(b);
    free(tm);
    return rc;
}

int cb_ddp_bench_reduce(const double *samples, int nranks, int nsteps, double *per_step,
                        cb_stats_t *out)
{
    if (!samples || nranks < 1 || nsteps < 1 || !per_step || !out)
        return CB_ERR_USAGE;
    for (int i = 0; i < nsteps; i++) {
        double m = samples[i];
        for (int r = 1; r < nranks; r++) {
            double v = samples[(size_t)r * (size_t)nsteps + (size_t)i];
            if (v > m || isnan(m))
                m = v;
        }
        per_step[i] = m;
    }
    return cb_stats_compute(per_step, (size_t)nsteps, out) < 0 ? CB_ERR_USAGE : CB_OK;
}

int cb_ddp_bench_bisect_init(cb_ddp_bench_bisect_t *b, double lo_us, double hi_us,
                             double guess_us, int max_probes, double rel_tol)
{
    memset(b, 0, sizeof *b);
    if (!(lo_us > 0) || !(hi_us > lo_us) || !isfinite(hi_us) || max_probes < 1 ||
        !(rel_tol > 0))
        return CB_ERR_USAGE;
    b->lo_us = lo_us;
    b->hi_us = hi_us;
    b->guess_us = guess_us > lo_us && guess_us < hi_us ? guess_us : NAN;
    b->max_probes = max_probes;
    b->rel_tol = rel_tol;
    return CB_OK;
}

double cb_ddp_bench_bisect_next(const cb_ddp_bench_bisect_t *b)
{
    if (b->probes == 0 && !isnan(b->guess_us))
        return b->guess_us;
    return sqrt(b->lo_us * b->hi_us);
}

void cb_ddp_bench_bisect_result(cb_ddp_bench_bisect_t *b, double t1_us, int breaks_even)
{
    b->probes++;
    if (breaks_even) {
        if (t1_us < b->hi_us) {
            b->hi_us = t1_us;
            b->hi_seen = 1;
        } else if (t1_us == b->hi_us) {
            b->hi_seen = 1;
        }
    } else {
        if (t1_us > b->lo_us) {
            b->lo_us = t1_us;
            b->lo_seen = 1;
        } else if (t1_us == b->lo_us) {
            b->lo_seen = 1;
        }
    }
}

int cb_ddp_bench_bisect_done(const cb_ddp_bench_bisect_t *b)
{
    return b->probes >= b->max_probes || b->hi_us <= b->lo_us * (1.0 + b->rel_tol);
}

double cb_ddp_bench_bisect_answer(const cb_ddp_bench_bisect_t *b)
{
    return sqrt(b->lo_us * b->hi_us);
}

double cb_ddp_bench_error_pct(double model, double measured)
{
    if (!(measured > 0) || !isfinite(model))
        return NAN;
    return 100.0 * (model - measured) / measured;
}
