/* breakeven_whatif: `clusterbench breakeven --what-if`: the table of levers
 * (common/cb_whatif.h) for the workload and --step-ms on the largest node
 * count asked, built from the rows cmd_breakeven.c fitted, printed as text,
 * CSV or JSON, with the inverse answers and where not to trust a row. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "breakeven.h"
#include "cb_ddp.h"
#include "cb_error.h"
#include "cb_size.h"
#include "csv_out.h"
#include "cb_whatif.h"

static const double default_links[] = {4, 10, 40};
static const int default_ks[] = {2, 4, 8};

static void warn_names(const cb_whatif_row_t *r, char *buf, size_t len)
{
    buf[0] = '\0';
    for (unsigned b = 1; b < (1u << CB_WHATIF_NWARN); b <<= 1)
        if (r->warn & b) {
            size_t l = strlen(buf);
            snprintf(buf + l, len - l, "%s%s", l ? ";" : "", cb_whatif_warn_name(b));
        }
}

static const char *const kinds[] = {"today", "lever", "combination", "nodes", "inverse"};
static const char *const columns[] = {
    "lever", "name", "kind", "nodes", "link_factor", "grad_bytes", "k", "step_ms",
    "ddp_step_ms", "speedup", "efficiency", "gain", "verdict", "warnings",
};
#define NCOLS (sizeof columns / sizeof columns[0])

static void field(FILE *f, fmt_t fmt, const cb_whatif_row_t *r, size_t c)
{
    char w[256];
    int solved = !(r->warn & CB_WHATIF_WARN_NEVER) && !isnan(r->efficiency);
    const char *q = fmt == FMT_JSON ? "\"" : "";
    switch (c) {
    case 0:
        if (fmt == FMT_JSON)
            fprintf(f, "\"%s\"", r->lever); /* no quote or backslash in a lever */
        else
            cb_csvout_str(f, r->lever);
        break;
    case 1: fprintf(f, "%s%s%s", q, r->name, q); break;
    case 2: fprintf(f, "%s%s%s", q, kinds[r->kind], q); break;
    case 3: fprintf(f, "%d", r->nodes); break;
    case 4: be_put_num(f, fmt, r->link_factor); break;
    case 5:
        if (r->grad_bytes == CB_DDP_GRAD_BYTES_UNBOUNDED)
            fputs(fmt == FMT_JSON ? "null" : "inf", f);
        else
            fprintf(f, "%llu", (unsigned long long)r->grad_bytes);
        break;
    case 6:
        if (r->k == CB_DDP_NEVER_K)
            fputs(fmt == FMT_JSON ? "null" : "inf", f);
        else
            fprintf(f, "%d", r->k);
        break;
    case 7: be_put_num(f, fmt, r->step_us / 1e3); break;
    case 8: be_put_num(f, fmt, r->ddp_step_us / 1e3); break;
    case 9: be_put_num(f, fmt, r->speedup); break;
    case 10: be_put_num(f, fmt, r->efficiency); break;
    case 11: be_put_num(f, fmt, r->gain); break;
    case 12:
        if (solved)
            fprintf(f, "%s%s%s", q, cb_ddp_verdict_name(r->verdict), q);
        else
            fputs(fmt == FMT_JSON ? "null" : "", f);
        break;
    case 13:
        warn_names(r, w, sizeof w);
        fprintf(f, "%s%s%s", q, w, q);
        break;
    }
}

static void print_csv(const cb_whatif_row_t *rows, size_t n)
{
    for (size_t c = 0; c < NCOLS; c++)
        printf("%s%s", c ? "," : "", columns[c]);
    putchar('\n');
    for (size_t i = 0; i < n; i++) {
        for (size_t c = 0; c < NCOLS; c++) {
            if (c)
                putchar(',');
            field(stdout, FMT_CSV, &rows[i], c);
        }
        putchar('\n');
    }
}

static void print_json(const cb_whatif_row_t *rows, size_t n)
{
    printf("[");
    for (size_t i = 0; i < n; i++) {
        printf("%s\n  {", i ? "," : "");
        for (size_t c = 0; c < NCOLS; c++) {
            printf("%s\"%s\": ", c ? ", " : "", columns[c]);
            field(stdout, FMT_JSON, &rows[i], c);
        }
        printf("}");
    }
    printf("\n]\n");
}

static void print_text(const be_opts_t *o, const cb_whatif_input_t *in, const cb_whatif_row_t *rows,
                       size_t n)
{
    char hb[32], hb2[32];
    const cb_whatif_row_t *today = &rows[0];
    printf("\nwhat if: T1 = %g ms, G = %s%s, N = %d, efficiency threshold %.2f, %s model\n",
           o->step_ms, cb_size_human((double)today->grad_bytes, hb, sizeof hb),
           in->grad_fp32 ? " (fp32)" : "", in->nodes, o->threshold,
           o->calibrate ? "calibrated" : "pure");
    printf("  link xF: each measured all-reduce keeps its latency term, its bandwidth part is\n"
           "  divided by F; k: one all-reduce per k micro-steps, overlapped with the last\n"
           "  micro-step's backward only (step_ms = k x T1 on one node); gain: speedup / today's\n");
    printf("%-30s %5s %7s %10s %4s %10s %11s %7s %10s %6s  %-19s %s\n", "lever", "nodes", "link",
           "gradients", "k", "step_ms", "ddp_step_ms", "speedup", "efficiency", "gain", "verdict",
           "notes");
    unsigned seen = 0;
    for (size_t i = 0; i < n; i++) {
        const cb_whatif_row_t *r = &rows[i];
        if (r->kind == CB_WHATIF_INVERSE)
            continue;
        char link[16], notes[32] = "";
        snprintf(link, sizeof link, "x%g", r->link_factor);
        for (unsigned b = 1, j = 1; b < (1u << CB_WHATIF_NWARN); b <<= 1, j++)
            if (r->warn & b) {
                size_t l = strlen(notes);
                snprintf(notes + l, sizeof notes - l, "[%u]", j);
            }
        seen |= r->warn;
        printf("%-30s %5d %7s %10s %4d %10.1f %11.1f %7.3f %9.1f%% %6.3f  %-19s %s\n", r->lever,
               r->nodes, link, cb_size_human((double)r->grad_bytes, hb, sizeof hb), r->k,
               r->step_us / 1e3, r->ddp_step_us / 1e3, r->speedup, 100 * r->efficiency, r->gain,
               cb_ddp_verdict_name(r->verdict), notes);
    }
    printf("\nto reach %.0f%% efficiency on %d nodes at T1 = %g ms:\n", 100 * o->threshold,
           in->nodes, o->step_ms);
    for (size_t i = 0; i < n; i++) {
        const cb_whatif_row_t *r = &rows[i];
        if (r->kind != CB_WHATIF_INVERSE)
            continue;
        int never = (r->warn & CB_WHATIF_WARN_NEVER) != 0;
        seen |= r->warn & ~CB_WHATIF_WARN_NEVER;
        if (!strcmp(r->name, "min_link")) {
            if (never)
                printf("  link       never: even a link 1e6 times as fast leaves the latency, the "
                       "tail and the last bucket's all-reduce\n");
            else
                printf("  link       at least x%.3g today's (%s)%s\n", r->link_factor,
                       r->link_factor <= 1 ? "today's link already does" : "bandwidth part only",
                       r->warn & CB_WHATIF_WARN_LINK_UNCONFIRMED
                           ? "; beyond the x0.04..x25 checked on shaped links" : "");
        } else if (!strcmp(r->name, "max_grad")) {
            if (r->grad_bytes == CB_DDP_GRAD_BYTES_UNBOUNDED)
                printf("  gradients  any size up to 4 TiB\n");
            else if (never)
                printf("  gradients  never: not even 1 byte of gradients\n");
            else
                printf("  gradients  at most %s (today %s)\n",
                       cb_size_human((double)r->grad_bytes, hb, sizeof hb),
                       cb_size_human((double)today->grad_bytes, hb2, sizeof hb2));
        } else if (!strcmp(r->name, "min_k")) {
            if (never)
                printf("  k          never within k <= %d\n", CB_WHATIF_K_MAX);
            else
                printf("  k          accumulate over k >= %d micro-steps per all-reduce "
                       "(%.1f%% at k = %d)\n",
                       r->k, 100 * r->efficiency, r->k);
        }
    }
    if (seen)
        printf("\nnotes (where the model must not be trusted):\n");
    for (unsigned b = 1, j = 1; b < (1u << CB_WHATIF_NWARN); b <<= 1, j++)
        if (seen & b)
            printf("  [%u] %s\n", j, cb_whatif_warn_text(b));
}

int be_whatif_check(const be_opts_t *o, const be_row_t *rows, int nrows)
{
    int nmax = 0;
    for (int i = 0; i < nrows; i++)
        if (rows[i].nodes > nmax)
            nmax = rows[i].nodes;
    if (nmax < 2) {
        fprintf(stderr, PROG ": --what-if: no node count > 1 to apply the levers to\n");
        return 2;
    }
    for (int i = 0; i < o->wi_nnodes; i++)
        if (o->wi_nodes[i] <= nmax) {
            fprintf(stderr,
                    PROG ": --what-if-nodes: %d is not above the largest measured node count "
                         "%d\n",
                    o->wi_nodes[i], nmax);
            return 2;
        }
    return 0;
}

int be_whatif_run(const be_opts_t *o, const cb_ddp_calib_t *cal, const cb_ddp_config_t *cfg,
                  const be_row_t *rows, int nrows)
{
    int rc = CB_OK, nm = 0;
    cb_whatif_measured_t *m = calloc((size_t)nrows + 1, sizeof *m);
    int *extra = NULL;
    cb_whatif_row_t *out = NULL;
    size_t nout = 0;
    if (!m)
        return CB_ERR_NOMEM;
    /* the measured node counts, ascending (rows follow --nodes' order) */
    for (int i = 0; i < nrows; i++) {
        if (rows[i].nodes < 2)
            continue;
        int j = nm++;
        while (j > 0 && m[j - 1].nodes > rows[i].nodes) {
            m[j] = m[j - 1];
            j--;
        }
        m[j].nodes = rows[i].nodes;
        m[j].curve = &rows[i].curve;
        m[j].cfg = *cfg;
        if (o->calibrate)
            cb_ddp_calib_apply(cal, rows[i].nodes, &m[j].cfg);
    }
    /* nm >= 1: be_whatif_check refused rows without a node count > 1 */
    cb_whatif_input_t in;
    memset(&in, 0, sizeof in);
    in.measured = m;
    in.nmeasured = (size_t)nm;
    in.nodes = m[nm - 1].nodes;
    in.step_us = o->step_ms * 1e3;
    in.threshold = o->threshold;
    in.grad_fp32 = !o->dtype_arg || !strcmp(o->dtype_arg, "fp32");
    in.link_factors = o->wi_nlinks ? o->wi_links : default_links;
    in.nlink = o->wi_nlinks ? (size_t)o->wi_nlinks : 3;
    in.ks = o->wi_nks ? o->wi_ks : default_ks;
    in.nk = o->wi_nks ? (size_t)o->wi_nks : 3;
    if (o->wi_nnodes) { /* checked above the largest by be_whatif_check */
        in.extra_nodes = o->wi_nodes;
        in.nextra = (size_t)o->wi_nnodes;
    } else { /* 2N, 4N, 8N */
        extra = malloc(3 * sizeof *extra);
        if (!extra) {
            rc = CB_ERR_NOMEM;
            goto out;
        }
        for (int i = 0; i < 3; i++)
            extra[i] = in.nodes << (i + 1);
        in.extra_nodes = extra;
        in.nextra = 3;
    }
    in.extra_cfg = *cfg; /* an unmeasured node count: the pooled sigma */
    if (o->calibrate)
        cb_ddp_calib_apply(cal, in.extra_nodes[0], &in.extra_cfg);
    rc = cb_whatif_table(&in, &out, &nout);
    if (rc < 0) {
        fprintf(stderr, PROG ": --what-if: %s\n", cb_strerror(rc));
        goto out;
    }
    switch (o->fmt) {
    case FMT_TEXT: print_text(o, &in, out, nout); break;
    case FMT_CSV: print_csv(out, nout); break;
    case FMT_JSON: print_json(out, nout); break;
    }
out:
    free(out);
    free(extra);
    free(m);
    return rc;
}
