/* test_ddp_breakeven: the break-even and threshold step times (closed form
 * vs hand arithmetic and vs bisection on the simulated step) and the largest
 * gradient size that breaks even. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cb_ddp.h"
#include "cb_error.h"

#define MiB ((uint64_t)1 << 20)

/* cmocka 1.1.5 has no assert_double_equal. */
#define assert_near(a, b, eps) assert_near_((a), (b), (eps), __FILE__, __LINE__)
static void assert_near_(double a, double b, double eps, const char *file, int line)
{
    if (!(a == b || fabs(a - b) <= eps)) {
        print_error("got %.17g, want %.17g (eps %g)\n", a, b, eps);
        _fail(file, line);
    }
}

/* T_ar(s) = 10 us + 1 us per MiB, exactly (see test_ddp_timeline.c). */
static void linear_curve(cb_ddp_curve_t *c)
{
    const double b[] = {0, (double)(1024 * MiB)};
    const double t[] = {10, 10 + 1024};
    assert_int_equal(cb_ddp_curve_init(c, b, t, 2), CB_OK);
}

static double speedup_at(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *c, int n, double t1)
{
    cb_ddp_timeline_t tl;
    assert_int_equal(cb_ddp_step_time(cfg, c, n, t1, &tl), CB_OK);
    double s = tl.speedup;
    cb_ddp_timeline_free(&tl);
    return s;
}

static double efficiency_at(const cb_ddp_config_t *cfg, const cb_ddp_curve_t *c, int n, double t1)
{
    return speedup_at(cfg, c, n, t1) / n;
}

/* One bucket (G < first bucket): T_N = max(T1, fwd + f_b T1 + T_ar) =
 * T1 + T_ar, so break-even T1 = T_ar/(N-1) and the T1 of efficiency e is
 * e T_ar/(1-e). G = 512 KiB: T_ar = 10.5 us. */
static void test_ddp_breakeven_one_bucket(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    linear_curve(&c);
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, 512 * 1024);
    double t;
    assert_int_equal(cb_ddp_breakeven_step(&cfg, &c, 2, &t), CB_OK);
    assert_near(t, 10.5, 1e-12);
    assert_int_equal(cb_ddp_breakeven_step(&cfg, &c, 4, &t), CB_OK);
    assert_near(t, 3.5, 1e-12);
    assert_int_equal(cb_ddp_threshold_step(&cfg, &c, 2, 0.8, &t), CB_OK);
    assert_near(t, 0.8 * 10.5 / 0.2, 1e-9); /* 42 */
    /* Efficiency 1 needs T_ar = 0: never. */
    assert_int_equal(cb_ddp_threshold_step(&cfg, &c, 2, 1.0, &t), CB_OK);
    assert_true(isinf(t));
    cb_ddp_curve_free(&c);
}

/* G = 100 MiB, f_b = 0.75: buckets 1, 25, 25, 25, 24 MiB, T_ar 11, 35, 35,
 * 35, 34. Chains j (all-reduces j..5 back to back from bucket j's ready time):
 *   a_j = 0.25 + 0.75 C_j/100 = 0.2575, 0.445, 0.6325, 0.82, 1
 *   b_j = 150, 139, 104, 69, 34
 * Break-even N = 2: max_j b_j/(2 - a_j) = max(86.08, 89.389, 76.05, 58.47, 34)
 *   = 139/1.555 = 89.3890675...
 * Efficiency 0.8 (ratio 1.25): max(151.1, 139/0.805 = 172.67, 168.4, 160.5,
 *   136) = 139/0.805. */
static void test_ddp_breakeven_hand(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    linear_curve(&c);
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, 100 * MiB);
    cfg.bwd_frac = 0.75;
    double t;
    assert_int_equal(cb_ddp_breakeven_step(&cfg, &c, 2, &t), CB_OK);
    assert_near(t, 139 / 1.555, 1e-9);
    assert_near(speedup_at(&cfg, &c, 2, t), 1.0, 1e-12);
    assert_true(speedup_at(&cfg, &c, 2, t * (1 - 1e-6)) < 1.0);
    assert_true(speedup_at(&cfg, &c, 2, t * (1 + 1e-6)) > 1.0);
    assert_int_equal(cb_ddp_threshold_step(&cfg, &c, 2, 0.8, &t), CB_OK);
    assert_near(t, 139 / 0.805, 1e-9);
    assert_near(efficiency_at(&cfg, &c, 2, t), 0.8, 1e-12);
    /* Efficiency 1.0 is never reached: the last bucket's 34 us always
     * follows backward. A threshold just below 1 is: b_5/(1/e - 1) wins. */
    assert_int_equal(cb_ddp_threshold_step(&cfg, &c, 2, 1.0, &t), CB_OK);
    assert_true(isinf(t));
    assert_int_equal(cb_ddp_threshold_step(&cfg, &c, 2, 0.99, &t), CB_OK);
    assert_near(t, 34 / (1 / 0.99 - 1), 1e-6); /* 3366 */
    /* Without overlap: T_N = T1 + 150 -> 150/(N-1); e: 150 e/(1-e). */
    cfg.overlap = 0;
    assert_int_equal(cb_ddp_breakeven_step(&cfg, &c, 2, &t), CB_OK);
    assert_near(t, 150, 1e-9);
    assert_int_equal(cb_ddp_breakeven_step(&cfg, &c, 3, &t), CB_OK);
    assert_near(t, 75, 1e-9);
    assert_int_equal(cb_ddp_threshold_step(&cfg, &c, 3, 0.8, &t), CB_OK);
    assert_near(t, 600, 1e-9);
    assert_int_equal(cb_ddp_threshold_step(&cfg, &c, 3, 1.0, &t), CB_OK);
    assert_true(isinf(t));
    cb_ddp_curve_free(&c);
}

/* The closed form agrees with bisection on the simulated step, over a grid
 * of gradient sizes, backward shares, node counts and overlap. */
static void test_ddp_breakeven_vs_bisection(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    linear_curve(&c);
    const uint64_t sizes[] = {1000, MiB, 26 * MiB + 12345, 100 * MiB, 1000 * MiB + 7};
    const double fbs[] = {0, 0.5, 2.0 / 3.0, 1};
    const int nodes[] = {2, 3, 8};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (size_t j = 0; j < sizeof fbs / sizeof fbs[0]; j++)
            for (size_t k = 0; k < sizeof nodes / sizeof nodes[0]; k++)
                for (int ov = 0; ov < 2; ov++) {
                    cb_ddp_config_t cfg;
                    cb_ddp_config_default(&cfg, sizes[i]);
                    cfg.bwd_frac = fbs[j];
                    cfg.overlap = ov;
                    int n = nodes[k];
                    double t;
                    assert_int_equal(cb_ddp_breakeven_step(&cfg, &c, n, &t), CB_OK);
                    double lo = 0, hi = 1;
                    while (speedup_at(&cfg, &c, n, hi) < 1)
                        hi *= 2;
                    for (int it = 0; it < 200 && hi - lo > 1e-12 * hi; it++) {
                        double mid = 0.5 * (lo + hi);
                        if (mid > 0 && speedup_at(&cfg, &c, n, mid) >= 1)
                            hi = mid;
                        else
                            lo = mid;
                    }
                    assert_near(t, hi, 1e-9 * hi);
                    double e;
                    assert_int_equal(cb_ddp_threshold_step(&cfg, &c, n, 0.9, &e), CB_OK);
                    assert_near(efficiency_at(&cfg, &c, n, e), 0.9, 1e-9);
                    /* Speedup >= 1 <=> efficiency >= 1/N. */
                    assert_int_equal(cb_ddp_threshold_step(&cfg, &c, n, 1.0 / n, &e), CB_OK);
                    assert_near(e, t, 1e-9 * t);
                }
    cb_ddp_curve_free(&c);
}

static void test_ddp_breakeven_single_node(void **state)
{
    (void)state;
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, 100 * MiB);
    double t;
    uint64_t g;
    assert_int_equal(cb_ddp_breakeven_step(&cfg, NULL, 1, &t), CB_OK);
    assert_near(t, 0, 0);
    assert_int_equal(cb_ddp_threshold_step(&cfg, NULL, 1, 1.0, &t), CB_OK);
    assert_near(t, 0, 0);
    assert_int_equal(cb_ddp_max_grad_bytes(&cfg, NULL, 1, 10, &g), CB_OK);
    assert_true(g == CB_DDP_GRAD_BYTES_UNBOUNDED);
}

static void test_ddp_breakeven_bad_args(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    linear_curve(&c);
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, 100 * MiB);
    double t;
    uint64_t g;
    assert_int_equal(cb_ddp_breakeven_step(&cfg, NULL, 2, &t), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_breakeven_step(&cfg, &c, 0, &t), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_threshold_step(&cfg, &c, 2, 0, &t), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_threshold_step(&cfg, &c, 2, 1.01, &t), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_threshold_step(&cfg, &c, 2, NAN, &t), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_max_grad_bytes(&cfg, &c, 2, -1, &g), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_max_grad_bytes(&cfg, &c, 2, NAN, &g), CB_ERR_USAGE);
    cfg.bwd_frac = NAN;
    assert_int_equal(cb_ddp_breakeven_step(&cfg, &c, 2, &t), CB_ERR_USAGE);
    cb_ddp_curve_free(&c);
}

/* Largest G that breaks even at a given T1. In the one-bucket regime
 * (G <= 1 MiB) it breaks even iff 10 + G/2^20 <= (N-1) T1: at N = 2,
 * T1 = 10.25 us that is G <= 0.25 MiB = 262144 B exactly (binary
 * fractions, no rounding: T_N = 20.5 = 2 T1 at 262144 B, 2^-20 us more at
 * 262145 B). */
static void test_ddp_breakeven_max_grad(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    linear_curve(&c);
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, 100 * MiB); /* grad_bytes is what varies */
    uint64_t g;
    assert_int_equal(cb_ddp_max_grad_bytes(&cfg, &c, 2, 10.25, &g), CB_OK);
    assert_int_equal(g, 262144);
    /* Below alpha/(N-1) nothing breaks even. */
    assert_int_equal(cb_ddp_max_grad_bytes(&cfg, &c, 2, 9.9, &g), CB_OK);
    assert_int_equal(g, 0);
    /* Multi-bucket regime: the answer breaks even, one byte more does not. */
    const double steps[] = {500, 5000, 50000};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(cb_ddp_max_grad_bytes(&cfg, &c, 4, steps[i], &g), CB_OK);
        assert_true(g > MiB);
        cb_ddp_config_t at = cfg;
        at.grad_bytes = g;
        assert_true(speedup_at(&at, &c, 4, steps[i]) >= 1);
        at.grad_bytes = g + 1;
        assert_true(speedup_at(&at, &c, 4, steps[i]) < 1);
    }
    /* Free communication: everything breaks even. */
    cb_ddp_curve_t zero;
    const double zb[] = {0, 1e9}, zt[] = {0, 0};
    assert_int_equal(cb_ddp_curve_init(&zero, zb, zt, 2), CB_OK);
    assert_int_equal(cb_ddp_max_grad_bytes(&cfg, &zero, 2, 1, &g), CB_OK);
    assert_true(g == CB_DDP_GRAD_BYTES_UNBOUNDED);
    cb_ddp_curve_free(&zero);
    cb_ddp_curve_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddp_breakeven_one_bucket),
        cmocka_unit_test(test_ddp_breakeven_hand),
        cmocka_unit_test(test_ddp_breakeven_vs_bisection),
        cmocka_unit_test(test_ddp_breakeven_single_node),
        cmocka_unit_test(test_ddp_breakeven_bad_args),
        cmocka_unit_test(test_ddp_breakeven_max_grad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
