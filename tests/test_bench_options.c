/* Unit tests of the benchmark library's pure parts: option parsing and its
 * errors, the size sweep, adaptive iteration counts, dtypes and the data
 * pattern the correctness check relies on. No MPI_Init, no GPU. */
#include <stdio.h>
#include <string.h>

#include "cb_test.h"

#include "cb_bench.h"
#include "cb_error.h"

static int parse(cb_prog_t prog, cb_bench_opts_t *o, char *err, size_t errlen, ...)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)"prog";
    va_list ap;
    va_start(ap, errlen);
    for (char *a; (a = va_arg(ap, char *)) && argc < 31;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    FILE *devnull = fopen("/dev/null", "w");
    int rc = cb_bench_parse_args(prog, argc, argv, o, devnull, err, errlen);
    fclose(devnull);
    return rc;
}

static void test_options_defaults_and_flags(void **state)
{
    (void)state;
    cb_bench_opts_t o;
    char err[256] = "";
    assert_int_equal(parse(CB_PROG_ALLREDUCE, &o, err, sizeof err, NULL), CB_OK);
    assert_true(o.min_bytes == 1024 && o.max_bytes == 64u << 20 && o.step_factor == 2);
    assert_int_equal(o.common.check, 1);
    assert_string_equal(o.common.transport, "auto");
    assert_int_equal(o.placements, CB_PLACE_OUT | CB_PLACE_IN);
    assert_double_equal(o.time_per_size_s, 0.5, 0);

    assert_int_equal(parse(CB_PROG_ALLREDUCE, &o, err, sizeof err, "-b", "1K", "-e", "16M", "-f", "4",
                           "--check", "-d", "float,double", "-t", "mpi", "-p", "out", "-o", "x.csv",
                           "--cluster", "vc", "--time-per-size", "0.1", "--total-time", "30", NULL),
                     CB_OK);
    assert_true(o.min_bytes == 1024 && o.max_bytes == 16u << 20 && o.step_factor == 4);
    assert_int_equal(o.ndtypes, 2);
    assert_int_equal(o.dtypes[0], CB_DT_FLOAT);
    assert_int_equal(o.dtypes[1], CB_DT_DOUBLE);
    assert_string_equal(o.common.transport, "mpi");
    assert_int_equal(o.placements, CB_PLACE_OUT);
    assert_string_equal(o.common.output, "x.csv");
    assert_string_equal(o.common.cluster, "vc");
    assert_double_equal(o.common.total_time_s, 30, 0);
    assert_int_equal(parse(CB_PROG_ALLREDUCE, &o, err, sizeof err, "-c", "0", NULL), CB_OK);
    assert_int_equal(o.common.check, 0);
    assert_int_equal(parse(CB_PROG_ALLREDUCE, &o, err, sizeof err, "--no-check", NULL), CB_OK);
    assert_int_equal(o.common.check, 0);

    assert_int_equal(parse(CB_PROG_P2P, &o, err, sizeof err, "--mode", "latency,bibw", "-W", "16",
                           "--all-pairs", NULL), CB_OK);
    assert_int_equal(o.modes, CB_P2P_LATENCY | CB_P2P_BIBW);
    assert_int_equal(o.window, 16);
    assert_int_equal(o.all_pairs, 1);
    assert_int_equal(o.sequential, 0); /* in rounds unless asked */
    assert_int_equal(o.reference, 0);
    assert_double_equal(o.round_shortfall, 0.20, 1e-12);
    assert_int_equal(o.dtypes[0], CB_DT_UINT8);
    assert_int_equal(o.per_iteration, 0);
    assert_int_equal(parse(CB_PROG_P2P, &o, err, sizeof err, "--per-iteration", NULL), CB_OK);
    assert_int_equal(o.per_iteration, 1);
    assert_int_equal(parse(CB_PROG_ALLREDUCE, &o, err, sizeof err, "--per-iteration", NULL),
                     CB_OK);
    assert_int_equal(o.per_iteration, 1);
    assert_int_equal(parse(CB_PROG_P2P, &o, err, sizeof err, "--all-pairs", "--sequential", NULL),
                     CB_OK);
    assert_int_equal(o.sequential, 1);
    assert_int_equal(parse(CB_PROG_P2P, &o, err, sizeof err, "--reference", "--all-pairs",
                           "--round-shortfall", "35", NULL), CB_OK);
    assert_int_equal(o.reference, 1);
    assert_double_equal(o.round_shortfall, 0.35, 1e-12);
    /* --help returns 1 and prints */
    assert_int_equal(parse(CB_PROG_P2P, &o, err, sizeof err, "--help", NULL), 1);
}

static void test_options_errors(void **state)
{
    (void)state;
    struct { cb_prog_t prog; const char *a, *b; const char *expect; } bad[] = {
        {CB_PROG_ALLREDUCE, "--bogus", NULL, "unknown option '--bogus'"},
        {CB_PROG_ALLREDUCE, "-x", NULL, "unknown option"},
        {CB_PROG_ALLREDUCE, "-b", "1Q", "-b '1Q': not a size"},
        {CB_PROG_ALLREDUCE, "-b", "-1", "-b '-1': not a size"},
        {CB_PROG_ALLREDUCE, "-e", "99999999999999999999", "too large"},
        {CB_PROG_ALLREDUCE, "-e", "32G", "too large"},
        {CB_PROG_ALLREDUCE, "-b", "0", "at least 1 byte"},
        {CB_PROG_ALLREDUCE, "-f", "1", "-f '1'"},
        {CB_PROG_ALLREDUCE, "-d", "int128", "unknown datatype"},
        {CB_PROG_ALLREDUCE, "-t", "carrier-pigeon", "unknown transport"},
        {CB_PROG_ALLREDUCE, "-p", "sideways", "expected out, in or both"},
        {CB_PROG_ALLREDUCE, "-c", "2", "expected 0 or 1"},
        {CB_PROG_ALLREDUCE, "--time-per-size", "nan", "expected seconds"},
        {CB_PROG_ALLREDUCE, "--total-time", "-5", "expected seconds"},
        {CB_PROG_ALLREDUCE, "-n", "0", "-n '0'"},
        {CB_PROG_ALLREDUCE, "-b", NULL, "missing value"},
        {CB_PROG_ALLREDUCE, "stray", NULL, "unexpected argument 'stray'"},
        {CB_PROG_ALLREDUCE, "--all-pairs", NULL, "cb-p2p only"},
        {CB_PROG_P2P, "-d", "float", "no datatype"},
        {CB_PROG_P2P, "--mode", "fast", "expected latency, bw, bibw"},
        {CB_PROG_P2P, "-W", "0", "--window '0'"},
        {CB_PROG_P2P, "--sequential", NULL, "--sequential applies to --all-pairs only"},
        {CB_PROG_P2P, "--reference", NULL, "--reference applies to --all-pairs only"},
        {CB_PROG_ALLREDUCE, "--sequential", NULL, "cb-p2p only"},
        {CB_PROG_P2P, "--round-shortfall", "120", "expected a percentage"},
        {CB_PROG_P2P, "-i", "1", "more than 128 sizes"},
        {CB_PROG_ALLREDUCE, "-o", "", "empty"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cb_bench_opts_t o;
        char err[256] = "";
        int rc = bad[i].b ? parse(bad[i].prog, &o, err, sizeof err, bad[i].a, bad[i].b, NULL)
                          : parse(bad[i].prog, &o, err, sizeof err, bad[i].a, NULL);
        if (rc != CB_ERR_USAGE || !strstr(err, bad[i].expect))
            print_error("case %zu (%s %s): rc %d, err '%s', expected '%s'\n", i, bad[i].a,
                        bad[i].b ? bad[i].b : "", rc, err, bad[i].expect);
        assert_int_equal(rc, CB_ERR_USAGE);
        assert_non_null(strstr(err, bad[i].expect));
    }
    cb_bench_opts_t o;
    char err[256];
    assert_int_equal(parse(CB_PROG_ALLREDUCE, &o, err, sizeof err, "-b", "1M", "-e", "1K", NULL),
                     CB_ERR_USAGE);
    assert_non_null(strstr(err, "-b (1048576 bytes) is larger than -e (1024 bytes)"));
    assert_int_equal(parse(CB_PROG_ALLREDUCE, &o, err, sizeof err, "--min-iters", "50", "-n", "10", NULL),
                     CB_ERR_USAGE);
    assert_int_equal(parse(CB_PROG_P2P, &o, err, sizeof err, "--all-pairs", "--sequential",
                           "--reference", NULL), CB_ERR_USAGE);
    assert_non_null(strstr(err, "not with --sequential"));
    assert_int_equal(parse(CB_PROG_P2P, &o, err, sizeof err, "--all-pairs", "--reference", "-m",
                           "latency", NULL), CB_ERR_USAGE);
    assert_non_null(strstr(err, "--mode needs bw"));
    /* the sizes' limit: 128 exactly is fine, 129 is refused naming it */
    assert_int_equal(parse(CB_PROG_ALLREDUCE, &o, err, sizeof err, "-b", "1", "-e", "128", "-i",
                           "1", NULL), CB_OK);
    assert_int_equal(parse(CB_PROG_ALLREDUCE, &o, err, sizeof err, "-b", "1", "-e", "129", "-i",
                           "1", NULL), CB_ERR_USAGE);
    assert_non_null(strstr(err, "more than 128 sizes"));
}

static void test_options_sizes_and_iters(void **state)
{
    (void)state;
    cb_bench_opts_t o;
    cb_bench_opts_default(CB_PROG_ALLREDUCE, &o);
    o.min_bytes = 1024;
    o.max_bytes = 16u << 20;
    o.step_factor = 4;
    uint64_t s[64];
    size_t n = cb_bench_sizes(&o, s, 64);
    assert_int_equal(n, 8); /* 1K 4K 16K 64K 256K 1M 4M 16M */
    assert_true(s[0] == 1024 && s[7] == 16u << 20);
    o.step_bytes = 1000;
    o.min_bytes = 1;
    o.max_bytes = 3001;
    n = cb_bench_sizes(&o, s, 64);
    assert_int_equal(n, 4);
    assert_true(s[3] == 3001);
    n = cb_bench_sizes(&o, s, 2); /* capped by the array */
    assert_int_equal(n, 2);

    assert_int_equal(cb_bench_iters_for_budget(1000, 0.5, 5, 1000), 500);
    assert_int_equal(cb_bench_iters_for_budget(10, 0.5, 5, 1000), 1000);   /* max */
    assert_int_equal(cb_bench_iters_for_budget(1e7, 0.5, 5, 1000), 5);     /* min */
    assert_int_equal(cb_bench_iters_for_budget(0, 0.5, 5, 1000), 1000);
    assert_int_equal(cb_bench_iters_for_budget(1e6, 0.125, 0, 4), 0);       /* warm-up extra */
}

/* Batches of the timed loop: each lasts at least the target, they divide
 * the iterations, and never fewer than --min-iters in all. */
static void test_bench_batching(void **state)
{
    (void)state;
    int b = 0, n = 0;
    cb_bench_batching(0.4, 10000, 5, 50, &b, &n); /* 8 B shared-memory ping-pong */
    assert_int_equal(b, 125);
    assert_int_equal(n, 80);
    cb_bench_batching(0.3, 10000, 5, 50, &b, &n); /* ceil: a batch lasts >= 50 us */
    assert_int_equal(b, 167);
    assert_int_equal(n, 59);
    assert_true(b * 0.3 >= 50 && (b - 1) * 0.3 < 50);
    assert_true(b * n <= 10000 && b * n > 10000 - b);
    cb_bench_batching(500, 1000, 5, 50, &b, &n); /* slower than the target: one each */
    assert_int_equal(b, 1);
    assert_int_equal(n, 1000);
    cb_bench_batching(1, 20, 5, 50, &b, &n); /* fewer iterations than a batch */
    assert_int_equal(b, 20);
    assert_int_equal(n, 1);
    cb_bench_batching(10, 7, 7, 50, &b, &n); /* b = 5: 1 batch is < --min-iters */
    assert_int_equal(b, 5);
    assert_int_equal(n, 2);
    assert_true(b * n >= 7);
    cb_bench_batching(0, 100, 5, 50, &b, &n); /* unknown time: one each */
    assert_int_equal(b, 1);
    assert_int_equal(n, 100);
    cb_bench_batching(3, 100, 5, 0, &b, &n); /* no target */
    assert_int_equal(b, 1);
    assert_int_equal(n, 100);
}

static void test_options_p2p_window(void **state)
{
    (void)state;
    assert_int_equal(cb_p2p_window(64, 1), 64);
    assert_int_equal(cb_p2p_window(64, 1u << 20), 64);  /* 64 MiB in flight */
    assert_int_equal(cb_p2p_window(64, 2u << 20), 32);
    assert_int_equal(cb_p2p_window(64, 16u << 20), 4);
    assert_int_equal(cb_p2p_window(64, 1u << 30), 1);   /* never below one */
    assert_int_equal(cb_p2p_window(8, 1u << 20), 8);
}

static void test_options_dtypes_and_pattern(void **state)
{
    (void)state;
    cb_dtype_t dt;
    assert_int_equal(cb_dtype_parse("bf16", &dt), CB_OK);
    assert_int_equal(dt, CB_DT_BF16);
    assert_int_equal(cb_dtype_parse("fp16", &dt), CB_OK);
    assert_int_equal(dt, CB_DT_HALF);
    assert_int_equal(cb_dtype_parse("uint8", &dt), CB_ERR_USAGE); /* internal only */
    assert_int_equal(cb_dtype_size(CB_DT_DOUBLE), 8);
    assert_string_equal(cb_dtype_name(CB_DT_BF16), "bfloat16");
    /* pattern values are 0..4, and the expected sum is the sum of them */
    for (size_t i = 0; i < 50; i++) {
        int s = 0;
        for (int r = 0; r < 8; r++) {
            int v = cb_pattern_value(i, r, 1);
            assert_true(v >= 0 && v <= 4);
            s += v;
        }
        assert_int_equal(cb_pattern_sum(i, 8, 1), s);
    }
    /* a shift by one element changes the pattern (so a misplaced copy shows) */
    int differ = 0;
    for (size_t i = 0; i < 10; i++)
        differ += cb_pattern_value(i, 0, 0) != cb_pattern_value(i + 1, 0, 0);
    assert_int_equal(differ, 10);
}

static void test_options_transport_select(void **state)
{
    (void)state;
    const cb_transport_ops_t *tp = NULL;
    char why[256];
    assert_int_equal(cb_transport_select("mpi", &tp, why, sizeof why), CB_OK);
    assert_string_equal(tp->name, "mpi");
    assert_int_equal(cb_transport_select("bogus", &tp, why, sizeof why), CB_ERR_USAGE);
    char reason[256];
    if (cb_cuda_device_count(reason, sizeof reason) == 0) {
        /* this machine: auto falls back to MPI and says why */
        assert_int_equal(cb_transport_select("auto", &tp, why, sizeof why), CB_OK);
        assert_string_equal(tp->name, "mpi");
        assert_non_null(strstr(why, "picked by auto"));
        assert_true(cb_transport_select("nccl", &tp, why, sizeof why) < 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_defaults_and_flags),
        cmocka_unit_test(test_options_errors),
        cmocka_unit_test(test_options_sizes_and_iters),
        cmocka_unit_test(test_bench_batching),
        cmocka_unit_test(test_options_p2p_window),
        cmocka_unit_test(test_options_dtypes_and_pattern),
        cmocka_unit_test(test_options_transport_select),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
