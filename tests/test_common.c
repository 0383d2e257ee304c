/* Unit tests of libcbcommon's small modules: sizes, numeric option parsing,
 * statistics, bandwidth factors, errors. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cb_test.h"

#include "cb_bw.h"
#include "cb_error.h"
#include "cb_size.h"
#include "cb_stats.h"
#include "cb_workload.h"

static void test_size_parse_valid(void **state)
{
    (void)state;
    struct { const char *s; uint64_t v; } ok[] = {
        {"8", 8}, {"0", 0}, {"64K", 65536}, {"64k", 65536}, {"1M", 1048576},
        {"4G", 4294967296ull}, {"2T", 2199023255552ull}, {"1KB", 1024}, {"512B", 512},
        {"18446744073709551615", UINT64_MAX}, {"16777215T", 16777215ull << 40},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint64_t v = 1;
        assert_int_equal(cb_size_parse(ok[i].s, &v), CB_OK);
        assert_true(v == ok[i].v);
    }
}

static void test_size_parse_invalid(void **state)
{
    (void)state;
    const char *bad[] = {"", "1Q", "-1", "+1", " 1", "1 ", "1.5M", "K", "M1", "1MM", "1KBB", "0x10", "1e3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t v = 7;
        assert_int_equal(cb_size_parse(bad[i], &v), CB_ERR_USAGE);
        assert_true(v == 7); /* untouched on error */
    }
    uint64_t v;
    assert_int_equal(cb_size_parse("18446744073709551616", &v), CB_ERR_RANGE);
    assert_int_equal(cb_size_parse("16777216T", &v), CB_ERR_RANGE);
    assert_int_equal(cb_size_parse("99999999999999999999999G", &v), CB_ERR_RANGE);
    assert_int_equal(cb_size_parse(NULL, &v), CB_ERR_USAGE);
}

static void test_size_format(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(cb_size_format(65536, b, sizeof b), "64K");
    assert_string_equal(cb_size_format(1 << 20, b, sizeof b), "1M");
    assert_string_equal(cb_size_format(1536, b, sizeof b), "1536");
    assert_string_equal(cb_size_format(3ull << 30, b, sizeof b), "3G");
    assert_string_equal(cb_size_format(7, b, sizeof b), "7");
    /* round trip */
    uint64_t v;
    assert_int_equal(cb_size_parse(cb_size_format(5ull << 40, b, sizeof b), &v), CB_OK);
    assert_true(v == 5ull << 40);
}

static void test_size_parse_numbers(void **state)
{
    (void)state;
    long l;
    double d;
    assert_int_equal(cb_parse_long("42", 0, 100, &l), CB_OK);
    assert_int_equal(l, 42);
    assert_int_equal(cb_parse_long("101", 0, 100, &l), CB_ERR_RANGE);
    assert_int_equal(cb_parse_long("4x", 0, 100, &l), CB_ERR_USAGE);
    assert_int_equal(cb_parse_long("", 0, 100, &l), CB_ERR_USAGE);
    assert_int_equal(cb_parse_double("0.5", 0, 1, &d), CB_OK);
    assert_true(d == 0.5);
    assert_int_equal(cb_parse_double("nan", 0, 1, &d), CB_ERR_USAGE);
    assert_int_equal(cb_parse_double("inf", 0, 1e9, &d), CB_ERR_USAGE);
    assert_int_equal(cb_parse_double("-1", 0, 1, &d), CB_ERR_RANGE);
}

static void test_stats_known_sample(void **state)
{
    (void)state;
    /* 1..10: mean 5.5, median 5.5, sample sd = sqrt(55/6) = 3.0276504,
     * p95 by linear interpolation at position 8.55 = 9.55,
     * ci95 = t(9) 2.262 * sd / sqrt(10) = 2.16574. */
    double x[] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    cb_stats_t st;
    assert_int_equal(cb_stats_compute(x, 10, &st), 0);
    assert_true(st.n == 10);
    assert_double_equal(st.min, 1, 1e-12);
    assert_double_equal(st.max, 10, 1e-12);
    assert_double_equal(st.mean, 5.5, 1e-12);
    assert_double_equal(st.median, 5.5, 1e-12);
    assert_double_equal(st.p95, 9.55, 1e-12);
    assert_double_equal(st.stddev, 3.0276503540974917, 1e-9);
    assert_double_equal(st.ci95, 2.262 * 3.0276503540974917 / sqrt(10.0), 1e-9);
    assert_true(x[0] == 10); /* input untouched */
}

static void test_stats_edge_cases(void **state)
{
    (void)state;
    cb_stats_t st;
    double one = 3.5;
    assert_int_equal(cb_stats_compute(&one, 1, &st), 0);
    assert_double_equal(st.median, 3.5, 0);
    assert_double_equal(st.p95, 3.5, 0);
    assert_double_equal(st.stddev, 0, 0);
    assert_double_equal(st.ci95, 0, 0);
    assert_int_equal(cb_stats_compute(NULL, 0, &st), -1);
    assert_true(isnan(st.mean));
    double odd[] = {3, 1, 2};
    cb_stats_compute(odd, 3, &st);
    assert_double_equal(st.median, 2, 0);
    assert_double_equal(cb_stats_t975(1), 12.706, 1e-9);
    assert_double_equal(cb_stats_t975(30), 2.042, 1e-9);
    assert_true(fabs(cb_stats_t975(1000) - 1.962) < 0.002);
}

static void test_bw_factors(void **state)
{
    (void)state;
    /* nccl-tests: all-reduce busbw = algbw * 2(n-1)/n; send/recv 1. */
    const double ar[] = {0, 1.0, 4.0 / 3, 1.5, 1.6, 5.0 / 3, 12.0 / 7, 1.75};
    for (int n = 1; n <= 8; n++) {
        assert_double_equal(cb_bw_bus_factor(CB_COLL_ALLREDUCE, n), ar[n - 1], 1e-12);
        assert_double_equal(cb_bw_bus_factor(CB_COLL_SENDRECV, n), 1, 0);
        assert_double_equal(cb_bw_alg_factor(CB_COLL_ALLREDUCE, n), 1, 0);
        assert_double_equal(cb_bw_alg_factor(CB_COLL_SENDRECV, n), 1, 0);
    }
    /* 16 MiB in 73.1 ms on 2 ranks (osu_allreduce in facts.md):
     * algbw = 16777216 / 0.0731 / 1e9 = 0.22951 GB/s, busbw the same x1. */
    double alg = cb_bw_algbw_gbps(CB_COLL_ALLREDUCE, 16777216, 73100, 2);
    assert_double_equal(alg, 16777216 / 0.0731 / 1e9, 1e-9);
    assert_double_equal(alg * cb_bw_bus_factor(CB_COLL_ALLREDUCE, 2), alg, 1e-12);
    assert_double_equal(cb_bw_algbw_gbps(CB_COLL_ALLREDUCE, 1e9, 0, 2), 0, 0);
}

static void test_error_codes(void **state)
{
    (void)state;
    assert_int_equal(cb_error_exit_code(CB_OK), 0);
    assert_int_equal(cb_error_exit_code(CB_ERR_USAGE), 2);
    assert_int_equal(cb_error_exit_code(CB_ERR_INPUT), 2);
    assert_int_equal(cb_error_exit_code(CB_ERR_IO), 3);
    assert_int_equal(cb_error_exit_code(CB_ERR_CHECK), 3);
    for (int e = CB_ERR_INTERNAL; e <= CB_OK; e++)
        assert_true(strcmp(cb_strerror(e), "unknown error") != 0);
    assert_string_equal(cb_strerror(-999), "unknown error");
}

static void test_error_errf(void **state)
{
    (void)state;
    char b[16];
    assert_int_equal(cb_errf(b, sizeof b, CB_ERR_USAGE, "%s '%d'", "-n", 7), CB_ERR_USAGE);
    assert_string_equal(b, "-n '7'");
    assert_int_equal(cb_errf(b, sizeof b, CB_ERR_IO, "%s", "a message longer than 16"), CB_ERR_IO);
    assert_string_equal(b, "a message longe"); /* truncated, terminated */
    assert_int_equal(cb_errf(NULL, 0, CB_ERR_INPUT, "x"), CB_ERR_INPUT);
    b[0] = 'z';
    assert_int_equal(cb_errf(b, 0, CB_OK, "x"), CB_OK);
    assert_int_equal(b[0], 'z');
}

static void test_stats_median(void **state)
{
    (void)state;
    double odd[] = {5, 1, 4, 2, 3};
    assert_double_equal(cb_stats_median(odd, 5), 3, 0);
    for (size_t i = 1; i < 5; i++)
        assert_true(odd[i - 1] <= odd[i]); /* sorted in place */
    double even[] = {4, 1, 3, 2};
    assert_double_equal(cb_stats_median(even, 4), 2.5, 0);
    double one[] = {7.25};
    assert_double_equal(cb_stats_median(one, 1), 7.25, 0);
    double two[] = {0.1, 0.7};
    assert_double_equal(cb_stats_median(two, 2), (0.1 + 0.7) / 2, 0);
    assert_true(isnan(cb_stats_median(NULL, 0)));
}

static void test_size_human(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(cb_size_human(0, b, sizeof b), "0 B");
    assert_string_equal(cb_size_human(1023, b, sizeof b), "1023 B");
    assert_string_equal(cb_size_human(1024, b, sizeof b), "1 KiB");
    assert_string_equal(cb_size_human(1536, b, sizeof b), "1.5 KiB");
    assert_string_equal(cb_size_human(102226128, b, sizeof b), "97.49 MiB");
    assert_string_equal(cb_size_human(4294967296.0, b, sizeof b), "4 GiB");
    assert_string_equal(cb_size_human(1099511627776.0 * 3, b, sizeof b), "3 TiB");
    assert_string_equal(cb_size_human(1125899906842624.0 * 2048, b, sizeof b), "2048 PiB");
}

static void test_workload_parse_params(void **state)
{
    (void)state;
    struct { const char *s; uint64_t v; } ok[] = {
        {"25557032", 25557032}, {"110M", 110000000}, {"1.1B", 1100000000}, {"1.1g", 1100000000},
        {"2k", 2000}, {"1T", 1000000000000ull}, {"1e15", 1000000000000000ull}, {"1.4", 1},
    };
    char err[128];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint64_t v = 0;
        assert_int_equal(cb_workload_parse_params(ok[i].s, &v, err, sizeof err), CB_OK);
        assert_true(v == ok[i].v);
    }
    struct { const char *s, *msg; } bad[] = {
        {"", "--params '': not a parameter count"},
        {"abc", "--params 'abc': not a parameter count (e.g. 25557032, 110M, 1.1B)"},
        {"M", "--params 'M': not a parameter count (e.g. 25557032, 110M, 1.1B)"},
        {"0.4", "--params '0.4': must be >= 1"},
        {"-5", "--params '-5': must be >= 1"},
        {"2000T", "--params '2000T': out of range (at most 1e15)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t v = 9;
        assert_int_equal(cb_workload_parse_params(bad[i].s, &v, err, sizeof err), CB_ERR_USAGE);
        assert_string_equal(err, bad[i].msg);
        assert_true(v == 9);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_size_parse_valid),   cmocka_unit_test(test_size_parse_invalid),
        cmocka_unit_test(test_size_format),        cmocka_unit_test(test_size_parse_numbers),
        cmocka_unit_test(test_stats_known_sample), cmocka_unit_test(test_stats_edge_cases),
        cmocka_unit_test(test_bw_factors),         cmocka_unit_test(test_error_codes),
        cmocka_unit_test(test_error_errf),         cmocka_unit_test(test_stats_median),
        cmocka_unit_test(test_size_human),         cmocka_unit_test(test_workload_parse_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
