/* report_gpu: the GPU section — per cluster and measurement (metric, dtype,
 * op, size, unit), each GPU's median value as a fraction of its spec sheet
 * in a bar chart and a table, with the node spread check of cb_spread.h: a
 * GPU more than the threshold (10 %) worse than the median of its peers is
 * flagged, drawn red and labelled. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_spread.h"
#include "cb_stats.h"
#include "report_priv.h"

/* Key slots: 0 cluster, 1 metric, 2 dtype, 3 op, 4 unit, 5 bytes (string),
 * 6 host, 7 rank + 1 (0: none). Values: 0 value, 1 spec_value, 2 efficiency. */
#define GPU_GROUP 6

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

/* Times are better low; everything else (throughput, bandwidth) high. */
static int lower_is_better(const char *metric, const char *unit)
{
    static const char *const tu[] = {"ns", "us", "ms", "s", "sec", "seconds"};
    for (size_t i = 0; i < sizeof tu / sizeof tu[0]; i++)
        if (!strcmp(unit, tu[i]))
            return 1;
    return ends_with(metric, "_us") || ends_with(metric, "_ms") || ends_with(metric, "_ns") ||
           ends_with(metric, "_s");
}

static char *group_label(rep_t *r, const rep_agg_t *a)
{
    char buf[512];
    size_t l = snprintf(buf, sizeof buf, "%s", rep_str(r, a->k[1]));
    for (int s = 2; s <= 5 && l < sizeof buf; s++) {
        const char *v = rep_str(r, a->k[s]);
        if (!*v || s == 4)
            continue;
        char bb[32];
        if (s == 5) {
            char *end;
            double x = strtod(v, &end);
            if (!*end)
                v = rep_fmt_bytes(bb, sizeof bb, x);
        }
        l += (size_t)snprintf(buf + l, sizeof buf - l, " \xC2\xB7 %s%s", s == 5 ? "size " : "", v);
    }
    return cb_doc_strdup(r->doc, buf);
}

static void gpu_group(rep_t *r, const rep_agg_t *ag, size_t lo, size_t hi, int table)
{
    size_t n = hi - lo;
    const char *metric = rep_str(r, ag[lo].k[1]), *unit = rep_str(r, ag[lo].k[4]);
    const char **names = malloc(n * sizeof *names);
    double *vals = malloc(n * sizeof *vals), *eff = malloc(n * sizeof *eff);
    cb_spread_verdict_t *ver = malloc(n * sizeof *ver);
    cb_svg_bar_t *bars = calloc(n, sizeof *bars);
    if (!names || !vals || !eff || !ver || !bars) {
        r->oom = 1;
        goto out;
    }
    size_t neff = 0;
    for (size_t i = 0; i < n; i++) {
        const rep_agg_t *a = &ag[lo + i];
        int dup = (i > 0 && ag[lo + i - 1].k[6] == a->k[6]) ||
                  (i + 1 < n && ag[lo + i + 1].k[6] == a->k[6]);
        const char *host = *rep_str(r, a->k[6]) ? rep_str(r, a->k[6]) : "?";
        names[i] = dup && a->k[7] ? cb_doc_printf(r->doc, "%s #%u", host, a->k[7] - 1) : host;
        vals[i] = a->v[0];
        eff[i] = isfinite(a->v[2]) ? a->v[2] : a->v[1] > 0 ? a->v[0] / a->v[1] : NAN;
        neff += isfinite(eff[i]);
    }
    cb_spread_opts_t so;
    cb_spread_opts_default(&so);
    so.threshold = r->o->slow_threshold;
    so.lower_is_better = lower_is_better(metric, unit);
    int nslow = cb_spread_check(names, vals, n, &so, ver);
    if (nslow < 0) {
        for (size_t i = 0; i < n; i++) {
            ver[i].state = CB_SPREAD_NO_PEERS;
            ver[i].peer_median = ver[i].deficit = NAN;
        }
        nslow = 0;
    }
    const char *cl = rep_cluster_name(rep_str(r, ag[lo].k[0]));
    char *label = group_label(r, &ag[lo]);
    char vb[64], pb[32], cb[32];

    if (!table) {
        for (size_t i = 0; i < n; i++) {
            int slow = ver[i].state == CB_SPREAD_SLOW;
            bars[i].label = names[i];
            bars[i].value = neff ? 100 * eff[i] : vals[i];
            bars[i].highlight = slow;
            if (neff)
                rep_fmt_pct(pb, sizeof pb, eff[i]);
            else
                rep_fmt(pb, sizeof pb, vals[i]);
            /* slow: "SLOW -15.9%" (against the peers) over the bar's own value */
            bars[i].note = slow ? cb_doc_printf(r->doc, "SLOW %s\n%s",
                                                rep_fmt_change(cb, sizeof cb,
                                                               (so.lower_is_better ? 100 : -100) *
                                                                   ver[i].deficit),
                                                pb)
                                : cb_doc_strdup(r->doc, pb);
        }
        double refv = 100;
        if (!neff) { /* no spec: the median of the values (eff is free now) */
            memcpy(eff, vals, n * sizeof *vals);
            refv = cb_stats_median(eff, n);
        }
        cb_svg_ref_t ref = {.label = neff ? "spec sheet (100%)" : "median of the GPUs",
                            .value = refv,
                            .color = CB_SVG_COLOR_AUTO};
        char *legend_slow = cb_doc_printf(r->doc, "slow: > %.0f%% %s the median of its peers",
                                          100 * so.threshold,
                                          so.lower_is_better ? "above" : "below");
        cb_svg_bars_t b = {
            .title = cb_doc_printf(r->doc, "GPU %s \xE2\x80\x94 %s", label, cl),
            .ylabel = neff ? cb_doc_printf(r->doc, "%s, %% of spec sheet", metric)
                           : cb_doc_printf(r->doc, "%s (%s)", metric, *unit ? unit : "?"),
            .bars = bars,
            .n = n,
            .refs = &ref,
            .nrefs = 1,
            .legend_normal = "within the spread",
            .legend_highlight = legend_slow,
        };
        cb_doc_plot_bars(r->doc, &b);
        goto out;
    }

    cb_doc_heading(r->doc, 3, "%s: GPU %s", cl, label);
    if (nslow > 0)
        for (size_t i = 0; i < n; i++)
            if (ver[i].state == CB_SPREAD_SLOW) {
                char line[256];
                cb_spread_describe(&ver[i], &so, unit, line, sizeof line);
                cb_doc_para(r->doc, "%s.", line);
            }
    char hv[96];
    snprintf(hv, sizeof hv, "%s%s%s%s", metric, *unit ? " (" : "", unit, *unit ? ")" : "");
    const char *h[] = {"host", hv, "spec", "% of spec", "vs peer median", "verdict", "rows"};
    cb_doc_table_t *tb = cb_doc_table(r->doc, 7, h, "lrrrrlr");
    for (size_t i = 0; i < n; i++) {
        const rep_agg_t *a = &ag[lo + i];
        int slow = ver[i].state == CB_SPREAD_SLOW;
        double rel = ver[i].peer_median > 0 ? a->v[0] / ver[i].peer_median : NAN;
        cb_doc_row(tb);
        cb_doc_cell_str(tb, slow ? CB_DOC_CELL_BAD : 0, names[i]);
        cb_doc_cell_str(tb, 0, rep_fmt(vb, sizeof vb, a->v[0]));
        cb_doc_cell_str(tb, 0, rep_fmt(vb, sizeof vb, a->v[1]));
        cb_doc_cell_str(tb, 0, rep_fmt_pct(pb, sizeof pb, eff[i]));
        cb_doc_cell_str(tb, slow ? CB_DOC_CELL_BAD : 0,
                        rep_fmt_change(cb, sizeof cb, (rel - 1) * 100));
        cb_doc_cell_str(tb, slow ? CB_DOC_CELL_BAD : 0, cb_spread_state_name(ver[i].state));
        cb_doc_cell(tb, 0, "%u", a->n);

        cb_report_sum_row_t *s = rep_sum_add(r, "gpu");
        if (!s)
            goto out;
        s->cluster = rep_str(r, a->k[0]);
        s->metric = metric;
        s->dtype = rep_str(r, a->k[2]);
        s->op = rep_str(r, a->k[3]);
        s->unit = unit;
        char *end;
        double bytes = strtod(rep_str(r, a->k[5]), &end);
        s->bytes = *rep_str(r, a->k[5]) && !*end ? bytes : NAN;
        s->host = names[i];
        s->value = a->v[0];
        s->baseline_value = ver[i].peer_median;
        s->ratio = rel;
        s->change_pct = (rel - 1) * 100;
        s->efficiency = eff[i];
        s->rows = a->n;
        s->flag = cb_spread_state_name(ver[i].state);
    }
out:
    free(names);
    free(vals);
    free(eff);
    free(ver);
    free(bars);
}

int rep_section_gpu(rep_t *r)
{
    rep_agg_t *ag; /* v: value, spec_value, efficiency */
    size_t n;
    int rc = rep_aggregate(r, &r->gpu, 3, &ag, &n);
    if (rc < 0)
        return rc;
    cb_doc_heading(r->doc, 2, "GPUs");
    if (!n) {
        cb_doc_para(r->doc, "No GPU rows (benchmark=gpu, status=ok, with a metric and value) "
                            "in the input.");
        return CB_OK;
    }
    cb_doc_para(r->doc,
                "Each GPU's median value per measurement, as a fraction of its spec sheet "
                "(efficiency = value / spec_value). A GPU is flagged slow when it is more than "
                "%.0f%% worse than the median of its peers (the other GPUs of the same "
                "measurement): below it for throughput, above it for times.",
                100 * r->o->slow_threshold);
    for (size_t c = 0; c < n && !r->oom;) {
        size_t ce = c + 1;
        while (ce < n && ag[ce].k[0] == ag[c].k[0])
            ce++;
        for (int table = 0; table < 2; table++)
            for (size_t g = c; g < ce && !r->oom;) {
                size_t ge = g + 1;
                while (ge < ce && rep_agg_same_k(&ag[ge], &ag[g], GPU_GROUP))
                    ge++;
                gpu_group(r, ag, g, ge, table);
                g = ge;
            }
        c = ce;
    }
    free(ag);
    return r->oom ? CB_ERR_NOMEM : CB_OK;
}
