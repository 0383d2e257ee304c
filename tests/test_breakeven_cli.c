/* test_breakeven_cli: `clusterbench breakeven` run in-process
 * (cb_cli_breakeven) with stdout/stderr captured. Two groups, picked by the
 * first argument: "errors" (bad input -> exit 2 and one line naming the
 * problem) and "golden" (csv/json output compared byte for byte with
 * tests/data/breakeven/golden-*; CB_UPDATE_GOLDEN=1 rewrites them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cb_test.h"

#include "cb_cli.h"

typedef struct run {
    int rc;
    char *out, *err;
} run_t;

static char *slurp(FILE *f)
{
    fflush(f);
    long len = ftell(f);
    assert_true(len >= 0);
    char *buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    rewind(f);
    size_t got = fread(buf, 1, (size_t)len, f);
    buf[got] = '\0';
    return buf;
}

static const char *data_dir(void)
{
    return cb_test_env("CB_TEST_DATA");
}

/* Run `breakeven` with the NULL-terminated args; "@FIX" in an argument is
 * replaced by $CB_TEST_DATA/breakeven. */
static run_t run_cli(const char *first, ...)
{
    char *argv[64];
    char store[64][1024];
    int argc = 0;
    argv[argc++] = "breakeven";
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *)) {
        assert_true(argc < 63);
        const char *at = strstr(a, "@FIX");
        if (at)
            snprintf(store[argc], sizeof store[argc], "%.*s%s/breakeven%s", (int)(at - a), a,
                     data_dir(), at + 4);
        else
            snprintf(store[argc], sizeof store[argc], "%s", a);
        argv[argc] = store[argc];
        argc++;
    }
    va_end(ap);
    argv[argc] = NULL;

    FILE *out = tmpfile(), *err = tmpfile();
    assert_non_null(out);
    assert_non_null(err);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    dup2(fileno(out), 1);
    dup2(fileno(err), 2);
    run_t r;
    r.rc = cb_cli_breakeven(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    fseek(out, 0, SEEK_END);
    fseek(err, 0, SEEK_END);
    r.out = slurp(out);
    r.err = slurp(err);
    fclose(out);
    fclose(err);
    return r;
}

static void run_free(run_t *r)
{
    free(r->out);
    free(r->err);
}

/* Exit 2, nothing on stdout, exactly one line on stderr containing `want`. */
static void expect_error(run_t r, const char *want)
{
    if (r.rc != 2 || !strstr(r.err, want))
        print_error("rc %d, stderr: %s(want '%s')\n", r.rc, r.err, want);
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, want));
    assert_non_null(strstr(r.err, "clusterbench breakeven: "));
    char *nl = strchr(r.err, '\n');
    assert_non_null(nl);
    assert_string_equal(nl + 1, "");
    assert_string_equal(r.out, "");
    run_free(&r);
}

#define FIX "@FIX/allreduce.csv"

static void test_breakeven_cli_bad_numbers(void **state)
{
    (void)state;
    expect_error(run_cli("-r", FIX, "--grad-bytes", "0", NULL), "--grad-bytes '0': must be > 0");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "12Q", NULL), "--grad-bytes '12Q'");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "100M", "--step-ms", "nan", NULL),
                 "--step-ms 'nan': not a finite number");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "100M", "--step-ms", "-3", NULL),
                 "--step-ms '-3': must be > 0");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "100M", "--step-ms", "0", NULL),
                 "--step-ms '0': must be > 0");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "100M", "--bwd-frac", "-0.1", NULL),
                 "--bwd-frac '-0.1': must be in [0, 1]");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "100M", "--bwd-frac", "NaN", NULL),
                 "--bwd-frac 'NaN': not a finite number");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "100M", "--threshold", "1.5", NULL),
                 "--threshold '1.5': must be in (0, 1]");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "100M", "--bucket-mb", "0", NULL),
                 "--bucket-mb '0': must be > 0");
    expect_error(run_cli("-r", FIX, "--params", "-5", NULL), "--params '-5'");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "100M", "--nodes", "2,x", NULL),
                 "'x' is not a node count");
}

static void test_breakeven_cli_bad_usage(void **state)
{
    (void)state;
    expect_error(run_cli("-r", FIX, "--workload", "alexnet", NULL),
                 "--workload 'alexnet': unknown workload");
    expect_error(run_cli("--grad-bytes", "100M", NULL), "no results given");
    expect_error(run_cli("-r", FIX, NULL), "no gradient size");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "1M", "--workload", "gpt2", NULL),
                 "only one of");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "1M", "--grad-dtype", "bf16", NULL),
                 "--grad-dtype applies to --params/--workload");
    expect_error(run_cli("-r", FIX, "--workload", "gpt2", "--grad-dtype", "fp8", NULL),
                 "--grad-dtype 'fp8'");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "1M", "--format", "xml", NULL),
                 "--format 'xml'");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "1M", "--frobnicate", NULL),
                 "unknown option '--frobnicate'");
    expect_error(run_cli("-r", FIX, "--grad-bytes", NULL), "--grad-bytes needs a value");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "1M", "stray", NULL),
                 "unexpected argument 'stray'");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "1M", "--timeline", NULL),
                 "--timeline needs --step-ms");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "1M", "--what-if", NULL),
                 "--what-if needs --step-ms");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "1M", "--what-if-k", "4", NULL),
                 "need --what-if");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "1M", "-s", "5", "--what-if", "--what-if-k",
                         "4,1", NULL),
                 "--what-if-k '4,1': '1' is not a whole k >= 2");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "1M", "-s", "5", "--what-if",
                         "--what-if-links", "4,1", NULL),
                 "'1' is not a link factor");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "1M", "-s", "5", "--what-if",
                         "--what-if-links", "4,0", NULL),
                 "'0' is not a link factor");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "1M", "-s", "5", "--what-if",
                         "--what-if-nodes", "16,8", NULL),
                 "--what-if-nodes '16,8': node counts must ascend");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "1M", "-s", "5", "--what-if",
                         "--what-if-k", "2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2", NULL),
                 "more than 16 values");
    /* 4 nodes measured: 3 is not beyond them */
    expect_error(run_cli("-r", FIX, "--grad-bytes", "1M", "-s", "5", "--what-if",
                         "--what-if-nodes", "3", NULL),
                 "--what-if-nodes: 3 is not above the largest measured node count 4");
}

static void test_breakeven_cli_bad_results(void **state)
{
    (void)state;
    /* No all-reduce rows for the requested N: names N and the file. */
    expect_error(run_cli("-r", FIX, "--grad-bytes", "100M", "--nodes", "2,3", NULL),
                 "no all-reduce rows (benchmark=allreduce, status=ok) for nodes=3 in ");
    expect_error(run_cli("-r", FIX, "--grad-bytes", "100M", "--nodes", "4", "--transport",
                         "mpi", NULL),
                 "for nodes=4 and transport=mpi");
    /* One size only: no fit. */
    expect_error(run_cli("-r", "@FIX/one-size.csv", "--grad-bytes", "100M", "--nodes", "3",
                         NULL),
                 "nodes=3: only 1 measured all-reduce size");
    /* Not our CSV: the reader's file:line. */
    expect_error(run_cli("-r", "@FIX/not-ours.csv", "--grad-bytes", "100M", NULL),
                 "not-ours.csv:1: not a clusterbench results file");
    expect_error(run_cli("-r", "@FIX/no-such-file.csv", "--grad-bytes", "100M", NULL),
                 "no-such-file.csv: No such file or directory");
}

static void test_breakeven_cli_ok(void **state)
{
    (void)state;
    run_t r = run_cli("--help", NULL);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "break-even"));
    assert_non_null(strstr(r.out, "--no-overlap"));
    run_free(&r);
    r = run_cli("--list-workloads", NULL);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "resnet50"));
    assert_non_null(strstr(r.out, "25557032"));
    run_free(&r);
    /* Text: fit line per N, the table, the verdict, the timeline. */
    r = run_cli("-r", FIX, "--workload", "resnet50", "--step-ms", "50", "--timeline", NULL);
    if (r.rc)
        print_error("%s", r.err);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "N=2: alpha "));
    assert_non_null(strstr(r.out, "N=4: alpha "));
    assert_non_null(strstr(r.out, "R^2 "));
    assert_non_null(strstr(r.out, "use DDP"));
    assert_non_null(strstr(r.out, "timeline N=2"));
    run_free(&r);
    /* What if: the levers after the usual table, the inverse answers, the
     * notes for rows not to be trusted. */
    r = run_cli("-r", FIX, "--workload", "resnet50", "--step-ms", "50", "--what-if", NULL);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "N=4: alpha "));
    assert_non_null(strstr(r.out, "what if: T1 = 50 ms"));
    assert_non_null(strstr(r.out, "link x10 + bf16/fp16"));
    assert_non_null(strstr(r.out, "N=32 (ring model)"));
    assert_non_null(strstr(r.out, "to reach 80% efficiency on 4 nodes"));
    assert_non_null(strstr(r.out, "[1] node count not measured"));
    run_free(&r);
    /* A directory: the foreign CSV in it is skipped, N = 3 (one size) is
     * skipped with a warning when node counts are not given. */
    r = run_cli("-r", "@FIX", "--grad-bytes", "100M", "--format", "csv", NULL);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.err, "warning: skipping nodes=3"));
    assert_non_null(strstr(r.out, "\n2,104857600,5,"));
    assert_non_null(strstr(r.out, "\n4,104857600,5,"));
    run_free(&r);
}

/* ---- golden ---- */

static void golden(const char *name, run_t r)
{
    if (r.rc)
        print_error("rc %d: %s", r.rc, r.err);
    assert_int_equal(r.rc, 0);
    char path[4096];
    snprintf(path, sizeof path, "%s/breakeven/%s", data_dir(), name);
    const char *update = getenv("CB_UPDATE_GOLDEN");
    if (update && !strcmp(update, "1")) { /* only =1, as the report test: not "0" or "" */
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(r.out, f);
        fclose(f);
        print_message("updated %s\n", path);
    }
    FILE *f = fopen(path, "r");
    if (!f)
        print_error("%s: missing (CB_UPDATE_GOLDEN=1 writes it)\n", path);
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    char *want = slurp(f);
    fclose(f);
    if (strcmp(r.out, want))
        print_error("output differs from %s:\n--- got\n%s--- want\n%s", path, r.out, want);
    assert_string_equal(r.out, want);
    free(want);
    run_free(&r);
}

static void test_breakeven_golden_step(void **state)
{
    (void)state;
    golden("golden-resnet50-step50.csv",
           run_cli("--results", FIX, "--workload", "resnet50", "--step-ms", "50", "--nodes",
                   "1,2,4", "--format", "csv", NULL));
}

static void test_breakeven_golden_no_step(void **state)
{
    (void)state;
    /* Threshold 1.0 is never reached with overlap: inf. */
    golden("golden-gpt2-bf16.csv",
           run_cli("--results", FIX, "--workload", "gpt2", "--grad-dtype", "bf16", "--threshold",
                   "1", "--format", "csv", NULL));
}

static void test_breakeven_golden_json(void **state)
{
    (void)state;
    golden("golden-100m-no-overlap.json",
           run_cli("--results", FIX, "--grad-bytes", "100M", "--no-overlap", "--step-ms", "2",
                   "--bucket-mb", "50", "--first-bucket-mb", "2", "--format", "json", NULL));
}

static void test_breakeven_golden_whatif(void **state)
{
    (void)state;
    golden("golden-whatif-resnet50-step50.csv",
           run_cli("--results", FIX, "--workload", "resnet50", "--step-ms", "50", "--what-if",
                   "--what-if-k", "2,4", "--what-if-nodes", "8,64", "--format", "csv", NULL));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest errors[] = {
        cmocka_unit_test(test_breakeven_cli_bad_numbers),
        cmocka_unit_test(test_breakeven_cli_bad_usage),
        cmocka_unit_test(test_breakeven_cli_bad_results),
        cmocka_unit_test(test_breakeven_cli_ok),
    };
    const struct CMUnitTest goldens[] = {
        cmocka_unit_test(test_breakeven_golden_step),
        cmocka_unit_test(test_breakeven_golden_no_step),
        cmocka_unit_test(test_breakeven_golden_json),
        cmocka_unit_test(test_breakeven_golden_whatif),
    };
    if (argc > 1 && !strcmp(argv[1], "golden"))
        return cmocka_run_group_tests(goldens, NULL, NULL);
    return cmocka_run_group_tests(errors, NULL, NULL);
}
