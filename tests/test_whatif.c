/* test_whatif: the what-if table (common/whatif.c) on a curve whose answers
 * follow by hand: T_ar(s) = 10 us + 1 us/MiB, one bucket (ready when backward
 * ends), so T_N = T1 + 10 + G/MiB on 2 nodes. Each lever's row, the gain
 * over today, the inverse rows exact at their solution and "never", the
 * warnings (extrapolated nodes and sizes, link beyond the confirmed range,
 * poor fit) and bad input. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_test.h"
#include "cb_whatif.h"

#define MiB ((uint64_t)1 << 20)

static void curve_of(cb_ddp_curve_t *c, const double *mib, const double *t, size_t n)
{
    double b[8];
    for (size_t i = 0; i < n; i++)
        b[i] = mib[i] * (double)MiB;
    assert_int_equal(cb_ddp_curve_init(c, b, t, n), CB_OK);
}

static void one_bucket_cfg(cb_ddp_config_t *cfg, uint64_t g)
{
    cb_ddp_config_default(cfg, g);
    cfg->first_bucket_bytes = cfg->bucket_bytes = 1024 * MiB;
}

static const double factors[] = {4, 10, 40};
static const int ks[] = {2, 4, 8};
static const int extra[] = {4, 8};

static void input_of(cb_whatif_input_t *in, cb_whatif_measured_t *m, const cb_ddp_curve_t *c,
                     double threshold)
{
    m->nodes = 2;
    m->curve = c;
    one_bucket_cfg(&m->cfg, MiB);
    memset(in, 0, sizeof *in);
    in->measured = m;
    in->nmeasured = 1;
    in->nodes = 2;
    in->step_us = 100;
    in->threshold = threshold;
    in->grad_fp32 = 1;
    in->extra_cfg = m->cfg;
    in->link_factors = factors;
    in->nlink = 3;
    in->ks = ks;
    in->nk = 3;
    in->extra_nodes = extra;
    in->nextra = 2;
}

static const cb_whatif_row_t *row_named(const cb_whatif_row_t *r, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(r[i].name, name))
            return &r[i];
    fail_msg("no row %s", name);
    return NULL;
}

static void test_whatif_levers(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    const double mib[] = {0, 1024}, t[] = {10, 1034};
    curve_of(&c, mib, t, 2);
    cb_whatif_input_t in;
    cb_whatif_measured_t m;
    input_of(&in, &m, &c, 0.9);
    cb_whatif_row_t *r;
    size_t n;
    assert_int_equal(cb_whatif_table(&in, &r, &n), CB_OK);
    /* today, 3 links, half, 3 k, 2 node counts, 3 + 3 + 3 combos, 3 inverse */
    assert_int_equal(n, 22);
    const cb_whatif_row_t *x = row_named(r, n, "today");
    assert_int_equal(x->kind, CB_WHATIF_TODAY);
    assert_double_equal(x->ddp_step_us, 111, 1e-9);
    assert_double_equal(x->speedup, 200.0 / 111, 1e-12);
    assert_double_equal(x->gain, 1, 0);
    assert_int_equal(x->verdict, CB_DDP_USE_DDP); /* 90.1% >= 90% */
    assert_int_equal(x->warn, 0);
    x = row_named(r, n, "link_x4"); /* 10 + 1/4 */
    assert_double_equal(x->ddp_step_us, 110.25, 1e-9);
    assert_double_equal(x->gain, 111 / 110.25, 1e-12);
    assert_int_equal(x->warn, 0);
    x = row_named(r, n, "link_x40"); /* beyond x25: said */
    assert_double_equal(x->ddp_step_us, 110.025, 1e-9);
    assert_int_equal(x->warn, CB_WHATIF_WARN_LINK_UNCONFIRMED);
    x = row_named(r, n, "half");
    assert_int_equal(x->grad_bytes, MiB / 2);
    assert_double_equal(x->ddp_step_us, 110.5, 1e-9);
    x = row_named(r, n, "k4"); /* 3 x 100 + 111 against 400 */
    assert_double_equal(x->ddp_step_us, 411, 1e-9);
    assert_double_equal(x->step_us, 400, 0);
    assert_double_equal(x->efficiency, 400.0 / 411, 1e-12);
    /* 4 nodes by the ring model from 2: latency x3, bandwidth part x1.5. */
    x = row_named(r, n, "nodes4");
    assert_int_equal(x->kind, CB_WHATIF_NODES);
    assert_double_equal(x->ddp_step_us, 100 + 30 + 1.5, 1e-9);
    assert_double_equal(x->speedup, 400 / 131.5, 1e-12);
    assert_int_equal(x->warn, CB_WHATIF_WARN_NODES_EXTRAP);
    x = row_named(r, n, "link_x10+half"); /* 10 + 0.5/10 */
    assert_double_equal(x->ddp_step_us, 110.05, 1e-9);
    x = row_named(r, n, "half+k2"); /* 100 + 110.5 against 200 */
    assert_double_equal(x->ddp_step_us, 210.5, 1e-9);
    x = row_named(r, n, "link_x4+k8");
    assert_double_equal(x->ddp_step_us, 700 + 110.25, 1e-9);
    /* Inverse at 90%: T_N <= 111.1: link 10 + 1/f <= 11.1 -> f = 0.9, exactly
     * 90% there; G <= 1.111 MiB; k = 1 already. */
    x = row_named(r, n, "min_link");
    assert_int_equal(x->kind, CB_WHATIF_INVERSE);
    assert_double_equal(x->link_factor, 0.9, 1e-7);
    assert_double_equal(x->efficiency, 0.9, 1e-7);
    assert_true(x->efficiency >= 0.9);
    x = row_named(r, n, "max_grad");
    double gmax = (100 / 0.9 - 110) * (double)MiB;
    assert_true(fabs((double)x->grad_bytes - gmax) <= 1);
    assert_true(x->efficiency >= 0.9);
    x = row_named(r, n, "min_k");
    assert_int_equal(x->k, 1);
    free(r);
    cb_ddp_curve_free(&c);
}

static void test_whatif_inverse_never(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    const double mib[] = {0, 1024}, t[] = {10, 1034};
    curve_of(&c, mib, t, 2);
    cb_whatif_input_t in;
    cb_whatif_measured_t m;
    /* 95% needs T_N <= 105.3: the 10 us latency alone is too much for any
     * link and any G; k: 0.95 x 11 / (0.05 x 100) = 2.09 -> 3 (k = 2 gives
     * 200/211 = 94.8%, k = 3 gives 300/311 = 96.5%). */
    input_of(&in, &m, &c, 0.95);
    cb_whatif_row_t *r;
    size_t n;
    assert_int_equal(cb_whatif_table(&in, &r, &n), CB_OK);
    const cb_whatif_row_t *x = row_named(r, n, "min_link");
    assert_true(isinf(x->link_factor));
    assert_int_equal(x->warn, CB_WHATIF_WARN_NEVER);
    assert_true(isnan(x->efficiency));
    x = row_named(r, n, "max_grad");
    assert_int_equal(x->grad_bytes, 0);
    assert_int_equal(x->warn, CB_WHATIF_WARN_NEVER);
    x = row_named(r, n, "min_k");
    assert_int_equal(x->k, 3);
    assert_double_equal(x->efficiency, 300.0 / 311, 1e-12);
    assert_int_equal(row_named(r, n, "today")->verdict, CB_DDP_TIME_TO_RESULT);
    free(r);
    /* Monotone: a higher target never needs a slower link or allows larger
     * gradients. */
    double prev_f = 0;
    uint64_t prev_g = UINT64_MAX;
    for (double e = 0.5; e < 0.9001; e += 0.1) {
        in.threshold = e;
        assert_int_equal(cb_whatif_table(&in, &r, &n), CB_OK);
        x = row_named(r, n, "min_link");
        assert_true(x->link_factor >= prev_f);
        prev_f = x->link_factor;
        x = row_named(r, n, "max_grad");
        assert_true(x->grad_bytes <= prev_g);
        prev_g = x->grad_bytes;
        free(r);
    }
    cb_ddp_curve_free(&c);
}

static void test_whatif_warnings(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    /* Measured 1..4 MiB only, and far from a line (R^2 < 0.95). */
    const double mib[] = {1, 2, 4}, t[] = {10, 100, 12};
    curve_of(&c, mib, t, 3);
    assert_true(c.fit.r2 < CB_WHATIF_R2_MIN);
    cb_whatif_input_t in;
    cb_whatif_measured_t m;
    input_of(&in, &m, &c, 0.8);
    cb_whatif_row_t row;
    /* Inside the measured sizes, today's link: no fit needed, no warning. */
    assert_int_equal(cb_whatif_eval(&in, 2, 1, 2 * MiB, 1, &row), CB_OK);
    assert_int_equal(row.warn, 0);
    /* A scaled link keeps the fit's latency: the poor fit is said. */
    assert_int_equal(cb_whatif_eval(&in, 2, 4, 2 * MiB, 1, &row), CB_OK);
    assert_int_equal(row.warn, CB_WHATIF_WARN_POOR_FIT);
    /* 8 MiB lies beyond the measured 4 MiB. */
    assert_int_equal(cb_whatif_eval(&in, 2, 1, 8 * MiB, 1, &row), CB_OK);
    assert_int_equal(row.warn, CB_WHATIF_WARN_SIZES_EXTRAP | CB_WHATIF_WARN_POOR_FIT);
    /* x0.04 is confirmed, x0.03 is not. */
    assert_int_equal(cb_whatif_eval(&in, 2, 0.04, 2 * MiB, 1, &row), CB_OK);
    assert_false(row.warn & CB_WHATIF_WARN_LINK_UNCONFIRMED);
    assert_int_equal(cb_whatif_eval(&in, 2, 0.03, 2 * MiB, 1, &row), CB_OK);
    assert_true(row.warn & CB_WHATIF_WARN_LINK_UNCONFIRMED);
    assert_string_equal(cb_whatif_warn_name(CB_WHATIF_WARN_POOR_FIT), "poor-fit");
    assert_true(strlen(cb_whatif_warn_text(CB_WHATIF_WARN_NODES_EXTRAP)) > 0);
    assert_string_equal(cb_whatif_warn_text(1u << 20), "");
    cb_ddp_curve_free(&c);
}

static void test_whatif_bad_input(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    const double mib[] = {0, 1024}, t[] = {10, 1034};
    curve_of(&c, mib, t, 2);
    cb_whatif_input_t in;
    cb_whatif_measured_t m;
    cb_whatif_row_t *r;
    size_t n;
    input_of(&in, &m, &c, 0.8);
    in.nodes = 3; /* not measured */
    assert_int_equal(cb_whatif_table(&in, &r, &n), CB_ERR_USAGE);
    assert_null(r);
    input_of(&in, &m, &c, 0.8);
    const double one[] = {1};
    in.link_factors = one;
    in.nlink = 1;
    assert_int_equal(cb_whatif_table(&in, &r, &n), CB_ERR_USAGE);
    input_of(&in, &m, &c, 0.8);
    const int k1[] = {1};
    in.ks = k1;
    in.nk = 1;
    assert_int_equal(cb_whatif_table(&in, &r, &n), CB_ERR_USAGE);
    input_of(&in, &m, &c, 0.8);
    const int two[] = {2};
    in.extra_nodes = two; /* not beyond the measured 2 */
    in.nextra = 1;
    assert_int_equal(cb_whatif_table(&in, &r, &n), CB_ERR_USAGE);
    input_of(&in, &m, &c, 0);
    assert_int_equal(cb_whatif_table(&in, &r, &n), CB_ERR_USAGE);
    /* Without fp32 gradients there is no half lever. */
    input_of(&in, &m, &c, 0.8);
    in.grad_fp32 = 0;
    in.nlink = in.nk = in.nextra = 0;
    assert_int_equal(cb_whatif_table(&in, &r, &n), CB_OK);
    assert_int_equal(n, 4); /* today and the three inverse rows */
    free(r);
    cb_ddp_curve_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whatif_levers),
        cmocka_unit_test(test_whatif_inverse_never),
        cmocka_unit_test(test_whatif_warnings),
        cmocka_unit_test(test_whatif_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
