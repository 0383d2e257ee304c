/* test_ddp_whatif: the DDP model's levers (common/ddp_whatif.c) on
 * hand-computed cases: a scaled link (latency kept), another node count by
 * the ring model, gradient accumulation, and the inverse questions — the
 * smallest link factor, the largest gradient size and the smallest
 * accumulation that reach an efficiency: exact at the solution, monotone,
 * and "never" where no solution exists. */
#include <math.h>
#include <stdint.h>

#include "cb_ddp.h"
#include "cb_error.h"
#include "cb_test.h"

#define MiB ((uint64_t)1 << 20)

static void curve_of(cb_ddp_curve_t *c, const double *mib, const double *t, size_t n)
{
    double b[8];
    for (size_t i = 0; i < n; i++)
        b[i] = mib[i] * (double)MiB;
    assert_int_equal(cb_ddp_curve_init(c, b, t, n), CB_OK);
}

/* 10 us + 1 us per MiB, exactly. */
static void linear_curve(cb_ddp_curve_t *c)
{
    const double mib[] = {0, 1024}, t[] = {10, 1034};
    curve_of(c, mib, t, 2);
}

static void test_ddp_whatif_scale_link(void **state)
{
    (void)state;
    cb_ddp_curve_t c, s;
    /* 1000 us + 100 us/MiB: latency 1000, bandwidth part 100/MiB. */
    const double mib[] = {1, 4, 16}, t[] = {1100, 1400, 2600};
    curve_of(&c, mib, t, 3);
    assert_double_equal(cb_ddp_curve_latency_us(&c), 1000, 1e-9);
    assert_int_equal(cb_ddp_curve_scale_link(&c, 4, &s), CB_OK);
    assert_double_equal(s.time_us[0], 1025, 1e-9);
    assert_double_equal(s.time_us[2], 1400, 1e-9);
    assert_double_equal(cb_ddp_curve_time_us(&s, 2.0 * MiB, NULL), 1050, 1e-9);
    assert_double_equal(s.fit.alpha_us, 1000, 1e-6); /* the latency term is kept */
    cb_ddp_curve_free(&s);
    assert_int_equal(cb_ddp_curve_scale_link(&c, 0.5, &s), CB_OK);
    assert_double_equal(s.time_us[1], 1800, 1e-9);
    cb_ddp_curve_free(&s);
    assert_int_equal(cb_ddp_curve_scale_link(&c, 0, &s), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_curve_scale_link(&c, NAN, &s), CB_ERR_USAGE);
    cb_ddp_curve_free(&c);
    /* A negative fitted latency is kept at 0: the whole time scales. */
    const double m2[] = {1, 2}, t2[] = {100, 300};
    curve_of(&c, m2, t2, 2);
    assert_double_equal(cb_ddp_curve_latency_us(&c), 0, 0);
    assert_int_equal(cb_ddp_curve_scale_link(&c, 2, &s), CB_OK);
    assert_double_equal(s.time_us[0], 50, 1e-9);
    assert_double_equal(s.time_us[1], 150, 1e-9);
    cb_ddp_curve_free(&s);
    cb_ddp_curve_free(&c);
    /* A fitted latency above the smallest time is kept at that time. */
    const double m3[] = {0, 1, 2}, t3[] = {50, 1000, 1100};
    curve_of(&c, m3, t3, 3);
    assert_true(c.fit.alpha_us > 50);
    assert_double_equal(cb_ddp_curve_latency_us(&c), 50, 0);
    cb_ddp_curve_free(&c);
}

static void test_ddp_whatif_for_nodes(void **state)
{
    (void)state;
    cb_ddp_curve_t c, s;
    const double mib[] = {1, 4, 16}, t[] = {1100, 1400, 2600};
    curve_of(&c, mib, t, 3);
    /* 3 -> 5 nodes: latency x (4/2) = 2000; bandwidth part x (4/5)/(2/3) = 1.2. */
    assert_int_equal(cb_ddp_curve_for_nodes(&c, 3, 5, &s), CB_OK);
    assert_double_equal(s.time_us[0], 2000 + 120, 1e-9);
    assert_double_equal(s.time_us[1], 2000 + 480, 1e-9);
    cb_ddp_curve_free(&s);
    /* The same node count: unchanged. */
    assert_int_equal(cb_ddp_curve_for_nodes(&c, 3, 3, &s), CB_OK);
    assert_double_equal(s.time_us[2], 2600, 1e-9);
    cb_ddp_curve_free(&s);
    assert_int_equal(cb_ddp_curve_for_nodes(&c, 1, 3, &s), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_curve_for_nodes(&c, 3, 1, &s), CB_ERR_USAGE);
    cb_ddp_curve_free(&c);
}

/* G = 100 MiB, f_b = 0.75 on the linear curve (T_ar 11, 35, 35, 35, 34 us). */
static void cfg_100mib(cb_ddp_config_t *cfg)
{
    cb_ddp_config_default(cfg, 100 * MiB);
    cfg->bwd_frac = 0.75;
}

static void test_ddp_whatif_accumulation(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    linear_curve(&c);
    cb_ddp_config_t cfg;
    cfg_100mib(&cfg);
    /* T1 = 100: ready 25.75, 44.5, 63.25, 82, 100; the all-reduces queue:
     * ends 36.75, 79.5, 114.5, 149.5, 183.5: T_N = 183.5. With k = 4: 3 x 100
     * + 183.5 against 400 on one node. */
    cb_ddp_accum_t a;
    assert_int_equal(cb_ddp_accum_step(&cfg, &c, 2, 100, 4, &a, NULL), CB_OK);
    assert_double_equal(a.ddp_step_us, 483.5, 1e-9);
    assert_double_equal(a.step_us, 400, 0);
    assert_double_equal(a.efficiency, 400 / 483.5, 1e-12);
    assert_double_equal(a.speedup, 800 / 483.5, 1e-12);
    assert_int_equal(cb_ddp_accum_step(&cfg, &c, 2, 100, 1, &a, NULL), CB_OK);
    assert_double_equal(a.ddp_step_us, 183.5, 1e-9);
    assert_int_equal(cb_ddp_accum_step(&cfg, &c, 2, 100, 0, &a, NULL), CB_ERR_USAGE);
    /* Efficiency grows with k. */
    double prev = 0;
    for (int k = 1; k <= 16; k++) {
        assert_int_equal(cb_ddp_accum_step(&cfg, &c, 2, 100, k, &a, NULL), CB_OK);
        assert_true(a.efficiency > prev);
        prev = a.efficiency;
    }
    /* The smallest k for 80%: k >= 0.8 x 83.5 / (0.2 x 100) = 3.34 -> 4 (k = 3
     * gives 300/383.5 = 78.2%, k = 4 gives 82.7%). */
    int k;
    assert_int_equal(cb_ddp_min_accumulation(&cfg, &c, 2, 100, 0.8, 1000, &k), CB_OK);
    assert_int_equal(k, 4);
    assert_int_equal(cb_ddp_accum_step(&cfg, &c, 2, 100, 3, &a, NULL), CB_OK);
    assert_true(a.efficiency < 0.8);
    assert_int_equal(cb_ddp_accum_step(&cfg, &c, 2, 100, 4, &a, NULL), CB_OK);
    assert_true(a.efficiency >= 0.8);
    /* Already there without accumulation (54.5% at k = 1): 1. */
    assert_int_equal(cb_ddp_min_accumulation(&cfg, &c, 2, 100, 0.5, 1000, &k), CB_OK);
    assert_int_equal(k, 1);
    /* Exactly at the solution: e = 200/283.5 is k = 2's efficiency itself. */
    assert_int_equal(cb_ddp_min_accumulation(&cfg, &c, 2, 100, 200 / 283.5, 1000, &k), CB_OK);
    assert_int_equal(k, 2);
    assert_int_equal(cb_ddp_min_accumulation(&cfg, &c, 2, 100, 200 / 283.5 + 1e-9, 1000, &k),
                     CB_OK);
    assert_int_equal(k, 3);
    assert_int_equal(cb_ddp_min_accumulation(&cfg, &c, 2, 100, 0.8 * 1.0, 3, &k), CB_OK);
    assert_int_equal(k, CB_DDP_NEVER_K); /* 4 is beyond k_max = 3 */
    /* 100% is never reached: every step carries the last all-reduce. */
    assert_int_equal(cb_ddp_min_accumulation(&cfg, &c, 2, 100, 1.0, 1000000, &k), CB_OK);
    assert_int_equal(k, CB_DDP_NEVER_K);
    assert_int_equal(cb_ddp_min_accumulation(&cfg, &c, 2, 100, 0, 10, &k), CB_ERR_USAGE);
    cb_ddp_curve_free(&c);
}

static void test_ddp_whatif_min_link(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    linear_curve(&c);
    /* One bucket of 1 MiB: T_N = T1 + 10 + 1/f us. At T1 = 100, 80% needs
     * T_N <= 125: f >= 1/15; 90% needs T_N <= 111.1: f >= 0.9; 95% needs
     * T_N <= 105.3 < 110: never (the latency alone is too much). */
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, MiB);
    double f;
    assert_int_equal(cb_ddp_min_link_factor(&cfg, &c, 2, 100, 1, 0.8, &f), CB_OK);
    assert_double_equal(f, 1.0 / 15, 1e-7);
    assert_int_equal(cb_ddp_min_link_factor(&cfg, &c, 2, 100, 1, 0.9, &f), CB_OK);
    assert_double_equal(f, 0.9, 1e-7);
    assert_int_equal(cb_ddp_min_link_factor(&cfg, &c, 2, 100, 1, 0.95, &f), CB_OK);
    assert_true(isinf(f));
    /* Accumulation needs a slower link: k = 2, 80%: 200 <= 0.8 (200 + 10 +
     * 1/f)... 2 T1 >= 0.8 (T1 + T_N) -> T_N <= 150 -> 1/f <= 40. */
    assert_int_equal(cb_ddp_min_link_factor(&cfg, &c, 2, 100, 2, 0.8, &f), CB_OK);
    assert_double_equal(f, 1.0 / 40, 1e-7);
    /* Monotone: a higher target never needs a slower link. */
    double prev = 0;
    for (double e = 0.5; e < 0.91; e += 0.05) {
        assert_int_equal(cb_ddp_min_link_factor(&cfg, &c, 2, 100, 1, e, &f), CB_OK);
        assert_true(f >= prev);
        prev = f;
    }
    /* A reducer tail of 50 us makes 80% unreachable at any link. */
    cfg.tail_us_per_bucket = 50;
    assert_int_equal(cb_ddp_min_link_factor(&cfg, &c, 2, 100, 1, 0.8, &f), CB_OK);
    assert_true(isinf(f));
    assert_int_equal(cb_ddp_min_link_factor(&cfg, &c, 1, 100, 1, 0.8, &f), CB_ERR_USAGE);
    cb_ddp_curve_free(&c);
}

static void test_ddp_whatif_max_grad_eff(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    linear_curve(&c);
    /* One bucket up to 1 GiB: T_N = T1 + 10 + G/MiB us. 80% at T1 = 100:
     * G <= 15 MiB; break-even on 2 nodes (T_N <= 200): G <= 90 MiB. */
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, MiB);
    cfg.first_bucket_bytes = cfg.bucket_bytes = 1024 * MiB;
    uint64_t g;
    assert_int_equal(cb_ddp_max_grad_bytes_eff(&cfg, &c, 2, 100, 0.8, &g), CB_OK);
    assert_int_equal(g, 15 * MiB);
    assert_int_equal(cb_ddp_max_grad_bytes(&cfg, &c, 2, 100, &g), CB_OK);
    assert_int_equal(g, 90 * MiB);
    /* Never: even 1 B does not reach 95% (the latency is 10% of T1). */
    assert_int_equal(cb_ddp_max_grad_bytes_eff(&cfg, &c, 2, 100, 0.95, &g), CB_OK);
    assert_int_equal(g, 0);
    assert_int_equal(cb_ddp_max_grad_bytes_eff(&cfg, &c, 2, 100, 0, &g), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_max_grad_bytes_eff(&cfg, &c, 2, 100, 1.5, &g), CB_ERR_USAGE);
    cb_ddp_curve_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddp_whatif_scale_link),
        cmocka_unit_test(test_ddp_whatif_for_nodes),
        cmocka_unit_test(test_ddp_whatif_accumulation),
        cmocka_unit_test(test_ddp_whatif_min_link),
        cmocka_unit_test(test_ddp_whatif_max_grad_eff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
