/* Fuzz target: the results CSV reader (cb_table_read, libcsv underneath) on
 * arbitrary bytes, through a memfd since the reader takes a path. Checks:
 * a failed read leaves no rows and says why; a good one has every field
 * inside the pool, reads the same again (appending), and survives a round
 * trip through the writer (cb_results_format_row) field for field. */
#include "fuzz_util.h"

#include <math.h>

#include "cb_error.h"
#include "cb_results.h"

static void check_table(const cb_table_t *t)
{
    char where[512];
    for (size_t r = 0; r < t->nrows; r++) {
        FUZZ_CHECK(t->row_file[r] < t->nfiles);
        for (int c = 0; c < CB_NCOLS; c++) {
            FUZZ_CHECK(t->off[r * CB_NCOLS + (size_t)c] < t->pool_len);
            const char *s = cb_table_str(t, r, c);
            FUZZ_CHECK(s + strlen(s) < t->pool + t->pool_len);
            (void)cb_table_num(t, r, c);
        }
        cb_table_where(t, r, where, sizeof where);
    }
}

/* Header + every row of t written by the writer's formatter. */
static char *rewrite(const cb_table_t *t, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *out = malloc(cap);
    FUZZ_CHECK(out);
    for (int c = 0; c < CB_NCOLS; c++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", c ? "," : "", cb_results_column_name(c));
    out[n++] = '\n';
    for (size_t r = 0; r < t->nrows; r++) {
        cb_row_t row;
        memset(&row, 0, sizeof row);
        for (int c = 0; c < CB_NCOLS; c++)
            FUZZ_CHECK(cb_row_set_str(&row, c, cb_table_str(t, r, c)) == CB_OK);
        char *line = NULL;
        size_t ll = 0;
        FUZZ_CHECK(cb_results_format_row(&row, &line, &ll) == CB_OK);
        FUZZ_CHECK(ll > 0 && line[ll - 1] == '\n');
        while (n + ll + 1 > cap)
            FUZZ_CHECK((out = realloc(out, cap *= 2)));
        memcpy(out + n, line, ll);
        n += ll;
        free(line);
        cb_row_clear(&row);
    }
    *len = n;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 20))
        return 0;
    const char *path = fuzz_memfile(0, data, size);
    char err[1024] = "";
    cb_table_t t;
    cb_table_init(&t);
    int rc = cb_table_read(&t, path, err, sizeof err);
    if (rc != CB_OK) {
        FUZZ_CHECK(rc == CB_ERR_INPUT || rc == CB_ERR_NOMEM);
        FUZZ_CHECK(t.nrows == 0 && err[0]);
        cb_table_free(&t);
        return 0;
    }
    check_table(&t);
    size_t n1 = t.nrows;

    /* Reading it again appends the same rows. */
    FUZZ_CHECK(cb_table_read(&t, path, err, sizeof err) == CB_OK);
    FUZZ_CHECK(t.nrows == 2 * n1 && t.nfiles == 2);
    check_table(&t);
    for (size_t r = 0; r < n1; r++)
        for (int c = 0; c < CB_NCOLS; c++)
            FUZZ_CHECK(!strcmp(cb_table_str(&t, r, c), cb_table_str(&t, n1 + r, c)));

    /* Writer -> reader round trip keeps every field. */
    size_t len = 0;
    char *text = rewrite(&t, &len);
    const char *path2 = fuzz_memfile(1, text, len);
    cb_table_t u;
    cb_table_init(&u);
    rc = cb_table_read(&u, path2, err, sizeof err);
    if (rc != CB_OK)
        fprintf(stderr, "round trip: %s\n", err);
    FUZZ_CHECK(rc == CB_OK);
    FUZZ_CHECK(u.nrows == t.nrows);
    for (size_t r = 0; r < u.nrows; r++)
        for (int c = 0; c < CB_NCOLS; c++)
            FUZZ_CHECK(!strcmp(cb_table_str(&t, r, c), cb_table_str(&u, r, c)));
    cb_table_free(&u);
    free(text);
    cb_table_free(&t);
    return 0;
}
