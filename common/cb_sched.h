/* cb_sched: the all-pairs schedule of point-to-point tests. Pure: pairs are
 * computed, never stored, so any node count costs no memory.
 *
 * Round robin (the circle method): n nodes, padded to m = n + (n odd) with a
 * dummy; node 0 stays, the others rotate one place a round. R = m - 1
 * rounds of m/2 disjoint pairs cover every unordered pair exactly once (a
 * pair with the dummy is empty: its partner sits the round out). Rounds R
 * .. 2R-1 repeat them reversed, so over 2R rounds every ordered pair
 * (sender, receiver) appears exactly once and no node is in two pairs of a
 * round: on a non-blocking switch the pairs of a round measure at once
 * without sharing a link, O(N) rounds instead of O(N^2) pairs.
 *
 * Sequential: one ordered pair per "round", n(n-1) of them, in the order
 * (0,1), (1,0), (0,2), (2,0), ...: for switches that are not non-blocking. */
#ifndef CB_SCHED_H
#define CB_SCHED_H

#include <stddef.h>

typedef enum cb_sched_mode {
    CB_SCHED_ROUNDS = 0,
    CB_SCHED_SEQUENTIAL = 1,
} cb_sched_mode_t;

/* Rounds of the schedule (0 for fewer than 2 nodes). */
size_t cb_sched_rounds(cb_sched_mode_t mode, int nodes);
/* Pair slots per round: m/2 (rounds), 1 (sequential); 0 for < 2 nodes. */
int cb_sched_slots(cb_sched_mode_t mode, int nodes);
/* The pair in `slot` of `round`: 1 with *sender, *receiver set; 0 when the
 * slot is empty this round (odd n: the node paired with the dummy sits
 * out); -1 for a round or slot out of range. */
int cb_sched_pair(cb_sched_mode_t mode, int nodes, size_t round, int slot, int *sender,
                  int *receiver);
/* "rounds" / "sequential". */
const char *cb_sched_mode_name(cb_sched_mode_t mode);

#endif
