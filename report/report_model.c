/* report_model: the reporter's build driver (see report_model.h): one pass
 * sorting rows into sections (report_select.c), string ranks
 * (report_intern.c), the links of the clusters (report_link.c), then the
 * sections in report order, the all-reduce aggregate handed to the DDP
 * section. Sections use the leaf helpers (report_fmt.c, report_agg.c,
 * report_plot.c, report_summary.c, report_doc.c) and never call back here. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
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
    rep_scan_t s;
    memset(&s, 0, sizeof s);
    rep_ar_t ar = {0};
    size_t ddp_plots = 0;
    int rc = rep_select(&r, &s);
    if (rc == CB_OK)
        rc = rep_rank(&r);
    if (rc == CB_OK && !(r.links = calloc(r.st.n ? r.st.n : 1, sizeof *r.links)))
        rc = CB_ERR_NOMEM;
    for (uint32_t id = 0; rc == CB_OK && id < r.st.n && id < s.cap; id++)
        if (s.cluster_rows[id])
            rep_link_compute(o, r.st.str[id], &r.links[id]);
    if (rc == CB_OK)
        rc = rep_section_inputs(&r, &s);
    if (rc == CB_OK)
        rc = rep_section_p2p(&r);
    if (rc == CB_OK)
        rc = rep_section_allreduce(&r, &ar);
    if (rc == CB_OK)
        rc = rep_section_gpu(&r);
    if (rc == CB_OK)
        rc = rep_section_ddp(&r, &ar, &ddp_plots);
    if (rc == CB_OK)
        rc = rep_section_ddp_torch(&r);
    if (rc == CB_OK && w)
        rc = rep_section_workload(&r, ddp_plots);
    if (rc == CB_OK)
        rc = rep_section_tune(&r);
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
    free(r.tune);
    free(r.links);
    free(ar.agg);
    return rc;
}
