/* test_ddp_bench_options: cb-ddp's command line (bench/ddp_options.c):
 * defaults, the three ways to give G, step-time lists, and one-line errors
 * for bad input. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cb_test.h"

#include "cb_error.h"
#include "ddp_bench.h"

#define MiB ((uint64_t)1 << 20)

static int parse(cb_ddp_bench_opts_t *o, char *err, size_t errlen, int argc, char **argv)
{
    FILE *devnull = fopen("/dev/null", "w");
    int rc = cb_ddp_bench_parse_args(argc, argv, o, devnull, err, errlen);
    fclose(devnull);
    return rc;
}

#define PARSE(o, err, ...)                                                       \
    ({                                                                           \
        char *argv_[] = {"cb-ddp", __VA_ARGS__, NULL};                           \
        parse((o), (err), sizeof(err), (int)(sizeof argv_ / sizeof *argv_) - 1, argv_); \
    })

static void test_ddp_bench_options_defaults(void **state)
{
    (void)state;
    cb_ddp_bench_opts_t o;
    char err[256] = "";
    char *argv[] = {"cb-ddp", NULL};
    assert_int_equal(parse(&o, err, sizeof err, 1, argv), CB_OK);
    assert_int_equal(o.grad_bytes, 100 * MiB);
    assert_int_equal(o.nsteps, 1);
    assert_int_equal(o.iters, 5);
    assert_int_equal(o.common.warmup_iters, 1);
    assert_int_equal(o.overlap, 1);
    assert_int_equal(o.bucket_bytes, 25 * MiB);
    assert_int_equal(o.first_bucket_bytes, MiB);
    assert_double_equal(o.bwd_frac, 2.0 / 3.0, 1e-12);
    assert_int_equal(o.grad_dtype, CB_DT_FLOAT);
    assert_string_equal(o.common.transport, "auto");
    assert_int_equal(o.sweep, 0);
    assert_int_equal(o.realtime, 1);
    assert_int_equal(o.accumulate, 1);
    char *acc[] = {"cb-ddp", "--accumulate", "4", "-s", "400,1000", NULL};
    assert_int_equal(parse(&o, err, sizeof err, 5, acc), CB_OK);
    assert_int_equal(o.accumulate, 4);
    assert_int_equal(o.nsteps, 2);
}

static void test_ddp_bench_options_good(void **state)
{
    (void)state;
    cb_ddp_bench_opts_t o;
    char err[256] = "";
    assert_int_equal(PARSE(&o, err, "--grad-bytes", "8M", "--step-ms", "50,200,800", "-n", "3",
                           "--no-overlap", "--bucket-mb", "4", "--first-bucket-mb", "0.5",
                           "--bwd-frac", "0.5", "-t", "mpi", "-o", "x.csv", "--sweep-range",
                           "10,100", "--allreduce-csv", "ar.csv", "-q"),
                     CB_OK);
    assert_int_equal(o.grad_bytes, 8 * MiB);
    assert_int_equal(o.nsteps, 3);
    assert_double_equal(o.step_ms[0], 50, 0);
    assert_double_equal(o.step_ms[2], 800, 0);
    assert_int_equal(o.iters, 3);
    assert_int_equal(o.overlap, 0);
    assert_int_equal(o.bucket_bytes, 4 * MiB);
    assert_int_equal(o.first_bucket_bytes, MiB / 2);
    assert_double_equal(o.bwd_frac, 0.5, 0);
    assert_string_equal(o.common.transport, "mpi");
    assert_string_equal(o.common.output, "x.csv");
    assert_string_equal(o.allreduce_csv, "ar.csv");
    assert_int_equal(o.sweep, 1);
    assert_double_equal(o.sweep_lo_ms, 10, 0);
    assert_double_equal(o.sweep_hi_ms, 100, 0);
    assert_int_equal(o.common.quiet, 1);
    cb_ddp_config_t cfg;
    cb_ddp_bench_config(&o, &cfg);
    assert_int_equal(cfg.grad_bytes, 8 * MiB);
    assert_int_equal(cfg.overlap, 0);
    assert_int_equal(cb_ddp_bucket_count(&cfg), 3); /* 0.5 + 4 + 3.5 MiB */

    assert_int_equal(PARSE(&o, err, "--params", "110M", "--grad-dtype", "bf16"), CB_OK);
    assert_int_equal(o.grad_bytes, 220000000);
    assert_int_equal(o.grad_dtype, CB_DT_BF16);
    assert_int_equal(PARSE(&o, err, "--workload", "resnet50"), CB_OK);
    assert_int_equal(o.grad_bytes % 4, 0);
    assert_true(o.grad_bytes > 90000000 && o.grad_bytes < 110000000);
    assert_int_equal(PARSE(&o, err, "-w", "ResNet-50", "--grad-dtype", "fp16"), CB_OK);
    assert_int_equal(o.grad_dtype, CB_DT_HALF);
    /* --sweep alone: no list, only the search; with --step-ms both. */
    assert_int_equal(PARSE(&o, err, "--sweep"), CB_OK);
    assert_int_equal(o.nsteps, 0);
    assert_int_equal(o.sweep, 1);
    assert_int_equal(PARSE(&o, err, "--sweep", "-s", "50"), CB_OK);
    assert_int_equal(o.nsteps, 1);
    /* Duplicates in the list are measured once. */
    assert_int_equal(PARSE(&o, err, "-s", "20,20,5"), CB_OK);
    assert_int_equal(o.nsteps, 2);
}

static void expect_bad(const char *want, int argc, char **argv)
{
    cb_ddp_bench_opts_t o;
    char err[256] = "";
    int rc = parse(&o, err, sizeof err, argc, argv);
    if (rc != CB_ERR_USAGE || !strstr(err, want) || strchr(err, '\n')) {
        print_error("%s ...: rc %d, err '%s', want '%s'\n", argv[1], rc, err, want);
        fail();
    }
}

#define BAD(want, ...)                                                   \
    do {                                                                 \
        char *argv_[] = {"cb-ddp", __VA_ARGS__, NULL};                   \
        expect_bad((want), (int)(sizeof argv_ / sizeof *argv_) - 1, argv_); \
    } while (0)

static void test_ddp_bench_options_bad(void **state)
{
    (void)state;
    BAD("must be > 0", "--grad-bytes", "0");
    BAD("not a size", "--grad-bytes", "12Q");
    BAD("too large", "--grad-bytes", "1T");
    BAD("must be > 0", "--step-ms", "-5");
    BAD("must be > 0", "--step-ms", "0");
    BAD("not a finite number", "--step-ms", "nan");
    BAD("not a finite number", "--step-ms", "inf");
    BAD("not a finite number", "--step-ms", "50,abc");
    BAD("empty value", "--step-ms", "50,,200");
    BAD("empty value", "--step-ms", "50,");
    BAD("out of range", "--step-ms", "1e9");
    BAD("unknown workload", "--workload", "gpt-17");
    BAD("unknown (fp32, bf16, fp16)", "--grad-dtype", "fp8");
    BAD("give one of", "--grad-bytes", "8M", "--params", "1M");
    BAD("must be in [0, 1]", "--bwd-frac", "1.5");
    BAD("not a finite number", "--bwd-frac", "nan");
    BAD("must be > 0", "--bucket-mb", "0");
    BAD("must be >= 1", "--params", "0");
    BAD("expected an integer", "--iters", "0");
    BAD("unknown transport", "-t", "ib");
    BAD("HI must be larger", "--sweep-range", "100,10");
    BAD("expected LO,HI", "--sweep-range", "100");
    BAD("must be in (0, 1]", "--threshold", "0");
    BAD("missing value", "--step-ms");
    BAD("unknown option", "--frobnicate");
    BAD("unexpected argument", "stray");
    BAD("expected an integer", "--accumulate", "0");
    BAD("expected an integer", "--accumulate", "2.5");
    BAD("the break-even search measures k = 1 only", "--accumulate", "4", "--sweep");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddp_bench_options_defaults),
        cmocka_unit_test(test_ddp_bench_options_good),
        cmocka_unit_test(test_ddp_bench_options_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
