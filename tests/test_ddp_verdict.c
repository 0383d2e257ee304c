/* test_ddp_verdict: the verdict's boundaries (exactly at the threshold,
 * exactly speedup 1) and its names. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "cb_ddp.h"

static void test_ddp_verdict_boundaries(void **state)
{
    (void)state;
    /* N = 2, threshold 0.8: speedup 1.6 = efficiency 0.8 exactly -> use. */
    assert_int_equal(cb_ddp_verdict(1.6, 0.8, 0.8), CB_DDP_USE_DDP);
    assert_int_equal(cb_ddp_verdict(1.9, 0.95, 0.8), CB_DDP_USE_DDP);
    /* Just below the threshold but faster: time-to-result only. */
    assert_int_equal(cb_ddp_verdict(1.5998, 0.7999, 0.8), CB_DDP_TIME_TO_RESULT);
    assert_int_equal(cb_ddp_verdict(1.0000001, 0.50000005, 0.8), CB_DDP_TIME_TO_RESULT);
    /* Speedup exactly 1 (break-even): no gain -> stay on one node, even when
     * the threshold is low enough to be met. */
    assert_int_equal(cb_ddp_verdict(1.0, 0.5, 0.8), CB_DDP_STAY_ONE_NODE);
    assert_int_equal(cb_ddp_verdict(1.0, 0.5, 0.5), CB_DDP_STAY_ONE_NODE);
    assert_int_equal(cb_ddp_verdict(0.7, 0.35, 0.8), CB_DDP_STAY_ONE_NODE);
    /* N = 1: speedup 1 by definition. */
    assert_int_equal(cb_ddp_verdict(1.0, 1.0, 0.8), CB_DDP_STAY_ONE_NODE);
    /* Threshold 1: only perfect scaling is "use". */
    assert_int_equal(cb_ddp_verdict(2.0, 1.0, 1.0), CB_DDP_USE_DDP);
    assert_int_equal(cb_ddp_verdict(1.99, 0.995, 1.0), CB_DDP_TIME_TO_RESULT);
    assert_int_equal(cb_ddp_verdict(NAN, NAN, 0.8), CB_DDP_STAY_ONE_NODE);
}

static void test_ddp_verdict_names(void **state)
{
    (void)state;
    assert_string_equal(cb_ddp_verdict_name(CB_DDP_USE_DDP), "use-ddp");
    assert_string_equal(cb_ddp_verdict_name(CB_DDP_TIME_TO_RESULT), "time-to-result-only");
    assert_string_equal(cb_ddp_verdict_name(CB_DDP_STAY_ONE_NODE), "stay-on-one-node");
    assert_string_equal(cb_ddp_verdict_text(CB_DDP_USE_DDP), "use DDP");
    assert_string_equal(cb_ddp_verdict_text(CB_DDP_TIME_TO_RESULT), "DDP only for time-to-result");
    assert_string_equal(cb_ddp_verdict_text(CB_DDP_STAY_ONE_NODE), "stay on one node");
    assert_string_equal(cb_ddp_verdict_name((cb_ddp_verdict_t)42), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddp_verdict_boundaries),
        cmocka_unit_test(test_ddp_verdict_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
