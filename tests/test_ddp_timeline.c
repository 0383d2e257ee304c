/* test_ddp_timeline: the predicted DDP step (overlap of bucket all-reduces
 * with backward, one communication stream) on hand-computed cases. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cb_ddp.h"
#include "cb_error.h"

#define MiB ((uint64_t)1 << 20)
#define EPS 1e-9

/* cmocka 1.1.5 has no assert_double_equal. */
#define assert_near(a, b, eps) assert_near_((a), (b), (eps), __FILE__, __LINE__)
static void assert_near_(double a, double b, double eps, const char *file, int line)
{
    if (!(a == b || fabs(a - b) <= eps)) {
        print_error("got %.17g, want %.17g (eps %g)\n", a, b, eps);
        _fail(file, line);
    }
}

/* T_ar(s) = 10 us + 1 us per MiB, exactly: two measured points (0 B, 10 us)
 * and (1 GiB, 1034 us); every size in between is interpolated on the line. */
static void linear_curve(cb_ddp_curve_t *c)
{
    const double b[] = {0, (double)(1024 * MiB)};
    const double t[] = {10, 10 + 1024};
    assert_int_equal(cb_ddp_curve_init(c, b, t, 2), CB_OK);
}

/* G = 100 MiB: buckets 1, 25, 25, 25, 24 MiB -> T_ar 11, 35, 35, 35, 34 us
 * (sum 150). f_b = 0.75. */
static void cfg_100mib(cb_ddp_config_t *cfg)
{
    cb_ddp_config_default(cfg, 100 * MiB);
    cfg->bwd_frac = 0.75;
}

static void bucket_is(const cb_ddp_bucket_t *b, double ready, double start, double end)
{
    assert_near(b->ready_us, ready, EPS);
    assert_near(b->start_us, start, EPS);
    assert_near(b->end_us, end, EPS);
    assert_near(b->allreduce_us, end - start, EPS);
}

static void test_ddp_timeline_hidden(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    linear_curve(&c);
    cb_ddp_config_t cfg;
    cfg_100mib(&cfg);
    cb_ddp_timeline_t tl;
    /* T1 = 300: fwd = 75, bwd = 225; ready_k = 75 + 225 * C_k/100 with
     * C = 1, 26, 51, 76, 100 MiB -> 77.25, 133.5, 189.75, 246, 300.
     * Each all-reduce ends before the next bucket is ready:
     *   77.25+11 = 88.25, 133.5+35 = 168.5, 189.75+35 = 224.75,
     *   246+35 = 281, 300+34 = 334 -> T_N = 334 (only the last is exposed). */
    assert_int_equal(cb_ddp_step_time(&cfg, &c, 2, 300, &tl), CB_OK);
    assert_int_equal(tl.nbuckets, 5);
    assert_near(tl.fwd_us, 75, EPS);
    bucket_is(&tl.buckets[0], 77.25, 77.25, 88.25);
    bucket_is(&tl.buckets[1], 133.5, 133.5, 168.5);
    bucket_is(&tl.buckets[2], 189.75, 189.75, 224.75);
    bucket_is(&tl.buckets[3], 246, 246, 281);
    bucket_is(&tl.buckets[4], 300, 300, 334);
    assert_int_equal(tl.buckets[4].cum_bytes, 100 * MiB);
    assert_near(tl.allreduce_us_total, 150, EPS);
    assert_near(tl.ddp_step_us, 334, EPS);
    assert_near(tl.exposed_comm_us, 34, EPS);
    assert_near(tl.speedup, 600.0 / 334.0, EPS); /* N*T1/T_N */
    assert_near(tl.efficiency, 300.0 / 334.0, EPS);
    cb_ddp_timeline_free(&tl);
    cb_ddp_curve_free(&c);
}

static void test_ddp_timeline_backlog(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    linear_curve(&c);
    cb_ddp_config_t cfg;
    cfg_100mib(&cfg);
    cb_ddp_timeline_t tl;
    /* T1 = 100: fwd = 25, ready_k = 25 + 75 * C_k/100 -> 25.75, 44.5, 63.25,
     * 82, 100. The stream backs up from bucket 3 on:
     *   b1 25.75 -> 36.75; b2 44.5 -> 79.5; b3 max(63.25, 79.5) = 79.5 -> 114.5;
     *   b4 114.5 -> 149.5; b5 149.5 -> 183.5 = T_N. */
    assert_int_equal(cb_ddp_step_time(&cfg, &c, 4, 100, &tl), CB_OK);
    bucket_is(&tl.buckets[0], 25.75, 25.75, 36.75);
    bucket_is(&tl.buckets[1], 44.5, 44.5, 79.5);
    bucket_is(&tl.buckets[2], 63.25, 79.5, 114.5);
    bucket_is(&tl.buckets[3], 82, 114.5, 149.5);
    bucket_is(&tl.buckets[4], 100, 149.5, 183.5);
    assert_near(tl.ddp_step_us, 183.5, EPS);
    assert_near(tl.speedup, 400.0 / 183.5, EPS);
    assert_near(tl.efficiency, 100.0 / 183.5, EPS);
    cb_ddp_timeline_free(&tl);
    cb_ddp_curve_free(&c);
}

static void test_ddp_timeline_no_overlap(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    linear_curve(&c);
    cb_ddp_config_t cfg;
    cfg_100mib(&cfg);
    cfg.overlap = 0;
    cb_ddp_timeline_t tl;
    /* T_N = T1 + sum T_ar = 100 + 150; all-reduces back to back from 100:
     * 100-111, 111-146, 146-181, 181-216, 216-250. */
    assert_int_equal(cb_ddp_step_time(&cfg, &c, 2, 100, &tl), CB_OK);
    bucket_is(&tl.buckets[0], 25.75, 100, 111);
    bucket_is(&tl.buckets[1], 44.5, 111, 146);
    bucket_is(&tl.buckets[4], 100, 216, 250);
    assert_near(tl.ddp_step_us, 250, EPS);
    assert_near(tl.speedup, 200.0 / 250.0, EPS);
    cb_ddp_timeline_free(&tl);
    cb_ddp_curve_free(&c);
}

static void test_ddp_timeline_one_bucket(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    linear_curve(&c);
    cb_ddp_config_t cfg;
    /* G = 512 KiB < first bucket: one bucket, ready at T1; T_ar = 10.5;
     * T_N = max(T1, fwd + f_b T1 + T_ar) = T1 + 10.5 = 60.5 for T1 = 50. */
    cb_ddp_config_default(&cfg, 512 * 1024);
    cb_ddp_timeline_t tl;
    assert_int_equal(cb_ddp_step_time(&cfg, &c, 2, 50, &tl), CB_OK);
    assert_int_equal(tl.nbuckets, 1);
    bucket_is(&tl.buckets[0], 50, 50, 60.5);
    assert_near(tl.ddp_step_us, 60.5, EPS);
    cb_ddp_timeline_free(&tl);
    cb_ddp_curve_free(&c);
}

static void test_ddp_timeline_single_node(void **state)
{
    (void)state;
    cb_ddp_config_t cfg;
    cfg_100mib(&cfg);
    cb_ddp_timeline_t tl;
    /* N = 1: no all-reduce, no curve needed; speedup 1 by definition. */
    assert_int_equal(cb_ddp_step_time(&cfg, NULL, 1, 100, &tl), CB_OK);
    assert_near(tl.ddp_step_us, 100, EPS);
    assert_near(tl.speedup, 1, 0);
    assert_near(tl.efficiency, 1, 0);
    assert_near(tl.allreduce_us_total, 0, 0);
    assert_near(tl.buckets[1].allreduce_us, 0, 0);
    cb_ddp_timeline_free(&tl);
}

static void test_ddp_timeline_bad_args(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    linear_curve(&c);
    cb_ddp_config_t cfg;
    cfg_100mib(&cfg);
    cb_ddp_timeline_t tl;
    assert_int_equal(cb_ddp_step_time(&cfg, &c, 2, 0, &tl), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_step_time(&cfg, &c, 2, -1, &tl), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_step_time(&cfg, &c, 2, NAN, &tl), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_step_time(&cfg, &c, 2, INFINITY, &tl), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_step_time(&cfg, &c, 0, 100, &tl), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_step_time(&cfg, NULL, 2, 100, &tl), CB_ERR_USAGE);
    assert_null(tl.buckets);
    cfg.grad_bytes = 0;
    assert_int_equal(cb_ddp_step_time(&cfg, &c, 2, 100, &tl), CB_ERR_USAGE);
    cb_ddp_timeline_free(&tl);
    cb_ddp_timeline_free(NULL);
    cb_ddp_curve_free(&c);
}

/* T_N never decreases with T1, and speedup never decreases either. */
static void test_ddp_timeline_monotone_in_step(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    linear_curve(&c);
    cb_ddp_config_t cfg;
    cfg_100mib(&cfg);
    double prev_tn = 0, prev_s = 0;
    for (double t1 = 1; t1 < 2000; t1 *= 1.1) {
        cb_ddp_timeline_t tl;
        assert_int_equal(cb_ddp_step_time(&cfg, &c, 3, t1, &tl), CB_OK);
        assert_true(tl.ddp_step_us >= prev_tn - EPS);
        assert_true(tl.speedup >= prev_s - EPS);
        assert_true(tl.ddp_step_us >= t1);
        assert_true(tl.ddp_step_us <= t1 + tl.allreduce_us_total + EPS);
        prev_tn = tl.ddp_step_us;
        prev_s = tl.speedup;
        cb_ddp_timeline_free(&tl);
    }
    cb_ddp_curve_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddp_timeline_hidden),
        cmocka_unit_test(test_ddp_timeline_backlog),
        cmocka_unit_test(test_ddp_timeline_no_overlap),
        cmocka_unit_test(test_ddp_timeline_one_bucket),
        cmocka_unit_test(test_ddp_timeline_single_node),
        cmocka_unit_test(test_ddp_timeline_bad_args),
        cmocka_unit_test(test_ddp_timeline_monotone_in_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
