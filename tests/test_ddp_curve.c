/* test_ddp_curve: the alpha-beta least-squares fit, the all-reduce time
 * curve (median merge, interpolation, fit extrapolation) and its selection
 * from a results table (the fixture tests/data/breakeven/allreduce.csv). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cb_test.h"

#include "cb_ddp.h"
#include "cb_error.h"
#include "cb_results.h"

/* cmocka 1.1.5 has no assert_double_equal. */
#define assert_near(a, b, eps) assert_near_((a), (b), (eps), __FILE__, __LINE__)
static void assert_near_(double a, double b, double eps, const char *file, int line)
{
    if (!(a == b || fabs(a - b) <= eps)) {
        print_error("got %.17g, want %.17g (eps %g)\n", a, b, eps);
        _fail(file, line);
    }
}

static void test_ddp_curve_fit_exact_line(void **state)
{
    (void)state;
    /* time = 5 us + 2e-3 us/B: R^2 = 1, alpha and beta recovered;
     * 1/beta = 500 B/us = 0.5 GB/s. */
    const double b[] = {1e3, 1e4, 1e5, 1e6, 1e8};
    double t[5];
    for (int i = 0; i < 5; i++)
        t[i] = 5 + 2e-3 * b[i];
    cb_ddp_fit_t f;
    assert_int_equal(cb_ddp_fit(b, t, 5, &f), CB_OK);
    assert_int_equal(f.npoints, 5);
    assert_near(f.alpha_us, 5, 1e-6);
    assert_near(f.beta_us_per_byte, 2e-3, 1e-15);
    assert_near(f.r2, 1, 1e-12);
    assert_near(cb_ddp_fit_gbps(&f), 0.5, 1e-9);
}

static void test_ddp_curve_fit_noisy(void **state)
{
    (void)state;
    /* (0,1) (1,3) (2,2) (3,4): xm 1.5, ym 2.5, Sxx 5, Sxy 4 -> beta 0.8,
     * alpha 2.5 - 1.2 = 1.3; residuals -0.3 0.9 -0.9 0.3 -> SSres 1.8,
     * SStot 5 -> R^2 = 1 - 1.8/5 = 0.64. */
    const double b[] = {0, 1, 2, 3}, t[] = {1, 3, 2, 4};
    cb_ddp_fit_t f;
    assert_int_equal(cb_ddp_fit(b, t, 4, &f), CB_OK);
    assert_near(f.alpha_us, 1.3, 1e-12);
    assert_near(f.beta_us_per_byte, 0.8, 1e-12);
    assert_near(f.r2, 0.64, 1e-12);
    /* Flat times: beta 0, exact fit, no bandwidth. */
    const double flat[] = {7, 7, 7, 7};
    assert_int_equal(cb_ddp_fit(b, flat, 4, &f), CB_OK);
    assert_near(f.beta_us_per_byte, 0, 0);
    assert_near(f.r2, 1, 0);
    assert_true(isnan(cb_ddp_fit_gbps(&f)));
}

static void test_ddp_curve_fit_bad(void **state)
{
    (void)state;
    cb_ddp_fit_t f;
    const double one_size[] = {64, 64}, t[] = {1, 2};
    assert_int_equal(cb_ddp_fit(one_size, t, 2, &f), CB_ERR_INPUT);
    assert_int_equal(cb_ddp_fit(one_size, t, 1, &f), CB_ERR_INPUT);
    const double b[] = {1, 2}, tn[] = {1, NAN};
    assert_int_equal(cb_ddp_fit(b, tn, 2, &f), CB_ERR_USAGE);
}

static void test_ddp_curve_median_merge(void **state)
{
    (void)state;
    /* Three runs at 1000 B (10, 30, 20 -> median 20), two at 3000 B
     * (50, 70 -> 60), one at 2000 B. Order of the input does not matter. */
    const double b[] = {3000, 1000, 2000, 1000, 3000, 1000};
    const double t[] = {50, 10, 40, 30, 70, 20};
    cb_ddp_curve_t c;
    assert_int_equal(cb_ddp_curve_init(&c, b, t, 6), CB_OK);
    assert_int_equal(c.n, 3);
    assert_near(c.bytes[0], 1000, 0);
    assert_near(c.time_us[0], 20, 0);
    assert_near(c.bytes[1], 2000, 0);
    assert_near(c.time_us[1], 40, 0);
    assert_near(c.time_us[2], 60, 0);
    /* The fit is over the merged points: (1000,20) (2000,40) (3000,60). */
    assert_near(c.fit.alpha_us, 0, 1e-9);
    assert_near(c.fit.beta_us_per_byte, 0.02, 1e-12);
    assert_int_equal(c.fit.npoints, 3);
    cb_ddp_curve_free(&c);
}

static void test_ddp_curve_interpolate_extrapolate(void **state)
{
    (void)state;
    /* Measured: (1 KiB, 10) (4 KiB, 16) (16 KiB, 100): not a line. */
    const double b[] = {1024, 4096, 16384}, t[] = {10, 16, 100};
    cb_ddp_curve_t c;
    assert_int_equal(cb_ddp_curve_init(&c, b, t, 3), CB_OK);
    int ex = -1;
    /* At a measured size: its time. */
    assert_near(cb_ddp_curve_time_us(&c, 4096, &ex), 16, 0);
    assert_int_equal(ex, 0);
    assert_near(cb_ddp_curve_time_us(&c, 1024, &ex), 10, 0);
    assert_near(cb_ddp_curve_time_us(&c, 16384, &ex), 100, 0);
    assert_int_equal(ex, 0);
    /* Between neighbours, linear in bytes: 2560 B is halfway 1 KiB..4 KiB
     * -> 13; 10240 B halfway 4..16 KiB -> 58. Not the fit. */
    assert_near(cb_ddp_curve_time_us(&c, 2560, &ex), 13, 1e-12);
    assert_int_equal(ex, 0);
    assert_near(cb_ddp_curve_time_us(&c, 10240, &ex), 58, 1e-12);
    /* Outside: alpha + s beta of the fit over all three sizes. */
    double want = c.fit.alpha_us + 65536 * c.fit.beta_us_per_byte;
    assert_near(cb_ddp_curve_time_us(&c, 65536, &ex), want, 1e-9);
    assert_int_equal(ex, 1);
    /* Below the smallest size the fit's alpha here is negative -> 0. */
    assert_true(c.fit.alpha_us < 0);
    assert_near(cb_ddp_curve_time_us(&c, 8, &ex), 0, 0);
    assert_int_equal(ex, 1);
    ex = -1;
    assert_true(isnan(cb_ddp_curve_time_us(NULL, 8, &ex)));
    assert_int_equal(ex, 0);
    cb_ddp_curve_free(&c);
}

static void test_ddp_curve_bad(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    const double b[] = {100, 100}, t[] = {1, 2};
    assert_int_equal(cb_ddp_curve_init(&c, b, t, 2), CB_ERR_INPUT); /* one size */
    assert_null(c.bytes);
    assert_int_equal(c.n, 0);
    const double bn[] = {100, -1};
    assert_int_equal(cb_ddp_curve_init(&c, bn, t, 2), CB_ERR_USAGE);
    const double tn[] = {1, INFINITY}, b2[] = {1, 2};
    assert_int_equal(cb_ddp_curve_init(&c, b2, tn, 2), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_curve_init(&c, b2, t, 0), CB_ERR_INPUT);
    cb_ddp_curve_free(&c);
    cb_ddp_curve_free(NULL);
}

static void read_fixture(cb_table_t *t, const char *name)
{
    const char *dir = cb_test_env("CB_TEST_DATA");
    char path[4096], err[1024];
    snprintf(path, sizeof path, "%s/breakeven/%s", dir, name);
    cb_table_init(t);
    int rc = cb_table_read(t, path, err, sizeof err);
    if (rc < 0)
        print_error("%s\n", err);
    assert_int_equal(rc, CB_OK);
}

static void test_ddp_curve_from_table(void **state)
{
    (void)state;
    cb_table_t t;
    read_fixture(&t, "allreduce.csv");
    cb_ddp_curve_t c;
    cb_ddp_source_t src;
    /* N = 2: nccl out-of-place only (the in-place, failed, mpi and p2p rows
     * are not used): 7 sizes x 2 runs + 2 rows of a third run = 16 rows. */
    assert_int_equal(cb_ddp_curve_from_table(&t, NULL, 2, NULL, &c, &src), CB_OK);
    assert_int_equal(src.rows, 16);
    assert_int_equal(src.sizes, 7);
    assert_int_equal(c.n, 7);
    assert_string_equal(src.transport, "nccl");
    assert_string_equal(src.placement, "out-of-place");
    assert_near(src.min_bytes, 1024, 0);
    assert_near(src.max_bytes, 64 << 20, 0);
    /* 1 MiB: runs a (x1.01), b (x1.01 x1.04), c (x1.5) of 20 + 104.8576 us;
     * the median of the three is run b's, as written (%.6g) in the file. */
    assert_near(cb_ddp_curve_time_us(&c, 1 << 20, NULL), 131.15, 1e-9);
    assert_true(c.fit.r2 > 0.999);
    cb_ddp_curve_free(&c);
    /* --transport mpi: the mpi rows. */
    assert_int_equal(cb_ddp_curve_from_table(&t, NULL, 2, "mpi", &c, &src), CB_OK);
    assert_int_equal(src.rows, 7);
    assert_string_equal(src.transport, "mpi");
    assert_near(c.fit.alpha_us, 50, 0.01); /* times are written with 6 digits */
    assert_near(cb_ddp_fit_gbps(&c.fit), 2, 1e-5); /* 5e-4 us/B */
    cb_ddp_curve_free(&c);
    /* N = 3 has no rows. */
    assert_int_equal(cb_ddp_curve_from_table(&t, NULL, 3, NULL, &c, &src), CB_ERR_INPUT);
    assert_int_equal(src.rows, 0);
    int *nodes;
    size_t n;
    assert_int_equal(cb_ddp_table_nodes(&t, NULL, &nodes, &n), CB_OK);
    assert_int_equal(n, 2);
    assert_int_equal(nodes[0], 2);
    assert_int_equal(nodes[1], 4);
    free(nodes);
    assert_int_equal(cb_ddp_table_nodes(&t, "mpi", &nodes, &n), CB_OK);
    assert_int_equal(n, 1);
    free(nodes);
    cb_table_free(&t);

    read_fixture(&t, "one-size.csv");
    assert_int_equal(cb_ddp_curve_from_table(&t, NULL, 3, NULL, &c, &src), CB_ERR_INPUT);
    assert_int_equal(src.rows, 2);
    assert_int_equal(src.sizes, 1);
    cb_ddp_curve_free(&c);
    cb_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddp_curve_fit_exact_line),
        cmocka_unit_test(test_ddp_curve_fit_noisy),
        cmocka_unit_test(test_ddp_curve_fit_bad),
        cmocka_unit_test(test_ddp_curve_median_merge),
        cmocka_unit_test(test_ddp_curve_interpolate_extrapolate),
        cmocka_unit_test(test_ddp_curve_bad),
        cmocka_unit_test(test_ddp_curve_from_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
