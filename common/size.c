/* cb_size: strict parsing of byte sizes and numeric option values. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_size.h"

int cb_size_parse(const char *s, uint64_t *out)
{
    if (!s || !*s || !isdigit((unsigned char)s[0]))
        return CB_ERR_USAGE;
    uint64_t v = 0;
    const char *p = s;
    for (; isdigit((unsigned char)*p); p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return CB_ERR_RANGE;
        v = v * 10 + d;
    }
    unsigned shift = 0;
    switch (toupper((unsigned char)*p)) {
    case '\0': break;
    case 'B': shift = 0; p++; break;
    case 'K': shift = 10; p++; break;
    case 'M': shift = 20; p++; break;
    case 'G': shift = 30; p++; break;
    case 'T': shift = 40; p++; break;
    default: return CB_ERR_USAGE;
    }
    if (shift && (*p == 'B' || *p == 'b'))
        p++;
    if (*p)
        return CB_ERR_USAGE;
    if (shift && v > (UINT64_MAX >> shift))
        return CB_ERR_RANGE;
    *out = v << shift;
    return CB_OK;
}

char *cb_size_format(uint64_t bytes, char *buf, size_t len)
{
    static const char units[] = {'T', 'G', 'M', 'K'};
    static const unsigned shifts[] = {40, 30, 20, 10};
    for (size_t i = 0; i < sizeof shifts / sizeof shifts[0]; i++) {
        uint64_t unit = (uint64_t)1 << shifts[i];
        if (bytes >= unit && bytes % unit == 0) {
            snprintf(buf, len, "%llu%c", (unsigned long long)(bytes >> shifts[i]), units[i]);
            return buf;
        }
    }
    snprintf(buf, len, "%llu", (unsigned long long)bytes);
    return buf;
}

int cb_parse_long(const char *s, long min, long max, long *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return CB_ERR_USAGE;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end)
        return CB_ERR_USAGE;
    if (errno == ERANGE || v < min || v > max)
        return CB_ERR_RANGE;
    *out = v;
    return CB_OK;
}

int cb_parse_double(const char *s, double min, double max, double *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return CB_ERR_USAGE;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end)
        return CB_ERR_USAGE;
    if (!isfinite(v))
        return CB_ERR_USAGE;
    if (errno == ERANGE || v < min || v > max)
        return CB_ERR_RANGE;
    *out = v;
    return CB_OK;
}

char *cb_size_human(double bytes, char *buf, size_t len)
{
    static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int i = 0;
    while (bytes >= 1024 && i < 5) {
        bytes /= 1024;
        i++;
    }
    if (i == 0)
        snprintf(buf, len, "%.0f B", bytes);
    else
        snprintf(buf, len, "%.4g %s", bytes, u[i]);
    return buf;
}
