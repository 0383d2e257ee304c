/* report_workload: a user's own workload for `clusterbench report
 * --workload-csv`: the reader (libcsv, RFC 4180: the first row names the
 * columns, two of them, named by flags, give the node count and a
 * throughput or a step time per row; strict: every problem is
 * "file:line: reason"), its medians per node count, and the "Your workload"
 * section comparing them with the baseline-node rows. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "cb_ddp.h"
#include "cb_error.h"
#include "cb_size.h"
#include "cb_stats.h"
#include "report_priv.h"

typedef struct wl_state {
    cb_report_workload_t *w;
    const char *path, *nodes_col, *value_col;
    unsigned long line, rowno;
    size_t ncol, header_cols;
    long nodes_idx, value_idx;
    char *nodes_txt, *value_txt; /* fields of the current row */
    size_t cap;
    int err;
    char *errbuf;
    size_t errlen;
    char cols[512]; /* header names, for the message */
} wl_state_t;

static void fail(wl_state_t *st, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(wl_state_t *st, int code, const char *fmt, ...)
{
    if (st->err)
        return;
    st->err = code;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cb_errf(st->errbuf, st->errlen, code, "%s:%lu: %s", st->path, st->line, msg);
}

static void on_field(void *data, size_t n, void *vp)
{
    wl_state_t *st = vp;
    if (st->err)
        return;
    const char *s = data ? data : "";
    if (st->rowno == 0) {
        if (st->ncol == 0 && n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) { /* UTF-8 BOM */
            s += 3;
            n -= 3;
        }
        size_t cl = strlen(st->cols);
        if (cl + n + 3 < sizeof st->cols)
            snprintf(st->cols + cl, sizeof st->cols - cl, "%s%.*s", cl ? ", " : "", (int)n, s);
        int is_nodes = strlen(st->nodes_col) == n && !memcmp(s, st->nodes_col, n);
        int is_value = strlen(st->value_col) == n && !memcmp(s, st->value_col, n);
        if ((is_nodes && st->nodes_idx >= 0) || (is_value && st->value_idx >= 0))
            fail(st, CB_ERR_INPUT, "column '%.*s' appears twice in the header", (int)n, s);
        if (is_nodes)
            st->nodes_idx = (long)st->ncol;
        if (is_value)
            st->value_idx = (long)st->ncol;
    } else if ((long)st->ncol == st->nodes_idx || (long)st->ncol == st->value_idx) {
        char *copy = malloc(n + 1);
        if (!copy) {
            fail(st, CB_ERR_NOMEM, "out of memory");
            return;
        }
        memcpy(copy, s, n);
        copy[n] = '\0';
        if ((long)st->ncol == st->nodes_idx) {
            free(st->nodes_txt);
            st->nodes_txt = copy;
        } else {
            free(st->value_txt);
            st->value_txt = copy;
        }
    }
    st->ncol++;
}

static void on_row(int c, void *vp)
{
    wl_state_t *st = vp;
    (void)c;
    if (st->err)
        return;
    cb_report_workload_t *w = st->w;
    if (st->rowno == 0) {
        st->header_cols = st->ncol;
        if (st->nodes_idx < 0)
            fail(st, CB_ERR_INPUT, "no column named '%s' (--nodes-col); columns: %s",
                 st->nodes_col, st->cols);
        else if (st->value_idx < 0)
            fail(st, CB_ERR_INPUT, "no column named '%s'; columns: %s", st->value_col, st->cols);
        else if (st->nodes_idx == st->value_idx)
            fail(st, CB_ERR_INPUT, "the nodes and value columns are the same column");
    } else {
        long nodes;
        double v;
        if (st->ncol != st->header_cols)
            fail(st, CB_ERR_INPUT, "row has %zu fields, the header %zu", st->ncol,
                 st->header_cols);
        else if (cb_parse_long(st->nodes_txt ? st->nodes_txt : "", 1, 1000000, &nodes) < 0)
            fail(st, CB_ERR_INPUT, "%s '%s': not a node count >= 1", st->nodes_col,
                 st->nodes_txt ? st->nodes_txt : "");
        else if (cb_parse_double(st->value_txt ? st->value_txt : "", -1e300, 1e300, &v) < 0 ||
                 !(v > 0))
            fail(st, CB_ERR_INPUT, "%s '%s': not a number > 0", st->value_col,
                 st->value_txt ? st->value_txt : "");
        if (st->err)
            goto done;
        if (w->n == st->cap) {
            size_t cap = st->cap ? st->cap * 2 : 64;
            int *nn = realloc(w->nodes, cap * sizeof *nn);
            if (nn)
                w->nodes = nn;
            double *nv = realloc(w->value, cap * sizeof *nv);
            if (nv)
                w->value = nv;
            unsigned long *nl = realloc(w->line, cap * sizeof *nl);
            if (nl)
                w->line = nl;
            if (!nn || !nv || !nl) {
                fail(st, CB_ERR_NOMEM, "out of memory");
                goto done;
            }
            st->cap = cap;
        }
        w->nodes[w->n] = (int)nodes;
        w->value[w->n] = v;
        w->line[w->n] = st->line;
        w->n++;
    }
done:
    free(st->nodes_txt);
    free(st->value_txt);
    st->nodes_txt = st->value_txt = NULL;
    st->rowno++;
    st->ncol = 0;
}

void cb_report_workload_free(cb_report_workload_t *w)
{
    if (!w)
        return;
    free(w->path);
    free(w->nodes_col);
    free(w->value_col);
    free(w->nodes);
    free(w->value);
    free(w->line);
    memset(w, 0, sizeof *w);
}

int cb_report_workload_read(const char *path, const char *nodes_col, const char *value_col,
                            int step_time, cb_report_workload_t *w, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    FILE *f = fopen(path, "r");
    if (!f) {
        return cb_errf(err, errlen, CB_ERR_IO, "%s: %s", path, strerror(errno));
    }
    w->path = strdup(path);
    w->nodes_col = strdup(nodes_col);
    w->value_col = strdup(value_col);
    w->step_time = step_time;
    wl_state_t st = {.w = w, .path = path, .nodes_col = nodes_col, .value_col = value_col,
                     .nodes_idx = -1, .value_idx = -1, .errbuf = err, .errlen = errlen};
    if (!w->path || !w->nodes_col || !w->value_col)
        fail(&st, CB_ERR_NOMEM, "out of memory");
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (!st.err && (n = getline(&line, &cap, f)) > 0) {
        st.line++;
        if (memchr(line, '\0', (size_t)n)) {
            fail(&st, CB_ERR_INPUT, "NUL byte: not a text CSV file");
            break;
        }
        if (csv_parse(&p, line, (size_t)n, on_field, on_row, &st) != (size_t)n)
            fail(&st, CB_ERR_INPUT, "CSV syntax error: %s", csv_strerror(csv_error(&p)));
    }
    if (!st.err && ferror(f))
        fail(&st, CB_ERR_IO, "read error");
    if (!st.err && csv_fini(&p, on_field, on_row, &st) != 0)
        fail(&st, CB_ERR_INPUT, "CSV syntax error at the end: %s", csv_strerror(csv_error(&p)));
    if (!st.err && st.rowno == 0) {
        st.line = 1;
        fail(&st, CB_ERR_INPUT, "empty file: no header row");
    }
    if (!st.err && w->n == 0)
        fail(&st, CB_ERR_INPUT, "no data rows after the header");
    csv_free(&p);
    free(line);
    free(st.nodes_txt);
    free(st.value_txt);
    fclose(f);
    if (st.err) {
        cb_report_workload_free(w);
        return st.err;
    }
    return CB_OK;
}

/* ------------------------------------------------------------ aggregates */

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

size_t rep_wl_aggregate(const cb_report_workload_t *w, rep_wl_agg_t **out)
{
    *out = NULL;
    if (!w || !w->n)
        return 0;
    int *nodes = malloc(w->n * sizeof *nodes);
    double *tmp = malloc(w->n * sizeof *tmp);
    rep_wl_agg_t *a = malloc(w->n * sizeof *a);
    size_t na = 0;
    if (!nodes || !tmp || !a) {
        free(nodes);
        free(tmp);
        free(a);
        return 0;
    }
    memcpy(nodes, w->nodes, w->n * sizeof *nodes);
    qsort(nodes, w->n, sizeof *nodes, cmp_int);
    for (size_t i = 0; i < w->n;) {
        size_t j = i;
        while (j < w->n && nodes[j] == nodes[i])
            j++;
        size_t m = 0;
        for (size_t k = 0; k < w->n; k++)
            if (w->nodes[k] == nodes[i])
                tmp[m++] = w->value[k];
        a[na].nodes = nodes[i];
        a[na].v = cb_stats_median(tmp, m);
        a[na].n = m;
        na++;
        i = j;
    }
    free(nodes);
    free(tmp);
    *out = a;
    return na;
}

void rep_wl_speedup(const cb_report_workload_t *w, const rep_wl_agg_t *a, const rep_wl_agg_t *b,
                    double *speedup, double *eff)
{
    *speedup = *eff = NAN;
    if (!b)
        return;
    double scale = (double)a->nodes / (double)b->nodes;
    if (w->step_time) { /* fixed per-GPU batch: throughput ~ N / T_N */
        *speedup = scale * b->v / a->v;
        *eff = b->v / a->v;
    } else {
        *speedup = a->v / b->v;
        *eff = *speedup / scale;
    }
}

const rep_wl_agg_t *rep_wl_base(const rep_wl_agg_t *a, size_t n, int base)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].nodes == base)
            return &a[i];
    return NULL;
}

/* ------------------------------------------------------------ section */

int rep_section_workload(rep_t *r, size_t ddp_plots)
{
    const cb_report_workload_t *w = r->w;
    int B = r->o->baseline_nodes;
    cb_doc_heading(r->doc, 2, "Your workload");
    cb_doc_para(r->doc, "%s: column %s (nodes) and %s (%s), %zu rows.", w->path, w->nodes_col,
                w->value_col, w->step_time ? "step time, ms" : "throughput", w->n);
    rep_wl_agg_t *a;
    size_t n = rep_wl_aggregate(w, &a);
    if (!a)
        return CB_ERR_NOMEM;
    const rep_wl_agg_t *b = rep_wl_base(a, n, B);
    if (!b)
        cb_doc_note(r->doc, "No rows with %d node%s: nothing to compare with.", B,
                    B == 1 ? "" : "s");
    if (w->step_time)
        cb_doc_para(r->doc, "From step times at a fixed per-GPU batch: speedup = (N / %d) x "
                            "T_%d / T_N, efficiency = T_%d / T_N.",
                    B, B, B);
    else
        cb_doc_para(r->doc, "From throughput: speedup = throughput_N / throughput_%d, "
                            "efficiency = speedup / (N / %d).",
                    B, B);
    rep_series_t set = {0};
    cb_svg_series_t *meas = rep_series_add(r, &set, "measured speedup", n);
    cb_svg_series_t *ideal = rep_series_add(r, &set, "ideal (linear)", n);
    if (!meas || !ideal) {
        free(a);
        return CB_ERR_NOMEM;
    }
    meas = &set.s[0];
    ideal->dashed = 1;
    ideal->marker = CB_SVG_MARK_NONE;
    ideal->color = 8;
    for (size_t i = 0; i < n; i++) {
        double sp, ef;
        rep_wl_speedup(w, &a[i], b, &sp, &ef);
        rep_series_pt(meas, a[i].nodes, sp);
        if (b)
            rep_series_pt(ideal, a[i].nodes, (double)a[i].nodes / B);
    }
    cb_svg_plot_t p = {
        .title = cb_doc_printf(r->doc, "Your workload: speedup against node count \xE2\x80\x94 %s",
                               w->path),
        .xlabel = "nodes",
        .x_integer = 1,
        .ylabel = cb_doc_printf(r->doc, "speedup over %d node%s", B, B == 1 ? "" : "s"),
        .xscale = CB_SVG_LINEAR,
        .yscale = CB_SVG_LINEAR,
        .y_from_zero = 1,
        .series = set.s,
        .nseries = set.n,
        .width = 760,
        .height = 380,
    };
    cb_doc_plot_line(r->doc, &p);

    char hv[160], hb[200];
    snprintf(hv, sizeof hv, "%s%s", w->value_col, w->step_time ? " (ms)" : "");
    snprintf(hb, sizeof hb, "%d-node %s", B, hv);
    char hc[200];
    snprintf(hc, sizeof hc, "%s change", w->value_col);
    const char *h[] = {"nodes", hv, hb, "speedup", "efficiency", hc, "rows"};
    cb_doc_table_t *tb = cb_doc_table(r->doc, 7, h, "rrrrrrr");
    char s1[48], s2[48], s3[48], s4[48], s5[48];
    for (size_t i = 0; i < n; i++) {
        double sp, ef;
        rep_wl_speedup(w, &a[i], b, &sp, &ef);
        double ratio = b ? a[i].v / b->v : NAN;
        cb_doc_row(tb);
        cb_doc_cell(tb, 0, "%d", a[i].nodes);
        cb_doc_cell_str(tb, 0, rep_fmt(s1, sizeof s1, a[i].v));
        cb_doc_cell_str(tb, 0, rep_fmt(s2, sizeof s2, b ? b->v : NAN));
        cb_doc_cell_str(tb, 0, rep_fmt_fixed(s3, sizeof s3, sp, 3));
        cb_doc_cell_str(tb, isfinite(ef) && ef < CB_DDP_THRESHOLD_DEFAULT ? CB_DOC_CELL_BAD : 0,
                        rep_fmt_pct(s4, sizeof s4, ef));
        cb_doc_cell_str(tb, 0, rep_fmt_change(s5, sizeof s5, (ratio - 1) * 100));
        cb_doc_cell(tb, 0, "%zu", a[i].n);

        cb_report_sum_row_t *s = rep_sum_add(r, "workload");
        if (!s)
            break;
        s->metric = w->value_col;
        s->unit = w->step_time ? "ms" : "";
        s->nodes = a[i].nodes;
        s->baseline_nodes = B;
        s->value = a[i].v;
        s->baseline_value = b ? b->v : NAN;
        s->ratio = ratio;
        s->change_pct = (ratio - 1) * 100;
        s->speedup = sp;
        s->efficiency = ef;
        s->rows = a[i].n;
        s->baseline_rows = b ? b->n : 0;
        if (!b)
            s->flag = "no-baseline";
    }
    cb_doc_note(r->doc, "efficiency below %.0f%% is marked: independent jobs on the same nodes "
                        "would give more total throughput.",
                100 * CB_DDP_THRESHOLD_DEFAULT);
    if (w->step_time && b && ddp_plots)
        cb_doc_note(r->doc, "Its step time T_%d is also marked (squares) on the DDP plots, to "
                            "judge it next to the synthetic step and the model.",
                    B);
    free(a);
    return r->oom ? CB_ERR_NOMEM : CB_OK;
}
