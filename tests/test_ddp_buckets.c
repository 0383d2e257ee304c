/* test_ddp_buckets: DDP's bucket plan (first bucket, full buckets, the
 * remainder) and the config checks of common/cb_ddp.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "cb_ddp.h"
#include "cb_error.h"

#define MiB ((uint64_t)1 << 20)

static void plan_is(uint64_t g, uint64_t first, uint64_t bucket, const uint64_t *want, size_t n)
{
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, g);
    cfg.first_bucket_bytes = first;
    cfg.bucket_bytes = bucket;
    uint64_t *s;
    size_t got;
    assert_int_equal(cb_ddp_bucket_plan(&cfg, &s, &got), CB_OK);
    assert_int_equal(got, n);
    assert_int_equal(cb_ddp_bucket_count(&cfg), n);
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(s[i], want[i]);
        assert_int_equal(cb_ddp_bucket_size(&cfg, i), want[i]);
        sum += s[i];
    }
    assert_int_equal(sum, g);
    assert_int_equal(cb_ddp_bucket_size(&cfg, n), 0); /* past the end */
    free(s);
}

static void test_ddp_buckets_100mib(void **state)
{
    (void)state;
    /* 100 MiB = 1 + 25 + 25 + 25 + 24 (remainder) MiB. */
    const uint64_t want[] = {1 * MiB, 25 * MiB, 25 * MiB, 25 * MiB, 24 * MiB};
    plan_is(100 * MiB, MiB, 25 * MiB, want, 5);
}

static void test_ddp_buckets_smaller_than_first(void **state)
{
    (void)state;
    const uint64_t want[] = {512 * 1024};
    plan_is(512 * 1024, MiB, 25 * MiB, want, 1);
    const uint64_t one[] = {1};
    plan_is(1, MiB, 25 * MiB, one, 1);
    const uint64_t exact_first[] = {MiB}; /* G = first bucket: one bucket */
    plan_is(MiB, MiB, 25 * MiB, exact_first, 1);
    const uint64_t first_plus_1[] = {MiB, 1};
    plan_is(MiB + 1, MiB, 25 * MiB, first_plus_1, 2);
}

static void test_ddp_buckets_exact_multiples(void **state)
{
    (void)state;
    /* 1 + 3 x 25 = 76 MiB: no remainder bucket. */
    const uint64_t want[] = {MiB, 25 * MiB, 25 * MiB, 25 * MiB};
    plan_is(76 * MiB, MiB, 25 * MiB, want, 4);
    /* 26 MiB: first + one full bucket. */
    const uint64_t two[] = {MiB, 25 * MiB};
    plan_is(26 * MiB, MiB, 25 * MiB, two, 2);
    /* 27 MiB: first + 25 + 1. */
    const uint64_t three[] = {MiB, 25 * MiB, MiB};
    plan_is(27 * MiB, MiB, 25 * MiB, three, 3);
    /* Uniform buckets: first = bucket = 10, G = 30 -> 10, 10, 10. */
    const uint64_t uni[] = {10, 10, 10};
    plan_is(30, 10, 10, uni, 3);
}

static void test_ddp_buckets_large(void **state)
{
    (void)state;
    /* 1 GiB of fp32 gradients: 1 MiB + 40 x 25 MiB + 23 MiB = 1024 MiB. */
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, 1024 * MiB);
    assert_int_equal(cb_ddp_bucket_count(&cfg), 42);
    assert_int_equal(cb_ddp_bucket_size(&cfg, 0), MiB);
    assert_int_equal(cb_ddp_bucket_size(&cfg, 40), 25 * MiB);
    assert_int_equal(cb_ddp_bucket_size(&cfg, 41), 23 * MiB);
}

static void test_ddp_buckets_bad_config(void **state)
{
    (void)state;
    cb_ddp_config_t cfg;
    uint64_t *s = (uint64_t *)1;
    size_t n = 7;
    cb_ddp_config_default(&cfg, 0);
    assert_int_equal(cb_ddp_config_check(&cfg), CB_ERR_USAGE);
    assert_int_equal(cb_ddp_bucket_plan(&cfg, &s, &n), CB_ERR_USAGE);
    assert_null(s);
    assert_int_equal(n, 0);
    cb_ddp_config_default(&cfg, 100);
    assert_int_equal(cb_ddp_config_check(&cfg), CB_OK);
    cfg.bucket_bytes = 0;
    assert_int_equal(cb_ddp_config_check(&cfg), CB_ERR_USAGE);
    cb_ddp_config_default(&cfg, 100);
    cfg.first_bucket_bytes = 0;
    assert_int_equal(cb_ddp_config_check(&cfg), CB_ERR_USAGE);
    cb_ddp_config_default(&cfg, 100);
    cfg.bwd_frac = -0.1;
    assert_int_equal(cb_ddp_config_check(&cfg), CB_ERR_USAGE);
    cfg.bwd_frac = 1.5;
    assert_int_equal(cb_ddp_config_check(&cfg), CB_ERR_USAGE);
    cfg.bwd_frac = 0.0 / 0.0;
    assert_int_equal(cb_ddp_config_check(&cfg), CB_ERR_USAGE);
    cfg.bwd_frac = 0;
    assert_int_equal(cb_ddp_config_check(&cfg), CB_OK);
    cfg.bwd_frac = 1;
    assert_int_equal(cb_ddp_config_check(&cfg), CB_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddp_buckets_100mib),
        cmocka_unit_test(test_ddp_buckets_smaller_than_first),
        cmocka_unit_test(test_ddp_buckets_exact_multiples),
        cmocka_unit_test(test_ddp_buckets_large),
        cmocka_unit_test(test_ddp_buckets_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
