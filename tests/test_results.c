/* Unit tests of the results CSV: write → read round trip (RFC 4180 quoting),
 * header/schema checks with file:line, and the torn-write guarantee (a
 * writer killed or cut short by a file-size limit leaves only whole rows). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cb_test.h"

#include "cb_error.h"
#include "cb_results.h"

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/cb_test_results.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void path_in_tmp(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", tmpdir, name);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void fill_row(cb_row_t *row, const cb_results_ctx_t *ctx, int i)
{
    cb_row_init(row, ctx);
    cb_row_set_str(row, CB_COL_BENCHMARK, "allreduce");
    cb_row_set_str(row, CB_COL_TRANSPORT, "mpi");
    cb_row_set_int(row, CB_COL_BYTES, 1024LL << i);
    cb_row_set_num(row, CB_COL_TIME_US_MEDIAN, 12.5 + i);
    cb_row_set_int(row, CB_COL_WRONG_ELEMENTS, 0);
    cb_row_set_str(row, CB_COL_STATUS, "ok");
}

static void test_results_roundtrip_quoting(void **state)
{
    (void)state;
    char path[300], err[512] = "";
    path_in_tmp(path, sizeof path, "sub/dir/rt.csv"); /* parents are created */
    cb_results_ctx_t ctx;
    cb_results_ctx_init(&ctx, "test-cluster");
    ctx.nodes = 3;
    ctx.ranks = 6;
    ctx.ranks_per_node = 2;
    ctx.hosts = strdup("node0,node1,node2");
    cb_results_t *res = NULL;
    assert_int_equal(cb_results_open(path, &res, err, sizeof err), CB_OK);

    const char *tricky[] = {"plain", "with,comma", "with \"quotes\"", "multi\nline\r\nnote",
                            "  padded  ", "<script>alert('x')</script>", "tab\there"};
    size_t n = sizeof tricky / sizeof tricky[0];
    for (size_t i = 0; i < n; i++) {
        cb_row_t row;
        fill_row(&row, &ctx, (int)i);
        cb_row_set_str(&row, CB_COL_NOTE, tricky[i]);
        cb_row_set_num(&row, CB_COL_VALUE, NAN); /* NaN → empty field */
        assert_int_equal(cb_results_write(res, &row), CB_OK);
        cb_row_clear(&row);
    }
    cb_results_close(res);
    cb_results_close(NULL); /* destructors accept NULL */

    cb_table_t t;
    cb_table_init(&t);
    assert_int_equal(cb_table_read(&t, path, err, sizeof err), CB_OK);
    assert_int_equal(t.nrows, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(cb_table_str(&t, i, CB_COL_NOTE), tricky[i]);
        assert_string_equal(cb_table_str(&t, i, CB_COL_CLUSTER), "test-cluster");
        assert_string_equal(cb_table_str(&t, i, CB_COL_HOSTS), "node0,node1,node2");
        assert_string_equal(cb_table_str(&t, i, CB_COL_RUN_ID), ctx.run_id);
        assert_string_equal(cb_table_str(&t, i, CB_COL_VALUE), "");
        assert_true(isnan(cb_table_num(&t, i, CB_COL_VALUE)));
        assert_double_equal(cb_table_num(&t, i, CB_COL_BYTES), 1024.0 * (1 << i), 0);
        assert_double_equal(cb_table_num(&t, i, CB_COL_NODES), 3, 0);
        assert_double_equal(cb_table_num(&t, i, CB_COL_TIME_US_MEDIAN), 12.5 + (double)i, 1e-9);
        assert_double_equal(cb_table_num(&t, i, CB_COL_SCHEMA_VERSION), CB_RESULTS_SCHEMA_VERSION, 0);
    }
    char where[300];
    cb_table_where(&t, 0, where, sizeof where);
    assert_non_null(strstr(where, "rt.csv:2"));
    cb_table_free(&t);
    cb_table_free(NULL);

    /* Reopening appends to our own file. */
    assert_int_equal(cb_results_open(path, &res, err, sizeof err), CB_OK);
    cb_row_t row;
    fill_row(&row, &ctx, 0);
    assert_int_equal(cb_results_write(res, &row), CB_OK);
    cb_row_clear(&row);
    cb_results_close(res);
    cb_table_init(&t);
    assert_int_equal(cb_table_read(&t, path, err, sizeof err), CB_OK);
    assert_int_equal(t.nrows, n + 1);
    cb_table_free(&t);
    cb_results_ctx_free(&ctx);
}

static void test_results_column_names(void **state)
{
    (void)state;
    assert_string_equal(cb_results_column_name(0), "schema_version");
    assert_string_equal(cb_results_column_name(CB_COL_BUSBW_GBPS), "busbw_gbps");
    assert_null(cb_results_column_name(CB_NCOLS));
    assert_int_equal(cb_results_column_index("time_us_median"), CB_COL_TIME_US_MEDIAN);
    assert_int_equal(cb_results_column_index("nope"), -1);
}

static void test_results_rejects_foreign_files(void **state)
{
    (void)state;
    char path[300], err[512] = "";
    cb_results_t *res = NULL;
    path_in_tmp(path, sizeof path, "foreign.csv");
    write_file(path, "a,b,c\n1,2,3\n");
    /* the writer refuses to append to it ... */
    assert_int_equal(cb_results_open(path, &res, err, sizeof err), CB_ERR_INPUT);
    assert_null(res);
    assert_non_null(strstr(err, "foreign.csv:1"));
    assert_non_null(strstr(err, "not a clusterbench results file"));
    /* ... and leaves it untouched */
    FILE *f = fopen(path, "r");
    char buf[64] = "";
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "a,b,c\n");
    /* the reader names file and line */
    cb_table_t t;
    cb_table_init(&t);
    assert_int_equal(cb_table_read(&t, path, err, sizeof err), CB_ERR_INPUT);
    assert_non_null(strstr(err, "foreign.csv:1:"));
    assert_int_equal(t.nrows, 0);
    cb_table_free(&t);
}

/* A file of ours with one row changed by hand. */
static void write_ours_with(const char *path, const char *bad_row)
{
    char err[256];
    cb_results_t *res = NULL;
    cb_results_ctx_t ctx;
    cb_results_ctx_init(&ctx, "c");
    assert_int_equal(cb_results_open(path, &res, err, sizeof err), CB_OK);
    cb_row_t row;
    fill_row(&row, &ctx, 1);
    assert_int_equal(cb_results_write(res, &row), CB_OK);
    cb_row_clear(&row);
    cb_results_close(res);
    FILE *f = fopen(path, "a");
    fputs(bad_row, f);
    fclose(f);
}

static void test_results_reader_errors_name_line(void **state)
{
    (void)state;
    char path[300], err[512];
    cb_table_t t;

    path_in_tmp(path, sizeof path, "fields.csv");
    write_ours_with(path, "1,too,few\n");
    cb_table_init(&t);
    assert_int_equal(cb_table_read(&t, path, err, sizeof err), CB_ERR_INPUT);
    assert_non_null(strstr(err, "fields.csv:3:"));
    assert_non_null(strstr(err, "3 fields"));
    assert_int_equal(t.nrows, 0); /* no partial file in the table */
    cb_table_free(&t);

    /* another schema version */
    char row[512] = "2";
    for (int i = 1; i < CB_NCOLS; i++)
        strcat(row, ",");
    strcat(row, "\n");
    path_in_tmp(path, sizeof path, "version.csv");
    write_ours_with(path, row);
    cb_table_init(&t);
    assert_int_equal(cb_table_read(&t, path, err, sizeof err), CB_ERR_INPUT);
    assert_non_null(strstr(err, "version.csv:3:"));
    assert_non_null(strstr(err, "schema_version"));
    cb_table_free(&t);

    /* a torn last row (no newline) */
    path_in_tmp(path, sizeof path, "torn.csv");
    write_ours_with(path, "1,run,2026");
    cb_table_init(&t);
    assert_int_equal(cb_table_read(&t, path, err, sizeof err), CB_ERR_INPUT);
    assert_non_null(strstr(err, "partial last row"));
    cb_table_free(&t);
    /* the writer refuses to append after a torn row */
    cb_results_t *res = NULL;
    assert_int_equal(cb_results_open(path, &res, err, sizeof err), CB_ERR_INPUT);

    /* empty file; missing file */
    path_in_tmp(path, sizeof path, "empty.csv");
    write_file(path, "");
    cb_table_init(&t);
    assert_int_equal(cb_table_read(&t, path, err, sizeof err), CB_ERR_INPUT);
    path_in_tmp(path, sizeof path, "missing.csv");
    assert_int_equal(cb_table_read(&t, path, err, sizeof err), CB_ERR_IO);
    cb_table_free(&t);
}

/* A spreadsheet saving the file again puts a UTF-8 byte-order mark first:
 * read as if it were not there. A BOM anywhere else is data; a NUL byte in a
 * field is refused with file:line. */
static void test_results_reader_bom_and_nul(void **state)
{
    (void)state;
    char path[300], bom[300], err[512] = "";
    cb_table_t t;
    path_in_tmp(path, sizeof path, "plain.csv");
    write_ours_with(path, "");
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    char body[8192];
    size_t n = fread(body, 1, sizeof body, in);
    fclose(in);
    assert_true(n > 0 && n < sizeof body);
    path_in_tmp(bom, sizeof bom, "bom.csv");
    FILE *out = fopen(bom, "wb");
    assert_non_null(out);
    fwrite("\xEF\xBB\xBF", 1, 3, out);
    fwrite(body, 1, n, out);
    fclose(out);
    cb_table_init(&t);
    int rc = cb_table_read(&t, bom, err, sizeof err);
    if (rc)
        print_error("%s\n", err);
    assert_int_equal(rc, CB_OK);
    assert_int_equal(t.nrows, 1);
    assert_string_equal(cb_table_str(&t, 0, CB_COL_SCHEMA_VERSION), "1");
    assert_string_equal(cb_table_str(&t, 0, CB_COL_CLUSTER), "c");
    cb_table_free(&t);

    /* a BOM before a row (not the file) is that row's data: its
     * schema_version is then not 1 */
    path_in_tmp(path, sizeof path, "bom-row.csv");
    char row[512] = "\xEF\xBB\xBF" "1";
    for (int i = 1; i < CB_NCOLS; i++)
        strcat(row, ",");
    strcat(row, "\n");
    write_ours_with(path, row);
    cb_table_init(&t);
    assert_int_equal(cb_table_read(&t, path, err, sizeof err), CB_ERR_INPUT);
    assert_non_null(strstr(err, "bom-row.csv:3: schema_version"));
    cb_table_free(&t);

    /* a NUL in the note of row 2 (line 3) */
    path_in_tmp(path, sizeof path, "nul.csv");
    write_ours_with(path, "");
    FILE *a = fopen(path, "ab");
    assert_non_null(a);
    fputc('1', a);
    for (int i = 1; i < CB_NCOLS - 1; i++)
        fputs(",x", a);
    fwrite(",a\0b\n", 1, 5, a);
    fclose(a);
    cb_table_init(&t);
    assert_int_equal(cb_table_read(&t, path, err, sizeof err), CB_ERR_INPUT);
    print_message("%s\n", err);
    assert_non_null(strstr(err, "nul.csv:3: a NUL byte in field 39 (note)"));
    assert_int_equal(t.nrows, 0);
    cb_table_free(&t);
}

static void test_results_directory_read(void **state)
{
    (void)state;
    char dir[300], path[400], err[512];
    path_in_tmp(dir, sizeof dir, "dir");
    snprintf(path, sizeof path, "%s/a/one.csv", dir);
    write_ours_with(path, "");
    snprintf(path, sizeof path, "%s/b/two.csv", dir);
    write_ours_with(path, "");
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    write_file(path, "x,y\n1,2\n"); /* not ours: skipped in a directory scan */
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    write_file(path, "hello\n");
    cb_table_t t;
    cb_table_init(&t);
    assert_int_equal(cb_table_read(&t, dir, err, sizeof err), CB_OK);
    assert_int_equal(t.nrows, 2);
    assert_int_equal(t.nskipped, 1);
    char where[400];
    assert_non_null(strstr(cb_table_where(&t, 0, where, sizeof where), "a/one.csv:2"));
    assert_non_null(strstr(cb_table_where(&t, 1, where, sizeof where), "b/two.csv:2"));
    cb_table_free(&t);
}

static void test_results_unwritable_path(void **state)
{
    (void)state;
    char path[300], err[512] = "";
    cb_results_t *res = NULL;
    path_in_tmp(path, sizeof path, "file");
    write_file(path, "x");
    char bad[400];
    snprintf(bad, sizeof bad, "%s/below-a-file.csv", path); /* parent is a file */
    assert_int_equal(cb_results_open(bad, &res, err, sizeof err), CB_ERR_IO);
    assert_null(res);
    assert_non_null(strstr(err, "below-a-file.csv"));
    assert_int_equal(cb_results_open("", &res, err, sizeof err), CB_ERR_USAGE);
}

/* Every line of the file parses as a whole row. */
static size_t assert_whole_rows(const char *path)
{
    char err[512] = "";
    cb_table_t t;
    cb_table_init(&t);
    int rc = cb_table_read(&t, path, err, sizeof err);
    if (rc)
        print_error("%s\n", err);
    assert_int_equal(rc, CB_OK);
    size_t n = t.nrows;
    for (size_t i = 0; i < n; i++)
        assert_string_equal(cb_table_str(&t, i, CB_COL_STATUS), "ok");
    cb_table_free(&t);
    return n;
}

/* Writes rows to path until the file-size limit stops it (fsize_limit > 0)
 * or it is killed; after opening the file and after every row it writes a
 * byte to notify_fd (-1: none), so the parent knows how far it got. */
static void writer_child(const char *path, long fsize_limit, int notify_fd)
{
    if (fsize_limit > 0) {
        struct rlimit rl = {(rlim_t)fsize_limit, (rlim_t)fsize_limit};
        signal(SIGXFSZ, SIG_IGN); /* get EFBIG / short writes instead */
        setrlimit(RLIMIT_FSIZE, &rl);
    }
    char err[256];
    cb_results_t *res = NULL;
    cb_results_ctx_t ctx;
    cb_results_ctx_init(&ctx, "torn");
    if (cb_results_open(path, &res, err, sizeof err))
        _exit(10);
    if (notify_fd >= 0 && write(notify_fd, "o", 1) != 1)
        _exit(13);
    for (int i = 0;; i++) {
        cb_row_t row;
        fill_row(&row, &ctx, i % 20);
        /* long notes make short writes likely at the limit */
        char note[700];
        memset(note, 'x', sizeof note - 1);
        note[sizeof note - 1] = '\0';
        cb_row_set_str(&row, CB_COL_NOTE, note);
        int rc = cb_results_write(res, &row);
        cb_row_clear(&row);
        if (rc)
            _exit(fsize_limit > 0 ? 0 : 11); /* the limit was hit: expected */
        if (notify_fd >= 0 && write(notify_fd, "r", 1) != 1)
            _exit(13);
        if (fsize_limit <= 0 && i > 200000)
            _exit(12);
    }
}

static void test_results_torn_write_file_size_limit(void **state)
{
    (void)state;
    /* Limits that cut rows at many different offsets. */
    for (long limit = 6000; limit < 9000; limit += 333) {
        char path[300];
        snprintf(path, sizeof path, "%s/limit-%ld.csv", tmpdir, limit);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            writer_child(path, limit, -1);
        int st = 0;
        waitpid(pid, &st, 0);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
        size_t rows = assert_whole_rows(path);
        assert_true(rows >= 1);
        struct stat sb;
        assert_int_equal(stat(path, &sb), 0);
        assert_true(sb.st_size <= limit);
    }
}

static void test_results_torn_write_sigkill(void **state)
{
    (void)state;
    /* Kill writers at several moments, each known from the writer's own
     * report: right after it opened the file (header only), and after 1, 7,
     * 40, 200 and 1000 rows, while it goes on writing (so the kill lands
     * anywhere in the next rows). Every file exists and holds whole rows,
     * at least as many as were reported written. */
    static const long after[] = {0, 1, 7, 40, 200, 1000};
    for (size_t k = 0; k < sizeof after / sizeof after[0]; k++) {
        char path[300];
        snprintf(path, sizeof path, "%s/kill-%zu.csv", tmpdir, k);
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            writer_child(path, 0, fds[1]);
        }
        close(fds[1]);
        long rows_done = -1; /* the first byte says the file is open */
        char b;
        while (rows_done < after[k] && read(fds[0], &b, 1) == 1)
            rows_done++;
        kill(pid, SIGKILL);
        close(fds[0]);
        int st = 0;
        waitpid(pid, &st, 0);
        assert_true(WIFSIGNALED(st)); /* still writing when killed */
        assert_int_equal(rows_done, after[k]);
        struct stat sb;
        assert_int_equal(stat(path, &sb), 0);
        size_t rows = assert_whole_rows(path);
        print_message("killed after %ld row(s) reported: %zu whole row(s) in the file\n", after[k],
                      rows);
        assert_true(rows >= (size_t)after[k]);
    }
}

/* A field equal to the one above it shares its text in the pool (an
 * all-pairs file repeats its host list in every row); prefixes either way
 * and empty fields stay themselves. */
static void test_results_repeated_fields_shared(void **state)
{
    (void)state;
    char path[300], err[512] = "", hosts[1001];
    memset(hosts, 'h', 1000);
    hosts[1000] = '\0';
    static const char *const notes[] = {"abcd", "abc", "abcde", "abcde", ""};
    const char *hs[] = {hosts, hosts, hosts, "", hosts};
    path_in_tmp(path, sizeof path, "shared.csv");
    cb_results_ctx_t ctx;
    cb_results_ctx_init(&ctx, "c");
    cb_results_t *res = NULL;
    assert_int_equal(cb_results_open(path, &res, err, sizeof err), CB_OK);
    for (int i = 0; i < 5; i++) {
        cb_row_t row;
        fill_row(&row, &ctx, 0);
        cb_row_set_str(&row, CB_COL_HOSTS, hs[i]);
        cb_row_set_str(&row, CB_COL_NOTE, notes[i]);
        assert_int_equal(cb_results_write(res, &row), CB_OK);
        cb_row_clear(&row);
    }
    cb_results_close(res);
    cb_results_ctx_free(&ctx);
    cb_table_t t;
    cb_table_init(&t);
    assert_int_equal(cb_table_read(&t, path, err, sizeof err), CB_OK);
    assert_int_equal(t.nrows, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(cb_table_str(&t, i, CB_COL_HOSTS), hs[i]);
        assert_string_equal(cb_table_str(&t, i, CB_COL_NOTE), notes[i]);
        assert_string_equal(cb_table_str(&t, i, CB_COL_STATUS), "ok");
    }
    /* the host list is stored twice (rows 1 and 5), not four times */
    assert_ptr_equal(cb_table_str(&t, 0, CB_COL_HOSTS), cb_table_str(&t, 2, CB_COL_HOSTS));
    assert_true(t.pool_len < 2 * 1001 + 1000);
    cb_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_results_column_names),
        cmocka_unit_test(test_results_roundtrip_quoting),
        cmocka_unit_test(test_results_rejects_foreign_files),
        cmocka_unit_test(test_results_reader_errors_name_line),
        cmocka_unit_test(test_results_reader_bom_and_nul),
        cmocka_unit_test(test_results_directory_read),
        cmocka_unit_test(test_results_repeated_fields_shared),
        cmocka_unit_test(test_results_unwritable_path),
        cmocka_unit_test(test_results_torn_write_file_size_limit),
        cmocka_unit_test(test_results_torn_write_sigkill),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
