/* Tests of cb_profile: the shipped profiles load with the values they state,
 * every bad profile in tests/data/profiles/ is refused with the file:line and
 * reason its "; expect-line:" / "; expect-reason:" comments name, and the
 * pure helpers (time limits, goodput, kinds, name resolution) behave. */
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cb_test.h"

#include "cb_error.h"
#include "cb_profile.h"

/* cmocka 1.1.5 has no double comparison (assert_float_equal is float) */
#define assert_near(a, b, eps)                                                          \
    do {                                                                                \
        double a_ = (a), b_ = (b);                                                      \
        if (!(fabs(a_ - b_) <= (eps)))                                                  \
            fail_msg("%s = %.17g, want %.17g +- %g", #a, a_, b_, (double)(eps));        \
    } while (0)

static cb_profile_t *load_shipped(const char *name)
{
    char path[PATH_MAX], err[512];
    snprintf(path, sizeof path, "%s/sbatch/profiles/%s.ini", cb_test_env("CB_SOURCE_DIR"), name);
    cb_profile_t *p = NULL;
    int rc = cb_profile_load(path, &p, err, sizeof err);
    if (rc != CB_OK)
        print_error("%s\n", err);
    assert_int_equal(rc, CB_OK);
    assert_non_null(p);
    return p;
}

/* A minimal valid profile; tests append or substitute lines. */
#define BASE_CLUSTER                                                                     \
    "[cluster]\nname = t\nnodes = 2\npartition = p\ngpus_per_node = 0\ngres =\n"         \
    "time_limit = 10\n"
#define BASE_NETWORK "[network]\nkind = ethernet\nline_rate_gbps = 1\niface = eth0\n"

static cb_profile_t *parse_ok(const char *text)
{
    char err[512] = "";
    cb_profile_t *p = NULL;
    int rc = cb_profile_parse_string(text, "mem", &p, err, sizeof err);
    if (rc != CB_OK)
        print_error("unexpected error: %s\n", err);
    assert_int_equal(rc, CB_OK);
    assert_non_null(p);
    return p;
}

static void parse_bad(const char *text, const char *want_prefix, const char *want_reason)
{
    char err[512] = "";
    cb_profile_t *p = (cb_profile_t *)1;
    int rc = cb_profile_parse_string(text, "mem", &p, err, sizeof err);
    assert_int_equal(rc, CB_ERR_INPUT);
    assert_null(p);
    if (strncmp(err, want_prefix, strlen(want_prefix)) || !strstr(err, want_reason))
        print_error("got '%s', want '%s...%s'\n", err, want_prefix, want_reason);
    assert_true(strncmp(err, want_prefix, strlen(want_prefix)) == 0);
    assert_non_null(strstr(err, want_reason));
}

static void test_profile_load_shipped_all(void **state)
{
    (void)state;
    char pattern[PATH_MAX];
    snprintf(pattern, sizeof pattern, "%s/sbatch/profiles/*.ini", cb_test_env("CB_SOURCE_DIR"));
    glob_t g;
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 7);
    int have_default = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char err[512];
        if (strstr(g.gl_pathv[i], ".gate.ini")) /* the gate's thresholds, not profiles */
            continue;
        cb_profile_t *p = NULL;
        int rc = cb_profile_load(g.gl_pathv[i], &p, err, sizeof err);
        if (rc != CB_OK)
            print_error("%s\n", err);
        assert_int_equal(rc, CB_OK);
        /* the name inside is the file's name */
        const char *base = strrchr(g.gl_pathv[i], '/') + 1;
        assert_int_equal(strlen(base), strlen(p->name) + 4);
        assert_memory_equal(base, p->name, strlen(p->name));
        have_default |= !strcmp(p->name, CB_PROFILE_DEFAULT);
        cb_profile_free(p);
    }
    assert_true(have_default);
    globfree(&g);
}

static void test_profile_load_vcluster_values(void **state)
{
    (void)state;
    cb_profile_t *p = load_shipped("vcluster");
    assert_string_equal(p->name, "vcluster");
    assert_int_equal(p->nodes, 3);
    assert_string_equal(p->nodelist, "node[0-2]");
    assert_string_equal(p->partition, "main");
    assert_int_equal(p->gpus_per_node, 0);
    assert_string_equal(p->gres, "");
    assert_string_equal(p->time_limit, "00:30:00");
    assert_int_equal(p->time_limit_s, 1800);
    assert_int_equal(p->net_kind, CB_NET_ETHERNET);
    assert_true(p->line_rate_gbps == 2.5);
    assert_int_equal(p->rails_per_node, 1);
    assert_string_equal(p->iface, "eth0");
    assert_int_equal(p->mtu, 1500);
    assert_int_equal(p->n_env, 0);
    cb_profile_free(p);

    p = load_shipped("vcluster-100m");
    assert_true(p->line_rate_gbps == 0.1);
    assert_int_equal(p->nodes, 3);
    cb_profile_free(p);
}

static void test_profile_load_other_shipped_values(void **state)
{
    (void)state;
    cb_profile_t *p = load_shipped("efa");
    assert_int_equal(p->net_kind, CB_NET_EFA);
    assert_int_equal(p->nodes, 2);
    assert_int_equal(p->gpus_per_node, 8);
    assert_string_equal(p->gres, "gpu:h100:8");
    assert_true(p->line_rate_gbps == 400);
    assert_int_equal(p->rails_per_node, 8);
    assert_int_equal(p->n_env, 1);
    assert_string_equal(p->env[0].key, "FI_EFA_FORK_SAFE");
    assert_string_equal(p->env[0].value, "1");
    cb_profile_free(p);

    p = load_shipped("rtx5090-2.5gbe");
    assert_int_equal(p->nodes, 3);
    assert_int_equal(p->gpus_per_node, 1);
    assert_string_equal(p->gres, "gpu:rtx5090:1");
    assert_string_equal(p->iface, "enp5s0");
    assert_string_equal(p->partition, "main");
    cb_profile_free(p);

    p = load_shipped("pods-100m");
    assert_int_equal(p->gpus_per_node, 1);
    assert_string_equal(p->gres, "");
    assert_string_equal(p->partition, "");
    assert_true(p->line_rate_gbps == 0.1);
    cb_profile_free(p);

    p = load_shipped("localhost");
    assert_int_equal(p->nodes, 1);
    assert_string_equal(p->iface, "lo");
    assert_string_equal(p->partition, "debug");
    assert_int_equal(p->gpus_per_node, 0);
    cb_profile_free(p);

    p = load_shipped("h100-cloud");
    assert_int_equal(p->nodes, 2);
    assert_string_equal(p->partition, "gpu");
    assert_string_equal(p->gres, "gpu:h100:1");
    assert_true(p->line_rate_gbps == 100);
    cb_profile_free(p);
}

/* Reads "; expect-<what>: VALUE" from a bad profile's comments. */
static void read_expect(const char *path, const char *what, char *out, size_t len)
{
    char tag[64], line[512];
    snprintf(tag, sizeof tag, "; expect-%s: ", what);
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, tag, strlen(tag))) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(out, len, "%s", line + strlen(tag));
            break;
        }
    }
    fclose(f);
    if (!out[0])
        print_error("%s has no '%s' comment\n", path, tag);
    assert_true(out[0] != '\0');
}

static void test_profile_load_bad_files(void **state)
{
    (void)state;
    char pattern[PATH_MAX];
    snprintf(pattern, sizeof pattern, "%s/profiles/bad_*.ini", cb_test_env("CB_TEST_DATA"));
    glob_t g;
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 40);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *path = g.gl_pathv[i];
        char line[32], reason[256], want[PATH_MAX + 64], err[1024] = "";
        read_expect(path, "line", line, sizeof line);
        read_expect(path, "reason", reason, sizeof reason);
        snprintf(want, sizeof want, "%s:%s: ", path, line);
        cb_profile_t *p = (cb_profile_t *)1;
        int rc = cb_profile_load(path, &p, err, sizeof err);
        if (rc != CB_ERR_INPUT || strncmp(err, want, strlen(want)) || !strstr(err, reason))
            print_error("%s: rc %d, message '%s'; want '%s...%s'\n", path, rc, err, want,
                        reason);
        assert_int_equal(rc, CB_ERR_INPUT);
        assert_null(p);
        assert_true(strncmp(err, want, strlen(want)) == 0);
        assert_non_null(strstr(err, reason));
    }
    globfree(&g);
}

static void test_profile_load_io_errors(void **state)
{
    (void)state;
    char err[512];
    cb_profile_t *p = (cb_profile_t *)1;
    assert_int_equal(cb_profile_load("/nonexistent/x.ini", &p, err, sizeof err), CB_ERR_IO);
    assert_null(p);
    assert_non_null(strstr(err, "/nonexistent/x.ini: "));
    /* a directory opens but cannot be read */
    p = (cb_profile_t *)1;
    assert_int_equal(cb_profile_load("/", &p, err, sizeof err), CB_ERR_IO);
    assert_null(p);
    /* errbuf may be absent */
    assert_int_equal(cb_profile_load("/nonexistent/x.ini", &p, NULL, 0), CB_ERR_IO);
}

static void test_profile_load_syntax_variants(void **state)
{
    (void)state;
    /* comments, inline comments, blank lines, spacing, CRLF, a BOM, ':' */
    cb_profile_t *p = parse_ok("\xEF\xBB\xBF# comment\r\n"
                               "; another\r\n"
                               "[cluster]\r\n"
                               "  name=t   ; inline\r\n"
                               "nodes :   4\r\n"
                               "partition =\r\n"
                               "gpus_per_node = 2\r\n"
                               "gres = gpu:2\r\n"
                               "time_limit = 1-2:03:04\r\n"
                               "\r\n"
                               "[network]\r\n"
                               "kind = infiniband\r\n"
                               "line_rate_gbps = 200.0\r\n"
                               "iface = ib0\r\n"
                               "mtu = 4092\r\n"
                               "[env]\r\n"
                               "NCCL_IB_HCA = mlx5_0:1,mlx5_1:1\r\n"
                               "UCX_TLS = rc,sm\r\n"
                               "EMPTY =\r\n");
    assert_string_equal(p->name, "t");
    assert_int_equal(p->nodes, 4);
    assert_string_equal(p->partition, "");
    assert_string_equal(p->gres, "gpu:2");
    assert_int_equal(p->time_limit_s, 86400 + 2 * 3600 + 3 * 60 + 4);
    assert_int_equal(p->net_kind, CB_NET_INFINIBAND);
    assert_true(p->line_rate_gbps == 200.0);
    assert_string_equal(p->iface, "ib0");
    assert_int_equal(p->mtu, 4092);
    assert_int_equal(p->n_env, 3);
    assert_string_equal(p->env[0].key, "NCCL_IB_HCA");
    assert_string_equal(p->env[0].value, "mlx5_0:1,mlx5_1:1");
    assert_string_equal(p->env[1].key, "UCX_TLS");
    assert_string_equal(p->env[2].key, "EMPTY");
    assert_string_equal(p->env[2].value, "");
    cb_profile_free(p);

    /* sections in any order; an empty [env] is fine */
    p = parse_ok(BASE_NETWORK "[env]\n" BASE_CLUSTER);
    assert_int_equal(p->n_env, 0);
    cb_profile_free(p);
}

/* A UTF-8 BOM before the first line's [cluster] header: the profile loads as
 * it does without the BOM, and the header still counts as that section's
 * (line 1) for the messages that name it. */
static void test_profile_load_bom_header(void **state)
{
    (void)state;
    cb_profile_t *plain = parse_ok(BASE_CLUSTER BASE_NETWORK);
    cb_profile_t *bom = parse_ok("\xEF\xBB\xBF" BASE_CLUSTER BASE_NETWORK);
    assert_string_equal(bom->name, plain->name);
    assert_int_equal(bom->nodes, plain->nodes);
    assert_string_equal(bom->partition, plain->partition);
    assert_int_equal(bom->gpus_per_node, plain->gpus_per_node);
    assert_int_equal(bom->time_limit_s, plain->time_limit_s);
    assert_int_equal(bom->net_kind, plain->net_kind);
    assert_true(bom->line_rate_gbps == plain->line_rate_gbps);
    assert_string_equal(bom->iface, plain->iface);
    cb_profile_free(plain);
    cb_profile_free(bom);
    parse_bad("\xEF\xBB\xBF" BASE_CLUSTER BASE_NETWORK "[cluster]\nname = u\n", "mem:12: ",
              "duplicate section [cluster] (first at line 1)");
    parse_bad("\xEF\xBB\xBF[cluster]\nname = t\n" BASE_NETWORK, "mem:1: ",
              "[cluster] lacks required key 'nodes'");
}

static void test_profile_load_bad_strings(void **state)
{
    (void)state;
    parse_bad("", "mem:1: ", "missing section [cluster]");
    parse_bad(BASE_CLUSTER, "mem:7: ", "missing section [network]");
    parse_bad(BASE_CLUSTER BASE_NETWORK "nodes = 3\n", "mem:12: ", "unknown key 'nodes'");
    parse_bad(BASE_CLUSTER BASE_NETWORK "[cluster]\nname = u\n", "mem:12: ",
              "duplicate section [cluster] (first at line 1)");
    parse_bad(BASE_CLUSTER BASE_NETWORK "[env]\nA = 1\n[env]\nB = 2\n", "mem:14: ",
              "duplicate section [env]");
    parse_bad(BASE_CLUSTER BASE_NETWORK "[env]\nPATH = /bin\n", "mem:13: ", "reserved");
    parse_bad(BASE_CLUSTER BASE_NETWORK "[env]\nSLURM_X = 1\n", "mem:13: ", "reserved");
    parse_bad(BASE_CLUSTER BASE_NETWORK "[env]\nX = a b\n", "mem:13: ", "' ' not allowed");
    parse_bad(BASE_CLUSTER BASE_NETWORK "[env]\nX = a\"b\n", "mem:13: ", "'\"' not allowed");
    parse_bad(BASE_CLUSTER BASE_NETWORK "[env]\nX = \xC3\xA9\n", "mem:13: ",
              "character 0xc3 not allowed");
    parse_bad(BASE_CLUSTER BASE_NETWORK "[env]\nX = a\tb\n", "mem:13: ",
              "character 0x09 not allowed");
    parse_bad(BASE_CLUSTER BASE_NETWORK "mtu = 100\n", "mem:12: ", "out of range 576..65536");
    parse_bad(BASE_CLUSTER BASE_NETWORK "rails_per_node = 0\n", "mem:12: ", "out of range");
    parse_bad(BASE_NETWORK BASE_CLUSTER "nodelist = node[0-1];x\n", "mem:12: ",
              "';' not allowed");
    parse_bad(BASE_CLUSTER "[network]\nkind = ethernet\nline_rate_gbps = 1.\niface = eth0\n",
              "mem:10: ", "not a plain decimal");
    parse_bad(BASE_CLUSTER "[network]\nkind = ethernet\nline_rate_gbps = .5\niface = eth0\n",
              "mem:10: ", "not a plain decimal");
    parse_bad(BASE_CLUSTER "[network]\nkind = ethernet\nline_rate_gbps = 100001\n"
                           "iface = eth0\n",
              "mem:10: ", "out of range");
    parse_bad(BASE_CLUSTER "[network]\nkind = Ethernet\nline_rate_gbps = 1\niface = eth0\n",
              "mem:9: ", "expected ethernet");
    /* a NUL byte inside a line */
    char text[512];
    size_t n = (size_t)snprintf(text, sizeof text, "%s", BASE_CLUSTER BASE_NETWORK);
    assert_true(n + 8 < sizeof text);
    cb_profile_t *p = (cb_profile_t *)1;
    char err[256];
    FILE *f = tmpfile();
    assert_non_null(f);
    fwrite(text, 1, n, f);
    fwrite("mtu = 1\0" "5\n", 1, 10, f);
    fflush(f);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fileno(f));
    assert_int_equal(cb_profile_load(path, &p, err, sizeof err), CB_ERR_INPUT);
    assert_null(p);
    assert_non_null(strstr(err, ":12: NUL byte"));
    fclose(f);
}

static void test_profile_time_limit(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        long seconds;
    } good[] = {
        {"30", 1800},         {"30:15", 1815},    {"01:00:00", 3600}, {"100:00:00", 360000},
        {"1-0", 86400},       {"1-2:03", 93780},  {"1-2:03:04", 93784}, {"0:1", 1},
        {"365-0", 365 * 86400L},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        long s = -1;
        assert_int_equal(cb_profile_parse_time_limit(good[i].s, &s), CB_OK);
        assert_int_equal(s, good[i].seconds);
    }
    static const char *const malformed[] = {
        "", ":", "1:", ":1", "a", "1h", "-1", "1-", "1-24", "00:60", "00:00:60", "1:2:3:4",
        "1-2-3", " 30", "30 ", "+30", "1.5", "1-1:60", "1234567890"};
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        long s = -1;
        if (cb_profile_parse_time_limit(malformed[i], &s) != CB_ERR_INPUT)
            print_error("'%s' accepted\n", malformed[i]);
        assert_int_equal(cb_profile_parse_time_limit(malformed[i], &s), CB_ERR_INPUT);
        assert_int_equal(s, -1);
    }
    long s;
    assert_int_equal(cb_profile_parse_time_limit("0", &s), CB_ERR_RANGE);
    assert_int_equal(cb_profile_parse_time_limit("0:0:0", &s), CB_ERR_RANGE);
    assert_int_equal(cb_profile_parse_time_limit("366-0", &s), CB_ERR_RANGE);
    assert_int_equal(cb_profile_parse_time_limit("9000:00:00", &s), CB_ERR_RANGE);
    assert_int_equal(cb_profile_parse_time_limit(NULL, &s), CB_ERR_INPUT);
}

static void test_profile_goodput(void **state)
{
    (void)state;
    /* Ethernet TCP at MTU 1500: 1448 payload bytes per 1538 bytes on the wire */
    assert_near(cb_profile_tcp_goodput_gbps(2.5, 1500), 2.5 * 1448.0 / 1538.0, 1e-12);
    assert_near(cb_profile_tcp_goodput_gbps(1.0, 1500), 0.94148, 1e-5);
    assert_near(cb_profile_tcp_goodput_gbps(100, 9000), 100 * 8948.0 / 9038.0, 1e-9);
    assert_near(cb_profile_tcp_goodput_gbps(0.1, 1500), 0.1 * 1448.0 / 1538.0, 1e-12);
    assert_true(cb_profile_tcp_goodput_gbps(0, 1500) == 0);
    assert_true(cb_profile_tcp_goodput_gbps(-1, 1500) == 0);
    assert_true(cb_profile_tcp_goodput_gbps(NAN, 1500) == 0);
    assert_true(cb_profile_tcp_goodput_gbps(1, 575) == 0);

    cb_profile_t *p = load_shipped("vcluster");
    assert_near(cb_profile_goodput_gbps(p), 2.5 * 1448.0 / 1538.0, 1e-12);
    cb_profile_free(p);
    p = load_shipped("efa"); /* no overhead model: the line rate */
    assert_near(cb_profile_goodput_gbps(p), 400.0, 0);
    cb_profile_free(p);
    assert_true(cb_profile_goodput_gbps(NULL) == 0);
}

static void test_profile_kind_names(void **state)
{
    (void)state;
    for (int k = CB_NET_ETHERNET; k <= CB_NET_EFA; k++) {
        cb_net_kind_t back;
        assert_non_null(cb_net_kind_name((cb_net_kind_t)k));
        assert_int_equal(cb_net_kind_parse(cb_net_kind_name((cb_net_kind_t)k), &back), CB_OK);
        assert_int_equal(back, k);
    }
    cb_net_kind_t back;
    assert_string_equal(cb_net_kind_name(CB_NET_EFA), "efa");
    assert_null(cb_net_kind_name((cb_net_kind_t)7));
    assert_int_equal(cb_net_kind_parse("EFA", &back), CB_ERR_INPUT);
    assert_int_equal(cb_net_kind_parse(NULL, &back), CB_ERR_INPUT);
    cb_profile_free(NULL);
}

static void test_profile_resolve(void **state)
{
    (void)state;
    const char *src = cb_test_env("CB_SOURCE_DIR");
    char path[PATH_MAX], err[512], want[PATH_MAX + 64];
    assert_int_equal(setenv("CB_HOME", src, 1), 0);

    assert_int_equal(cb_profile_resolve("vcluster", path, sizeof path, err, sizeof err), CB_OK);
    snprintf(want, sizeof want, "%s/sbatch/profiles/vcluster.ini", src);
    assert_string_equal(path, want);
    /* paths are taken as they are, existing or not */
    assert_int_equal(cb_profile_resolve("./x", path, sizeof path, err, sizeof err), CB_OK);
    assert_string_equal(path, "./x");
    assert_int_equal(cb_profile_resolve("x.ini", path, sizeof path, err, sizeof err), CB_OK);
    assert_string_equal(path, "x.ini");
    /* names */
    assert_int_equal(cb_profile_resolve("no-such-profile", path, sizeof path, err, sizeof err),
                     CB_ERR_INPUT);
    assert_non_null(strstr(err, "no-such-profile"));
    assert_int_equal(cb_profile_resolve(".hidden", path, sizeof path, err, sizeof err),
                     CB_ERR_USAGE);
    assert_int_equal(cb_profile_resolve("a b", path, sizeof path, err, sizeof err),
                     CB_ERR_USAGE);
    assert_int_equal(cb_profile_resolve("$(x)", path, sizeof path, err, sizeof err),
                     CB_ERR_USAGE);
    assert_int_equal(cb_profile_resolve("", path, sizeof path, err, sizeof err), CB_ERR_USAGE);
    char tiny[8];
    assert_int_equal(cb_profile_resolve("vcluster", tiny, sizeof tiny, err, sizeof err),
                     CB_ERR_RANGE);

    char home[PATH_MAX];
    assert_int_equal(cb_profile_find_home(home, sizeof home), CB_OK);
    assert_string_equal(home, src);
    unsetenv("CB_HOME");
}

/* [network] all_pairs and round_reference: defaults rounds / no, both values
 * of each, anything else refused with file:line (case matters, as for kind). */
static void test_profile_load_all_pairs_keys(void **state)
{
    (void)state;
    cb_profile_t *p = parse_ok(BASE_CLUSTER BASE_NETWORK);
    assert_int_equal(p->all_pairs_sequential, 0);
    assert_int_equal(p->round_reference, 0);
    cb_profile_free(p);
    p = parse_ok(BASE_CLUSTER BASE_NETWORK "all_pairs = sequential\nround_reference = no\n");
    assert_int_equal(p->all_pairs_sequential, 1);
    assert_int_equal(p->round_reference, 0);
    cb_profile_free(p);
    p = parse_ok(BASE_CLUSTER BASE_NETWORK "all_pairs = rounds\nround_reference = yes\n");
    assert_int_equal(p->all_pairs_sequential, 0);
    assert_int_equal(p->round_reference, 1);
    cb_profile_free(p);
    p = parse_ok(BASE_CLUSTER BASE_NETWORK "all_pairs = rounds\nround_reference = no\n");
    assert_int_equal(p->all_pairs_sequential, 0);
    assert_int_equal(p->round_reference, 0);
    cb_profile_free(p);
    parse_bad(BASE_CLUSTER BASE_NETWORK "all_pairs = Sequential\n", "mem:12: ",
              "[network] all_pairs = 'Sequential': expected rounds or sequential");
    parse_bad(BASE_CLUSTER BASE_NETWORK "all_pairs =\n", "mem:12: ",
              "expected rounds or sequential");
    parse_bad(BASE_CLUSTER BASE_NETWORK "round_reference = 1\n", "mem:12: ",
              "[network] round_reference = '1': expected no or yes");
    parse_bad(BASE_CLUSTER BASE_NETWORK "round_reference = yes\nround_reference = no\n",
              "mem:13: ", "duplicate key round_reference");
    parse_bad(BASE_CLUSTER BASE_NETWORK "round_reference = yes\nall_pairs = sequential\n",
              "mem:12: ", "round_reference = yes compares the rounds with every direction alone");
    parse_bad(BASE_NETWORK BASE_CLUSTER "all_pairs = sequential\n", "mem:12: ",
              "[cluster] unknown key 'all_pairs'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_load_shipped_all),
        cmocka_unit_test(test_profile_load_vcluster_values),
        cmocka_unit_test(test_profile_load_other_shipped_values),
        cmocka_unit_test(test_profile_load_bad_files),
        cmocka_unit_test(test_profile_load_io_errors),
        cmocka_unit_test(test_profile_load_syntax_variants),
        cmocka_unit_test(test_profile_load_bom_header),
        cmocka_unit_test(test_profile_load_bad_strings),
        cmocka_unit_test(test_profile_load_all_pairs_keys),
        cmocka_unit_test(test_profile_time_limit),
        cmocka_unit_test(test_profile_goodput),
        cmocka_unit_test(test_profile_kind_names),
        cmocka_unit_test(test_profile_resolve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
