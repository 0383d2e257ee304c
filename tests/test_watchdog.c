/* Unit tests of cb_watchdog: an armed deadline fires its callback with the
 * description, once per arming; a disarmed deadline never fires; stop is
 * safe. The test waits on the callback's own signal (a condition variable),
 * never on a sleep standing in for synchronisation. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cb_test.h"

#include "cb_timer.h"
#include "cb_watchdog.h"

/* What the callback saw: every firing in order, signalled to the test. */
typedef struct fired {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int count;
    char what[8][64];
    double waited[8];
} fired_t;

static void fired_init(fired_t *f)
{
    memset(f, 0, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
}

static void fired_free(fired_t *f)
{
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
}

static void on_fire(void *arg, const char *what, double waited)
{
    fired_t *f = arg;
    pthread_mutex_lock(&f->mu);
    if (f->count < 8) {
        snprintf(f->what[f->count], sizeof f->what[0], "%s", what);
        f->waited[f->count] = waited;
    }
    f->count++;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

/* Wait (at most limit_s: a bound on a hang, not a timing) until the callback
 * has run `n` times; returns the count then. */
static int wait_count(fired_t *f, int n, double limit_s)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)limit_s;
    pthread_mutex_lock(&f->mu);
    while (f->count < n)
        if (pthread_cond_timedwait(&f->cv, &f->mu, &ts) == ETIMEDOUT)
            break;
    int c = f->count;
    pthread_mutex_unlock(&f->mu);
    return c;
}

static int count_of(fired_t *f)
{
    pthread_mutex_lock(&f->mu);
    int c = f->count;
    pthread_mutex_unlock(&f->mu);
    return c;
}

static void test_watchdog_fires_once_per_arming(void **state)
{
    (void)state;
    fired_t f;
    fired_init(&f);
    cb_watchdog_t wd;
    assert_int_equal(cb_watchdog_start(&wd, on_fire, &f), 0);
    cb_watchdog_arm(&wd, 0.02, "allreduce 64M on rank 2");
    assert_int_equal(wait_count(&f, 1, 60), 1);
    /* Once per arming: a second arming fires next, and nothing came between
     * (a watchdog that stayed armed after firing fires the first one again
     * at once, before this arming). */
    cb_watchdog_arm(&wd, 0.02, "second");
    assert_true(wait_count(&f, 2, 60) >= 2);
    cb_watchdog_stop(&wd); /* joins: the count is final */
    assert_int_equal(f.count, 2);
    assert_string_equal(f.what[0], "allreduce 64M on rank 2");
    assert_string_equal(f.what[1], "second");
    assert_true(f.waited[0] >= 0.02);
    assert_true(f.waited[1] >= 0.02);
    fired_free(&f);
}

static void test_watchdog_disarm_and_rearm(void **state)
{
    (void)state;
    fired_t f;
    fired_init(&f);
    cb_watchdog_t wd;
    assert_int_equal(cb_watchdog_start(&wd, on_fire, &f), 0);
    /* Armed for 20 ms and disarmed at once: well past the deadline (0.3 s
     * after it; the watchdog thread wakes at the deadline) nothing fired. */
    double t0 = cb_timer_now_us();
    cb_watchdog_arm(&wd, 0.02, "disarmed");
    cb_watchdog_disarm(&wd);
    while (cb_timer_now_us() - t0 < 0.32e6)
        cb_timer_wait_us(10000);
    assert_int_equal(count_of(&f), 0);
    /* The thread is alive and watching: a new arming fires, and only it. */
    cb_watchdog_arm(&wd, 0.02, "re-armed");
    assert_true(wait_count(&f, 1, 60) >= 1);
    cb_watchdog_stop(&wd);
    assert_int_equal(f.count, 1);
    assert_string_equal(f.what[0], "re-armed");
    /* Re-arming far out replaces a short deadline; stopping joins before it. */
    fired_t g;
    fired_init(&g);
    assert_int_equal(cb_watchdog_start(&wd, on_fire, &g), 0);
    cb_watchdog_arm(&wd, 0.02, "short");
    cb_watchdog_arm(&wd, 3600, "re-armed far out");
    t0 = cb_timer_now_us();
    while (cb_timer_now_us() - t0 < 0.3e6)
        cb_timer_wait_us(10000);
    cb_watchdog_stop(&wd); /* joins: nothing may fire after this */
    assert_int_equal(g.count, 0);
    cb_watchdog_stop(&wd); /* twice is fine */
    cb_watchdog_stop(NULL);
    fired_free(&f);
    fired_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_watchdog_fires_once_per_arming),
        cmocka_unit_test(test_watchdog_disarm_and_rearm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
