/* report_inputs: the report's first and last sections: the title, what was
 * read (rows per benchmark, clusters and their links), and the problems
 * (rows not ok or unusable, empty files). */
#define _GNU_SOURCE /* qsort_r */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "report_priv.h"

static const char *bench_use(const char *b)
{
    static const struct {
        const char *name, *use;
    } uses[] = {
        {"p2p", "Point-to-point"}, {"allreduce", "All-reduce"}, {"gpu", "GPUs"},
        {"ddp", "DDP"}, {"tune", "Transport tuning"},
    };
    for (size_t i = 0; i < sizeof uses / sizeof uses[0]; i++)
        if (!strcmp(b, uses[i].name))
            return uses[i].use;
    return "counted only";
}

int rep_section_inputs(rep_t *r, const rep_scan_t *s)
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
    if (r->ntune_bench)
        cb_doc_note(d, "%zu row%s of the benchmarks ran as trials of clusterbench tune, with "
                       "candidate settings: left out of the sections (see Transport tuning).",
                    r->ntune_bench, r->ntune_bench == 1 ? "" : "s");

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

static int cmp_problem(const void *a, const void *b, void *ctx)
{
    const rep_t *prob_r = ctx;
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
        qsort_r(idx, r->nbad, sizeof *idx, cmp_problem, r);
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
