/* Helpers shared by the cmocka tests (cmocka 1.1 has no double assertion). */
#ifndef CB_TEST_H
#define CB_TEST_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

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
