/* cb-ddp: the synthetic DDP step, measured (see ddp_bench.h and --help).
 * Per single-node step time T1: every rank runs the step alone (the
 * single-node baseline, no communication), then all ranks run it as DDP; a
 * step's time is the slowest rank's, the headline the median over steps.
 * Next to it the model's prediction (common/cb_ddp.h) from the all-reduce
 * times of this very run's node and rank count: the rows of --allreduce-csv,
 * or all-reduces of every distinct bucket size measured here first (written
 * as benchmark=allreduce rows exactly like cb-allreduce's).
 *
 * Allocator: cb-ddp keeps freed heap memory in the process (M_TRIM_THRESHOLD
 * 1 GiB, M_MMAP_THRESHOLD fixed at its 32 MiB maximum, unless MALLOC_*_ or
 * GLIBC_TUNABLES say otherwise). With glibc's default (dynamic) thresholds
 * the temporary buffers of Open MPI's ring all-reduce are returned to the
 * kernel after every call made on the main thread, and faulted in again on
 * the next one, while the same all-reduce on a worker thread (its own arena)
 * keeps them: measured on the virtual cluster (3 nodes, 24 MiB, 2.5 Gbit/s,
 * firecracker VM where a page fault costs tens of us) 250 ms on the main
 * thread against 125 ms on the communication thread, so the model's input
 * was twice the step's real all-reduce time. Kept memory makes both 125 ms.
 *
 * CSV scheme (the shared schema of cb_results.h; the reporter reads these):
 *   benchmark=ddp, transport/memory of the run (mpi/host: compute emulated;
 *   nccl/cuda: GPU compute), dtype = the all-reduced element type (float on
 *   MPI, else the gradient dtype), op = "overlap" | "no-overlap", nodes /
 *   ranks / ranks_per_node / hosts from the run, bytes = G (gradient bytes per
 *   rank), status ok | skipped | failed, and one row per metric:
 *     metric                 unit   value
 *     t1_ms                  ms     single-node step, measured (median over
 *                                   steps of the slowest rank); time_us_*,
 *                                   iters, warmup_iters: statistics over steps
 *     tn_ms                  ms     DDP step on all ranks, likewise
 *     speedup                x      N*T1/T_N measured (N = ranks)
 *     efficiency             ratio  T1/T_N measured
 *     model_tn_ms            ms     the model's T_N at the measured T1
 *     model_speedup          x      N*T1/model T_N
 *     model_error_pct        %      100 (model T_N - T_N) / T_N
 *   Rows of one T1 share a note that begins "step_ms=<T1 asked>; " followed
 *   by the compute ("emulated compute" on the CPU path, "gpu compute" on
 *   GPUs); break-even probes add "; sweep probe <i>/<n>". Readers group by
 *   (run_id, op, bytes, the step_ms= value of note).
 *   With --sweep, once per run (note "sweep; ..." with the bracket):
 *     breakeven_t1_ms        ms     the measured break-even T1 (geometric
 *                                   middle of the final bisection bracket)
 *     model_breakeven_t1_ms  ms     the model's
 *   A T1 skipped for the time budget: a tn_ms row with status skipped.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_bench.h"
#include "cb_ddp.h"
#include "cb_error.h"
#include "cb_size.h"
#include "cb_timer.h"
#include "ddp_bench.h"

#define PROG "cb-ddp"


typedef struct ddp_run {
    cb_session_t *s;       /* comm, transport, context, results (the skeleton's) */
    cb_ddp_bench_opts_t o; /* a copy of s->opts */
    cb_bench_opts_t ar;    /* effort of the all-reduces measured here */
    cb_ddp_config_t cfg;
    int nranks;            /* N: data-parallel workers */
    cb_dtype_t ar_dtype;   /* element type all-reduced */
    const cb_ddp_engine_ops_t *eng;
    void *es;
    /* rank 0: the model's all-reduce curve */
    cb_ddp_curve_t curve;
    int have_curve;
    char curve_desc[1400];
    int rank0;
} ddp_run_t;

/* One measured T1 (rank 0 holds the statistics; every rank the decision). */
typedef struct ddp_point {
    double step_ms;             /* asked */
    cb_stats_t t1, tn;          /* us */
    double speedup, efficiency;
    double model_tn_us, model_speedup, model_err_pct;
    cb_ddp_timeline_t tl;       /* the model's, rank 0 */
    double *ready, *ar0, *ar1;  /* rank 0's last DDP step */
    size_t nbuckets;
} ddp_point_t;

static int agree(ddp_run_t *d, int rc)
{
    return cb_prog_agree(d->s, rc);
}

/* ------------------------------------------------------------ start-up */

/* Rank 0: the curve from --allreduce-csv. Exit code (0 ok, 2 bad input). */
static int load_curve(ddp_run_t *d)
{
    cb_table_t t;
    cb_table_init(&t);
    char err[1024] = "";
    int code = 0;
    int rc = cb_table_read(&t, d->o.allreduce_csv, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, PROG ": --allreduce-csv: %s\n", err[0] ? err : cb_strerror(rc));
        code = rc == CB_ERR_NOMEM ? 3 : 2;
        goto out;
    }
    cb_ddp_source_t src;
    rc = cb_ddp_bench_curve(&t, d->s->comm.nnodes, d->nranks, d->s->tp->name, &d->curve, &src);
    if (rc == CB_ERR_INPUT) {
        fprintf(stderr,
                PROG ": --allreduce-csv %s: %s all-reduce rows (benchmark=allreduce, status=ok) "
                     "with nodes=%d, ranks=%d, transport=%s; the model needs at least 2 sizes\n",
                d->o.allreduce_csv, src.rows ? "only one size among the" : "no",
                d->s->comm.nnodes, d->nranks, d->s->tp->name);
        code = 2;
        goto out;
    }
    if (rc < 0) {
        fprintf(stderr, PROG ": --allreduce-csv: %s\n", cb_strerror(rc));
        code = cb_error_exit_code(rc);
        goto out;
    }
    d->have_curve = 1;
    char a[32], b[32];
    snprintf(d->curve_desc, sizeof d->curve_desc, "from %s: %zu rows, %zu sizes %s..%s (%s, %s)",
             d->o.allreduce_csv, src.rows, src.sizes, cb_size_human(src.min_bytes, a, sizeof a),
             cb_size_human(src.max_bytes, b, sizeof b), src.transport, src.placement);
out:
    cb_table_free(&t);
    return code;
}

/* ------------------------------------------------------------ rows */

static void fill_row(ddp_run_t *d, cb_row_t *row, const char *metric, double value,
                     const char *unit, const cb_stats_t *st, int iters, const char *status,
                     const char *note)
{
    cb_session_t *s = d->s;
    cb_row_init(row, &s->ctx);
    cb_row_set_str(row, CB_COL_BENCHMARK, "ddp");
    cb_row_set_str(row, CB_COL_TRANSPORT, s->tp->name);
    cb_row_set_str(row, CB_COL_MEMORY, s->tp->memory);
    cb_row_set_str(row, CB_COL_DTYPE, cb_dtype_name(d->ar_dtype));
    cb_row_set_str(row, CB_COL_OP, d->o.overlap ? "overlap" : "no-overlap");
    cb_row_set_int(row, CB_COL_BYTES, (long long)d->o.grad_bytes);
    if (st && iters > 0) {
        cb_row_set_int(row, CB_COL_ITERS, iters);
        cb_row_set_int(row, CB_COL_WARMUP_ITERS, d->o.common.warmup_iters);
        cb_row_set_stats(row, st);
    }
    cb_row_set_str(row, CB_COL_METRIC, metric);
    cb_row_set_num(row, CB_COL_VALUE, value);
    cb_row_set_str(row, CB_COL_UNIT, unit);
    cb_row_set_str(row, CB_COL_STATUS, status);
    cb_row_set_str(row, CB_COL_NOTE, note);
}

static int put_row(ddp_run_t *d, const char *metric, double value, const char *unit,
                   const cb_stats_t *st, int iters, const char *status, const char *note)
{
    if (!d->rank0)
        return CB_OK;
    cb_row_t row;
    fill_row(d, &row, metric, value, unit, st, iters, status, note);
    int rc = cb_results_write(d->s->res, &row);
    cb_row_clear(&row);
    if (rc)
        fprintf(stderr, PROG ": writing %s: %s\n", cb_results_path(d->s->res), cb_strerror(rc));
    return rc;
}

/* ------------------------------------------------------------ all-reduce */

/* Measure each distinct bucket size (collective); rank 0 builds the curve. */
static int measure_allreduce(ddp_run_t *d)
{
    cb_session_t *s = d->s;
    uint64_t *sizes = NULL;
    size_t n = 0;
    size_t esz = cb_dtype_size(d->ar_dtype);
    int rc = cb_ddp_bench_probe_sizes(&d->cfg, esz, &sizes, &n);
    if (rc)
        return rc;
    double *bx = calloc(n, sizeof *bx), *ty = calloc(n, sizeof *ty);
    if (!bx || !ty) {
        rc = CB_ERR_NOMEM;
        goto out;
    }
    if (d->rank0) {
        printf("# all-reduce of every bucket size first (in place, %s, %g s each, as cb-allreduce "
               "measures):\n#\n# %12s %6s %12s %12s %10s %10s %8s\n",
               cb_dtype_name(d->ar_dtype), d->ar.time_per_size_s, "size(B)", "iters",
               "median_us", "mean_us", "algbw_GB/s", "busbw_GB/s", "#wrong");
        fflush(stdout);
    }
    for (size_t i = 0; i < n; i++) {
        cb_run_t r = {.opts = &d->ar, .comm = &s->comm, .tp = s->tp, .tps = s->tps,
                      .dtype = d->ar_dtype, .in_place = 1, .bytes = sizes[i],
                      .count = (size_t)(sizes[i] / esz), .active = 1};
        cb_measure_t m;
        double t0 = cb_timer_now_us();
        rc = cb_bench_measure(s, &cb_bench_allreduce, &r, &m);
        const char *status = rc ? "failed" : m.wrong ? "failed" : "ok";
        char note[160];
        if (rc)
            snprintf(note, sizeof note, "measured by cb-ddp for its buckets: %s", cb_strerror(rc));
        else if (m.wrong)
            snprintf(note, sizeof note, "measured by cb-ddp for its buckets: %llu wrong elements",
                     (unsigned long long)m.wrong);
        else
            snprintf(note, sizeof note, "measured by cb-ddp for its buckets");
        if (d->rank0) {
            cb_bench_write_row(s, &cb_bench_allreduce, &r, &m, status, note);
            if (!rc)
                printf("  %12llu %6d %12.1f %12.1f %10.3f %10.3f %8llu\n",
                       (unsigned long long)sizes[i], m.iters, m.time_us.median, m.time_us.mean,
                       m.algbw_gbps, m.busbw_gbps, (unsigned long long)m.wrong);
            fflush(stdout);
            char a[32], text[128];
            snprintf(text, sizeof text, "all-reduce %s: %d iters, median %.1f us",
                     cb_size_human((double)sizes[i], a, sizeof a), m.iters, m.time_us.median);
            cb_prog_progress(s, i + 1, n, text, t0);
        }
        if (rc)
            goto out;
        if (m.wrong) {
            s->failures++;
            rc = CB_ERR_CHECK;
            goto out;
        }
        bx[i] = (double)sizes[i];
        ty[i] = m.time_us.median;
    }
    if (d->rank0) {
        rc = cb_ddp_curve_init(&d->curve, bx, ty, n);
        d->have_curve = rc == CB_OK;
        char a[32], b[32];
        snprintf(d->curve_desc, sizeof d->curve_desc,
                 "measured here: %zu sizes %s..%s (%s, in-place)", n,
                 cb_size_human(bx[0], a, sizeof a), cb_size_human(bx[n - 1], b, sizeof b),
                 s->tp->name);
        printf("#\n");
    }
    rc = agree(d, rc);
out:
    free(sizes);
    free(bx);
    free(ty);
    return rc;
}

/* ------------------------------------------------------------ steps */

/* Run warm-up + timed steps of one kind on all ranks; rank 0 gets the
 * statistics (slowest rank per step) and, when given, its last step's trace. */
static int run_steps(ddp_run_t *d, const cb_ddp_bench_sched_t *sc, int comm, cb_stats_t *out,
                     cb_ddp_step_trace_t *trace)
{
    cb_session_t *s = d->s;
    int iters = d->o.iters, rc = CB_OK;
    double *samples = calloc((size_t)iters, sizeof *samples);
    double *all = NULL, *per = NULL;
    if (d->rank0) {
        all = calloc((size_t)iters * (size_t)s->comm.size, sizeof *all);
        per = calloc((size_t)iters, sizeof *per);
    }
    if (!samples || (d->rank0 && (!all || !per)))
        rc = CB_ERR_NOMEM;
    if ((rc = agree(d, rc)))
        goto out;
    for (int i = 0; i < d->o.common.warmup_iters + iters && rc == CB_OK; i++) {
        double t = 0;
        if ((rc = cb_comm_barrier(&s->comm)))
            break;
        int timed = i - d->o.common.warmup_iters;
        rc = d->eng->step(d->es, sc, comm, d->o.overlap, &t,
                          timed == iters - 1 && d->rank0 ? trace : NULL);
        if (timed >= 0)
            samples[timed] = t;
    }
    if ((rc = agree(d, rc)))
        goto out;
    if ((rc = cb_comm_gather(&s->comm, samples, (size_t)iters * sizeof *samples, all, 0)))
        goto out;
    if (d->rank0)
        rc = cb_ddp_bench_reduce(all, s->comm.size, iters, per, out);
out:
    free(samples);
    free(all);
    free(per);
    return rc;
}

static void point_free(ddp_point_t *p)
{
    cb_ddp_timeline_free(&p->tl);
    free(p->ready);
    free(p->ar0);
    free(p->ar1);
    p->ready = p->ar0 = p->ar1 = NULL;
}

/* Measure one T1 (collective). *breaks_even (every rank): speedup >= 1. */
static int measure_point(ddp_run_t *d, double step_ms, ddp_point_t *p, int *breaks_even)
{
    memset(p, 0, sizeof *p);
    p->step_ms = step_ms;
    p->model_tn_us = p->model_speedup = p->model_err_pct = NAN;
    cb_ddp_bench_sched_t sc;
    int rc = cb_ddp_bench_schedule(&d->cfg, step_ms * 1e3, cb_dtype_size(d->ar_dtype), &sc);
    if (!rc && d->o.accumulate > 1)
        rc = cb_ddp_bench_schedule_accumulate(&sc, d->o.accumulate);
    if (rc) {
        cb_ddp_bench_schedule_free(&sc);
        return rc;
    }
    p->nbuckets = sc.nbuckets;
    cb_ddp_step_trace_t trace = {0};
    if (d->rank0) {
        p->ready = calloc(sc.nbuckets, sizeof *p->ready);
        p->ar0 = calloc(sc.nbuckets, sizeof *p->ar0);
        p->ar1 = calloc(sc.nbuckets, sizeof *p->ar1);
        if (!p->ready || !p->ar0 || !p->ar1)
            rc = CB_ERR_NOMEM;
        trace = (cb_ddp_step_trace_t){p->ready, p->ar0, p->ar1};
    }
    if ((rc = agree(d, rc)))
        goto out;
    /* The single-node baseline: every rank alone, no communication. */
    if ((rc = run_steps(d, &sc, 0, &p->t1, NULL)))
        goto out;
    if (d->nranks > 1) {
        if ((rc = run_steps(d, &sc, 1, &p->tn, &trace)))
            goto out;
    } else {
        p->tn = p->t1; /* one rank: nothing to communicate, T_N = T1 */
    }
    int be = 0;
    if (d->rank0) {
        double t1 = p->t1.median, tn = p->tn.median;
        p->speedup = d->nranks * t1 / tn;
        p->efficiency = t1 / tn;
        be = p->speedup >= 1.0;
        /* The model at the measured T1 (of one micro-step: the accumulated
         * baseline over k); with k > 1 breakeven --what-if-k's T_N(k). */
        int k = d->o.accumulate;
        cb_ddp_accum_t acc;
        int mrc = cb_ddp_accum_step(&d->cfg, d->have_curve ? &d->curve : NULL, d->nranks,
                                    t1 / k, k, &acc, &p->tl);
        if (mrc == CB_OK) {
            p->model_tn_us = acc.ddp_step_us;
            p->model_speedup = acc.speedup;
            p->model_err_pct = cb_ddp_bench_error_pct(p->model_tn_us, tn);
        }
    }
    cb_comm_bcast(&d->s->comm, &be, sizeof be, 0);
    *breaks_even = be;
out:
    cb_ddp_bench_schedule_free(&sc);
    return rc;
}

static void note_for(const ddp_run_t *d, double step_ms, const char *extra, char *buf, size_t len)
{
    char acc[32] = "";
    if (d->o.accumulate > 1)
        snprintf(acc, sizeof acc, "accumulate=%d; ", d->o.accumulate);
    snprintf(buf, len, "step_ms=%g; %s%s%s%s%s", step_ms, acc, d->eng->compute,
             d->nranks == 1 ? "; 1 rank: no communication, T_N = T1" : "", extra ? "; " : "",
             extra ? extra : "");
}

static int write_point(ddp_run_t *d, const ddp_point_t *p, const char *extra)
{
    char note[256];
    note_for(d, p->step_ms, extra, note, sizeof note);
    int it = d->o.iters;
    int rc = 0;
    rc |= put_row(d, "t1_ms", p->t1.median / 1e3, "ms", &p->t1, it, "ok", note);
    rc |= put_row(d, "tn_ms", p->tn.median / 1e3, "ms", &p->tn, it, "ok", note);
    rc |= put_row(d, "speedup", p->speedup, "x", NULL, 0, "ok", note);
    rc |= put_row(d, "efficiency", p->efficiency, "ratio", NULL, 0, "ok", note);
    rc |= put_row(d, "model_tn_ms", p->model_tn_us / 1e3, "ms", NULL, 0, "ok", note);
    rc |= put_row(d, "model_speedup", p->model_speedup, "x", NULL, 0, "ok", note);
    rc |= put_row(d, "model_error_pct", p->model_err_pct, "%", NULL, 0, "ok", note);
    return rc ? CB_ERR_IO : CB_OK;
}

static void print_table_header(void)
{
    printf("# %9s %7s %4s %9s %10s %10s %8s %10s %11s %10s  %s\n", "G", "buckets", "N", "step_ms",
           "t1_ms", "tn_ms", "speedup", "efficiency", "model_tn_ms", "model_err", "verdict");
}

static void print_point(const ddp_run_t *d, const ddp_point_t *p)
{
    char g[32];
    cb_ddp_verdict_t v = cb_ddp_verdict(p->speedup, p->efficiency, d->o.threshold);
    printf("  %9s %7zu %4d %9g %10.3f %10.3f %8.3f %9.1f%% %11.3f %+9.1f%%  %s\n",
           cb_size_human((double)d->o.grad_bytes, g, sizeof g), p->nbuckets, d->nranks, p->step_ms,
           p->t1.median / 1e3, p->tn.median / 1e3, p->speedup, 100 * p->efficiency,
           p->model_tn_us / 1e3, p->model_err_pct, cb_ddp_verdict_text(v));
    fflush(stdout);
}

static void print_timeline(const ddp_run_t *d, const ddp_point_t *p)
{
    if (!p->tl.buckets || !p->ready || d->nranks == 1)
        return;
    /* With accumulation, the last micro-step's (the model's timeline is of
     * it alone; the measured times move back by the k-1 before it). */
    int k = d->o.accumulate;
    double off = (k - 1) * p->step_ms * 1e3;
    if (k > 1)
        printf("#   timeline of the last of %d micro-steps of rank 0's last DDP step at T1 %g ms "
               "(ms from that micro-step's start; measured / model):\n", k, p->step_ms);
    else
        printf("#   timeline of rank 0's last DDP step at T1 %g ms (ms from its start; "
               "measured / model):\n", p->step_ms);
    printf("#   %6s %12s %19s %19s %19s %19s\n", "bucket", "bytes", "ready", "ar_start", "ar_end",
           "allreduce_ms");
    for (size_t i = 0; i < p->nbuckets && i < p->tl.nbuckets; i++) {
        const cb_ddp_bucket_t *b = &p->tl.buckets[i];
        printf("#   %6zu %12llu %9.3f/%9.3f %9.3f/%9.3f %9.3f/%9.3f %9.3f/%9.3f\n", i + 1,
               (unsigned long long)b->bytes, (p->ready[i] - off) / 1e3, b->ready_us / 1e3,
               (p->ar0[i] - off) / 1e3, b->start_us / 1e3, (p->ar1[i] - off) / 1e3,
               b->end_us / 1e3, (p->ar1[i] - p->ar0[i]) / 1e3, b->allreduce_us / 1e3);
    }
    fflush(stdout);
}

/* Forecast of measuring one T1 (rank 0 computes it from the model, every
 * rank gets it): the baseline and the DDP steps. */
static double forecast_us(ddp_run_t *d, double step_ms)
{
    double f = 0;
    if (d->rank0) {
        int k = d->o.accumulate;
        double t1 = k * step_ms * 1e3, tn = t1;
        cb_ddp_accum_t acc;
        if (d->nranks > 1 && cb_ddp_accum_step(&d->cfg, d->have_curve ? &d->curve : NULL,
                                               d->nranks, step_ms * 1e3, k, &acc,
                                               NULL) == CB_OK)
            tn = acc.ddp_step_us;
        int steps = d->o.common.warmup_iters + d->o.iters;
        f = steps * (t1 + (d->nranks > 1 ? tn : 0));
    }
    cb_comm_bcast(&d->s->comm, &f, sizeof f, 0);
    return f;
}

static int fits_budget(ddp_run_t *d, double forecast)
{
    return !cb_prog_over_budget(d->s, forecast);
}

/* measure_point under the watchdog: a hang longer than 60 s + 20x the
 * forecast aborts the job, the T1 marked "timeout" in the CSV. */
static int measure_watched(ddp_run_t *d, double ms, double forecast, const char *extra,
                           ddp_point_t *p, int *be)
{
    char what[96], tnote[256], snote[256], why[160];
    snprintf(what, sizeof what, "the DDP step at T1 %g ms", ms);
    snprintf(why, sizeof why, "%s%swatchdog: did not finish in time", extra ? extra : "",
             extra ? "; " : "");
    note_for(d, ms, why, tnote, sizeof tnote);
    snprintf(why, sizeof why, "%s%sinterrupted: the job was killed while measuring",
             extra ? extra : "", extra ? "; " : "");
    note_for(d, ms, why, snote, sizeof snote);
    cb_row_t row;
    if (d->rank0)
        fill_row(d, &row, "tn_ms", NAN, "ms", NULL, 0, "timeout", tnote);
    cb_prog_point_begin(d->s, d->rank0 ? &row : NULL, tnote, snote, forecast / 1e6, what);
    if (d->rank0)
        cb_row_clear(&row);
    int rc = measure_point(d, ms, p, be);
    cb_prog_point_end(d->s);
    return rc;
}

static int run_list(ddp_run_t *d)
{
    int rc = CB_OK;
    if (d->rank0 && d->o.nsteps > 0) {
        printf("#\n");
        print_table_header();
        fflush(stdout);
    }
    for (int i = 0; i < d->o.nsteps; i++) {
        double ms = d->o.step_ms[i];
        double fc = forecast_us(d, ms);
        if (!fits_budget(d, fc)) {
            if (d->rank0) {
                char note[256];
                note_for(d, ms, "skipped: total time budget (--total-time) reached", note,
                         sizeof note);
                put_row(d, "tn_ms", NAN, "ms", NULL, 0, "skipped", note);
                printf("  (T1 %g ms skipped: --total-time reached)\n", ms);
            }
            char what[64];
            snprintf(what, sizeof what, "T1 %g ms", ms);
            cb_prog_skip_note(d->s, what);
            continue;
        }
        double t0 = cb_timer_now_us();
        ddp_point_t p;
        int be;
        rc = measure_watched(d, ms, fc, NULL, &p, &be);
        if (rc == CB_OK && d->rank0) {
            print_point(d, &p);
            if (d->o.timeline)
                print_timeline(d, &p);
            if (write_point(d, &p, NULL))
                d->s->failures++;
            char text[160];
            snprintf(text, sizeof text, "T1 %g ms: T_N %.3f ms (model %.3f)", ms,
                     p.tn.median / 1e3, p.model_tn_us / 1e3);
            cb_prog_progress(d->s, (size_t)i + 1, (size_t)d->o.nsteps, text, t0);
        }
        point_free(&p);
        if (rc) {
            if (d->rank0) {
                char note[256], why[128];
                snprintf(why, sizeof why, "failed: %s", cb_strerror(rc));
                note_for(d, ms, why, note, sizeof note);
                put_row(d, "tn_ms", NAN, "ms", NULL, 0, "failed", note);
                fprintf(stderr, PROG ": T1 %g ms: %s\n", ms, cb_strerror(rc));
            }
            d->s->failures++;
            return rc;
        }
    }
    return CB_OK;
}

/* ------------------------------------------------------------ sweep */

static int run_sweep(ddp_run_t *d)
{
    double model_be = NAN, lo = NAN, hi = NAN;
    if (d->nranks == 1) {
        if (d->rank0) {
            printf("#\n# sweep: 1 rank: no communication, every T1 breaks even; nothing to "
                   "search\n");
            put_row(d, "breakeven_t1_ms", 0, "ms", NULL, 0, "ok",
                    "sweep; 1 rank: no communication");
            put_row(d, "model_breakeven_t1_ms", 0, "ms", NULL, 0, "ok",
                    "sweep; 1 rank: no communication");
        }
        return CB_OK;
    }
    int rc = CB_OK;
    if (d->rank0) {
        double be_us = NAN;
        if (d->have_curve &&
            cb_ddp_breakeven_step(&d->cfg, &d->curve, d->nranks, &be_us) == CB_OK)
            model_be = be_us / 1e3;
        lo = !isnan(d->o.sweep_lo_ms) ? d->o.sweep_lo_ms
             : model_be > 0            ? model_be / 3
                                       : 1.0;
        hi = !isnan(d->o.sweep_hi_ms) ? d->o.sweep_hi_ms
             : model_be > 0            ? model_be * 3
                                       : 10000.0;
        if (lo > CB_DDP_BENCH_MAX_STEP_MS / 3)
            lo = CB_DDP_BENCH_MAX_STEP_MS / 3;
        if (hi > CB_DDP_BENCH_MAX_STEP_MS)
            hi = CB_DDP_BENCH_MAX_STEP_MS;
    }
    double buf[3] = {model_be, lo, hi};
    cb_comm_bcast(&d->s->comm, buf, sizeof buf, 0);
    model_be = buf[0], lo = buf[1], hi = buf[2];
    cb_ddp_bench_bisect_t b;
    if ((rc = cb_ddp_bench_bisect_init(&b, lo * 1e3, hi * 1e3, model_be * 1e3, d->o.sweep_probes,
                                       0.05)))
        return rc;
    if (d->rank0) {
        printf("#\n# sweep: measured break-even T1 (smallest T1 with speedup >= 1) by bisection "
               "in %g..%g ms, at most %d probes, first at the model's %.3f ms\n",
               lo, hi, d->o.sweep_probes, model_be);
        print_table_header();
        fflush(stdout);
    }
    int cut = 0;
    while (!cb_ddp_bench_bisect_done(&b)) {
        double t_ms = cb_ddp_bench_bisect_next(&b) / 1e3;
        double fc = forecast_us(d, t_ms);
        if (!fits_budget(d, fc)) {
            cut = 1;
            char what[96];
            snprintf(what, sizeof what, "the rest of the sweep (it stops after %d probes)",
                     b.probes);
            cb_prog_skip_note(d->s, what);
            break;
        }
        ddp_point_t p;
        int be = 0;
        char extra[64];
        snprintf(extra, sizeof extra, "sweep probe %d/%d", b.probes + 1, d->o.sweep_probes);
        rc = measure_watched(d, t_ms, fc, extra, &p, &be);
        if (rc == CB_OK && d->rank0) {
            printf("  probe %d: T1 %.3f ms -> %s\n", b.probes + 1, t_ms,
                   be ? "breaks even" : "does not break even");
            print_point(d, &p);
            if (d->o.timeline)
                print_timeline(d, &p);
            if (write_point(d, &p, extra))
                d->s->failures++;
        }
        point_free(&p);
        if (rc) {
            d->s->failures++;
            return rc;
        }
        cb_ddp_bench_bisect_result(&b, t_ms * 1e3, be);
    }
    if (d->rank0) {
        double ans = cb_ddp_bench_bisect_answer(&b) / 1e3;
        char note[256];
        snprintf(note, sizeof note, "sweep; %d probes; bracket %.3f..%.3f ms%s%s%s", b.probes,
                 b.lo_us / 1e3, b.hi_us / 1e3,
                 b.lo_seen ? "" : "; lower end not measured (may lie below)",
                 b.hi_seen ? "" : "; upper end not measured (may lie above)",
                 cut ? "; cut by --total-time" : "");
        printf("# measured break-even T1 %.3f ms (bracket %.3f..%.3f ms%s%s); model %.3f ms "
               "(error %+.1f%%)\n",
               ans, b.lo_us / 1e3, b.hi_us / 1e3, b.lo_seen ? "" : ", lower end not measured",
               b.hi_seen ? "" : ", upper end not measured", model_be,
               cb_ddp_bench_error_pct(model_be, ans));
        put_row(d, "breakeven_t1_ms", ans, "ms", NULL, 0, "ok", note);
        put_row(d, "model_breakeven_t1_ms", model_be, "ms", NULL, 0, "ok", "sweep; model");
        fflush(stdout);
    }
    return CB_OK;
}

/* ------------------------------------------------------------ main */

static void print_setup(const ddp_run_t *d, const cb_ddp_bench_sched_t *sc)
{
    char a[32], b[32], c[32];
    size_t n = sc->nbuckets;
    printf("# gradients: %s = %llu B (%s); %zu bucket%s: first %s", cb_size_human((double)d->o.grad_bytes, a, sizeof a),
           (unsigned long long)d->o.grad_bytes, d->o.grad_desc, n, n == 1 ? "" : "s",
           cb_size_human((double)sc->bytes[0], b, sizeof b));
    if (n > 2)
        printf(", then %s each", cb_size_human((double)d->cfg.bucket_bytes, c, sizeof c));
    if (n > 1)
        printf(", last %s", cb_size_human((double)sc->bytes[n - 1], c, sizeof c));
    printf("\n# step: forward %.1f%% of T1, then backward %.1f%% in %zu chunk%s (one per bucket); "
           "all-reduce %s\n",
           100 * (1 - d->cfg.bwd_frac), 100 * d->cfg.bwd_frac, n, n == 1 ? "" : "s",
           d->o.overlap ? "overlapped with backward (one communication stream)"
                        : "after backward, back to back (--no-overlap)");
    if (d->o.accumulate > 1)
        printf("# gradient accumulation: %d micro-steps of T1 per all-reduce, the first %d "
               "without communication (no_sync), the all-reduces overlapping the last one's "
               "backward only; t1_ms and tn_ms per accumulated step (%d micro-steps), step_ms "
               "a micro-step's T1\n",
               d->o.accumulate, d->o.accumulate - 1, d->o.accumulate);
    printf("# %s\n", d->eng->how);
    printf("# heap: %s\n", d->s->kept_heap
                                ? "freed memory kept in the process (M_TRIM_THRESHOLD 1 GiB, "
                                  "M_MMAP_THRESHOLD 32 MiB): all-reduce buffers are not faulted in "
                                  "again on every call"
                                : "glibc's settings from the environment (MALLOC_*_, GLIBC_TUNABLES)");
    printf("# %d timed step%s per T1 after %d warm-up; T1 and T_N: the slowest rank per step, "
           "median over steps\n",
           d->o.iters, d->o.iters == 1 ? "" : "s", d->o.common.warmup_iters);
    if (d->nranks == 1)
        printf("# 1 rank: no communication, so T_N = T1 and the speedup is 1\n");
    fflush(stdout);
}

/* After the communicator and the transport's choice: the engine, the MPI
 * thread level it needs, the all-reduce curve of --allreduce-csv. */
static int prepare(cb_session_t *s)
{
    ddp_run_t *d = calloc(1, sizeof *d);
    if (!d)
        return 3;
    s->state = d;
    d->s = s;
    d->o = *(const cb_ddp_bench_opts_t *)s->opts;
    cb_ddp_bench_config(&d->o, &d->cfg);
    d->rank0 = s->comm.rank == 0;
    d->nranks = s->comm.size;
#ifdef CB_HAVE_NCCL
    d->eng = !strcmp(s->tp->name, "nccl") ? &cb_ddp_engine_gpu : &cb_ddp_engine_cpu;
#else
    d->eng = &cb_ddp_engine_cpu;
#endif
    d->ar_dtype = d->eng == &cb_ddp_engine_cpu ? CB_DT_FLOAT : d->o.grad_dtype;
    if (d->eng == &cb_ddp_engine_cpu && d->nranks > 1 && s->threads < CB_COMM_THREADS_SERIALIZED) {
        if (d->rank0)
            fprintf(stderr,
                    PROG ": the MPI library provides thread level %s; the communication "
                         "thread needs MPI_THREAD_SERIALIZED or MULTIPLE\n",
                    cb_comm_threads_name(s->threads));
        return 3;
    }
    /* Effort of the all-reduces measured here (cb_bench_measure's adaptive
     * method, as cb-allreduce uses it). */
    memset(&d->ar, 0, sizeof d->ar);
    d->ar.common.warmup_iters = 2;
    d->ar.min_iters = 3;
    d->ar.max_iters = 50;
    d->ar.time_per_size_s = d->o.ar_time_s;
    d->ar.common.check = 1;
    d->ar.common.quiet = d->o.common.quiet;
    if (d->rank0 && d->o.allreduce_csv[0] && d->nranks > 1)
        return load_curve(d);
    return 0;
}

static void cleanup(cb_session_t *s)
{
    ddp_run_t *d = s->state;
    if (!d)
        return;
    if (d->es)
        d->eng->destroy(d->es);
    cb_ddp_curve_free(&d->curve);
    free(d);
    s->state = NULL;
}

static int run(cb_session_t *s)
{
    ddp_run_t *d = s->state;
    cb_ddp_bench_sched_t sc;
    int rc = cb_ddp_bench_schedule(&d->cfg, 1000.0, cb_dtype_size(d->ar_dtype), &sc);
    if (rc)
        goto fail;
    if (d->rank0)
        print_setup(d, &sc);
    if (d->nranks > 1 && !d->o.allreduce_csv[0])
        rc = measure_allreduce(d);
    if (rc)
        goto fail;
    if (d->rank0 && d->nranks > 1)
        printf("# model: all-reduce curve of N=%d %s\n", d->nranks, d->curve_desc);
    /* The GPU engine has its own NCCL communicator: free the transport's. */
    if (d->eng != &cb_ddp_engine_cpu && s->tps) {
        s->tp->destroy(s->tps);
        s->tps = NULL;
    }
    cb_ddp_engine_args_t ea = {.comm = &s->comm, .tp = s->tp, .tps = s->tps,
                               .dtype = d->ar_dtype, .buffer_bytes = sc.buffer_bytes,
                               .realtime = d->o.realtime};
    rc = d->eng->create(&ea, &d->es);
    if (rc && d->rank0)
        fprintf(stderr, PROG ": cannot start the %s step engine: %s\n", d->eng->name,
                cb_strerror(rc));
    if ((rc = agree(d, rc)))
        goto fail;
    if (d->rank0 && d->eng->describe) {
        char how[256];
        d->eng->describe(d->es, how, sizeof how);
        printf("# %s (rank 0)\n", how);
    }
    rc = run_list(d);
    if (!rc && d->o.sweep)
        rc = run_sweep(d);
    if (rc)
        goto fail;
    goto out;
fail:
    s->failures++;
out:
    cb_ddp_bench_schedule_free(&sc);
    if (d->rank0 && s->failures)
        fprintf(stderr, PROG ": failed (%s)\n", rc ? cb_strerror(rc) : "see above");
    return 0;
}

static int parse(int argc, char **argv, void *opts, FILE *out, char *err, size_t errlen)
{
    return cb_ddp_bench_parse_args(argc, argv, opts, out, err, errlen);
}

static const cb_prog_desc_t cb_ddp_prog = {
    .name = PROG,
    .flags = CB_PROG_TRANSPORT | CB_PROG_TOPO_ROWS | CB_PROG_ENV_ROWS | CB_PROG_KEEP_HEAP,
    .threads = CB_COMM_THREADS_MULTIPLE,
    .opts_size = sizeof(cb_ddp_bench_opts_t),
    .common_offset = offsetof(cb_ddp_bench_opts_t, common),
    .parse = parse,
    .prepare = prepare,
    .run = run,
    .cleanup = cleanup,
};

int cb_ddp_bench_main(int argc, char **argv)
{
    return cb_prog_main(&cb_ddp_prog, argc, argv);
}
