/* report_summary: the reporter's comparison rows for tools: rep_sum_add for
 * the sections, and summary.csv — one header and one line per row of
 * cb_report_summary_t; fields written by csv_out.h (RFC 4180 quoting by
 * libcsv; numbers %.6g, NaN empty). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_out.h"
#include "report_priv.h"

const char *const cb_report_summary_columns[] = {
    "section", "cluster", "transport", "memory", "dtype", "op", "placement", "metric", "unit",
    "host", "peer", "bytes", "nodes", "baseline_nodes", "value", "baseline_value", "ratio",
    "change_pct", "speedup", "efficiency", "line_rate_frac", "goodput_frac", "rows",
    "baseline_rows", "flag", NULL,
};

static void put_bytes(FILE *f, double v)
{
    if (isfinite(v) && v == floor(v) && fabs(v) < 1e18)
        fprintf(f, "%.0f", v);
    else
        cb_csvout_num(f, v);
}

static void put_int(FILE *f, long long v)
{
    if (v)
        fprintf(f, "%lld", v);
}

int cb_report_summary_write(const cb_report_summary_t *s, FILE *f)
{
    for (size_t c = 0; cb_report_summary_columns[c]; c++)
        fprintf(f, "%s%s", c ? "," : "", cb_report_summary_columns[c]);
    fputc('\n', f);
    for (size_t i = 0; i < s->n; i++) {
        const cb_report_sum_row_t *r = &s->rows[i];
        const char *strs[] = {r->section, r->cluster, r->transport, r->memory, r->dtype,
                              r->op, r->placement, r->metric, r->unit, r->host, r->peer};
        for (size_t k = 0; k < sizeof strs / sizeof strs[0]; k++) {
            if (k)
                fputc(',', f);
            cb_csvout_str(f, strs[k]);
        }
        fputc(',', f);
        put_bytes(f, r->bytes);
        fputc(',', f);
        put_int(f, r->nodes);
        fputc(',', f);
        put_int(f, r->baseline_nodes);
        const double nums[] = {r->value, r->baseline_value, r->ratio, r->change_pct, r->speedup,
                               r->efficiency, r->line_rate_frac, r->goodput_frac};
        for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
            fputc(',', f);
            cb_csvout_num(f, nums[k]);
        }
        fprintf(f, ",%zu,", r->rows);
        if (r->baseline_rows)
            fprintf(f, "%zu", r->baseline_rows);
        fputc(',', f);
        cb_csvout_str(f, r->flag);
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

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
