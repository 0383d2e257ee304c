/* test_ddp_bench_plan: cb-ddp's pure helpers (bench/ddp_plan.c): the step
 * schedule (chunk waits per bucket against the model's ready times), the
 * bucket sizes it measures, the all-reduce curve chosen from result rows,
 * the reduction of per-rank step times and the break-even bisection. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_test.h"

#include "cb_ddp.h"
#include "cb_error.h"
#include "cb_results.h"
#include "ddp_bench.h"

#define MiB ((uint64_t)1 << 20)

static void test_ddp_bench_schedule_100mib(void **state)
{
    (void)state;
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, 100 * MiB);
    cfg.bwd_frac = 0.75;
    cb_ddp_bench_sched_t s;
    /* T1 = 400 us: fwd 100, bwd 300 = 3 us per MiB of gradients. Buckets
     * 1, 25, 25, 25, 24 MiB -> chunks 3, 75, 75, 75, 72 us. */
    assert_int_equal(cb_ddp_bench_schedule(&cfg, 400, 4, &s), CB_OK);
    assert_int_equal(s.nbuckets, 5);
    assert_double_equal(s.fwd_us, 100, 1e-9);
    const double chunk[] = {3, 75, 75, 75, 72};
    const double ready[] = {103, 178, 253, 328, 400};
    double sum = s.fwd_us;
    for (size_t k = 0; k < 5; k++) {
        assert_double_equal(s.chunk_us[k], chunk[k], 1e-9);
        assert_double_equal(s.ready_us[k], ready[k], 1e-9);
        sum += s.chunk_us[k];
        assert_int_equal(s.count[k], s.bytes[k] / 4);
        assert_int_equal(s.offset[k] % 256, 0);
        if (k)
            assert_true(s.offset[k] >= s.offset[k - 1] + s.bytes[k - 1]);
    }
    assert_double_equal(sum, 400, 1e-9);
    assert_true(s.buffer_bytes >= 100 * MiB);
    /* Same ready times as the model's timeline. */
    cb_ddp_timeline_t tl;
    assert_int_equal(cb_ddp_step_time(&cfg, NULL, 1, 400, &tl), CB_OK);
    for (size_t k = 0; k < 5; k++)
        assert_double_equal(s.ready_us[k], tl.buckets[k].ready_us, 1e-9);
    cb_ddp_timeline_free(&tl);
    cb_ddp_bench_schedule_free(&s);
    cb_ddp_bench_schedule_free(&s); /* twice is fine */
    cb_ddp_bench_schedule_free(NULL);
}

/* Accumulation over k micro-steps: k-1 micro-steps of compute without
 * communication before the schedule's step, whose ready times are the
 * model's of the last micro-step shifted by (k-1)·T1; T_N(k) of the what-if
 * is (k-1)·T1 + T_N(T1) against k·T1. */
static void test_ddp_bench_schedule_accumulate(void **state)
{
    (void)state;
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, 100 * MiB);
    cfg.bwd_frac = 0.75;
    cb_ddp_bench_sched_t s, one;
    assert_int_equal(cb_ddp_bench_schedule(&cfg, 400, 4, &one), CB_OK);
    assert_int_equal(one.accumulate, 1);
    assert_double_equal(one.micro_us, 400, 0);
    assert_int_equal(cb_ddp_bench_schedule(&cfg, 400, 4, &s), CB_OK);
    assert_int_equal(cb_ddp_bench_schedule_accumulate(&s, 4), CB_OK);
    assert_int_equal(s.accumulate, 4);
    assert_double_equal(s.micro_us, 400, 0);
    assert_double_equal(s.step_us, 1600, 1e-9);
    assert_double_equal(s.fwd_us, 1200 + 100, 1e-9); /* 3 micro-steps, then forward */
    double sum = s.fwd_us;
    for (size_t k = 0; k < s.nbuckets; k++) {
        assert_double_equal(s.ready_us[k], one.ready_us[k] + 1200, 1e-9);
        assert_double_equal(s.chunk_us[k], one.chunk_us[k], 0);
        assert_int_equal(s.bytes[k], one.bytes[k]);
        sum += s.chunk_us[k];
    }
    assert_double_equal(sum, 1600, 1e-9); /* backward ends at k·T1 */
    assert_double_equal(s.ready_us[s.nbuckets - 1], s.step_us, 1e-9);
    /* Against the model: no communication, T_N(k) = k·T1 exactly; the last
     * micro-step's ready times are the shifted ones. */
    cb_ddp_accum_t a;
    cb_ddp_timeline_t tl;
    assert_int_equal(cb_ddp_accum_step(&cfg, NULL, 1, 400, 4, &a, &tl), CB_OK);
    assert_double_equal(a.step_us, s.step_us, 1e-9);
    for (size_t k = 0; k < s.nbuckets; k++)
        assert_double_equal(s.ready_us[k] - (s.accumulate - 1) * s.micro_us,
                            tl.buckets[k].ready_us, 1e-9);
    cb_ddp_timeline_free(&tl);
    /* Once only; k >= 1; k = 1 changes nothing. */
    assert_int_equal(cb_ddp_bench_schedule_accumulate(&s, 2), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_bench_schedule_accumulate(&one, 0), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_bench_schedule_accumulate(NULL, 2), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_bench_schedule_accumulate(&one, 1), CB_OK);
    assert_double_equal(one.step_us, 400, 0);
    assert_double_equal(one.fwd_us, 100, 1e-9);
    cb_ddp_bench_schedule_free(&s);
    cb_ddp_bench_schedule_free(&one);
}

static void test_ddp_bench_schedule_odd_sizes(void **state)
{
    (void)state;
    cb_ddp_config_t cfg;
    /* 1 MiB + 3 bytes, bf16: last bucket 3 bytes -> 2 elements; offsets aligned. */
    cb_ddp_config_default(&cfg, MiB + 3);
    cb_ddp_bench_sched_t s;
    assert_int_equal(cb_ddp_bench_schedule(&cfg, 1000, 2, &s), CB_OK);
    assert_int_equal(s.nbuckets, 2);
    assert_int_equal(s.count[0], MiB / 2);
    assert_int_equal(s.count[1], 2);
    assert_int_equal(s.offset[1], MiB);
    assert_int_equal(s.buffer_bytes, MiB + 256);
    assert_double_equal(s.ready_us[1], 1000, 0);
    cb_ddp_bench_schedule_free(&s);
    /* No backward: every chunk is 0, all buckets ready at T1. */
    cb_ddp_config_default(&cfg, 60 * MiB);
    cfg.bwd_frac = 0;
    assert_int_equal(cb_ddp_bench_schedule(&cfg, 50, 4, &s), CB_OK);
    assert_double_equal(s.fwd_us, 50, 0);
    for (size_t k = 0; k < s.nbuckets; k++) {
        assert_double_equal(s.chunk_us[k], 0, 1e-12);
        assert_double_equal(s.ready_us[k], 50, 1e-12);
    }
    cb_ddp_bench_schedule_free(&s);
    /* Bad input. */
    assert_int_equal(cb_ddp_bench_schedule(&cfg, 0, 4, &s), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_bench_schedule(&cfg, NAN, 4, &s), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_bench_schedule(&cfg, -1, 4, &s), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_bench_schedule(&cfg, 10, 0, &s), CB_ERR_USAGE);
    cfg.grad_bytes = 0;
    assert_int_equal(cb_ddp_bench_schedule(&cfg, 10, 4, &s), CB_ERR_USAGE);
    assert_null(s.bytes);
}

static void test_ddp_bench_probe_sizes(void **state)
{
    (void)state;
    cb_ddp_config_t cfg;
    uint64_t *z;
    size_t n;
    cb_ddp_config_default(&cfg, 100 * MiB); /* 1, 25, 25, 25, 24 */
    assert_int_equal(cb_ddp_bench_probe_sizes(&cfg, 4, &z, &n), CB_OK);
    assert_int_equal(n, 3);
    assert_int_equal(z[0], MiB);
    assert_int_equal(z[1], 24 * MiB);
    assert_int_equal(z[2], 25 * MiB);
    free(z);
    cb_ddp_config_default(&cfg, MiB); /* one bucket: a second size is added */
    assert_int_equal(cb_ddp_bench_probe_sizes(&cfg, 4, &z, &n), CB_OK);
    assert_int_equal(n, 2);
    assert_int_equal(z[0], MiB / 2);
    assert_int_equal(z[1], MiB);
    free(z);
    cb_ddp_config_default(&cfg, 5); /* tiny, rounded up to whole elements */
    assert_int_equal(cb_ddp_bench_probe_sizes(&cfg, 4, &z, &n), CB_OK);
    assert_int_equal(n, 2);
    assert_int_equal(z[0], 4);
    assert_int_equal(z[1], 8);
    free(z);
    cb_ddp_config_default(&cfg, 2 * MiB); /* 1 + 1 MiB: one distinct size */
    assert_int_equal(cb_ddp_bench_probe_sizes(&cfg, 2, &z, &n), CB_OK);
    assert_int_equal(n, 2);
    free(z);
}

/* A results file with allreduce rows: (nodes, ranks, transport, placement,
 * bytes, median us, status). */
typedef struct {
    int nodes, ranks;
    const char *transport, *placement;
    double bytes, median;
    const char *status;
} ar_row_t;

static void write_rows(const char *path, const ar_row_t *rows, size_t n)
{
    cb_results_ctx_t ctx;
    cb_results_ctx_init(&ctx, "test");
    cb_results_t *res;
    char err[512];
    assert_int_equal(cb_results_open(path, &res, err, sizeof err), CB_OK);
    for (size_t i = 0; i < n; i++) {
        ctx.nodes = rows[i].nodes;
        ctx.ranks = rows[i].ranks;
        cb_row_t r;
        cb_row_init(&r, &ctx);
        cb_row_set_str(&r, CB_COL_BENCHMARK, "allreduce");
        cb_row_set_str(&r, CB_COL_TRANSPORT, rows[i].transport);
        cb_row_set_str(&r, CB_COL_PLACEMENT, rows[i].placement);
        cb_row_set_num(&r, CB_COL_BYTES, rows[i].bytes);
        cb_row_set_num(&r, CB_COL_TIME_US_MEDIAN, rows[i].median);
        cb_row_set_str(&r, CB_COL_STATUS, rows[i].status);
        assert_int_equal(cb_results_write(res, &r), CB_OK);
        cb_row_clear(&r);
    }
    cb_results_close(res);
    cb_results_ctx_free(&ctx);
}

static void test_ddp_bench_curve_rows(void **state)
{
    (void)state;
    char path[] = "/tmp/cb-test-ddp-bench-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    const ar_row_t rows[] = {
        {2, 2, "mpi", "in-place", 1e6, 100, "ok"},
        {2, 2, "mpi", "in-place", 1e6, 300, "ok"},      /* median of 100, 300, 200 */
        {2, 2, "mpi", "in-place", 1e6, 200, "ok"},
        {2, 2, "mpi", "in-place", 2e6, 400, "ok"},
        {2, 2, "mpi", "out-of-place", 3e6, 1, "ok"},    /* in-place rows exist: unused */
        {2, 2, "mpi", "in-place", 4e6, 1, "failed"},    /* not ok */
        {2, 4, "mpi", "in-place", 4e6, 1, "ok"},        /* other rank count */
        {3, 3, "mpi", "in-place", 4e6, 1, "ok"},        /* other node count */
        {2, 2, "nccl", "in-place", 4e6, 1, "ok"},       /* other transport */
        {1, 2, "mpi", "out-of-place", 1e6, 10, "ok"},   /* one node, two ranks */
        {1, 2, "mpi", "out-of-place", 2e6, 20, "ok"},
        {1, 1, "mpi", "out-of-place", 2e6, 1, "ok"},    /* the 1-rank baseline */
    };
    write_rows(path, rows, sizeof rows / sizeof rows[0]);
    cb_table_t t;
    cb_table_init(&t);
    char err[512];
    assert_int_equal(cb_table_read(&t, path, err, sizeof err), CB_OK);
    cb_ddp_curve_t c;
    cb_ddp_source_t src;
    assert_int_equal(cb_ddp_bench_curve(&t, 2, 2, "mpi", &c, &src), CB_OK);
    assert_int_equal(src.rows, 4);
    assert_int_equal(src.sizes, 2);
    assert_string_equal(src.placement, "in-place");
    assert_string_equal(src.transport, "mpi");
    assert_double_equal(cb_ddp_curve_time_us(&c, 1e6, NULL), 200, 1e-9);
    assert_double_equal(cb_ddp_curve_time_us(&c, 1.5e6, NULL), 300, 1e-9);
    cb_ddp_curve_free(&c);
    /* No transport filter: the nccl row joins, still only ok rows. */
    assert_int_equal(cb_ddp_bench_curve(&t, 2, 2, NULL, &c, &src), CB_OK);
    assert_int_equal(src.rows, 5);
    assert_string_equal(src.transport, "mixed");
    cb_ddp_curve_free(&c);
    /* One node, two ranks: out-of-place (no in-place rows); the 1-rank
     * baseline is not mixed in. */
    assert_int_equal(cb_ddp_bench_curve(&t, 1, 2, "mpi", &c, &src), CB_OK);
    assert_int_equal(src.rows, 2);
    assert_double_equal(cb_ddp_curve_time_us(&c, 2e6, NULL), 20, 1e-9);
    cb_ddp_curve_free(&c);
    /* Too few sizes / none. */
    assert_int_equal(cb_ddp_bench_curve(&t, 3, 3, "mpi", &c, &src), CB_ERR_INPUT);
    assert_int_equal(src.rows, 1);
    assert_int_equal(cb_ddp_bench_curve(&t, 5, 5, "mpi", &c, &src), CB_ERR_INPUT);
    assert_int_equal(src.rows, 0);
    cb_ddp_curve_free(&c);
    cb_table_free(&t);
    unlink(path);
}

static void test_ddp_bench_reduce_slowest_rank(void **state)
{
    (void)state;
    /* 3 ranks x 4 steps: step time = max over ranks; median over steps. */
    const double s[] = {
        10, 20, 30, 40, /* rank 0 */
        12, 18, 35, 41, /* rank 1 */
        11, 25, 29, 39, /* rank 2 */
    };
    double per[4];
    cb_stats_t st;
    assert_int_equal(cb_ddp_bench_reduce(s, 3, 4, per, &st), CB_OK);
    assert_double_equal(per[0], 12, 0);
    assert_double_equal(per[1], 25, 0);
    assert_double_equal(per[2], 35, 0);
    assert_double_equal(per[3], 41, 0);
    assert_double_equal(st.median, 30, 1e-12);
    assert_double_equal(st.min, 12, 0);
    assert_double_equal(st.max, 41, 0);
    assert_int_equal(cb_ddp_bench_reduce(s, 3, 0, per, &st), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_bench_reduce(NULL, 3, 4, per, &st), CB_ERR_USAGE);
}

static void test_ddp_bench_bisect(void **state)
{
    (void)state;
    cb_ddp_bench_bisect_t b;
    /* True break-even at 37: probes converge on it, first at the guess. */
    assert_int_equal(cb_ddp_bench_bisect_init(&b, 10, 100, 40, 20, 0.01), CB_OK);
    assert_double_equal(cb_ddp_bench_bisect_next(&b), 40, 0);
    int probes = 0;
    while (!cb_ddp_bench_bisect_done(&b)) {
        double t = cb_ddp_bench_bisect_next(&b);
        assert_true(t > b.lo_us && t < b.hi_us);
        cb_ddp_bench_bisect_result(&b, t, t >= 37);
        probes++;
    }
    assert_true(probes < 20);
    assert_true(b.lo_seen && b.hi_seen);
    assert_true(b.lo_us < 37 && b.hi_us >= 37);
    assert_true(b.hi_us <= b.lo_us * 1.01);
    assert_double_equal(cb_ddp_bench_bisect_answer(&b), 37, 0.5);
    /* Guess outside the range: geometric midpoint first. */
    assert_int_equal(cb_ddp_bench_bisect_init(&b, 10, 1000, 5000, 3, 0.05), CB_OK);
    assert_double_equal(cb_ddp_bench_bisect_next(&b), 100, 1e-9);
    /* Everything breaks even: converges down, the lower end never measured. */
    while (!cb_ddp_bench_bisect_done(&b))
        cb_ddp_bench_bisect_result(&b, cb_ddp_bench_bisect_next(&b), 1);
    assert_int_equal(b.probes, 3);
    assert_false(b.lo_seen);
    assert_true(b.hi_seen);
    /* Bad bounds. */
    assert_int_equal(cb_ddp_bench_bisect_init(&b, 0, 10, 1, 3, 0.05), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_bench_bisect_init(&b, 10, 10, 1, 3, 0.05), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_bench_bisect_init(&b, 1, INFINITY, 1, 3, 0.05), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_bench_bisect_init(&b, 1, 10, 1, 0, 0.05), CB_ERR_USAGE);
}

static void test_ddp_bench_error_pct(void **state)
{
    (void)state;
    assert_double_equal(cb_ddp_bench_error_pct(110, 100), 10, 1e-12);
    assert_double_equal(cb_ddp_bench_error_pct(90, 100), -10, 1e-12);
    assert_true(isnan(cb_ddp_bench_error_pct(90, 0)));
    assert_true(isnan(cb_ddp_bench_error_pct(NAN, 10)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddp_bench_schedule_100mib),
        cmocka_unit_test(test_ddp_bench_schedule_accumulate),
        cmocka_unit_test(test_ddp_bench_schedule_odd_sizes),
        cmocka_unit_test(test_ddp_bench_probe_sizes),
        cmocka_unit_test(test_ddp_bench_curve_rows),
        cmocka_unit_test(test_ddp_bench_reduce_slowest_rank),
        cmocka_unit_test(test_ddp_bench_bisect),
        cmocka_unit_test(test_ddp_bench_error_pct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
