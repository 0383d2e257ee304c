/* test_ddp_workload: the model presets and gradient dtypes of
 * common/cb_workload.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cb_error.h"
#include "cb_workload.h"

static void test_ddp_workload_presets(void **state)
{
    (void)state;
    size_t n;
    const cb_workload_t *w = cb_workload_list(&n);
    assert_true(n >= 5);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(w[i].name);
        assert_true(w[i].params > 0);
        assert_true(strlen(w[i].source) > 0);
        assert_ptr_equal(cb_workload_find(w[i].name), &w[i]);
    }
    assert_int_equal(cb_workload_find("resnet50")->params, 25557032);
    assert_int_equal(cb_workload_find("ResNet-50")->params, 25557032);
    assert_int_equal(cb_workload_find("bert-base")->params, 109482240);
    assert_int_equal(cb_workload_find("BERT_base")->params, 109482240);
    assert_int_equal(cb_workload_find("gpt2")->params, 124439808);
    assert_int_equal(cb_workload_find("ViT-B/16")->params, 86567656);
    assert_int_equal(cb_workload_find("vit_b_16")->params, 86567656);
    assert_int_equal(cb_workload_find("tinyllama-1.1b")->params, 1100048384);
    assert_int_equal(cb_workload_find("llm-1b")->params, 1000000000);
    assert_null(cb_workload_find("resnet"));
    assert_null(cb_workload_find(""));
    assert_null(cb_workload_find(NULL));
}

static void test_ddp_workload_dtypes(void **state)
{
    (void)state;
    assert_int_equal(cb_workload_dtype_bytes("fp32"), 4);
    assert_int_equal(cb_workload_dtype_bytes("BF16"), 2);
    assert_int_equal(cb_workload_dtype_bytes("fp16"), 2);
    assert_int_equal(cb_workload_dtype_bytes("fp8"), 0);
    assert_int_equal(cb_workload_dtype_bytes(NULL), 0);
    uint64_t b;
    assert_int_equal(cb_workload_grad_bytes(25557032, "fp32", &b), CB_OK);
    assert_int_equal(b, 102228128);
    assert_int_equal(cb_workload_grad_bytes(1000, "bf16", &b), CB_OK);
    assert_int_equal(b, 2000);
    assert_int_equal(cb_workload_grad_bytes(0, "fp32", &b), CB_ERR_USAGE);
    assert_int_equal(cb_workload_grad_bytes(10, "int4", &b), CB_ERR_USAGE);
    assert_int_equal(cb_workload_grad_bytes(UINT64_MAX / 2, "fp32", &b), CB_ERR_RANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddp_workload_presets),
        cmocka_unit_test(test_ddp_workload_dtypes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
