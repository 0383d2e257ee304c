/* test_ddp_bench_check: a tiny checker for the integration test of cb-ddp
 * (not a cmocka test). Reads results CSV and, for every ok tn_ms row of
 * benchmark=ddp, finds the t1_ms row of the same run, op, bytes and
 * step_ms= (the note's first field) and checks T_N >= T1: a DDP step can not
 * be shorter than the same step without communication. Exit 0 when at least
 * one pair was found and all hold, 1 otherwise (with the reason), 2 on bad
 * input. Usage: test_ddp_bench_check FILE... */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cb_results.h"

/* The note's "step_ms=<v>" field, up to the first ';'. */
static size_t step_key(const char *note, char *buf, size_t len)
{
    size_t n = strcspn(note, ";");
    if (strncmp(note, "step_ms=", 8) || n >= len)
        return 0;
    memcpy(buf, note, n);
    buf[n] = '\0';
    return n;
}

static int same(const cb_table_t *t, size_t a, size_t b, int col)
{
    return !strcmp(cb_table_str(t, a, col), cb_table_str(t, b, col));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_ddp_bench_check FILE...\n");
        return 2;
    }
    cb_table_t t;
    cb_table_init(&t);
    char err[1024];
    for (int i = 1; i < argc; i++)
        if (cb_table_read(&t, argv[i], err, sizeof err)) {
            fprintf(stderr, "test_ddp_bench_check: %s\n", err);
            return 2;
        }
    int pairs = 0, bad = 0;
    for (size_t r = 0; r < t.nrows; r++) {
        char key[64], key2[64], where[512];
        if (strcmp(cb_table_str(&t, r, CB_COL_BENCHMARK), "ddp") ||
            strcmp(cb_table_str(&t, r, CB_COL_METRIC), "tn_ms") ||
            strcmp(cb_table_str(&t, r, CB_COL_STATUS), "ok"))
            continue;
        if (!step_key(cb_table_str(&t, r, CB_COL_NOTE), key, sizeof key)) {
            fprintf(stderr, "%s: tn_ms row without step_ms= in its note\n",
                    cb_table_where(&t, r, where, sizeof where));
            bad++;
            continue;
        }
        int found = 0;
        for (size_t q = 0; q < t.nrows && !found; q++) {
            if (strcmp(cb_table_str(&t, q, CB_COL_METRIC), "t1_ms") ||
                strcmp(cb_table_str(&t, q, CB_COL_BENCHMARK), "ddp") ||
                !same(&t, q, r, CB_COL_RUN_ID) || !same(&t, q, r, CB_COL_OP) ||
                !same(&t, q, r, CB_COL_BYTES) || !same(&t, q, r, CB_COL_NOTE) ||
                !step_key(cb_table_str(&t, q, CB_COL_NOTE), key2, sizeof key2) ||
                strcmp(key, key2))
                continue;
            found = 1;
            double tn = cb_table_num(&t, r, CB_COL_VALUE), t1 = cb_table_num(&t, q, CB_COL_VALUE);
            pairs++;
            if (!(tn >= t1) || !(t1 > 0)) {
                fprintf(stderr, "%s: %s: T_N %g ms < T1 %g ms (or not a number)\n",
                        cb_table_where(&t, r, where, sizeof where), key, tn, t1);
                bad++;
            } else {
                printf("%s: T1 %g ms, T_N %g ms: ok\n", key, t1, tn);
            }
        }
        if (!found) {
            fprintf(stderr, "%s: %s: no t1_ms row to compare with\n",
                    cb_table_where(&t, r, where, sizeof where), key);
            bad++;
        }
    }
    cb_table_free(&t);
    if (!pairs) {
        fprintf(stderr, "test_ddp_bench_check: no (t1_ms, tn_ms) pair found\n");
        return 1;
    }
    printf("test_ddp_bench_check: %d pair(s), %s\n", pairs, bad ? "FAIL" : "ok");
    return bad ? 1 : 0;
}
