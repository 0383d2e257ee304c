/* ddp_cpu: cb-ddp's step engine for hosts without a GPU (transport mpi).
 * Compute is EMULATED: the main thread waits (cb_timer_wait_us: sleep, then
 * spin the last 200 us) until each backward chunk's end; the bucket
 * all-reduces run on a communication thread that takes them from a queue
 * (pthread mutex + condition variable) in order and calls the transport's
 * MPI_Allreduce (float, in place) while the main thread goes on "computing".
 * So the overlap is real: the network, MPI's progress and the thread hand-off
 * all count. During a step only the communication thread calls MPI (the main
 * thread calls MPI only between steps, while that thread waits on the
 * condition variable), which MPI_THREAD_SERIALIZED already allows. Waits are
 * against absolute deadlines from the step's start, so hand-off costs do not
 * stretch the emulated compute. Where allowed, the main thread runs its
 * waits at real-time priority (SCHED_FIFO 1, dropped again before any MPI
 * call): a GPU's kernel is not delayed by busy host cores, and on hosts whose
 * cores are shared (the virtual cluster: every node on the same few cores,
 * MPI busy-polling on all of them) a normal-priority wait can end
 * milliseconds late. Where refused (EPERM), the waits run at normal priority
 * and the engine says so. */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_timer.h"
#include "ddp_bench.h"

typedef struct cpu_state {
    const cb_transport_ops_t *tp;
    void *tps;
    char *buf;
    pthread_t thread;
    int thread_started;
    pthread_mutex_t mu;
    pthread_cond_t cv_post, cv_done;
    int sync_inited;
    /* the step in flight, guarded by mu */
    const cb_ddp_bench_sched_t *s;
    size_t posted, done;
    int stop, err;
    double t0_us;
    double *ar_start_us, *ar_end_us;
    size_t cap;
    /* real-time waits of the main thread */
    int rt;
    int policy;
    struct sched_param param;
} cpu_state_t;

/* Real-time priority for the emulated compute, back to normal after. */
static void rt_enter(cpu_state_t *st)
{
    if (st->rt) {
        struct sched_param p = {.sched_priority = 1};
        pthread_setschedparam(pthread_self(), SCHED_FIFO, &p);
    }
}

static void rt_leave(cpu_state_t *st)
{
    if (st->rt)
        pthread_setschedparam(pthread_self(), st->policy, &st->param);
}

static void *comm_thread(void *arg)
{
    cpu_state_t *st = arg;
    pthread_mutex_lock(&st->mu);
    for (;;) {
        while (!st->stop && st->done == st->posted)
            pthread_cond_wait(&st->cv_post, &st->mu);
        if (st->stop)
            break;
        size_t k = st->done;
        const cb_ddp_bench_sched_t *s = st->s;
        double t0 = st->t0_us;
        int failed = st->err != 0;
        pthread_mutex_unlock(&st->mu);

        double a = cb_timer_now_us();
        int rc = CB_OK;
        if (!failed) {
            char *p = st->buf + s->offset[k];
            rc = st->tp->allreduce(st->tps, p, p, s->count[k], CB_DT_FLOAT);
        }
        double b = cb_timer_now_us();

        pthread_mutex_lock(&st->mu);
        st->ar_start_us[k] = a - t0;
        st->ar_end_us[k] = b - t0;
        if (rc && !st->err)
            st->err = rc;
        st->done++;
        pthread_cond_signal(&st->cv_done);
    }
    pthread_mutex_unlock(&st->mu);
    return NULL;
}

static void cpu_destroy(void *state)
{
    cpu_state_t *st = state;
    if (!st)
        return;
    if (st->thread_started) {
        pthread_mutex_lock(&st->mu);
        st->stop = 1;
        pthread_cond_broadcast(&st->cv_post);
        pthread_mutex_unlock(&st->mu);
        pthread_join(st->thread, NULL);
    }
    if (st->sync_inited) {
        pthread_cond_destroy(&st->cv_post);
        pthread_cond_destroy(&st->cv_done);
        pthread_mutex_destroy(&st->mu);
    }
    if (st->buf)
        st->tp->free(st->tps, st->buf);
    free(st->ar_start_us);
    free(st->ar_end_us);
    free(st);
}

static int cpu_create(const cb_ddp_engine_args_t *a, void **state)
{
    *state = NULL;
    if (!a->tp || !a->tp->allreduce || a->buffer_bytes == 0)
        return CB_ERR_USAGE;
    cpu_state_t *st = calloc(1, sizeof *st);
    if (!st)
        return CB_ERR_NOMEM;
    st->tp = a->tp;
    st->tps = a->tps;
    int rc = st->tp->alloc(st->tps, (size_t)a->buffer_bytes, (void **)&st->buf);
    if (rc) {
        st->buf = NULL;
        cpu_destroy(st);
        return rc;
    }
    if (pthread_mutex_init(&st->mu, NULL) || pthread_cond_init(&st->cv_post, NULL) ||
        pthread_cond_init(&st->cv_done, NULL)) {
        cpu_destroy(st);
        return CB_ERR_INTERNAL;
    }
    st->sync_inited = 1;
    if (pthread_create(&st->thread, NULL, comm_thread, st)) {
        cpu_destroy(st);
        return CB_ERR_INTERNAL;
    }
    st->thread_started = 1;
    /* Try real-time priority once (the comm thread, created above, keeps
     * the normal one). */
    if (a->realtime && pthread_getschedparam(pthread_self(), &st->policy, &st->param) == 0) {
        struct sched_param p = {.sched_priority = 1};
        if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &p) == 0) {
            st->rt = 1;
            pthread_setschedparam(pthread_self(), st->policy, &st->param);
        }
    }
    *state = st;
    return CB_OK;
}

static void cpu_describe(void *state, char *buf, size_t len)
{
    cpu_state_t *st = state;
    snprintf(buf, len, "compute waits at %s",
             st->rt ? "real-time priority (SCHED_FIFO 1)"
                    : "normal priority (real-time refused or --no-realtime): on shared cores "
                      "they may end late");
}

static void wait_until(double t_us)
{
    cb_timer_wait_us(t_us - cb_timer_now_us());
}

static void post(cpu_state_t *st, size_t upto)
{
    pthread_mutex_lock(&st->mu);
    st->posted = upto;
    pthread_cond_signal(&st->cv_post);
    pthread_mutex_unlock(&st->mu);
}

static int cpu_step(void *state, const cb_ddp_bench_sched_t *s, int comm, int overlap,
                    double *step_us, cb_ddp_step_trace_t *trace)
{
    cpu_state_t *st = state;
    size_t n = s->nbuckets;
    if (n > st->cap) {
        double *a = realloc(st->ar_start_us, n * sizeof *a);
        if (a)
            st->ar_start_us = a;
        double *b = realloc(st->ar_end_us, n * sizeof *b);
        if (b)
            st->ar_end_us = b;
        if (!a || !b)
            return CB_ERR_NOMEM;
        st->cap = n;
    }
    for (size_t k = 0; k < n; k++)
        st->ar_start_us[k] = st->ar_end_us[k] = NAN;

    rt_enter(st);
    double t0 = cb_timer_now_us();
    pthread_mutex_lock(&st->mu);
    st->s = s;
    st->posted = st->done = 0;
    st->err = 0;
    st->t0_us = t0;
    pthread_mutex_unlock(&st->mu);

    wait_until(t0 + s->fwd_us); /* forward */
    for (size_t k = 0; k < n; k++) {
        wait_until(t0 + s->ready_us[k]); /* backward chunk k */
        if (trace && trace->ready_us)
            trace->ready_us[k] = cb_timer_now_us() - t0;
        if (comm && overlap)
            post(st, k + 1);
    }
    if (comm && !overlap)
        post(st, n);
    int rc = CB_OK;
    if (comm) {
        pthread_mutex_lock(&st->mu);
        while (st->done < n)
            pthread_cond_wait(&st->cv_done, &st->mu);
        rc = st->err;
        pthread_mutex_unlock(&st->mu);
    }
    *step_us = cb_timer_now_us() - t0;
    rt_leave(st);
    if (trace)
        for (size_t k = 0; k < n; k++) {
            if (trace->ar_start_us)
                trace->ar_start_us[k] = st->ar_start_us[k];
            if (trace->ar_end_us)
                trace->ar_end_us[k] = st->ar_end_us[k];
        }
    return rc;
}

const cb_ddp_engine_ops_t cb_ddp_engine_cpu = {
    .name = "cpu",
    .compute = "emulated compute",
    .how = "EMULATED compute: a timed wait on the host (no GPU); all-reduce: MPI (float, in "
           "place) on a communication thread",
    .create = cpu_create,
    .destroy = cpu_destroy,
    .step = cpu_step,
    .describe = cpu_describe,
};
