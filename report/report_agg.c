/* report_agg: the rows of a section as keys, and the aggregator that groups
 * equal keys (one hashing pass) into medians per group, sorted by key.
 * A leaf: uses the string ranks, calls no other reporter file. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_stats.h"
#include "report_priv.h"

int rep_key_push(rep_t *r, rep_rows_t *rows, const rep_key_t *k)
{
    if (rows->n == rows->cap) {
        size_t cap = rows->cap ? rows->cap * 2 : 1024;
        rep_key_t *nk = realloc(rows->keys, cap * sizeof *nk);
        if (!nk) {
            r->oom = 1;
            return CB_ERR_NOMEM;
        }
        rows->keys = nk;
        rows->cap = cap;
    }
    rows->keys[rows->n++] = *k;
    return CB_OK;
}

static int same_group(const rep_key_t *x, const rep_key_t *y)
{
    return !memcmp(x->k, y->k, sizeof x->k) && x->x == y->x && x->tail == y->tail;
}

static uint64_t hash_key(const rep_key_t *k)
{
    uint64_t h = 1469598103934665603ULL, xb;
    double x = k->x == 0 ? 0.0 : k->x; /* -0 == 0 */
    memcpy(&xb, &x, sizeof xb);
    for (int i = 0; i < REP_NK; i++)
        h = (h ^ k->k[i]) * 1099511628211ULL;
    h = (h ^ xb) * 1099511628211ULL;
    h = (h ^ k->tail) * 1099511628211ULL;
    return h ^ (h >> 29);
}

static int cmp_agg(const void *a, const void *b)
{
    const rep_agg_t *x = a, *y = b;
    for (int i = 0; i < REP_NK; i++)
        if (x->k[i] != y->k[i])
            return x->k[i] < y->k[i] ? -1 : 1;
    if (x->x != y->x)
        return x->x < y->x ? -1 : 1;
    if (x->tail != y->tail)
        return x->tail < y->tail ? -1 : 1;
    return 0;
}

int rep_agg_same_k(const rep_agg_t *a, const rep_agg_t *b, int nk)
{
    return !memcmp(a->k, b->k, (size_t)nk * sizeof a->k[0]);
}

/* Groups by hashing (one pass, O(n)), then sorts only the groups: sorting
 * the rows themselves would move 1e6 keys around for a few thousand groups. */
int rep_aggregate(rep_t *r, rep_rows_t *rows, int nv, rep_agg_t **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    size_t n = rows->n;
    if (n == 0)
        return CB_OK;
    int rc = CB_ERR_NOMEM;
    uint32_t *gid = malloc(n * sizeof *gid), *first = NULL, *slots = NULL;
    size_t *off = NULL, *fill = NULL;
    double *buf = NULL;
    rep_agg_t *agg = NULL;
    size_t ng = 0, capg = 0, nslots = 1024;
    slots = calloc(nslots, sizeof *slots);
    if (!gid || !slots)
        goto out;
    for (size_t i = 0; i < n; i++) {
        const rep_key_t *k = &rows->keys[i];
        if ((ng + 1) * 2 > nslots) { /* grow and rehash the groups */
            size_t ns = nslots * 2;
            uint32_t *nsl = calloc(ns, sizeof *nsl);
            if (!nsl)
                goto out;
            for (size_t g = 0; g < ng; g++) {
                size_t h = (size_t)hash_key(&rows->keys[first[g]]) & (ns - 1);
                while (nsl[h])
                    h = (h + 1) & (ns - 1);
                nsl[h] = (uint32_t)g + 1;
            }
            free(slots);
            slots = nsl;
            nslots = ns;
        }
        size_t h = (size_t)hash_key(k) & (nslots - 1);
        uint32_t g = UINT32_MAX;
        while (slots[h]) {
            if (same_group(&rows->keys[first[slots[h] - 1]], k)) {
                g = slots[h] - 1;
                break;
            }
            h = (h + 1) & (nslots - 1);
        }
        if (g == UINT32_MAX) {
            if (ng == capg) {
                capg = capg ? capg * 2 : 256;
                uint32_t *nf = realloc(first, capg * sizeof *nf);
                if (!nf)
                    goto out;
                first = nf;
            }
            g = (uint32_t)ng;
            first[ng++] = (uint32_t)i;
            slots[h] = g + 1;
        }
        gid[i] = g;
    }
    agg = calloc(ng, sizeof *agg);
    off = calloc(ng + 1, sizeof *off);
    fill = malloc(ng * sizeof *fill);
    buf = malloc(n * sizeof *buf);
    if (!agg || !off || !fill || !buf)
        goto out;
    for (size_t i = 0; i < n; i++)
        off[gid[i] + 1]++;
    for (size_t g = 0; g < ng; g++) {
        const rep_key_t *k = &rows->keys[first[g]];
        rep_agg_t *a = &agg[g];
        for (int j = 0; j < REP_NK; j++) /* ids -> ranks: sorted by name */
            a->k[j] = rows->strmask & (1u << j) ? r->st.rank[k->k[j]] : k->k[j];
        a->x = k->x;
        a->tail = k->tail;
        a->first_row = k->row; /* keys are in row order */
        a->n = (uint32_t)off[g + 1];
        off[g + 1] += off[g];
    }
    for (int c = 0; c < REP_NV; c++) {
        if (c >= nv) {
            for (size_t g = 0; g < ng; g++)
                agg[g].v[c] = NAN;
            continue;
        }
        memcpy(fill, off, ng * sizeof *fill);
        for (size_t i = 0; i < n; i++) {
            double v = rows->keys[i].v[c];
            if (isfinite(v))
                buf[fill[gid[i]]++] = v;
        }
        for (size_t g = 0; g < ng; g++)
            agg[g].v[c] = cb_stats_median(buf + off[g], fill[g] - off[g]);
    }
    qsort(agg, ng, sizeof *agg, cmp_agg);
    *out = agg;
    *nout = ng;
    agg = NULL;
    rc = CB_OK;
out:
    free(gid);
    free(first);
    free(slots);
    free(off);
    free(fill);
    free(buf);
    free(agg);
    return rc;
}
