/* The benchmark driver: adaptive-effort measurement of one configuration,
 * its CSV row, and the sweep that walks a program's (test, size) points on
 * the program skeleton (cb_prog.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_bench.h"
#include "cb_error.h"
#include "cb_size.h"
#include "cb_timer.h"

double cb_bench_timeout_s(const cb_bench_opts_t *o, double expect_s)
{
    return cb_prog_timeout_for(o->common.timeout_s, expect_s);
}

int cb_bench_iters_for_budget(double iter_us, double budget_s, int min_iters, int max_iters)
{
    double n = iter_us > 0 ? budget_s * 1e6 / iter_us : (double)max_iters;
    if (n < min_iters)
        n = min_iters;
    if (n > max_iters)
        n = max_iters;
    return (int)n;
}

size_t cb_bench_sizes(const cb_bench_opts_t *o, uint64_t *sizes, size_t cap)
{
    size_t n = 0;
    for (uint64_t s = o->min_bytes; s <= o->max_bytes && n < cap;) {
        sizes[n++] = s;
        uint64_t next = o->step_bytes ? s + o->step_bytes : s * o->step_factor;
        if (next <= s)
            break;
        s = next;
    }
    return n;
}

void cb_bench_batching(double iter_us, int iters, int min_iters, double target_us, int *batch,
                       int *nbatches)
{
    double want = iter_us > 0 && target_us > 0 ? ceil(target_us / iter_us) : 1;
    int b = want > iters ? iters : (int)want;
    if (b < 1)
        b = 1;
    int nb = iters / b;
    if (nb < 1)
        nb = 1;
    if ((long long)nb * b < min_iters)
        nb = (min_iters + b - 1) / b;
    *batch = b;
    *nbatches = nb;
}

/* ------------------------------------------------------------ measuring */

/* n iterations between two timer reads: *us is their total. */
static int timed_batch(cb_run_t *r, const cb_bench_t *b, int n, double *us)
{
    int rc = r->tp->time_begin(r->tps);
    if (!rc && b->run_n)
        rc = b->run_n(r, n);
    for (int i = 0; i < n && !rc && !b->run_n; i++)
        rc = b->run(r);
    if (!rc)
        rc = r->tp->time_end(r->tps, us);
    return rc;
}

static int timed_iter(cb_run_t *r, const cb_bench_t *b, double *us)
{
    return timed_batch(r, b, 1, us);
}

/* r->pair_local: the two ranks of this rank's pair swap n values (others
 * nothing); theirs lands in `peer`. */
static int pair_swap(cb_session_t *s, const cb_run_t *r, const void *mine, void *peer,
                     size_t bytes)
{
    int rc = CB_OK;
    if (r->active && r->rank_a != r->rank_b)
        rc = cb_comm_sendrecv(&s->comm, mine, peer, bytes,
                              s->comm.rank == r->rank_a ? r->rank_b : r->rank_a);
    return cb_prog_agree(s, rc);
}

/* A batch's time is the slowest rank's: of every rank, or of the pair
 * (r->pair_local). */
static int samples_max(cb_session_t *s, const cb_run_t *r, double *samples, size_t n)
{
    if (!r->pair_local)
        return cb_comm_allreduce_max_double(&s->comm, samples, n);
    double *peer = calloc(n ? n : 1, sizeof *peer);
    int rc = cb_prog_agree(s, peer ? CB_OK : CB_ERR_NOMEM);
    if (!rc)
        rc = pair_swap(s, r, samples, peer, n * sizeof *samples);
    for (size_t i = 0; !rc && r->active && i < n; i++)
        samples[i] = fmax(samples[i], peer[i]);
    free(peer);
    return rc;
}

int cb_bench_measure(cb_session_t *s, const cb_bench_t *b, cb_run_t *r, cb_measure_t *m)
{
    const cb_bench_opts_t *o = r->opts;
    memset(m, 0, sizeof *m);
    double *samples = NULL;
    double t = 0;
    char what[160], sz[32];
    snprintf(what, sizeof what, "%s %s %s %s", b->name, b->op,
             cb_size_format(r->bytes, sz, sizeof sz),
             b->coll == CB_COLL_SENDRECV ? "" : (r->in_place ? "in-place" : "out-of-place"));
    cb_bench_set_inflight(s, b, r);
    cb_prog_point_rearm(s, r->expect_us / 1e6, what);
    cb_prog_point_enter(s);
    int rc = b->setup(r);
    if ((rc = cb_prog_agree(s, rc)))
        goto out;
    /* Timing data: the pattern (values stay exact for out-of-place; in-place
     * buffers grow, which does not change the time of a sum). */
    if (r->active)
        rc = b->init_data(r, 0);
    if ((rc = cb_prog_agree(s, rc)))
        goto out;

    /* Warm-up: one iteration, then as many more as fit a quarter of the
     * budget (decided on the max over ranks, so every rank agrees). */
    if (r->active)
        rc = timed_iter(r, b, &t);
    if ((rc = cb_prog_agree(s, rc)))
        goto out;
    cb_comm_allreduce_max_double(&s->comm, &t, 1);
    int more = cb_bench_iters_for_budget(t, o->time_per_size_s / 4, 0, o->common.warmup_iters - 1);
    double warm_sum = t;
    for (int i = 0; i < more && rc == CB_OK; i++) {
        double u = 0;
        if (r->active)
            rc = timed_iter(r, b, &u);
        warm_sum += u;
    }
    if ((rc = cb_prog_agree(s, rc)))
        goto out;
    m->warmup_iters = 1 + more;
    double warm_mean = warm_sum / m->warmup_iters;
    cb_comm_allreduce_max_double(&s->comm, &warm_mean, 1);
    int iters = cb_bench_iters_for_budget(warm_mean, o->time_per_size_s, o->min_iters,
                                          o->max_iters);
    /* Batches of iterations between timer reads (as nccl-tests times its
     * loop), each lasting at least CB_BENCH_BATCH_US; --per-iteration: a
     * batch of one. Every rank agrees: warm_mean is the max over ranks. */
    int batch = 1, nb = iters;
    if (!o->per_iteration)
        cb_bench_batching(warm_mean, iters, o->min_iters, CB_BENCH_BATCH_US, &batch, &nb);
    m->iters = batch * nb;
    m->batch_iters = batch;
    /* The timed loop's own deadline: its expected length, plus one more
     * iteration for the check. */
    cb_prog_point_rearm(s, warm_mean * (m->iters + 1) / 1e6, what);

    /* samples[0..nb): the batches; samples[nb]: this rank's whole loop */
    samples = calloc((size_t)nb + 1, sizeof *samples);
    if (!samples)
        rc = CB_ERR_NOMEM;
    if ((rc = cb_prog_agree(s, rc)))
        goto out;
    if (r->active)
        for (int i = 0; i < nb && rc == CB_OK; i++) {
            rc = timed_batch(r, b, batch, &samples[i]);
            samples[nb] += samples[i];
        }
    if ((rc = cb_prog_agree(s, rc)))
        goto out;
    /* A batch's time is the slowest rank's (of the pair: r->pair_local),
     * and so is the loop's. */
    if ((rc = samples_max(s, r, samples, (size_t)nb + 1)))
        goto out;
    double per = b->ops_per_iter(r) * batch;
    for (int i = 0; i <= nb; i++)
        samples[i] /= per;
    cb_stats_compute(samples, (size_t)nb, &m->time_us);
    /* The mean is the whole timed loop's over its iterations, the slowest
     * rank's (nccl-tests' time, a bare loop's): a sum of per-batch maxima
     * would add the ranks' skew of every batch to it (+5% at 1 MiB, 2 nodes,
     * one op per batch). Median and p95 stay the batches'. */
    m->time_us.mean = samples[nb] / nb;
    int nranks = b->coll == CB_COLL_SENDRECV ? 2 : s->comm.size;
    m->algbw_gbps = cb_bw_algbw_gbps(b->coll, (double)r->bytes * b->bytes_factor(r),
                                     m->time_us.mean, nranks);
    m->busbw_gbps = m->algbw_gbps * cb_bw_bus_factor(b->coll, nranks);

    /* Validation, outside the timed loop: fresh data, one operation. */
    if (o->common.check) {
        uint64_t wrong = 0;
        if (r->active) {
            rc = b->init_data(r, 1);
            if (!rc)
                rc = b->run(r);
            if (!rc)
                rc = r->tp->time_end(r->tps, &t); /* completes device work */
#ifdef CB_TEST_CORRUPT
            if (!rc && s->comm.rank == s->comm.size - 1)
                rc = r->tp->corrupt(r->tps, r->recvbuf, r->count, r->dtype);
#endif
            if (!rc)
                rc = b->check(r, 1, &wrong);
        }
        if ((rc = cb_prog_agree(s, rc)))
            goto out;
        uint64_t theirs = 0;
        if (r->pair_local ? (rc = pair_swap(s, r, &wrong, &theirs, sizeof wrong))
                          : (rc = cb_comm_allreduce_sum_u64(&s->comm, &wrong, 1)))
            goto out;
        wrong += theirs;
        m->wrong = wrong;
        m->checked = 1;
    }
out:
    cb_prog_point_end(s);
    if (b->teardown)
        b->teardown(r);
    free(samples);
    m->rc = rc;
    return rc;
}

static void fill_row(cb_session_t *s, const cb_bench_t *b, const cb_run_t *r,
                     const cb_measure_t *m, const char *status, const char *note, cb_row_t *row)
{
    cb_row_init(row, &s->ctx);
    cb_row_set_str(row, CB_COL_BENCHMARK, b->name);
    cb_row_set_str(row, CB_COL_TRANSPORT, s->tp->name);
    cb_row_set_str(row, CB_COL_MEMORY, s->tp->memory);
    cb_row_set_str(row, CB_COL_DTYPE, cb_dtype_name(r->dtype));
    cb_row_set_str(row, CB_COL_OP, b->op);
    if (b->coll != CB_COLL_SENDRECV) {
        cb_row_set_str(row, CB_COL_PLACEMENT, r->in_place ? "in-place" : "out-of-place");
    } else {
        cb_row_set_str(row, CB_COL_HOST, s->comm.hosts[r->rank_a]);
        cb_row_set_str(row, CB_COL_PEER, s->comm.hosts[r->rank_b]);
        cb_row_set_int(row, CB_COL_RANK, r->rank_a);
        cb_row_set_int(row, CB_COL_PEER_RANK, r->rank_b);
    }
    cb_row_set_int(row, CB_COL_BYTES, (long long)r->bytes);
    if (m && m->iters) {
        cb_row_set_int(row, CB_COL_ITERS, m->iters);
        cb_row_set_int(row, CB_COL_WARMUP_ITERS, m->warmup_iters);
        cb_row_set_stats(row, &m->time_us);
        cb_row_set_num(row, CB_COL_ALGBW_GBPS, m->algbw_gbps);
        cb_row_set_num(row, CB_COL_BUSBW_GBPS, m->busbw_gbps);
    }
    if (m && m->checked)
        cb_row_set_int(row, CB_COL_WRONG_ELEMENTS, (long long)m->wrong);
    cb_row_set_str(row, CB_COL_STATUS, status);
    cb_row_set_str(row, CB_COL_NOTE, note);
}

int cb_bench_write_row(cb_session_t *s, const cb_bench_t *b, const cb_run_t *r,
                       const cb_measure_t *m, const char *status, const char *note)
{
    if (s->comm.rank != 0)
        return CB_OK;
    cb_row_t row;
    fill_row(s, b, r, m, status, note, &row);
    int rc = cb_results_write(s->res, &row);
    cb_row_clear(&row);
    return rc;
}

/* The rows in flight are formatted on rank 0 only (fill_row reads hosts and
 * the transport, which only a running session has). */
void cb_bench_set_inflight(cb_session_t *s, const cb_bench_t *b, const cb_run_t *r)
{
    if (s->comm.rank != 0)
        return;
    if (!b) {
        cb_prog_set_inflight(s, NULL, NULL);
        return;
    }
    int round = r->round_n > 0 && r->round_a && r->round_b;
    size_t n = round ? (size_t)r->round_n : 1;
    cb_row_t *t = calloc(n, sizeof *t), *g = calloc(n, sizeof *g);
    if (!t || !g) { /* nothing to mark rather than a wrong row */
        cb_prog_set_inflight(s, NULL, NULL);
        free(t);
        free(g);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        cb_run_t x = *r;
        if (round) {
            x.rank_a = r->round_a[i];
            x.rank_b = r->round_b[i];
        }
        fill_row(s, b, &x, NULL, "timeout", "watchdog: did not finish within --timeout", &t[i]);
        fill_row(s, b, &x, NULL, "failed", "interrupted: the job was killed while measuring",
                 &g[i]);
    }
    cb_prog_set_inflight_rows(s, t, g, n);
    for (size_t i = 0; i < n; i++) {
        cb_row_clear(&t[i]);
        cb_row_clear(&g[i]);
    }
    free(t);
    free(g);
}

/* ------------------------------------------------------------ the sweep */

/* The end (exclusive) of the series / group that point k belongs to. */
static size_t series_end(const cb_bench_sweep_t *w, size_t k)
{
    size_t e = k;
    while (e < w->npoints && w->points[e].series == w->points[k].series)
        e++;
    return e;
}

static size_t group_end(const cb_bench_sweep_t *w, size_t k)
{
    size_t e = k;
    while (e < w->npoints && w->points[e].series == w->points[k].series &&
           w->points[e].group == w->points[k].group)
        e++;
    return e;
}

/* Budget: skip the rest of point k's series; rank 0 writes their rows. */
static size_t skip_series(cb_session_t *s, const cb_bench_sweep_t *w, size_t k)
{
    size_t end = series_end(w, k);
    char a[32], b[32], what[160];
    cb_size_format(w->points[k].r.bytes, a, sizeof a);
    cb_size_format(w->points[end - 1].r.bytes, b, sizeof b);
    if (strcmp(a, b))
        snprintf(what, sizeof what, "%s..%s %s", a, b, w->points[k].label);
    else
        snprintf(what, sizeof what, "%s %s", a, w->points[k].label);
    cb_prog_skip_note(s, what);
    for (size_t j = k; j < end && s->comm.rank == 0; j++)
        cb_bench_write_row(s, w->points[j].b, &w->points[j].r, NULL, "skipped",
                           "total time budget (--total-time) reached");
    return end;
}

int cb_bench_sweep(cb_session_t *s, const cb_bench_sweep_t *w)
{
    const cb_bench_opts_t *o = w->o;
    const int rank0 = s->comm.rank == 0;
    double prev_us = 0, prev_bytes = 0; /* the last measured point of this series */
    int stop = 0, rc = CB_OK;
    size_t done = 0;
    for (size_t k = 0; k < w->npoints && !stop;) {
        cb_bench_point_t *p = &w->points[k];
        cb_run_t *r = &p->r;
        if (k == 0 || p->series != w->points[k - 1].series)
            prev_us = prev_bytes = 0;
        if (rank0 && p->header && w->print_header)
            w->print_header(w->ctx, s, p);
        /* Forecast this point from the last one of its series (time grows at
         * most linearly with bytes); at a group's first point, decide for the
         * whole group whether it still fits the budget. */
        double expect_us = prev_us > 0 ? prev_us * (double)r->bytes / prev_bytes *
                                             p->b->ops_per_iter(r)
                                       : 0;
        if (k == 0 || p->group != w->points[k - 1].group ||
            p->series != w->points[k - 1].series) {
            double n = (double)(group_end(w, k) - k);
            double fc = expect_us * (1 + o->min_iters + (o->common.check ? 1 : 0)) * n;
            if (cb_prog_over_budget(s, fc)) {
                k = skip_series(s, w, k);
                continue;
            }
        }
        r->opts = o;
        r->comm = &s->comm;
        r->tp = s->tp;
        r->tps = s->tps;
        r->expect_us = expect_us;
        double t0 = cb_timer_now_us();
        cb_measure_t m;
        rc = cb_bench_measure(s, p->b, r, &m);
        char note[160] = "";
        const char *status = "ok";
        if (rc) {
            status = "failed";
            snprintf(note, sizeof note, "%s", cb_strerror(rc));
            stop = 1;
        } else if (m.wrong) {
            status = "failed";
            snprintf(note, sizeof note, "%llu wrong %s", (unsigned long long)m.wrong,
                     r->dtype == CB_DT_UINT8 ? "bytes" : "elements");
        }
        if (!rc && w->measured)
            w->measured(w->ctx, s, p, &m, m.wrong ? NULL : note, sizeof note);
        if (rc || m.wrong)
            s->failures++;
        done++;
        if (!rc) {
            prev_us = m.time_us.mean;
            prev_bytes = (double)r->bytes;
        }
        if (rank0) {
            if (!rc && w->print_line)
                w->print_line(w->ctx, s, p, &m);
            if (cb_bench_write_row(s, p->b, r, &m, status, note))
                stop = 1, s->failures++;
            char what[128] = "", text[320];
            if (w->describe)
                w->describe(w->ctx, s, p, what, sizeof what);
            snprintf(text, sizeof text, "%s: %d iters, mean %.2f us, busbw %.4f GB/s%s%s", what,
                     m.iters, m.time_us.mean, m.busbw_gbps, *note ? ": " : "", note);
            cb_prog_progress(s, done, w->npoints, text, t0);
        }
        stop = cb_prog_stop(s, stop);
        k++;
    }
    return rc;
}
