/* cb-allreduce: the all-reduce benchmark table, and the program: its
 * (datatype, size, placement) points for the driver's sweep, on the program
 * skeleton (cb_prog.h). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_bench.h"
#include "cb_error.h"
#include "cb_size.h"
#include "cb_timer.h"

static int ar_setup(cb_run_t *r)
{
    int rc = r->tp->alloc(r->tps, r->bytes, &r->recvbuf);
    if (!rc && !r->in_place)
        rc = r->tp->alloc(r->tps, r->bytes, &r->sendbuf);
    if (!rc && r->in_place)
        r->sendbuf = r->recvbuf;
    return rc;
}

static int ar_init(cb_run_t *r, int phase)
{
    return r->tp->fill(r->tps, r->sendbuf, r->count, r->dtype, r->comm->rank, phase);
}

static int ar_run(cb_run_t *r)
{
    return r->tp->allreduce(r->tps, r->sendbuf, r->recvbuf, r->count, r->dtype);
}

static int ar_check(cb_run_t *r, int phase, uint64_t *wrong)
{
    return r->tp->check(r->tps, r->recvbuf, r->count, r->dtype, -1, r->comm->size, phase, wrong);
}

static void ar_teardown(cb_run_t *r)
{
    if (r->sendbuf && r->sendbuf != r->recvbuf)
        r->tp->free(r->tps, r->sendbuf);
    if (r->recvbuf)
        r->tp->free(r->tps, r->recvbuf);
    r->sendbuf = r->recvbuf = NULL;
}

static double one(const cb_run_t *r)
{
    (void)r;
    return 1.0;
}

const cb_bench_t cb_bench_allreduce = {
    .name = "allreduce",
    .op = "sum",
    .coll = CB_COLL_ALLREDUCE,
    .setup = ar_setup,
    .init_data = ar_init,
    .run = ar_run,
    .check = ar_check,
    .teardown = ar_teardown,
    .ops_per_iter = one,
    .bytes_factor = one,
};

static void print_header(void *ctx, const cb_session_t *s, const cb_bench_point_t *p)
{
    (void)ctx, (void)s, (void)p;
    printf("#\n# %12s %12s %9s %12s %6s %12s %12s %10s %10s %8s\n", "size(B)", "count", "type",
           "placement", "iters", "time_us", "p95_us", "algbw_GB/s", "busbw_GB/s", "#wrong");
}

static void print_line(void *ctx, const cb_session_t *s, const cb_bench_point_t *p,
                       const cb_measure_t *m)
{
    const cb_run_t *r = &p->r;
    char wrong[24] = "N/A";
    (void)ctx, (void)s;
    if (m->checked)
        snprintf(wrong, sizeof wrong, "%llu", (unsigned long long)m->wrong);
    printf("  %12llu %12zu %9s %12s %6d %12.2f %12.2f %10.3f %10.3f %8s\n",
           (unsigned long long)r->bytes, r->count, cb_dtype_name(r->dtype),
           r->in_place ? "in-place" : "out-of-place", m->iters, m->time_us.mean, m->time_us.p95,
           m->algbw_gbps, m->busbw_gbps, wrong);
    fflush(stdout);
}

static void describe(void *ctx, const cb_session_t *s, const cb_bench_point_t *p, char *buf,
                     size_t len)
{
    char a[32];
    (void)ctx, (void)s;
    snprintf(buf, len, "%s %s %s", cb_size_format(p->r.bytes, a, sizeof a),
             cb_dtype_name(p->r.dtype), p->r.in_place ? "in-place" : "out-of-place");
}

/* Checks that need the transport: every datatype asked for is supported. */
static int prepare(cb_session_t *s)
{
    const cb_bench_opts_t *o = s->opts;
    for (int i = 0; i < o->ndtypes; i++)
        if (!s->tp->supports(o->dtypes[i])) {
            if (s->comm.rank == 0)
                fprintf(stderr, "%s: datatype %s is not supported by transport %s "
                                "(mpi: float, double; nccl: float, half, bfloat16, double)\n",
                        s->progname, cb_dtype_name(o->dtypes[i]), s->tp->name);
            return 2;
        }
    return 0;
}

/* The points: per datatype (a series) every size (a group) in each placement. */
static int run(cb_session_t *s)
{
    const cb_bench_opts_t *o = s->opts;
    uint64_t sizes[CB_BENCH_MAX_SIZES];
    size_t nsizes = cb_bench_sizes(o, sizes, CB_BENCH_MAX_SIZES);
    cb_bench_point_t *pts = calloc((size_t)o->ndtypes * nsizes * 2 + 1, sizeof *pts);
    if (!pts)
        return 3;
    size_t n = 0;
    for (int d = 0; d < o->ndtypes; d++) {
        cb_dtype_t dt = o->dtypes[d];
        for (size_t k = 0; k < nsizes; k++) {
            uint64_t bytes = sizes[k] - sizes[k] % cb_dtype_size(dt);
            if (bytes == 0)
                continue;
            for (int p = 0; p < 2; p++) {
                if (!(o->placements & (p ? CB_PLACE_IN : CB_PLACE_OUT)))
                    continue;
                cb_bench_point_t *q = &pts[n++];
                q->b = &cb_bench_allreduce;
                q->r = (cb_run_t){.dtype = dt, .in_place = p, .bytes = bytes,
                                  .count = bytes / cb_dtype_size(dt), .active = 1};
                q->series = d;
                q->group = (int)k;
                snprintf(q->label, sizeof q->label, "%s", cb_dtype_name(dt));
            }
        }
    }
    if (n)
        pts[0].header = 1;
    cb_bench_sweep_t w = {.o = o, .points = pts, .npoints = n, .print_header = print_header,
                          .print_line = print_line, .describe = describe};
    if (s->comm.rank == 0 && !n)
        print_header(NULL, s, NULL);
    cb_bench_sweep(s, &w);
    free(pts);
    return 0;
}

static int parse(int argc, char **argv, void *opts, FILE *out, char *err, size_t errlen)
{
    return cb_bench_parse_args(CB_PROG_ALLREDUCE, argc, argv, opts, out, err, errlen);
}

static const cb_prog_desc_t cb_allreduce_prog = {
    .name = "cb-allreduce",
    .flags = CB_PROG_TRANSPORT | CB_PROG_TOPO_ROWS | CB_PROG_ENV_ROWS | CB_PROG_KEEP_HEAP,
    .threads = CB_COMM_THREADS_SINGLE,
    .opts_size = sizeof(cb_bench_opts_t),
    .common_offset = offsetof(cb_bench_opts_t, common),
    .parse = parse,
    .prepare = prepare,
    .run = run,
};

int cb_allreduce_main(int argc, char **argv)
{
    return cb_prog_main(&cb_allreduce_prog, argc, argv);
}
