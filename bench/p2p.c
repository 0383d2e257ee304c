/* cb-p2p: point-to-point benchmark tables (ping-pong latency, windowed
 * unidirectional and bidirectional bandwidth, like OSU's osu_latency, osu_bw
 * and osu_bibw), the sweep of one pair over sizes, and all pairs of nodes
 * (--all-pairs) walked on the schedule of cb_sched.h: in rounds of disjoint
 * pairs measured at once (or --sequential), with an all-pairs matrix
 * (mpiGraph-style) so one bad link stands out, and the round check
 * (--reference): a round's aggregate against its pairs' rates alone. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_bench.h"
#include "cb_error.h"
#include "cb_sched.h"
#include "cb_size.h"
#include "cb_timer.h"

static int me(const cb_run_t *r) { return r->comm->rank; }
static int self_pair(const cb_run_t *r) { return r->rank_a == r->rank_b; }
static int peer_of(const cb_run_t *r) { return me(r) == r->rank_a ? r->rank_b : r->rank_a; }

static int p2p_setup(cb_run_t *r)
{
    r->active = me(r) == r->rank_a || me(r) == r->rank_b;
    if (!r->active)
        return CB_OK;
    int rc = r->tp->alloc(r->tps, r->bytes, &r->sendbuf);
    if (!rc)
        rc = r->tp->alloc(r->tps, r->bytes, &r->recvbuf);
    if (!rc)
        rc = r->tp->alloc(r->tps, 2, &r->ackbuf);
    if (!rc && !(r->ops = calloc((size_t)(2 * r->window + 2), sizeof *r->ops)))
        rc = CB_ERR_NOMEM;
    return rc;
}

static void p2p_teardown(cb_run_t *r)
{
    if (r->sendbuf)
        r->tp->free(r->tps, r->sendbuf);
    if (r->recvbuf)
        r->tp->free(r->tps, r->recvbuf);
    if (r->ackbuf)
        r->tp->free(r->tps, r->ackbuf);
    free(r->ops);
    r->sendbuf = r->recvbuf = r->ackbuf = NULL;
    r->ops = NULL;
}

static int p2p_init(cb_run_t *r, int phase)
{
    int rc = r->tp->fill(r->tps, r->sendbuf, r->bytes, CB_DT_UINT8, me(r), phase);
    if (!rc)
        rc = r->tp->zero(r->tps, r->recvbuf, r->bytes);
    return rc;
}

static cb_p2p_op_t op(int is_send, void *buf, size_t bytes, int peer)
{
    cb_p2p_op_t o = {is_send, buf, bytes, peer};
    return o;
}

/* Ping-pong: a sends, b answers; one iteration is one round trip. */
static int pingpong_run(cb_run_t *r)
{
    int peer = peer_of(r);
    cb_p2p_op_t *ops = r->ops;
    if (self_pair(r)) {
        ops[0] = op(0, r->recvbuf, r->bytes, peer);
        ops[1] = op(1, r->sendbuf, r->bytes, peer);
        int rc = r->tp->p2p_batch(r->tps, ops, 2);
        return rc ? rc : r->tp->p2p_batch(r->tps, ops, 2);
    }
    cb_p2p_op_t snd = op(1, r->sendbuf, r->bytes, peer), rcv = op(0, r->recvbuf, r->bytes, peer);
    int first_send = me(r) == r->rank_a;
    int rc = r->tp->p2p_batch(r->tps, first_send ? &snd : &rcv, 1);
    return rc ? rc : r->tp->p2p_batch(r->tps, first_send ? &rcv : &snd, 1);
}

/* n ping-pongs: the transport's own loop where it has one (MPI: blocking
 * calls back to back, as a bare loop), else n times pingpong_run. */
static int pingpong_run_n(cb_run_t *r, int n)
{
    if (r->tp->pingpong && !self_pair(r))
        return r->tp->pingpong(r->tps, r->sendbuf, r->recvbuf, r->bytes, peer_of(r),
                               me(r) == r->rank_a, n);
    int rc = CB_OK;
    for (int i = 0; i < n && !rc; i++)
        rc = pingpong_run(r);
    return rc;
}

/* Windowed bandwidth a -> b: a posts `window` sends, b `window` receives,
 * then b acknowledges with a small message (as osu_bw does). */
static int bw_run(cb_run_t *r)
{
    int peer = peer_of(r), n = 0;
    int sender = me(r) == r->rank_a, receiver = me(r) == r->rank_b;
    for (int i = 0; i < r->window; i++) {
        if (sender)
            r->ops[n++] = op(1, r->sendbuf, r->bytes, peer);
        if (receiver)
            r->ops[n++] = op(0, r->recvbuf, r->bytes, peer);
    }
    int rc = r->tp->p2p_batch(r->tps, r->ops, n);
    if (rc || self_pair(r))
        return rc;
    cb_p2p_op_t ack = op(receiver, r->ackbuf, 1, peer);
    return r->tp->p2p_batch(r->tps, &ack, 1);
}

/* Bidirectional: both post `window` receives and `window` sends at once. */
static int bibw_run(cb_run_t *r)
{
    int peer = peer_of(r), n = 0;
    for (int i = 0; i < r->window; i++)
        r->ops[n++] = op(0, r->recvbuf, r->bytes, peer);
    for (int i = 0; i < r->window; i++)
        r->ops[n++] = op(1, r->sendbuf, r->bytes, peer);
    return r->tp->p2p_batch(r->tps, r->ops, n);
}

/* Ping-pong and bibw: both sides receive, and check their peer's pattern. */
static int p2p_check(cb_run_t *r, int phase, uint64_t *wrong)
{
    *wrong = 0;
    return r->tp->check(r->tps, r->recvbuf, r->bytes, CB_DT_UINT8, peer_of(r), 0, phase, wrong);
}

/* In bw only b receives payload; a's receive buffer holds nothing to check. */
static int bw_check(cb_run_t *r, int phase, uint64_t *wrong)
{
    *wrong = 0;
    if (me(r) != r->rank_b)
        return CB_OK;
    return r->tp->check(r->tps, r->recvbuf, r->bytes, CB_DT_UINT8, peer_of(r), 0, phase, wrong);
}

static double two(const cb_run_t *r) { (void)r; return 2.0; }
static double one(const cb_run_t *r) { (void)r; return 1.0; }
static double window(const cb_run_t *r) { return (double)r->window; }
/* A self pair moves each byte once; a real pair moves it both ways. */
static double bidir(const cb_run_t *r) { return self_pair(r) ? 1.0 : 2.0; }

const cb_bench_t cb_bench_pingpong = {
    .name = "p2p", .op = "pingpong", .coll = CB_COLL_SENDRECV,
    .setup = p2p_setup, .init_data = p2p_init, .run = pingpong_run, .run_n = pingpong_run_n,
    .check = p2p_check,
    .teardown = p2p_teardown, .ops_per_iter = two, .bytes_factor = one,
};
const cb_bench_t cb_bench_bw = {
    .name = "p2p", .op = "bw", .coll = CB_COLL_SENDRECV,
    .setup = p2p_setup, .init_data = p2p_init, .run = bw_run, .check = bw_check,
    .teardown = p2p_teardown, .ops_per_iter = window, .bytes_factor = one,
};
const cb_bench_t cb_bench_bw_alone = {
    .name = "p2p", .op = "bw_alone", .coll = CB_COLL_SENDRECV,
    .setup = p2p_setup, .init_data = p2p_init, .run = bw_run, .check = bw_check,
    .teardown = p2p_teardown, .ops_per_iter = window, .bytes_factor = one,
};
const cb_bench_t cb_bench_bibw = {
    .name = "p2p", .op = "bibw", .coll = CB_COLL_SENDRECV,
    .setup = p2p_setup, .init_data = p2p_init, .run = bibw_run, .check = p2p_check,
    .teardown = p2p_teardown, .ops_per_iter = window, .bytes_factor = bidir,
};

/* ------------------------------------------------------------ the program */

int cb_p2p_window(int window, uint64_t bytes)
{
    uint64_t w = bytes ? CB_P2P_MAX_INFLIGHT_BYTES / bytes : (uint64_t)window;
    if (w < 1)
        w = 1;
    return w < (uint64_t)window ? (int)w : window;
}

static void print_cols(void)
{
    printf("# %12s %-18s %6s %12s %12s %12s %10s %8s\n", "size(B)", "test", "iters", "time_us",
           "median_us", "p95_us", "bw_GB/s", "#wrong");
}

static void print_pair_header(void *ctx, const cb_session_t *s, const cb_bench_point_t *p)
{
    int a = p->r.rank_a, b = p->r.rank_b;
    (void)ctx;
    printf("#\n# %s (rank %d) <-> %s (rank %d)%s\n", s->comm.hosts[a], a, s->comm.hosts[b], b,
           a == b ? "  [self: one rank, local copy path]" : "");
    print_cols();
}

static void print_line(void *ctx, const cb_session_t *s, const cb_bench_point_t *p,
                       const cb_measure_t *m)
{
    const cb_bench_t *b = p->b;
    const cb_run_t *r = &p->r;
    char test[64], wrong[24] = "N/A";
    (void)ctx, (void)s;
    if ((b == &cb_bench_bw || b == &cb_bench_bw_alone) && r->rank_a != r->rank_b)
        snprintf(test, sizeof test, "bw %d->%d", r->rank_a, r->rank_b);
    else
        snprintf(test, sizeof test, "%s", b == &cb_bench_pingpong ? "latency" : b->op);
    if (m->checked)
        snprintf(wrong, sizeof wrong, "%llu", (unsigned long long)m->wrong);
    printf("  %12llu %-18s %6d %12.2f %12.2f %12.2f %10.4f %8s\n", (unsigned long long)r->bytes, test,
           m->iters, m->time_us.mean, m->time_us.median, m->time_us.p95, m->algbw_gbps, wrong);
    fflush(stdout);
}

static void describe(void *ctx, const cb_session_t *s, const cb_bench_point_t *p, char *buf,
                     size_t len)
{
    char a[32];
    (void)ctx;
    snprintf(buf, len, "%s<->%s %s %s", s->comm.hosts[p->r.rank_a], s->comm.hosts[p->r.rank_b],
             p->b->op, cb_size_format(p->r.bytes, a, sizeof a));
}

/* The note of a measured point: `mode` (all-pairs: which schedule) first,
 * then a self pair or a window reduced for large messages. */
static void point_note(const cb_bench_t *b, const cb_run_t *r, const char *mode, char *note,
                       size_t len)
{
    int l = snprintf(note, len, "%s", mode ? mode : "");
    size_t k = l > 0 && (size_t)l < len ? (size_t)l : 0;
    const char *sep = k ? "; " : "";
    if (r->rank_a == r->rank_b)
        snprintf(note + k, len - k, "%sself: one rank", sep);
    else if (b != &cb_bench_pingpong && r->window < r->opts->window)
        snprintf(note + k, len - k, "%swindow %d (at most %d MiB in flight)", sep, r->window,
                 (int)(CB_P2P_MAX_INFLIGHT_BYTES >> 20));
}

static void measured(void *ctx, const cb_session_t *s, const cb_bench_point_t *p,
                     const cb_measure_t *m, char *note, size_t len)
{
    (void)ctx, (void)s, (void)m;
    if (note)
        point_note(p->b, &p->r, NULL, note, len);
}

/* Rank 0 with rank 1 (or with itself): per test (a series: latency, bw,
 * b->a too for --all-pairs on one node, bibw) every size (a group of one). */
static int run_one_pair(cb_session_t *s, const uint64_t *sizes, size_t nsizes)
{
    const cb_bench_opts_t *o = s->opts;
    int a = 0, z = s->comm.size > 1 ? 1 : 0;
    typedef struct test { const cb_bench_t *b; int reverse; } test_t;
    test_t tests[4];
    int ntests = 0;
    if (o->modes & CB_P2P_LATENCY)
        tests[ntests++] = (test_t){&cb_bench_pingpong, 0};
    if (o->modes & CB_P2P_BW) {
        tests[ntests++] = (test_t){&cb_bench_bw, 0};
        if (o->all_pairs)
            tests[ntests++] = (test_t){&cb_bench_bw, 1};
    }
    if (o->modes & CB_P2P_BIBW)
        tests[ntests++] = (test_t){&cb_bench_bibw, 0};
    cb_bench_point_t *pts = calloc((size_t)ntests * nsizes + 1, sizeof *pts);
    if (!pts)
        return 3;
    size_t n = 0;
    for (int ti = 0; ti < ntests; ti++) {
        const cb_bench_t *b = tests[ti].b;
        if (a == z && b == &cb_bench_bibw)
            continue; /* one rank has no second direction */
        int x = tests[ti].reverse ? z : a, y = tests[ti].reverse ? a : z;
        for (size_t k = 0; k < nsizes; k++) {
            cb_bench_point_t *q = &pts[n++];
            q->b = b;
            q->r = (cb_run_t){.dtype = CB_DT_UINT8, .bytes = sizes[k], .count = sizes[k],
                              .rank_a = x, .rank_b = y,
                              .window = cb_p2p_window(o->window, sizes[k])};
            q->series = ti;
            q->group = (int)k;
            if (b == &cb_bench_bw && x != y)
                snprintf(q->label, sizeof q->label, "bw %d->%d", x, y);
            else
                snprintf(q->label, sizeof q->label, "%s", b->op);
        }
    }
    if (n)
        pts[0].header = 1;
    else if (s->comm.rank == 0) /* nothing to measure for this pair */
        print_pair_header(NULL, s, &(cb_bench_point_t){.r = {.rank_a = a, .rank_b = z}});
    cb_bench_sweep_t w = {.o = o, .points = pts, .npoints = n,
                          .print_header = print_pair_header, .print_line = print_line,
                          .describe = describe, .measured = measured};
    cb_bench_sweep(s, &w);
    free(pts);
    return 0;
}

/* ------------------------------------------------------------ all pairs */

int cb_p2p_round_pairs(cb_sched_mode_t mode, int nnodes, const int *leader, size_t round,
                       int *a, int *b)
{
    int n = 0, slots = cb_sched_slots(mode, nnodes);
    for (int k = 0; k < slots; k++) {
        int x, y;
        if (cb_sched_pair(mode, nnodes, round, k, &x, &y) != 1)
            continue;
        a[n] = leader ? leader[x] : x;
        b[n] = leader ? leader[y] : y;
        n++;
    }
    return n;
}

void cb_p2p_round_compare(const double *together, const double *alone, int npairs,
                          double threshold, cb_p2p_round_cmp_t *out)
{
    memset(out, 0, sizeof *out);
    out->npairs = npairs;
    for (int i = 0; alone && i < npairs; i++) {
        if (!(together[i] > 0) || !(alone[i] > 0) || isinf(together[i]) || isinf(alone[i]))
            continue; /* not measured both ways (or failed) */
        out->ncompared++;
        out->together_gbps += together[i];
        out->alone_gbps += alone[i];
    }
    out->shortfall = out->ncompared ? 1 - out->together_gbps / out->alone_gbps : NAN;
    out->is_short = out->ncompared && out->shortfall > threshold;
}

/* A test over all pairs: directed (bw: every ordered pair) or not (latency
 * and bibw: every unordered pair once, the schedule's first half). */
typedef struct ap_test {
    const cb_bench_t *b;
    int directed;
} ap_test_t;

/* One rank's part of a round, gathered on rank 0. */
typedef struct ap_rec {
    int active, a, b, pad;
    cb_measure_t m;
} ap_rec_t;

/* One pass over the schedule and what it keeps. */
typedef struct ap_pass {
    cb_session_t *s;
    const cb_bench_opts_t *o;
    cb_sched_mode_t mode;
    const uint64_t *sizes;
    size_t nsizes;
    const ap_test_t *tests;
    int ntests;
    const char *what;        /* "all-pairs rounds", ... : every row's note starts with it */
    double *matrix;          /* rank 0: bw (GB/s) of each direction, nn x nn, or NULL */
    const double *alone;     /* rank 0: rates alone to compare the rounds with, or NULL */
    uint64_t alone_bytes;    /* ... at this size */
    /* scratch, sized from the node count */
    int *pa, *pb;            /* a round's pairs (ranks): pa[i] sends to pb[i] */
    double *together, *alone_r;
    ap_rec_t *recs;          /* rank 0: one per rank */
    double *op_us;           /* ntests x nsizes: the last round's slowest pair, us per op */
    /* results (rank 0) */
    size_t directions, ncompared, nshort;
    char shorts[320];        /* the short rounds, for the summary */
    double wall_s;
} ap_pass_t;

static size_t test_rounds(const ap_pass_t *p, int ti)
{
    size_t r = cb_sched_rounds(p->mode, p->s->comm.nnodes);
    return p->tests[ti].directed ? r : r / 2;
}

/* Round k of test ti in the schedule: an undirected test takes each
 * unordered pair once (rounds: the first half; sequential: every other). */
static size_t sched_round(const ap_pass_t *p, int ti, size_t k)
{
    if (p->tests[ti].directed)
        return k;
    return p->mode == CB_SCHED_SEQUENTIAL ? 2 * k : k;
}

/* This rank's run in a round of np pairs: its pair, or (sitting out) the
 * first pair, which it is not part of. */
static void my_run(const ap_pass_t *p, int np, uint64_t bytes, cb_run_t *r)
{
    cb_session_t *s = p->s;
    int me = s->comm.rank, a = p->pa[0], b = p->pb[0];
    for (int i = 0; i < np; i++)
        if (p->pa[i] == me || p->pb[i] == me) {
            a = p->pa[i];
            b = p->pb[i];
            break;
        }
    *r = (cb_run_t){.opts = p->o, .comm = &s->comm, .tp = s->tp, .tps = s->tps,
                    .dtype = CB_DT_UINT8, .bytes = bytes, .count = bytes, .rank_a = a,
                    .rank_b = b, .window = cb_p2p_window(p->o->window, bytes),
                    .pair_local = p->mode == CB_SCHED_ROUNDS};
    if (me == 0 && r->pair_local) { /* every pair of the round is in flight */
        r->round_a = p->pa;
        r->round_b = p->pb;
        r->round_n = np;
    }
}

static void round_header(const ap_pass_t *p, const ap_test_t *t, size_t k, size_t nr, int np)
{
    const cb_session_t *s = p->s;
    int a = p->pa[0], b = p->pb[0];
    if (p->mode == CB_SCHED_SEQUENTIAL)
        printf("#\n# %s (rank %d) %s %s (rank %d)  [%s]\n", s->comm.hosts[a], a,
               t->directed ? "->" : "<->", s->comm.hosts[b], b, p->what);
    else
        printf("#\n# round %zu of %zu (%s): %d pair%s at once\n", k + 1, nr,
               t->b == &cb_bench_pingpong ? "latency" : t->b->op, np, np == 1 ? "" : "s");
    print_cols();
}

/* The mode, in every row's note. */
static void mode_note(const ap_pass_t *p, size_t k, size_t nr, int np, char *buf, size_t len)
{
    if (p->mode == CB_SCHED_SEQUENTIAL)
        snprintf(buf, len, "%s", p->what);
    else
        snprintf(buf, len, "%s: round %zu of %zu, %d pair%s at once", p->what, k + 1, nr, np,
                 np == 1 ? "" : "s");
}

/* Rank 0: the rows, table lines and matrix entries of a measured round.
 * Returns nonzero when a row could not be written. */
static int round_rows(ap_pass_t *p, const cb_bench_t *b, const cb_run_t *mine, int rc, int np,
                      const char *mode)
{
    cb_session_t *s = p->s;
    int nn = s->comm.nnodes, werr = 0;
    for (int i = 0; i < np; i++) {
        const cb_measure_t *m = &p->recs[p->pa[i]].m;
        cb_run_t r = *mine;
        r.rank_a = p->pa[i];
        r.rank_b = p->pb[i];
        char note[224];
        const char *status = "ok";
        if (rc) {
            status = "failed";
            snprintf(note, sizeof note, "%s; %s", mode, cb_strerror(rc));
        } else if (m->wrong) {
            status = "failed";
            snprintf(note, sizeof note, "%s; %llu wrong bytes", mode,
                     (unsigned long long)m->wrong);
        } else {
            point_note(b, &r, mode, note, sizeof note);
        }
        if (rc || m->wrong)
            s->failures++;
        if (!rc) {
            cb_bench_point_t pt = {.b = b, .r = r};
            print_line(NULL, s, &pt, m);
        }
        if (cb_bench_write_row(s, b, &r, rc ? NULL : m, status, note))
            werr = 1, s->failures++;
        int na = s->comm.node_of[r.rank_a], nb = s->comm.node_of[r.rank_b];
        int ok = !rc && !m->wrong && m->algbw_gbps > 0;
        p->together[i] = ok ? m->algbw_gbps : NAN;
        p->alone_r[i] = p->alone ? p->alone[(size_t)na * nn + nb] : NAN;
        if (b == &cb_bench_bw || b == &cb_bench_bw_alone) {
            p->directions += !rc && r.bytes == p->sizes[p->nsizes - 1];
            if (ok && p->matrix)
                p->matrix[(size_t)na * nn + nb] = m->algbw_gbps;
        }
    }
    return werr;
}

/* Rank 0: a round's aggregate against its pairs alone: screen and row. */
static int round_check(ap_pass_t *p, const cb_run_t *r, size_t k, size_t nr, int np)
{
    cb_session_t *s = p->s;
    cb_p2p_round_cmp_t c;
    cb_p2p_round_compare(p->together, p->alone_r, np, p->o->round_shortfall, &c);
    if (!c.ncompared)
        return 0;
    p->ncompared++;
    double pct = 100 * c.shortfall, lim = 100 * p->o->round_shortfall;
    char note[224];
    int l = snprintf(note, sizeof note, "round %zu of %zu: %d pairs at once (%d compared), "
                     "%.1f%% %s the sum of their rates alone (limit %g%%)", k + 1, nr, np,
                     c.ncompared, fabs(pct), pct >= 0 ? "below" : "above", lim);
    if (c.is_short && l > 0 && (size_t)l < sizeof note)
        snprintf(note + l, sizeof note - (size_t)l, ": short: not carried at once");
    printf("# round check: %.4f GB/s at once vs %.4f GB/s alone: %s%s\n", c.together_gbps,
           c.alone_gbps, note, c.is_short ? "  !" : "");
    if (c.is_short) {
        size_t u = strlen(p->shorts);
        if (u + 40 < sizeof p->shorts)
            snprintf(p->shorts + u, sizeof p->shorts - u, "%sround %zu (%.1f%%)", u ? ", " : "",
                     k + 1, pct);
        else if (!strstr(p->shorts, "..."))
            snprintf(p->shorts + u, sizeof p->shorts - u, ", ...");
        p->nshort++;
    }
    cb_row_t row;
    cb_row_init(&row, &s->ctx);
    cb_row_set_str(&row, CB_COL_BENCHMARK, "p2p");
    cb_row_set_str(&row, CB_COL_TRANSPORT, s->tp->name);
    cb_row_set_str(&row, CB_COL_MEMORY, s->tp->memory);
    cb_row_set_str(&row, CB_COL_DTYPE, cb_dtype_name(r->dtype));
    cb_row_set_str(&row, CB_COL_OP, "round");
    cb_row_set_int(&row, CB_COL_BYTES, (long long)r->bytes);
    cb_row_set_str(&row, CB_COL_METRIC, "round_aggregate_gbps");
    cb_row_set_num(&row, CB_COL_VALUE, c.together_gbps);
    cb_row_set_str(&row, CB_COL_UNIT, "GB/s");
    cb_row_set_num(&row, CB_COL_SPEC_VALUE, c.alone_gbps);
    cb_row_set_num(&row, CB_COL_EFFICIENCY, c.together_gbps / c.alone_gbps);
    cb_row_set_str(&row, CB_COL_STATUS, "ok");
    cb_row_set_str(&row, CB_COL_NOTE, note);
    int rc = cb_results_write(s->res, &row);
    cb_row_clear(&row);
    if (rc)
        s->failures++;
    return rc;
}

/* The budget skips the rest of a round's sizes, from z on. */
static void skip_round(ap_pass_t *p, const cb_bench_t *b, const cb_run_t *mine, int np, size_t z,
                       const char *mode)
{
    cb_session_t *s = p->s;
    char a[32], c[32], what[256], note[224];
    cb_size_format(p->sizes[z], a, sizeof a);
    cb_size_format(p->sizes[p->nsizes - 1], c, sizeof c);
    snprintf(what, sizeof what, "%s%s%s %s, %s", a, z + 1 < p->nsizes ? ".." : "",
             z + 1 < p->nsizes ? c : "", b == &cb_bench_pingpong ? "latency" : b->op, mode);
    cb_prog_skip_note(s, what);
    snprintf(note, sizeof note, "%s; total time budget (--total-time) reached", mode);
    for (int i = 0; i < np && s->comm.rank == 0; i++)
        for (size_t y = z; y < p->nsizes; y++) {
            cb_run_t r = *mine;
            r.rank_a = p->pa[i];
            r.rank_b = p->pb[i];
            r.bytes = r.count = p->sizes[y];
            r.window = cb_p2p_window(p->o->window, p->sizes[y]);
            cb_bench_write_row(s, b, &r, NULL, "skipped", note);
        }
}

/* Walk the schedule: per test, round and size, the round's pairs measure
 * at once (collective). The budget decides before each (round, size) from
 * the last round's slowest pair at that size. */
static int ap_run(ap_pass_t *p)
{
    cb_session_t *s = p->s;
    const cb_bench_opts_t *o = p->o;
    const int rank0 = s->comm.rank == 0, nn = s->comm.nnodes;
    double t_pass = cb_timer_now_us();
    size_t done = 0, total = 0;
    int stop = 0, rc = CB_OK;
    for (int ti = 0; ti < p->ntests; ti++)
        total += test_rounds(p, ti) * p->nsizes;
    for (int ti = 0; ti < p->ntests && !stop; ti++) {
        const ap_test_t *t = &p->tests[ti];
        size_t nr = test_rounds(p, ti);
        for (size_t k = 0; k < nr && !stop; k++) {
            int np = cb_p2p_round_pairs(p->mode, nn, s->comm.node_leader, sched_round(p, ti, k),
                                        p->pa, p->pb);
            char mode[160];
            mode_note(p, k, nr, np, mode, sizeof mode);
            double prev_op = 0;
            uint64_t prev_bytes = 0;
            for (size_t z = 0; z < p->nsizes && !stop && np > 0; z++) {
                uint64_t bytes = p->sizes[z];
                cb_run_t r;
                my_run(p, np, bytes, &r);
                double *last = &p->op_us[(size_t)ti * p->nsizes + z];
                double op = *last > 0 ? *last
                            : prev_op > 0 ? prev_op * (double)bytes / (double)prev_bytes : 0;
                r.expect_us = op * t->b->ops_per_iter(&r);
                double fc = r.expect_us * (1 + o->min_iters + (o->common.check ? 1 : 0));
                if (cb_prog_over_budget(s, fc)) {
                    skip_round(p, t->b, &r, np, z, mode);
                    done += p->nsizes - z;
                    break;
                }
                if (rank0 && z == 0)
                    round_header(p, t, k, nr, np);
                double t0 = cb_timer_now_us();
                cb_measure_t m;
                int mrc = cb_prog_agree(s, cb_bench_measure(s, t->b, &r, &m));
                ap_rec_t mine = {.active = r.active, .a = r.rank_a, .b = r.rank_b, .m = m};
                double slow = r.active && !mrc ? m.time_us.mean : 0;
                int grc = cb_comm_gather(&s->comm, &mine, sizeof mine, p->recs, 0);
                if (!grc)
                    grc = cb_comm_allreduce_max_double(&s->comm, &slow, 1);
                grc = cb_prog_agree(s, grc);
                if (mrc || grc) {
                    rc = mrc ? mrc : grc;
                    stop = 1;
                }
                if (!mrc && slow > 0) {
                    *last = prev_op = slow;
                    prev_bytes = bytes;
                }
                done++;
                if (rank0 && !grc) {
                    if (round_rows(p, t->b, &r, mrc, np, mode))
                        stop = 1;
                    if (t->b == &cb_bench_bw && p->alone && bytes == p->alone_bytes && !mrc &&
                        round_check(p, &r, k, nr, np))
                        stop = 1;
                    char a[32], text[320];
                    snprintf(text, sizeof text, "%s %s %s: %d pair%s, slowest %.2f us per op",
                             p->mode == CB_SCHED_ROUNDS ? "round" : "pair",
                             t->b == &cb_bench_pingpong ? "latency" : t->b->op,
                             cb_size_format(bytes, a, sizeof a), np, np == 1 ? "" : "s", slow);
                    cb_prog_progress(s, done, total, text, t0);
                }
                stop = cb_prog_stop(s, stop);
            }
        }
    }
    p->wall_s = (cb_timer_now_us() - t_pass) / 1e6;
    return rc;
}

/* Largest-size bandwidth of every ordered node pair, as a matrix. */
static void print_matrix(const cb_session_t *s, const double *bw, int nn, const char *mode)
{
    printf("#\n# all-pairs bandwidth matrix at the largest measured size, GB/s (row sends to "
           "column; %s)\n", mode);
    printf("# %-14s", "from \\ to");
    for (int j = 0; j < nn; j++)
        printf(" %12.12s", s->comm.hosts[s->comm.node_leader[j]]);
    printf("\n");
    size_t nall = (size_t)nn * (size_t)nn, nv = 0;
    double *v = malloc(nall * sizeof *v);
    for (size_t i = 0; v && i < nall; i++)
        if (bw[i] > 0)
            v[nv++] = bw[i];
    /* Median of all measured directions: a link well below it stands out. */
    double med = nv ? cb_stats_median(v, nv) : 0;
    free(v);
    for (int i = 0; i < nn; i++) {
        printf("  %-14.14s", s->comm.hosts[s->comm.node_leader[i]]);
        for (int j = 0; j < nn; j++) {
            double x = bw[(size_t)i * nn + j];
            if (i == j || x <= 0)
                printf(" %12s", "-");
            else
                printf(" %11.4f%s", x, x < 0.9 * med ? "!" : " ");
        }
        printf("\n");
    }
    printf("# '!' marks a direction more than 10%% below the median (%.4f GB/s)\n", med);
}

static void free_pass(ap_pass_t *p)
{
    free(p->pa);
    free(p->pb);
    free(p->together);
    free(p->alone_r);
    free(p->recs);
    free(p->op_us);
}

/* Scratch of a pass, sized from the node count. */
static int alloc_pass(ap_pass_t *p)
{
    const cb_session_t *s = p->s;
    size_t slots = (size_t)cb_sched_slots(CB_SCHED_ROUNDS, s->comm.nnodes);
    p->pa = malloc(slots * sizeof *p->pa);
    p->pb = malloc(slots * sizeof *p->pb);
    p->together = malloc(slots * sizeof *p->together);
    p->alone_r = malloc(slots * sizeof *p->alone_r);
    p->op_us = calloc((size_t)p->ntests * p->nsizes + 1, sizeof *p->op_us);
    p->recs = s->comm.rank == 0 ? malloc((size_t)s->comm.size * sizeof *p->recs) : NULL;
    return p->pa && p->pb && p->together && p->alone_r && p->op_us &&
                   (s->comm.rank || p->recs)
               ? CB_OK
               : CB_ERR_NOMEM;
}

/* --all-pairs on 2 nodes or more: every direction between node leaders, in
 * rounds (or --sequential), after the directions alone with --reference. */
static int run_all_pairs(cb_session_t *s, const uint64_t *sizes, size_t nsizes)
{
    const cb_bench_opts_t *o = s->opts;
    const int rank0 = s->comm.rank == 0, nn = s->comm.nnodes;
    ap_test_t tests[3], bw = {&cb_bench_bw, 1}, alone = {&cb_bench_bw_alone, 1};
    int ntests = 0;
    if (o->modes & CB_P2P_LATENCY)
        tests[ntests++] = (ap_test_t){&cb_bench_pingpong, 0};
    if (o->modes & CB_P2P_BW)
        tests[ntests++] = bw;
    if (o->modes & CB_P2P_BIBW)
        tests[ntests++] = (ap_test_t){&cb_bench_bibw, 0};
    cb_sched_mode_t mode = o->sequential ? CB_SCHED_SEQUENTIAL : CB_SCHED_ROUNDS;
    ap_pass_t all = {.s = s, .o = o, .mode = mode, .sizes = sizes, .nsizes = nsizes,
                     .tests = tests, .ntests = ntests,
                     .what = o->sequential ? "all-pairs sequential" : "all-pairs rounds"};
    ap_pass_t ref = {.s = s, .o = o, .mode = CB_SCHED_SEQUENTIAL, .sizes = &sizes[nsizes - 1],
                     .nsizes = 1, .tests = &alone, .ntests = 1,
                     .what = "all-pairs sequential: reference for the rounds"};
    size_t nall = (size_t)nn * (size_t)nn;
    int rc = alloc_pass(&all);
    if (!rc && o->reference)
        rc = alloc_pass(&ref);
    if (!rc && rank0) {
        all.matrix = calloc(nall, sizeof *all.matrix);
        ref.matrix = o->reference ? calloc(nall, sizeof *ref.matrix) : NULL;
        if (!all.matrix || (o->reference && !ref.matrix))
            rc = CB_ERR_NOMEM;
    }
    if ((rc = cb_prog_agree(s, rc))) {
        if (rank0)
            fprintf(stderr, "%s: --all-pairs on %d nodes: out of memory for its schedule and "
                            "its %d x %d matrix\n", s->progname, nn, nn, nn);
        free_pass(&all);
        free_pass(&ref);
        free(all.matrix);
        free(ref.matrix);
        return 3;
    }
    all.alone = ref.matrix;
    all.alone_bytes = sizes[nsizes - 1];
    size_t rounds = cb_sched_rounds(mode, nn);
    if (rank0) {
        if (o->sequential)
            printf("# all-pairs sequential: %d nodes, %zu directions one after another\n", nn,
                   rounds);
        else
            printf("# all-pairs in rounds: %d nodes, %zu rounds of %d disjoint pairs measured "
                   "at once (circle method%s; the second half reversed); --sequential for a "
                   "switch that cannot carry them at once\n",
                   nn, rounds, nn / 2, nn % 2 ? ", one node sitting out each round" : "");
        if (o->reference) {
            char a[32];
            printf("# first every direction alone at %s (--reference): a round more than %g%% "
                   "below the sum of its pairs' rates alone is reported\n",
                   cb_size_format(all.alone_bytes, a, sizeof a), 100 * o->round_shortfall);
        }
    }
    if (o->reference)
        rc = ap_run(&ref);
    if (!rc)
        rc = ap_run(&all);
    if (rank0) {
        char mode_text[96];
        snprintf(mode_text, sizeof mode_text, "%s: %zu %s", o->sequential ? "sequential" : "rounds",
                 rounds, o->sequential ? "directions" : "rounds");
        if (o->modes & CB_P2P_BW)
            print_matrix(s, all.matrix, nn, mode_text);
        if (o->modes & CB_P2P_BW)
            printf("# %s: %zu directions in %.1f s (%s)\n", all.what, all.directions,
                   all.wall_s, mode_text);
        else
            printf("# %s: %.1f s (%s)\n", all.what, all.wall_s, mode_text);
        if (o->reference && ref.directions) {
            double one = ref.wall_s / (double)ref.directions;
            printf("# alone first: %zu directions in %.1f s, %.3f s each; the %s took %.2fx "
                   "(%zu rounds x %.3f s)\n", ref.directions, ref.wall_s, one, all.what,
                   all.wall_s / ((double)rounds * one), rounds, one);
            if (!all.ncompared)
                printf("# round check: no round measured with its pairs alone\n");
            else if (!all.nshort)
                printf("# round check: %zu rounds compared, none more than %g%% below its pairs "
                       "alone\n", all.ncompared, 100 * o->round_shortfall);
            else
                printf("# round check: %zu of %zu rounds more than %g%% below their pairs alone "
                       "(the switch did not carry them at once): %s\n", all.nshort,
                       all.ncompared, 100 * o->round_shortfall, all.shorts);
        }
        fflush(stdout);
    }
    free_pass(&all);
    free_pass(&ref);
    free(all.matrix);
    free(ref.matrix);
    return 0;
}

static int prepare(cb_session_t *s)
{
    const cb_bench_opts_t *o = s->opts;
    if (o->all_pairs && s->comm.nnodes < 2 && s->comm.rank == 0)
        fprintf(stderr, "%s: --all-pairs with one node: measuring rank 0 with rank %d instead\n",
                s->progname, s->comm.size > 1 ? 1 : 0);
    return 0;
}

static int run(cb_session_t *s)
{
    const cb_bench_opts_t *o = s->opts;
    uint64_t sizes[CB_BENCH_MAX_SIZES];
    size_t nsizes = cb_bench_sizes(o, sizes, CB_BENCH_MAX_SIZES);
    if (o->all_pairs && s->comm.nnodes >= 2)
        return run_all_pairs(s, sizes, nsizes);
    return run_one_pair(s, sizes, nsizes);
}

static int parse(int argc, char **argv, void *opts, FILE *out, char *err, size_t errlen)
{
    return cb_bench_parse_args(CB_PROG_P2P, argc, argv, opts, out, err, errlen);
}

static const cb_prog_desc_t cb_p2p_prog = {
    .name = "cb-p2p",
    .flags = CB_PROG_TRANSPORT | CB_PROG_TOPO_ROWS | CB_PROG_ENV_ROWS | CB_PROG_KEEP_HEAP,
    .threads = CB_COMM_THREADS_SINGLE,
    .opts_size = sizeof(cb_bench_opts_t),
    .common_offset = offsetof(cb_bench_opts_t, common),
    .parse = parse,
    .prepare = prepare,
    .run = run,
};

int cb_p2p_main(int argc, char **argv)
{
    return cb_prog_main(&cb_p2p_prog, argc, argv);
}
