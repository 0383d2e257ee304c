/* test_report_model: the reporter's numbers (report/report_model.h) on small
 * tables written here — medians over repeated rows, each multi-node value
 * beside its baseline, link efficiency against --line-rate-gbps, the GPU
 * spread flag, DDP points of a step-time sweep kept apart, and the user's
 * workload (throughput and step time) — plus the workload reader's errors. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_test.h"

#include "cb_error.h"
#include "cb_stats.h"
#include "cb_results.h"
#include "report_doc.h"
#include "report_model.h"
#include "report_priv.h"

static char *write_tmp(const char *text)
{
    char *path = strdup("/tmp/cb-test-report-XXXXXX");
    assert_non_null(path);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

/* A results row from the columns that matter (the rest empty). */
static void row(FILE *f, const char *bench, const char *cluster, int nodes, const char *host,
                const char *peer, const char *op, double bytes, double time_us, double busbw,
                const char *metric, double value, double spec, const char *status)
{
    char b[32] = "", t[32] = "", w[32] = "", v[32] = "", s[32] = "", n[16] = "";
    if (!isnan(bytes))
        snprintf(b, sizeof b, "%.0f", bytes);
    if (!isnan(time_us))
        snprintf(t, sizeof t, "%g", time_us);
    if (!isnan(busbw))
        snprintf(w, sizeof w, "%g", busbw);
    if (!isnan(value))
        snprintf(v, sizeof v, "%g", value);
    if (!isnan(spec))
        snprintf(s, sizeof s, "%g", spec);
    if (nodes)
        snprintf(n, sizeof n, "%d", nodes);
    fprintf(f,
            "1,r,2025-01-01T00:00:00Z,%s,,%s,mpi,host,float,%s,%s,%s,%s,,,%s,%s,,,%s,,,,%s,,,,,,%s,%s,"
            "%s,%s,,%s,,,%s,\n",
            cluster, bench, op, !strcmp(bench, "allreduce") ? "out-of-place" : "", n, n, host,
            peer, b, t, w, w, metric, v, s, status);
}

static char *header(void)
{
    static char h[1024];
    h[0] = '\0';
    for (int c = 0; c < CB_NCOLS; c++) {
        strcat(h, c ? "," : "");
        strcat(h, cb_results_column_name(c));
    }
    strcat(h, "\n");
    return h;
}

typedef struct built {
    cb_table_t t;
    cb_doc_t *doc;
    cb_report_summary_t sum;
    char *path;
} built_t;

static void build(built_t *b, const char *csv, const cb_report_opts_t *o,
                  const cb_report_workload_t *w)
{
    memset(b, 0, sizeof *b);
    b->path = write_tmp(csv);
    cb_table_init(&b->t);
    char err[512];
    assert_int_equal(cb_table_read(&b->t, b->path, err, sizeof err), CB_OK);
    b->doc = cb_doc_new();
    assert_int_equal(cb_report_build(&b->t, o, w, NULL, b->doc, &b->sum), CB_OK);
}

static void unbuild(built_t *b)
{
    cb_report_summary_free(&b->sum);
    cb_doc_free(b->doc);
    cb_table_free(&b->t);
    unlink(b->path);
    free(b->path);
}

static const cb_report_sum_row_t *find(const cb_report_summary_t *s, const char *section,
                                       const char *metric, int nodes, double bytes,
                                       const char *host)
{
    for (size_t i = 0; i < s->n; i++) {
        const cb_report_sum_row_t *r = &s->rows[i];
        if (!strcmp(r->section, section) && (!metric || !strcmp(r->metric, metric)) &&
            (!nodes || r->nodes == nodes) && (isnan(bytes) || r->bytes == bytes) &&
            (!host || (r->host && !strcmp(r->host, host))))
            return r;
    }
    return NULL;
}

static void test_allreduce_beside_baseline(void **state)
{
    (void)state;
    char *csv = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&csv, &len);
    fputs(header(), f);
    /* 1 node: three repeats, median busbw 10; 2 nodes: median of 0.9, 1.0 = 0.95 */
    row(f, "allreduce", "c", 1, "", "", "sum", 1048576, 100, 9, "", NAN, NAN, "ok");
    row(f, "allreduce", "c", 1, "", "", "sum", 1048576, 80, 10, "", NAN, NAN, "ok");
    row(f, "allreduce", "c", 1, "", "", "sum", 1048576, 90, 12, "", NAN, NAN, "ok");
    row(f, "allreduce", "c", 2, "", "", "sum", 1048576, 1000, 0.9, "", NAN, NAN, "ok");
    row(f, "allreduce", "c", 2, "", "", "sum", 1048576, 1200, 1.0, "", NAN, NAN, "ok");
    row(f, "allreduce", "c", 2, "", "", "sum", 4096, 50, 0.1, "", NAN, NAN, "ok"); /* no base */
    row(f, "allreduce", "c", 2, "", "", "sum", 8192, NAN, NAN, "", NAN, NAN, "skipped");
    fclose(f);
    cb_report_opts_t o;
    cb_report_opts_default(&o);
    o.line_rate_gbps = 10;
    built_t b;
    build(&b, csv, &o, NULL);
    const cb_report_sum_row_t *r = find(&b.sum, "allreduce", "busbw_gbps", 2, 1048576, NULL);
    assert_non_null(r);
    assert_double_equal(r->value, 0.95, 1e-12);
    assert_double_equal(r->baseline_value, 10, 1e-12);
    assert_double_equal(r->ratio, 0.095, 1e-12);
    assert_double_equal(r->change_pct, -90.5, 1e-9);
    assert_double_equal(r->line_rate_frac, 0.95 * 8 / 10, 1e-12);
    assert_double_equal(r->goodput_frac, 0.95 * 8 / (10 * 1448.0 / 1538.0), 1e-9);
    assert_int_equal(r->rows, 2);
    assert_int_equal(r->baseline_rows, 3);
    r = find(&b.sum, "allreduce", "time_us", 2, 1048576, NULL);
    assert_non_null(r);
    assert_double_equal(r->value, 1100, 1e-9);
    assert_double_equal(r->baseline_value, 90, 1e-9);
    r = find(&b.sum, "allreduce", "busbw_gbps", 2, 4096, NULL);
    assert_non_null(r);
    assert_true(isnan(r->baseline_value));
    assert_string_equal(r->flag, "no-baseline");
    /* baseline rows are not comparison rows when other node counts exist */
    assert_null(find(&b.sum, "allreduce", "busbw_gbps", 1, NAN, NULL));
    unbuild(&b);
    free(csv);
}

static void test_gpu_spread_and_p2p(void **state)
{
    (void)state;
    char *csv = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&csv, &len);
    fputs(header(), f);
    row(f, "gpu", "c", 3, "n0", "", "gemm", NAN, NAN, NAN, "tflops", 100, 200, "ok");
    row(f, "gpu", "c", 3, "n1", "", "gemm", NAN, NAN, NAN, "tflops", 98, 200, "ok");
    row(f, "gpu", "c", 3, "n2", "", "gemm", NAN, NAN, NAN, "tflops", 80, 200, "ok");
    row(f, "gpu", "c", 3, "n2", "", "gemm", NAN, NAN, NAN, "tflops", 84, 200, "ok");
    row(f, "p2p", "c", 2, "n0", "n1", "bw", 4194304, 4000, 1.0, "", NAN, NAN, "ok");
    row(f, "p2p", "c", 1, "n0", "n0", "bw", 4194304, 400, 10.0, "", NAN, NAN, "ok");
    fclose(f);
    cb_report_opts_t o;
    cb_report_opts_default(&o);
    o.line_rate_gbps = 10;
    built_t b;
    build(&b, csv, &o, NULL);
    const cb_report_sum_row_t *r = find(&b.sum, "gpu", "tflops", 0, NAN, "n2");
    assert_non_null(r);
    assert_double_equal(r->value, 82, 1e-12);       /* median of 80, 84 */
    assert_double_equal(r->efficiency, 0.41, 1e-12); /* value / spec */
    assert_double_equal(r->baseline_value, 99, 1e-12); /* median of its peers */
    assert_string_equal(r->flag, "slow");
    r = find(&b.sum, "gpu", "tflops", 0, NAN, "n1");
    assert_string_equal(r->flag, "ok");
    r = find(&b.sum, "p2p", "bw_gbps", 2, 4194304, "n0");
    assert_non_null(r);
    assert_double_equal(r->baseline_value, 10, 1e-12);
    assert_double_equal(r->line_rate_frac, 0.8, 1e-12);
    assert_string_equal(r->peer, "n1");
    unbuild(&b);
    free(csv);
}

static void test_ddp_sweep_points(void **state)
{
    (void)state;
    char *csv = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&csv, &len);
    fputs(header(), f);
    /* one run, two step times: t1 50 and 200 ms must not be merged */
    row(f, "ddp", "c", 2, "", "", "overlap", 1048576, NAN, NAN, "t1_ms", 50.01, NAN, "ok");
    row(f, "ddp", "c", 2, "", "", "overlap", 1048576, NAN, NAN, "tn_ms", 100, NAN, "ok");
    row(f, "ddp", "c", 2, "", "", "overlap", 1048576, NAN, NAN, "t1_ms", 200.02, NAN, "ok");
    row(f, "ddp", "c", 2, "", "", "overlap", 1048576, NAN, NAN, "tn_ms", 250, NAN, "ok");
    fclose(f);
    cb_report_opts_t o;
    cb_report_opts_default(&o);
    built_t b;
    build(&b, csv, &o, NULL);
    int seen50 = 0, seen200 = 0;
    for (size_t i = 0; i < b.sum.n; i++) {
        const cb_report_sum_row_t *r = &b.sum.rows[i];
        if (strcmp(r->section, "ddp") || strcmp(r->metric, "tn_ms"))
            continue;
        if (fabs(r->value - 100) < 1e-9) {
            seen50 = 1;
            assert_double_equal(r->speedup, 2 * 50.01 / 100, 1e-9);
        }
        if (fabs(r->value - 250) < 1e-9) {
            seen200 = 1;
            assert_double_equal(r->speedup, 2 * 200.02 / 250, 1e-9);
        }
    }
    assert_true(seen50 && seen200);
    unbuild(&b);
    free(csv);
}

static void test_workload(void **state)
{
    (void)state;
    char *path = write_tmp("nodes,thr,step\n1,100,50\n1,110,48\n2,190,55\n4,300,70\n");
    cb_report_workload_t w;
    char err[512];
    assert_int_equal(cb_report_workload_read(path, "nodes", "thr", 0, &w, err, sizeof err),
                     CB_OK);
    assert_int_equal(w.n, 4);
    char *csv = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&csv, &len);
    fputs(header(), f);
    row(f, "topo", "c", 1, "n0", "", "", NAN, NAN, NAN, "cpu_cores", 8, NAN, "ok");
    fclose(f);
    cb_report_opts_t o;
    cb_report_opts_default(&o);
    built_t b;
    build(&b, csv, &o, &w);
    const cb_report_sum_row_t *r = find(&b.sum, "workload", "thr", 4, NAN, NULL);
    assert_non_null(r);
    assert_double_equal(r->baseline_value, 105, 1e-12);
    assert_double_equal(r->speedup, 300 / 105.0, 1e-12);
    assert_double_equal(r->efficiency, 300 / 105.0 / 4, 1e-12);
    unbuild(&b);
    cb_report_workload_free(&w);

    /* step times: speedup = N T1 / T_N */
    assert_int_equal(cb_report_workload_read(path, "nodes", "step", 1, &w, err, sizeof err),
                     CB_OK);
    build(&b, csv, &o, &w);
    r = find(&b.sum, "workload", "step", 2, NAN, NULL);
    assert_non_null(r);
    assert_double_equal(r->speedup, 2 * 49.0 / 55, 1e-12);
    assert_double_equal(r->efficiency, 49.0 / 55, 1e-12);
    unbuild(&b);
    cb_report_workload_free(&w);
    unlink(path);
    free(path);
    free(csv);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* cb_stats_median, which the reporter's aggregator uses, against sorting,
 * with many duplicates. */
static void test_median(void **state)
{
    (void)state;
    unsigned seed = 12345;
    double v[257], w[257];
    for (int iter = 0; iter < 2000; iter++) {
        size_t n = 1 + (size_t)(rand_r(&seed) % 257);
        int range = 1 + rand_r(&seed) % 20;
        for (size_t i = 0; i < n; i++)
            v[i] = w[i] = (double)(rand_r(&seed) % range);
        qsort(w, n, sizeof *w, cmp_d);
        double want = n % 2 ? w[n / 2] : (w[n / 2 - 1] + w[n / 2]) / 2;
        assert_double_equal(cb_stats_median(v, n), want, 0);
    }
    assert_true(isnan(cb_stats_median(v, 0)));
}

static void test_workload_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"", ":1: empty file"},
        {"nodes,thr\n", ":1: no data rows"},
        {"n,thr\n1,2\n", ":1: no column named 'nodes'"},
        {"nodes,thr\n1,2\n2\n", ":3: row has 1 fields, the header 2"},
        {"nodes,thr\n1,2\n1.5,3\n", ":3: nodes '1.5': not a node count"},
        {"nodes,thr\n1,-2\n", ":2: thr '-2': not a number > 0"},
        {"nodes,thr\n1,\"2\n", ":2: CSV syntax error at the end"},
        {"nodes,nodes,thr\n1,1,2\n", ":1: column 'nodes' appears twice"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = write_tmp(cases[i].text);
        cb_report_workload_t w;
        char err[512] = "";
        assert_int_equal(cb_report_workload_read(path, "nodes", "thr", 0, &w, err, sizeof err),
                         CB_ERR_INPUT);
        if (!strstr(err, cases[i].want) || strncmp(err, path, strlen(path)))
            fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].want);
        assert_null(w.nodes);
        unlink(path);
        free(path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allreduce_beside_baseline),
        cmocka_unit_test(test_gpu_spread_and_p2p),
        cmocka_unit_test(test_ddp_sweep_points),
        cmocka_unit_test(test_workload),
        cmocka_unit_test(test_workload_errors),
        cmocka_unit_test(test_median),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
