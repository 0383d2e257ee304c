/* Unit tests of the shared flags of every benchmark program (bench/prog_opts.c,
 * cb_prog_parse): one spelling and one message for each across cb-allreduce,
 * cb-p2p, cb-ddp, cb-gpu and cb-preflight, the old spelling --warmup_iters
 * kept as an alias, a program's own short option winning over a shared one
 * (cb-ddp's -w is --workload), and flags a program does not take refused.
 * No MPI_Init. */
#include <stdio.h>
#include <string.h>

#include "cb_test.h"

#include "cb_bench.h"
#include "cb_error.h"
#include "cb_gpu.h"
#include "ddp_bench.h"
#include "preflight.h"

enum { ALLREDUCE, P2P, DDP, GPU, PREFLIGHT };

/* Parse argv (NULL-terminated, without the program name) as program `prog`;
 * c gets the shared flags its options hold. */
static int parse(int prog, cb_prog_opts_t *c, char *err, size_t errlen, const char **args)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)"prog";
    for (; *args && argc < 31; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    FILE *devnull = fopen("/dev/null", "w");
    assert_non_null(devnull);
    static cb_bench_opts_t bo;
    static cb_ddp_bench_opts_t dopt;
    static cb_gpu_opts_t go;
    static cb_preflight_opts_t po;
    int rc = CB_ERR_INTERNAL;
    err[0] = '\0';
    switch (prog) {
    case ALLREDUCE:
    case P2P:
        rc = cb_bench_parse_args(prog == P2P ? CB_PROG_P2P : CB_PROG_ALLREDUCE, argc, argv, &bo,
                                 devnull, err, errlen);
        *c = bo.common;
        break;
    case DDP:
        rc = cb_ddp_bench_parse_args(argc, argv, &dopt, devnull, err, errlen);
        *c = dopt.common;
        break;
    case GPU:
        rc = cb_gpu_parse_args(argc, argv, &go, devnull, err, errlen);
        *c = go.common;
        break;
    case PREFLIGHT:
        rc = cb_preflight_parse_args(argc, argv, &po, devnull, err, errlen);
        *c = po.common;
        break;
    }
    fclose(devnull);
    return rc;
}

#define ARGS(...) ((const char *[]){__VA_ARGS__, NULL})

static void test_prog_shared_flags_everywhere(void **state)
{
    (void)state;
    cb_prog_opts_t c;
    char err[256];
    /* -o, --cluster, -q and --timeout: every program, one meaning. */
    for (int p = ALLREDUCE; p <= PREFLIGHT; p++) {
        assert_int_equal(parse(p, &c, err, sizeof err,
                               ARGS("-o", "x.csv", "--cluster", "vc", "-q", "--timeout", "7")),
                         CB_OK);
        assert_string_equal(c.output, "x.csv");
        assert_string_equal(c.cluster, "vc");
        assert_int_equal(c.quiet, 1);
        assert_double_equal(c.timeout_s, 7, 0);
        assert_int_equal(parse(p, &c, err, sizeof err, ARGS("--output=y.csv")), CB_OK);
        assert_string_equal(c.output, "y.csv");
        /* the same messages */
        assert_int_equal(parse(p, &c, err, sizeof err, ARGS("--timeout", "soon")), CB_ERR_USAGE);
        assert_string_equal(err, "--timeout 'soon': expected seconds, 0 to 604800");
        assert_int_equal(parse(p, &c, err, sizeof err, ARGS("-o", "")), CB_ERR_USAGE);
        assert_string_equal(err, "-o: empty or too long path");
        assert_int_equal(parse(p, &c, err, sizeof err, ARGS("--cluster")), CB_ERR_USAGE);
        assert_string_equal(err, "--cluster: missing value");
        assert_int_equal(parse(p, &c, err, sizeof err, ARGS("--bogus")), CB_ERR_USAGE);
        assert_string_equal(err, "unknown option '--bogus'");
        assert_int_equal(parse(p, &c, err, sizeof err, ARGS("-h")), 1);
    }
}

static void test_prog_warmup_spellings(void **state)
{
    (void)state;
    cb_prog_opts_t c;
    char err[256];
    /* --warmup everywhere it applies; --warmup_iters (the old spelling of
     * cb-allreduce, cb-p2p and cb-gpu) and -w where -w is free. */
    for (int p = ALLREDUCE; p <= GPU; p++) {
        assert_int_equal(parse(p, &c, err, sizeof err, ARGS("--warmup", "3")), CB_OK);
        assert_int_equal(c.warmup_iters, 3);
        assert_int_equal(parse(p, &c, err, sizeof err, ARGS("--warmup_iters", "4")), CB_OK);
        assert_int_equal(c.warmup_iters, 4);
        assert_int_equal(parse(p, &c, err, sizeof err, ARGS("--warmup", "x")), CB_ERR_USAGE);
        assert_non_null(strstr(err, "--warmup 'x': expected an integer in ["));
    }
    assert_int_equal(parse(ALLREDUCE, &c, err, sizeof err, ARGS("-w", "2")), CB_OK);
    assert_int_equal(c.warmup_iters, 2);
    assert_int_equal(parse(GPU, &c, err, sizeof err, ARGS("-w", "0")), CB_OK);
    assert_int_equal(c.warmup_iters, 0);
    /* cb-allreduce warms up at least once; cb-ddp may skip warm-up steps */
    assert_int_equal(parse(ALLREDUCE, &c, err, sizeof err, ARGS("--warmup", "0")), CB_ERR_USAGE);
    assert_int_equal(parse(DDP, &c, err, sizeof err, ARGS("--warmup", "0")), CB_OK);
    assert_int_equal(c.warmup_iters, 0);
    /* cb-ddp's -w is its own --workload */
    assert_int_equal(parse(DDP, &c, err, sizeof err, ARGS("-w", "resnet50")), CB_OK);
    assert_int_equal(c.warmup_iters, 1); /* its default, untouched */
    assert_int_equal(parse(DDP, &c, err, sizeof err, ARGS("-w", "3")), CB_ERR_USAGE);
    assert_non_null(strstr(err, "unknown workload"));
    /* cb-preflight has nothing to warm up */
    assert_int_equal(parse(PREFLIGHT, &c, err, sizeof err, ARGS("--warmup", "3")), CB_ERR_USAGE);
    assert_string_equal(err, "unknown option '--warmup'");
}

static void test_prog_flags_a_program_does_not_take(void **state)
{
    (void)state;
    cb_prog_opts_t c;
    char err[256];
    /* transport and total budget: the benchmarks of the network */
    for (int p = ALLREDUCE; p <= DDP; p++) {
        assert_int_equal(parse(p, &c, err, sizeof err, ARGS("-t", "mpi", "--total-time", "9")),
                         CB_OK);
        assert_string_equal(c.transport, "mpi");
        assert_double_equal(c.total_time_s, 9, 0);
        assert_int_equal(parse(p, &c, err, sizeof err, ARGS("-t", "smoke")), CB_ERR_USAGE);
        assert_string_equal(err, "-t 'smoke': unknown transport (auto, mpi, nccl)");
    }
    assert_int_equal(parse(GPU, &c, err, sizeof err, ARGS("-t", "mpi")), CB_ERR_USAGE);
    assert_string_equal(err, "unknown option '-t'");
    assert_int_equal(parse(PREFLIGHT, &c, err, sizeof err, ARGS("--total-time", "5")),
                     CB_ERR_USAGE);
    assert_string_equal(err, "unknown option '--total-time'");
    /* checking the data: the programs that check data */
    for (int p = ALLREDUCE; p <= GPU; p++) {
        if (p == DDP)
            continue;
        assert_int_equal(parse(p, &c, err, sizeof err, ARGS("-q")), CB_OK);
        assert_int_equal(c.check, 1);
        assert_int_equal(parse(p, &c, err, sizeof err, ARGS("-c", "0")), CB_OK);
        assert_int_equal(c.check, 0);
        assert_int_equal(parse(p, &c, err, sizeof err, ARGS("--no-check", "--check")), CB_OK);
        assert_int_equal(c.check, 1);
        assert_int_equal(parse(p, &c, err, sizeof err, ARGS("--check=2")), CB_ERR_USAGE);
        assert_string_equal(err, "--check '2': expected 0 or 1");
    }
    assert_int_equal(parse(DDP, &c, err, sizeof err, ARGS("--no-check")), CB_ERR_USAGE);
    assert_int_equal(parse(PREFLIGHT, &c, err, sizeof err, ARGS("-c", "0")), CB_ERR_USAGE);
    /* defaults: results dir and transport */
    assert_int_equal(parse(PREFLIGHT, &c, err, sizeof err, ARGS("--results-dir", "/tmp/r")), CB_OK);
    assert_string_equal(c.results_dir, "/tmp/r");
    assert_int_equal(parse(GPU, &c, err, sizeof err, ARGS("-q")), CB_OK);
    assert_string_equal(c.results_dir, "results");
    assert_string_equal(c.transport, "auto");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prog_shared_flags_everywhere),
        cmocka_unit_test(test_prog_warmup_spellings),
        cmocka_unit_test(test_prog_flags_a_program_does_not_take),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
