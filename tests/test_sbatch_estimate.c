/* Tests of the generator's duration estimate (sbatch/sbatch_estimate.c,
 * sbatch_schedule.c): the all-pairs rounds, allreduce.sh's scaling curve,
 * one operation's time, one size as the driver spends it, a step's run and
 * need under its cap, and a script's estimate against its own steps and its
 * header. Expectations are worked out by hand in the comments; the model's
 * constants (CB_SBATCH_EST_*) appear by name. */
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
#include "cb_profile.h"
#include "cb_sbatch.h"
#include "cb_tune.h"

#define MiB (1ULL << 20)
#define EPS 1e-9

/* this cmocka has no assert_double_equal */
#define assert_near(got, want, eps) near_at((got), (want), (eps), __FILE__, __LINE__)
static void near_at(double got, double want, double eps, const char *file, int line)
{
    if (!(fabs(got - want) <= eps)) {
        print_error("%s:%d: got %.12g, want %.12g (+-%g)\n", file, line, got, want, eps);
        fail();
    }
}

static void test_sbatch_estimate_pair_rounds(void **state)
{
    (void)state;
    /* rounds: 2(N-1) for even N, 2N for odd N; sequential: N(N-1) */
    static const struct {
        long n, rounds, seq;
    } c[] = {
        {0, 0, 0},         {1, 0, 0},       {2, 2, 2},           {3, 6, 6},
        {4, 6, 12},        {16, 30, 240},   {17, 34, 272},       {64, 126, 4032},
        {512, 1022, 261632}, {4096, 8190, 16773120},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        assert_int_equal(cb_sbatch_pair_rounds(c[i].n, 0), c[i].rounds);
        assert_int_equal(cb_sbatch_pair_rounds(c[i].n, 1), c[i].seq);
    }
}

static void test_sbatch_estimate_curve_nodes(void **state)
{
    (void)state;
    long out[CB_SBATCH_MAX_CURVE];
    static const long n1[] = {1}, n2[] = {1, 2}, n3[] = {1, 2, 3}, n4[] = {1, 2, 4},
                      n16[] = {1, 2, 4, 8, 16}, n17[] = {1, 2, 4, 8, 16, 17},
                      n512[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512},
                      n4095[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4095};
    static const struct {
        long nodes;
        const long *want;
        size_t n;
    } c[] = {
        {0, n1, 1},  {1, n1, 1},     {2, n2, 2},        {3, n3, 3},   {4, n4, 3},
        {16, n16, 5}, {17, n17, 6}, {512, n512, 10}, {4095, n4095, 13},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        size_t n = cb_sbatch_curve_nodes(c[i].nodes, out);
        assert_int_equal(n, c[i].n);
        for (size_t j = 0; j < n; j++)
            assert_int_equal(out[j], c[i].want[j]);
    }
    /* the largest profile: 1 .. 2048, 4096: 13 entries, within the array */
    assert_int_equal(cb_sbatch_curve_nodes(CB_PROFILE_MAX_NODES, out), 13);
    assert_int_equal(out[12], CB_PROFILE_MAX_NODES);
}

/* 8 Gbit/s = 1000 bytes per us: 1 MiB takes 1048.576 us */
static const cb_sbatch_net_t net8 = {.node_gbps = 8, .rank_gbps = 8, .latency_us = 50};

static void test_sbatch_estimate_op(void **state)
{
    (void)state;
    /* ping-pong: 2 (50 + 1048.576) */
    assert_near(cb_sbatch_op_us(&net8, CB_SBATCH_MODE_LATENCY, 2, 1, MiB, 64), 2197.152,
                        EPS);
    /* bw, window 4 of 1 MiB: 4 x 1048.576 + 2 x 50 */
    assert_near(cb_sbatch_op_us(&net8, CB_SBATCH_MODE_BW, 2, 1, MiB, 4), 4294.304, EPS);
    /* bw at 32 MiB, window 8: at most 64 MiB in flight, so 2 messages */
    assert_near(cb_sbatch_op_us(&net8, CB_SBATCH_MODE_BW, 2, 1, 32 * MiB, 8),
                        2 * 33554.432 + 100, EPS);
    /* bw at 128 MiB: one message however large the window */
    assert_near(cb_sbatch_op_us(&net8, CB_SBATCH_MODE_BIBW, 2, 1, 128 * MiB, 64),
                        134217.728 + 100, EPS);
    /* all-reduce of 3 MiB on 3 nodes x 1 rank: 2(2)/3 x 3 MiB = 4 MiB on the
     * wire, 4194.304 us at the goodput, at 85% of it (CB_SBATCH_EST_AR_EFFICIENCY)
     * 4934.475294 us, plus 2(N-1) = 4 latencies */
    assert_true(CB_SBATCH_EST_AR_EFFICIENCY == 0.85);
    assert_near(cb_sbatch_op_us(&net8, 0, 3, 1, 3 * MiB, 0), 4194.304 / 0.85 + 200, EPS);
    /* 2 nodes x 4 ranks, 7 MiB: 2(7)/8 x 7 MiB = 12.25 MiB = 12845.056 us at
     * the goodput, / 0.85; 2 latencies */
    assert_near(cb_sbatch_op_us(&net8, 0, 2, 4, 7 * MiB, 0), 12845.056 / 0.85 + 100, EPS);
    /* one rank: a local copy at CB_SBATCH_EST_LOCAL_GBPS, 1 us latency */
    assert_near(cb_sbatch_op_us(&net8, 0, 1, 1, MiB, 0),
                        1 + MiB * 8.0 / (CB_SBATCH_EST_LOCAL_GBPS * 1e3), EPS);
    /* two ranks on one node (p2p.sh on one node): local rate, 1 us */
    assert_near(cb_sbatch_op_us(&net8, CB_SBATCH_MODE_BW, 1, 2, MiB, 1),
                        MiB * 8.0 / (CB_SBATCH_EST_LOCAL_GBPS * 1e3) + 2, EPS);
}

static void test_sbatch_estimate_size(void **state)
{
    (void)state;
    /* 0.1 s per op, 0.5 s per size: warm-up 1 + floor(0.125 / 0.1) = 2,
     * timed 5, check 1: 8 ops */
    assert_near(cb_sbatch_size_s(1e5, 0.5, 5, 3, 1000, 1), 0.8, EPS);
    /* 1 s per op: warm-up 1, timed min_iters 3, check 1: 5 ops */
    assert_near(cb_sbatch_size_s(1e6, 0.5, 5, 3, 1000, 1), 5.0, EPS);
    /* without the check: 4 */
    assert_near(cb_sbatch_size_s(1e6, 0.5, 5, 3, 1000, 0), 4.0, EPS);
    /* 10 us per op: warm-up 1 + 4 (the warm-up bound), timed 50000 -> the
     * 1000 bound, check 1: 1006 ops */
    assert_near(cb_sbatch_size_s(10, 0.5, 5, 5, 1000, 1), 1006 * 10e-6, EPS);
}

/* an all-pairs step at 4 MiB, window 4, on net8 */
static cb_sbatch_step_t all_pairs(long nodes, int sequential, double cap_s)
{
    cb_sbatch_step_t s;
    memset(&s, 0, sizeof s);
    snprintf(s.name, sizeof s.name, "p2p-all-pairs");
    s.work = CB_SBATCH_WORK_ALL_PAIRS;
    s.srun = 1;
    s.nodes = nodes;
    s.tasks_per_node = 1;
    s.min_bytes = s.max_bytes = 4 * MiB;
    s.factor = 4;
    s.tps_s = 0.5;
    s.warmup_iters = 5;
    s.min_iters = 2;
    s.max_iters = 10000;
    s.check = 1;
    s.modes = CB_SBATCH_MODE_BW;
    s.window = 4;
    s.sequential = sequential;
    s.cap_s = cap_s;
    return s;
}

static void test_sbatch_estimate_all_pairs(void **state)
{
    (void)state;
    /* one direction: op = 4 x 4 MiB at 1000 B/us + 100 = 16877.216 us;
     * warm-up 1 + min(4, floor(0.125 / 0.016877216) = 7) = 5, timed
     * floor(0.5 / 0.016877216) = 29, check 1: 35 ops = 0.59070256 s, plus
     * CB_SBATCH_EST_SIZE_S. Start-up: CB_SBATCH_EST_START_S + 16 per node. */
    const double dir = 35 * 0.016877216 + CB_SBATCH_EST_SIZE_S;
    const double start = CB_SBATCH_EST_START_S + 16 * CB_SBATCH_EST_START_PER_NODE_S;
    cb_sbatch_step_est_t e;
    cb_sbatch_step_t s = all_pairs(16, 0, 0);
    cb_sbatch_step_estimate(&s, &net8, &e);
    assert_near(e.need_s, 30 * dir + start, 1e-6); /* 30 rounds */
    assert_near(e.run_s, e.need_s, EPS);
    s = all_pairs(16, 1, 0);
    cb_sbatch_step_estimate(&s, &net8, &e);
    assert_near(e.need_s, 240 * dir + start, 1e-6); /* 240 directions: 8x */
    /* a 60 s cap: a direction starts while run + its forecast (1 + 2 + 1 ops
     * = 0.067508864 s) fits: after 98 (59.87 s) the 99th starts, after 99
     * (60.46 s) nothing more */
    s = all_pairs(16, 1, 60);
    cb_sbatch_step_estimate(&s, &net8, &e);
    assert_near(e.run_s, 99 * dir + start, 1e-6);
    assert_near(e.need_s, 240 * dir + start, 1e-6);
    /* --reference (round_reference = yes): the 240 directions alone first,
     * at the same size, then the 30 rounds: 270 units */
    s = all_pairs(16, 0, 0);
    s.reference = 1;
    cb_sbatch_step_estimate(&s, &net8, &e);
    assert_near(e.need_s, 270 * dir + start, 1e-6);
    assert_near(e.run_s, e.need_s, EPS);
    /* ... under the 60 s cap: the pass alone stops after 99 directions, as
     * the sequential one above, and no round starts */
    s.cap_s = 60;
    cb_sbatch_step_estimate(&s, &net8, &e);
    assert_near(e.run_s, 99 * dir + start, 1e-6);
    assert_near(e.need_s, 270 * dir + start, 1e-6);
    /* 17 nodes: 34 rounds */
    s = all_pairs(17, 0, 0);
    cb_sbatch_step_estimate(&s, &net8, &e);
    assert_near(e.need_s, 34 * dir + CB_SBATCH_EST_START_S +
                                      17 * CB_SBATCH_EST_START_PER_NODE_S, 1e-6);
    /* 4096 nodes: 8190 rounds */
    s = all_pairs(4096, 0, 0);
    cb_sbatch_step_estimate(&s, &net8, &e);
    assert_near(e.need_s, 8190 * dir + CB_SBATCH_EST_START_S +
                                      4096 * CB_SBATCH_EST_START_PER_NODE_S, 1e-5);
}

static void test_sbatch_estimate_allreduce_sweep(void **state)
{
    (void)state;
    /* 3 nodes x 1, 3 MiB and 12 MiB (x4), both placements, 0.5 s per size.
     * 3 MiB: op 4194.304 / 0.85 + 200 = 5134.475294 us (see _op): warm-up
     * 1 + min(4, floor(0.125 / 0.005134)) = 5, timed floor(0.5 / 0.005134)
     * = 97, check 1: 103 ops = 0.528850955 s.
     * 12 MiB: op 16777.216 / 0.85 + 200 = 19938.489412 us: warm-up 1 +
     * min(4, 6) = 5, timed 25, check 1: 31 ops = 0.618093172 s. Each twice
     * (placements). */
    cb_sbatch_step_t s;
    memset(&s, 0, sizeof s);
    s.work = CB_SBATCH_WORK_ALLREDUCE;
    s.nodes = 3;
    s.tasks_per_node = 1;
    s.min_bytes = 3 * MiB;
    s.max_bytes = 12 * MiB;
    s.factor = 4;
    s.tps_s = 0.5;
    s.warmup_iters = 5;
    s.min_iters = 5;
    s.max_iters = 1000;
    s.check = 1;
    s.placements = 2;
    cb_sbatch_step_est_t e;
    cb_sbatch_step_estimate(&s, &net8, &e);
    double want = 2 * (103 * (4194.304 / 0.85 + 200) / 1e6 + CB_SBATCH_EST_SIZE_S) +
                  2 * (31 * (16777.216 / 0.85 + 200) / 1e6 + CB_SBATCH_EST_SIZE_S);
    assert_near(e.need_s, want, 1e-6); /* no srun: no start-up */
    assert_near(e.run_s, want, 1e-6);
    /* a cap of 1.5 s: the second size's forecast, 2 x 7 ops of 19938.49 us
     * = 0.279139 s, after 1.0977 s, fits; a cap of 1.2 does not */
    s.cap_s = 1.5;
    cb_sbatch_step_estimate(&s, &net8, &e);
    assert_near(e.run_s, want, 1e-6);
    s.cap_s = 1.2;
    cb_sbatch_step_estimate(&s, &net8, &e);
    assert_near(e.run_s, 2 * (103 * (4194.304 / 0.85 + 200) / 1e6 + CB_SBATCH_EST_SIZE_S), 1e-6);
    assert_near(e.need_s, want, 1e-6);
}

static void test_sbatch_estimate_ddp(void **state)
{
    (void)state;
    /* cb-ddp on one rank, 100 MiB of gradients, T1 200 ms, 3 timed steps
     * after 1 warm-up. First the distinct bucket sizes 1M, 25M, 24M (1 +
     * 3 x 25 + 24 = 100), 1 s each, one rank: op = 1 us + S at 80 Gbit/s
     * (10000 B/us): 105.8576, 2622.44, 2517.5824 us; warm-up 1 + min(1,
     * many) = 2, timed min(50, many) = 50, check 1 (cb-ddp checks every
     * size, whatever the step's own check says): 53 ops each. Then DDP
     * on one rank is the step itself: (1 + 3) x (200 + 200) ms = 1.6 s. */
    cb_sbatch_step_t s;
    memset(&s, 0, sizeof s);
    s.work = CB_SBATCH_WORK_DDP;
    s.srun = 1;
    s.nodes = 1;
    s.tasks_per_node = 1;
    s.check = 0;
    s.grad_bytes = 100 * MiB;
    s.step_ms[0] = 200;
    s.nsteps = 1;
    s.iters = 3;
    s.warmup_iters = 1;
    cb_sbatch_step_est_t e;
    cb_sbatch_step_estimate(&s, &net8, &e);
    double probes = 53 * (105.8576 + 2622.44 + 2517.5824) / 1e6 + 3 * CB_SBATCH_EST_SIZE_S;
    double want = probes + 1.6 + CB_SBATCH_EST_START_S + CB_SBATCH_EST_START_PER_NODE_S;
    assert_near(e.need_s, want, 1e-6);
    /* a 1.5 s cap: the T1's forecast (its whole 1.6 s) does not fit after the probes */
    s.cap_s = 1.5;
    cb_sbatch_step_estimate(&s, &net8, &e);
    assert_near(e.run_s, want - 1.6, 1e-6);
}

static cb_profile_t *profile(long nodes, double gbps)
{
    char text[512], err[256];
    snprintf(text, sizeof text,
             "[cluster]\nname = t\nnodes = %ld\npartition = p\ngpus_per_node = 0\ngres =\n"
             "time_limit = 00:30:00\n[network]\nkind = ethernet\nline_rate_gbps = %g\n"
             "iface = eth0\n",
             nodes, gbps);
    cb_profile_t *p = NULL;
    assert_int_equal(cb_profile_parse_string(text, "t", &p, err, sizeof err), CB_OK);
    return p;
}

static const cb_sbatch_kind_t *kind(const char *name)
{
    size_t n;
    const cb_sbatch_kind_t *ks = cb_sbatch_kinds(&n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(ks[i].name, name))
            return &ks[i];
    fail_msg("no kind %s", name);
    return NULL;
}

/* A script's estimate is the sum of its steps' (the steps it runs), and the
 * steps are the script's: validate.sh quick on 16 nodes. */
static void test_sbatch_estimate_validate(void **state)
{
    (void)state;
    cb_profile_t *p = profile(16, 2.5);
    const cb_sbatch_kind_t *v = kind("validate");
    cb_sbatch_step_t st[CB_SBATCH_MAX_STEPS];
    size_t n = cb_sbatch_steps(v, p, CB_SBATCH_QUICK, 0, st);
    static const char *const quick[] = {"preflight", "p2p-all-pairs", "allreduce", "gpu",
                                        "ddp", "report", "gate"};
    assert_int_equal(n, 7);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(st[i].name, quick[i]);
    /* the quick matrix is 64M / 16 = 4M, window 4, --min-iters 2, as written */
    assert_int_equal(st[1].max_bytes, 4 * MiB);
    assert_int_equal(st[1].window, 4);
    assert_int_equal(st[1].min_iters, 2);
    assert_true(st[1].cap_s == 60);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(cb_sbatch_render(v, p, &text, &len), CB_OK);
    assert_non_null(strstr(text, "    cb_matrix=(-b 4M -e 4M -W 4 --min-iters 2)\n"));
    assert_non_null(strstr(text, "    cb_cap=60\n"));

    cb_sbatch_net_t net;
    cb_sbatch_net_of(p, &net);
    double sum = 0, sum_seq = 0;
    for (size_t i = 0; i < n; i++) {
        cb_sbatch_step_est_t e;
        cb_sbatch_step_estimate(&st[i], &net, &e);
        sum += e.run_s;
    }
    cb_sbatch_estimate_t e, es;
    cb_sbatch_estimate(v, p, CB_SBATCH_QUICK, 0, &e);
    assert_int_equal(e.steps, 7);
    assert_near(e.run_s, sum, 1e-9);
    /* sequential: the 240 directions, 8x the 30 rounds, and over the cap */
    n = cb_sbatch_steps(v, p, CB_SBATCH_QUICK, 1, st);
    for (size_t i = 0; i < n; i++) {
        cb_sbatch_step_est_t se;
        cb_sbatch_step_estimate(&st[i], &net, &se);
        sum_seq += se.need_s;
    }
    cb_sbatch_estimate(v, p, CB_SBATCH_QUICK, 1, &es);
    assert_near(es.need_s, sum_seq, 1e-9);
    assert_true(es.need_s > e.need_s);
    assert_int_equal(es.cut, 1);
    assert_string_equal(es.first_cut, "p2p-all-pairs");

    /* the header carries the estimate of each level, as the text says */
    char line[256], want[300];
    snprintf(want, sizeof want, "#   quick    %s\n", cb_sbatch_estimate_text(&e, line, sizeof line));
    assert_non_null(strstr(text, want));
    free(text);

    /* standard adds the 2-node sweep (Ethernet: latency without the
     * bandwidth-only settings, then bandwidth), the 1-node all-reduce and torch */
    n = cb_sbatch_steps(v, p, CB_SBATCH_STANDARD, 0, st);
    assert_int_equal(n, 11);
    assert_string_equal(st[1].name, "p2p-latency");
    assert_string_equal(st[2].name, "p2p-sweep");
    assert_string_equal(st[4].name, "allreduce-1node");
    assert_int_equal(st[4].nodes, 1);
    assert_string_equal(st[8].name, "ddp-torch");
    cb_profile_free(p);
}

static cb_profile_t *profile_keys(long nodes, const char *keys)
{
    char text[512], err[256];
    snprintf(text, sizeof text,
             "[cluster]\nname = t\nnodes = %ld\npartition = p\ngpus_per_node = 0\ngres =\n"
             "time_limit = 00:30:00\n[network]\nkind = ethernet\nline_rate_gbps = 10\n"
             "iface = eth0\n%s",
             nodes, keys);
    cb_profile_t *p = NULL;
    if (cb_profile_parse_string(text, "t", &p, err, sizeof err) != CB_OK)
        fail_msg("%s", err);
    return p;
}

/* all_pairs / round_reference reach the all-pairs steps of p2p.sh and
 * validate.sh (the steps the estimate and the emitter share). 4 nodes: 6
 * rounds of 2 pairs, or 12 directions; each unit is one measurement of the
 * same size, so past start-up sequential takes 12/6 = 2x the rounds and the
 * reference adds 12 directions alone: 18/6 = 3x. */
static void test_sbatch_estimate_profile_keys(void **state)
{
    (void)state;
    cb_profile_t *pr = profile_keys(4, "");
    cb_profile_t *ps = profile_keys(4, "all_pairs = sequential\n");
    cb_profile_t *pf = profile_keys(4, "round_reference = yes\n");
    const char *names[] = {"p2p", "validate"};
    for (int k = 0; k < 2; k++) {
        const cb_sbatch_kind_t *kd = kind(names[k]);
        cb_sbatch_step_t a[CB_SBATCH_MAX_STEPS], b[CB_SBATCH_MAX_STEPS], c[CB_SBATCH_MAX_STEPS];
        size_t na = cb_sbatch_steps(kd, pr, CB_SBATCH_QUICK, 0, a);
        size_t nb = cb_sbatch_steps(kd, ps, CB_SBATCH_QUICK, 0, b);
        size_t nc = cb_sbatch_steps(kd, pf, CB_SBATCH_QUICK, 0, c);
        assert_int_equal(na, nb);
        assert_int_equal(na, nc);
        size_t ap = na;
        for (size_t i = 0; i < na; i++)
            if (a[i].work == CB_SBATCH_WORK_ALL_PAIRS)
                ap = i;
        assert_true(ap < na);
        assert_int_equal(a[ap].sequential, 0);
        assert_int_equal(a[ap].reference, 0);
        assert_int_equal(b[ap].sequential, 1);
        assert_int_equal(b[ap].reference, 0);
        assert_int_equal(c[ap].sequential, 0);
        assert_int_equal(c[ap].reference, 1);
        cb_sbatch_net_t net;
        cb_sbatch_net_of(pr, &net);
        cb_sbatch_step_est_t ea, eb, ec;
        a[ap].cap_s = b[ap].cap_s = c[ap].cap_s = 0; /* uncut, to compare */
        cb_sbatch_step_estimate(&a[ap], &net, &ea);
        cb_sbatch_step_estimate(&b[ap], &net, &eb);
        cb_sbatch_step_estimate(&c[ap], &net, &ec);
        double start = CB_SBATCH_EST_START_S + 4 * CB_SBATCH_EST_START_PER_NODE_S;
        double unit = (ea.need_s - start) / 6;
        assert_true(unit > 0);
        assert_near(eb.need_s, 12 * unit + start, 1e-9);
        assert_near(ec.need_s, 18 * unit + start, 1e-9);
        /* the script's estimate is its steps': it moves by the same amount
         * (as the step would run under its cap) */
        cb_sbatch_estimate_t ta, tc;
        cb_sbatch_estimate(kd, pr, CB_SBATCH_QUICK, 0, &ta);
        cb_sbatch_estimate(kd, pf, CB_SBATCH_QUICK, 0, &tc);
        assert_near(tc.need_s - ta.need_s, 12 * unit, 1e-9);
        /* --estimate --sequential overrides the profile, and cb-p2p refuses
         * --sequential with --reference: the reference is dropped */
        cb_sbatch_steps(kd, pf, CB_SBATCH_QUICK, 1, c);
        assert_int_equal(c[ap].sequential, 1);
        assert_int_equal(c[ap].reference, 0);
    }
    /* the scripts pass the flags */
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(cb_sbatch_render(kind("validate"), pf, &text, &len), CB_OK);
    assert_non_null(strstr(text, "\"$cb_bin/cb-p2p\" --all-pairs --reference --mode bw"));
    free(text);
    assert_int_equal(cb_sbatch_render(kind("p2p"), ps, &text, &len), CB_OK);
    assert_non_null(strstr(text, "\"$cb_bin/cb-p2p\" --all-pairs --sequential --mode bw"));
    free(text);
    assert_int_equal(cb_sbatch_render(kind("p2p"), pr, &text, &len), CB_OK);
    assert_non_null(strstr(text, "\"$cb_bin/cb-p2p\" --all-pairs --mode bw"));
    free(text);
    cb_profile_free(pr);
    cb_profile_free(ps);
    cb_profile_free(pf);
}

/* A profile parsed from text: 3 nodes at 2.5 Gbit/s, network kind `net`,
 * the rest of the file (an [env]) in `extra`. */
static cb_profile_t *profile_net(const char *net, const char *extra)
{
    char text[512], err[256];
    snprintf(text, sizeof text,
             "[cluster]\nname = t\nnodes = 3\npartition = p\ngpus_per_node = 0\ngres =\n"
             "time_limit = 00:30:00\n[network]\nkind = %s\nline_rate_gbps = 2.5\n"
             "iface = eth0\n%s",
             net, extra);
    cb_profile_t *p = NULL;
    if (cb_profile_parse_string(text, "t", &p, err, sizeof err) != CB_OK)
        fail_msg("%s", err);
    return p;
}

/* The p2p.sh step that measures latency, and the line that runs it. */
static void assert_latency_env(const cb_profile_t *p, const char *p2p_env, const char *val_env)
{
    char *text = NULL, want[400];
    size_t len = 0;
    assert_int_equal(cb_sbatch_render(kind("p2p"), p, &text, &len), CB_OK);
    snprintf(want, sizeof want, "cb_run %s \\\n  srun ", p2p_env);
    if (!strstr(text, want))
        fail_msg("p2p.sh lacks: %s", want);
    assert_non_null(strstr(text, " --mode latency --cluster"));
    /* the bandwidth step runs with the scripts' settings */
    assert_non_null(strstr(text, "\ncb_run srun --mpi=pmix --kill-on-bad-exit=1 --nodes=2 --ntasks=2 "
                                 "--ntasks-per-node=1 \\\n  \"$cb_bin/cb-p2p\" -b 1K -e 64M -f 4 "
                                 "--mode bw,bibw --cluster"));
    free(text);
    assert_int_equal(cb_sbatch_render(kind("validate"), p, &text, &len), CB_OK);
    snprintf(want, sizeof want, "  cb_step p2p-latency \"$cb_out/p2p.csv\" %s \\\n", val_env);
    if (!strstr(text, want))
        fail_msg("validate.sh lacks: %s", want);
    free(text);
}

/* On Ethernet the scripts export settings that only help bandwidth
 * (OMPI_MCA_btl_tcp_links=4, OMPI_MCA_mpi_yield_when_idle=1): p2p.sh and
 * validate.sh (not quick) always run latency as an srun of its own with both
 * back at Open MPI's defaults (env -u), an overlay's latency winners on top.
 * The step plan has that step too, so the estimate is one start-up longer
 * than a profile without them (InfiniBand; nothing cut: the same sizes, each
 * part under its own cap). A profile whose [env] takes them back to
 * latency-neutral values does not split. */
static void test_sbatch_estimate_tuned_split(void **state)
{
    (void)state;
    cb_profile_t *ib = profile_net("infiniband", "");
    cb_profile_t *p = profile_net("ethernet", "");
    const cb_sbatch_kind_t *k = kind("p2p"), *v = kind("validate");
    cb_sbatch_step_t st[CB_SBATCH_MAX_STEPS];
    cb_sbatch_estimate_t plain, split;
    /* the same network, its [env] putting both at latency-neutral values */
    cb_profile_t *neutral = profile_net("ethernet", "[env]\nOMPI_MCA_btl_tcp_links = 1\n"
                                                    "OMPI_MCA_mpi_yield_when_idle = 0\n");
    cb_sbatch_estimate(k, neutral, CB_SBATCH_STANDARD, 0, &plain);
    assert_int_equal(plain.cut, 0);
    assert_int_equal(plain.steps, 2);
    assert_int_equal(cb_sbatch_steps(k, ib, CB_SBATCH_STANDARD, 0, st), 2);
    size_t nplain_v = cb_sbatch_steps(v, ib, CB_SBATCH_STANDARD, 0, st);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(cb_sbatch_render(k, ib, &text, &len), CB_OK);
    assert_null(strstr(text, "env -u"));
    assert_null(strstr(text, "--mode latency"));
    free(text);

    /* Ethernet, no overlay: split, both bandwidth-only settings unset */
    for (int pass = 0; pass < 2; pass++) {
        size_t n = cb_sbatch_steps(k, p, CB_SBATCH_STANDARD, 0, st);
        assert_int_equal(n, 3);
        assert_string_equal(st[0].name, "p2p-latency");
        assert_int_equal(st[0].modes, CB_SBATCH_MODE_LATENCY);
        assert_string_equal(st[1].name, "p2p");
        assert_int_equal(st[1].modes, CB_SBATCH_MODE_BW | CB_SBATCH_MODE_BIBW);
        assert_true(st[0].cap_s == st[1].cap_s);
        assert_string_equal(st[2].name, "p2p-all-pairs");
        cb_sbatch_estimate(k, p, CB_SBATCH_STANDARD, 0, &split);
        assert_int_equal(split.steps, 3);
        assert_int_equal(split.cut, 0);
        assert_near(split.run_s - plain.run_s,
                    CB_SBATCH_EST_START_S + 2 * CB_SBATCH_EST_START_PER_NODE_S, 1e-9);
        assert_latency_env(p,
                           "env -u OMPI_MCA_btl_tcp_links -u OMPI_MCA_mpi_yield_when_idle",
                           "env -u OMPI_MCA_btl_tcp_links -u OMPI_MCA_mpi_yield_when_idle");
        /* the script runs what the plan says, and its header says the estimate */
        char line[256], want[300];
        assert_int_equal(cb_sbatch_render(k, p, &text, &len), CB_OK);
        snprintf(want, sizeof want, "# Estimated duration: %s.\n",
                 cb_sbatch_estimate_text(&split, line, sizeof line));
        assert_non_null(strstr(text, want));
        assert_non_null(strstr(text, "only\n# help bandwidth"));
        free(text);
        /* validate.sh: standard splits its sweep the same way; quick has none */
        n = cb_sbatch_steps(v, p, CB_SBATCH_STANDARD, 0, st);
        assert_int_equal(n, nplain_v + 1);
        assert_string_equal(st[1].name, "p2p-latency");
        assert_int_equal(st[1].modes, CB_SBATCH_MODE_LATENCY);
        assert_string_equal(st[2].name, "p2p-sweep");
        assert_int_equal(st[2].modes, CB_SBATCH_MODE_BW | CB_SBATCH_MODE_BIBW);
        n = cb_sbatch_steps(v, p, CB_SBATCH_QUICK, 0, st);
        for (size_t i = 0; i < n; i++)
            assert_null(strstr(st[i].name, "p2p-latency"));
        if (pass)
            break;
        /* an overlay that sets nothing changes nothing */
        char err[256];
        cb_tune_overlay_t *ov = calloc(1, sizeof *ov);
        assert_non_null(ov);
        assert_int_equal(cb_tune_overlay_parse("[tune]\nprofile = t\ndate = 2026-12-07\n"
                                               "[collective]\n[p2p]\n",
                                               "t.tuned.ini", ov, err, sizeof err),
                         CB_OK);
        p->tuned = ov;
    }
    /* the overlay's latency winner on top; its collective-only winner of a
     * bandwidth-only key stays unset, of another key goes back to the base */
    cb_tune_overlay_t *ov = p->tuned;
    assert_int_equal(cb_tune_overlay_set(ov, CB_TUNE_P2P, "OMPI_MCA_mpi_yield_when_idle", "0", 41),
                     CB_OK);
    assert_int_equal(cb_tune_overlay_set(ov, CB_TUNE_COLL, "OMPI_MCA_btl_tcp_links", "2", 5),
                     CB_OK);
    assert_int_equal(cb_tune_overlay_set(ov, CB_TUNE_COLL, "OMPI_MCA_btl_tcp_sndbuf", "131072", 3),
                     CB_OK);
    assert_int_equal(cb_sbatch_steps(k, p, CB_SBATCH_STANDARD, 0, st), 3);
    assert_latency_env(p,
                       "env -u OMPI_MCA_btl_tcp_links -u OMPI_MCA_btl_tcp_sndbuf "
                       "OMPI_MCA_mpi_yield_when_idle='0'",
                       "env -u OMPI_MCA_btl_tcp_links -u OMPI_MCA_btl_tcp_sndbuf "
                       "OMPI_MCA_mpi_yield_when_idle='0'");
    /* InfiniBand with that overlay: only the overlay's settings */
    ib->tuned = ov;
    p->tuned = NULL;
    assert_int_equal(cb_sbatch_steps(k, ib, CB_SBATCH_STANDARD, 0, st), 3);
    assert_latency_env(ib,
                       "env -u OMPI_MCA_btl_tcp_links -u OMPI_MCA_btl_tcp_sndbuf "
                       "OMPI_MCA_mpi_yield_when_idle='0'",
                       "env -u OMPI_MCA_btl_tcp_links -u OMPI_MCA_btl_tcp_sndbuf "
                       "OMPI_MCA_mpi_yield_when_idle='0'");
    cb_profile_free(p);
    cb_profile_free(ib);

    /* [env] puts them at latency-neutral values: nothing to put back; one of
     * them still bandwidth-only: only that one */
    p = neutral;
    assert_int_equal(cb_sbatch_steps(k, p, CB_SBATCH_STANDARD, 0, st), 2);
    assert_int_equal(cb_sbatch_render(k, p, &text, &len), CB_OK);
    assert_null(strstr(text, "--mode latency"));
    free(text);
    cb_profile_free(p);
    p = profile_net("ethernet", "[env]\nOMPI_MCA_btl_tcp_links = 1\n");
    assert_int_equal(cb_sbatch_steps(k, p, CB_SBATCH_STANDARD, 0, st), 3);
    assert_latency_env(p, "env -u OMPI_MCA_mpi_yield_when_idle",
                       "env -u OMPI_MCA_mpi_yield_when_idle");
    cb_profile_free(p);
}

/* allreduce.sh's steps are its curve, and its header says their sum. */
static void test_sbatch_estimate_allreduce_script(void **state)
{
    (void)state;
    cb_profile_t *p = profile(17, 100);
    const cb_sbatch_kind_t *a = kind("allreduce");
    cb_sbatch_step_t st[CB_SBATCH_MAX_STEPS];
    size_t n = cb_sbatch_steps(a, p, CB_SBATCH_STANDARD, 0, st);
    assert_int_equal(n, 6); /* 1 2 4 8 16 17 */
    assert_int_equal(st[5].nodes, 17);
    assert_true(st[0].cap_s == 150); /* 1800 / (2 x 6) */
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(cb_sbatch_render(a, p, &text, &len), CB_OK);
    assert_non_null(strstr(text, "--nodes=16 --ntasks=16 --ntasks-per-node=1 \\\n"));
    assert_non_null(strstr(text, "# Step 6 of 6: every node, 17 x 1 rank per node = 17 ranks.\n"));
    cb_sbatch_estimate_t e;
    cb_sbatch_estimate(a, p, CB_SBATCH_STANDARD, 0, &e);
    char line[256], want[300];
    snprintf(want, sizeof want, "# Estimated duration: %s.\n",
             cb_sbatch_estimate_text(&e, line, sizeof line));
    assert_non_null(strstr(text, want));
    free(text);
    cb_profile_free(p);
}

static void test_sbatch_estimate_text(void **state)
{
    (void)state;
    char b[256];
    assert_string_equal(cb_sbatch_duration(44.6, b, sizeof b), "45 s");
    assert_string_equal(cb_sbatch_duration(150, b, sizeof b), "2.5 min");
    assert_string_equal(cb_sbatch_duration(7200, b, sizeof b), "2.0 h");
    cb_sbatch_estimate_t e = {.run_s = 90, .need_s = 90, .steps = 3};
    assert_string_equal(cb_sbatch_estimate_text(&e, b, sizeof b), "about 90 s");
    e.need_s = 600;
    e.cut = 1;
    snprintf(e.first_cut, sizeof e.first_cut, "p2p-all-pairs");
    assert_string_equal(cb_sbatch_estimate_text(&e, b, sizeof b),
                        "about 90 s, p2p-all-pairs cut short by its --total-time (all of it: "
                        "10.0 min)");
    e.cut = 3;
    assert_string_equal(cb_sbatch_estimate_text(&e, b, sizeof b),
                        "about 90 s, p2p-all-pairs and 2 more cut short by their --total-time "
                        "(all of it: 10.0 min)");
    cb_sbatch_level_t l;
    assert_int_equal(cb_sbatch_level_parse("standard", &l), CB_OK);
    assert_int_equal(l, CB_SBATCH_STANDARD);
    assert_int_equal(cb_sbatch_level_parse("fast", &l), CB_ERR_USAGE);
    assert_string_equal(cb_sbatch_level_name(CB_SBATCH_LONG), "long");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sbatch_estimate_pair_rounds),
        cmocka_unit_test(test_sbatch_estimate_profile_keys),
        cmocka_unit_test(test_sbatch_estimate_curve_nodes),
        cmocka_unit_test(test_sbatch_estimate_op),
        cmocka_unit_test(test_sbatch_estimate_size),
        cmocka_unit_test(test_sbatch_estimate_all_pairs),
        cmocka_unit_test(test_sbatch_estimate_allreduce_sweep),
        cmocka_unit_test(test_sbatch_estimate_ddp),
        cmocka_unit_test(test_sbatch_estimate_validate),
        cmocka_unit_test(test_sbatch_estimate_tuned_split),
        cmocka_unit_test(test_sbatch_estimate_allreduce_script),
        cmocka_unit_test(test_sbatch_estimate_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
