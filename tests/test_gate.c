/* Tests of cb_gate (gate/): thresholds files load into the checks
 * they state; malformed ones are refused with the file:line and reason their
 * "; expect-line:" / "; expect-reason:" comments name (tests/data/gate/bad_*);
 * every shipped sbatch/profiles/<name>.gate.ini loads with its profile and a
 * GPU one is refused by a CPU-only profile; and the judging of every kind of
 * check on the fixture rows in tests/data/gate/rows/ gives the verdicts,
 * values and names it should. */
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

#include "cb_error.h"
#include "cb_gate.h"
#include "cb_profile.h"
#include "cb_results.h"
#include "cb_test.h"

static cb_profile_t *load_profile(const char *path)
{
    char err[512];
    cb_profile_t *p = NULL;
    int rc = cb_profile_load(path, &p, err, sizeof err);
    if (rc != CB_OK)
        print_error("%s\n", err);
    assert_int_equal(rc, CB_OK);
    return p;
}

static cb_profile_t *test_profile(const char *file)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/gate/%s", cb_test_env("CB_TEST_DATA"), file);
    return load_profile(path);
}

static cb_gate_t *parse_ok(const char *text, const cb_profile_t *prof)
{
    char err[512] = "";
    cb_gate_t *g = NULL;
    int rc = cb_gate_parse_string(text, "mem", prof, &g, err, sizeof err);
    if (rc != CB_OK)
        print_error("unexpected error: %s\n", err);
    assert_int_equal(rc, CB_OK);
    assert_non_null(g);
    return g;
}

static void parse_bad(const char *text, const cb_profile_t *prof, const char *want_prefix,
                      const char *want_reason)
{
    char err[512] = "";
    cb_gate_t *g = (cb_gate_t *)1;
    int rc = cb_gate_parse_string(text, "mem", prof, &g, err, sizeof err);
    if (rc != CB_ERR_INPUT || strncmp(err, want_prefix, strlen(want_prefix)) ||
        !strstr(err, want_reason))
        print_error("rc %d, got '%s', want '%s...%s'\n", rc, err, want_prefix, want_reason);
    assert_int_equal(rc, CB_ERR_INPUT);
    assert_null(g);
    assert_true(strncmp(err, want_prefix, strlen(want_prefix)) == 0);
    assert_non_null(strstr(err, want_reason));
}

/* ------------------------------------------------------------ loading */

static void test_gate_load_fixture(void **state)
{
    (void)state;
    char path[PATH_MAX], err[512];
    snprintf(path, sizeof path, "%s/gate/gatetest.gate.ini", cb_test_env("CB_TEST_DATA"));
    cb_profile_t *p = test_profile("gatetest.ini");
    cb_gate_t *g = NULL;
    int rc = cb_gate_load(path, p, &g, err, sizeof err);
    if (rc)
        print_error("%s\n", err);
    assert_int_equal(rc, CB_OK);
    assert_int_equal(g->n, 9);

    const cb_gate_check_t *c = cb_gate_find(g, "allreduce_busbw");
    assert_non_null(c);
    assert_int_equal(c->kind, CB_GATE_KIND_VALUE);
    assert_string_equal(c->sel[0], "allreduce"); /* benchmark */
    assert_string_equal(c->sel[1], "mpi");       /* transport */
    assert_string_equal(c->sel[5], "out-of-place");
    assert_int_equal(c->nodes_mode, CB_GATE_SEL_MAX);
    assert_int_equal(c->bytes_mode, CB_GATE_SEL_MAX);
    assert_int_equal(c->column, CB_COL_BUSBW_GBPS);
    assert_int_equal(c->ref, CB_GATE_REF_GOODPUT);
    assert_double_equal(c->lower, -0.30, 1e-12);
    assert_true(isnan(c->upper));
    assert_string_equal(c->unit, "GB/s");
    assert_int_equal(c->stat, CB_GATE_STAT_EACH); /* the default */

    c = cb_gate_find(g, "allreduce_busbw_gbit");
    assert_int_equal(c->nodes_mode, CB_GATE_SEL_EXACT);
    assert_int_equal(c->nodes, 3);
    assert_int_equal(c->bytes, 64ull << 20);
    assert_int_equal(c->stat, CB_GATE_STAT_MEDIAN);
    assert_int_equal(c->ref, CB_GATE_REF_LINE_RATE);
    assert_double_equal(c->upper, 0.05, 1e-12);

    c = cb_gate_find(g, "p2p_spread");
    assert_int_equal(c->kind, CB_GATE_KIND_SPREAD);
    assert_int_equal(c->per, CB_GATE_PER_HOST_PEER);
    assert_int_equal(c->stat, CB_GATE_STAT_MEDIAN);

    c = cb_gate_find(g, "wrong_elements");
    assert_int_equal(c->kind, CB_GATE_KIND_ZERO);
    assert_int_equal(c->column, CB_COL_WRONG_ELEMENTS); /* the default */

    c = cb_gate_find(g, "preflight");
    assert_int_equal(c->kind, CB_GATE_KIND_NO_STATUS);
    assert_string_equal(c->forbid, "fail,failed,timeout");
    char sel[256];
    assert_string_equal(cb_gate_selector_text(c, sel, sizeof sel), "benchmark=preflight");
    assert_string_equal(cb_gate_selector_text(cb_gate_find(g, "allreduce_busbw_gbit"), sel,
                                              sizeof sel),
                        "benchmark=allreduce, nodes=3, bytes=64M");
    assert_string_equal(cb_gate_selector_text(cb_gate_find(g, "wrong_elements"), sel, sizeof sel),
                        "every row");
    assert_null(cb_gate_find(g, "nope"));
    cb_gate_free(g);
    cb_gate_free(NULL);
    cb_profile_free(p);
}

static void test_gate_load_syntax(void **state)
{
    (void)state;
    /* comments, inline comments, CRLF, a BOM, lists, spread defaults, upper bound */
    cb_gate_t *g = parse_ok("\xEF\xBB\xBF# comment\r\n"
                            "[t.1]\r\n"
                            "column = time_us_median ; inline\r\n"
                            "op = bw,bibw\r\n"
                            "reference = 1.5e2\r\n"
                            "upper = 0.1\r\n"
                            "unit = ms\r\n"
                            "[s]\nkind = spread\ncolumn = value\nunit = TFLOPS\n",
                            NULL);
    assert_int_equal(g->n, 2);
    assert_string_equal(g->checks[0].name, "t.1");
    assert_int_equal(g->checks[0].line, 2);
    assert_string_equal(g->checks[0].sel[4], "bw,bibw");
    assert_double_equal(g->checks[0].ref_value, 150, 1e-12);
    assert_true(isnan(g->checks[0].lower));
    assert_double_equal(g->checks[1].lower, -0.10, 1e-12); /* spread default */
    assert_int_equal(g->checks[1].per, CB_GATE_PER_HOST);
    cb_gate_free(g);
}

static void test_gate_load_errors(void **state)
{
    (void)state;
    parse_bad("[a]\nkind = zero\nfoo = 1\n", NULL, "mem:3: ", "[a] unknown key 'foo'");
    parse_bad("[a]\nkind = zero\n[a]\nkind = zero\n", NULL, "mem:3: ",
              "duplicate section [a] (first at line 1)");
    /* a BOM before the first header: still the header of line 1 */
    parse_bad("\xEF\xBB\xBF[a]\nkind = zero\n[a]\nkind = zero\n", NULL, "mem:3: ",
              "duplicate section [a] (first at line 1)");
    parse_bad("[a]\ncolumn = value\nreference = NaN\nlower = -0.1\nunit = GB/s\n", NULL,
              "mem:3: ", "reference = 'NaN': expected a finite decimal number");
    parse_bad("[a]\ncolumn = value\nreference = 1\nlower = -nan\nunit = GB/s\n", NULL,
              "mem:4: ", "not a finite decimal number");
    parse_bad("[a]\ncolumn = value\nreference = 1e999\nlower = -0.1\nunit = GB/s\n", NULL,
              "mem:3: ", "expected a finite decimal number");
    parse_bad("[a]\nnodes = -1\n", NULL, "mem:2: ", "not a node count");
    parse_bad("[a]\nnodes = 3.5\n", NULL, "mem:2: ", "not a node count");
    parse_bad("[a]\nbytes = -1\n", NULL, "mem:2: ", "not a size");
    parse_bad("[a]\ncolumn = value\nlower = -0.1\nunit = GB/s\n", NULL, "mem:1: ",
              "lacks required key 'reference'");
    parse_bad("[a]\nkind = zero\ncolumn = busbw_gbps\nstat = max\n", NULL, "mem:4: ",
              "stat does not apply to kind = zero");
    parse_bad("", NULL, "mem:1: ", "no checks");
    parse_bad("[a]\n", NULL, "mem:1: ", "section [a] has no keys");
    cb_gate_t *g = (cb_gate_t *)1;
    char err[256];
    assert_int_equal(cb_gate_load("/nonexistent/x.gate.ini", NULL, &g, err, sizeof err),
                     CB_ERR_IO);
    assert_null(g);
    assert_non_null(strstr(err, "/nonexistent/x.gate.ini: cannot open"));
}

static void read_expect(const char *path, const char *what, char *out, size_t len)
{
    char tag[64], line[512];
    snprintf(tag, sizeof tag, "; expect-%s: ", what);
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, tag, strlen(tag))) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(out, len, "%s", line + strlen(tag));
            break;
        }
    fclose(f);
}

static void test_gate_load_bad_files(void **state)
{
    (void)state;
    char pattern[PATH_MAX];
    snprintf(pattern, sizeof pattern, "%s/gate/bad_*.gate.ini", cb_test_env("CB_TEST_DATA"));
    glob_t gl;
    assert_int_equal(glob(pattern, 0, NULL, &gl), 0);
    assert_true(gl.gl_pathc >= 40);
    for (size_t i = 0; i < gl.gl_pathc; i++) {
        const char *path = gl.gl_pathv[i];
        char line[32], reason[256], prof_name[64], want[PATH_MAX + 64], err[1024] = "";
        read_expect(path, "line", line, sizeof line);
        read_expect(path, "reason", reason, sizeof reason);
        read_expect(path, "profile", prof_name, sizeof prof_name);
        assert_true(line[0] && reason[0]);
        cb_profile_t *p = prof_name[0] ? test_profile(prof_name) : NULL;
        snprintf(want, sizeof want, "%s:%s: ", path, line);
        cb_gate_t *g = (cb_gate_t *)1;
        int rc = cb_gate_load(path, p, &g, err, sizeof err);
        if (rc != CB_ERR_INPUT || strncmp(err, want, strlen(want)) || !strstr(err, reason))
            print_error("%s: rc %d, message '%s'; want '%s...%s'\n", path, rc, err, want, reason);
        assert_int_equal(rc, CB_ERR_INPUT);
        assert_null(g);
        assert_true(strncmp(err, want, strlen(want)) == 0);
        assert_non_null(strstr(err, reason));
        if (p) { /* the same file without a profile is fine: the profile refused it */
            rc = cb_gate_load(path, NULL, &g, err, sizeof err);
            if (rc)
                print_error("%s without a profile: %s\n", path, err);
            assert_int_equal(rc, CB_OK);
            cb_gate_free(g);
        }
        cb_profile_free(p);
    }
    globfree(&gl);
}

/* Every shipped thresholds file loads with the profile beside it; the GPU
 * ones are refused by a CPU-only profile. */
static void test_gate_shipped_all(void **state)
{
    (void)state;
    char pattern[PATH_MAX];
    snprintf(pattern, sizeof pattern, "%s/sbatch/profiles/*.gate.ini",
             cb_test_env("CB_SOURCE_DIR"));
    glob_t gl;
    assert_int_equal(glob(pattern, 0, NULL, &gl), 0);
    assert_true(gl.gl_pathc >= 7);
    cb_profile_t *cpu = test_profile("cpu3.ini");
    int have_default = 0, gpu_files = 0;
    for (size_t i = 0; i < gl.gl_pathc; i++) {
        const char *path = gl.gl_pathv[i];
        char prof_path[PATH_MAX], err[1024];
        size_t n = strlen(path) - strlen(".gate.ini");
        snprintf(prof_path, sizeof prof_path, "%.*s.ini", (int)n, path);
        cb_profile_t *p = load_profile(prof_path);
        cb_gate_t *g = NULL;
        int rc = cb_gate_load(path, p, &g, err, sizeof err);
        if (rc != CB_OK)
            print_error("%s: %s\n", path, err);
        assert_int_equal(rc, CB_OK);
        assert_true(g->n >= 2);
        /* every shipped file judges data validation and preflight */
        assert_non_null(cb_gate_find(g, "wrong_elements"));
        assert_non_null(cb_gate_find(g, "preflight"));
        if (p->gpus_per_node > 0) {
            gpu_files++;
            assert_non_null(cb_gate_find(g, "gemm_bf16"));
            assert_non_null(cb_gate_find(g, "d2d_copy"));
            cb_gate_t *g2 = (cb_gate_t *)1;
            assert_int_equal(cb_gate_load(path, cpu, &g2, err, sizeof err), CB_ERR_INPUT);
            assert_null(g2);
            assert_non_null(strstr(err, "has no GPUs"));
        } else {
            assert_null(cb_gate_find(g, "gemm_bf16"));
        }
        if (p->nodes > 1) {
            assert_non_null(cb_gate_find(g, "p2p_bw"));
            assert_non_null(cb_gate_find(g, "allreduce_busbw"));
            assert_non_null(cb_gate_find(g, "p2p_spread"));
        }
        have_default |= !strcmp(p->name, CB_PROFILE_DEFAULT);
        cb_gate_free(g);
        cb_profile_free(p);
    }
    assert_true(have_default);
    assert_true(gpu_files >= 1);
    cb_profile_free(cpu);
    globfree(&gl);
}

static void test_gate_profile_checks(void **state)
{
    (void)state;
    cb_profile_t *single = test_profile("single.ini");
    cb_profile_t *gt = test_profile("gatetest.ini");
    /* per = gpu spread: 3 nodes x 1 GPU = 3 GPUs is fine */
    cb_gate_t *g = parse_ok("[s]\nkind = spread\nbenchmark = gpu\ncolumn = value\nper = gpu\n"
                            "unit = TFLOPS\n",
                            gt);
    cb_gate_free(g);
    /* zero and no_status apply to one node */
    g = parse_ok("[z]\nkind = zero\n[p]\nkind = no_status\nbenchmark = preflight\n", single);
    cb_gate_free(g);
    parse_bad("[s]\nkind = spread\ncolumn = algbw_gbps\n", single, "mem:1: ",
              "has 1 node, nothing to compare with");
    parse_bad("[g]\nmemory = host,cuda\ncolumn = algbw_gbps\nreference = 1\nlower = -0.1\n"
              "unit = GB/s\n",
              single, "mem:2: ", "memory = host,cuda: profile single has no GPUs");
    cb_profile_free(single);
    cb_profile_free(gt);
}

/* ------------------------------------------------------------ judging */

typedef struct fixture {
    cb_profile_t *prof;
    cb_gate_t *gate;
    cb_table_t t;
    cb_gate_report_t rep;
} fixture_t;

/* Judge gatetest.gate.ini on the named row files (NULL-terminated). */
static void judge(fixture_t *f, int with_profile, const char *const *skip, size_t nskip, ...)
{
    char path[PATH_MAX], err[1024];
    const char *data = cb_test_env("CB_TEST_DATA");
    memset(f, 0, sizeof *f);
    f->prof = with_profile ? test_profile("gatetest.ini") : NULL;
    snprintf(path, sizeof path, "%s/gate/gatetest.gate.ini", data);
    int rc = cb_gate_load(path, f->prof, &f->gate, err, sizeof err);
    if (rc)
        print_error("%s\n", err);
    assert_int_equal(rc, CB_OK);
    cb_table_init(&f->t);
    va_list ap;
    va_start(ap, nskip);
    for (const char *name; (name = va_arg(ap, const char *));) {
        snprintf(path, sizeof path, "%s/gate/rows/%s", data, name);
        rc = cb_table_read(&f->t, path, err, sizeof err);
        if (rc)
            print_error("%s\n", err);
        assert_int_equal(rc, CB_OK);
    }
    va_end(ap);
    cb_gate_env_t env = {.profile = f->prof, .skip = skip, .nskip = nskip};
    assert_int_equal(cb_gate_evaluate(f->gate, &f->t, &env, &f->rep), CB_OK);
    assert_int_equal(f->rep.n, f->gate->n);
}

static void fixture_free(fixture_t *f)
{
    cb_gate_report_free(&f->rep);
    cb_gate_report_free(NULL);
    cb_table_free(&f->t);
    cb_gate_free(f->gate);
    cb_profile_free(f->prof);
}

static const cb_gate_result_t *result(const fixture_t *f, const char *name)
{
    for (size_t i = 0; i < f->rep.n; i++)
        if (!strcmp(f->rep.results[i].check->name, name))
            return &f->rep.results[i];
    fail_msg("no result for %s", name);
    return NULL;
}

static void expect(const fixture_t *f, const char *name, cb_gate_verdict_t v)
{
    const cb_gate_result_t *r = result(f, name);
    if (r->verdict != v)
        print_error("%s: %s: %s (want %s)\n", name, cb_gate_verdict_name(r->verdict),
                    r->summary, cb_gate_verdict_name(v));
    assert_int_equal(r->verdict, v);
}

static const char *const all_checks[] = {
    "p2p_bw",   "allreduce_busbw", "allreduce_busbw_gbit", "p2p_spread", "gemm_bf16",
    "d2d_copy", "gemm_bf16_spread", "wrong_elements",      "preflight",
};

static void test_gate_judge_pass(void **state)
{
    (void)state;
    fixture_t f;
    judge(&f, 1, NULL, 0, "allreduce_ok.csv", "p2p_ok.csv", "gpu_ok.csv", "preflight_ok.csv",
          NULL);
    for (size_t i = 0; i < sizeof all_checks / sizeof all_checks[0]; i++)
        expect(&f, all_checks[i], CB_GATE_PASS);
    assert_int_equal(f.rep.npass, 9);
    assert_int_equal(cb_gate_exit_code(&f.rep), 0);

    /* goodput of 2.5 Gbit/s at MTU 1500 in GB/s; nodes = max, bytes = max */
    double goodput = 2.5 * 1448.0 / 1538.0 / 8;
    const cb_gate_result_t *r = result(&f, "allreduce_busbw");
    assert_double_equal(r->reference, goodput, 1e-9);
    assert_double_equal(r->lower_bound, 0.7 * goodput, 1e-9);
    assert_true(isnan(r->upper_bound));
    assert_double_equal(r->value, 0.25, 1e-9); /* 3 nodes, 64M, out-of-place */
    assert_int_equal(r->nrows, 1);
    assert_non_null(strstr(r->summary, "0.250 GB/s >= 0.70 x 0.294 GB/s (TCP goodput of 2.5 "
                                       "Gbit/s at MTU 1500) \u2014 85.0%"));
    /* Gbit/s: 0.25 GB/s = 2 Gbit/s, median of both placements, line rate */
    r = result(&f, "allreduce_busbw_gbit");
    assert_double_equal(r->value, 2.0, 1e-9);
    assert_double_equal(r->reference, 2.5, 1e-12);
    assert_double_equal(r->upper_bound, 2.625, 1e-12);
    /* each row: the worst of the 6 all-pairs rows (3 nodes, 16M) */
    r = result(&f, "p2p_bw");
    assert_int_equal(r->nrows, 6);
    assert_double_equal(r->value, 0.287, 1e-9);
    assert_non_null(strstr(r->summary, "worst of 6 rows: node0->node2"));
    /* spec: per row, converted */
    r = result(&f, "gemm_bf16");
    assert_double_equal(r->reference, 209.5, 1e-9);
    assert_int_equal(r->nrows, 3); /* the largest GEMM only */
    r = result(&f, "wrong_elements");
    assert_int_equal(r->nrows, 25); /* rows with a wrong_elements value */
    fixture_free(&f);
}

static void test_gate_judge_value_below(void **state)
{
    (void)state;
    fixture_t f;
    judge(&f, 1, NULL, 0, "allreduce_slow.csv", "p2p_ok.csv", "gpu_ok.csv", "preflight_ok.csv",
          NULL);
    expect(&f, "allreduce_busbw", CB_GATE_FAIL);
    expect(&f, "p2p_bw", CB_GATE_PASS);
    assert_int_equal(f.rep.nfail, 1);
    assert_int_equal(cb_gate_exit_code(&f.rep), 1);
    const cb_gate_result_t *r = result(&f, "allreduce_busbw");
    assert_double_equal(r->value, 0.15, 1e-9);
    assert_int_equal(r->nbad, 1);
    assert_non_null(strstr(r->summary, "0.150 GB/s < 0.70 x 0.294 GB/s"));
    assert_non_null(r->detail);
    assert_non_null(strstr(r->detail, "allreduce_slow.csv:8"));
    char line[1024];
    cb_gate_format_line(r, line, sizeof line);
    assert_true(!strncmp(line, "[ FAIL ] allreduce_busbw: 0.150 GB/s", 36));
    fixture_free(&f);
}

static void test_gate_judge_spread_names_node(void **state)
{
    (void)state;
    fixture_t f;
    judge(&f, 1, NULL, 0, "allreduce_ok.csv", "p2p_ok.csv", "gpu_slow_node2.csv",
          "preflight_ok.csv", NULL);
    expect(&f, "gemm_bf16", CB_GATE_PASS); /* 160 of 209.5: above 75% */
    expect(&f, "gemm_bf16_spread", CB_GATE_FAIL);
    const cb_gate_result_t *r = result(&f, "gemm_bf16_spread");
    assert_int_equal(r->nbad, 1);
    assert_double_equal(r->value, 160, 1e-9);
    assert_double_equal(r->reference, 190, 1e-9);
    assert_double_equal(r->lower_bound, 171, 1e-9);
    assert_true(!strncmp(r->summary, "node2/rank2 is 15.8% below the median of its 2 peers", 51));
    assert_non_null(strstr(r->detail, "node2/rank2: 160 TFLOPS is 15.8% below"));
    fixture_free(&f);

    /* a slow node pulls down all its pairs: host_peer names it */
    judge(&f, 1, NULL, 0, "allreduce_ok.csv", "p2p_slow_node2.csv", "gpu_ok.csv",
          "preflight_ok.csv", NULL);
    expect(&f, "p2p_spread", CB_GATE_FAIL);
    expect(&f, "p2p_bw", CB_GATE_FAIL);
    r = result(&f, "p2p_spread");
    assert_int_equal(r->nbad, 1);
    assert_true(!strncmp(r->summary, "node2 is ", 9));
    r = result(&f, "p2p_bw");
    assert_int_equal(r->nbad, 4);
    assert_non_null(strstr(r->summary, "4 of 6 rows fail: node0->node2, node2->node0"));
    fixture_free(&f);
}

static void test_gate_judge_zero_and_status(void **state)
{
    (void)state;
    fixture_t f;
    judge(&f, 1, NULL, 0, "allreduce_wrong.csv", "p2p_ok.csv", "gpu_ok.csv", "preflight_fail.csv",
          NULL);
    expect(&f, "wrong_elements", CB_GATE_FAIL);
    expect(&f, "preflight", CB_GATE_FAIL);
    expect(&f, "allreduce_busbw", CB_GATE_PASS);
    const cb_gate_result_t *r = result(&f, "wrong_elements");
    assert_int_equal(r->nbad, 1);
    assert_double_equal(r->value, 3, 0);
    assert_non_null(strstr(r->detail, "allreduce_wrong.csv:7"));
    r = result(&f, "preflight");
    assert_int_equal(r->nbad, 1);
    assert_double_equal(r->value, 1, 0);
    assert_non_null(strstr(r->summary, "1 of 9 rows with status fail/failed/timeout: node1"));
    assert_non_null(strstr(r->detail, "32 MiB: below 64 MiB"));
    fixture_free(&f);
}

static void test_gate_judge_unmatched_and_skip(void **state)
{
    (void)state;
    fixture_t f;
    /* no preflight rows: bad input, not a pass */
    judge(&f, 1, NULL, 0, "allreduce_ok.csv", "p2p_ok.csv", "gpu_ok.csv", NULL);
    expect(&f, "preflight", CB_GATE_ERROR);
    assert_int_equal(cb_gate_exit_code(&f.rep), 2);
    assert_string_equal(result(&f, "preflight")->summary, "matches no rows (benchmark=preflight)");
    fixture_free(&f);

    const char *skip[] = {"preflight"};
    judge(&f, 1, skip, 1, "allreduce_ok.csv", "p2p_ok.csv", "gpu_ok.csv", NULL);
    expect(&f, "preflight", CB_GATE_SKIP);
    assert_int_equal(f.rep.nskip, 1);
    assert_int_equal(cb_gate_exit_code(&f.rep), 0);
    fixture_free(&f);

    /* no profile: profile references cannot be judged; the others can */
    judge(&f, 0, NULL, 0, "allreduce_ok.csv", "p2p_ok.csv", "gpu_ok.csv", "preflight_ok.csv",
          NULL);
    expect(&f, "p2p_bw", CB_GATE_ERROR);
    expect(&f, "allreduce_busbw_gbit", CB_GATE_ERROR);
    expect(&f, "gemm_bf16", CB_GATE_PASS);
    assert_non_null(strstr(result(&f, "p2p_bw")->summary, "needs a cluster profile"));
    fixture_free(&f);

    /* GPU checks against CPU rows only: no rows */
    judge(&f, 1, NULL, 0, "allreduce_ok.csv", "p2p_ok.csv", "preflight_ok.csv", NULL);
    expect(&f, "gemm_bf16", CB_GATE_ERROR);
    expect(&f, "gemm_bf16_spread", CB_GATE_ERROR);
    assert_non_null(strstr(result(&f, "gemm_bf16")->summary,
                           "benchmark=gpu, metric=gemm_bf16_tflops, bytes=max"));
    fixture_free(&f);
}

/* Rows without a value fail a value check; a spread needs two entities;
 * mismatched units cannot be judged. Tables built from text in a temp file. */
static void judge_text(const char *thr, const char *csv_rows, cb_gate_report_t *rep,
                       cb_gate_t **g, cb_table_t *t)
{
    char tmpl[] = "/tmp/cb-test-gate-XXXXXX.csv", err[1024];
    int fd = mkstemps(tmpl, 4);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    for (int c = 0; c < CB_NCOLS; c++)
        fprintf(f, "%s%s", c ? "," : "", cb_results_column_name(c));
    fprintf(f, "\n%s", csv_rows);
    fclose(f);
    cb_table_init(t);
    int rc = cb_table_read(t, tmpl, err, sizeof err);
    if (rc)
        print_error("%s\n", err);
    assert_int_equal(rc, CB_OK);
    remove(tmpl);
    *g = parse_ok(thr, NULL);
    assert_int_equal(cb_gate_evaluate(*g, t, NULL, rep), CB_OK);
}

/* 39 columns: schema_version .. note; fields: benchmark(5) host(15) peer(16)
 * rank(17) bytes(19) busbw(30) metric(31) value(32) unit(33) spec(34) wrong(36)
 * status(37). */
static void row(char *buf, size_t len, const char *bench, const char *host, const char *busbw,
                const char *value, const char *unit, const char *status)
{
    snprintf(buf, len,
             "1,r,2026-01-01T00:00:00Z,c,1,%s,mpi,host,float,sum,out-of-place,2,2,1,\"a,b\",%s,,0,,"
             "1024,1,1,,,,,,,,,%s,m,%s,%s,,,0,%s,\n",
             bench, host, busbw, value, unit, status);
}

static void test_gate_judge_edge_cases(void **state)
{
    (void)state;
    char rows[2048], r1[512], r2[512];
    cb_gate_report_t rep;
    cb_gate_t *g;
    cb_table_t t;

    /* a failed row without busbw fails the check and is named */
    row(r1, sizeof r1, "allreduce", "a", "0.5", "", "", "ok");
    row(r2, sizeof r2, "allreduce", "b", "", "", "", "failed");
    snprintf(rows, sizeof rows, "%s%s", r1, r2);
    judge_text("[x]\ncolumn = busbw_gbps\nreference = 0.5\nlower = -0.1\nunit = GB/s\n"
               "[s]\nkind = spread\ncolumn = busbw_gbps\n",
               rows, &rep, &g, &t);
    assert_int_equal(rep.results[0].verdict, CB_GATE_FAIL);
    assert_non_null(strstr(rep.results[0].summary, "1 of 2 rows have no busbw_gbps: b"));
    assert_non_null(strstr(rep.results[0].detail, "status failed"));
    assert_int_equal(rep.results[1].verdict, CB_GATE_FAIL); /* b has no value */
    assert_non_null(strstr(rep.results[1].summary, "b (no value)"));
    cb_gate_report_free(&rep);
    cb_gate_free(g);
    cb_table_free(&t);

    /* one host only: a spread cannot be judged */
    row(r1, sizeof r1, "allreduce", "a", "0.5", "", "", "ok");
    judge_text("[s]\nkind = spread\ncolumn = busbw_gbps\n", r1, &rep, &g, &t);
    assert_int_equal(rep.results[0].verdict, CB_GATE_ERROR);
    assert_non_null(strstr(rep.results[0].summary, "needs at least 2 hosts"));
    cb_gate_report_free(&rep);
    cb_gate_free(g);
    cb_table_free(&t);

    /* value in TFLOPS judged in GB/s: cannot be converted; Mbit/s into Gbit/s can */
    row(r1, sizeof r1, "gpu", "a", "", "100", "TFLOPS", "ok");
    row(r2, sizeof r2, "topo", "a", "", "2500", "Mbit/s", "ok");
    snprintf(rows, sizeof rows, "%s%s", r1, r2);
    judge_text("[x]\nbenchmark = gpu\ncolumn = value\nreference = 1\nlower = -0.1\nunit = GB/s\n"
               "[y]\nbenchmark = topo\ncolumn = value\nreference = 2.5\nlower = -0.01\n"
               "upper = 0.01\nunit = Gbit/s\n",
               rows, &rep, &g, &t);
    assert_int_equal(rep.results[0].verdict, CB_GATE_ERROR);
    assert_non_null(strstr(rep.results[0].summary, "'TFLOPS', which cannot be expressed in GB/s"));
    assert_int_equal(rep.results[1].verdict, CB_GATE_PASS);
    assert_double_equal(rep.results[1].value, 2.5, 1e-12);
    assert_non_null(strstr(rep.results[1].summary, "within [0.99, 1.01] x"));
    cb_gate_report_free(&rep);
    cb_gate_free(g);
    cb_table_free(&t);

    /* a value exactly on the bound passes; spec missing is an error */
    row(r1, sizeof r1, "gpu", "a", "", "90", "TFLOPS", "ok");
    judge_text("[x]\ncolumn = value\nreference = 100\nlower = -0.1\nunit = TFLOPS\n"
               "[y]\ncolumn = value\nreference = spec\nlower = -0.1\nunit = TFLOPS\n",
               r1, &rep, &g, &t);
    assert_int_equal(rep.results[0].verdict, CB_GATE_PASS);
    assert_int_equal(rep.results[1].verdict, CB_GATE_ERROR);
    assert_non_null(strstr(rep.results[1].summary, "has no spec_value"));
    cb_gate_report_free(&rep);
    cb_gate_free(g);
    cb_table_free(&t);
}

/* optional = yes: no matching rows is SKIP, not measured, with the reason;
 * matching rows are judged as usual; without the key the same is an error. */
static void test_gate_judge_optional(void **state)
{
    (void)state;
    char r1[512];
    cb_gate_report_t rep;
    cb_gate_t *g;
    cb_table_t t;
    const char *thr = "[rounds]\nbenchmark = p2p\nop = round\ncolumn = value\nreference = 1\n"
                      "lower = -0.2\nunit = GB/s\noptional = yes\n"
                      "[ar]\nbenchmark = allreduce\ncolumn = busbw_gbps\nreference = 0.5\n"
                      "lower = -0.1\nunit = GB/s\noptional = yes\n";
    row(r1, sizeof r1, "allreduce", "a", "0.5", "", "", "ok");
    judge_text(thr, r1, &rep, &g, &t);
    assert_int_equal(g->checks[0].optional, 1);
    assert_int_equal(rep.results[0].verdict, CB_GATE_SKIP);
    assert_int_equal(rep.results[0].not_measured, 1);
    assert_non_null(strstr(rep.results[0].summary, "not measured (optional = yes): no rows match "
                                                    "(benchmark=p2p, op=round)"));
    assert_non_null(strstr(rep.results[0].summary, "cb-p2p --all-pairs --reference"));
    assert_int_equal(rep.results[1].verdict, CB_GATE_PASS); /* rows: judged */
    assert_int_equal(rep.results[1].not_measured, 0);
    assert_int_equal(rep.nskip, 1);
    assert_int_equal(rep.nnot_measured, 1);
    assert_int_equal(cb_gate_exit_code(&rep), 0);
    cb_gate_report_free(&rep);
    cb_gate_free(g);
    cb_table_free(&t);
    /* optional = no (the default): matching nothing cannot be judged */
    judge_text("[rounds]\nbenchmark = p2p\nop = round\ncolumn = value\nreference = 1\n"
               "lower = -0.2\nunit = GB/s\noptional = no\n",
               r1, &rep, &g, &t);
    assert_int_equal(rep.results[0].verdict, CB_GATE_ERROR);
    assert_int_equal(rep.nnot_measured, 0);
    assert_int_equal(cb_gate_exit_code(&rep), 2);
    cb_gate_report_free(&rep);
    cb_gate_free(g);
    cb_table_free(&t);
    parse_bad("[x]\nkind = zero\noptional = 1\n", NULL, "mem:3: ",
              "[x] optional = '1': expected yes or no");
}

static void test_gate_format_num(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(cb_gate_format_num(0.29424, b, sizeof b), "0.294");
    assert_string_equal(cb_gate_format_num(2.5, b, sizeof b), "2.50");
    assert_string_equal(cb_gate_format_num(85.04, b, sizeof b), "85.0");
    assert_string_equal(cb_gate_format_num(209.5, b, sizeof b), "209.5");
    assert_string_equal(cb_gate_format_num(3350, b, sizeof b), "3350");
    assert_string_equal(cb_gate_format_num(0.99996, b, sizeof b), "1.00");
    assert_string_equal(cb_gate_format_num(0.0054149, b, sizeof b), "0.00541");
    assert_string_equal(cb_gate_format_num(0, b, sizeof b), "0");
    assert_string_equal(cb_gate_format_num(NAN, b, sizeof b), "NaN");
    assert_string_equal(cb_gate_verdict_name(CB_GATE_ERROR), "ERROR");
    assert_string_equal(cb_gate_kind_name(CB_GATE_KIND_NO_STATUS), "no_status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gate_load_fixture),
        cmocka_unit_test(test_gate_load_syntax),
        cmocka_unit_test(test_gate_load_errors),
        cmocka_unit_test(test_gate_load_bad_files),
        cmocka_unit_test(test_gate_shipped_all),
        cmocka_unit_test(test_gate_profile_checks),
        cmocka_unit_test(test_gate_judge_pass),
        cmocka_unit_test(test_gate_judge_value_below),
        cmocka_unit_test(test_gate_judge_spread_names_node),
        cmocka_unit_test(test_gate_judge_zero_and_status),
        cmocka_unit_test(test_gate_judge_unmatched_and_skip),
        cmocka_unit_test(test_gate_judge_edge_cases),
        cmocka_unit_test(test_gate_judge_optional),
        cmocka_unit_test(test_gate_format_num),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
