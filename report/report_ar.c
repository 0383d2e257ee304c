/* report_ar: the all-reduce section — per cluster, a plot of bus bandwidth
 * against message size per configuration and node count (line rate and
 * goodput dashed), and per configuration (transport, memory, dtype, op,
 * placement) a table putting each multi-node size beside its baseline-node
 * counterpart: time, busbw, ratios and link efficiency. Where a cluster has
 * rows at several node counts, the scaling curve: busbw against node count
 * at a large size. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "report_priv.h"

/* Key slots of all-reduce aggregates: 0 cluster, 1 transport, 2 memory,
 * 3 dtype, 4 op, 5 placement, 7 nodes; x = bytes. */
#define AR_CFG 6 /* slots 0..5: one configuration */

static const char *or_unknown(const char *s)
{
    return *s ? s : "?";
}

/* "mpi, host memory, float sum, out-of-place" */
static char *cfg_label(rep_t *r, const rep_agg_t *a)
{
    const char *mem = rep_str(r, a->k[2]);
    return cb_doc_printf(r->doc, "%s%s%s%s, %s %s%s%s", or_unknown(rep_str(r, a->k[1])),
                         *mem ? ", " : "", mem, *mem ? " memory" : "",
                         or_unknown(rep_str(r, a->k[3])), or_unknown(rep_str(r, a->k[4])),
                         *rep_str(r, a->k[5]) ? ", " : "", rep_str(r, a->k[5]));
}

/* Baseline aggregate of a (same config and bytes, nodes = B) in [lo, hi). */
static const rep_agg_t *find_base(const rep_agg_t *ag, size_t lo, size_t hi, const rep_agg_t *a,
                                  uint32_t base)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const rep_agg_t *m = &ag[mid];
        int c = m->k[7] != base ? (m->k[7] < base ? -1 : 1) : m->x < a->x ? -1 : m->x > a->x;
        if (c == 0)
            return m;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void plot_cluster(rep_t *r, const rep_agg_t *ag, size_t lo, size_t hi)
{
    /* Which parts of the configuration vary among this cluster's series? */
    int vary[AR_CFG] = {0};
    for (size_t i = lo + 1; i < hi; i++)
        for (int j = 1; j < AR_CFG; j++)
            vary[j] |= ag[i].k[j] != ag[lo].k[j];
    rep_series_t set = {0};
    for (size_t i = lo; i < hi;) {
        size_t j = i + 1;
        while (j < hi && rep_agg_same_k(&ag[j], &ag[i], REP_NK))
            j++;
        char label[256] = "";
        size_t ll = 0;
        for (int s = 1; s < AR_CFG; s++)
            if (vary[s] && ll < sizeof label)
                ll += (size_t)snprintf(label + ll, sizeof label - ll, "%s ",
                                       or_unknown(rep_str(r, ag[i].k[s])));
        if (ll < sizeof label)
            snprintf(label + ll, sizeof label - ll, "%s%u node%s", ll ? "\xC2\xB7 " : "",
                     ag[i].k[7], ag[i].k[7] == 1 ? "" : "s");
        int drawable = 0;
        for (size_t q = i; q < j; q++)
            drawable |= ag[q].v[1] > 0;
        if (!drawable) /* one rank: busbw is 0 by definition, nothing on a log axis */
            strncat(label, " (busbw 0: not drawn)", sizeof label - strlen(label) - 1);
        cb_svg_series_t *s = rep_series_add(r, &set, label, j - i);
        for (size_t q = i; q < j; q++)
            rep_series_pt(s, ag[q].x, ag[q].v[1]);
        i = j;
    }
    cb_svg_ref_t refs[2];
    size_t nrefs = rep_link_refs(r, rep_link(r, ag[lo].k[0]), refs);
    cb_svg_plot_t p = {
        .title = cb_doc_printf(r->doc, "All-reduce bus bandwidth \xE2\x80\x94 %s",
                               rep_cluster_name(rep_str(r, ag[lo].k[0]))),
        .xlabel = "message size per rank (bytes, K = 1024)",
        .ylabel = "bus bandwidth, busbw (GB/s)",
        .xscale = CB_SVG_BYTES,
        .yscale = CB_SVG_LOG10,
        .series = set.s,
        .nseries = set.n,
        .refs = refs,
        .nrefs = nrefs,
    };
    cb_doc_plot_line(r->doc, &p);
}

/* busbw of [lo, hi) (one configuration and node count, ascending bytes)
 * at bytes x: NaN when not measured there. */
static double busbw_at(const rep_agg_t *ag, size_t lo, size_t hi, double x)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ag[mid].x == x)
            return ag[mid].v[1] > 0 ? ag[mid].v[1] : NAN;
        if (ag[mid].x < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NAN;
}

/* The scaling curve of one cluster [lo, hi): per configuration, busbw
 * against node count (2 nodes and more) at the largest size measured at
 * every one of its node counts. Drawn when a configuration has two node
 * counts or more. */
static void plot_scaling(rep_t *r, const rep_agg_t *ag, size_t lo, size_t hi)
{
    int vary[AR_CFG] = {0};
    for (size_t i = lo + 1; i < hi; i++)
        for (int j = 1; j < AR_CFG; j++)
            vary[j] |= ag[i].k[j] != ag[lo].k[j];
    rep_series_t set = {0};
    uint32_t maxn = 0;
    for (size_t p = lo; p < hi && !r->oom;) {
        size_t q = p + 1;
        while (q < hi && rep_agg_same_k(&ag[q], &ag[p], AR_CFG))
            q++;
        /* node-count blocks of 2+ nodes: [b[k], b[k+1]) */
        size_t nb = 0, *b = malloc((q - p + 1) * sizeof *b);
        if (!b) {
            r->oom = 1;
            return;
        }
        for (size_t i = p; i < q; i++)
            if (ag[i].k[7] >= 2 && (i == p || ag[i].k[7] != ag[i - 1].k[7]))
                b[nb++] = i;
        double size = NAN;
        if (nb >= 2) {
            for (size_t i = b[1]; i-- > b[0] && isnan(size);) {
                int every = ag[i].v[1] > 0;
                for (size_t k = 1; k < nb && every; k++)
                    every = isfinite(busbw_at(ag, b[k], k + 1 < nb ? b[k + 1] : q, ag[i].x));
                if (every)
                    size = ag[i].x;
            }
        }
        if (!isnan(size)) {
            char label[256] = "", sz[32];
            size_t ll = 0;
            for (int s = 1; s < AR_CFG; s++)
                if (vary[s] && ll < sizeof label)
                    ll += (size_t)snprintf(label + ll, sizeof label - ll, "%s ",
                                           or_unknown(rep_str(r, ag[p].k[s])));
            if (ll < sizeof label)
                snprintf(label + ll, sizeof label - ll, "%sat %s", ll ? "\xC2\xB7 " : "",
                         rep_fmt_bytes(sz, sizeof sz, size));
            cb_svg_series_t *s = rep_series_add(r, &set, label, nb);
            for (size_t k = 0; k < nb; k++) {
                uint32_t nodes = ag[b[k]].k[7];
                maxn = nodes > maxn ? nodes : maxn;
                rep_series_pt(s, nodes, busbw_at(ag, b[k], k + 1 < nb ? b[k + 1] : q, size));
            }
        }
        free(b);
        p = q;
    }
    if (!set.n)
        return;
    cb_svg_ref_t refs[2];
    size_t nrefs = rep_link_refs(r, rep_link(r, ag[lo].k[0]), refs);
    const char *cl = rep_cluster_name(rep_str(r, ag[lo].k[0]));
    cb_svg_plot_t pl = {
        .title = cb_doc_printf(r->doc, "All-reduce scaling: busbw against node count \xE2\x80\x94 %s",
                               cl),
        .xlabel = "nodes",
        .ylabel = "bus bandwidth, busbw (GB/s)",
        .xscale = maxn > 16 ? CB_SVG_BYTES : CB_SVG_LINEAR,
        .yscale = CB_SVG_LINEAR,
        .y_from_zero = 1,
        .x_integer = 1,
        .series = set.s,
        .nseries = set.n,
        .refs = refs,
        .nrefs = nrefs,
    };
    cb_doc_plot_line(r->doc, &pl);
    cb_doc_note(r->doc,
                "%s: busbw at the largest size measured at every node count (2 nodes and more) "
                "of each configuration. A flat curve is a network that scales; busbw falling as "
                "nodes are added points at the switch, the topology or a slow node.",
                cl);
}

static void table_cfg(rep_t *r, const rep_agg_t *ag, size_t lo, size_t hi)
{
    uint32_t base = (uint32_t)r->o->baseline_nodes;
    const rep_link_t *link = rep_link(r, ag[lo].k[0]);
    int any_other = 0;
    size_t blo = hi, bhi = hi; /* the baseline rows: contiguous */
    for (size_t i = lo; i < hi; i++) {
        if (ag[i].k[7] != base)
            any_other = 1;
        else if (blo == hi)
            blo = i;
        if (ag[i].k[7] == base)
            bhi = i + 1;
    }
    if (blo == hi)
        bhi = hi;
    cb_doc_heading(r->doc, 3, "%s: %s", rep_cluster_name(rep_str(r, ag[lo].k[0])),
                   cfg_label(r, &ag[lo]));
    if (!any_other)
        cb_doc_note(r->doc, "Only %u-node rows: nothing to compare them with.", base);
    else if (blo == hi)
        cb_doc_note(r->doc, "No %u-node rows of this configuration: no baseline, no ratios.",
                    base);
    char hbt[48], hbb[48];
    snprintf(hbt, sizeof hbt, "%u-node time us", base);
    snprintf(hbb, sizeof hbb, "%u-node busbw GB/s", base);
    const char *h[] = {"nodes", "size", "time us", hbt, "time ratio", "busbw GB/s", hbb,
                       "busbw change", "% of line rate", "% of goodput", "rows"};
    static const int with_link[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    static const int no_link[] = {0, 1, 2, 3, 4, 5, 6, 7, 10};
    static const int alone_link[] = {0, 1, 2, 5, 8, 9, 10}; /* no other node count */
    static const int alone[] = {0, 1, 2, 5, 10};
    int linkcols = link->known && (any_other || base > 1);
    const int *cols = any_other ? (linkcols ? with_link : no_link) : linkcols ? alone_link : alone;
    size_t ncols = any_other ? (linkcols ? 11 : 9) : linkcols ? 7 : 5;
    const char *hh[11];
    for (size_t c = 0; c < ncols; c++)
        hh[c] = h[cols[c]];
    cb_doc_table_t *tb = cb_doc_table(r->doc, ncols, hh, "rrrrrrrrrrr");
    char b[11][48];
    for (size_t i = lo; i < hi; i++) {
        const rep_agg_t *a = &ag[i];
        if (any_other && a->k[7] == base)
            continue;
        const rep_agg_t *bs = a->k[7] != base ? find_base(ag, blo, bhi, a, base) : NULL;
        double bt = bs ? bs->v[0] : NAN, bb = bs ? bs->v[1] : NAN;
        double tratio = a->v[0] / bt, bwratio = a->v[1] / bb;
        int inter = a->k[7] > 1 && link->known;
        double fl = inter ? a->v[1] * 8 / link->line_gbps : NAN;
        double fg = inter ? a->v[1] * 8 / link->goodput_gbps : NAN;
        snprintf(b[0], sizeof b[0], "%u", a->k[7]);
        rep_fmt_bytes(b[1], sizeof b[1], a->x);
        rep_fmt(b[2], sizeof b[2], a->v[0]);
        rep_fmt(b[3], sizeof b[3], bt);
        rep_fmt_ratio(b[4], sizeof b[4], tratio);
        rep_fmt(b[5], sizeof b[5], a->v[1]);
        rep_fmt(b[6], sizeof b[6], bb);
        rep_fmt_change(b[7], sizeof b[7], (bwratio - 1) * 100);
        rep_fmt_pct(b[8], sizeof b[8], fl);
        rep_fmt_pct(b[9], sizeof b[9], fg);
        snprintf(b[10], sizeof b[10], "%u%s%u", a->n, bs ? " / " : "", bs ? bs->n : 0);
        if (!bs)
            snprintf(b[10], sizeof b[10], "%u", a->n);
        cb_doc_row(tb);
        for (size_t c = 0; c < ncols; c++)
            cb_doc_cell_str(tb, 0, b[cols[c]]);

        for (int m = 0; m < 2; m++) {
            cb_report_sum_row_t *s = rep_sum_add(r, "allreduce");
            if (!s)
                return;
            s->cluster = rep_str(r, a->k[0]);
            s->transport = rep_str(r, a->k[1]);
            s->memory = rep_str(r, a->k[2]);
            s->dtype = rep_str(r, a->k[3]);
            s->op = rep_str(r, a->k[4]);
            s->placement = rep_str(r, a->k[5]);
            s->metric = m ? "time_us" : "busbw_gbps";
            s->unit = m ? "us" : "GB/s";
            s->bytes = a->x;
            s->nodes = (int)a->k[7];
            s->baseline_nodes = (int)base;
            s->value = a->v[m ? 0 : 1];
            s->baseline_value = m ? bt : bb;
            s->ratio = m ? tratio : bwratio;
            s->change_pct = (s->ratio - 1) * 100;
            if (!m) {
                s->line_rate_frac = fl;
                s->goodput_frac = fg;
            }
            s->rows = a->n;
            s->baseline_rows = bs ? bs->n : 0;
            if (!bs && a->k[7] != base)
                s->flag = "no-baseline";
        }
    }
}

int rep_section_allreduce(rep_t *r, rep_ar_t *ar)
{
    /* v: time_us_median, busbw_gbps, algbw_gbps */
    int rc = rep_aggregate(r, &r->ar, 3, &ar->agg, &ar->n);
    if (rc < 0)
        return rc;
    cb_doc_heading(r->doc, 2, "All-reduce");
    const rep_agg_t *ag = ar->agg;
    size_t n = ar->n;
    if (!n) {
        cb_doc_para(r->doc, "No all-reduce rows (benchmark=allreduce, status=ok) in the input.");
        return CB_OK;
    }
    cb_doc_para(r->doc,
                "Bus bandwidth as nccl-tests defines it: busbw = algbw x 2(n-1)/n for n ranks, "
                "algbw = bytes / time; busbw is what each rank's link carries, so it is compared "
                "with the line rate. time = median of each row's time_us_median.");
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && ag[j].k[0] == ag[i].k[0])
            j++;
        plot_cluster(r, ag, i, j);
        plot_scaling(r, ag, i, j);
        for (size_t p = i; p < j;) {
            size_t q = p + 1;
            while (q < j && rep_agg_same_k(&ag[q], &ag[p], AR_CFG))
                q++;
            table_cfg(r, ag, p, q);
            p = q;
        }
        i = j;
    }
    return r->oom ? CB_ERR_NOMEM : CB_OK;
}
