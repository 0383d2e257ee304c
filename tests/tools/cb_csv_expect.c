/* cb_csv_expect: assertion helper for integration tests. Reads results CSV
 * files with the project's reader and checks how many rows match filters.
 *   cb_csv_expect FILE... [--where COL=VAL]... [--rows N | --min-rows N]
 *                 [--zero-wrong] [--status S] [--print COL,COL...]
 * --zero-wrong: every matching row has wrong_elements == 0 (not empty).
 * --status S: every matching row has status S.
 * --print: write the named columns of each matching row, tab-separated, to
 * stdout (before the summary line, which then goes to stderr).
 * Exit 0 when all hold, 1 otherwise (with the reason), 2 on bad input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_results.h"

#define MAX_WHERE 16

int main(int argc, char **argv)
{
    cb_table_t t;
    cb_table_init(&t);
    int wcol[MAX_WHERE], nwhere = 0;
    const char *wval[MAX_WHERE];
    long rows = -1, min_rows = -1;
    int zero_wrong = 0;
    const char *status = NULL;
    int pcol[CB_NCOLS], nprint = 0;
    char err[1024];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--where") && i + 1 < argc && nwhere < MAX_WHERE) {
            char *eq = strchr(argv[++i], '=');
            if (!eq) {
                fprintf(stderr, "cb_csv_expect: --where needs COL=VAL\n");
                return 2;
            }
            *eq = '\0';
            if ((wcol[nwhere] = cb_results_column_index(argv[i])) < 0) {
                fprintf(stderr, "cb_csv_expect: unknown column '%s'\n", argv[i]);
                return 2;
            }
            wval[nwhere++] = eq + 1;
        } else if (!strcmp(argv[i], "--rows") && i + 1 < argc) {
            rows = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--min-rows") && i + 1 < argc) {
            min_rows = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--zero-wrong")) {
            zero_wrong = 1;
        } else if (!strcmp(argv[i], "--print") && i + 1 < argc) {
            char *save = NULL;
            for (char *c = strtok_r(argv[++i], ",", &save); c && nprint < CB_NCOLS;
                 c = strtok_r(NULL, ",", &save))
                if ((pcol[nprint++] = cb_results_column_index(c)) < 0) {
                    fprintf(stderr, "cb_csv_expect: unknown column '%s'\n", c);
                    return 2;
                }
        } else if (!strcmp(argv[i], "--status") && i + 1 < argc) {
            status = argv[++i];
        } else if (cb_table_read(&t, argv[i], err, sizeof err)) {
            fprintf(stderr, "cb_csv_expect: %s\n", err);
            return 2;
        }
    }
    long matched = 0, bad = 0;
    for (size_t r = 0; r < t.nrows; r++) {
        int ok = 1;
        for (int w = 0; w < nwhere && ok; w++)
            ok = !strcmp(cb_table_str(&t, r, wcol[w]), wval[w]);
        if (!ok)
            continue;
        matched++;
        for (int c = 0; c < nprint; c++)
            printf("%s%c", cb_table_str(&t, r, pcol[c]), c + 1 < nprint ? '\t' : '\n');
        char where[512];
        if (zero_wrong && strcmp(cb_table_str(&t, r, CB_COL_WRONG_ELEMENTS), "0")) {
            fprintf(stderr, "cb_csv_expect: %s: wrong_elements '%s'\n",
                    cb_table_where(&t, r, where, sizeof where), cb_table_str(&t, r, CB_COL_WRONG_ELEMENTS));
            bad++;
        }
        if (status && strcmp(cb_table_str(&t, r, CB_COL_STATUS), status)) {
            fprintf(stderr, "cb_csv_expect: %s: status '%s', expected '%s'\n",
                    cb_table_where(&t, r, where, sizeof where), cb_table_str(&t, r, CB_COL_STATUS), status);
            bad++;
        }
    }
    if (rows >= 0 && matched != rows) {
        fprintf(stderr, "cb_csv_expect: %ld matching rows, expected %ld\n", matched, rows);
        bad++;
    }
    if (min_rows >= 0 && matched < min_rows) {
        fprintf(stderr, "cb_csv_expect: %ld matching rows, expected at least %ld\n", matched, min_rows);
        bad++;
    }
    fprintf(nprint ? stderr : stdout, "cb_csv_expect: %ld matching rows of %zu, %s\n", matched, t.nrows,
            bad ? "FAIL" : "ok");
    cb_table_free(&t);
    return bad ? 1 : 0;
}
