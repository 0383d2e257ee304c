/* Unit tests of the GPU spec table (common/cb_gpuspec.h): lookup by device
 * name and compute capability, the figures the table promises, efficiency
 * arithmetic and PCIe line rates. No GPU. */
#include <math.h>
#include <string.h>

#include "cb_test.h"

#include "cb_gpuspec.h"

static const char *lookup_name(const char *dev, int maj, int min)
{
    const cb_gpuspec_t *s = cb_gpuspec_lookup(dev, maj, min);
    return s ? s->name : "(none)";
}

static void test_gpuspec_lookup_by_name(void **state)
{
    (void)state;
    struct { const char *dev; int maj, min; const char *expect; } cases[] = {
        {"NVIDIA H100 80GB HBM3", 9, 0, "H100 SXM"},
        {"NVIDIA H100 PCIe", 9, 0, "H100 PCIe"},
        {"NVIDIA H100 NVL", 9, 0, "H100 NVL"},
        {"NVIDIA H200", 9, 0, "H200 SXM"},
        {"NVIDIA H200 NVL", 9, 0, "H200 NVL"},
        {"NVIDIA A100-SXM4-80GB", 8, 0, "A100 SXM 80GB"},
        {"NVIDIA A100-SXM4-40GB", 8, 0, "A100 SXM 40GB"},
        {"NVIDIA A100 80GB PCIe", 8, 0, "A100 PCIe 80GB"},
        {"NVIDIA A100-PCIE-40GB", 8, 0, "A100 PCIe 40GB"},
        {"NVIDIA L40S", 8, 9, "L40S"},
        {"NVIDIA GeForce RTX 4090", 8, 9, "RTX 4090"},
        {"NVIDIA GeForce RTX 5090", 12, 0, "RTX 5090"},
        {"nvidia geforce rtx 5090", 12, 0, "RTX 5090"}, /* case-insensitive */
        /* not in the table: never guessed */
        {"NVIDIA GH200 480GB", 9, 0, "(none)"},
        {"NVIDIA L40", 8, 9, "(none)"},
        {"NVIDIA GeForce RTX 4090 Laptop GPU", 8, 9, "(none)"},
        {"NVIDIA GeForce RTX 4090 D", 8, 9, "(none)"},
        {"Tesla V100-SXM2-32GB", 7, 0, "(none)"},
        {"NVIDIA B200", 10, 0, "(none)"},
        {"", 9, 0, "(none)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = lookup_name(cases[i].dev, cases[i].maj, cases[i].min);
        if (strcmp(got, cases[i].expect))
            print_error("'%s' cc %d.%d: got %s, expected %s\n", cases[i].dev, cases[i].maj,
                        cases[i].min, got, cases[i].expect);
        assert_string_equal(got, cases[i].expect);
    }
    assert_null(cb_gpuspec_lookup(NULL, 9, 0));
}

static void test_gpuspec_lookup_compute_capability(void **state)
{
    (void)state;
    /* a name that matches but whose compute capability contradicts the entry */
    assert_null(cb_gpuspec_lookup("NVIDIA H100 80GB HBM3", 8, 0));
    assert_null(cb_gpuspec_lookup("NVIDIA GeForce RTX 5090", 8, 9));
    /* compute capability unknown (-1): the name alone decides */
    assert_string_equal(lookup_name("NVIDIA H100 80GB HBM3", -1, 0), "H100 SXM");

    /* a synthetic table where only the compute capability tells entries apart,
     * and where a more specific entry beats a general one */
    static const cb_gpuspec_t t[] = {
        {.name = "X1 Ampere", .match = {"X1"}, .cc_major = 8, .cc_minor = 0, .source = "test"},
        {.name = "X1 Hopper", .match = {"X1"}, .cc_major = 9, .cc_minor = 0, .source = "test"},
        {.name = "X2", .match = {"X2"}, .cc_major = 9, .cc_minor = 0, .source = "test"},
        {.name = "X2 Pro", .match = {"X2", "Pro"}, .cc_major = 9, .cc_minor = 0, .source = "test"},
        {.name = "empty", .cc_major = 9, .cc_minor = 0, .source = "matches nothing"},
    };
    const size_t n = sizeof t / sizeof t[0];
    const cb_gpuspec_t *s = cb_gpuspec_lookup_in(t, n, "Vendor X1", 9, 0);
    assert_non_null(s);
    assert_string_equal(s->name, "X1 Hopper");
    s = cb_gpuspec_lookup_in(t, n, "Vendor X1", 8, 0);
    assert_non_null(s);
    assert_string_equal(s->name, "X1 Ampere");
    assert_null(cb_gpuspec_lookup_in(t, n, "Vendor X1", -1, 0)); /* ambiguous: not guessed */
    assert_null(cb_gpuspec_lookup_in(t, n, "Vendor X1", 8, 6));
    s = cb_gpuspec_lookup_in(t, n, "Vendor X2 Pro", 9, 0);
    assert_non_null(s);
    assert_string_equal(s->name, "X2 Pro");
    s = cb_gpuspec_lookup_in(t, n, "Vendor X2", 9, 0);
    assert_non_null(s);
    assert_string_equal(s->name, "X2");
    assert_null(cb_gpuspec_lookup_in(t, n, "Something else", 9, 0));
}

static void test_gpuspec_figures(void **state)
{
    (void)state;
    struct { const char *dev; int maj, min; double mem, fp32, bf16; } f[] = {
        {"NVIDIA H100 80GB HBM3", 9, 0, 3350, 67, 989},
        {"NVIDIA H100 PCIe", 9, 0, 2000, 51, 756},
        {"NVIDIA H200", 9, 0, 4800, 67, 989},
        {"NVIDIA A100-SXM4-80GB", 8, 0, 2039, 19.5, 312},
        {"NVIDIA A100 80GB PCIe", 8, 0, 1935, 19.5, 312},
        {"NVIDIA L40S", 8, 9, 864, 91.6, 362.05},
        {"NVIDIA GeForce RTX 4090", 8, 9, 1008, 82.6, 165.2},
        {"NVIDIA GeForce RTX 5090", 12, 0, 1792, 104.8, 209.5},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        const cb_gpuspec_t *s = cb_gpuspec_lookup(f[i].dev, f[i].maj, f[i].min);
        assert_non_null(s);
        assert_double_equal(cb_gpuspec_value(s, CB_GPUSPEC_MEM_BW), f[i].mem, 1e-9);
        assert_double_equal(cb_gpuspec_value(s, CB_GPUSPEC_FP32), f[i].fp32, 1e-9);
        assert_double_equal(cb_gpuspec_value(s, CB_GPUSPEC_BF16), f[i].bf16, 1e-9);
    }
    const cb_gpuspec_t *a100 = cb_gpuspec_lookup("NVIDIA A100-SXM4-80GB", 8, 0);
    assert_double_equal(cb_gpuspec_value(a100, CB_GPUSPEC_TF32), 156, 0);
    assert_double_equal(cb_gpuspec_value(a100, CB_GPUSPEC_FP8), 0, 0); /* no FP8 on Ampere */
    assert_double_equal(cb_gpuspec_value(NULL, CB_GPUSPEC_BF16), 0, 0);

    /* every entry: named, sourced, matchable, sane */
    size_t n = 0;
    const cb_gpuspec_t *t = cb_gpuspec_table(&n);
    assert_true(n >= 10);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(t[i].name);
        assert_non_null(t[i].match[0]);
        assert_non_null(t[i].source);
        assert_true(strlen(t[i].source) > 20);
        assert_true(t[i].mem_bw_gbps > 0 && t[i].fp32_tflops > 0);
        assert_true(t[i].bf16_tflops >= t[i].fp32_tflops);
        assert_true(t[i].fp8_tflops == 0 || t[i].fp8_tflops >= t[i].bf16_tflops);
        assert_true(t[i].cc_major >= 8);
        for (int m = 0; m < CB_GPUSPEC_NMETRICS; m++)
            assert_true(cb_gpuspec_value(&t[i], (cb_gpuspec_metric_t)m) >= 0);
    }
}

static void test_gpuspec_efficiency(void **state)
{
    (void)state;
    assert_double_equal(cb_gpuspec_efficiency(500, 1000), 0.5, 1e-15);
    assert_double_equal(cb_gpuspec_efficiency(712, 989), 712.0 / 989.0, 1e-15);
    assert_double_equal(cb_gpuspec_efficiency(3000, 3350), 0.8955223880597015, 1e-12);
    assert_double_equal(cb_gpuspec_efficiency(1100, 1000), 1.1, 1e-15); /* above spec is shown */
    assert_double_equal(cb_gpuspec_efficiency(0, 1000), 0, 0);
    assert_true(isnan(cb_gpuspec_efficiency(100, 0)));   /* no spec figure */
    assert_true(isnan(cb_gpuspec_efficiency(100, -1)));
    assert_true(isnan(cb_gpuspec_efficiency(NAN, 100)));
    assert_true(isnan(cb_gpuspec_efficiency(-1, 100)));
    assert_true(isnan(cb_gpuspec_efficiency(100, INFINITY)));
}

static void test_gpuspec_pcie(void **state)
{
    (void)state;
    assert_double_equal(cb_gpuspec_pcie_gbps(16, 16), 16.0 * 16 * 128 / 130 / 8, 1e-12);
    assert_double_equal(cb_gpuspec_pcie_gbps(16, 16), 31.5077, 1e-4);
    assert_double_equal(cb_gpuspec_pcie_gbps(32, 16), 63.0154, 1e-4);
    assert_double_equal(cb_gpuspec_pcie_gbps(8, 16), 15.7538, 1e-4);
    assert_double_equal(cb_gpuspec_pcie_gbps(5, 8), 4.0, 1e-12);   /* 8b/10b */
    assert_double_equal(cb_gpuspec_pcie_gbps(2.5, 1), 0.25, 1e-12);
    assert_double_equal(cb_gpuspec_pcie_gbps(64, 16), 128, 1e-12);
    assert_true(isnan(cb_gpuspec_pcie_gbps(7, 16)));
    assert_true(isnan(cb_gpuspec_pcie_gbps(16, 0)));
    assert_int_equal(cb_gpuspec_pcie_gen(2.5), 1);
    assert_int_equal(cb_gpuspec_pcie_gen(32.0), 5);
    assert_int_equal(cb_gpuspec_pcie_gen(0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gpuspec_lookup_by_name),
        cmocka_unit_test(test_gpuspec_lookup_compute_capability),
        cmocka_unit_test(test_gpuspec_figures),
        cmocka_unit_test(test_gpuspec_efficiency),
        cmocka_unit_test(test_gpuspec_pcie),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
