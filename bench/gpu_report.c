/* cb-gpu's results (rank 0): the slow-GPU verdicts over every GPU's
 * reports (common/cb_spread.h), the CSV rows, the per-GPU print-out and the
 * summary table (cb_gpu_report_results). Pure apart from its output. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_gpu.h"
#include "cb_gpuspec.h"
#include "cb_results.h"
#include "cb_size.h"
#include "cb_spread.h"

#define PROG "cb-gpu"

/* "host/gpuN (busid)" */
static void gpu_label(const cb_gpu_report_t *r, char *buf, size_t len)
{
    snprintf(buf, len, "%s/gpu%d (%s)", r->host, r->device, r->busid);
}

/* Status of a measurement: skipped (unsupported), failed (error or wrong
 * data), else ok. A GPU flagged slow keeps "ok" in the CSV — the measurement
 * is valid, and readers (the reporter, the gate) take status=ok rows and run
 * the same spread check — with "SLOW: ..." in its note; `slow` asks for the
 * "SLOW" label of the printed table instead. */
static const char *meas_status(const cb_gpu_meas_t *m, int slow)
{
    if (m->rc == CB_ERR_UNSUPPORTED)
        return "skipped";
    if (m->rc || m->wrong > 0)
        return "failed";
    return slow ? "SLOW" : "ok";
}

/* Slow-GPU verdicts: for every (model, metric, size) that two or more GPUs
 * measured, each GPU against the median of the others. Fills slow[i][j]
 * (report i, measurement j) with a malloc'd description when flagged.
 * Returns the number flagged; *groups_out = comparisons made. */
static int spread_all(const cb_gpu_report_t *reps, size_t nrep, double threshold, char ***slow,
                      int *groups_out)
{
    cb_spread_opts_t so;
    cb_spread_opts_default(&so);
    so.threshold = threshold;
    size_t cap = nrep ? nrep : 1;
    double *vals = malloc(cap * sizeof *vals);
    const char **names = malloc(cap * sizeof *names);
    char (*labels)[160] = malloc(cap * sizeof *labels);
    size_t *ri = malloc(cap * sizeof *ri), *mj = malloc(cap * sizeof *mj);
    cb_spread_verdict_t *v = malloc(cap * sizeof *v);
    char *done = NULL;
    size_t total = 0;
    for (size_t i = 0; i < nrep; i++)
        total += (size_t)reps[i].nmeas;
    done = calloc(total ? total : 1, 1);
    int flagged = 0, groups = 0;
    if (!vals || !names || !labels || !ri || !mj || !v || !done) {
        fprintf(stderr, "%s: out of memory in the slow-GPU check\n", PROG);
        goto out;
    }
    size_t base_i = 0;
    for (size_t i = 0; i < nrep; base_i += (size_t)reps[i].nmeas, i++) {
        for (int j = 0; j < reps[i].nmeas; j++) {
            const cb_gpu_meas_t *m = &reps[i].meas[j];
            if (done[base_i + (size_t)j] || m->rc || m->wrong > 0 || !isfinite(m->value))
                continue;
            /* every GPU of the same model with the same measurement */
            size_t n = 0, base_k = 0;
            for (size_t k = 0; k < nrep; base_k += (size_t)reps[k].nmeas, k++) {
                if (reps[k].device < 0 || strcmp(reps[k].name, reps[i].name))
                    continue;
                for (int l = 0; l < reps[k].nmeas; l++) {
                    const cb_gpu_meas_t *q = &reps[k].meas[l];
                    if (strcmp(q->metric, m->metric) || q->gemm_n != m->gemm_n ||
                        q->bytes != m->bytes || done[base_k + (size_t)l])
                        continue;
                    done[base_k + (size_t)l] = 1;
                    if (q->rc || q->wrong > 0 || !isfinite(q->value))
                        continue;
                    gpu_label(&reps[k], labels[n], sizeof labels[n]);
                    names[n] = labels[n];
                    vals[n] = q->value;
                    ri[n] = k;
                    mj[n] = (size_t)l;
                    n++;
                    break;
                }
            }
            if (n < 2)
                continue;
            groups++;
            int nf = cb_spread_check(names, vals, n, &so, v);
            if (nf <= 0)
                continue;
            for (size_t k = 0; k < n; k++) {
                if (v[k].state != CB_SPREAD_SLOW)
                    continue;
                char d[400];
                cb_spread_describe(&v[k], &so, m->unit, d, sizeof d);
                char *s = malloc(strlen(d) + 1);
                if (s)
                    strcpy(s, d);
                free(slow[ri[k]][mj[k]]);
                slow[ri[k]][mj[k]] = s;
                flagged++;
            }
        }
    }
out:
    *groups_out = groups;
    free(vals);
    free(names);
    free(labels);
    free(ri);
    free(mj);
    free(v);
    free(done);
    return flagged;
}

static int write_row(cb_results_t *res, const cb_results_ctx_t *ctx, const cb_gpu_report_t *r,
                     const cb_gpu_meas_t *m, const char *status, const char *note)
{
    cb_row_t row;
    cb_row_init(&row, ctx);
    cb_row_set_str(&row, CB_COL_BENCHMARK, "gpu");
    cb_row_set_str(&row, CB_COL_TRANSPORT, "cuda");
    cb_row_set_str(&row, CB_COL_MEMORY, "cuda");
    cb_row_set_str(&row, CB_COL_HOST, r->host);
    cb_row_set_int(&row, CB_COL_RANK, r->rank);
    if (m) {
        cb_row_set_str(&row, CB_COL_DTYPE, m->dtype);
        cb_row_set_str(&row, CB_COL_OP, m->op);
        if (m->bytes >= 0)
            cb_row_set_int(&row, CB_COL_BYTES, m->bytes);
        if (m->iters) {
            cb_row_set_int(&row, CB_COL_ITERS, m->iters);
            cb_row_set_int(&row, CB_COL_WARMUP_ITERS, m->warmup_iters);
            cb_row_set_stats(&row, &m->time_us);
        }
        cb_row_set_str(&row, CB_COL_METRIC, m->metric);
        if (m->rc == CB_OK) {
            cb_row_set_num(&row, CB_COL_VALUE, m->value);
            cb_row_set_str(&row, CB_COL_UNIT, m->unit);
            if (m->spec_value > 0) {
                cb_row_set_num(&row, CB_COL_SPEC_VALUE, m->spec_value);
                cb_row_set_num(&row, CB_COL_EFFICIENCY,
                               cb_gpuspec_efficiency(m->value, m->spec_value));
            }
        }
        if (m->wrong >= 0)
            cb_row_set_int(&row, CB_COL_WRONG_ELEMENTS, m->wrong);
    }
    cb_row_set_str(&row, CB_COL_STATUS, status);
    cb_row_set_str(&row, CB_COL_NOTE, note);
    int rc = cb_results_write(res, &row);
    cb_row_clear(&row);
    return rc;
}

static void print_report(FILE *f, const cb_gpu_report_t *r, char **slow)
{
    char label[160], cur[32];
    gpu_label(r, label, sizeof label);
    cb_gpu_pcie_text(r->pcie_gts, r->pcie_width, cur, sizeof cur);
    fprintf(f, "#\n# %s rank %d: %s, cc %d.%d, %d SMs, %d MHz, %.1f GiB, PCIe %s; driver %d.%d, "
               "runtime %d.%d; spec: %s\n",
            label, r->rank, r->name, r->cc_major, r->cc_minor, r->sms, r->sm_clock_mhz,
            (double)r->mem_bytes / (1 << 30), cur, r->driver_version / 1000,
            r->driver_version % 1000 / 10, r->runtime_version / 1000,
            r->runtime_version % 1000 / 10, r->spec_name[0] ? r->spec_name : "not in the table");
    fprintf(f, "# %-24s %8s %10s %-6s %9s %7s %6s %s\n", "metric", "size", "value", "unit", "spec",
            "eff", "iters", "status");
    for (int j = 0; j < r->nmeas; j++) {
        const cb_gpu_meas_t *m = &r->meas[j];
        char size[32] = "-", val[32] = "-", spec[32] = "-", eff[32] = "-";
        if (m->gemm_n)
            snprintf(size, sizeof size, "%d", m->gemm_n);
        else if (m->bytes > 0)
            cb_size_format((uint64_t)m->bytes, size, sizeof size);
        if (m->rc == CB_OK) {
            snprintf(val, sizeof val, "%.2f", m->value);
            if (m->spec_value > 0) {
                snprintf(spec, sizeof spec, "%.6g", m->spec_value);
                snprintf(eff, sizeof eff, "%.1f%%",
                         100 * cb_gpuspec_efficiency(m->value, m->spec_value));
            }
        }
        const char *st = meas_status(m, slow[j] != NULL);
        char why[64] = "";
        if (m->rc == CB_OK && m->wrong > 0)
            snprintf(why, sizeof why, "%lld wrong elements", m->wrong);
        fprintf(f, "  %-24s %8s %10s %-6s %9s %7s %6d %s%s%s\n", m->metric, size, val,
                m->rc == CB_OK ? m->unit : "", spec, eff, m->iters, st,
                strcmp(st, "ok") ? ": " : "",
                strcmp(st, "ok") ? (slow[j] ? slow[j] : why[0] ? why : m->note) : "");
    }
}

/* The value of a metric of a report (for the summary; the largest GEMM n). */
static double summary_value(const cb_gpu_report_t *r, const char *metric)
{
    double v = NAN;
    int best_n = -1;
    for (int j = 0; j < r->nmeas; j++) {
        const cb_gpu_meas_t *m = &r->meas[j];
        if (strcmp(m->metric, metric) || m->rc || m->gemm_n < best_n)
            continue;
        best_n = m->gemm_n;
        v = m->value;
    }
    return v;
}

static void print_summary(FILE *f, const cb_gpu_report_t *reps, size_t nrep, int max_n)
{
    static const char *const cols[][2] = {
        {"h2d_pinned_gbps", "h2d"},        {"d2h_pinned_gbps", "d2h"},
        {"d2d_copy_kernel_gbps", "copy"},  {"d2d_triad_kernel_gbps", "triad"},
        {"d2d_memcpy_gbps", "memcpy"},     {"fma_fp32_tflops", "fma32"},
        {"gemm_fp32_tflops", "fp32"},      {"gemm_tf32_tflops", "tf32"},
        {"gemm_bf16_tflops", "bf16"},      {"gemm_fp16_tflops", "fp16"},
        {"gemm_fp8_tflops", "fp8"},
    };
    const size_t ncol = sizeof cols / sizeof cols[0];
    fprintf(f, "#\n# per-GPU summary: GB/s for transfers/memory, TFLOPS for fma/GEMM (GEMMs at the "
               "largest n%s%d)\n# %-28s %-14s", max_n ? " = " : "", max_n, "gpu", "model");
    for (size_t c = 0; c < ncol; c++)
        fprintf(f, " %7s", cols[c][1]);
    fprintf(f, "\n");
    for (size_t i = 0; i < nrep; i++) {
        const cb_gpu_report_t *r = &reps[i];
        if (r->device < 0)
            continue;
        char label[160];
        snprintf(label, sizeof label, "%s/gpu%d", r->host, r->device);
        fprintf(f, "  %-28s %-14.14s", label, r->spec_name[0] ? r->spec_name : r->name);
        for (size_t c = 0; c < ncol; c++) {
            double v = summary_value(r, cols[c][0]);
            if (isfinite(v))
                fprintf(f, " %7.1f", v);
            else
                fprintf(f, " %7s", "-");
        }
        fprintf(f, "\n");
    }
}

int cb_gpu_report_results(const cb_gpu_opts_t *o, const cb_results_ctx_t *ctx,
                          cb_results_t *res, const cb_gpu_report_t *reps, size_t nrep, FILE *out)
{
    int failures = 0, nodev = 0, ngpus = 0, bad_device = 0, write_err = 0;
    char ***slow = calloc(nrep ? nrep : 1, sizeof *slow);
    if (!slow) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        return 3;
    }
    for (size_t i = 0; i < nrep; i++)
        if (!(slow[i] = calloc(CB_GPU_MAX_MEAS, sizeof **slow))) {
            fprintf(stderr, "%s: out of memory\n", PROG);
            for (size_t k = 0; k < i; k++)
                free(slow[k]);
            free(slow);
            return 3;
        }
    int groups = 0, flagged = spread_all(reps, nrep, o->slow_threshold, slow, &groups);
    for (size_t i = 0; i < nrep; i++) {
        const cb_gpu_report_t *r = &reps[i];
        if (r->device >= 0) {
            ngpus++;
            print_report(out, r, slow[i]);
        }
    }
    /* Two ranks on one physical GPU contend: say so. */
    for (size_t i = 0; i < nrep; i++)
        for (size_t k = i + 1; k < nrep; k++)
            if (reps[i].device >= 0 && reps[k].device >= 0 && !strcmp(reps[i].host, reps[k].host) &&
                !strcmp(reps[i].busid, reps[k].busid) && reps[i].rank != reps[k].rank)
                fprintf(out, "# WARNING: ranks %d and %d measured the same GPU %s on %s at the same "
                       "time: their numbers are contended (run one rank per GPU)\n",
                       reps[i].rank, reps[k].rank, reps[i].busid, reps[i].host);
    int max_n = 0;
    for (int k = 0; k < o->ngemm_sizes; k++)
        if (o->gemm_sizes[k] > max_n)
            max_n = o->gemm_sizes[k];
    if (ngpus) {
        print_summary(out, reps, nrep, (o->parts & CB_GPU_PART_GEMM) ? max_n : 0);
        fprintf(out, "#\n# slow-GPU check: a GPU more than %g%% below the median of the other GPUs of "
               "its model, per measurement\n", o->slow_threshold * 100);
        for (size_t i = 0; i < nrep; i++)
            for (int j = 0; j < reps[i].nmeas; j++)
                if (slow[i][j]) {
                    char what[32] = "";
                    if (reps[i].meas[j].gemm_n)
                        snprintf(what, sizeof what, " n=%d", reps[i].meas[j].gemm_n);
                    fprintf(out, "#   SLOW %s%s: %s\n", reps[i].meas[j].metric, what, slow[i][j]);
                }
        if (!flagged)
            fprintf(out, "#   no GPU flagged (%d measurement(s) compared across GPUs of one model)%s\n",
                   groups, groups ? "" : ": fewer than two GPUs of one model");
        else
            fprintf(out, "#   %d measurement(s) flagged slow ('SLOW: ...' in the CSV note)\n",
                    flagged);
    }
    for (size_t i = 0; i < nrep; i++) {
        const cb_gpu_report_t *r = &reps[i];
        char note[512];
        if (r->device < 0) {
            int is_bad = !strncmp(r->reason, "--device", 8);
            const char *status = o->require_gpu || is_bad ? "failed" : "skipped";
            snprintf(note, sizeof note, "%s%s", r->reason,
                     o->require_gpu && !is_bad ? " (--require-gpu)" : "");
            if (write_row(res, ctx, r, NULL, status, note))
                write_err = 1;
            if (is_bad) {
                bad_device = 1;
                fprintf(stderr, "%s: %s on %s (rank %d)\n", PROG, r->reason, r->host, r->rank);
            } else if (o->require_gpu) {
                fprintf(stderr, "%s: no CUDA device on %s (rank %d): %s; --require-gpu makes "
                                "this an error\n", PROG, r->host, r->rank, r->reason);
            } else {
                fprintf(out, "%s: skipped on %s (rank %d): %s\n", PROG, r->host, r->rank, r->reason);
            }
            nodev++;
            continue;
        }
        cb_gpu_meas_t info = {.rc = CB_OK, .bytes = -1, .wrong = -1};
        snprintf(info.metric, sizeof info.metric, "gpu_info");
        snprintf(info.unit, sizeof info.unit, "cc");
        snprintf(info.op, sizeof info.op, "info");
        info.value = r->cc_major + r->cc_minor / 10.0;
        cb_gpu_info_note(r, note, sizeof note);
        if (write_row(res, ctx, r, &info, "ok", note))
            write_err = 1;
        for (int j = 0; j < r->nmeas; j++) {
            const cb_gpu_meas_t *m = &r->meas[j];
            const char *status = meas_status(m, 0);
            if (!strcmp(status, "failed"))
                failures++;
            char wrong[64] = "";
            if (m->wrong > 0)
                snprintf(wrong, sizeof wrong, "WRONG DATA: %lld wrong elements; ", m->wrong);
            snprintf(note, sizeof note, "%s; %s%s%s%s", r->name, wrong, m->note,
                     slow[i][j] ? "; SLOW: " : "", slow[i][j] ? slow[i][j] : "");
            if (write_row(res, ctx, r, m, status, note))
                write_err = 1;
        }
    }
    for (size_t i = 0; i < nrep; i++) {
        for (int j = 0; j < CB_GPU_MAX_MEAS; j++)
            free(slow[i][j]);
        free(slow[i]);
    }
    free(slow);
    if (write_err)
        fprintf(stderr, "%s: writing %s failed\n", PROG, cb_results_path(res));
    if (failures)
        fprintf(stderr, "%s: %d measurement(s) failed or found wrong data (see the status "
                        "column)\n", PROG, failures);
    if (nodev && !ngpus && !o->require_gpu && !bad_device)
        fprintf(out, "%s: skipped: no CUDA device anywhere in this run; wrote skipped row(s) "
               "(use --require-gpu to make this an error)\n", PROG);
    if (bad_device)
        return 2;
    if (write_err || failures || (nodev && o->require_gpu))
        return 3;
    return 0;
}

