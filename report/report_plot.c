/* report_plot: plot helpers the sections share: series in the document's
 * arena, the DDP speedup plot, and a link's reference lines. Calls only
 * report_doc. */
#include <math.h>
#include <string.h>

#include "report_priv.h"

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
