/* cb_watchdog: deadline thread on CLOCK_MONOTONIC. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cb_error.h"
#include "cb_timer.h"
#include "cb_watchdog.h"

static void *watchdog_main(void *p)
{
    cb_watchdog_t *wd = p;
    pthread_mutex_lock(&wd->mu);
    while (wd->running) {
        if (!wd->armed) {
            pthread_cond_wait(&wd->cv, &wd->mu);
            continue;
        }
        double now = cb_timer_now_us();
        if (now < wd->deadline_us) {
            /* The condvar uses CLOCK_MONOTONIC, the clock of cb_timer_now_us. */
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            double wait_us = wd->deadline_us - now;
            long long ns = (long long)ts.tv_nsec + (long long)(wait_us * 1e3);
            ts.tv_sec += (time_t)(ns / 1000000000LL);
            ts.tv_nsec = (long)(ns % 1000000000LL);
            pthread_cond_timedwait(&wd->cv, &wd->mu, &ts);
            continue;
        }
        char what[sizeof wd->what];
        memcpy(what, wd->what, sizeof what);
        double waited = (now - wd->armed_at_us) / 1e6;
        wd->armed = 0;
        wd->fired = 1;
        pthread_mutex_unlock(&wd->mu);
        wd->fire(wd->arg, what, waited);
        pthread_mutex_lock(&wd->mu);
    }
    pthread_mutex_unlock(&wd->mu);
    return NULL;
}

int cb_watchdog_start(cb_watchdog_t *wd, cb_watchdog_fire_fn fire, void *arg)
{
    memset(wd, 0, sizeof *wd);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&wd->mu, NULL);
    pthread_cond_init(&wd->cv, &ca);
    pthread_condattr_destroy(&ca);
    wd->fire = fire;
    wd->arg = arg;
    wd->running = 1;
    if (pthread_create(&wd->thread, NULL, watchdog_main, wd)) {
        wd->running = 0;
        pthread_cond_destroy(&wd->cv);
        pthread_mutex_destroy(&wd->mu);
        return CB_ERR_INTERNAL;
    }
    return CB_OK;
}

void cb_watchdog_arm(cb_watchdog_t *wd, double timeout_s, const char *what)
{
    if (!wd || !wd->running)
        return;
    pthread_mutex_lock(&wd->mu);
    wd->armed = timeout_s > 0;
    wd->armed_at_us = cb_timer_now_us();
    wd->deadline_us = wd->armed_at_us + timeout_s * 1e6;
    snprintf(wd->what, sizeof wd->what, "%s", what ? what : "");
    pthread_cond_signal(&wd->cv);
    pthread_mutex_unlock(&wd->mu);
}

void cb_watchdog_disarm(cb_watchdog_t *wd)
{
    cb_watchdog_arm(wd, 0, NULL);
}

void cb_watchdog_stop(cb_watchdog_t *wd)
{
    if (!wd || !wd->running)
        return;
    pthread_mutex_lock(&wd->mu);
    wd->running = 0;
    wd->armed = 0;
    pthread_cond_signal(&wd->cv);
    pthread_mutex_unlock(&wd->mu);
    pthread_join(wd->thread, NULL);
    pthread_cond_destroy(&wd->cv);
    pthread_mutex_destroy(&wd->mu);
}
