/* Unit tests of the row in flight (cb_bench_set_inflight /
 * cb_prog_mark_inflight): the configuration being measured is written to
 * the results CSV as "timeout" (watchdog) or "failed" (fatal signal) exactly
 * once, whole, even when both race to mark it (a round of all-pairs: one
 * row for each of its pairs, in one write); nothing is written when no
 * configuration is in flight or on ranks other than 0. No MPI_Init. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_test.h"

#include "cb_bench.h"
#include "cb_results.h"

typedef struct fixture {
    char path[64];
    cb_results_t *res;
    cb_session_t s;
} fixture_t;

/* A rank-0 session with an open results file and no row in flight. */
static void session_init(fixture_t *f)
{
    memset(&f->s, 0, sizeof f->s);
    f->s.comm.rank = 0;
    f->s.tp = &cb_transport_mpi;
    f->s.res_fd = f->res ? cb_results_fd(f->res) : -1;
    cb_results_ctx_init(&f->s.ctx, "test");
}

static void session_free(fixture_t *f)
{
    cb_bench_set_inflight(&f->s, NULL, NULL);
    cb_results_ctx_free(&f->s.ctx);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->path, sizeof f->path, "/tmp/cb_inflight.XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    close(fd);
    unlink(f->path); /* cb_results_open creates it with its header */
    char err[256];
    assert_int_equal(cb_results_open(f->path, &f->res, err, sizeof err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    cb_results_close(f->res);
    unlink(f->path);
    free(f);
    return 0;
}

static cb_run_t run_1k(void)
{
    cb_run_t r = {.dtype = CB_DT_FLOAT, .bytes = 1024, .count = 256};
    return r;
}

/* Rows of the file, and how many have the given status. */
static size_t read_rows(const fixture_t *f, const char *status, size_t *with_status)
{
    cb_table_t t;
    cb_table_init(&t);
    char err[256];
    assert_int_equal(cb_table_read(&t, f->path, err, sizeof err), 0);
    size_t n = t.nrows, k = 0;
    for (size_t i = 0; i < t.nrows; i++)
        if (!strcmp(cb_table_str(&t, i, CB_COL_STATUS), status))
            k++;
    cb_table_free(&t);
    *with_status = k;
    return n;
}

static void test_inflight_nothing_in_flight(void **state)
{
    fixture_t *f = *state;
    session_init(f);
    assert_int_equal(cb_prog_mark_inflight(&f->s, 1), 0);
    assert_int_equal(cb_prog_mark_inflight(&f->s, 0), 0);
    /* other ranks hold no row */
    cb_run_t r = run_1k();
    f->s.comm.rank = 1;
    cb_bench_set_inflight(&f->s, &cb_bench_allreduce, &r);
    assert_int_equal(cb_prog_mark_inflight(&f->s, 1), 0);
    session_free(f);
    size_t k;
    assert_int_equal(read_rows(f, "timeout", &k), 0);
}

static void test_inflight_marked_once(void **state)
{
    fixture_t *f = *state;
    session_init(f);
    cb_run_t r = run_1k();
    cb_bench_set_inflight(&f->s, &cb_bench_allreduce, &r);
    /* the watchdog marks it; a SIGTERM during the abort writes nothing */
    assert_int_equal(cb_prog_mark_inflight(&f->s, 1), 1);
    assert_int_equal(cb_prog_mark_inflight(&f->s, 0), 0);
    assert_int_equal(cb_prog_mark_inflight(&f->s, 1), 0);
    session_free(f);
    size_t k;
    assert_int_equal(read_rows(f, "timeout", &k), 1);
    assert_int_equal(k, 1);
    cb_table_t t;
    cb_table_init(&t);
    char err[256];
    assert_int_equal(cb_table_read(&t, f->path, err, sizeof err), 0);
    assert_string_equal(cb_table_str(&t, 0, CB_COL_BYTES), "1024");
    assert_string_equal(cb_table_str(&t, 0, CB_COL_PLACEMENT), "out-of-place");
    assert_non_null(strstr(cb_table_str(&t, 0, CB_COL_NOTE), "watchdog"));
    cb_table_free(&t);
}

static void test_inflight_signal_first(void **state)
{
    fixture_t *f = *state;
    session_init(f);
    cb_run_t r = run_1k();
    cb_bench_set_inflight(&f->s, &cb_bench_allreduce, &r);
    assert_int_equal(cb_prog_mark_inflight(&f->s, 0), 1);
    assert_int_equal(cb_prog_mark_inflight(&f->s, 1), 0);
    session_free(f);
    size_t k;
    assert_int_equal(read_rows(f, "failed", &k), 1);
    assert_int_equal(k, 1);
}

static void *mark_timeout(void *arg)
{
    static int one = 1, zero = 0;
    return cb_prog_mark_inflight(arg, 1) == 1 ? &one : &zero;
}

/* The watchdog thread and a signal on the main thread at the same moment:
 * one row, whole, every time (functional, not timed). */
/* A round of all-pairs in flight: one row for each of its pairs (host and
 * peer from the round, not rank 0's pair), all written by the one mark. */
static void test_inflight_round(void **state)
{
    fixture_t *f = *state;
    session_init(f);
    char hosts[6][CB_HOSTNAME_MAX] = {"n0", "n1", "n2", "n3", "n4", "n5"};
    f->s.comm.hosts = hosts;
    f->s.comm.size = 6;
    const int a[] = {0, 1, 2}, b[] = {5, 4, 3};
    cb_run_t r = {.dtype = CB_DT_UINT8, .bytes = 4096, .count = 4096, .rank_a = 0, .rank_b = 5,
                  .window = 8, .pair_local = 1, .round_a = a, .round_b = b, .round_n = 3};
    cb_bench_set_inflight(&f->s, &cb_bench_bw, &r);
    assert_int_equal(cb_prog_mark_inflight(&f->s, 1), 1);
    assert_int_equal(cb_prog_mark_inflight(&f->s, 0), 0);
    session_free(f);
    cb_table_t t;
    cb_table_init(&t);
    char err[256];
    assert_int_equal(cb_table_read(&t, f->path, err, sizeof err), 0);
    assert_int_equal(t.nrows, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(cb_table_str(&t, i, CB_COL_STATUS), "timeout");
        assert_string_equal(cb_table_str(&t, i, CB_COL_OP), "bw");
        assert_string_equal(cb_table_str(&t, i, CB_COL_HOST), hosts[a[i]]);
        assert_string_equal(cb_table_str(&t, i, CB_COL_PEER), hosts[b[i]]);
    }
    cb_table_free(&t);
}

static void test_inflight_race(void **state)
{
    fixture_t *f = *state;
    enum { ROUNDS = 200 };
    for (int i = 0; i < ROUNDS; i++) {
        session_init(f);
        cb_run_t r = run_1k();
        cb_bench_set_inflight(&f->s, &cb_bench_allreduce, &r);
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, mark_timeout, &f->s), 0);
        int mine = cb_prog_mark_inflight(&f->s, 0);
        void *theirs;
        pthread_join(th, &theirs);
        assert_int_equal(mine + *(int *)theirs, 1);
        session_free(f);
    }
    size_t timeouts, failed;
    assert_int_equal(read_rows(f, "timeout", &timeouts), ROUNDS);
    read_rows(f, "failed", &failed);
    assert_int_equal(timeouts + failed, ROUNDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_inflight_nothing_in_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inflight_marked_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inflight_signal_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inflight_race, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inflight_round, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
