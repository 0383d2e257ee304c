/* Helpers shared by the cmocka tests (cmocka 1.1 has no double assertion). */
#ifndef CB_TEST_H
#define CB_TEST_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

/* The value of a variable ctest gives every test (CB_TEST_DATA, CB_SOURCE_DIR,
 * CB_BIN: cmake/CbTesting.cmake). Unset or empty, the test cannot do what it
 * is for: it fails at once, saying so (exit 1) — never cmocka's skip(), whose
 * group still exits 0 and reads "Passed" in ctest's summary. */
static inline const char *cb_test_env(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v) {
        fprintf(stderr, "FAIL: %s not set: run this test through ctest (it sets CB_TEST_DATA, "
                        "CB_SOURCE_DIR and CB_BIN)\n", name);
        exit(1);
    }
    return v;
}

static inline void cb_assert_double_equal(double a, double b, double eps, const char *ea,
                                          const char *eb, const char *file, int line)
{
    int ok = (isnan(a) && isnan(b)) || fabs(a - b) <= eps;
    if (!ok) {
        print_error("%s = %.17g, expected %s = %.17g (tolerance %g)\n", ea, a, eb, b, eps);
        _fail(file, line);
    }
}
#define assert_double_equal(a, b, eps) \
    cb_assert_double_equal((a), (b), (eps), #a, #b, __FILE__, __LINE__)

#endif
