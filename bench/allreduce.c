/* cb-allreduce: the all-reduce benchmark table and the sweep that drives it
 * over datatypes, sizes and placements with a total time budget. */
#include <math.h>
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

static void print_header(void)
{
    printf("#\n# %12s %12s %9s %12s %6s %12s %12s %10s %10s %8s\n", "size(B)", "count", "type",
           "placement", "iters", "time_us", "p95_us", "algbw_GB/s", "busbw_GB/s", "#wrong");
}

static void print_line(const cb_run_t *r, const cb_measure_t *m)
{
    char wrong[24] = "N/A";
    if (m->checked)
        snprintf(wrong, sizeof wrong, "%llu", (unsigned long long)m->wrong);
    printf("  %12llu %12zu %9s %12s %6d %12.2f %12.2f %10.3f %10.3f %8s\n",
           (unsigned long long)r->bytes, r->count, cb_dtype_name(r->dtype),
           r->in_place ? "in-place" : "out-of-place", m->iters, m->time_us.mean, m->time_us.p95,
           m->algbw_gbps, m->busbw_gbps, wrong);
    fflush(stdout);
}

int cb_allreduce_main(int argc, char **argv)
{
    cb_session_t s;
    int code = cb_session_start(&s, CB_PROG_ALLREDUCE, "cb-allreduce", argc, argv);
    if (code)
        return code < 0 ? 0 : code;
    const cb_bench_opts_t *o = &s.opts;
    uint64_t sizes[128];
    size_t nsizes = cb_bench_sizes(o, sizes, 128);
    const int rank0 = s.comm.rank == 0;
    if (rank0)
        print_header();

    int nplace = (o->placements & CB_PLACE_OUT ? 1 : 0) + (o->placements & CB_PLACE_IN ? 1 : 0);
    int stop = 0;
    for (int d = 0; d < o->ndtypes && !stop; d++) {
        cb_dtype_t dt = o->dtypes[d];
        double prev_us = 0, prev_bytes = 0; /* for the total-budget forecast */
        for (size_t k = 0; k < nsizes && !stop; k++) {
            uint64_t bytes = sizes[k] - sizes[k] % cb_dtype_size(dt);
            if (bytes == 0)
                continue;
            /* Total budget: forecast this size from the last one (time grows
             * at most linearly with bytes) and skip the rest if it won't fit. */
            double expect_us = prev_us > 0 ? prev_us * (double)bytes / prev_bytes : 0;
            if (cb_bench_over_budget(&s, expect_us, nplace)) {
                if (rank0) {
                    char a[32], b[32];
                    fprintf(stderr,
                            "cb-allreduce: --total-time %g s reached: skipping %s..%s %s "
                            "(raise --total-time to measure them)\n",
                            o->total_time_s, cb_size_format(bytes, a, sizeof a),
                            cb_size_format(sizes[nsizes - 1], b, sizeof b), cb_dtype_name(dt));
                    for (size_t j = k; j < nsizes; j++)
                        for (int p = 0; p < 2; p++) {
                            if (!(o->placements & (p ? CB_PLACE_IN : CB_PLACE_OUT)))
                                continue;
                            cb_run_t r = {.dtype = dt, .in_place = p,
                                          .bytes = sizes[j] - sizes[j] % cb_dtype_size(dt)};
                            cb_bench_write_row(&s, &cb_bench_allreduce, &r, NULL, "skipped",
                                               "total time budget (--total-time) reached");
                        }
                }
                s.capped = 1;
                break;
            }
            for (int p = 0; p < 2 && !stop; p++) {
                if (!(o->placements & (p ? CB_PLACE_IN : CB_PLACE_OUT)))
                    continue;
                cb_run_t r = {.opts = o, .comm = &s.comm, .tp = s.tp, .tps = s.tps, .dtype = dt,
                              .in_place = p, .bytes = bytes, .count = bytes / cb_dtype_size(dt),
                              .active = 1};
                r.expect_us = expect_us;
                double t0 = cb_timer_now_us();
                cb_measure_t m;
                int rc = cb_bench_measure(&s, &cb_bench_allreduce, &r, &m);
                const char *status = "ok";
                char note[160] = "";
                if (rc) {
                    status = "failed";
                    snprintf(note, sizeof note, "%s", cb_strerror(rc));
                    stop = 1;
                } else if (m.wrong) {
                    status = "failed";
                    snprintf(note, sizeof note, "%llu wrong elements", (unsigned long long)m.wrong);
                }
                if (rc || m.wrong)
                    s.failures++;
                if (rank0) {
                    if (!rc)
                        print_line(&r, &m);
                    if (cb_bench_write_row(&s, &cb_bench_allreduce, &r, &m, status, note))
                        stop = 1, s.failures++;
                    if (!o->quiet) {
                        char a[32];
                        fprintf(stderr, "cb-allreduce: [%zu/%zu] %s %s %s: %d iters, mean %.1f us, "
                                        "busbw %.3f GB/s, %.1f s%s%s\n",
                                k + 1, nsizes, cb_size_format(bytes, a, sizeof a), cb_dtype_name(dt),
                                p ? "in-place" : "out-of-place", m.iters, m.time_us.mean,
                                m.busbw_gbps, (cb_timer_now_us() - t0) / 1e6, *note ? ": " : "", note);
                    }
                }
                if (!rc) {
                    prev_us = m.time_us.mean;
                    prev_bytes = (double)bytes;
                }
                cb_comm_bcast(&s.comm, &stop, sizeof stop, 0);
            }
        }
    }
    if (rank0 && s.failures)
        fprintf(stderr, "cb-allreduce: %d configuration(s) failed or found wrong data\n", s.failures);
    return cb_session_end(&s);
}
