/* report_p2p: the point-to-point section — per cluster, bandwidth and
 * latency against message size per transport and node count (median over
 * host pairs; line rate and goodput dashed), the all-pairs matrix at the
 * largest size as a heat map with slow directions flagged, and tables: the
 * matrix, the largest size of each pair against the link, and every size of
 * every pair beside the baseline-node value. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_spread.h"
#include "cb_stats.h"
#include "report_priv.h"

/* Key slots of p2p aggregates: 0 cluster, 1 transport, 2 memory, 3 nodes,
 * 4 host, 5 peer; x = bytes; tail = op (0 pingpong, 1 bw, 2 bibw). */
#define P2P_GROUP 3 /* cluster, transport, memory */
enum { OP_LAT = 0, OP_BW = 1, OP_BIBW = 2, NOPS = 3 };
static const char *const op_metric[NOPS] = {"latency_us", "bw_gbps", "bibw_gbps"};
static const char *const op_unit[NOPS] = {"us", "GB/s", "GB/s"};
static const char *const op_name[NOPS] = {"pingpong", "bw", "bibw"};

static double agg_value(const rep_agg_t *a)
{
    return a->tail == OP_LAT ? a->v[0] : a->v[1];
}

/* (op, bytes) -> median of values. */
typedef struct pt {
    uint32_t op;
    double x, v;
    uint32_t n;
} pt_t;

static int cmp_pt(const void *a, const void *b)
{
    const pt_t *p = a, *q = b;
    if (p->op != q->op)
        return p->op < q->op ? -1 : 1;
    return (p->x > q->x) - (p->x < q->x);
}

/* Merge points of equal (op, x) into their median; returns the new count. */
static size_t merge_pts(pt_t *p, size_t n)
{
    qsort(p, n, sizeof *p, cmp_pt);
    size_t out = 0;
    double *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp)
        return 0;
    for (size_t i = 0; i < n;) {
        size_t j = i, m = 0;
        uint32_t rows = 0;
        while (j < n && p[j].op == p[i].op && p[j].x == p[i].x) {
            if (isfinite(p[j].v))
                tmp[m++] = p[j].v;
            rows += p[j].n;
            j++;
        }
        pt_t q = {p[i].op, p[i].x, cb_stats_median(tmp, m), rows};
        p[out++] = q;
        i = j;
    }
    free(tmp);
    return out;
}

static const pt_t *find_pt(const pt_t *p, size_t n, uint32_t op, double x)
{
    size_t lo = 0, hi = n;
    pt_t key = {op, x, 0, 0};
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_pt(&p[mid], &key);
        if (!c)
            return &p[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Inter-node: more than one node and two different hosts (or no names). */
static int inter_node(const rep_t *r, const rep_agg_t *a)
{
    return a->k[3] > 1 && (a->k[4] != a->k[5] || !*rep_str(r, a->k[4]));
}

/* Points of aggregates [lo, hi) with nodes = N (inter-node pairs only when
 * N > 1), merged over pairs. *out malloc'd. */
static size_t collect(const rep_t *r, const rep_agg_t *ag, size_t lo, size_t hi, uint32_t nodes,
                      pt_t **out)
{
    size_t n = 0;
    pt_t *p = malloc((hi - lo + 1) * sizeof *p);
    *out = p;
    if (!p)
        return 0;
    for (size_t i = lo; i < hi; i++)
        if (ag[i].k[3] == nodes && (nodes == 1 || inter_node(r, &ag[i]))) {
            pt_t q = {ag[i].tail, ag[i].x, agg_value(&ag[i]), ag[i].n};
            p[n++] = q;
        }
    return merge_pts(p, n);
}

static char *pair_label(rep_t *r, const rep_agg_t *a)
{
    const char *h = rep_str(r, a->k[4]), *p = rep_str(r, a->k[5]);
    return cb_doc_printf(r->doc, "%s \xE2\x86\x92 %s", *h ? h : "?", *p ? p : "?");
}

static char *group_label(rep_t *r, const rep_agg_t *a)
{
    const char *mem = rep_str(r, a->k[2]);
    return cb_doc_printf(r->doc, "%s: %s%s%s%s", rep_cluster_name(rep_str(r, a->k[0])),
                         *rep_str(r, a->k[1]) ? rep_str(r, a->k[1]) : "?", *mem ? ", " : "", mem,
                         *mem ? " memory" : "");
}

/* ------------------------------------------------------------ plots */

static void plots_cluster(rep_t *r, const rep_agg_t *ag, size_t lo, size_t hi)
{
    rep_series_t bw = {0}, lat = {0};
    int multi_cfg = 0;
    for (size_t i = lo + 1; i < hi; i++)
        multi_cfg |= !rep_agg_same_k(&ag[i], &ag[lo], P2P_GROUP);
    for (size_t g = lo; g < hi;) {
        size_t ge = g + 1;
        while (ge < hi && rep_agg_same_k(&ag[ge], &ag[g], P2P_GROUP))
            ge++;
        for (size_t i = g; i < ge;) {
            size_t j = i + 1;
            while (j < ge && ag[j].k[3] == ag[i].k[3])
                j++;
            uint32_t nodes = ag[i].k[3];
            pt_t *p;
            size_t n = collect(r, ag, i, j, nodes, &p);
            if (!p) {
                r->oom = 1;
                return;
            }
            for (uint32_t op = 0; op < NOPS; op++) {
                size_t cnt = 0;
                for (size_t q = 0; q < n; q++)
                    cnt += p[q].op == op;
                if (!cnt)
                    continue;
                char label[200];
                snprintf(label, sizeof label, "%s%s%u node%s%s%s",
                         multi_cfg ? rep_str(r, ag[i].k[1]) : "", multi_cfg ? " \xC2\xB7 " : "",
                         nodes, nodes == 1 ? "" : "s", op ? " \xC2\xB7 " : "",
                         op ? op_name[op] : "");
                cb_svg_series_t *s = rep_series_add(r, op ? &bw : &lat, label, cnt);
                if (!s)
                    break;
                if (op) { /* bw circles, bibw dashed squares in bw's colour */
                    s->marker = op == OP_BW ? CB_SVG_MARK_CIRCLE : CB_SVG_MARK_SQUARE;
                    s->dashed = op == OP_BIBW;
                }
                for (size_t q = 0; q < n; q++)
                    if (p[q].op == op)
                        rep_series_pt(s, p[q].x, p[q].v);
            }
            free(p);
            i = j;
        }
        g = ge;
    }
    /* colours of bandwidth series: one per (config, N), bibw shares bw's */
    int col = 0;
    for (size_t i = 0; i < bw.n; i++) {
        if (i > 0 && bw.s[i].marker == CB_SVG_MARK_SQUARE &&
            bw.s[i - 1].marker == CB_SVG_MARK_CIRCLE)
            bw.s[i].color = bw.s[i - 1].color;
        else
            bw.s[i].color = col++;
    }
    const char *cl = rep_cluster_name(rep_str(r, ag[lo].k[0]));
    cb_svg_ref_t refs[2];
    size_t nrefs = rep_link_refs(r, rep_link(r, ag[lo].k[0]), refs);
    cb_svg_plot_t p = {
        .title = cb_doc_printf(r->doc, "Point-to-point bandwidth \xE2\x80\x94 %s", cl),
        .xlabel = "message size (bytes, K = 1024)",
        .ylabel = "bandwidth (GB/s); bibw = both directions",
        .xscale = CB_SVG_BYTES,
        .yscale = CB_SVG_LOG10,
        .series = bw.s,
        .nseries = bw.n,
        .refs = refs,
        .nrefs = nrefs,
    };
    if (bw.n)
        cb_doc_plot_line(r->doc, &p);
    else
        cb_doc_note(r->doc, "%s: no bw/bibw rows, no bandwidth plot.", cl);
    if (!lat.n) {
        cb_doc_note(r->doc, "%s: no ping-pong rows, no latency plot.", cl);
        return;
    }
    cb_svg_plot_t q = {
        .title = cb_doc_printf(r->doc, "Point-to-point latency \xE2\x80\x94 %s", cl),
        .xlabel = "message size (bytes, K = 1024)",
        .ylabel = "latency, half round trip (us)",
        .xscale = CB_SVG_BYTES,
        .yscale = CB_SVG_LOG10,
        .series = lat.s,
        .nseries = lat.n,
    };
    cb_doc_plot_line(r->doc, &q);
}

/* ------------------------------------------------------------ matrix */

typedef struct matrix {
    size_t n;
    uint32_t *hosts; /* n ranks, ascending (name order) */
    double *v;       /* n*n */
    int *flag;
    double bytes, median;
    uint32_t op;
} matrix_t;

/* The all-pairs matrix of nodes-group [lo, hi) (one N); 0 when there is
 * none (fewer than two hosts, no bw rows). Memory is sized from the hosts
 * found: no limit on their number. */
static int matrix_build(rep_t *r, const rep_agg_t *ag, size_t lo, size_t hi, matrix_t *m)
{
    memset(m, 0, sizeof *m);
    if (ag[lo].k[3] < 2)
        return 0;
    uint32_t nst = r->st.n;
    uint32_t *idx = malloc((nst ? nst : 1) * sizeof *idx); /* rank -> host index */
    if (!idx) {
        r->oom = 1;
        return 0;
    }
    for (uint32_t i = 0; i < nst; i++)
        idx[i] = REP_NONE;
    size_t nh = 0;
    for (uint32_t op = OP_BW; op <= OP_BIBW && !nh; op++) {
        m->bytes = -1;
        for (size_t i = lo; i < hi; i++)
            if (ag[i].tail == op && inter_node(r, &ag[i]) && *rep_str(r, ag[i].k[4]) &&
                ag[i].x > m->bytes)
                m->bytes = ag[i].x;
        if (m->bytes < 0)
            continue;
        m->op = op;
        for (size_t i = lo; i < hi; i++) {
            if (ag[i].tail != op || !inter_node(r, &ag[i]) || ag[i].x != m->bytes)
                continue;
            for (int s = 4; s <= 5; s++)
                if (ag[i].k[s] < nst && idx[ag[i].k[s]] == REP_NONE) {
                    idx[ag[i].k[s]] = 0;
                    nh++;
                }
        }
    }
    if (nh < 2) {
        free(idx);
        return 0;
    }
    /* hosts in name order: ranks ascending */
    if (!(m->hosts = malloc(nh * sizeof *m->hosts))) {
        free(idx);
        r->oom = 1;
        return 0;
    }
    for (uint32_t rk = 0; rk < nst; rk++)
        if (idx[rk] != REP_NONE) {
            idx[rk] = (uint32_t)m->n;
            m->hosts[m->n++] = rk;
        }
    size_t nn = m->n * m->n;
    m->v = malloc(nn * sizeof *m->v);
    m->flag = calloc(nn, sizeof *m->flag);
    double *vals = malloc(nn * sizeof *vals);
    size_t *cell = malloc(nn * sizeof *cell);
    cb_spread_verdict_t *ver = malloc(nn * sizeof *ver);
    if (!m->v || !m->flag || !vals || !cell || !ver) {
        free(vals);
        free(cell);
        free(ver);
        free(idx);
        r->oom = 1;
        return 0;
    }
    for (size_t i = 0; i < nn; i++)
        m->v[i] = NAN;
    for (size_t i = lo; i < hi; i++) {
        if (ag[i].tail != m->op || !inter_node(r, &ag[i]) || ag[i].x != m->bytes)
            continue;
        size_t a = idx[ag[i].k[4]], b = idx[ag[i].k[5]];
        if (a < m->n && b < m->n)
            m->v[a * m->n + b] = agg_value(&ag[i]);
    }
    free(idx);
    size_t nv = 0;
    for (size_t i = 0; i < nn; i++)
        if (isfinite(m->v[i])) {
            cell[nv] = i;
            vals[nv++] = m->v[i];
        }
    cb_spread_opts_t so;
    cb_spread_opts_default(&so);
    so.threshold = r->o->slow_threshold;
    if (cb_spread_check(NULL, vals, nv, &so, ver) >= 0)
        for (size_t k = 0; k < nv; k++)
            m->flag[cell[k]] = ver[k].state == CB_SPREAD_SLOW;
    m->median = cb_stats_median(vals, nv);
    free(vals);
    free(cell);
    free(ver);
    return 1;
}

static void matrix_free(matrix_t *m)
{
    free(m->hosts);
    free(m->v);
    free(m->flag);
    m->hosts = NULL;
    m->v = NULL;
    m->flag = NULL;
}

/* The heat map, nodes in name order. Above HEAT_MAX_CELLS nodes they are
 * grouped, g consecutive nodes a row/column: a cell shows the slowest
 * direction between the two groups and is marked when any is flagged, so a
 * slow node still shows as a pale, marked row and column. */
#define HEAT_MAX_CELLS 64
static void matrix_plot(rep_t *r, const rep_agg_t *a, const matrix_t *m)
{
    size_t n = m->n, g = (n + HEAT_MAX_CELLS - 1) / HEAT_MAX_CELLS, ng = (n + g - 1) / g;
    const char **labels = malloc(ng * sizeof *labels);
    double *v = g > 1 ? malloc(ng * ng * sizeof *v) : m->v;
    int *flag = g > 1 ? calloc(ng * ng, sizeof *flag) : m->flag;
    if (!labels || !v || !flag) {
        r->oom = 1;
        goto out;
    }
    if (g > 1) {
        for (size_t c = 0; c < ng * ng; c++)
            v[c] = NAN;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                double x = m->v[i * n + j];
                size_t c = (i / g) * ng + j / g;
                if (isfinite(x) && !(x >= v[c]))
                    v[c] = x;
                flag[c] |= m->flag[i * n + j];
            }
    }
    for (size_t k = 0; k < ng; k++) {
        size_t first = k * g, last = first + g < n ? first + g - 1 : n - 1;
        labels[k] = g == 1 ? rep_str(r, m->hosts[k])
                           : cb_doc_printf(r->doc, "%s\xE2\x80\x93%s", rep_str(r, m->hosts[first]),
                                           rep_str(r, m->hosts[last]));
    }
    char sz[32], grp[64] = "";
    if (g > 1)
        snprintf(grp, sizeof grp, " (groups of %zu)", g);
    cb_svg_heat_t h = {
        .title = cb_doc_printf(r->doc, "All-pairs %s at %s \xE2\x80\x94 %s, %u nodes%s",
                               op_name[m->op], rep_fmt_bytes(sz, sizeof sz, m->bytes),
                               group_label(r, a), a->k[3], grp),
        .row_title = "sender",
        .col_title = "receiver",
        .unit = "GB/s",
        .n = ng,
        .labels = labels,
        .values = v,
        .flagged = flag,
        .flag_legend = cb_doc_printf(r->doc, "> %.0f%% below the median (%.4g GB/s)",
                                     100 * r->o->slow_threshold, m->median),
    };
    cb_doc_plot_heat(r->doc, &h);
    if (g > 1)
        cb_doc_note(r->doc,
                    "%zu nodes in groups of %zu, in name order: each cell is the slowest "
                    "direction from a node of the row's group to a node of the column's, marked "
                    "when any of them is flagged. The table of nodes lists every node.",
                    n, g);
out:
    free(labels);
    if (g > 1) {
        free(v);
        free(flag);
    }
}

/* One node's directions in the matrix. */
typedef struct node_stat {
    size_t i;                 /* host index */
    double all, send, recv;   /* medians: all its directions, as sender, as receiver */
    double worst;             /* its slowest direction */
    size_t worst_peer;
    int worst_sends;          /* the slowest direction is one it sends */
    size_t nflag;             /* flagged directions it is part of */
} node_stat_t;

static int cmp_node(const void *a, const void *b)
{
    const node_stat_t *p = a, *q = b;
    int pn = !isfinite(p->all), qn = !isfinite(q->all);
    if (pn != qn)
        return pn - qn; /* unmeasured last */
    if (!pn && p->all != q->all)
        return p->all < q->all ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

/* Every node, slowest first (the median of its directions), with a verdict
 * against the other nodes' medians. */
static void node_table(rep_t *r, const rep_agg_t *a, const matrix_t *m)
{
    size_t n = m->n;
    node_stat_t *ns = malloc(n * sizeof *ns);
    double *tmp = malloc(2 * n * sizeof *tmp), *med = malloc(n * sizeof *med);
    cb_spread_verdict_t *ver = malloc(n * sizeof *ver);
    if (!ns || !tmp || !med || !ver) {
        r->oom = 1;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        node_stat_t *x = &ns[i];
        size_t k = 0;
        x->i = i;
        x->worst = NAN;
        x->worst_peer = 0;
        x->worst_sends = 1;
        x->nflag = 0;
        for (int dir = 0; dir < 2; dir++) {
            size_t k0 = k;
            for (size_t j = 0; j < n; j++) {
                size_t c = dir ? j * n + i : i * n + j;
                double v = m->v[c];
                if (j == i || !isfinite(v))
                    continue;
                tmp[k++] = v;
                x->nflag += (size_t)m->flag[c];
                if (!(v >= x->worst)) {
                    x->worst = v;
                    x->worst_peer = j;
                    x->worst_sends = !dir;
                }
            }
            double *part = tmp + k0;
            double mv = cb_stats_median(part, k - k0); /* sorts that part only */
            if (dir)
                x->recv = mv;
            else
                x->send = mv;
        }
        x->all = cb_stats_median(tmp, k);
        med[i] = x->all;
    }
    cb_spread_opts_t so;
    cb_spread_opts_default(&so);
    so.threshold = r->o->slow_threshold;
    if (cb_spread_check(NULL, med, n, &so, ver) < 0) {
        r->oom = 1;
        goto out;
    }
    qsort(ns, n, sizeof *ns, cmp_node);
    char sz[32];
    cb_doc_para(r->doc,
                "Nodes, slowest first: the median of each node's %s directions at %s (it sends "
                "to and receives from each other node); slow = more than %.0f%% below the "
                "median of the other nodes' medians:",
                op_name[m->op], rep_fmt_bytes(sz, sizeof sz, m->bytes),
                100 * r->o->slow_threshold);
    const char *h[] = {"node", "median GB/s", "vs other nodes", "sends GB/s", "receives GB/s",
                       "slowest direction", "flagged directions", "verdict"};
    cb_doc_table_t *tb = cb_doc_table(r->doc, 8, h, "lrrrrlrl");
    char b[6][96];
    for (size_t q = 0; q < n; q++) {
        const node_stat_t *x = &ns[q];
        const cb_spread_verdict_t *vd = &ver[x->i];
        int slow = vd->state == CB_SPREAD_SLOW;
        cb_doc_row(tb);
        cb_doc_cell_str(tb, slow ? CB_DOC_CELL_BAD : 0, rep_str(r, m->hosts[x->i]));
        cb_doc_cell_str(tb, 0, rep_fmt(b[0], sizeof b[0], x->all));
        cb_doc_cell_str(tb, 0, rep_fmt_change(b[1], sizeof b[1], -100 * vd->deficit));
        cb_doc_cell_str(tb, 0, rep_fmt(b[2], sizeof b[2], x->send));
        cb_doc_cell_str(tb, 0, rep_fmt(b[3], sizeof b[3], x->recv));
        if (isfinite(x->worst)) {
            char w[48];
            snprintf(b[4], sizeof b[4], "%s %s %s", rep_fmt(w, sizeof w, x->worst),
                     x->worst_sends ? "to" : "from", rep_str(r, m->hosts[x->worst_peer]));
        } else {
            snprintf(b[4], sizeof b[4], "%s", REP_DASH);
        }
        cb_doc_cell_str(tb, 0, b[4]);
        snprintf(b[5], sizeof b[5], "%zu", x->nflag);
        cb_doc_cell_str(tb, x->nflag ? CB_DOC_CELL_BAD : 0, b[5]);
        cb_doc_cell_str(tb, slow ? CB_DOC_CELL_BAD : 0, cb_spread_state_name(vd->state));
    }
out:
    free(ns);
    free(tmp);
    free(med);
    free(ver);
}

static void matrix_table(rep_t *r, const rep_agg_t *a, const matrix_t *m)
{
    char sz[32], b[48];
    cb_doc_para(r->doc, "All-pairs %s at %s, %u nodes, GB/s (row sends to column):",
                op_name[m->op], rep_fmt_bytes(sz, sizeof sz, m->bytes), a->k[3]);
    const char **h = cb_doc_alloc(r->doc, (m->n + 1) * sizeof *h);
    char *align = cb_doc_alloc(r->doc, m->n + 2);
    if (!h || !align)
        return;
    h[0] = "from \\ to";
    align[0] = 'l';
    for (size_t i = 0; i < m->n; i++) {
        h[i + 1] = rep_str(r, m->hosts[i]);
        align[i + 1] = 'r';
    }
    cb_doc_table_t *tb = cb_doc_table(r->doc, m->n + 1, h, align);
    for (size_t i = 0; i < m->n; i++) {
        cb_doc_row(tb);
        cb_doc_cell_str(tb, 0, rep_str(r, m->hosts[i]));
        for (size_t j = 0; j < m->n; j++) {
            double v = m->v[i * m->n + j];
            int f = m->flag[i * m->n + j];
            if (f)
                cb_doc_cell(tb, CB_DOC_CELL_BAD, "%s !", rep_fmt(b, sizeof b, v));
            else
                cb_doc_cell_str(tb, 0, rep_fmt(b, sizeof b, v));
        }
    }
    cb_doc_note(r->doc, "! = more than %.0f%% below the median of the other directions "
                        "(median of all: %.4g GB/s).",
                100 * r->o->slow_threshold, m->median);
}

/* The tables of a matrix: its nodes slowest first, then every direction. */
static void matrix_tables(rep_t *r, const rep_agg_t *a, const matrix_t *m)
{
    node_table(r, a, m);
    if (!r->oom)
        matrix_table(r, a, m);
}

/* ------------------------------------------------------------ tables */

/* Largest size of each pair against the link. */
static void table_largest(rep_t *r, const rep_agg_t *ag, size_t lo, size_t hi)
{
    const rep_link_t *link = rep_link(r, ag[lo].k[0]);
    const char *h[] = {"nodes", "pair", "size", "bw GB/s", "bw % of line rate",
                       "bw % of goodput", "bibw GB/s", "bibw % of 2x line rate",
                       "latency us", "at size"};
    static const int with_link[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    static const int no_link[] = {0, 1, 2, 3, 6, 8, 9};
    const int *cols = link->known ? with_link : no_link;
    size_t ncols = link->known ? 10 : 7;
    const char *hh[10];
    for (size_t c = 0; c < ncols; c++)
        hh[c] = h[cols[c]];
    cb_doc_para(r->doc, "Largest size of each pair%s:",
                link->known ? " against the link (bibw against both directions of it)" : "");
    cb_doc_table_t *tb = cb_doc_table(r->doc, ncols, hh, "rlrrrrrrrr");
    char b[10][64];
    for (size_t i = lo; i < hi;) {
        size_t j = i + 1;
        while (j < hi && ag[j].k[3] == ag[i].k[3] && ag[j].k[4] == ag[i].k[4] &&
               ag[j].k[5] == ag[i].k[5])
            j++;
        /* the pair [i, j): sorted by bytes then op */
        const rep_agg_t *big[NOPS] = {NULL, NULL, NULL}, *small_lat = NULL;
        for (size_t q = i; q < j; q++) {
            big[ag[q].tail] = &ag[q]; /* ascending bytes: the last is the largest */
            if (ag[q].tail == OP_LAT && !small_lat)
                small_lat = &ag[q];
        }
        int inter = inter_node(r, &ag[i]) && link->known;
        double bwv = big[OP_BW] ? agg_value(big[OP_BW]) : NAN;
        double bib = big[OP_BIBW] ? agg_value(big[OP_BIBW]) : NAN;
        double size = big[OP_BW] ? big[OP_BW]->x : big[OP_BIBW] ? big[OP_BIBW]->x : NAN;
        snprintf(b[0], sizeof b[0], "%u", ag[i].k[3]);
        snprintf(b[1], sizeof b[1], "%s", pair_label(r, &ag[i]));
        rep_fmt_bytes(b[2], sizeof b[2], size);
        rep_fmt(b[3], sizeof b[3], bwv);
        rep_fmt_pct(b[4], sizeof b[4], inter ? bwv * 8 / link->line_gbps : NAN);
        rep_fmt_pct(b[5], sizeof b[5], inter ? bwv * 8 / link->goodput_gbps : NAN);
        rep_fmt(b[6], sizeof b[6], bib);
        rep_fmt_pct(b[7], sizeof b[7], inter ? bib * 8 / (2 * link->line_gbps) : NAN);
        rep_fmt(b[8], sizeof b[8], small_lat ? agg_value(small_lat) : NAN);
        rep_fmt_bytes(b[9], sizeof b[9], small_lat ? small_lat->x : NAN);
        cb_doc_row(tb);
        for (size_t c = 0; c < ncols; c++)
            cb_doc_cell_str(tb, 0, b[cols[c]]);
        i = j;
    }
}

/* Every size of every pair beside the baseline. */
static void table_sizes(rep_t *r, const rep_agg_t *ag, size_t lo, size_t hi, const pt_t *base,
                        size_t nbase)
{
    uint32_t B = (uint32_t)r->o->baseline_nodes;
    const rep_link_t *link = rep_link(r, ag[lo].k[0]);
    int any_other = 0;
    for (size_t i = lo; i < hi; i++)
        any_other |= ag[i].k[3] != B;
    char hl[48], hb[48], hbb[48];
    snprintf(hl, sizeof hl, "%u-node latency us", B);
    snprintf(hb, sizeof hb, "%u-node bw GB/s", B);
    snprintf(hbb, sizeof hbb, "%u-node bibw GB/s", B);
    const char *h[] = {"nodes", "pair", "size", "latency us", hl, "latency ratio", "bw GB/s",
                       hb, "bw change", "bibw GB/s", hbb, "bibw change"};
    if (!any_other)
        cb_doc_para(r->doc, "Every size (only %u-node rows: nothing to compare them with):", B);
    else if (!nbase)
        cb_doc_para(r->doc, "Every size (no %u-node rows of this transport: no baseline):", B);
    else
        cb_doc_para(r->doc, "Every size beside the %u-node median of the same transport:", B);
    static const int all[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    static const int alone[] = {0, 1, 2, 3, 6, 9};
    const int *cols = any_other ? all : alone;
    size_t ncols = any_other ? 12 : 6;
    const char *hh[12];
    for (size_t c = 0; c < ncols; c++)
        hh[c] = h[cols[c]];
    cb_doc_table_t *tb = cb_doc_table(r->doc, ncols, hh, "rlrrrrrrrrrr");
    char b[12][64];
    for (size_t i = lo; i < hi;) {
        size_t j = i + 1;
        while (j < hi && ag[j].k[3] == ag[i].k[3] && ag[j].k[4] == ag[i].k[4] &&
               ag[j].k[5] == ag[i].k[5] && ag[j].x == ag[i].x)
            j++;
        if (any_other && ag[i].k[3] == B) {
            i = j;
            continue;
        }
        for (int c = 0; c < 12; c++)
            snprintf(b[c], sizeof b[c], "%s", REP_DASH);
        snprintf(b[0], sizeof b[0], "%u", ag[i].k[3]);
        snprintf(b[1], sizeof b[1], "%s", pair_label(r, &ag[i]));
        rep_fmt_bytes(b[2], sizeof b[2], ag[i].x);
        for (size_t q = i; q < j; q++) {
            const rep_agg_t *a = &ag[q];
            uint32_t op = a->tail;
            const pt_t *bp = a->k[3] != B ? find_pt(base, nbase, op, a->x) : NULL;
            double v = agg_value(a), bv = bp ? bp->v : NAN, ratio = v / bv;
            int c0 = op == OP_LAT ? 3 : op == OP_BW ? 6 : 9;
            rep_fmt(b[c0], sizeof b[c0], v);
            rep_fmt(b[c0 + 1], sizeof b[c0 + 1], bv);
            if (op == OP_LAT)
                rep_fmt_ratio(b[c0 + 2], sizeof b[c0 + 2], ratio);
            else
                rep_fmt_change(b[c0 + 2], sizeof b[c0 + 2], (ratio - 1) * 100);

            cb_report_sum_row_t *s = rep_sum_add(r, "p2p");
            if (!s)
                return;
            s->cluster = rep_str(r, a->k[0]);
            s->transport = rep_str(r, a->k[1]);
            s->memory = rep_str(r, a->k[2]);
            s->op = op_name[op];
            s->metric = op_metric[op];
            s->unit = op_unit[op];
            s->host = rep_str(r, a->k[4]);
            s->peer = rep_str(r, a->k[5]);
            s->bytes = a->x;
            s->nodes = (int)a->k[3];
            s->baseline_nodes = (int)B;
            s->value = v;
            s->baseline_value = bv;
            s->ratio = ratio;
            s->change_pct = (ratio - 1) * 100;
            if (op != OP_LAT && inter_node(r, a) && link->known) {
                double cap = op == OP_BIBW ? 2 : 1;
                s->line_rate_frac = v * 8 / (cap * link->line_gbps);
                s->goodput_frac = v * 8 / (cap * link->goodput_gbps);
            }
            s->rows = a->n;
            s->baseline_rows = bp ? bp->n : 0;
            if (!bp && a->k[3] != B)
                s->flag = "no-baseline";
        }
        cb_doc_row(tb);
        for (size_t c = 0; c < ncols; c++)
            cb_doc_cell_str(tb, 0, b[cols[c]]);
        i = j;
    }
}

/* Builds the matrix of each node count (k[3]) in [lo, hi) and hands the
 * ones there are to emit. */
static void each_matrix(rep_t *r, const rep_agg_t *ag, size_t lo, size_t hi,
                        void (*emit)(rep_t *, const rep_agg_t *, const matrix_t *))
{
    for (size_t i = lo; i < hi;) {
        size_t j = i + 1;
        while (j < hi && ag[j].k[3] == ag[i].k[3])
            j++;
        matrix_t m;
        if (matrix_build(r, ag, i, j, &m))
            emit(r, &ag[i], &m);
        matrix_free(&m);
        i = j;
    }
}

int rep_section_p2p(rep_t *r)
{
    rep_agg_t *ag; /* v: time_us_median, algbw_gbps */
    size_t n;
    int rc = rep_aggregate(r, &r->p2p, 2, &ag, &n);
    if (rc < 0)
        return rc;
    cb_doc_heading(r->doc, 2, "Point-to-point");
    if (!n) {
        cb_doc_para(r->doc, "No point-to-point rows (benchmark=p2p, op pingpong/bw/bibw, "
                            "status=ok) in the input.");
        return CB_OK;
    }
    cb_doc_para(r->doc,
                "latency = ping-pong half round trip; bw = one direction with a window of "
                "messages in flight; bibw = both directions at once (their sum). A pair reads "
                "sender \xE2\x86\x92 receiver. Curves show the median over the inter-node pairs of each "
                "node count; the baseline is the median of the %d-node rows of the same "
                "transport, operation and size.",
                r->o->baseline_nodes);
    for (size_t c = 0; c < n && !r->oom;) {
        size_t ce = c + 1;
        while (ce < n && ag[ce].k[0] == ag[c].k[0])
            ce++;
        plots_cluster(r, ag, c, ce);
        for (size_t g = c; g < ce && !r->oom;) {
            size_t ge = g + 1;
            while (ge < ce && rep_agg_same_k(&ag[ge], &ag[g], P2P_GROUP))
                ge++;
            /* heat maps first (plots above tables) */
            each_matrix(r, ag, g, ge, matrix_plot);
            cb_doc_heading(r->doc, 3, "%s", group_label(r, &ag[g]));
            each_matrix(r, ag, g, ge, matrix_tables);
            table_largest(r, ag, g, ge);
            pt_t *base;
            size_t nbase = collect(r, ag, g, ge, (uint32_t)r->o->baseline_nodes, &base);
            if (!base) {
                r->oom = 1;
                break;
            }
            table_sizes(r, ag, g, ge, base, nbase);
            free(base);
            g = ge;
        }
        c = ce;
    }
    free(ag);
    return r->oom ? CB_ERR_NOMEM : CB_OK;
}
