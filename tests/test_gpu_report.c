/* Unit test of cb-gpu's rank-0 part (cb_gpu_report_results) on synthetic
 * per-GPU reports: CSV rows and their status (ok / failed / skipped; a slow
 * GPU flagged in the note), spec_value and efficiency, the gpu_info row, the printed
 * verdicts and the exit code. No MPI, no GPU. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_test.h"

#include "cb_error.h"
#include "cb_gpu.h"
#include "cb_results.h"

static void add(cb_gpu_report_t *r, const char *metric, const char *unit, int n, double value,
                double spec)
{
    cb_gpu_meas_t *m = &r->meas[r->nmeas++];
    memset(m, 0, sizeof *m);
    snprintf(m->metric, sizeof m->metric, "%s", metric);
    snprintf(m->unit, sizeof m->unit, "%s", unit);
    snprintf(m->op, sizeof m->op, "%s", n ? "gemm" : "copy");
    snprintf(m->dtype, sizeof m->dtype, "%s", n ? "bfloat16" : "float");
    m->gemm_n = n;
    m->bytes = n ? (long long)n * n * 2 : 1 << 29;
    m->value = value;
    m->spec_value = spec;
    m->iters = 5;
    m->warmup_iters = 2;
    m->reps = 1;
    m->wrong = 0;
    double s[5] = {10, 11, 12, 13, 14};
    cb_stats_compute(s, 5, &m->time_us);
    snprintf(m->note, sizeof m->note, "synthetic");
}

static void gpu(cb_gpu_report_t *r, const char *host, int rank, const char *name, double bf16,
                double copy)
{
    memset(r, 0, sizeof *r);
    snprintf(r->host, sizeof r->host, "%s", host);
    r->rank = rank;
    r->device = 0;
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->busid, sizeof r->busid, "0000:18:00.0");
    r->cc_major = 9;
    r->sms = 132;
    int known = strstr(name, "H100") != NULL;
    snprintf(r->spec_name, sizeof r->spec_name, "%s", known ? "H100 SXM" : "");
    add(r, "d2d_copy_kernel_gbps", "GB/s", 0, copy, known ? 3350 : 0);
    add(r, "gemm_bf16_tflops", "TFLOPS", 8192, bf16, known ? 989 : 0);
}

typedef struct run {
    char csv[128], out[64 * 1024];
    int code;
    cb_table_t t;
} run_t;

static void run(const cb_gpu_opts_t *o, const cb_gpu_report_t *reps, size_t n, run_t *r)
{
    snprintf(r->csv, sizeof r->csv, "/tmp/cb_gpu_report_%d.csv", (int)getpid());
    unlink(r->csv);
    cb_results_ctx_t ctx;
    cb_results_ctx_init(&ctx, "unit");
    cb_results_t *res = NULL;
    char err[256];
    assert_int_equal(cb_results_open(r->csv, &res, err, sizeof err), CB_OK);
    FILE *f = tmpfile();
    assert_non_null(f);
    r->code = cb_gpu_report_results(o, &ctx, res, reps, n, f);
    rewind(f);
    size_t len = fread(r->out, 1, sizeof r->out - 1, f);
    r->out[len] = '\0';
    fclose(f);
    cb_results_close(res);
    cb_results_ctx_free(&ctx);
    cb_table_init(&r->t);
    assert_int_equal(cb_table_read(&r->t, r->csv, err, sizeof err), CB_OK);
    unlink(r->csv);
}

/* The row of host/metric (first match); -1 when none. */
static long find(const cb_table_t *t, const char *host, const char *metric)
{
    for (size_t i = 0; i < t->nrows; i++)
        if (!strcmp(cb_table_str(t, i, CB_COL_HOST), host) &&
            !strcmp(cb_table_str(t, i, CB_COL_METRIC), metric))
            return (long)i;
    return -1;
}

static void test_gpu_report_slow_gpu(void **state)
{
    (void)state;
    cb_gpu_opts_t o;
    cb_gpu_opts_default(&o);
    cb_gpu_report_t *reps = calloc(5, sizeof *reps);
    assert_non_null(reps);
    gpu(&reps[0], "n1", 0, "NVIDIA H100 80GB HBM3", 700, 3000);
    gpu(&reps[1], "n2", 1, "NVIDIA H100 80GB HBM3", 705, 3010);
    gpu(&reps[2], "n3", 2, "NVIDIA H100 80GB HBM3", 698, 2990);
    gpu(&reps[3], "n4", 3, "NVIDIA H100 80GB HBM3", 600, 3005); /* 14 % below its peers */
    memset(&reps[4], 0, sizeof reps[4]);
    snprintf(reps[4].host, sizeof reps[4].host, "n5");
    reps[4].rank = 4;
    reps[4].device = -1;
    snprintf(reps[4].reason, sizeof reps[4].reason, "no CUDA device (test)");
    run_t *r = calloc(1, sizeof *r);
    assert_non_null(r);
    run(&o, reps, 5, r);
    assert_int_equal(r->code, 0); /* slow is a verdict, not a failure */
    const cb_table_t *t = &r->t;
    assert_int_equal(t->nrows, 4 * 3 + 1); /* gpu_info + 2 measurements per GPU + skipped */
    for (size_t i = 0; i < t->nrows; i++) {
        assert_string_equal(cb_table_str(t, i, CB_COL_BENCHMARK), "gpu");
        assert_string_equal(cb_table_str(t, i, CB_COL_TRANSPORT), "cuda");
        assert_string_equal(cb_table_str(t, i, CB_COL_MEMORY), "cuda");
    }
    long i = find(t, "n4", "gemm_bf16_tflops");
    assert_true(i >= 0);
    /* flagged: the note says so; the status stays ok (the measurement is valid) */
    assert_string_equal(cb_table_str(t, (size_t)i, CB_COL_STATUS), "ok");
    assert_non_null(strstr(cb_table_str(t, (size_t)i, CB_COL_NOTE), "; SLOW: n4/gpu0"));
    assert_non_null(strstr(cb_table_str(t, (size_t)i, CB_COL_NOTE), "NVIDIA H100 80GB HBM3"));
    assert_double_equal(cb_table_num(t, (size_t)i, CB_COL_VALUE), 600, 1e-9);
    assert_double_equal(cb_table_num(t, (size_t)i, CB_COL_SPEC_VALUE), 989, 1e-9);
    assert_double_equal(cb_table_num(t, (size_t)i, CB_COL_EFFICIENCY), 600.0 / 989, 1e-6);
    assert_double_equal(cb_table_num(t, (size_t)i, CB_COL_RANK), 3, 0);
    assert_double_equal(cb_table_num(t, (size_t)i, CB_COL_BYTES), 8192.0 * 8192 * 2, 0);
    assert_double_equal(cb_table_num(t, (size_t)i, CB_COL_TIME_US_MEDIAN), 12, 0);
    assert_string_equal(cb_table_str(t, (size_t)i, CB_COL_UNIT), "TFLOPS");
    assert_string_equal(cb_table_str(t, (size_t)i, CB_COL_WRONG_ELEMENTS), "0");
    i = find(t, "n1", "gemm_bf16_tflops");
    assert_string_equal(cb_table_str(t, (size_t)i, CB_COL_STATUS), "ok");
    assert_null(strstr(cb_table_str(t, (size_t)i, CB_COL_NOTE), "SLOW"));
    i = find(t, "n4", "d2d_copy_kernel_gbps"); /* within 10 %: ok */
    assert_string_equal(cb_table_str(t, (size_t)i, CB_COL_STATUS), "ok");
    assert_double_equal(cb_table_num(t, (size_t)i, CB_COL_EFFICIENCY), 3005.0 / 3350, 1e-6);
    i = find(t, "n2", "gpu_info");
    assert_true(i >= 0);
    assert_string_equal(cb_table_str(t, (size_t)i, CB_COL_STATUS), "ok");
    assert_non_null(strstr(cb_table_str(t, (size_t)i, CB_COL_NOTE), "name=NVIDIA H100 80GB HBM3; cc=9.0"));
    i = find(t, "n5", "");
    assert_true(i >= 0);
    assert_string_equal(cb_table_str(t, (size_t)i, CB_COL_STATUS), "skipped");
    assert_string_equal(cb_table_str(t, (size_t)i, CB_COL_NOTE), "no CUDA device (test)");
    /* printed: per-GPU blocks, the summary, the verdict */
    assert_non_null(strstr(r->out, "per-GPU summary"));
    assert_non_null(strstr(r->out, "SLOW gemm_bf16_tflops n=8192: n4/gpu0"));
    assert_non_null(strstr(r->out, "below the median of its 3 peers"));
    assert_non_null(strstr(r->out, "TFLOPS       989   60.7%      5 SLOW: n4/gpu0"));
    assert_null(strstr(r->out, "SLOW d2d_copy_kernel_gbps"));
    cb_table_free(&r->t);

    /* --require-gpu: the rank without a GPU fails the run */
    o.require_gpu = 1;
    run(&o, reps, 5, r);
    assert_int_equal(r->code, 3);
    i = find(&r->t, "n5", "");
    assert_string_equal(cb_table_str(&r->t, (size_t)i, CB_COL_STATUS), "failed");
    cb_table_free(&r->t);
    free(reps);
    free(r);
}

static void test_gpu_report_wrong_and_unknown(void **state)
{
    (void)state;
    cb_gpu_opts_t o;
    cb_gpu_opts_default(&o);
    cb_gpu_report_t *reps = calloc(2, sizeof *reps);
    assert_non_null(reps);
    gpu(&reps[0], "a", 0, "NVIDIA Future GPU", 500, 2000); /* not in the table */
    gpu(&reps[1], "b", 1, "NVIDIA H100 80GB HBM3", 700, 3000);
    reps[1].meas[1].wrong = 17;
    run_t *r = calloc(1, sizeof *r);
    assert_non_null(r);
    run(&o, reps, 2, r);
    assert_int_equal(r->code, 3); /* wrong data fails the run */
    long i = find(&r->t, "b", "gemm_bf16_tflops");
    assert_string_equal(cb_table_str(&r->t, (size_t)i, CB_COL_STATUS), "failed");
    assert_string_equal(cb_table_str(&r->t, (size_t)i, CB_COL_WRONG_ELEMENTS), "17");
    assert_non_null(strstr(cb_table_str(&r->t, (size_t)i, CB_COL_NOTE), "WRONG DATA"));
    i = find(&r->t, "a", "gemm_bf16_tflops"); /* unknown GPU: measured, no efficiency */
    assert_string_equal(cb_table_str(&r->t, (size_t)i, CB_COL_STATUS), "ok");
    assert_double_equal(cb_table_num(&r->t, (size_t)i, CB_COL_VALUE), 500, 1e-9);
    assert_string_equal(cb_table_str(&r->t, (size_t)i, CB_COL_SPEC_VALUE), "");
    assert_string_equal(cb_table_str(&r->t, (size_t)i, CB_COL_EFFICIENCY), "");
    /* different models are never compared */
    assert_non_null(strstr(r->out, "no GPU flagged"));
    cb_table_free(&r->t);

    /* an unsupported measurement is skipped, not failed */
    reps[1].meas[1].wrong = 0;
    reps[1].meas[1].rc = CB_ERR_UNSUPPORTED;
    run(&o, reps, 2, r);
    assert_int_equal(r->code, 0);
    i = find(&r->t, "b", "gemm_bf16_tflops");
    assert_string_equal(cb_table_str(&r->t, (size_t)i, CB_COL_STATUS), "skipped");
    assert_string_equal(cb_table_str(&r->t, (size_t)i, CB_COL_VALUE), "");
    cb_table_free(&r->t);
    free(reps);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gpu_report_slow_gpu),
        cmocka_unit_test(test_gpu_report_wrong_and_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
