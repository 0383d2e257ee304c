/* Unit tests of cb_watchdog: an armed deadline fires its callback with the
 * description; disarming or re-arming far out prevents it; stop is safe. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cb_test.h"

#include "cb_watchdog.h"

typedef struct fired {
    volatile int count;
    char what[256];
    double waited;
} fired_t;

static void on_fire(void *arg, const char *what, double waited)
{
    fired_t *f = arg;
    snprintf(f->what, sizeof f->what, "%s", what);
    f->waited = waited;
    f->count++;
}

static void test_watchdog_fires(void **state)
{
    (void)state;
    fired_t f = {0};
    cb_watchdog_t wd;
    assert_int_equal(cb_watchdog_start(&wd, on_fire, &f), 0);
    cb_watchdog_arm(&wd, 0.02, "allreduce 64M on rank 2");
    /* functional, not timed: wait as long as needed (bounded) for it */
    for (int i = 0; i < 1000 && !f.count; i++)
        usleep(10000);
    assert_int_equal(f.count, 1);
    assert_string_equal(f.what, "allreduce 64M on rank 2");
    assert_true(f.waited >= 0.02);
    /* it fires once per arming */
    usleep(50000);
    assert_int_equal(f.count, 1);
    cb_watchdog_stop(&wd);
}

static void test_watchdog_disarm_and_rearm(void **state)
{
    (void)state;
    fired_t f = {0};
    cb_watchdog_t wd;
    assert_int_equal(cb_watchdog_start(&wd, on_fire, &f), 0);
    cb_watchdog_arm(&wd, 3600, "long");
    cb_watchdog_disarm(&wd);
    cb_watchdog_arm(&wd, 3600, "re-armed far out");
    usleep(30000);
    cb_watchdog_stop(&wd); /* joins: nothing may fire after this */
    assert_int_equal(f.count, 0);
    cb_watchdog_stop(&wd); /* twice is fine */
    cb_watchdog_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_watchdog_fires),
        cmocka_unit_test(test_watchdog_disarm_and_rearm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
