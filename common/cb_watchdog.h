/* cb_watchdog: a timer thread that fires a callback when an armed operation
 * does not finish by its deadline — never an infinite wait. The callback runs
 * on the watchdog thread (typically: say what hung, mark the row in flight,
 * abort the job). */
#ifndef CB_WATCHDOG_H
#define CB_WATCHDOG_H

#include <pthread.h>

/* what: the armed description; waited_s: seconds since it was armed. */
typedef void (*cb_watchdog_fire_fn)(void *arg, const char *what, double waited_s);

typedef struct cb_watchdog {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int running, armed, fired;
    double armed_at_us, deadline_us;
    char what[256];
    cb_watchdog_fire_fn fire;
    void *arg;
} cb_watchdog_t;

int cb_watchdog_start(cb_watchdog_t *wd, cb_watchdog_fire_fn fire, void *arg);
/* Arm (or re-arm) for timeout_s seconds from now; timeout_s <= 0 disarms. */
void cb_watchdog_arm(cb_watchdog_t *wd, double timeout_s, const char *what);
void cb_watchdog_disarm(cb_watchdog_t *wd);
/* Stop the thread; NULL and never-started watchdogs are fine. */
void cb_watchdog_stop(cb_watchdog_t *wd);

#endif
