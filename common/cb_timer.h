/* cb_timer: monotonic wall clock in microseconds and a precise wait. */
#ifndef CB_TIMER_H
#define CB_TIMER_H

/* CLOCK_MONOTONIC in microseconds (arbitrary origin). */
double cb_timer_now_us(void);
/* Wait `us` microseconds: sleep for most of it, spin the last stretch, so the
 * wait ends within a few microseconds of the target. us <= 0 returns at once. */
void cb_timer_wait_us(double us);
/* UTC time as ISO 8601 "2026-11-22T10:00:00Z" into buf (>= 21 bytes). */
void cb_timer_utc_iso(char *buf, unsigned long len);

#endif
