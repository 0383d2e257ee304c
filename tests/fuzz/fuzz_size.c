/* Fuzz target: the small strict parsers of user-typed values — byte sizes
 * (cb_size_parse, with a round trip through cb_size_format), integers and
 * doubles for options (cb_parse_long/double), Slurm time limits
 * (cb_profile_parse_time_limit) and network kinds. Checks: only the documented
 * return codes; results inside the requested range; sizes survive
 * format -> parse. */
#include "fuzz_util.h"

#include <limits.h>
#include <math.h>

#include "cb_error.h"
#include "cb_profile.h"
#include "cb_size.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 512)
        return 0;
    char *s = fuzz_cstr(data, size);

    uint64_t v = 0;
    int rc = cb_size_parse(s, &v);
    FUZZ_CHECK(rc == CB_OK || rc == CB_ERR_USAGE || rc == CB_ERR_RANGE);
    if (rc == CB_OK) {
        char buf[32];
        uint64_t w = 0;
        cb_size_format(v, buf, sizeof buf);
        FUZZ_CHECK(cb_size_parse(buf, &w) == CB_OK && w == v);
    }

    long l = 0;
    rc = cb_parse_long(s, LONG_MIN, LONG_MAX, &l);
    FUZZ_CHECK(rc == CB_OK || rc == CB_ERR_USAGE || rc == CB_ERR_RANGE);
    rc = cb_parse_long(s, -7, 4096, &l);
    FUZZ_CHECK(rc != CB_OK || (l >= -7 && l <= 4096));

    double d = 0;
    rc = cb_parse_double(s, -1e300, 1e300, &d);
    FUZZ_CHECK(rc == CB_OK || rc == CB_ERR_USAGE || rc == CB_ERR_RANGE);
    FUZZ_CHECK(rc != CB_OK || (isfinite(d) && d >= -1e300 && d <= 1e300));
    rc = cb_parse_double(s, 0, 604800, &d);
    FUZZ_CHECK(rc != CB_OK || (d >= 0 && d <= 604800));

    long secs = 0;
    rc = cb_profile_parse_time_limit(s, &secs);
    FUZZ_CHECK(rc == CB_OK || rc == CB_ERR_INPUT || rc == CB_ERR_RANGE);
    FUZZ_CHECK(rc != CB_OK || (secs > 0 && secs <= 365L * 86400));

    cb_net_kind_t k;
    if (cb_net_kind_parse(s, &k) == CB_OK)
        FUZZ_CHECK(cb_net_kind_name(k) && !strcmp(cb_net_kind_name(k), s));

    free(s);
    return 0;
}
