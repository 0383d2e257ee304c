/* report_model: the reporter's build driver — one pass over the table that
 * sorts rows into sections (interning the strings of their keys), the
 * sort-and-median aggregator, cluster links from profiles, the inputs and
 * problems sections, and number formatting. See report_model.h. */
#define _GNU_SOURCE /* strverscmp */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_bw.h"
#include "cb_error.h"
#include "cb_profile.h"
#include "cb_size.h"
#include "cb_stats.h"
#include "report_priv.h"

void cb_report_opts_default(cb_report_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->baseline_nodes = 1;
    o->line_rate_gbps = NAN;
    o->mtu = 1500;
    o->grad_bytes = NAN;
    o->slow_threshold = 0.10;
}

/* ------------------------------------------------------------ formatting */

const char *rep_fmt(char *buf, size_t len, double v)
{
    if (!isfinite(v))
        snprintf(buf, len, "%s", isnan(v) ? REP_DASH : v > 0 ? "inf" : "-inf");
    else if (fabs(v) >= 1e4)
        snprintf(buf, len, "%.0f", v);
    else
        snprintf(buf, len, "%.4g", v);
    return buf;
}

const char *rep_fmt_fixed(char *buf, size_t len, double v, int decimals)
{
    if (!isfinite(v))
        return rep_fmt(buf, len, v);
    snprintf(buf, len, "%.*f", decimals, v);
    return buf;
}

const char *rep_fmt_pct(char *buf, size_t len, double frac)
{
    if (!isfinite(frac))
        return rep_fmt(buf, len, NAN);
    snprintf(buf, len, "%.1f%%", 100 * frac);
    return buf;
}

const char *rep_fmt_change(char *buf, size_t len, double pct)
{
    if (!isfinite(pct))
        return rep_fmt(buf, len, NAN);
    snprintf(buf, len, "%+.1f%%", fabs(pct) < 0.05 ? 0.0 : pct);
    return buf;
}

const char *rep_fmt_ratio(char *buf, size_t len, double ratio)
{
    if (!isfinite(ratio))
        return rep_fmt(buf, len, NAN);
    if (fabs(ratio) >= 100)
        snprintf(buf, len, "%.0f\xC3\x97", ratio);
    else
        snprintf(buf, len, "%.3g\xC3\x97", ratio);
    return buf;
}

const char *rep_fmt_bytes(char *buf, size_t len, double bytes)
{
    if (!(bytes >= 0) || bytes > 1.8e19 || bytes != floor(bytes))
        return rep_fmt(buf, len, bytes);
    return cb_size_format((uint64_t)bytes, buf, len);
}

const char *rep_cluster_name(const char *s)
{
    return s && *s ? s : "(no cluster name)";
}

/* ------------------------------------------------------------ strings */

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

static const rep_strtab_t *sort_st;
static int cmp_id(const void *a, const void *b)
{
    const char *x = sort_st->str[*(const uint32_t *)a], *y = sort_st->str[*(const uint32_t *)b];
    int c = strverscmp(x, y);
    return c ? c : strcmp(x, y);
}

static int rep_rank(rep_t *r)
{
    rep_strtab_t *st = &r->st;
    st->rank = malloc((st->n + 1) * sizeof *st->rank);
    st->by_rank = malloc((st->n + 1) * sizeof *st->by_rank);
    if (!st->rank || !st->by_rank)
        return CB_ERR_NOMEM;
    for (uint32_t i = 0; i < st->n; i++)
        st->by_rank[i] = i;
    sort_st = st; /* qsort has no context argument; the build is single-threaded */
    qsort(st->by_rank, st->n, sizeof *st->by_rank, cmp_id);
    sort_st = NULL;
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

/* ------------------------------------------------------------ keys */

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

/* ------------------------------------------------------------ summary */

cb_report_sum_row_t *rep_sum_add(rep_t *r, const char *section)
{
    cb_report_summary_t *s = r->sum;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        cb_report_sum_row_t *nr = realloc(s->rows, cap * sizeof *nr);
        if (!nr) {
            r->oom = 1;
            return NULL;
        }
        s->rows = nr;
        s->cap = cap;
    }
    cb_report_sum_row_t *row = &s->rows[s->n++];
    memset(row, 0, sizeof *row);
    row->section = section;
    row->bytes = row->value = row->baseline_value = row->ratio = row->change_pct = NAN;
    row->speedup = row->efficiency = row->line_rate_frac = row->goodput_frac = NAN;
    return row;
}

void cb_report_summary_free(cb_report_summary_t *s)
{
    if (!s)
        return;
    free(s->rows);
    s->rows = NULL;
    s->n = s->cap = 0;
}

/* ------------------------------------------------------------ plots */

void rep_plot_speedup(rep_t *r, const char *title, const rep_series_t *set,
                      const cb_svg_ref_t *refs, size_t nrefs)
{
    cb_svg_plot_t p = {
        .title = title,
        .xlabel = "single-node step time T1 (ms), fixed per-GPU batch",
        .ylabel = "DDP speedup = N x T1 / T_N",
        .xscale = CB_SVG_LOG10,
        .yscale = CB_SVG_LINEAR,
        .y_from_zero = 1,
        .series = set->s,
        .nseries = set->n,
        .refs = refs,
        .nrefs = nrefs,
    };
    cb_doc_plot_line(r->doc, &p);
}

cb_svg_series_t *rep_series_add(rep_t *r, rep_series_t *set, const char *label, size_t maxpts)
{
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 16;
        cb_svg_series_t *ns = cb_doc_alloc(r->doc, cap * sizeof *ns);
        if (!ns) {
            r->oom = 1;
            return NULL;
        }
        if (set->s)
            memcpy(ns, set->s, set->n * sizeof *ns);
        set->s = ns;
        set->cap = cap;
    }
    double *x = cb_doc_alloc(r->doc, (maxpts ? maxpts : 1) * sizeof *x);
    double *y = cb_doc_alloc(r->doc, (maxpts ? maxpts : 1) * sizeof *y);
    if (!x || !y) {
        r->oom = 1;
        return NULL;
    }
    cb_svg_series_t *s = &set->s[set->n++];
    memset(s, 0, sizeof *s);
    s->label = cb_doc_strdup(r->doc, label);
    s->x = x;
    s->y = y;
    s->line = 1;
    s->marker = CB_SVG_MARK_AUTO;
    s->color = CB_SVG_COLOR_AUTO;
    return s;
}

void rep_series_pt(cb_svg_series_t *s, double x, double y)
{
    if (!s)
        return;
    ((double *)s->x)[s->n] = x;
    ((double *)s->y)[s->n] = y;
    s->n++;
}

size_t rep_link_refs(rep_t *r, const rep_link_t *l, cb_svg_ref_t refs[2])
{
    if (!l->known)
        return 0;
    memset(refs, 0, 2 * sizeof *refs);
    refs[0].label = cb_doc_printf(r->doc, "line rate %.4g Gbit/s = %.4g GB/s", l->line_gbps,
                                  l->line_gbps / 8);
    refs[0].value = l->line_gbps / 8;
    refs[0].color = CB_SVG_COLOR_AUTO;
    if (fabs(l->goodput_gbps - l->line_gbps) < 1e-12)
        return 1;
    refs[1].label = cb_doc_printf(r->doc, "TCP goodput (MTU %ld) %.4g GB/s", l->mtu,
                                  l->goodput_gbps / 8);
    refs[1].value = l->goodput_gbps / 8;
    refs[1].color = 9; /* red */
    return 2;
}

/* ------------------------------------------------------------ links */

static void link_compute(const cb_report_opts_t *o, const char *cluster, rep_link_t *l)
{
    memset(l, 0, sizeof *l);
    if (isfinite(o->line_rate_gbps)) {
        l->known = 1;
        l->line_gbps = o->line_rate_gbps;
        l->mtu = o->mtu;
        l->goodput_gbps = cb_profile_tcp_goodput_gbps(o->line_rate_gbps, o->mtu);
        snprintf(l->kind, sizeof l->kind, "ethernet");
        snprintf(l->source, sizeof l->source, "--line-rate-gbps (TCP over Ethernet, MTU %ld)",
                 o->mtu);
        return;
    }
    char path[4096], err[1024];
    if (!*cluster) {
        snprintf(l->why, sizeof l->why, "rows have no cluster name: no profile to look up");
        return;
    }
    int rc = cb_profile_resolve(cluster, path, sizeof path, err, sizeof err);
    if (rc == CB_ERR_USAGE || rc == CB_ERR_RANGE) {
        snprintf(l->why, sizeof l->why, "not a profile name: no profile looked up");
        return;
    }
    if (rc < 0) {
        snprintf(l->why, sizeof l->why, "no cluster profile of that name (sbatch/profiles/)");
        return;
    }
    cb_profile_t *prof = NULL;
    rc = cb_profile_load(path, &prof, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "clusterbench report: warning: %s\n", err);
        snprintf(l->why, sizeof l->why, "its profile does not load (see the warning on stderr)");
        return;
    }
    l->known = 1;
    l->line_gbps = prof->line_rate_gbps;
    l->goodput_gbps = cb_profile_goodput_gbps(prof);
    l->mtu = prof->mtu;
    snprintf(l->kind, sizeof l->kind, "%s", cb_net_kind_name(prof->net_kind));
    if (prof->net_kind == CB_NET_ETHERNET)
        snprintf(l->source, sizeof l->source, "profile %s (%s, MTU %ld: TCP goodput %.1f%%)",
                 prof->name, l->kind, prof->mtu, 100 * l->goodput_gbps / l->line_gbps);
    else
        snprintf(l->source, sizeof l->source, "profile %s (%s: goodput = line rate)", prof->name,
                 l->kind);
    cb_profile_free(prof);
}

const rep_link_t *rep_link(const rep_t *r, uint32_t cluster_rank)
{
    static const rep_link_t none = {0};
    if (cluster_rank >= r->st.n || !r->links)
        return &none;
    return &r->links[r->st.by_rank[cluster_rank]];
}

/* ------------------------------------------------------------ scan */

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
typedef struct bcount {
    size_t rows, ok;
} bcount_t;

typedef struct scan {
    bcount_t *bench;    /* by id */
    size_t *cluster_rows; /* by id */
    size_t cap;
    const char *ts_min, *ts_max;
} scan_t;

static int scan_grow(scan_t *s, uint32_t id)
{
    if (id < s->cap)
        return 0;
    size_t cap = s->cap ? s->cap : 64;
    while (cap <= id)
        cap *= 2;
    bcount_t *b = realloc(s->bench, cap * sizeof *b);
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

static int scan_rows(rep_t *r, scan_t *s)
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
        if (strcmp(status, "ok")) {
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
            const char *why = opc == 3 ? "op is not pingpong, bw or bibw"
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

/* ------------------------------------------------------------ inputs */

static const char *bench_use(const char *b)
{
    static const struct {
        const char *name, *use;
    } uses[] = {
        {"p2p", "Point-to-point"}, {"allreduce", "All-reduce"}, {"gpu", "GPUs"},
        {"ddp", "DDP"},
    };
    for (size_t i = 0; i < sizeof uses / sizeof uses[0]; i++)
        if (!strcmp(b, uses[i].name))
            return uses[i].use;
    return "counted only";
}

static int section_inputs(rep_t *r, const scan_t *s)
{
    cb_doc_t *d = r->doc;
    const cb_table_t *t = r->t;
    char paths[1024] = "";
    size_t pl = 0;
    for (size_t i = 0; i < r->o->npaths && pl + 1 < sizeof paths; i++) {
        int n = snprintf(paths + pl, sizeof paths - pl, "%s%s", i ? ", " : "", r->o->paths[i]);
        if (n < 0 || (size_t)n >= sizeof paths - pl) {
            snprintf(paths + sizeof paths - 6, 6, "...");
            break;
        }
        pl += (size_t)n;
    }
    cb_doc_heading(d, 1, "clusterbench report");
    cb_doc_para(d, "%zu rows from %zu file%s (%s)%s%s%s%s.", t->nrows, t->nfiles,
                t->nfiles == 1 ? "" : "s", paths, s->ts_min ? ", measured " : "",
                s->ts_min ? s->ts_min : "", s->ts_min ? " to " : "", s->ts_max ? s->ts_max : "");
    cb_doc_para(d,
                "Values are medians over repeated rows of the same configuration. Each "
                "multi-node result stands beside its %d-node counterpart (--baseline nodes=%d): "
                "ratio = multi-node / %d-node, change = (ratio - 1) x 100%%. Link efficiency = "
                "bandwidth as a fraction of the cluster profile's line rate and of the TCP "
                "goodput that rate allows. GB = 1e9 bytes, Gbit = 1e9 bits; sizes are per rank "
                "(K = 1024 bytes).",
                r->o->baseline_nodes, r->o->baseline_nodes, r->o->baseline_nodes);

    cb_doc_heading(d, 2, "Inputs");
    static const char *const hb[] = {"benchmark", "rows", "ok", "not ok", "reported in"};
    cb_doc_table_t *tb = cb_doc_table(d, 5, hb, "lrrrl");
    for (uint32_t rk = 0; rk < r->st.n; rk++) {
        uint32_t id = r->st.by_rank[rk];
        if (id >= s->cap || !s->bench[id].rows)
            continue;
        const char *name = r->st.str[id];
        cb_doc_row(tb);
        cb_doc_cell_str(tb, 0, *name ? name : "(empty)");
        cb_doc_cell(tb, 0, "%zu", s->bench[id].rows);
        cb_doc_cell(tb, 0, "%zu", s->bench[id].ok);
        size_t notok = s->bench[id].rows - s->bench[id].ok;
        cb_doc_cell(tb, notok ? CB_DOC_CELL_BAD : 0, "%zu", notok);
        cb_doc_cell_str(tb, 0, bench_use(name));
    }

    static const char *const hc[] = {"cluster", "rows", "line rate Gbit/s", "goodput Gbit/s",
                                     "link reference"};
    cb_doc_table_t *tc = cb_doc_table(d, 5, hc, "lrrrl");
    char b1[32], b2[32];
    for (uint32_t rk = 0; rk < r->st.n; rk++) {
        uint32_t id = r->st.by_rank[rk];
        if (id >= s->cap || !s->cluster_rows[id])
            continue;
        const rep_link_t *l = &r->links[id];
        cb_doc_row(tc);
        cb_doc_cell_str(tc, 0, rep_cluster_name(r->st.str[id]));
        cb_doc_cell(tc, 0, "%zu", s->cluster_rows[id]);
        cb_doc_cell_str(tc, 0, l->known ? rep_fmt(b1, sizeof b1, l->line_gbps) : REP_DASH);
        cb_doc_cell_str(tc, 0, l->known ? rep_fmt(b2, sizeof b2, l->goodput_gbps) : REP_DASH);
        if (l->known)
            cb_doc_cell_str(tc, 0, l->source);
        else
            cb_doc_cell(tc, CB_DOC_CELL_BAD, "unknown: %s; link-efficiency columns omitted",
                        l->why);
    }
    if (r->in && r->in->nforeign)
        cb_doc_note(d, "%zu CSV file%s under the given directories %s not clusterbench results "
                       "and %s skipped.",
                    r->in->nforeign, r->in->nforeign == 1 ? "" : "s",
                    r->in->nforeign == 1 ? "is" : "are", r->in->nforeign == 1 ? "was" : "were");
    return CB_OK;
}

/* ------------------------------------------------------------ problems */

static const rep_t *prob_r;
static int cmp_problem(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    const cb_table_t *t = prob_r->t;
    uint32_t ri = prob_r->bad[i], rj = prob_r->bad[j];
    int c = strcmp(cb_table_str(t, ri, CB_COL_BENCHMARK), cb_table_str(t, rj, CB_COL_BENCHMARK));
    if (!c)
        c = strcmp(cb_table_str(t, ri, CB_COL_STATUS), cb_table_str(t, rj, CB_COL_STATUS));
    const char *ni = prob_r->bad_reason[i] ? prob_r->bad_reason[i] : cb_table_str(t, ri, CB_COL_NOTE);
    const char *nj = prob_r->bad_reason[j] ? prob_r->bad_reason[j] : cb_table_str(t, rj, CB_COL_NOTE);
    if (!c)
        c = strcmp(ni, nj);
    return c ? c : (i > j) - (i < j);
}

int rep_section_problems(rep_t *r)
{
    cb_doc_t *d = r->doc;
    const cb_table_t *t = r->t;
    cb_doc_heading(d, 2, "Problems");
    size_t nempty = r->in ? r->in->nempty : 0;
    if (r->nbad == 0 && nempty == 0) {
        cb_doc_para(d, "None: every row has status ok and could be used.");
        return CB_OK;
    }
    size_t notok = r->nbad - r->nunusable;
    if (r->nbad)
        cb_doc_para(d,
                    "%zu row%s with a status other than ok (failed, skipped, timeout) and %zu "
                    "ok row%s that could not be used.",
                    notok, notok == 1 ? "" : "s", r->nunusable, r->nunusable == 1 ? "" : "s");
    static const char *const h[] = {"where", "benchmark", "status", "nodes", "size", "host",
                                    "note"};
    char where[1200], bb[32];
    size_t nlist = r->nbad < REP_MAX_PROBLEMS_LISTED ? r->nbad : REP_MAX_PROBLEMS_LISTED;
    cb_doc_table_t *tb = nlist ? cb_doc_table(d, 7, h, "lllrrll") : NULL;
    for (size_t i = 0; i < nlist; i++) {
        uint32_t row = r->bad[i];
        const char *status = cb_table_str(t, row, CB_COL_STATUS);
        cb_doc_row(tb);
        cb_doc_cell_str(tb, 0, cb_table_where(t, row, where, sizeof where));
        cb_doc_cell_str(tb, 0, cb_table_str(t, row, CB_COL_BENCHMARK));
        if (r->bad_reason[i])
            cb_doc_cell_str(tb, 0, "ok (unusable)");
        else
            cb_doc_cell_str(tb, CB_DOC_CELL_BAD, *status ? status : "(empty)");
        cb_doc_cell_str(tb, 0, cb_table_str(t, row, CB_COL_NODES));
        cb_doc_cell_str(tb, 0, rep_fmt_bytes(bb, sizeof bb, cb_table_num(t, row, CB_COL_BYTES)));
        cb_doc_cell_str(tb, 0, cb_table_str(t, row, CB_COL_HOST));
        cb_doc_cell_str(tb, 0, r->bad_reason[i] ? r->bad_reason[i]
                                                : cb_table_str(t, row, CB_COL_NOTE));
    }
    if (r->nbad > nlist) {
        cb_doc_note(d, "The first %zu of %zu rows are listed above; all of them, by benchmark, "
                       "status and note:",
                    nlist, r->nbad);
        size_t *idx = malloc(r->nbad * sizeof *idx);
        if (!idx)
            return CB_ERR_NOMEM;
        for (size_t i = 0; i < r->nbad; i++)
            idx[i] = i;
        prob_r = r;
        qsort(idx, r->nbad, sizeof *idx, cmp_problem);
        prob_r = NULL;
        static const char *const hg[] = {"benchmark", "status", "note", "rows", "first at"};
        cb_doc_table_t *tg = cb_doc_table(d, 5, hg, "lllrl");
        for (size_t i = 0; i < r->nbad;) {
            size_t j = i + 1, first = idx[i];
            uint32_t ri = r->bad[idx[i]];
            const char *ni = r->bad_reason[idx[i]] ? r->bad_reason[idx[i]]
                                                   : cb_table_str(t, ri, CB_COL_NOTE);
            while (j < r->nbad) {
                uint32_t rj = r->bad[idx[j]];
                const char *nj = r->bad_reason[idx[j]] ? r->bad_reason[idx[j]]
                                                       : cb_table_str(t, rj, CB_COL_NOTE);
                if (strcmp(cb_table_str(t, ri, CB_COL_BENCHMARK),
                           cb_table_str(t, rj, CB_COL_BENCHMARK)) ||
                    strcmp(cb_table_str(t, ri, CB_COL_STATUS), cb_table_str(t, rj, CB_COL_STATUS)) ||
                    strcmp(ni, nj))
                    break;
                if (idx[j] < first)
                    first = idx[j];
                j++;
            }
            cb_doc_row(tg);
            cb_doc_cell_str(tg, 0, cb_table_str(t, ri, CB_COL_BENCHMARK));
            cb_doc_cell_str(tg, 0, r->bad_reason[idx[i]] ? "ok (unusable)"
                                                         : cb_table_str(t, ri, CB_COL_STATUS));
            cb_doc_cell_str(tg, 0, ni);
            cb_doc_cell(tg, 0, "%zu", j - i);
            cb_doc_cell_str(tg, 0, cb_table_where(t, r->bad[first], where, sizeof where));
            i = j;
        }
        free(idx);
    }
    if (nempty) {
        cb_doc_para(d, "%zu file%s under the given directories had a header and no rows (a run "
                       "killed before its first measurement?):",
                    nempty, nempty == 1 ? "" : "s");
        static const char *const he[] = {"file"};
        cb_doc_table_t *te = cb_doc_table(d, 1, he, "l");
        for (size_t i = 0; i < nempty; i++) {
            cb_doc_row(te);
            cb_doc_cell_str(te, 0, r->in->empty_files[i]);
        }
    }
    return CB_OK;
}

/* ------------------------------------------------------------ build */

int cb_report_build(const cb_table_t *t, const cb_report_opts_t *o,
                    const cb_report_workload_t *w, const cb_report_input_t *in, cb_doc_t *doc,
                    cb_report_summary_t *sum)
{
    if (!t || !o || !doc || !sum || o->baseline_nodes < 1)
        return CB_ERR_USAGE;
    rep_t r;
    memset(&r, 0, sizeof r);
    r.t = t;
    r.o = o;
    r.w = w;
    r.in = in;
    r.doc = doc;
    r.sum = sum;
    scan_t s;
    memset(&s, 0, sizeof s);
    int rc = scan_rows(&r, &s);
    if (rc == CB_OK)
        rc = rep_rank(&r);
    if (rc == CB_OK && !(r.links = calloc(r.st.n ? r.st.n : 1, sizeof *r.links)))
        rc = CB_ERR_NOMEM;
    for (uint32_t id = 0; rc == CB_OK && id < r.st.n && id < s.cap; id++)
        if (s.cluster_rows[id])
            link_compute(o, r.st.str[id], &r.links[id]);
    if (rc == CB_OK)
        rc = section_inputs(&r, &s);
    if (rc == CB_OK)
        rc = rep_section_p2p(&r);
    if (rc == CB_OK)
        rc = rep_section_allreduce(&r);
    if (rc == CB_OK)
        rc = rep_section_gpu(&r);
    if (rc == CB_OK)
        rc = rep_section_ddp(&r);
    if (rc == CB_OK)
        rc = rep_section_ddp_torch(&r);
    if (rc == CB_OK && w)
        rc = rep_section_workload(&r);
    if (rc == CB_OK)
        rc = rep_section_problems(&r);
    if (rc == CB_OK && (r.oom || !cb_doc_ok(doc)))
        rc = CB_ERR_NOMEM;

    free(s.bench);
    free(s.cluster_rows);
    free(r.st.str);
    free(r.st.slots);
    free(r.st.rank);
    free(r.st.by_rank);
    free(r.ar.keys);
    free(r.p2p.keys);
    free(r.gpu.keys);
    free(r.ddp.keys);
    free(r.bad);
    free(r.bad_reason);
    free(r.links);
    free(r.ar_agg);
    return rc;
}
