/* cb_stats: summary statistics over timing samples (microseconds or any unit). */
#ifndef CB_STATS_H
#define CB_STATS_H

#include <stddef.h>

typedef struct cb_stats {
    size_t n;
    double min, median, mean, p95, max;
    double stddev; /* sample standard deviation (n-1); 0 when n < 2 */
    double ci95;   /* half-width of the 95% confidence interval of the mean
                      (Student t, n-1 degrees of freedom); 0 when n < 2 */
} cb_stats_t;

/* Compute over n samples (not modified; n may be 0 → all NaN, returns -1).
 * Percentiles by linear interpolation between closest ranks. */
int cb_stats_compute(const double *samples, size_t n, cb_stats_t *out);

/* Percentile p in [0,100] of sorted samples, linear interpolation. */
double cb_stats_percentile_sorted(const double *sorted, size_t n, double p);

/* Median of v[0..n) (the mean of the two middle values when n is even);
 * sorts v in place (qsort). NaN when n == 0. */
double cb_stats_median(double *v, size_t n);

/* Two-sided 97.5% quantile of Student's t with df degrees of freedom. */
double cb_stats_t975(size_t df);

#endif
