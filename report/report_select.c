/* report_select: the one pass over the table that sorts each row into its
 * section's keys (all-reduce, p2p, gpu, ddp), counts rows per benchmark and
 * cluster, and sets aside the rows that are not ok or cannot be used.
 * Calls the interning and key helpers only. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "report_priv.h"

static int bad_push(rep_t *r, size_t row, const char *reason)
{
    if (r->nbad == r->capbad) {
        size_t cap = r->capbad ? r->capbad * 2 : 256;
        uint32_t *nb = realloc(r->bad, cap * sizeof *nb);
        if (nb)
            r->bad = nb;
        const char **nr = realloc(r->bad_reason, cap * sizeof *nr);
        if (nr)
            r->bad_reason = nr;
        if (!nb || !nr) {
            r->oom = 1;
            return CB_ERR_NOMEM;
        }
        r->capbad = cap;
    }
    r->bad[r->nbad] = (uint32_t)row;
    r->bad_reason[r->nbad++] = reason;
    if (reason)
        r->nunusable++;
    return CB_OK;
}

/* A row of tune.csv (benchmark=tune) into r->tune. */
static int tune_push(rep_t *r, size_t row)
{
    if (r->ntune == r->captune) {
        size_t cap = r->captune ? r->captune * 2 : 64;
        uint32_t *nt = realloc(r->tune, cap * sizeof *nt);
        if (!nt) {
            r->oom = 1;
            return CB_ERR_NOMEM;
        }
        r->tune = nt;
        r->captune = cap;
    }
    r->tune[r->ntune++] = (uint32_t)row;
    return CB_OK;
}

/* cb_table_num() with a fast path: a plain decimal ([+-]digits[.digits]
 * [e[+-]digits]) of at most 15 significant digits whose power of ten is
 * within +-22 is converted exactly as strtod does (Clinger's fast path:
 * both factors are exact doubles, one correctly rounded operation); any
 * other text goes to cb_table_num(), so the result is always strtod's. */
static double num(const cb_table_t *t, size_t row, int col)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *s = cb_table_str(t, row, col), *p = s;
    if (!*p)
        return NAN;
    int neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    uint64_t m = 0;
    int digits = 0, frac = 0, any = 0;
    for (; *p >= '0' && *p <= '9'; p++, any = 1)
        if (m || *p != '0') {
            m = m * 10 + (uint64_t)(*p - '0');
            digits++;
        }
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, any = 1) {
            if (m || *p != '0') {
                m = m * 10 + (uint64_t)(*p - '0');
                digits++;
            }
            frac++;
            if (digits > 15)
                break;
        }
    int e = 0;
    if (any && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        int eneg = *q == '-';
        if (*q == '-' || *q == '+')
            q++;
        if (*q >= '0' && *q <= '9') {
            for (; *q >= '0' && *q <= '9' && e < 1000; q++)
                e = e * 10 + (*q - '0');
            e = eneg ? -e : e;
            p = q;
        }
    }
    e -= frac;
    if (!any || *p || digits > 15 || e < -22 || e > 22)
        return cb_table_num(t, row, col);
    double v = (double)m;
    v = e < 0 ? v / p10[-e] : v * p10[e];
    return neg ? -v : v;
}

static int is_count(double v)
{
    return isfinite(v) && v >= 1 && v <= 1e9 && v == floor(v);
}

static int is_size(double v)
{
    return isfinite(v) && v >= 0 && v == floor(v);
}

/* Per benchmark: rows and ok rows (by string id of the benchmark). */
static int scan_grow(rep_scan_t *s, uint32_t id)
{
    if (id < s->cap)
        return 0;
    size_t cap = s->cap ? s->cap : 64;
    while (cap <= id)
        cap *= 2;
    rep_bcount_t *b = realloc(s->bench, cap * sizeof *b);
    if (b)
        s->bench = b;
    size_t *c = realloc(s->cluster_rows, cap * sizeof *c);
    if (c)
        s->cluster_rows = c;
    if (!b || !c)
        return -1;
    memset(s->bench + s->cap, 0, (cap - s->cap) * sizeof *b);
    memset(s->cluster_rows + s->cap, 0, (cap - s->cap) * sizeof *c);
    s->cap = cap;
    return 0;
}

int rep_select(rep_t *r, rep_scan_t *s)
{
    const cb_table_t *t = r->t;
    r->ar.strmask = 0x3F;                 /* cluster transport memory dtype op placement */
    r->p2p.strmask = 0x37;                /* cluster transport memory . host peer */
    r->gpu.strmask = 0x7F;                /* cluster metric dtype op unit bytes host */
    r->ddp.strmask = 0x3F | 0x80;         /* cluster transport memory dtype op bytes . metric */
    /* size the key arrays once: a cheap pass over the benchmark names */
    size_t want[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < t->nrows; i++) {
        const char *b = cb_table_str(t, i, CB_COL_BENCHMARK);
        want[0] += b[0] == 'a' && !strcmp(b, "allreduce");
        want[1] += b[0] == 'p' && !strcmp(b, "p2p");
        want[2] += b[0] == 'g' && !strcmp(b, "gpu");
        want[3] += b[0] == 'd' && !strcmp(b, "ddp");
    }
    rep_rows_t *sec[4] = {&r->ar, &r->p2p, &r->gpu, &r->ddp};
    for (int q = 0; q < 4; q++)
        if (want[q] && !(sec[q]->keys = malloc(want[q] * sizeof *sec[q]->keys)))
            return CB_ERR_NOMEM;
        else
            sec[q]->cap = want[q];
    for (size_t i = 0; i < t->nrows; i++) {
        uint32_t b = rep_id(r, i, CB_COL_BENCHMARK), c = rep_id(r, i, CB_COL_CLUSTER);
        if (b == REP_NONE || c == REP_NONE || scan_grow(s, b > c ? b : c))
            return CB_ERR_NOMEM;
        s->bench[b].rows++;
        s->cluster_rows[c]++;
        const char *ts = cb_table_str(t, i, CB_COL_TIMESTAMP_UTC);
        if (*ts) {
            if (!s->ts_min || strcmp(ts, s->ts_min) < 0)
                s->ts_min = ts;
            if (!s->ts_max || strcmp(ts, s->ts_max) > 0)
                s->ts_max = ts;
        }
        const char *bench = cb_table_str(t, i, CB_COL_BENCHMARK);
        const char *status = cb_table_str(t, i, CB_COL_STATUS);
        /* the tuner's rows, and the benchmarks' rows of its trials (they ran
         * with candidate settings: not the cluster's figures) */
        int is_ok = !strcmp(status, "ok");
        if (bench[0] == 't' && !strcmp(bench, "tune")) {
            s->bench[b].ok += is_ok;
            if (tune_push(r, i) || (!is_ok && bad_push(r, i, NULL)))
                return CB_ERR_NOMEM;
            continue;
        }
        const char *note = cb_table_str(t, i, CB_COL_NOTE);
        if (note[0] == 't' && !strncmp(note, "tune trial ", 11)) {
            s->bench[b].ok += is_ok;
            r->ntune_bench++;
            continue;
        }
        if (!is_ok) {
            if (bad_push(r, i, NULL))
                return CB_ERR_NOMEM;
            continue;
        }
        s->bench[b].ok++;
        rep_key_t k;
        memset(&k, 0, sizeof k);
        k.row = (uint32_t)i;
        k.k[0] = c;
        double nodes = num(t, i, CB_COL_NODES);
        if (!strcmp(bench, "allreduce")) {
            double bytes = num(t, i, CB_COL_BYTES);
            if (!is_count(nodes) || !is_size(bytes)) {
                if (bad_push(r, i, "no usable nodes/bytes"))
                    return CB_ERR_NOMEM;
                continue;
            }
            k.v[0] = num(t, i, CB_COL_TIME_US_MEDIAN);
            k.v[1] = num(t, i, CB_COL_BUSBW_GBPS);
            k.v[2] = num(t, i, CB_COL_ALGBW_GBPS);
            if (!isfinite(k.v[0]) && !isfinite(k.v[1])) {
                if (bad_push(r, i, "no time_us_median nor busbw_gbps"))
                    return CB_ERR_NOMEM;
                continue;
            }
            k.k[1] = rep_id(r, i, CB_COL_TRANSPORT);
            k.k[2] = rep_id(r, i, CB_COL_MEMORY);
            k.k[3] = rep_id(r, i, CB_COL_DTYPE);
            k.k[4] = rep_id(r, i, CB_COL_OP);
            k.k[5] = rep_id(r, i, CB_COL_PLACEMENT);
            k.k[7] = (uint32_t)nodes;
            k.x = bytes;
            if (rep_key_push(r, &r->ar, &k))
                return CB_ERR_NOMEM;
        } else if (!strcmp(bench, "p2p")) {
            const char *op = cb_table_str(t, i, CB_COL_OP);
            double bytes = num(t, i, CB_COL_BYTES);
            uint32_t opc = !strcmp(op, "pingpong") ? 0 : !strcmp(op, "bw") ? 1
                           : !strcmp(op, "bibw")   ? 2 : 3;
            k.v[0] = num(t, i, CB_COL_TIME_US_MEDIAN);
            k.v[1] = num(t, i, CB_COL_ALGBW_GBPS);
            k.v[2] = NAN;
            const char *why = opc == 3 ? (!strcmp(op, "bw_alone")
                                              ? "op bw_alone: a direction alone, the reference "
                                                "of the rounds (cb-p2p --reference); the "
                                                "matrix is op=bw"
                                          : !strcmp(op, "round")
                                              ? "op round: a round's pairs at once against "
                                                "alone (cb-p2p --reference; the gate judges it)"
                                              : "op is not pingpong, bw or bibw")
                              : !is_count(nodes) || !is_size(bytes) ? "no usable nodes/bytes"
                              : !isfinite(k.v[opc ? 1 : 0])
                                  ? (opc ? "no algbw_gbps" : "no time_us_median")
                                  : NULL;
            if (why) {
                if (bad_push(r, i, why))
                    return CB_ERR_NOMEM;
                continue;
            }
            k.k[1] = rep_id(r, i, CB_COL_TRANSPORT);
            k.k[2] = rep_id(r, i, CB_COL_MEMORY);
            k.k[3] = (uint32_t)nodes;
            k.k[4] = rep_id(r, i, CB_COL_HOST);
            k.k[5] = rep_id(r, i, CB_COL_PEER);
            k.x = bytes;
            k.tail = opc;
            if (rep_key_push(r, &r->p2p, &k))
                return CB_ERR_NOMEM;
        } else if (!strcmp(bench, "gpu") || !strcmp(bench, "ddp")) {
            int gpu = bench[0] == 'g';
            const char *metric = cb_table_str(t, i, CB_COL_METRIC);
            k.v[0] = num(t, i, CB_COL_VALUE);
            k.v[1] = gpu ? num(t, i, CB_COL_SPEC_VALUE) : NAN;
            k.v[2] = gpu ? num(t, i, CB_COL_EFFICIENCY) : NAN;
            const char *why = !*metric ? "no metric"
                              : !isfinite(k.v[0]) ? "no numeric value"
                              : !gpu && !is_count(nodes)                   ? "no usable nodes"
                                                                           : NULL;
            if (why) {
                if (bad_push(r, i, why))
                    return CB_ERR_NOMEM;
                continue;
            }
            if (gpu) {
                k.k[1] = rep_id(r, i, CB_COL_METRIC);
                k.k[2] = rep_id(r, i, CB_COL_DTYPE);
                k.k[3] = rep_id(r, i, CB_COL_OP);
                k.k[4] = rep_id(r, i, CB_COL_UNIT);
                k.k[5] = rep_id(r, i, CB_COL_BYTES);
                k.k[6] = rep_id(r, i, CB_COL_HOST);
                double rank = num(t, i, CB_COL_RANK);
                k.k[7] = isfinite(rank) && rank >= 0 && rank < 1e9 ? (uint32_t)rank + 1 : 0;
                if (rep_key_push(r, &r->gpu, &k))
                    return CB_ERR_NOMEM;
            } else {
                k.k[1] = rep_id(r, i, CB_COL_TRANSPORT);
                k.k[2] = rep_id(r, i, CB_COL_MEMORY);
                k.k[3] = rep_id(r, i, CB_COL_DTYPE);
                k.k[4] = rep_id(r, i, CB_COL_OP);
                k.k[5] = rep_id(r, i, CB_COL_BYTES);
                k.k[6] = (uint32_t)nodes;
                k.k[7] = rep_id(r, i, CB_COL_METRIC);
                if (rep_key_push(r, &r->ddp, &k))
                    return CB_ERR_NOMEM;
            }
        }
        if (r->oom)
            return CB_ERR_NOMEM;
    }
    return r->oom ? CB_ERR_NOMEM : CB_OK;
}
