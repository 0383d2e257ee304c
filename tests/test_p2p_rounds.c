/* test_p2p_rounds: the pure parts of cb-p2p's all-pairs runner (bench/p2p.c):
 * a round's pairs as ranks (node leaders), over every round of both modes
 * (every ordered pair of nodes exactly once, no rank twice in a round, only
 * leader ranks, for N = 1, 2, 3, 5, 16, 17 nodes of 1 or 3 ranks), and the
 * round check (a round's aggregate against its pairs alone: which pairs
 * count, the shortfall, the threshold). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cb_bench.h"
#include "cb_test.h"

static void check_pairs(cb_sched_mode_t mode, int nodes, int ranks_per_node)
{
    int *leader = malloc((size_t)(nodes ? nodes : 1) * sizeof *leader);
    int nranks = nodes * ranks_per_node;
    assert_non_null(leader);
    for (int i = 0; i < nodes; i++)
        leader[i] = i * ranks_per_node; /* the lowest rank of each node */
    size_t rounds = cb_sched_rounds(mode, nodes);
    int slots = cb_sched_slots(mode, nodes);
    int *a = calloc((size_t)slots + 1, sizeof *a), *b = calloc((size_t)slots + 1, sizeof *b);
    int *seen = calloc((size_t)(nranks ? nranks : 1) * (size_t)(nranks ? nranks : 1), sizeof *seen);
    int *used = calloc((size_t)(nranks ? nranks : 1), sizeof *used);
    assert_true(a && b && seen && used);
    size_t total = 0;
    for (size_t r = 0; r < rounds; r++) {
        int np = cb_p2p_round_pairs(mode, nodes, leader, r, a, b);
        assert_true(np >= 1 && np <= slots);
        /* every slot filled but the odd node's (rounds mode) */
        if (mode == CB_SCHED_ROUNDS)
            assert_int_equal(np, nodes / 2);
        for (int i = 0; i < np; i++) {
            assert_true(a[i] != b[i]);
            assert_int_equal(a[i] % ranks_per_node, 0);
            assert_int_equal(b[i] % ranks_per_node, 0);
            assert_true(a[i] < nranks && b[i] < nranks);
            /* no rank in two pairs of a round */
            assert_true(used[a[i]] != (int)r + 1 && used[b[i]] != (int)r + 1);
            used[a[i]] = used[b[i]] = (int)r + 1;
            seen[(size_t)a[i] * nranks + b[i]]++;
            total++;
        }
    }
    /* every ordered pair of leaders exactly once */
    assert_int_equal(total, (size_t)nodes * (size_t)(nodes > 0 ? nodes - 1 : 0));
    for (int i = 0; i < nodes; i++)
        for (int j = 0; j < nodes; j++)
            assert_int_equal(seen[(size_t)leader[i] * nranks + leader[j]], i != j);
    /* out of range: no pairs */
    assert_int_equal(cb_p2p_round_pairs(mode, nodes, leader, rounds, a, b), 0);
    free(leader);
    free(a);
    free(b);
    free(seen);
    free(used);
}

static void test_round_pairs(void **state)
{
    (void)state;
    const int ns[] = {1, 2, 3, 5, 16, 17};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (int rpn = 1; rpn <= 3; rpn += 2) {
            check_pairs(CB_SCHED_ROUNDS, ns[i], rpn);
            check_pairs(CB_SCHED_SEQUENTIAL, ns[i], rpn);
        }
    /* leader NULL: node indices; 4 nodes, round 0 = {0->3, 1->2} */
    int a[2], b[2];
    assert_int_equal(cb_p2p_round_pairs(CB_SCHED_ROUNDS, 4, NULL, 0, a, b), 2);
    assert_true(a[0] == 0 && b[0] == 3 && a[1] == 1 && b[1] == 2);
    /* sequential: one pair a round, 0->1 then 1->0 */
    assert_int_equal(cb_p2p_round_pairs(CB_SCHED_SEQUENTIAL, 4, NULL, 1, a, b), 1);
    assert_true(a[0] == 1 && b[0] == 0);
}

static void test_round_compare(void **state)
{
    (void)state;
    cb_p2p_round_cmp_t c;
    /* 3 pairs at 3/4 of their rates alone: 25% short (exact in binary) */
    const double alone[] = {1.0, 2.0, 1.0}, together[] = {0.75, 1.5, 0.75};
    cb_p2p_round_compare(together, alone, 3, 0.25, &c);
    assert_int_equal(c.npairs, 3);
    assert_int_equal(c.ncompared, 3);
    assert_double_equal(c.together_gbps, 3.0, 1e-12);
    assert_double_equal(c.alone_gbps, 4.0, 1e-12);
    assert_double_equal(c.shortfall, 0.25, 0);
    assert_int_equal(c.is_short, 0); /* more than the threshold is short, not equal */
    cb_p2p_round_compare(together, alone, 3, 0.24, &c);
    assert_int_equal(c.is_short, 1);
    /* faster together (noise): a negative shortfall, never short */
    const double fast[] = {1.1, 2.2, 1.1};
    cb_p2p_round_compare(fast, alone, 3, 0.0, &c);
    assert_true(c.shortfall < 0);
    assert_int_equal(c.is_short, 0);
    /* only the pairs measured both ways count: failed (NaN), 0, negative, inf */
    const double t2[] = {NAN, 1.0, 0.5, 1.0}, a2[] = {1.0, 0.0, 1.0, INFINITY};
    cb_p2p_round_compare(t2, a2, 4, 0.2, &c);
    assert_int_equal(c.npairs, 4);
    assert_int_equal(c.ncompared, 1);
    assert_double_equal(c.shortfall, 0.5, 1e-12);
    assert_int_equal(c.is_short, 1);
    /* nothing alone: not compared */
    cb_p2p_round_compare(together, NULL, 3, 0.2, &c);
    assert_int_equal(c.ncompared, 0);
    assert_true(isnan(c.shortfall));
    assert_int_equal(c.is_short, 0);
    const double none[] = {NAN, -1, 0};
    cb_p2p_round_compare(together, none, 3, 0.2, &c);
    assert_int_equal(c.ncompared, 0);
    assert_int_equal(c.is_short, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_pairs),
        cmocka_unit_test(test_round_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
