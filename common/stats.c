/* cb_stats: min/median/mean/p95/max/stddev and the 95% CI of the mean. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_stats.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double cb_stats_median(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double cb_stats_percentile_sorted(const double *sorted, size_t n, double p)
{
    if (n == 0)
        return NAN;
    if (n == 1)
        return sorted[0];
    double pos = p / 100.0 * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    if (lo >= n - 1)
        return sorted[n - 1];
    double frac = pos - (double)lo;
    return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

double cb_stats_t975(size_t df)
{
    /* Student t quantiles (0.975) for df = 1..30; normal beyond with a
     * smooth correction for 30 < df < 120 (error < 0.002). */
    static const double t[] = {
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    if (df == 0)
        return NAN;
    if (df <= 30)
        return t[df - 1];
    return 1.959964 + 2.37 / (double)df;
}

int cb_stats_compute(const double *samples, size_t n, cb_stats_t *out)
{
    out->n = n;
    if (n == 0) {
        out->min = out->median = out->mean = out->p95 = out->max = NAN;
        out->stddev = out->ci95 = NAN;
        return -1;
    }
    double *s = malloc(n * sizeof *s);
    if (!s)
        return -1;
    memcpy(s, samples, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += s[i];
    double mean = sum / (double)n;
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (s[i] - mean) * (s[i] - mean);
    out->min = s[0];
    out->max = s[n - 1];
    out->mean = mean;
    out->median = cb_stats_percentile_sorted(s, n, 50);
    out->p95 = cb_stats_percentile_sorted(s, n, 95);
    out->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
    out->ci95 = n > 1 ? cb_stats_t975(n - 1) * out->stddev / sqrt((double)n) : 0;
    free(s);
    return 0;
}
