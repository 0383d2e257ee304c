/* report_intern: the reporter's string table. Key strings of the rows are
 * interned once (open addressing over FNV-1a), then ranked in natural order
 * (strverscmp) so groups sort by name. A leaf. */
#define _GNU_SOURCE /* strverscmp, qsort_r */
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "report_priv.h"

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static int strtab_grow(rep_strtab_t *st)
{
    size_t ns = st->nslots ? st->nslots * 2 : 1024;
    uint32_t *slots = calloc(ns, sizeof *slots);
    if (!slots)
        return -1;
    for (uint32_t id = 0; id < st->n; id++) {
        size_t h = (size_t)hash_str(st->str[id]) & (ns - 1);
        while (slots[h])
            h = (h + 1) & (ns - 1);
        slots[h] = id + 1;
    }
    free(st->slots);
    st->slots = slots;
    st->nslots = ns;
    return 0;
}

uint32_t rep_intern(rep_t *r, const char *s)
{
    rep_strtab_t *st = &r->st;
    if ((size_t)(st->n + 1) * 2 > st->nslots && strtab_grow(st)) {
        r->oom = 1;
        return REP_NONE;
    }
    size_t h = (size_t)hash_str(s) & (st->nslots - 1);
    while (st->slots[h]) {
        uint32_t id = st->slots[h] - 1;
        if (!strcmp(st->str[id], s))
            return id;
        h = (h + 1) & (st->nslots - 1);
    }
    if (st->n == st->cap) {
        uint32_t cap = st->cap ? st->cap * 2 : 256;
        const char **ns = realloc(st->str, cap * sizeof *ns);
        if (!ns) {
            r->oom = 1;
            return REP_NONE;
        }
        st->str = ns;
        st->cap = cap;
    }
    st->str[st->n] = s;
    st->slots[h] = st->n + 1;
    return st->n++;
}

uint32_t rep_id(rep_t *r, size_t row, int col)
{
    const char *s = cb_table_str(r->t, row, col);
    if (r->cache[col].s && (r->cache[col].s == s || !strcmp(r->cache[col].s, s)))
        return r->cache[col].id;
    uint32_t id = rep_intern(r, s);
    if (id != REP_NONE) {
        r->cache[col].s = s;
        r->cache[col].id = id;
    }
    return id;
}

static int cmp_id(const void *a, const void *b, void *ctx)
{
    const rep_strtab_t *st = ctx;
    const char *x = st->str[*(const uint32_t *)a], *y = st->str[*(const uint32_t *)b];
    int c = strverscmp(x, y);
    return c ? c : strcmp(x, y);
}

int rep_rank(rep_t *r)
{
    rep_strtab_t *st = &r->st;
    st->rank = malloc((st->n + 1) * sizeof *st->rank);
    st->by_rank = malloc((st->n + 1) * sizeof *st->by_rank);
    if (!st->rank || !st->by_rank)
        return CB_ERR_NOMEM;
    for (uint32_t i = 0; i < st->n; i++)
        st->by_rank[i] = i;
    qsort_r(st->by_rank, st->n, sizeof *st->by_rank, cmp_id, st);
    for (uint32_t i = 0; i < st->n; i++)
        st->rank[st->by_rank[i]] = i;
    return CB_OK;
}

const char *rep_str(const rep_t *r, uint32_t rank)
{
    return rank < r->st.n ? r->st.str[r->st.by_rank[rank]] : "";
}

uint32_t rep_rank_of(const rep_t *r, const char *s)
{
    const rep_strtab_t *st = &r->st;
    if (!st->nslots)
        return REP_NONE;
    size_t h = (size_t)hash_str(s) & (st->nslots - 1);
    while (st->slots[h]) {
        uint32_t id = st->slots[h] - 1;
        if (!strcmp(st->str[id], s))
            return st->rank[id];
        h = (h + 1) & (st->nslots - 1);
    }
    return REP_NONE;
}
