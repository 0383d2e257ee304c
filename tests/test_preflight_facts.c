/* cb-preflight's readers against fake trees (tests/data/preflight/): the
 * sysfs interfaces (up at 25000 Mb/s, down, -1 speed, virtual), logind.conf
 * trees (RemoveIPC yes / no / default / absent / drop-ins), the token files
 * of the shared-storage test in a temporary directory, /dev/shm numbers, and
 * the option parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb_error.h"
#include "cb_test.h"
#include "preflight.h"

static char data[1024];

static int setup(void **state)
{
    (void)state;
    snprintf(data, sizeof data, "%s/preflight", cb_test_env("CB_TEST_DATA"));
    return 0;
}

static void iface(const char *name, cb_preflight_iface_t *f)
{
    char root[1200];
    snprintf(root, sizeof root, "%s/sysfs", data);
    cb_preflight_read_iface(root, name, f);
}

static void test_preflight_sysfs_up(void **state)
{
    (void)state;
    cb_preflight_iface_t f;
    iface("ens25g", &f);
    assert_true(f.exists);
    assert_string_equal(f.operstate, "up");
    assert_int_equal(f.flags_up, 1);
    assert_int_equal(f.speed_mbps, 25000);
    assert_int_equal(f.is_virtual, 0);
    assert_non_null(strstr(f.source, "sysfs"));
    assert_non_null(strstr(f.present, "dn0, ens1g, ens25g"));
    cb_preflight_verdict_t v;
    cb_preflight_check_iface("ens25g", &f, &v);
    assert_int_equal(v.status, CB_PREFLIGHT_PASS);
    cb_preflight_check_link_speed("ens25g", &f, 25, &v);
    assert_int_equal(v.status, CB_PREFLIGHT_PASS);
    cb_preflight_check_link_speed("ens25g", &f, 100, &v);
    assert_int_equal(v.status, CB_PREFLIGHT_FAIL);
    iface("ens1g", &f);
    cb_preflight_check_link_speed("ens1g", &f, 2.5, &v);
    assert_int_equal(v.status, CB_PREFLIGHT_FAIL);
    assert_non_null(strstr(v.msg, "1000 Mb/s, below"));
}

static void test_preflight_sysfs_down(void **state)
{
    (void)state;
    cb_preflight_iface_t f;
    cb_preflight_verdict_t v;
    iface("dn0", &f);
    assert_true(f.exists);
    assert_string_equal(f.operstate, "down");
    assert_int_equal(f.flags_up, 0);
    assert_int_equal(f.speed_mbps, -1);
    cb_preflight_check_iface("dn0", &f, &v);
    assert_int_equal(v.status, CB_PREFLIGHT_FAIL);
    assert_non_null(strstr(v.msg, "dn0 is down"));
    iface("nocarrier0", &f);
    cb_preflight_check_iface("nocarrier0", &f, &v);
    assert_int_equal(v.status, CB_PREFLIGHT_FAIL);
    assert_non_null(strstr(v.msg, "no carrier"));
    iface("missing0", &f);
    assert_false(f.exists);
    cb_preflight_check_iface("missing0", &f, &v);
    assert_int_equal(v.status, CB_PREFLIGHT_FAIL);
    assert_non_null(strstr(v.msg, "not found"));
    assert_non_null(strstr(v.msg, "ens25g"));
}

static void test_preflight_sysfs_unknown_speed(void **state)
{
    (void)state;
    cb_preflight_iface_t f;
    cb_preflight_verdict_t v;
    iface("virtio0", &f); /* a NIC that reports -1 */
    assert_int_equal(f.speed_mbps, -1);
    assert_int_equal(f.is_virtual, 0);
    assert_non_null(strstr(f.speed_why, "-1"));
    cb_preflight_check_iface("virtio0", &f, &v);
    assert_int_equal(v.status, CB_PREFLIGHT_PASS);
    cb_preflight_check_link_speed("virtio0", &f, 25, &v);
    assert_int_equal(v.status, CB_PREFLIGHT_WARN);
    assert_non_null(strstr(v.msg, "sysfs speed reports -1"));
    iface("veth0", &f); /* virtual, nominal 10000 */
    assert_int_equal(f.is_virtual, 1);
    assert_int_equal(f.speed_mbps, 10000);
    cb_preflight_check_link_speed("veth0", &f, 2.5, &v);
    assert_int_equal(v.status, CB_PREFLIGHT_WARN);
    assert_non_null(strstr(v.msg, "nominal"));
    iface("lo", &f); /* no speed file; operstate unknown with IFF_UP */
    assert_string_equal(f.operstate, "unknown");
    assert_int_equal(f.flags_up, 1);
    assert_non_null(strstr(f.speed_why, "unreadable"));
    cb_preflight_check_iface("lo", &f, &v);
    assert_int_equal(v.status, CB_PREFLIGHT_PASS);
    cb_preflight_check_link_speed("lo", &f, 10, &v);
    assert_int_equal(v.status, CB_PREFLIGHT_WARN);
}

static void logind(const char *tree, cb_preflight_logind_t *l)
{
    char root[1200];
    snprintf(root, sizeof root, "%s/logind/%s", data, tree);
    cb_preflight_read_logind(root, l);
}

static void test_preflight_logind_trees(void **state)
{
    (void)state;
    cb_preflight_logind_t l;
    cb_preflight_verdict_t v;
    logind("yes", &l);
    assert_int_equal(l.files, 1);
    assert_int_equal(l.removeipc, 1);
    assert_non_null(strstr(l.source, "yes/etc/systemd/logind.conf"));
    cb_preflight_check_removeipc(&l, &v);
    assert_int_equal(v.status, CB_PREFLIGHT_WARN);
    assert_non_null(strstr(v.msg, "RemoveIPC=no"));

    logind("no", &l);
    assert_int_equal(l.removeipc, 0);
    cb_preflight_check_removeipc(&l, &v);
    assert_int_equal(v.status, CB_PREFLIGHT_PASS);

    logind("default", &l); /* everything commented out: systemd's default yes */
    assert_int_equal(l.files, 1);
    assert_int_equal(l.removeipc, -1);
    cb_preflight_check_removeipc(&l, &v);
    assert_int_equal(v.status, CB_PREFLIGHT_WARN);
    assert_non_null(strstr(v.msg, "default is yes"));

    logind("absent", &l);
    assert_int_equal(l.files, 0);
    cb_preflight_check_removeipc(&l, &v);
    assert_int_equal(v.status, CB_PREFLIGHT_PASS);
    assert_non_null(strstr(v.msg, "not systemd"));

    /* main file says no; etc's 50-ipc.conf (yes) hides usr/lib's 50-ipc.conf
     * (no) and comes after usr/lib's 10-early.conf; *.txt is not read */
    logind("dropin", &l);
    assert_int_equal(l.files, 3);
    assert_int_equal(l.removeipc, 1);
    assert_non_null(strstr(l.source, "etc/systemd/logind.conf.d/50-ipc.conf"));

    logind("dropin-only", &l); /* a drop-in under /run and no main file */
    assert_int_equal(l.files, 1);
    assert_int_equal(l.removeipc, 0);
}

static void test_preflight_tokens(void **state)
{
    (void)state;
    char tmp[] = "/tmp/cb_preflight_tok.XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char dir[256], path[512], other[512], text[256], detail[1024];
    snprintf(dir, sizeof dir, "%s/a/b", tmp); /* created with its parents */
    cb_preflight_token_path(dir, "RUN1", 0, path, sizeof path);
    cb_preflight_token_text("RUN1", "node0", text, sizeof text);
    assert_int_equal(cb_preflight_write_token(dir, path, text, detail, sizeof detail), CB_OK);
    assert_string_equal(detail, "");
    assert_int_equal(cb_preflight_read_token(path, text, 0), CB_PREFLIGHT_TOKEN_OK);
    char wrong[256];
    cb_preflight_token_text("RUN1", "node9", wrong, sizeof wrong);
    assert_int_equal(cb_preflight_read_token(path, wrong, 0), CB_PREFLIGHT_TOKEN_MISMATCH);
    cb_preflight_token_path(dir, "RUN1", 1, other, sizeof other);
    assert_int_equal(cb_preflight_read_token(other, text, 0.2), CB_PREFLIGHT_TOKEN_MISSING);
    /* O_EXCL: a second write of the same token fails and says why */
    assert_int_equal(cb_preflight_write_token(dir, path, text, detail, sizeof detail), CB_ERR_IO);
    assert_non_null(strstr(detail, "File exists"));
    unlink(path);
    /* a results directory under a regular file cannot be made */
    char file[300], below[320];
    snprintf(file, sizeof file, "%s/plain", tmp);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(below, sizeof below, "%s/sub", file);
    cb_preflight_token_path(below, "RUN1", 0, path, sizeof path);
    assert_int_equal(cb_preflight_write_token(below, path, text, detail, sizeof detail), CB_ERR_IO);
    assert_non_null(strstr(detail, "mkdir"));
    unlink(file);
    snprintf(path, sizeof path, "%s/a/b", tmp);
    rmdir(path);
    snprintf(path, sizeof path, "%s/a", tmp);
    rmdir(path);
    assert_int_equal(rmdir(tmp), 0); /* nothing left behind */
}

static void test_preflight_shm_read(void **state)
{
    (void)state;
    cb_preflight_shm_t s;
    cb_preflight_read_shm("/tmp", &s);
    assert_int_equal(s.err, 0);
    assert_true(s.total_bytes > 0);
    cb_preflight_read_shm("/nonexistent/cb-preflight", &s);
    assert_int_not_equal(s.err, 0);
}

static int parse(cb_preflight_opts_t *o, char *err, size_t len, ...)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = "cb-preflight";
    va_list ap;
    va_start(ap, len);
    for (char *a; (a = va_arg(ap, char *)) && argc < 31;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    FILE *devnull = fopen("/dev/null", "w");
    int rc = cb_preflight_parse_args(argc, argv, o, devnull, err, len);
    fclose(devnull);
    return rc;
}

static void test_preflight_options(void **state)
{
    (void)state;
    cb_preflight_opts_t o;
    char err[256];
    unsetenv("CB_PROFILE");
    assert_int_equal(parse(&o, err, sizeof err, NULL), CB_OK);
    assert_string_equal(o.profile, "");
    assert_string_equal(o.common.results_dir, "results");
    assert_string_equal(o.sysfs_root, "/sys");
    assert_string_equal(o.logind_root, "/");
    assert_double_equal(o.clock_tolerance_s, 0.5, 0);
    setenv("CB_PROFILE", "vcluster", 1);
    assert_int_equal(parse(&o, err, sizeof err, NULL), CB_OK);
    assert_string_equal(o.profile, "vcluster");
    assert_true(o.profile_from_env);
    assert_int_equal(parse(&o, err, sizeof err, "--profile", "localhost", "--results-dir", "/tmp/r",
                           "-o", "x.csv", "--cluster", "c1", "--sysfs-root", "/tmp/s",
                           "--logind-root", "/tmp/l", "--clock-tolerance-s", "0.25", "-q", NULL),
                     CB_OK);
    unsetenv("CB_PROFILE");
    assert_string_equal(o.profile, "localhost");
    assert_false(o.profile_from_env);
    assert_string_equal(o.common.results_dir, "/tmp/r");
    assert_string_equal(o.common.output, "x.csv");
    assert_string_equal(o.common.cluster, "c1");
    assert_string_equal(o.sysfs_root, "/tmp/s");
    assert_string_equal(o.logind_root, "/tmp/l");
    assert_double_equal(o.clock_tolerance_s, 0.25, 0);
    assert_true(o.common.quiet);
    assert_int_equal(parse(&o, err, sizeof err, "--help", NULL), 1);
    assert_int_equal(parse(&o, err, sizeof err, "--frobnicate", NULL), CB_ERR_USAGE);
    assert_non_null(strstr(err, "unknown option '--frobnicate'"));
    assert_int_equal(parse(&o, err, sizeof err, "--clock-tolerance-s", "-1", NULL), CB_ERR_USAGE);
    assert_non_null(strstr(err, "--clock-tolerance-s"));
    assert_int_equal(parse(&o, err, sizeof err, "--clock-tolerance-s", "abc", NULL), CB_ERR_USAGE);
    assert_int_equal(parse(&o, err, sizeof err, "--profile", NULL), CB_ERR_USAGE);
    assert_non_null(strstr(err, "missing value"));
    assert_int_equal(parse(&o, err, sizeof err, "--profile", "", NULL), CB_ERR_USAGE);
    assert_int_equal(parse(&o, err, sizeof err, "stray", NULL), CB_ERR_USAGE);
    assert_non_null(strstr(err, "unexpected argument 'stray'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_preflight_sysfs_up),
        cmocka_unit_test(test_preflight_sysfs_down),
        cmocka_unit_test(test_preflight_sysfs_unknown_speed),
        cmocka_unit_test(test_preflight_logind_trees),
        cmocka_unit_test(test_preflight_tokens),
        cmocka_unit_test(test_preflight_shm_read),
        cmocka_unit_test(test_preflight_options),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
