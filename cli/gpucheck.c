/* gpucheck: the headline figures of each GPU path of a scripts/gpu-check run
 * from the rows it wrote, and the table and CSV of them (gpucheck.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_gpuspec.h"
#include "cb_size.h"
#include "csv_out.h"
#include "gpucheck.h"

static const char *const kind_names[CB_GPUCHECK_NKINDS] = {"gpu", "allreduce", "p2p", "ddp",
                                                           "torch"};

const char *cb_gpucheck_kind_name(cb_gpucheck_kind_t k)
{
    return (unsigned)k < CB_GPUCHECK_NKINDS ? kind_names[k] : "unknown";
}

int cb_gpucheck_kind_parse(const char *s)
{
    for (int k = 0; k < CB_GPUCHECK_NKINDS; k++)
        if (s && !strcmp(s, kind_names[k]))
            return k;
    return -1;
}

static const char *col(const cb_table_t *t, size_t r, int c)
{
    return cb_table_str(t, r, c);
}

static int is(const cb_table_t *t, size_t r, int c, const char *v)
{
    return !strcmp(col(t, r, c), v);
}

static cb_gpucheck_fig_t *new_fig(cb_gpucheck_path_t *p, const char *what, const char *unit)
{
    if (p->nfigs >= CB_GPUCHECK_MAX_FIGS)
        return NULL;
    cb_gpucheck_fig_t *f = &p->figs[p->nfigs++];
    memset(f, 0, sizeof *f);
    snprintf(f->what, sizeof f->what, "%s", what);
    snprintf(f->unit, sizeof f->unit, "%s", unit ? unit : "");
    f->value = f->spec_value = f->efficiency = f->ref_value = f->ref_ratio = NAN;
    return f;
}

static void set_ref(cb_gpucheck_fig_t *f, const char *ref, double ref_value, double moved)
{
    if (!(ref_value > 0) || !isfinite(moved))
        return;
    snprintf(f->ref, sizeof f->ref, "%s", ref);
    f->ref_value = ref_value;
    f->ref_ratio = moved / ref_value;
}

/* "512M", "1G", "4K" (binary units, as the programs' sizes). */
static const char *size_text(double bytes, char *buf, size_t len)
{
    if (!(bytes >= 0))
        snprintf(buf, len, "?");
    else
        cb_size_format((uint64_t)bytes, buf, len);
    return buf;
}

/* ---- cb-gpu ---- */

/* The rows of one GPU: from its gpu_info row to the next one. */
typedef struct gpu_seg {
    size_t first, end; /* rows [first, end) of the table, gpu rows only */
} gpu_seg_t;

/* Row of metric m in [seg): an ok row with the largest bytes; else a
 * failed/skipped one; SIZE_MAX when none. */
static size_t pick(const cb_table_t *t, const gpu_seg_t *s, const char *m)
{
    size_t best = SIZE_MAX, other = SIZE_MAX;
    double best_bytes = -1;
    for (size_t r = s->first; r < s->end; r++) {
        if (!is(t, r, CB_COL_BENCHMARK, "gpu") || !is(t, r, CB_COL_METRIC, m))
            continue;
        if (!is(t, r, CB_COL_STATUS, "ok")) {
            if (other == SIZE_MAX)
                other = r;
            continue;
        }
        double b = cb_table_num(t, r, CB_COL_BYTES);
        if (!isfinite(b))
            b = 0;
        if (b > best_bytes) {
            best_bytes = b;
            best = r;
        }
    }
    return best != SIZE_MAX ? best : other;
}

static double ok_value(const cb_table_t *t, size_t r)
{
    return r != SIZE_MAX && is(t, r, CB_COL_STATUS, "ok") ? cb_table_num(t, r, CB_COL_VALUE) : NAN;
}

/* GEMM size n from one operand's bytes and the dtype. */
static int gemm_n(const cb_table_t *t, size_t r)
{
    const char *dt = col(t, r, CB_COL_DTYPE);
    double elem = !strcmp(dt, "bfloat16") || !strcmp(dt, "half") ? 2 : !strcmp(dt, "fp8_e4m3") ? 1 : 4;
    double b = cb_table_num(t, r, CB_COL_BYTES);
    return b > 0 ? (int)lround(sqrt(b / elem)) : 0;
}

/* A figure from row r of metric `m` (what = label without the GPU). */
static cb_gpucheck_fig_t *gpu_fig(cb_gpucheck_path_t *p, const cb_table_t *t, size_t r, int gpu,
                                  const char *label, int with_size)
{
    char what[64], sz[32] = "";
    if (with_size == 1)
        snprintf(sz, sizeof sz, " %s", size_text(cb_table_num(t, r, CB_COL_BYTES), (char[32]){0}, 32));
    else if (with_size == 2)
        snprintf(sz, sizeof sz, " n=%d", gemm_n(t, r));
    snprintf(what, sizeof what, "gpu%d %s%s", gpu, label, sz);
    cb_gpucheck_fig_t *f = new_fig(p, what, col(t, r, CB_COL_UNIT));
    if (!f)
        return NULL;
    if (!is(t, r, CB_COL_STATUS, "ok")) {
        f->failed = !is(t, r, CB_COL_STATUS, "skipped");
        snprintf(f->note, sizeof f->note, "%s%s", f->failed ? "" : "skipped: ",
                 col(t, r, CB_COL_NOTE));
        return f;
    }
    f->value = cb_table_num(t, r, CB_COL_VALUE);
    f->spec_value = cb_table_num(t, r, CB_COL_SPEC_VALUE);
    f->efficiency = cb_gpuspec_efficiency(f->value, f->spec_value);
    double wrong = cb_table_num(t, r, CB_COL_WRONG_ELEMENTS);
    if (wrong > 0) {
        f->failed = 1;
        snprintf(f->note, sizeof f->note, "%.0f wrong elements", wrong);
    }
    return f;
}

static void gpu_figures(cb_gpucheck_path_t *p, const cb_table_t *t)
{
    /* segments by gpu_info row, in file order */
    gpu_seg_t segs[64];
    size_t nseg = 0, lone_first = SIZE_MAX;
    for (size_t r = 0; r < t->nrows; r++) {
        if (!is(t, r, CB_COL_BENCHMARK, "gpu"))
            continue;
        if (is(t, r, CB_COL_METRIC, "gpu_info") && nseg < sizeof segs / sizeof segs[0]) {
            if (nseg)
                segs[nseg - 1].end = r;
            segs[nseg++] = (gpu_seg_t){r, t->nrows};
        } else if (!nseg && lone_first == SIZE_MAX) {
            lone_first = r;
        }
    }
    if (!nseg && lone_first != SIZE_MAX) { /* no device: the row says why */
        cb_gpucheck_fig_t *f = new_fig(p, "no GPU measured", "");
        if (f) {
            f->failed = 1;
            snprintf(f->note, sizeof f->note, "%s", col(t, lone_first, CB_COL_NOTE));
        }
        return;
    }
    static const struct {
        const char *metric, *label;
        int size; /* 1: buffer size, 2: GEMM n */
    } figs[] = {
        {"d2d_copy_kernel_gbps", "copy kernel", 1},   {"d2d_triad_kernel_gbps", "triad kernel", 1},
        {"d2d_memcpy_gbps", "cudaMemcpy D2D", 1},     {"fma_fp32_tflops", "FP32 FMA", 0},
        {"gemm_fp32_tflops", "GEMM fp32", 2},         {"gemm_tf32_tflops", "GEMM tf32", 2},
        {"gemm_bf16_tflops", "GEMM bf16", 2},         {"gemm_fp16_tflops", "GEMM fp16", 2},
        {"gemm_fp8_tflops", "GEMM fp8", 2},           {"h2d_pinned_gbps", "pinned H2D", 1},
        {"d2h_pinned_gbps", "pinned D2H", 1},
    };
    for (size_t g = 0; g < nseg; g++) {
        double memcpy_gbps = ok_value(t, pick(t, &segs[g], "d2d_memcpy_gbps"));
        double sgemm = ok_value(t, pick(t, &segs[g], "gemm_fp32_tflops"));
        for (size_t k = 0; k < sizeof figs / sizeof figs[0]; k++) {
            size_t r = pick(t, &segs[g], figs[k].metric);
            if (r == SIZE_MAX)
                continue;
            cb_gpucheck_fig_t *f = gpu_fig(p, t, r, (int)g, figs[k].label, figs[k].size);
            if (!f || f->failed || !isfinite(f->value))
                continue;
            if (!strcmp(figs[k].metric, "d2d_copy_kernel_gbps") ||
                !strcmp(figs[k].metric, "d2d_triad_kernel_gbps"))
                set_ref(f, "cudaMemcpy D2D", memcpy_gbps, f->value);
            else if (!strcmp(figs[k].metric, "fma_fp32_tflops"))
                set_ref(f, "cuBLAS SGEMM", sgemm, f->value);
        }
    }
}

/* ---- cb-allreduce, cb-p2p ---- */

/* Among ok rows of benchmark b (and op when given), the one preferring
 * dtype float and out-of-place, then the largest bytes (smallest with
 * smallest = 1). */
static size_t pick_coll(const cb_table_t *t, const char *b, const char *op, int smallest)
{
    size_t best = SIZE_MAX;
    int best_pref = -1;
    double best_bytes = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        if (!is(t, r, CB_COL_BENCHMARK, b) || !is(t, r, CB_COL_STATUS, "ok") ||
            (op && !is(t, r, CB_COL_OP, op)))
            continue;
        int pref = 2 * is(t, r, CB_COL_DTYPE, "float") + !is(t, r, CB_COL_PLACEMENT, "in-place");
        double bytes = cb_table_num(t, r, CB_COL_BYTES);
        if (pref > best_pref ||
            (pref == best_pref && (smallest ? bytes < best_bytes : bytes > best_bytes))) {
            best = r;
            best_pref = pref;
            best_bytes = bytes;
        }
    }
    return best;
}

/* Rows of benchmark b: how many, the wrong elements in all, and the first
 * row that is not ok. */
static void data_check(cb_gpucheck_path_t *p, const cb_table_t *t, const char *b)
{
    size_t n = 0, bad = SIZE_MAX;
    double wrong = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        if (!is(t, r, CB_COL_BENCHMARK, b))
            continue;
        n++;
        double w = cb_table_num(t, r, CB_COL_WRONG_ELEMENTS);
        if (w > 0)
            wrong += w;
        if (bad == SIZE_MAX && !is(t, r, CB_COL_STATUS, "ok"))
            bad = r;
    }
    cb_gpucheck_fig_t *f = new_fig(p, "data checked", "rows");
    if (!f)
        return;
    f->value = (double)n;
    f->failed = wrong > 0 || bad != SIZE_MAX || n == 0;
    if (bad != SIZE_MAX)
        snprintf(f->note, sizeof f->note, "%.0f wrong elements; a row %s: %s", wrong,
                 col(t, bad, CB_COL_STATUS), col(t, bad, CB_COL_NOTE));
    else
        snprintf(f->note, sizeof f->note, "%.0f wrong elements%s", wrong, n ? "" : "; no rows");
}

static void allreduce_figures(cb_gpucheck_path_t *p, const cb_table_t *t, double memcpy_gbps)
{
    size_t r = pick_coll(t, "allreduce", NULL, 0);
    if (r != SIZE_MAX) {
        int ranks = (int)cb_table_num(t, r, CB_COL_RANKS);
        char what[64], sz[32];
        size_text(cb_table_num(t, r, CB_COL_BYTES), sz, sizeof sz);
        snprintf(what, sizeof what, "%s %s %s %s", ranks > 1 ? "busbw" : "algbw",
                 col(t, r, CB_COL_DTYPE), col(t, r, CB_COL_PLACEMENT), sz);
        cb_gpucheck_fig_t *f = new_fig(p, what, "GB/s");
        if (f) {
            f->value = cb_table_num(t, r, ranks > 1 ? CB_COL_BUSBW_GBPS : CB_COL_ALGBW_GBPS);
            if (ranks <= 1 && !is(t, r, CB_COL_PLACEMENT, "in-place")) {
                /* one rank: NCCL copies send to receive, reading and writing S */
                set_ref(f, "cudaMemcpy D2D", memcpy_gbps, 2 * f->value);
                snprintf(f->note, sizeof f->note, "1 rank: a device copy; vs reference: 2 x algbw");
            } else {
                snprintf(f->note, sizeof f->note, "%d ranks", ranks);
            }
        }
    }
    data_check(p, t, "allreduce");
}

static void p2p_figures(cb_gpucheck_path_t *p, const cb_table_t *t)
{
    static const struct {
        const char *op, *label;
        int smallest;
    } ops[] = {{"bw", "bw", 0}, {"bibw", "bibw", 0}, {"pingpong", "latency", 1}};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        size_t r = pick_coll(t, "p2p", ops[k].op, ops[k].smallest);
        if (r == SIZE_MAX)
            continue;
        char what[64], sz[32];
        snprintf(what, sizeof what, "%s %s", ops[k].label,
                 size_text(cb_table_num(t, r, CB_COL_BYTES), sz, sizeof sz));
        int lat = ops[k].smallest;
        cb_gpucheck_fig_t *f = new_fig(p, what, lat ? "us" : "GB/s");
        if (!f)
            continue;
        f->value = cb_table_num(t, r, lat ? CB_COL_TIME_US_MEDIAN : CB_COL_ALGBW_GBPS);
        snprintf(f->note, sizeof f->note, "%s -> %s", col(t, r, CB_COL_HOST), col(t, r, CB_COL_PEER));
    }
    data_check(p, t, "p2p");
}

/* ---- cb-ddp, torch probe ---- */

static void ddp_figures(cb_gpucheck_path_t *p, const cb_table_t *t)
{
    static const struct {
        const char *metric, *label;
    } ms[] = {{"t1_ms", "T1"}, {"tn_ms", "T_N"}, {"speedup", "speedup"},
              {"model_error_pct", "model error"}};
    for (size_t r = 0; r < t->nrows; r++) {
        if (!is(t, r, CB_COL_BENCHMARK, "ddp"))
            continue;
        for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++) {
            if (!is(t, r, CB_COL_METRIC, ms[k].metric))
                continue;
            int ranks = (int)cb_table_num(t, r, CB_COL_RANKS);
            if (ranks <= 1 && k > 0)
                continue; /* one rank: T_N = T1, speedup 1: nothing to show */
            /* the note begins "step_ms=<T1 asked>; " */
            double asked = NAN;
            sscanf(col(t, r, CB_COL_NOTE), "step_ms=%lf", &asked);
            char what[64];
            snprintf(what, sizeof what, "%s at %g ms", ms[k].label, asked);
            cb_gpucheck_fig_t *f = new_fig(p, what, col(t, r, CB_COL_UNIT));
            if (!f)
                continue;
            f->value = cb_table_num(t, r, CB_COL_VALUE);
            f->failed = !is(t, r, CB_COL_STATUS, "ok");
            snprintf(f->note, sizeof f->note, "%d rank(s); %s", ranks, col(t, r, CB_COL_NOTE));
        }
    }
    if (!p->nfigs) {
        cb_gpucheck_fig_t *f = new_fig(p, "DDP rows", "rows");
        if (f) {
            f->value = 0;
            f->failed = 1;
            snprintf(f->note, sizeof f->note, "no ddp rows");
        }
    }
}

static void torch_figures(cb_gpucheck_path_t *p, const cb_table_t *t)
{
    size_t n = 0, ok = 0, bad = SIZE_MAX;
    for (size_t r = 0; r < t->nrows; r++) {
        if (is(t, r, CB_COL_BENCHMARK, "topo") || is(t, r, CB_COL_BENCHMARK, "env"))
            continue;
        n++;
        if (is(t, r, CB_COL_STATUS, "ok"))
            ok++;
        else if (bad == SIZE_MAX)
            bad = r;
    }
    cb_gpucheck_fig_t *f = new_fig(p, "rows ok", "rows");
    if (!f)
        return;
    f->value = (double)ok;
    f->failed = !n || bad != SIZE_MAX;
    if (bad != SIZE_MAX)
        snprintf(f->note, sizeof f->note, "%zu of %zu rows not ok; first: %s %s: %s", n - ok, n,
                 col(t, bad, CB_COL_METRIC), col(t, bad, CB_COL_STATUS), col(t, bad, CB_COL_NOTE));
    else
        snprintf(f->note, sizeof f->note, "of %zu", n);
}

double cb_gpucheck_memcpy_gbps(const cb_table_t *t)
{
    gpu_seg_t all = {0, t->nrows};
    size_t first_info = SIZE_MAX;
    for (size_t r = 0; r < t->nrows && first_info == SIZE_MAX; r++)
        if (is(t, r, CB_COL_BENCHMARK, "gpu") && is(t, r, CB_COL_METRIC, "gpu_info"))
            first_info = r;
    if (first_info == SIZE_MAX)
        return NAN;
    all.first = first_info;
    for (size_t r = first_info + 1; r < t->nrows; r++)
        if (is(t, r, CB_COL_BENCHMARK, "gpu") && is(t, r, CB_COL_METRIC, "gpu_info")) {
            all.end = r;
            break;
        }
    return ok_value(t, pick(t, &all, "d2d_memcpy_gbps"));
}

size_t cb_gpucheck_figures(cb_gpucheck_path_t *p, const cb_table_t *t, double memcpy_gbps)
{
    p->nfigs = 0;
    switch (p->kind) {
    case CB_GPUCHECK_GPU: gpu_figures(p, t); break;
    case CB_GPUCHECK_ALLREDUCE: allreduce_figures(p, t, memcpy_gbps); break;
    case CB_GPUCHECK_P2P: p2p_figures(p, t); break;
    case CB_GPUCHECK_DDP: ddp_figures(p, t); break;
    case CB_GPUCHECK_TORCH: torch_figures(p, t); break;
    default: break;
    }
    return p->nfigs;
}

/* ---- output ---- */

static void num_text(double v, const char *fmt, char *buf, size_t len)
{
    if (isfinite(v))
        snprintf(buf, len, fmt, v);
    else
        snprintf(buf, len, "-");
}

int cb_gpucheck_print(FILE *f, const cb_gpucheck_path_t *paths, size_t n)
{
    int failed = 0, ok = 0, other = 0;
    fprintf(f, "%-44s %-8s %-30s %10s %-6s %8s %7s  %s\n", "path", "status", "figure", "value",
            "unit", "spec", "vs spec", "vs reference");
    for (size_t i = 0; i < n; i++) {
        const cb_gpucheck_path_t *p = &paths[i];
        int path_failed = !strcmp(p->status, "failed");
        char status[64];
        snprintf(status, sizeof status, "%s", p->status);
        if (path_failed && p->exit_code >= 0)
            snprintf(status, sizeof status, "FAILED");
        /* the path's line: its error or reason when it has one */
        if (p->detail[0] || !p->nfigs) {
            char why[320];
            if (path_failed && p->exit_code > 0)
                snprintf(why, sizeof why, "exit %d: %s", p->exit_code, p->detail);
            else
                snprintf(why, sizeof why, "%s", p->detail);
            fprintf(f, "%-44.44s %-8s %s\n", p->label, status, why);
        }
        for (size_t k = 0; k < p->nfigs; k++) {
            const cb_gpucheck_fig_t *g = &p->figs[k];
            char val[32], spec[32], eff[32], ref[128] = "";
            num_text(g->value, strcmp(g->unit, "rows") ? "%.2f" : "%.0f", val, sizeof val);
            num_text(g->spec_value, "%.6g", spec, sizeof spec);
            num_text(100 * g->efficiency, "%.1f%%", eff, sizeof eff);
            if (g->ref[0])
                snprintf(ref, sizeof ref, "%.2f x %s (%.2f)", g->ref_ratio, g->ref, g->ref_value);
            int first = k == 0 && !(p->detail[0] || !p->nfigs);
            fprintf(f, "%-44.44s %-8s %-30.30s %10s %-6s %8s %7s  %s%s%s\n",
                    first ? p->label : "", first ? status : "", g->what, val, g->unit, spec, eff,
                    ref, g->failed ? (ref[0] ? "; FAILED: " : "FAILED: ") : "",
                    g->failed ? g->note : "");
        }
        if (path_failed)
            failed++;
        else if (!strcmp(p->status, "ok"))
            ok++;
        else
            other++;
    }
    if (failed) {
        fprintf(f, "gpu-check: FAILED: %d of %zu path(s) failed:", failed, n);
        for (size_t i = 0; i < n; i++)
            if (!strcmp(paths[i].status, "failed"))
                fprintf(f, " %s;", paths[i].label);
        fprintf(f, " %d ok, %d skipped or absent\n", ok, other);
    } else {
        fprintf(f, "gpu-check: ok: %d path(s) ok, %d skipped or absent, none failed\n", ok, other);
    }
    return failed;
}

/* ",field" */
static void next_str(FILE *f, const char *s)
{
    fputc(',', f);
    cb_csvout_str(f, s);
}

static void next_num(FILE *f, double v)
{
    fputc(',', f);
    cb_csvout_num(f, v);
}

int cb_gpucheck_write_csv(FILE *f, const cb_gpucheck_path_t *paths, size_t n)
{
    fputs("path,kind,status,exit_code,detail,figure,value,unit,spec_value,efficiency,reference,"
          "reference_value,reference_ratio,figure_failed,note\n", f);
    for (size_t i = 0; i < n; i++) {
        const cb_gpucheck_path_t *p = &paths[i];
        size_t nrows = p->nfigs ? p->nfigs : 1;
        for (size_t k = 0; k < nrows; k++) {
            const cb_gpucheck_fig_t *g = p->nfigs ? &p->figs[k] : NULL;
            cb_csvout_str(f, p->label);
            fprintf(f, ",%s,%s,", cb_gpucheck_kind_name(p->kind), p->status);
            if (p->exit_code >= 0)
                fprintf(f, "%d", p->exit_code);
            next_str(f, p->detail);
            if (g) {
                next_str(f, g->what);
                next_num(f, g->value);
                next_str(f, g->unit);
                next_num(f, g->spec_value);
                next_num(f, g->efficiency);
                next_str(f, g->ref);
                next_num(f, g->ref_value);
                next_num(f, g->ref_ratio);
                fprintf(f, ",%d", g->failed);
                next_str(f, g->note);
            } else {
                fputs(",,,,,,,,,,", f);
            }
            fputc('\n', f);
        }
    }
    return ferror(f) ? -1 : 0;
}
