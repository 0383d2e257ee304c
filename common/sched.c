/* cb_sched: all-pairs schedules (see cb_sched.h). */
#include "cb_sched.h"

static int padded(int nodes)
{
    return nodes + (nodes & 1);
}

size_t cb_sched_rounds(cb_sched_mode_t mode, int nodes)
{
    if (nodes < 2)
        return 0;
    if (mode == CB_SCHED_SEQUENTIAL)
        return (size_t)nodes * (size_t)(nodes - 1);
    return 2 * (size_t)(padded(nodes) - 1);
}

int cb_sched_slots(cb_sched_mode_t mode, int nodes)
{
    if (nodes < 2)
        return 0;
    return mode == CB_SCHED_SEQUENTIAL ? 1 : padded(nodes) / 2;
}

/* Circle method: position k of round r (0 <= r < m-1) holds node pos(k). */
static int pos(int m, size_t r, int k)
{
    if (k == 0)
        return 0;
    return 1 + (int)(((size_t)(k - 1) + r) % (size_t)(m - 1));
}

int cb_sched_pair(cb_sched_mode_t mode, int nodes, size_t round, int slot, int *sender,
                  int *receiver)
{
    size_t rounds = cb_sched_rounds(mode, nodes);
    if (round >= rounds || slot < 0 || slot >= cb_sched_slots(mode, nodes))
        return -1;
    int a, b;
    if (mode == CB_SCHED_SEQUENTIAL) {
        /* Unordered pair index u = round / 2 over (i < j) in row order. */
        size_t u = round / 2;
        int i = 0;
        size_t row = (size_t)(nodes - 1);
        while (u >= row) {
            u -= row;
            i++;
            row--;
        }
        a = i;
        b = i + 1 + (int)u;
        if (round & 1) {
            int t = a;
            a = b;
            b = t;
        }
    } else {
        int m = padded(nodes);
        size_t half = (size_t)(m - 1);
        size_t r = round % half;
        a = pos(m, r, slot);
        b = pos(m, r, m - 1 - slot);
        if (a >= nodes || b >= nodes)
            return 0; /* the dummy's partner sits out */
        if (round >= half) {
            int t = a;
            a = b;
            b = t;
        }
    }
    *sender = a;
    *receiver = b;
    return 1;
}

const char *cb_sched_mode_name(cb_sched_mode_t mode)
{
    return mode == CB_SCHED_SEQUENTIAL ? "sequential" : "rounds";
}
