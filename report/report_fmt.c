/* report_fmt: the reporter's number formatting into caller buffers ("—" for
 * NaN, %.4g, percentages, changes, ratios, byte sizes). A leaf: calls no
 * other reporter file. */
#include <math.h>
#include <stdio.h>

#include "cb_size.h"
#include "report_priv.h"

const char *rep_fmt(char *buf, size_t len, double v)
{
    if (!isfinite(v))
        snprintf(buf, len, "%s", isnan(v) ? REP_DASH : v > 0 ? "inf" : "-inf");
    else if (fabs(v) >= 1e4)
        snprintf(buf, len, "%.0f", v);
    else
        snprintf(buf, len, "%.4g", v);
    return buf;
}

const char *rep_fmt_fixed(char *buf, size_t len, double v, int decimals)
{
    if (!isfinite(v))
        return rep_fmt(buf, len, v);
    snprintf(buf, len, "%.*f", decimals, v);
    return buf;
}

const char *rep_fmt_pct(char *buf, size_t len, double frac)
{
    if (!isfinite(frac))
        return rep_fmt(buf, len, NAN);
    snprintf(buf, len, "%.1f%%", 100 * frac);
    return buf;
}

const char *rep_fmt_change(char *buf, size_t len, double pct)
{
    if (!isfinite(pct))
        return rep_fmt(buf, len, NAN);
    snprintf(buf, len, "%+.1f%%", fabs(pct) < 0.05 ? 0.0 : pct);
    return buf;
}

const char *rep_fmt_ratio(char *buf, size_t len, double ratio)
{
    if (!isfinite(ratio))
        return rep_fmt(buf, len, NAN);
    if (fabs(ratio) >= 100)
        snprintf(buf, len, "%.0f\xC3\x97", ratio);
    else
        snprintf(buf, len, "%.3g\xC3\x97", ratio);
    return buf;
}

const char *rep_fmt_bytes(char *buf, size_t len, double bytes)
{
    if (!(bytes >= 0) || bytes > 1.8e19 || bytes != floor(bytes))
        return rep_fmt(buf, len, bytes);
    return cb_size_format((uint64_t)bytes, buf, len);
}

const char *rep_cluster_name(const char *s)
{
    return s && *s ? s : "(no cluster name)";
}
