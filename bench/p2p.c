/* cb-p2p: point-to-point benchmark tables (ping-pong latency, windowed
 * unidirectional and bidirectional bandwidth, like OSU's osu_latency, osu_bw
 * and osu_bibw) and the sweep over pairs and sizes, with an all-pairs matrix
 * (mpiGraph-style) so one bad link stands out. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_bench.h"
#include "cb_error.h"
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
    .setup = p2p_setup, .init_data = p2p_init, .run = pingpong_run, .check = p2p_check,
    .teardown = p2p_teardown, .ops_per_iter = two, .bytes_factor = one,
};
const cb_bench_t cb_bench_bw = {
    .name = "p2p", .op = "bw", .coll = CB_COLL_SENDRECV,
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

typedef struct pair {
    int a, b;
} pair_t;

static void print_pair_header(const cb_session_t *s, pair_t p)
{
    printf("#\n# %s (rank %d) <-> %s (rank %d)%s\n", s->comm.hosts[p.a], p.a, s->comm.hosts[p.b], p.b,
           p.a == p.b ? "  [self: one rank, local copy path]" : "");
    printf("# %12s %-18s %6s %12s %12s %12s %10s %8s\n", "size(B)", "test", "iters", "time_us",
           "median_us", "p95_us", "bw_GB/s", "#wrong");
}

static void print_line(const cb_session_t *s, const cb_bench_t *b, const cb_run_t *r,
                       const cb_measure_t *m)
{
    char test[64], wrong[24] = "N/A";
    if (b == &cb_bench_bw && r->rank_a != r->rank_b)
        snprintf(test, sizeof test, "bw %d->%d", r->rank_a, r->rank_b);
    else
        snprintf(test, sizeof test, "%s", b == &cb_bench_pingpong ? "latency" : b->op);
    if (m->checked)
        snprintf(wrong, sizeof wrong, "%llu", (unsigned long long)m->wrong);
    printf("  %12llu %-18s %6d %12.2f %12.2f %12.2f %10.4f %8s\n", (unsigned long long)r->bytes, test,
           m->iters, m->time_us.mean, m->time_us.median, m->time_us.p95, m->algbw_gbps, wrong);
    fflush(stdout);
    (void)s;
}

/* The pairs to measure: every pair of node leaders (--all-pairs), else 0-1,
 * else rank 0 with itself. */
static size_t make_pairs(const cb_session_t *s, pair_t *pairs, size_t cap)
{
    size_t n = 0;
    if (s->opts.all_pairs && s->comm.nnodes >= 2) {
        for (int i = 0; i < s->comm.nnodes; i++)
            for (int j = i + 1; j < s->comm.nnodes && n < cap; j++)
                pairs[n++] = (pair_t){s->comm.node_leader[i], s->comm.node_leader[j]};
        return n;
    }
    pairs[n++] = (pair_t){0, s->comm.size > 1 ? 1 : 0};
    return n;
}

/* Largest-size bandwidth of every ordered node pair, as a matrix. */
static void print_matrix(const cb_session_t *s, const double *bw, int nn)
{
    printf("#\n# all-pairs bandwidth matrix at the largest measured size, GB/s (row sends to column)\n");
    printf("# %-14s", "from \\ to");
    for (int j = 0; j < nn; j++)
        printf(" %12.12s", s->comm.hosts[s->comm.node_leader[j]]);
    printf("\n");
    double v[4096];
    int nv = 0;
    for (int i = 0; i < nn * nn && nv < 4096; i++)
        if (bw[i] > 0)
            v[nv++] = bw[i];
    /* Median of all measured directions: a link well below it stands out. */
    double med = 0;
    for (int i = 0; i < nv; i++)
        for (int j = i + 1; j < nv; j++)
            if (v[j] < v[i]) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
            }
    if (nv)
        med = nv % 2 ? v[nv / 2] : (v[nv / 2 - 1] + v[nv / 2]) / 2;
    for (int i = 0; i < nn; i++) {
        printf("  %-14.14s", s->comm.hosts[s->comm.node_leader[i]]);
        for (int j = 0; j < nn; j++) {
            double x = bw[i * nn + j];
            if (i == j || x <= 0)
                printf(" %12s", "-");
            else
                printf(" %11.4f%s", x, x < 0.9 * med ? "!" : " ");
        }
        printf("\n");
    }
    printf("# '!' marks a direction more than 10%% below the median (%.4f GB/s)\n", med);
}

int cb_p2p_main(int argc, char **argv)
{
    cb_session_t s;
    int code = cb_session_start(&s, CB_PROG_P2P, "cb-p2p", argc, argv);
    if (code)
        return code < 0 ? 0 : code;
    const cb_bench_opts_t *o = &s.opts;
    const int rank0 = s.comm.rank == 0;
    uint64_t sizes[128];
    size_t nsizes = cb_bench_sizes(o, sizes, 128);
    pair_t pairs[1024];
    size_t npairs = make_pairs(&s, pairs, 1024);
    int nn = s.comm.nnodes;
    double *matrix = calloc((size_t)nn * (size_t)nn, sizeof *matrix);

    /* Tests per pair: latency, bw a->b (and b->a for all-pairs), bibw. */
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

    int stop = 0;
    size_t done = 0, total = npairs * (size_t)ntests * nsizes;
    for (size_t pi = 0; pi < npairs && !stop; pi++) {
        pair_t p = pairs[pi];
        if (rank0)
            print_pair_header(&s, p);
        for (int ti = 0; ti < ntests && !stop; ti++) {
            const cb_bench_t *b = tests[ti].b;
            if (p.a == p.b && b == &cb_bench_bibw)
                continue; /* one rank has no second direction */
            double prev_us = 0, prev_bytes = 0;
            for (size_t k = 0; k < nsizes && !stop; k++) {
                uint64_t bytes = sizes[k];
                double expect_us =
                    prev_us > 0 ? prev_us * (double)bytes / prev_bytes *
                                      b->ops_per_iter(&(cb_run_t){.window = cb_p2p_window(o->window, bytes)})
                                : 0;
                int skip = cb_bench_over_budget(&s, expect_us, 1);
                cb_run_t r = {.opts = o, .comm = &s.comm, .tp = s.tp, .tps = s.tps,
                              .dtype = CB_DT_UINT8, .bytes = bytes, .count = bytes,
                              .rank_a = tests[ti].reverse ? p.b : p.a,
                              .rank_b = tests[ti].reverse ? p.a : p.b,
                              .window = cb_p2p_window(o->window, bytes)};
                if (skip) {
                    if (rank0) {
                        char a[32];
                        fprintf(stderr, "cb-p2p: --total-time %g s reached: skipping %s and larger "
                                        "(raise --total-time to measure them)\n",
                                o->total_time_s, cb_size_format(bytes, a, sizeof a));
                        for (size_t j = k; j < nsizes; j++) {
                            r.bytes = r.count = sizes[j];
                            cb_bench_write_row(&s, b, &r, NULL, "skipped",
                                               "total time budget (--total-time) reached");
                        }
                    }
                    s.capped = 1;
                    break;
                }
                r.expect_us = expect_us;
                double t0 = cb_timer_now_us();
                cb_measure_t m;
                int rc = cb_bench_measure(&s, b, &r, &m);
                char note[160] = "";
                const char *status = "ok";
                if (rc) {
                    status = "failed";
                    snprintf(note, sizeof note, "%s", cb_strerror(rc));
                    stop = 1;
                } else if (m.wrong) {
                    status = "failed";
                    snprintf(note, sizeof note, "%llu wrong bytes", (unsigned long long)m.wrong);
                } else if (p.a == p.b) {
                    snprintf(note, sizeof note, "self: one rank");
                } else if (b != &cb_bench_pingpong && r.window < o->window) {
                    snprintf(note, sizeof note, "window %d (at most %d MiB in flight)", r.window,
                             (int)(CB_P2P_MAX_INFLIGHT_BYTES >> 20));
                }
                if (rc || m.wrong)
                    s.failures++;
                done++;
                if (!rc) {
                    prev_us = m.time_us.mean;
                    prev_bytes = (double)bytes;
                    if (b == &cb_bench_bw && matrix && p.a != p.b)
                        matrix[s.comm.node_of[r.rank_a] * nn + s.comm.node_of[r.rank_b]] = m.algbw_gbps;
                }
                if (rank0) {
                    if (!rc)
                        print_line(&s, b, &r, &m);
                    if (cb_bench_write_row(&s, b, &r, &m, status, note))
                        stop = 1, s.failures++;
                    if (!o->quiet) {
                        char a[32];
                        fprintf(stderr, "cb-p2p: [%zu/%zu] %s<->%s %s %s: %d iters, %.2f us, %.4f GB/s, %.1f s%s%s\n",
                                done, total, s.comm.hosts[p.a], s.comm.hosts[p.b], b->op,
                                cb_size_format(bytes, a, sizeof a), m.iters, m.time_us.mean,
                                m.algbw_gbps, (cb_timer_now_us() - t0) / 1e6, *note ? ": " : "", note);
                    }
                }
                cb_comm_bcast(&s.comm, &stop, sizeof stop, 0);
            }
        }
    }
    if (rank0 && o->all_pairs && nn >= 2 && matrix && (o->modes & CB_P2P_BW))
        print_matrix(&s, matrix, nn);
    free(matrix);
    if (rank0 && s.failures)
        fprintf(stderr, "cb-p2p: %d configuration(s) failed or found wrong data\n", s.failures);
    return cb_session_end(&s);
}
