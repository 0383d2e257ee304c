/* Unit tests of cb_file: mkdir -p, its undo, and atomic writes that leave
 * nothing behind when they fail. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb_test.h"

#include "cb_error.h"
#include "cb_file.h"

static char root[256];

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/cb_test_file.XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *at(const char *rel)
{
    static char buf[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", root, rel);
    return buf[i];
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Entries in dir other than . and .. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static char *slurp(const char *p, size_t *len)
{
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    static char buf[4096];
    *len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

static void test_file_mkdir_p_creates_parents(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(cb_file_mkdir_p(at("a/b/c"), err, sizeof err), CB_OK);
    assert_true(is_dir(at("a/b/c")));
    /* existing, trailing and doubled slashes are fine */
    assert_int_equal(cb_file_mkdir_p(at("a/b/c/"), err, sizeof err), CB_OK);
    assert_int_equal(cb_file_mkdir_p(at("a//b"), err, sizeof err), CB_OK);
    assert_int_equal(cb_file_mkdir_parents(at("a/x/y.csv"), err, sizeof err), CB_OK);
    assert_true(is_dir(at("a/x")));
    assert_false(is_dir(at("a/x/y.csv")));
    assert_int_equal(cb_file_mkdir_parents("y.csv", err, sizeof err), CB_OK);
}

static void test_file_mkdir_p_reports_a_file_in_the_way(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(cb_file_write_atomic(at("f"), "x", 1, err, sizeof err), CB_OK);
    assert_int_equal(cb_file_mkdir_p(at("f"), err, sizeof err), CB_ERR_IO);
    assert_non_null(strstr(err, "not a directory"));
    err[0] = '\0';
    assert_int_equal(cb_file_mkdir_p(at("f/g/h"), err, sizeof err), CB_ERR_IO);
    assert_non_null(strstr(err, "f/g: cannot create directory"));
    assert_int_equal(errno, ENOTDIR);
    assert_int_equal(cb_file_mkdir_p("", err, sizeof err), CB_ERR_IO);
    assert_int_equal(cb_file_mkdir_p(at("f"), NULL, 0), CB_ERR_IO); /* no buffer: fine */
}

static void test_file_rmdir_made_takes_back_only_what_it_made(void **state)
{
    (void)state;
    char err[256];
    size_t made = 99;
    assert_int_equal(cb_file_mkdir_p(at("keep"), err, sizeof err), CB_OK);
    assert_int_equal(cb_file_mkdir_p_made(at("keep/n1/n2/"), &made, err, sizeof err), CB_OK);
    assert_int_equal(made, strlen(at("keep/n1")));
    cb_file_rmdir_made(at("keep/n1/n2/"), made);
    assert_false(is_dir(at("keep/n1")));
    assert_true(is_dir(at("keep")));
    assert_int_equal(cb_file_mkdir_p_made(at("keep"), &made, err, sizeof err), CB_OK);
    assert_int_equal(made, 0);
    cb_file_rmdir_made(at("keep"), made);
    assert_true(is_dir(at("keep")));
    /* a directory no longer empty stays */
    assert_int_equal(cb_file_mkdir_p_made(at("keep/m"), &made, err, sizeof err), CB_OK);
    assert_int_equal(cb_file_write_atomic(at("keep/m/x"), "x", 1, err, sizeof err), CB_OK);
    cb_file_rmdir_made(at("keep/m"), made);
    assert_true(is_dir(at("keep/m")));
}

static void test_file_write_atomic_replaces_whole(void **state)
{
    (void)state;
    char err[256] = "";
    size_t len;
    assert_int_equal(cb_file_mkdir_p(at("w"), err, sizeof err), CB_OK);
    assert_int_equal(cb_file_write_atomic(at("w/out.txt"), "first\n", 6, err, sizeof err), CB_OK);
    assert_int_equal(cb_file_write_atomic(at("w/out.txt"), "2nd\n", 4, err, sizeof err), CB_OK);
    char *s = slurp(at("w/out.txt"), &len);
    assert_non_null(s);
    assert_int_equal(len, 4);
    assert_memory_equal(s, "2nd\n", 4);
    assert_int_equal(entries(at("w")), 1); /* no temporary left */
    assert_int_equal(cb_file_write_atomic(at("w/empty"), NULL, 0, err, sizeof err), CB_OK);
    assert_non_null(slurp(at("w/empty"), &len));
    assert_int_equal(len, 0);
    /* 0666 less the umask */
    mode_t um = umask(022);
    assert_int_equal(cb_file_write_atomic(at("w/m"), "x", 1, err, sizeof err), CB_OK);
    umask(um);
    struct stat st;
    assert_int_equal(stat(at("w/m"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
}

static void test_file_write_atomic_leaves_nothing_on_failure(void **state)
{
    (void)state;
    char err[256] = "";
    /* no such directory */
    assert_int_equal(cb_file_write_atomic(at("none/out.txt"), "x", 1, err, sizeof err),
                     CB_ERR_IO);
    assert_non_null(strstr(err, "none/out.txt: cannot create a temporary file beside it"));
    /* the destination is a directory: the rename fails, the temp goes */
    assert_int_equal(cb_file_mkdir_p(at("d/dest"), err, sizeof err), CB_OK);
    err[0] = '\0';
    assert_int_equal(cb_file_write_atomic(at("d/dest"), "x", 1, err, sizeof err), CB_ERR_IO);
    assert_non_null(strstr(err, "cannot rename into place"));
    assert_int_equal(entries(at("d")), 1);
    assert_int_equal(entries(at("d/dest")), 0);
    assert_int_equal(cb_file_write_atomic("", "x", 1, err, sizeof err), CB_ERR_IO);
}

static void test_file_atomic_stream_commit_and_abort(void **state)
{
    (void)state;
    char err[256] = "";
    cb_file_atomic_t *a = NULL, *b = NULL;
    assert_int_equal(cb_file_mkdir_p(at("s"), err, sizeof err), CB_OK);
    assert_int_equal(cb_file_atomic_open(at("s/run.sh"), 0755, &a, err, sizeof err), CB_OK);
    assert_int_equal(cb_file_atomic_open(at("s/other"), 0, &b, err, sizeof err), CB_OK);
    fprintf(cb_file_atomic_stream(a), "#!/bin/sh\necho %d\n", 42);
    fputs("never", cb_file_atomic_stream(b));
    assert_int_equal(entries(at("s")), 2); /* the two temporaries, hidden */
    assert_int_equal(cb_file_atomic_sync(a, err, sizeof err), CB_OK);
    assert_int_equal(cb_file_atomic_sync(a, err, sizeof err), CB_OK); /* idempotent */
    assert_null(cb_file_atomic_stream(a));
    cb_file_atomic_abort(b);
    assert_int_equal(entries(at("s")), 1);
    assert_int_equal(cb_file_atomic_commit(a, err, sizeof err), CB_OK);
    assert_int_equal(entries(at("s")), 1);
    size_t len;
    char *s = slurp(at("s/run.sh"), &len);
    assert_non_null(s);
    assert_int_equal(len, 18);
    assert_memory_equal(s, "#!/bin/sh\necho 42\n", 18);
    struct stat st;
    assert_int_equal(stat(at("s/run.sh"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0755);
    cb_file_atomic_abort(NULL);
}

static void test_file_atomic_stream_write_error_shows_at_sync(void **state)
{
    (void)state;
    /* the stream fails: its descriptor is closed under it */
    char err[256] = "";
    cb_file_atomic_t *a = NULL;
    assert_int_equal(cb_file_atomic_open(at("e.txt"), 0, &a, err, sizeof err), CB_OK);
    FILE *f = cb_file_atomic_stream(a);
    close(fileno(f));
    fputs("lost", f);
    assert_int_equal(cb_file_atomic_commit(a, err, sizeof err), CB_ERR_IO);
    assert_non_null(strstr(err, "e.txt: write failed"));
    assert_int_equal(entries(root), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_file_mkdir_p_creates_parents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_mkdir_p_reports_a_file_in_the_way, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_file_rmdir_made_takes_back_only_what_it_made, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_file_write_atomic_replaces_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_write_atomic_leaves_nothing_on_failure, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_file_atomic_stream_commit_and_abort, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_file_atomic_stream_write_error_shows_at_sync, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
