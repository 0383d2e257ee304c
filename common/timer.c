/* cb_timer: monotonic microsecond clock, precise waits, UTC timestamps. */
#include <time.h>

#include "cb_timer.h"

double cb_timer_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

void cb_timer_wait_us(double us)
{
    if (us <= 0)
        return;
    double end = cb_timer_now_us() + us;
    /* Sleep until ~200 us before the end (sleep overshoots by tens of us),
     * then spin. */
    for (;;) {
        double left = end - cb_timer_now_us();
        if (left <= 200)
            break;
        double nap = left - 200;
        struct timespec ts = {(time_t)(nap / 1e6), (long)((nap - (double)(time_t)(nap / 1e6) * 1e6) * 1e3)};
        nanosleep(&ts, NULL);
    }
    while (cb_timer_now_us() < end)
        ;
}

void cb_timer_utc_iso(char *buf, unsigned long len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
