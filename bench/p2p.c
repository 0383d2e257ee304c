/* cb-p2p: point-to-point benchmark tables (ping-pong latency, windowed
 * unidirectional and bidirectional bandwidth, like OSU's osu_latency, osu_bw
 * and osu_bibw) and the sweep over pairs and sizes, with an all-pairs matrix
 * (mpiGraph-style) so one bad link stands out. */
#include <math.h>
#include <stddef.h>
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

/* What the program keeps across the sweep: the all-pairs matrix. */
typedef struct p2p_ctx {
    double *matrix; /* nnodes x nnodes, GB/s at the largest measured size */
    int nn;
} p2p_ctx_t;

static void print_pair_header(void *ctx, const cb_session_t *s, const cb_bench_point_t *p)
{
    int a = p->r.rank_a, b = p->r.rank_b;
    (void)ctx;
    printf("#\n# %s (rank %d) <-> %s (rank %d)%s\n", s->comm.hosts[a], a, s->comm.hosts[b], b,
           a == b ? "  [self: one rank, local copy path]" : "");
    printf("# %12s %-18s %6s %12s %12s %12s %10s %8s\n", "size(B)", "test", "iters", "time_us",
           "median_us", "p95_us", "bw_GB/s", "#wrong");
}

static void print_line(void *ctx, const cb_session_t *s, const cb_bench_point_t *p,
                       const cb_measure_t *m)
{
    const cb_bench_t *b = p->b;
    const cb_run_t *r = &p->r;
    char test[64], wrong[24] = "N/A";
    (void)ctx, (void)s;
    if (b == &cb_bench_bw && r->rank_a != r->rank_b)
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

/* A point measured: its note, and the matrix entry of a bw point. */
static void measured(void *vctx, const cb_session_t *s, const cb_bench_point_t *p,
                     const cb_measure_t *m, char *note, size_t len)
{
    p2p_ctx_t *c = vctx;
    const cb_run_t *r = &p->r;
    if (note && r->rank_a == r->rank_b)
        snprintf(note, len, "self: one rank");
    else if (note && p->b != &cb_bench_pingpong && r->window < r->opts->window)
        snprintf(note, len, "window %d (at most %d MiB in flight)", r->window,
                 (int)(CB_P2P_MAX_INFLIGHT_BYTES >> 20));
    if (p->b == &cb_bench_bw && c->matrix && r->rank_a != r->rank_b)
        c->matrix[s->comm.node_of[r->rank_a] * c->nn + s->comm.node_of[r->rank_b]] =
            m->algbw_gbps;
}

/* The pairs to measure: every pair of node leaders (--all-pairs), else 0-1,
 * else rank 0 with itself. */
static size_t make_pairs(const cb_session_t *s, pair_t *pairs, size_t cap)
{
    const cb_bench_opts_t *o = s->opts;
    size_t n = 0;
    if (o->all_pairs && s->comm.nnodes >= 2) {
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
    double med = nv ? cb_stats_median(v, (size_t)nv) : 0;
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

static int prepare(cb_session_t *s)
{
    const cb_bench_opts_t *o = s->opts;
    if (o->all_pairs && s->comm.nnodes < 2 && s->comm.rank == 0)
        fprintf(stderr, "%s: --all-pairs with one node: measuring rank 0 with rank %d instead\n",
                s->progname, s->comm.size > 1 ? 1 : 0);
    return 0;
}

/* The points: per pair and test (a series: latency, bw a->b, b->a for
 * all-pairs, bibw) every size (a group of one). */
static int run(cb_session_t *s)
{
    const cb_bench_opts_t *o = s->opts;
    uint64_t sizes[128];
    size_t nsizes = cb_bench_sizes(o, sizes, 128);
    pair_t pairs[1024];
    size_t npairs = make_pairs(s, pairs, 1024);
    p2p_ctx_t c = {.nn = s->comm.nnodes};
    c.matrix = calloc((size_t)c.nn * (size_t)c.nn, sizeof *c.matrix);
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
    cb_bench_point_t *pts = calloc(npairs * (size_t)ntests * nsizes + 1, sizeof *pts);
    if (!pts) {
        free(c.matrix);
        return 3;
    }
    size_t n = 0;
    int series = 0;
    for (size_t pi = 0; pi < npairs; pi++) {
        pair_t p = pairs[pi];
        size_t first = n;
        for (int ti = 0; ti < ntests; ti++, series++) {
            const cb_bench_t *b = tests[ti].b;
            if (p.a == p.b && b == &cb_bench_bibw)
                continue; /* one rank has no second direction */
            int a = tests[ti].reverse ? p.b : p.a, z = tests[ti].reverse ? p.a : p.b;
            for (size_t k = 0; k < nsizes; k++) {
                cb_bench_point_t *q = &pts[n++];
                q->b = b;
                q->r = (cb_run_t){.dtype = CB_DT_UINT8, .bytes = sizes[k], .count = sizes[k],
                                  .rank_a = a, .rank_b = z,
                                  .window = cb_p2p_window(o->window, sizes[k])};
                q->series = series;
                q->group = (int)k;
                if (b == &cb_bench_bw && a != z)
                    snprintf(q->label, sizeof q->label, "bw %d->%d", a, z);
                else
                    snprintf(q->label, sizeof q->label, "%s", b->op);
            }
        }
        if (n > first)
            pts[first].header = 1;
        else if (s->comm.rank == 0) /* nothing to measure for this pair */
            print_pair_header(NULL, s, &(cb_bench_point_t){.r = {.rank_a = p.a, .rank_b = p.b}});
    }
    cb_bench_sweep_t w = {.o = o, .points = pts, .npoints = n, .ctx = &c,
                          .print_header = print_pair_header, .print_line = print_line,
                          .describe = describe, .measured = measured};
    cb_bench_sweep(s, &w);
    if (s->comm.rank == 0 && o->all_pairs && c.nn >= 2 && c.matrix &&
        (o->modes & CB_P2P_BW))
        print_matrix(s, c.matrix, c.nn);
    free(c.matrix);
    free(pts);
    return 0;
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
