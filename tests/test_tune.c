/* Unit tests of cb_tune (common/tune.c, common/tune_overlay.c): the settings
 * table, the coordinate search, the scores, the verdict, the overlay's
 * writing, reading and per-step merge. Expected values derived by hand in
 * the comments. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cb_error.h"
#include "cb_tune.h"

/* a tiny environment: key=value pairs */
static const char *const *g_env;
static const char *lookup(const char *key, void *ctx)
{
    (void)ctx;
    for (size_t i = 0; g_env && g_env[i]; i += 2)
        if (!strcmp(g_env[i], key))
            return g_env[i + 1];
    return NULL;
}

static void test_tune_params_for(void **state)
{
    (void)state;
    const cb_tune_param_t *p[CB_TUNE_MAX_PARAMS];
    /* Open MPI, collectives: the algorithm first, then links, yield, buffers, eager */
    size_t n = cb_tune_params_for(CB_TUNE_COLL, "mpi", 3, p, CB_TUNE_MAX_PARAMS);
    assert_int_equal(n, 5);
    assert_string_equal(p[0]->name, "allreduce_algorithm");
    assert_string_equal(p[1]->name, "btl_tcp_links");
    assert_string_equal(p[2]->name, "mpi_yield_when_idle");
    assert_string_equal(p[3]->name, "btl_tcp_sndbuf/rcvbuf");
    assert_string_equal(p[4]->name, "btl_tcp_eager_limit");
    /* latency: links and yield only */
    n = cb_tune_params_for(CB_TUNE_P2P, "mpi", 2, p, CB_TUNE_MAX_PARAMS);
    assert_int_equal(n, 2);
    assert_string_equal(p[0]->name, "btl_tcp_links");
    assert_string_equal(p[1]->name, "mpi_yield_when_idle");
    /* NCCL: no tree on one node */
    assert_int_equal(cb_tune_params_for(CB_TUNE_COLL, "nccl", 1, p, CB_TUNE_MAX_PARAMS), 3);
    assert_int_equal(cb_tune_params_for(CB_TUNE_COLL, "nccl", 2, p, CB_TUNE_MAX_PARAMS), 4);
    assert_string_equal(p[2]->name, "NCCL_ALGO");
    assert_int_equal(cb_tune_params_for(CB_TUNE_P2P, "nccl", 2, p, CB_TUNE_MAX_PARAMS), 2);
    /* max is honoured */
    assert_int_equal(cb_tune_params_for(CB_TUNE_COLL, "mpi", 3, p, 2), 2);
}

static void test_tune_table_valid(void **state)
{
    (void)state;
    size_t n;
    const cb_tune_param_t *t = cb_tune_param_table(&n);
    assert_true(n >= 9 && n <= CB_TUNE_MAX_PARAMS);
    for (size_t i = 0; i < n; i++) {
        assert_true(t[i].n_opts >= 2 && t[i].n_opts <= CB_TUNE_MAX_OPTS);
        for (size_t o = 0; o < t[i].n_opts; o++) {
            const cb_tune_option_t *op = &t[i].opts[o];
            assert_non_null(op->label);
            assert_non_null(op->set[0].key);
            long th = 0, so = 0;
            for (int j = 0; j < CB_TUNE_MAX_SET && op->set[j].key; j++) {
                const char *k = op->set[j].key;
                assert_true(!strncmp(k, !strcmp(t[i].transport, "mpi") ? "OMPI_MCA_" : "NCCL_",
                                     strncmp(k, "OMPI", 4) ? 5 : 9));
                if (!strcmp(k, "NCCL_SOCKET_NTHREADS"))
                    th = atol(op->set[j].value);
                if (!strcmp(k, "NCCL_NSOCKS_PERTHREAD"))
                    so = atol(op->set[j].value);
                /* the segment size only with the segmented ring */
                if (strstr(k, "segmentsize"))
                    assert_string_equal(op->set[0].value, "5");
            }
            assert_true(th * so <= 64); /* NCCL's limit */
        }
    }
}

static void test_tune_option_is_base(void **state)
{
    (void)state;
    static const char *const env[] = {"OMPI_MCA_coll_tuned_allreduce_algorithm", "4",
                                      "OMPI_MCA_coll_tuned_use_dynamic_rules", "1",
                                      "OMPI_MCA_btl_tcp_links", "4", NULL};
    g_env = env;
    const cb_tune_param_t *p[CB_TUNE_MAX_PARAMS];
    cb_tune_params_for(CB_TUNE_COLL, "mpi", 3, p, CB_TUNE_MAX_PARAMS);
    /* algorithm option 4 is "4 (ring)": both of its variables match */
    assert_int_equal(cb_tune_option_is_base(p[0], 4, lookup, NULL), 1);
    /* 5 with a segment size: the segment size is unset in the base */
    assert_int_equal(cb_tune_option_is_base(p[0], 5, lookup, NULL), 0);
    assert_int_equal(cb_tune_option_is_base(p[0], 3, lookup, NULL), 0);
    assert_int_equal(cb_tune_option_is_base(p[1], 2, lookup, NULL), 1); /* links 4 */
    assert_int_equal(cb_tune_option_is_base(p[2], 1, lookup, NULL), 0); /* yield unset */
    g_env = NULL;
}

/* two made-up settings: A (a0 a1 a2; a0 is the base) and B (b0 b1) */
static const cb_tune_param_t fake[2] = {
    {"A", "mpi", CB_TUNE_FOR_COLL, 1, 3,
     {{"a0", {{"OMPI_MCA_a", "0"}}}, {"a1", {{"OMPI_MCA_a", "1"}}}, {"a2", {{"OMPI_MCA_a", "2"}}}}},
    {"B", "mpi", CB_TUNE_FOR_COLL, 1, 2,
     {{"b0", {{"OMPI_MCA_b", "0"}, {"OMPI_MCA_c", "x"}}}, {"b1", {{"OMPI_MCA_b", "1"}}}}},
};
static const cb_tune_param_t *const fakep[2] = {&fake[0], &fake[1]};
static const char *const fake_env[] = {"OMPI_MCA_a", "0", NULL};

static void test_tune_search_coordinate(void **state)
{
    (void)state;
    cb_tune_search_t s;
    size_t pi, oi;
    g_env = fake_env;
    assert_int_equal(cb_tune_search_init(&s, fakep, 2, lookup, NULL, 100, 0.02, 2), CB_OK);
    /* pass 1, A: a0 is the base, so a1 then a2 */
    assert_true(cb_tune_search_next(&s, &pi, &oi));
    assert_int_equal(pi, 0);
    assert_int_equal(oi, 1);
    cb_tune_search_report(&s, 101); /* +1%: under the 2% threshold */
    assert_true(cb_tune_search_next(&s, &pi, &oi));
    assert_int_equal(oi, 2);
    cb_tune_search_report(&s, 103); /* +3% */
    /* B: b0 and b1, with A at a2 */
    assert_int_equal(s.nsettled, 0);
    assert_true(cb_tune_search_next(&s, &pi, &oi));
    /* A ended: its best (a2, 103) against 100, taken, pass 1 */
    assert_int_equal(s.nsettled, 1);
    assert_int_equal(s.settled_param, 0);
    assert_int_equal(s.settled_opt, 2);
    assert_int_equal(s.settled_pass, 1);
    assert_int_equal(s.settled_taken, 1);
    assert_true(s.settled_score == 103 && s.settled_ref == 100);
    assert_int_equal(s.choice[0], 2);
    assert_true(fabs(s.gain[0] - 0.03) < 1e-12);
    assert_true(s.best == 103);
    assert_int_equal(pi, 1);
    assert_int_equal(oi, 0);
    cb_tune_assign_t a[8];
    size_t na = cb_tune_assignments(fakep, 2, s.choice, pi, (int)oi, a, 8);
    /* a2, then b0's two variables */
    assert_int_equal(na, 3);
    assert_string_equal(a[0].key, "OMPI_MCA_a");
    assert_string_equal(a[0].value, "2");
    assert_string_equal(a[1].key, "OMPI_MCA_b");
    assert_string_equal(a[2].key, "OMPI_MCA_c");
    cb_tune_search_report(&s, 110);
    cb_tune_search_rebase(&s, 90); /* mid-setting: ignored */
    assert_true(s.best == 103);
    assert_true(cb_tune_search_next(&s, &pi, &oi));
    assert_int_equal(oi, 1);
    cb_tune_search_report(&s, 104);
    /* pass 2 (pass 1 changed something): A's a1 only (a0 base, a2 chosen) */
    assert_true(cb_tune_search_next(&s, &pi, &oi));
    assert_int_equal(s.choice[1], 0);
    assert_true(fabs(s.gain[1] - (110.0 / 103.0 - 1.0)) < 1e-12);
    assert_int_equal(pi, 0);
    assert_int_equal(oi, 1);
    cb_tune_search_report(&s, 111); /* 111 < 110 * 1.02 = 112.2: stays */
    assert_true(cb_tune_search_next(&s, &pi, &oi));
    /* A in pass 2: a1 at 111 against 110, not taken */
    assert_int_equal(s.nsettled, 3);
    assert_int_equal(s.settled_pass, 2);
    assert_int_equal(s.settled_taken, 0);
    assert_true(s.settled_score == 111 && s.settled_ref == 110);
    assert_int_equal(pi, 1);
    assert_int_equal(oi, 1);
    cb_tune_search_report(&s, NAN); /* a failed trial is never taken */
    /* pass 2 changed nothing: done */
    assert_false(cb_tune_search_next(&s, &pi, &oi));
    assert_int_equal(s.nsettled, 3); /* B's only candidate failed: no best to tell */
    assert_int_equal(s.choice[0], 2);
    assert_int_equal(s.choice[1], 0);
    assert_true(s.best == 110);
    na = cb_tune_assignments(fakep, 2, s.choice, (size_t)-1, -1, a, 8);
    assert_int_equal(na, 3);
    /* a winner that fails the verdict loses its settings last taken first: B, then A */
    assert_int_equal(s.seq[0], 1);
    assert_int_equal(s.seq[1], 2);
    assert_int_equal(cb_tune_search_drop_last(&s), 1);
    assert_int_equal(s.choice[1], -1);
    assert_int_equal(cb_tune_search_drop_last(&s), 0);
    assert_int_equal(cb_tune_search_drop_last(&s), -1);
    assert_int_equal(cb_tune_assignments(fakep, 2, s.choice, (size_t)-1, -1, a, 8), 0);
    g_env = NULL;
}

/* A setting taken in pass 1 (A = a2, +3%) and again in pass 2 (a1, 110
 * against 103): a winner that fails the verdict undoes the pass-2 take
 * first, back to a2 with its pass-1 gain, then to the base. */
static void test_tune_search_drop_last_restores_earlier_take(void **state)
{
    (void)state;
    cb_tune_search_t s;
    size_t pi, oi;
    g_env = fake_env;
    assert_int_equal(cb_tune_search_init(&s, fakep, 2, lookup, NULL, 100, 0.02, 2), CB_OK);
    /* pass 1: A's a1, a2; B's b0, b1 (neither beats 103) */
    static const double pass1[] = {101, 103, 90, 95};
    for (size_t i = 0; i < 4; i++) {
        assert_true(cb_tune_search_next(&s, &pi, &oi));
        cb_tune_search_report(&s, pass1[i]);
    }
    /* pass 2: A's a1 only (a0 the base, a2 chosen): 110 > 103 x 1.02 */
    assert_true(cb_tune_search_next(&s, &pi, &oi));
    assert_int_equal(s.choice[0], 2);
    assert_int_equal(pi, 0);
    assert_int_equal(oi, 1);
    cb_tune_search_report(&s, 110);
    while (cb_tune_search_next(&s, &pi, &oi))
        cb_tune_search_report(&s, 50); /* B again: never better */
    assert_int_equal(s.choice[0], 1);
    assert_int_equal(s.choice[1], -1);
    assert_true(fabs(s.gain[0] - (110.0 / 103.0 - 1.0)) < 1e-12);
    /* undo the pass-2 take: A back to a2, its pass-1 gain and order */
    assert_int_equal(cb_tune_search_drop_last(&s), 0);
    assert_int_equal(s.choice[0], 2);
    assert_true(fabs(s.gain[0] - 0.03) < 1e-12);
    assert_int_equal(s.seq[0], 1);
    /* then the pass-1 take: the base */
    assert_int_equal(cb_tune_search_drop_last(&s), 0);
    assert_int_equal(s.choice[0], -1);
    assert_int_equal(cb_tune_search_drop_last(&s), -1);
    g_env = NULL;
}

static void test_tune_search_finish_early(void **state)
{
    (void)state;
    cb_tune_search_t s;
    size_t pi, oi;
    assert_int_equal(cb_tune_search_init(&s, fakep, 2, NULL, NULL, 50, 0.05, 1), CB_OK);
    /* no base in the environment: a0, a1, a2 are all candidates */
    assert_true(cb_tune_search_next(&s, &pi, &oi));
    assert_int_equal(oi, 0);
    cb_tune_search_report(&s, 60); /* +20% */
    /* the budget ends here: A takes a0, B stays at the base */
    cb_tune_search_finish(&s);
    assert_int_equal(s.nsettled, 1);
    assert_int_equal(s.settled_taken, 1);
    assert_false(cb_tune_search_next(&s, &pi, &oi));
    assert_int_equal(s.choice[0], 0);
    assert_int_equal(s.choice[1], -1);
    assert_true(fabs(s.gain[0] - 0.2) < 1e-12);
    /* bad starts */
    assert_int_equal(cb_tune_search_init(&s, fakep, 2, NULL, NULL, NAN, 0.05, 1), CB_ERR_INPUT);
    assert_int_equal(cb_tune_search_init(&s, fakep, 2, NULL, NULL, 0, 0.05, 1), CB_ERR_INPUT);
    assert_int_equal(cb_tune_search_init(&s, fakep, CB_TUNE_MAX_PARAMS + 1, NULL, NULL, 1, 0.05, 1),
                     CB_ERR_RANGE);
}

static void test_tune_search_rebase(void **state)
{
    (void)state;
    cb_tune_search_t s;
    size_t pi, oi;
    g_env = fake_env;
    assert_int_equal(cb_tune_search_init(&s, fakep, 2, lookup, NULL, 100, 0.02, 1), CB_OK);
    assert_true(cb_tune_search_next(&s, &pi, &oi)); /* a1 */
    cb_tune_search_report(&s, 99);
    assert_true(cb_tune_search_next(&s, &pi, &oi)); /* a2 */
    cb_tune_search_report(&s, 98);
    /* B next: A stayed at the base; the base runs again at 80 (the machine
     * got busier), so B's candidates must beat 80 * 1.02 = 81.6, not 102 */
    assert_true(cb_tune_search_next(&s, &pi, &oi));
    assert_int_equal(pi, 1);
    cb_tune_search_rebase(&s, 80);
    cb_tune_search_rebase(&s, NAN); /* ignored */
    assert_true(s.best == 80);
    cb_tune_search_report(&s, 85); /* b0: +6.25% */
    assert_true(cb_tune_search_next(&s, &pi, &oi));
    cb_tune_search_report(&s, 81); /* b1 */
    assert_false(cb_tune_search_next(&s, &pi, &oi));
    assert_int_equal(s.choice[0], -1);
    assert_int_equal(s.choice[1], 0);
    assert_true(fabs(s.gain[1] - 0.0625) < 1e-12);
    g_env = NULL;
}

static void test_tune_scores(void **state)
{
    (void)state;
    double a[] = {1, 4}, b[] = {2, 8, 4}, c[] = {2, 0}, d[] = {3, 1, 2}, e[] = {4, 1, 3, 2};
    assert_true(fabs(cb_tune_geomean(a, 2) - 2) < 1e-12);  /* sqrt(4) */
    assert_true(fabs(cb_tune_geomean(b, 3) - 4) < 1e-12);  /* cbrt(64) */
    assert_true(isnan(cb_tune_geomean(c, 2)));
    assert_true(isnan(cb_tune_geomean(a, 0)));
    assert_true(cb_tune_median(d, 3) == 2);
    assert_true(cb_tune_median(e, 4) == 2.5);
    assert_true(e[0] == 4); /* not changed */
    assert_true(isnan(cb_tune_median(e, 0)));
}

static void test_tune_judge(void **state)
{
    (void)state;
    cb_tune_verdict_t v;
    /* medians 100 and 110: +10%; spreads 4/100 and 2/110: noise 4%; the
     * winner's worst (109) beats the base's best (102): kept */
    double b1[] = {100, 102, 98}, w1[] = {110, 111, 109};
    assert_int_equal(cb_tune_judge(b1, 3, w1, 3, 0.02, &v), CB_OK);
    assert_true(fabs(v.gain - 0.10) < 1e-12);
    assert_true(fabs(v.noise - 0.04) < 1e-12);
    assert_true(v.keep);
    /* the base's spread is 14/100 = 14%: +10% is not more than the noise */
    double b2[] = {100, 112, 98}, w2[] = {110, 111, 109};
    assert_int_equal(cb_tune_judge(b2, 3, w2, 3, 0.02, &v), CB_OK);
    assert_false(v.keep);
    /* quiet but small: +0.6% against the 2% floor */
    double b3[] = {100, 100.5}, w3[] = {100.7, 100.8};
    assert_int_equal(cb_tune_judge(b3, 2, w3, 2, 0.02, &v), CB_OK);
    assert_true(fabs(v.noise - 0.02) < 1e-12);
    assert_false(v.keep);
    /* medians far apart, but the runs overlap (winner's worst 101 < base's best 104) */
    double b4[] = {100, 100, 104}, w4[] = {120, 120, 101};
    assert_int_equal(cb_tune_judge(b4, 3, w4, 3, 0.0, &v), CB_OK);
    assert_true(fabs(v.gain - 0.2) < 1e-12); /* but noise 19/120 = 15.8% */
    assert_false(v.keep);
    /* worse is never kept */
    assert_int_equal(cb_tune_judge(w1, 3, b1, 3, 0.0, &v), CB_OK);
    assert_false(v.keep);
    assert_int_equal(cb_tune_judge(b1, 0, w1, 3, 0.02, &v), CB_ERR_INPUT);
    double bad[] = {1, NAN};
    assert_int_equal(cb_tune_judge(b1, 3, bad, 2, 0.02, &v), CB_ERR_INPUT);
}

static const char overlay_text[] =
    "; comment\n"
    "[tune]\n"
    "profile = vcluster\n"
    "date = 2026-12-07\n"
    "nodes = 3\n"
    "[collective]\n"
    "OMPI_MCA_btl_tcp_links = 8\n"
    "OMPI_MCA_btl_tcp_sndbuf = 4194304\n"
    "[p2p]\n"
    "OMPI_MCA_mpi_yield_when_idle = 0\n"
    "[gain]\n"
    "collective.OMPI_MCA_btl_tcp_links = 3.1\n"
    "p2p.OMPI_MCA_mpi_yield_when_idle = 41.0\n";

static void test_tune_overlay_roundtrip(void **state)
{
    (void)state;
    cb_tune_overlay_t ov;
    memset(&ov, 0, sizeof ov);
    snprintf(ov.profile, sizeof ov.profile, "vcluster");
    snprintf(ov.date, sizeof ov.date, "2026-12-07");
    ov.nodes = 3;
    assert_int_equal(cb_tune_overlay_set(&ov, CB_TUNE_P2P, "OMPI_MCA_mpi_yield_when_idle", "1", 5),
                     CB_OK);
    assert_int_equal(cb_tune_overlay_set(&ov, CB_TUNE_COLL, "OMPI_MCA_btl_tcp_links", "8", 3.1),
                     CB_OK);
    assert_int_equal(cb_tune_overlay_set(&ov, CB_TUNE_COLL, "OMPI_MCA_btl_tcp_sndbuf", "4194304",
                                         NAN),
                     CB_OK);
    /* replacing keeps one entry */
    assert_int_equal(cb_tune_overlay_set(&ov, CB_TUNE_P2P, "OMPI_MCA_mpi_yield_when_idle", "0",
                                         41.0),
                     CB_OK);
    assert_int_equal(ov.n, 3);
    assert_int_equal(cb_tune_overlay_set(&ov, CB_TUNE_P2P, "PATH", "x", 1), CB_ERR_INPUT);
    assert_int_equal(cb_tune_overlay_set(&ov, CB_TUNE_P2P, "NCCL_X", "a b", 1), CB_ERR_INPUT);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_int_equal(cb_tune_overlay_write(f, &ov, "; comment"), CB_OK);
    fclose(f);
    /* sections in purpose order, the gains of those that have one */
    assert_string_equal(text, overlay_text);
    cb_tune_overlay_t back;
    char err[256];
    assert_int_equal(cb_tune_overlay_parse(text, "x.tuned.ini", &back, err, sizeof err), CB_OK);
    assert_string_equal(back.profile, "vcluster");
    assert_int_equal(back.nodes, 3);
    assert_int_equal(back.n, 3);
    const cb_tune_entry_t *e = cb_tune_overlay_find(&back, CB_TUNE_COLL, "OMPI_MCA_btl_tcp_links");
    assert_non_null(e);
    assert_string_equal(e->value, "8");
    assert_true(fabs(e->gain_pct - 3.1) < 1e-12);
    e = cb_tune_overlay_find(&back, CB_TUNE_COLL, "OMPI_MCA_btl_tcp_sndbuf");
    assert_true(isnan(e->gain_pct));
    assert_null(cb_tune_overlay_find(&back, CB_TUNE_P2P, "OMPI_MCA_btl_tcp_links"));
    free(text);
}

static void bad_overlay(const char *text, const char *want)
{
    cb_tune_overlay_t ov;
    char err[256];
    assert_int_equal(cb_tune_overlay_parse(text, "t.ini", &ov, err, sizeof err), CB_ERR_INPUT);
    if (!strstr(err, want))
        fail_msg("error '%s' lacks '%s'", err, want);
}

#define HEAD "[tune]\nprofile = v\ndate = 2026-12-07\n"
static void test_tune_overlay_bad(void **state)
{
    (void)state;
    bad_overlay("[tune]\nprofile = v\n", "t.ini:1: [tune] needs profile and date");
    bad_overlay(HEAD "[other]\nx = 1\n", "t.ini:4: unknown section [other]");
    bad_overlay(HEAD "[collective]\nPATH = 1\n", "t.ini:5: [collective] 'PATH' is not an");
    bad_overlay(HEAD "[p2p]\nNCCL_X = $(id)\n", "t.ini:5: [p2p] NCCL_X: value may hold");
    bad_overlay(HEAD "[p2p]\nNCCL_X = 1\nNCCL_X = 2\n", "t.ini:6: [p2p] duplicate key NCCL_X");
    bad_overlay(HEAD "[gain]\np2p.NCCL_X = 1\n", "t.ini:5: [gain] p2p.NCCL_X: no such setting");
    bad_overlay(HEAD "[p2p]\nNCCL_X = 1\n[gain]\np2p.NCCL_X = nan\n", "t.ini:7: [gain] p2p.NCCL_X");
    bad_overlay(HEAD "[p2p]\nNCCL_X = 1\n[gain]\nfoo.NCCL_X = 1\n", "t.ini:7: [gain] 'foo.NCCL_X'");
    bad_overlay("[tune]\nprofile = v\ndate = 2026-13-07\n", "t.ini:3: [tune] date = '2026-13-07'");
    bad_overlay("[tune]\nprofile = v\ndate = 2026-12-07\nnodes = 0x3\n", "t.ini:4: [tune] nodes");
    bad_overlay(HEAD "[tune]\nnodes = 2\n", "t.ini:4: duplicate section [tune]");
    bad_overlay(HEAD "[p2p]\nNCCL_X = 1\n  2\n", "t.ini:6:");
}

static void test_tune_step_env(void **state)
{
    (void)state;
    cb_tune_overlay_t ov;
    char err[256];
    assert_int_equal(cb_tune_overlay_parse(overlay_text, "o", &ov, err, sizeof err), CB_OK);
    static const char *const env[] = {"OMPI_MCA_btl_tcp_links", "4",
                                      "OMPI_MCA_mpi_yield_when_idle", "1", NULL};
    g_env = env;
    cb_tune_assign_t a[8];
    /* collective steps take the scripts' exports: nothing of their own */
    assert_int_equal(cb_tune_step_env(&ov, CB_TUNE_COLL, lookup, NULL, a, 8), 0);
    /* the latency step: links back to the base 4, sndbuf unset (the base
     * has none), then its own yield 0 */
    size_t n = cb_tune_step_env(&ov, CB_TUNE_P2P, lookup, NULL, a, 8);
    assert_int_equal(n, 3);
    assert_string_equal(a[0].key, "OMPI_MCA_btl_tcp_links");
    assert_string_equal(a[0].value, "4");
    assert_string_equal(a[1].key, "OMPI_MCA_btl_tcp_sndbuf");
    assert_string_equal(a[1].value, "");
    assert_string_equal(a[2].key, "OMPI_MCA_mpi_yield_when_idle");
    assert_string_equal(a[2].value, "0");
    /* no overlay: nothing */
    assert_int_equal(cb_tune_step_env(NULL, CB_TUNE_P2P, lookup, NULL, a, 8), 0);
    g_env = NULL;
}

/* tune.csv's notes: the three kinds, fields, and what is not one */
static void test_tune_note_parse(void **state)
{
    (void)state;
    cb_tune_note_t n;
    char v[64];
    assert_int_equal(cb_tune_note_parse("tune trial 12 collective search: OMPI_MCA_a=1 OMPI_MCA_b=2"
                                        " | setting=A; option=5 (ring, 64K); pass=2; ref=1.2; "
                                        "gain=+3.0",
                                        &n),
                     CB_OK);
    assert_int_equal(n.kind, CB_TUNE_NOTE_TRIAL);
    assert_int_equal(n.trial, 12);
    assert_int_equal(n.purpose, CB_TUNE_COLL);
    assert_string_equal(n.phase, "search");
    assert_int_equal(n.what_len, strlen("OMPI_MCA_a=1 OMPI_MCA_b=2"));
    assert_true(cb_tune_note_field(n.fields, "option", v, sizeof v));
    assert_string_equal(v, "5 (ring, 64K)");
    assert_true(cb_tune_note_field(n.fields, "gain", v, sizeof v));
    assert_string_equal(v, "+3.0");
    assert_true(cb_tune_note_field(n.fields, "setting", v, 2)); /* cut */
    assert_string_equal(v, "A");
    assert_false(cb_tune_note_field(n.fields, "pas", v, sizeof v));
    assert_false(cb_tune_note_field(n.fields, "taken", v, sizeof v));
    /* without fields (older files) */
    assert_int_equal(cb_tune_note_parse("tune trial 1 p2p base: base", &n), CB_OK);
    assert_int_equal(n.purpose, CB_TUNE_P2P);
    assert_string_equal(n.fields, "");
    assert_false(cb_tune_note_field(n.fields, "ref", v, sizeof v));
    assert_int_equal(cb_tune_note_parse("tune setting p2p: btl_tcp_links=8 | taken=yes", &n), CB_OK);
    assert_int_equal(n.kind, CB_TUNE_NOTE_SETTING);
    assert_true(cb_tune_note_field(n.fields, "taken", v, sizeof v));
    assert_string_equal(v, "yes");
    assert_int_equal(cb_tune_note_parse("tune verdict collective: X=1: gain +3.0%, noise 2.0%: kept"
                                        " | base=1; winner=1.03; kept=yes",
                                        &n),
                     CB_OK);
    assert_int_equal(n.kind, CB_TUNE_NOTE_VERDICT);
    assert_true(cb_tune_note_field(n.fields, "winner", v, sizeof v));
    assert_string_equal(v, "1.03");
    const char *bad[] = {"", "tune", "tune trial x collective base: base",
                         "tune trial 1 bandwidth base: base", "tune trial 1 collective base",
                         "tune verdict p2p base", "a tune trial 1 p2p base: base",
                         "tune setting : x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(cb_tune_note_parse(bad[i], &n), CB_ERR_INPUT);
}

static void test_tune_purpose_names(void **state)
{
    (void)state;
    cb_tune_purpose_t p;
    assert_string_equal(cb_tune_purpose_name(CB_TUNE_COLL), "collective");
    assert_string_equal(cb_tune_purpose_name(CB_TUNE_P2P), "p2p");
    assert_null(cb_tune_purpose_name((cb_tune_purpose_t)2));
    assert_int_equal(cb_tune_purpose_parse("p2p", &p), CB_OK);
    assert_int_equal(p, CB_TUNE_P2P);
    assert_int_equal(cb_tune_purpose_parse("latency", &p), CB_ERR_INPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tune_params_for),
        cmocka_unit_test(test_tune_table_valid),
        cmocka_unit_test(test_tune_option_is_base),
        cmocka_unit_test(test_tune_search_coordinate),
        cmocka_unit_test(test_tune_search_drop_last_restores_earlier_take),
        cmocka_unit_test(test_tune_search_finish_early),
        cmocka_unit_test(test_tune_search_rebase),
        cmocka_unit_test(test_tune_scores),
        cmocka_unit_test(test_tune_judge),
        cmocka_unit_test(test_tune_overlay_roundtrip),
        cmocka_unit_test(test_tune_overlay_bad),
        cmocka_unit_test(test_tune_step_env),
        cmocka_unit_test(test_tune_purpose_names),
        cmocka_unit_test(test_tune_note_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
