/* Regression tests for bugs that fuzzing and the sanitizer build found (each
 * input also lives in tests/fuzz/regressions/<target>/ for the replays). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cb_test.h"

#include "cb_error.h"
#include "cb_gate.h"
#include "cb_profile.h"
#include "cb_results.h"

/* fuzz_profile: a line ending in a run of '\r's was copied whole into inih's
 * 200-byte line buffer (stack overflow) although only its content is limited. */
static void test_profile_trailing_cr_run(void **state)
{
    (void)state;
    char text[2048];
    char cr[301];
    memset(cr, '\r', 300);
    cr[300] = '\0';
    char iface_line[200];
    /* content of exactly CB_PROFILE_MAX_LINE characters, then 300 CRs */
    snprintf(iface_line, sizeof iface_line, "description = %0*d",
             CB_PROFILE_MAX_LINE - (int)strlen("description = "), 7);
    assert_int_equal(strlen(iface_line), CB_PROFILE_MAX_LINE);
    snprintf(text, sizeof text,
             "[cluster]\nname = crs\n%s%s\nnodes = 2\npartition =\ngpus_per_node = 0\n"
             "gres =\ntime_limit = 00:30:00\n%s\n[network]\nkind = ethernet\n"
             "line_rate_gbps = 2.5\niface = eth0%s\n",
             iface_line, cr, cr, cr);

    char err[512] = "";
    cb_profile_t *p = NULL;
    assert_int_equal(cb_profile_parse_string(text, "crs.ini", &p, err, sizeof err), CB_OK);
    assert_non_null(p);
    assert_string_equal(p->iface, "eth0");
    assert_int_equal(strlen(p->description), CB_PROFILE_MAX_LINE - strlen("description = "));
    cb_profile_free(p);

    int fd = memfd_create("crs", MFD_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    assert_int_equal(cb_profile_load(path, &p, err, sizeof err), CB_OK);
    assert_string_equal(p->iface, "eth0");
    cb_profile_free(p);
    close(fd);
}

/* fuzz_gate: the same overflow in the thresholds reader (gate/gate_load.c). */
static void test_gate_trailing_cr_run(void **state)
{
    (void)state;
    char text[2048];
    char cr[301];
    memset(cr, '\r', 300);
    cr[300] = '\0';
    snprintf(text, sizeof text,
             "[p2p_bw]\nbenchmark = p2p%s\n%s\ncolumn = algbw_gbps\nreference = 1\n"
             "lower = -0.5\nupper = none\nunit = GB/s%s\n",
             cr, cr, cr);
    char err[512] = "";
    cb_gate_t *g = NULL;
    assert_int_equal(cb_gate_parse_string(text, "crs.gate.ini", NULL, &g, err, sizeof err), CB_OK);
    assert_non_null(g);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->checks[0].unit, "GB/s");
    cb_gate_free(g);
}

/* CB_SANITIZE (UBSan): reading an empty directory passed NULL to qsort(). */
static void test_results_read_empty_dir(void **state)
{
    (void)state;
    char dir[] = "/tmp/cb_fuzz_regr.XXXXXX";
    assert_non_null(mkdtemp(dir));
    cb_table_t t;
    cb_table_init(&t);
    char err[256] = "";
    assert_int_equal(cb_table_read(&t, dir, err, sizeof err), CB_OK);
    assert_int_equal(t.nrows, 0);
    cb_table_free(&t);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_trailing_cr_run),
        cmocka_unit_test(test_gate_trailing_cr_run),
        cmocka_unit_test(test_results_read_empty_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
