/* test_sched: the all-pairs schedules (common/cb_sched.h). For N = 1, 2,
 * 3, 16, 17 and 4096: every ordered pair exactly once, no node twice in a
 * round, the number of rounds (2(N-1) even, 2N odd; N(N-1) sequential),
 * and with odd N exactly one node idle in each round. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cb_sched.h"
#include "cb_test.h"

static void check(cb_sched_mode_t mode, int n)
{
    size_t rounds = cb_sched_rounds(mode, n);
    int slots = cb_sched_slots(mode, n);
    if (n < 2) {
        assert_int_equal(rounds, 0);
        assert_int_equal(slots, 0);
        int a, b;
        assert_int_equal(cb_sched_pair(mode, n, 0, 0, &a, &b), -1);
        return;
    }
    size_t want = mode == CB_SCHED_SEQUENTIAL ? (size_t)n * (n - 1)
                  : n % 2 == 0                ? 2 * (size_t)(n - 1)
                                              : 2 * (size_t)n;
    assert_int_equal(rounds, want);
    /* Ordered pairs seen (a bit each: 2 MiB for 4096 nodes). */
    size_t bits = (size_t)n * (size_t)n;
    uint8_t *seen = calloc((bits + 7) / 8, 1);
    int *used = calloc((size_t)n, sizeof *used); /* round + 1 that last used a node */
    assert_non_null(seen);
    assert_non_null(used);
    size_t pairs = 0;
    for (size_t r = 0; r < rounds; r++) {
        int busy = 0;
        for (int s = 0; s < slots; s++) {
            int a = -1, b = -1;
            int got = cb_sched_pair(mode, n, r, s, &a, &b);
            assert_true(got == 0 || got == 1);
            if (!got)
                continue;
            assert_true(a >= 0 && a < n && b >= 0 && b < n && a != b);
            size_t bit = (size_t)a * (size_t)n + (size_t)b;
            assert_false(seen[bit / 8] & (1u << (bit % 8))); /* once per direction */
            seen[bit / 8] |= (uint8_t)(1u << (bit % 8));
            assert_int_not_equal(used[a], (int)r + 1); /* no node twice in a round */
            assert_int_not_equal(used[b], (int)r + 1);
            used[a] = used[b] = (int)r + 1;
            busy += 2;
            pairs++;
        }
        if (mode == CB_SCHED_ROUNDS)
            assert_int_equal(busy, n - (n % 2)); /* odd n: exactly one node idle */
    }
    assert_int_equal(pairs, (size_t)n * (n - 1)); /* every ordered pair */
    int a, b;
    assert_int_equal(cb_sched_pair(mode, n, rounds, 0, &a, &b), -1);
    assert_int_equal(cb_sched_pair(mode, n, 0, slots, &a, &b), -1);
    free(seen);
    free(used);
}

static void test_sched_rounds(void **state)
{
    (void)state;
    const int ns[] = {1, 2, 3, 16, 17, 4096};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        check(CB_SCHED_ROUNDS, ns[i]);
}

static void test_sched_sequential(void **state)
{
    (void)state;
    const int ns[] = {1, 2, 3, 16, 17, 300};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        check(CB_SCHED_SEQUENTIAL, ns[i]);
    /* The order: (0,1), (1,0), (0,2), (2,0), (1,2), (2,1). */
    const int want[][2] = {{0, 1}, {1, 0}, {0, 2}, {2, 0}, {1, 2}, {2, 1}};
    for (size_t r = 0; r < 6; r++) {
        int a, b;
        assert_int_equal(cb_sched_pair(CB_SCHED_SEQUENTIAL, 3, r, 0, &a, &b), 1);
        assert_int_equal(a, want[r][0]);
        assert_int_equal(b, want[r][1]);
    }
}

static void test_sched_small_by_hand(void **state)
{
    (void)state;
    /* 4 nodes: rounds {0-3, 1-2}, {0-1, 2-3}, {0-2, 3-1}, then reversed. */
    const int want[][4] = {{0, 3, 1, 2}, {0, 1, 2, 3}, {0, 2, 3, 1}};
    for (size_t r = 0; r < 3; r++)
        for (int s = 0; s < 2; s++) {
            int a, b;
            assert_int_equal(cb_sched_pair(CB_SCHED_ROUNDS, 4, r, s, &a, &b), 1);
            assert_int_equal(a, want[r][2 * s]);
            assert_int_equal(b, want[r][2 * s + 1]);
            assert_int_equal(cb_sched_pair(CB_SCHED_ROUNDS, 4, r + 3, s, &a, &b), 1);
            assert_int_equal(a, want[r][2 * s + 1]);
            assert_int_equal(b, want[r][2 * s]);
        }
    assert_string_equal(cb_sched_mode_name(CB_SCHED_ROUNDS), "rounds");
    assert_string_equal(cb_sched_mode_name(CB_SCHED_SEQUENTIAL), "sequential");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sched_rounds),
        cmocka_unit_test(test_sched_sequential),
        cmocka_unit_test(test_sched_small_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
