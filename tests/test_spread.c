/* Unit tests of the slow-node check (common/cb_spread.h) on synthetic
 * numbers: one slow node, the 10 % boundary (exactly 10 % below is not
 * flagged), two nodes, one node, all equal, missing values, times. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"

#include "cb_error.h"
#include "cb_spread.h"

static const char *const names[] = {"node1", "node2", "node3", "node4", "node5"};

static int check(const double *v, size_t n, double threshold, int lower, cb_spread_verdict_t *out)
{
    cb_spread_opts_t o;
    cb_spread_opts_default(&o);
    o.threshold = threshold;
    o.lower_is_better = lower;
    return cb_spread_check(names, v, n, &o, out);
}

static void test_spread_one_slow_node(void **state)
{
    (void)state;
    double v[] = {100, 101, 99, 80};
    cb_spread_verdict_t out[4];
    assert_int_equal(check(v, 4, 0.10, 0, out), 1);
    for (int i = 0; i < 3; i++)
        assert_int_equal(out[i].state, CB_SPREAD_OK);
    assert_int_equal(out[3].state, CB_SPREAD_SLOW);
    assert_string_equal(out[3].name, "node4");
    assert_int_equal(out[3].npeers, 3);
    assert_double_equal(out[3].peer_median, 100, 0);
    assert_double_equal(out[3].deficit, 0.20, 1e-12);
    /* node1's peers are 101, 99, 80: median 99, so it is 1 % above */
    assert_double_equal(out[0].peer_median, 99, 0);
    assert_double_equal(out[0].deficit, -1.0 / 99, 1e-12);
    char buf[256];
    cb_spread_describe(&out[3], NULL, "TFLOPS", buf, sizeof buf);
    assert_non_null(strstr(buf, "node4: 80 TFLOPS is 20.0% below the median of its 3 peers (100 TFLOPS)"));
    assert_non_null(strstr(buf, "SLOW"));
    cb_spread_describe(&out[0], NULL, "TFLOPS", buf, sizeof buf);
    assert_non_null(strstr(buf, "above"));
    assert_null(strstr(buf, "SLOW"));
    /* a looser threshold lets it pass */
    assert_int_equal(check(v, 4, 0.25, 0, out), 0);
}

static void test_spread_boundary(void **state)
{
    (void)state;
    cb_spread_verdict_t out[3];
    double exact[] = {100, 100, 90}; /* exactly 10 % below: not flagged */
    assert_int_equal(check(exact, 3, 0.10, 0, out), 0);
    assert_int_equal(out[2].state, CB_SPREAD_OK);
    assert_double_equal(out[2].deficit, 0.10, 1e-12);
    double rounding[] = {1.1, 1.1, 0.99}; /* (1.1 - 0.99) / 1.1 = 0.10000000000000007 in doubles */
    assert_true((1.1 - 0.99) / 1.1 > 0.10);
    assert_int_equal(check(rounding, 3, 0.10, 0, out), 0);
    double just_below[] = {100, 100, 89.99};
    assert_int_equal(check(just_below, 3, 0.10, 0, out), 1);
    assert_int_equal(out[2].state, CB_SPREAD_SLOW);
    double zero_threshold[] = {100, 100, 99.9}; /* threshold 0: any deficit flags */
    assert_int_equal(check(zero_threshold, 3, 0, 0, out), 1);
}

static void test_spread_two_nodes(void **state)
{
    (void)state;
    cb_spread_verdict_t out[2];
    double v[] = {100, 80}; /* each node's peer is the other */
    assert_int_equal(check(v, 2, 0.10, 0, out), 1);
    assert_int_equal(out[0].state, CB_SPREAD_OK); /* 25 % above */
    assert_int_equal(out[1].state, CB_SPREAD_SLOW);
    assert_int_equal(out[1].npeers, 1);
    double close[] = {100, 95};
    assert_int_equal(check(close, 2, 0.10, 0, out), 0);
}

static void test_spread_one_node_and_all_equal(void **state)
{
    (void)state;
    cb_spread_verdict_t out[5];
    double one[] = {42};
    assert_int_equal(check(one, 1, 0.10, 0, out), 0);
    assert_int_equal(out[0].state, CB_SPREAD_NO_PEERS);
    assert_int_equal(out[0].npeers, 0);
    assert_true(isnan(out[0].peer_median));
    char buf[128];
    assert_non_null(strstr(cb_spread_describe(&out[0], NULL, NULL, buf, sizeof buf), "no peers"));
    double eq[] = {5, 5, 5, 5, 5};
    assert_int_equal(check(eq, 5, 0.10, 0, out), 0);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(out[i].state, CB_SPREAD_OK);
        assert_double_equal(out[i].deficit, 0, 0);
    }
    assert_int_equal(check(eq, 0, 0.10, 0, out), 0); /* nothing to check */
}

static void test_spread_missing_and_times(void **state)
{
    (void)state;
    cb_spread_verdict_t out[4];
    double v[] = {100, NAN, 100, 70};
    assert_int_equal(check(v, 4, 0.10, 0, out), 1);
    assert_int_equal(out[1].state, CB_SPREAD_MISSING);
    assert_int_equal(out[3].state, CB_SPREAD_SLOW);
    assert_int_equal(out[3].npeers, 2); /* the missing node is no peer */
    double lone[] = {100, NAN};
    assert_int_equal(check(lone, 2, 0.10, 0, out), 0);
    assert_int_equal(out[0].state, CB_SPREAD_NO_PEERS);
    /* times: lower is better, so the one 20 % above is slow */
    double t[] = {10, 10, 12};
    assert_int_equal(check(t, 3, 0.10, 1, out), 1);
    assert_int_equal(out[2].state, CB_SPREAD_SLOW);
    char buf[256];
    cb_spread_opts_t o = {.threshold = 0.1, .lower_is_better = 1};
    assert_non_null(strstr(cb_spread_describe(&out[2], &o, "us", buf, sizeof buf), "20.0% above"));
    /* names may be NULL */
    assert_int_equal(cb_spread_check(NULL, t, 3, &o, out), 1);
    assert_null(out[0].name);
    /* bad input */
    o.threshold = 1.5;
    assert_int_equal(cb_spread_check(names, t, 3, &o, out), CB_ERR_USAGE);
    o.threshold = NAN;
    assert_int_equal(cb_spread_check(names, t, 3, &o, out), CB_ERR_USAGE);
    o.threshold = 0.1;
    assert_int_equal(cb_spread_check(names, NULL, 3, &o, out), CB_ERR_USAGE);
    /* NULL opts = defaults: throughput, 10 % */
    assert_int_equal(cb_spread_check(names, t, 3, NULL, out), 0);
    double thr[] = {100, 100, 85};
    assert_int_equal(cb_spread_check(names, thr, 3, NULL, out), 1);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The one-sort check gives exactly what sorting each entity's peers gives:
 * random values with ties and missing ones, 1..60 entities. */
static void test_spread_matches_per_entity_sort(void **state)
{
    (void)state;
    unsigned seed = 12345;
    double v[60], peers[60];
    cb_spread_verdict_t out[60];
    for (size_t n = 1; n <= 60; n++)
        for (int trial = 0; trial < 20; trial++) {
            for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                unsigned r = (seed >> 8) % 1000;
                v[i] = r < 50 ? NAN : r < 100 ? 0 : (double)(r % 37) * 0.5;
            }
            cb_spread_opts_t o;
            cb_spread_opts_default(&o);
            o.threshold = 0.10;
            o.lower_is_better = trial & 1;
            /* no names: `names` holds 5 and n goes to 60 */
            int nf = cb_spread_check(NULL, v, n, &o, out);
            int flagged = 0;
            for (size_t i = 0; i < n; i++) {
                size_t np = 0;
                for (size_t j = 0; j < n; j++)
                    if (j != i && isfinite(v[j]))
                        peers[np++] = v[j];
                assert_int_equal(out[i].npeers, (int)np);
                if (!isfinite(v[i])) {
                    assert_int_equal(out[i].state, CB_SPREAD_MISSING);
                    continue;
                }
                if (!np) {
                    assert_int_equal(out[i].state, CB_SPREAD_NO_PEERS);
                    continue;
                }
                qsort(peers, np, sizeof *peers, cmp_dbl);
                double med = np % 2 ? peers[np / 2] : peers[np / 2 - 1] +
                                                          0.5 * (peers[np / 2] - peers[np / 2 - 1]);
                assert_true(out[i].peer_median == med);
                flagged += out[i].state == CB_SPREAD_SLOW;
            }
            assert_int_equal(nf, flagged);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spread_one_slow_node),
        cmocka_unit_test(test_spread_boundary),
        cmocka_unit_test(test_spread_two_nodes),
        cmocka_unit_test(test_spread_one_node_and_all_equal),
        cmocka_unit_test(test_spread_missing_and_times),
        cmocka_unit_test(test_spread_matches_per_entity_sort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
