/* test_ddp_calib: the DDP model's calibration terms (common/cb_ddp.h: the
 * reducer's tail O and the in-DDP all-reduce scale sigma) on hand-computed
 * timelines and break-evens, the fits (tail, sigma) on exact data, and the
 * whole path from cb-ddp-torch rows in a results CSV to a calibration and
 * predictions (common/ddp_calib.c). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_ddp.h"
#include "cb_error.h"
#include "cb_results.h"
#include "cb_test.h"

#define MiB ((uint64_t)1 << 20)

/* T_ar(s) = 10 us + 1 us per MiB, exactly (two points on the line). */
static void linear_curve(cb_ddp_curve_t *c)
{
    const double b[] = {0, (double)(1024 * MiB)};
    const double t[] = {10, 10 + 1024};
    assert_int_equal(cb_ddp_curve_init(c, b, t, 2), CB_OK);
}

/* G = 100 MiB (buckets 1, 25, 25, 25, 24 MiB: T_ar 11, 35, 35, 35, 34 us),
 * f_b = 0.75, sigma = 2 (an all-reduce takes twice as long while backward
 * runs), tail 1 us/MiB x G + 2 us x 5 buckets = 110 us. */
static void calibrated_100mib(cb_ddp_config_t *cfg)
{
    cb_ddp_config_default(cfg, 100 * MiB);
    cfg->bwd_frac = 0.75;
    cfg->ar_scale = 2.0;
    cfg->tail_us_per_byte = 1.0 / (double)MiB;
    cfg->tail_us_per_bucket = 2.0;
}

static void test_ddp_calib_timeline_terms(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    linear_curve(&c);
    cb_ddp_config_t cfg;
    calibrated_100mib(&cfg);
    cb_ddp_timeline_t tl;
    /* T1 = 1000: fwd 250, bwd 750; ready 257.5, 445, 632.5, 820, 1000. The
     * first four run during backward at half speed (22, 70, 70, 70): ends
     * 279.5, 515, 702.5, 890; the last starts at 1000, after backward, at
     * full speed: 1034. T_N = 1034 + 110. */
    assert_int_equal(cb_ddp_step_time(&cfg, &c, 2, 1000, &tl), CB_OK);
    assert_double_equal(tl.buckets[1].allreduce_us, 70, 1e-9);
    assert_double_equal(tl.buckets[2].start_us, 632.5, 1e-9);
    assert_double_equal(tl.buckets[3].end_us, 890, 1e-9);
    assert_double_equal(tl.buckets[4].allreduce_us, 34, 1e-9);
    assert_double_equal(tl.buckets[4].end_us, 1034, 1e-9);
    assert_double_equal(tl.allreduce_us_total, 266, 1e-9);
    assert_double_equal(tl.tail_us, 110, 1e-9);
    assert_double_equal(tl.ddp_step_us, 1144, 1e-9);
    assert_double_equal(tl.exposed_comm_us, 34, 1e-9);
    assert_double_equal(tl.speedup, 2000.0 / 1144.0, 1e-12);
    cb_ddp_timeline_free(&tl);
    /* T1 = 250: fwd 62.5; ready 64.375, 111.25, 158.125, 205, 250. Bucket 1
     * ends 86.375, bucket 2 181.25; bucket 3 starts at 181.25 and runs 68.75
     * us at half speed until backward ends (34.375 us of its 35 done), the
     * rest at full speed: ends 250.625; then 285.625, 319.625; + 110. */
    assert_int_equal(cb_ddp_step_time(&cfg, &c, 2, 250, &tl), CB_OK);
    assert_double_equal(tl.buckets[1].end_us, 181.25, 1e-9);
    assert_double_equal(tl.buckets[2].end_us, 250.625, 1e-9);
    assert_double_equal(tl.buckets[2].allreduce_us, 69.375, 1e-9);
    assert_double_equal(tl.buckets[4].end_us, 319.625, 1e-9);
    assert_double_equal(tl.ddp_step_us, 429.625, 1e-9);
    cb_ddp_timeline_free(&tl);
    /* One node: no communication and no reducer tail. */
    assert_int_equal(cb_ddp_step_time(&cfg, NULL, 1, 1000, &tl), CB_OK);
    assert_double_equal(tl.ddp_step_us, 1000, 0);
    assert_double_equal(tl.tail_us, 0, 0);
    cb_ddp_timeline_free(&tl);
    cb_ddp_curve_free(&c);
}

static void test_ddp_calib_breakeven_terms(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    linear_curve(&c);
    cb_ddp_config_t cfg;
    calibrated_100mib(&cfg);
    double be;
    /* Near the break-even bucket 2 ends within backward (at 0.445 T1 + 70),
     * bucket 3 starts there and straddles the end of backward, buckets 4
     * and 5 follow at full speed: T_N = (0.445 T1 + 70)/2 + T1/2 + 35 + 35
     * + 34 + 110 = 0.7225 T1 + 249, so 2 T1 = T_N at T1 = 249 / 1.2775
     * (found by bisection between the closed forms at sigma 1 and 2). */
    assert_int_equal(cb_ddp_breakeven_step(&cfg, &c, 2, &be), CB_OK);
    assert_double_equal(be, 249.0 / 1.2775, 1e-9);
    cb_ddp_timeline_t tl;
    assert_int_equal(cb_ddp_step_time(&cfg, &c, 2, be, &tl), CB_OK);
    assert_double_equal(tl.ddp_step_us, 2 * be, 1e-6); /* speedup exactly 1 there */
    cb_ddp_timeline_free(&tl);
    /* No overlap: the all-reduces run after backward, at full speed: one
     * chain T_N = T1 + 150 + 110. */
    cfg.overlap = 0;
    assert_int_equal(cb_ddp_breakeven_step(&cfg, &c, 2, &be), CB_OK);
    assert_double_equal(be, 260, 1e-9);
    /* A tail alone makes efficiency 1 unreachable; 0.5 needs T1 >= O/(2-1)
     * and each chain's (b_j + O)/(2 - a_j). */
    cfg.overlap = 1;
    double thr;
    assert_int_equal(cb_ddp_threshold_step(&cfg, &c, 2, 1.0, &thr), CB_OK);
    assert_true(isinf(thr));
    /* Uncalibrated, the same config's break-even is the pure one's (b_j/(2-a_j)). */
    cb_ddp_config_default(&cfg, 100 * MiB);
    cfg.bwd_frac = 0.75;
    assert_int_equal(cb_ddp_breakeven_step(&cfg, &c, 2, &be), CB_OK);
    assert_double_equal(be, 139.0 / 1.555, 1e-9);
    cb_ddp_curve_free(&c);
}

static void test_ddp_calib_config_check(void **state)
{
    (void)state;
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, MiB);
    assert_double_equal(cfg.ar_scale, 1, 0);
    assert_double_equal(cfg.tail_us_per_byte, 0, 0);
    assert_int_equal(cb_ddp_config_check(&cfg), CB_OK);
    cfg.ar_scale = 0;
    assert_int_equal(cb_ddp_config_check(&cfg), CB_ERR_USAGE);
    cfg.ar_scale = NAN;
    assert_int_equal(cb_ddp_config_check(&cfg), CB_ERR_USAGE);
    cfg.ar_scale = 1;
    cfg.tail_us_per_byte = -1e-9;
    assert_int_equal(cb_ddp_config_check(&cfg), CB_ERR_USAGE);
    cfg.tail_us_per_byte = 0;
    cfg.tail_us_per_bucket = INFINITY;
    assert_int_equal(cb_ddp_config_check(&cfg), CB_ERR_USAGE);
}

static void test_ddp_calib_fit_tail(void **state)
{
    (void)state;
    /* Exact: 0.4 ms/MiB and 1.5 ms per bucket at 25 MiB (2 buckets) and
     * 100 MiB (5 buckets). */
    double g[] = {25.0 * MiB, 100.0 * MiB, 25.0 * MiB};
    double k[] = {2, 5, 2};
    double o[3];
    for (int i = 0; i < 3; i++)
        o[i] = 400.0 * g[i] / MiB + 1500.0 * k[i];
    double b, kk;
    assert_int_equal(cb_ddp_fit_tail(g, k, o, 3, &b, &kk), CB_OK);
    assert_double_equal(b * MiB, 400, 1e-6);
    assert_double_equal(kk, 1500, 1e-6);
    /* One G/K ratio: no per-bucket term, the per-byte one through the mean. */
    double o1[] = {10000, 12000};
    assert_int_equal(cb_ddp_fit_tail(g, k, o1, 1, &b, &kk), CB_OK);
    assert_double_equal(b * 25.0 * MiB, 10000, 1e-6);
    assert_double_equal(kk, 0, 0);
    /* Exact data of 400 us/MiB and -500 us per bucket: the per-bucket cost
     * is fixed at 0 and the per-byte one refitted through the origin:
     * sum g*o / sum g^2 = (25*9000 + 100*37500 + 25*9000) / (625 + 10000 +
     * 625) = 4200000 / 11250 us/MiB (g in MiB). */
    double on[] = {9000, 37500, 9000};
    assert_int_equal(cb_ddp_fit_tail(g, k, on, 3, &b, &kk), CB_OK);
    assert_double_equal(b * MiB, 4200000.0 / 11250.0, 1e-6);
    assert_double_equal(kk, 0, 0);
    /* DDP faster than plain everywhere (noise): no tail. */
    double neg[] = {-100, -400, -100};
    assert_int_equal(cb_ddp_fit_tail(g, k, neg, 3, &b, &kk), CB_OK);
    assert_double_equal(b, 0, 0);
    assert_double_equal(kk, 0, 0);
    double bad[] = {NAN, 1, 1};
    assert_int_equal(cb_ddp_fit_tail(g, k, bad, 3, &b, &kk), CB_ERR_INPUT);
    assert_int_equal(cb_ddp_fit_tail(g, k, o, 0, &b, &kk), CB_ERR_INPUT);
}

/* Observations made by the model itself with sigma 1.3. */
static void make_obs(cb_ddp_obs_t *obs, const cb_ddp_curve_t *c, const double *t1, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cb_ddp_obs_t *o = &obs[i];
        cb_ddp_config_default(&o->cfg, 100 * MiB);
        o->cfg.tail_us_per_bucket = 3;
        o->curve = c;
        o->nodes = 3;
        o->t1_us = t1[i];
        cb_ddp_config_t truth = o->cfg;
        truth.ar_scale = 1.3;
        cb_ddp_timeline_t tl;
        assert_int_equal(cb_ddp_step_time(&truth, c, 3, t1[i], &tl), CB_OK);
        o->tn_us = tl.ddp_step_us;
        cb_ddp_timeline_free(&tl);
    }
}

static void test_ddp_calib_fit_scale(void **state)
{
    (void)state;
    cb_ddp_curve_t c;
    linear_curve(&c);
    const double t1[] = {50, 120, 400, 1e6};
    cb_ddp_obs_t obs[4];
    make_obs(obs, &c, t1, 4);
    double s;
    size_t inf;
    assert_int_equal(cb_ddp_fit_ar_scale(obs, 4, SIZE_MAX, &s, &inf), CB_OK);
    assert_double_equal(s, 1.3, 1e-5);
    /* At T1 = 400 us and 1 s every all-reduce during backward (at most
     * 1.3 x 35 us) ends before the next bucket is ready (67 us apart at 400
     * us) and the last one runs after backward: T_N does not depend on
     * sigma there. At 50 and 120 us the all-reduces queue: those two inform
     * the fit. */
    assert_int_equal(inf, 2);
    /* Without the first point the one left still says 1.3. */
    assert_int_equal(cb_ddp_fit_ar_scale(obs, 4, 0, &s, &inf), CB_OK);
    assert_double_equal(s, 1.3, 1e-5);
    assert_int_equal(inf, 1);
    /* Nothing to fit: sigma 1. */
    assert_int_equal(cb_ddp_fit_ar_scale(obs, 0, SIZE_MAX, &s, &inf), CB_OK);
    assert_double_equal(s, 1.0, 0);
    assert_int_equal(inf, 0);
    obs[1].nodes = 1;
    assert_int_equal(cb_ddp_fit_ar_scale(obs, 4, SIZE_MAX, &s, &inf), CB_ERR_USAGE);
    cb_ddp_curve_free(&c);
}

/* ---- from a results file ---- */

typedef struct fx {
    char dir[64], path[128];
    cb_results_t *res;
    cb_results_ctx_t ctx;
} fx_t;

static void fx_open(fx_t *f)
{
    snprintf(f->dir, sizeof f->dir, "/tmp/cb-test-calib.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/r.csv", f->dir);
    char err[256];
    assert_int_equal(cb_results_open(f->path, &f->res, err, sizeof err), CB_OK);
    cb_results_ctx_init(&f->ctx, "vc");
}

static void fx_row(fx_t *f, const char *bench, const char *transport, int nodes, double bytes,
                   const char *metric, double value, double median_us, const char *status,
                   const char *note)
{
    cb_row_t row;
    f->ctx.nodes = f->ctx.ranks = nodes;
    cb_row_init(&row, &f->ctx);
    cb_row_set_str(&row, CB_COL_BENCHMARK, bench);
    cb_row_set_str(&row, CB_COL_TRANSPORT, transport);
    if (isfinite(bytes))
        cb_row_set_int(&row, CB_COL_BYTES, (long long)bytes);
    cb_row_set_str(&row, CB_COL_METRIC, metric);
    cb_row_set_num(&row, CB_COL_VALUE, value);
    cb_row_set_num(&row, CB_COL_TIME_US_MEDIAN, median_us);
    cb_row_set_str(&row, CB_COL_STATUS, status);
    cb_row_set_str(&row, CB_COL_NOTE, note);
    assert_int_equal(cb_results_write(f->res, &row), CB_OK);
    cb_row_clear(&row);
}

static void fx_close(fx_t *f, cb_table_t *t)
{
    cb_results_close(f->res);
    cb_results_ctx_free(&f->ctx);
    cb_table_init(t);
    char err[256];
    assert_int_equal(cb_table_read(t, f->path, err, sizeof err), CB_OK);
    unlink(f->path);
    rmdir(f->dir);
}

/* gloo all-reduce on 3 nodes: 1 ms + 4 ms/MiB (the curve the model uses:
 * gloo is DDP's backend here); mpi rows twice as slow (must be ignored). */
static double gloo_us(double bytes)
{
    return 1000 + 4000 * bytes / MiB;
}

#define SCALE 1.25
#define TAIL_PER_MIB 400.0
#define TAIL_PER_BUCKET 1500.0

static double truth_tn(uint64_t g, double t1_us, int pure)
{
    const double b[] = {1.0 * MiB, 4.0 * MiB, 16.0 * MiB, 64.0 * MiB};
    const double t[] = {gloo_us(b[0]), gloo_us(b[1]), gloo_us(b[2]), gloo_us(b[3])};
    cb_ddp_curve_t c;
    assert_int_equal(cb_ddp_curve_init(&c, b, t, 4), CB_OK);
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, g);
    if (!pure) {
        cfg.ar_scale = SCALE;
        cfg.tail_us_per_byte = TAIL_PER_MIB / MiB;
        cfg.tail_us_per_bucket = TAIL_PER_BUCKET;
    }
    cb_ddp_timeline_t tl;
    assert_int_equal(cb_ddp_step_time(&cfg, &c, 3, t1_us, &tl), CB_OK);
    double tn = tl.ddp_step_us;
    cb_ddp_timeline_free(&tl);
    cb_ddp_curve_free(&c);
    return tn;
}

static void write_point(fx_t *f, uint64_t g, double step_ms, const char *status, double tn_us,
                        int probe)
{
    char note[256];
    snprintf(note, sizeof note,
             "step_ms=%g; bwd_frac=0.666667; bucket_cap_mb=25; emulated compute%s", step_ms,
             probe ? "; sweep probe 1/8" : "");
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, g);
    double tail = TAIL_PER_MIB * (double)g / MiB + TAIL_PER_BUCKET * (double)cb_ddp_bucket_count(&cfg);
    fx_row(f, "ddp-torch", "gloo", 3, (double)g, "t1_ms", step_ms, NAN, status, note);
    if (!probe)
        fx_row(f, "ddp-torch", "gloo", 3, (double)g, "ddp1_ms", step_ms + tail / 1e3, NAN, status,
               note);
    fx_row(f, "ddp-torch", "gloo", 3, (double)g, "tn_ms", tn_us / 1e3, NAN, status, note);
    fx_row(f, "ddp-torch", "gloo", 3, (double)g, "speedup", 3 * step_ms * 1e3 / tn_us, NAN, status,
           note);
}

static void test_ddp_calib_from_table(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    for (double b = MiB; b <= 64.0 * MiB; b *= 4) {
        fx_row(&f, "allreduce", "gloo", 3, b, "", NAN, gloo_us(b), "ok", "");
        fx_row(&f, "allreduce", "mpi", 3, b, "", NAN, 2 * gloo_us(b), "ok", "");
    }
    const uint64_t gs[] = {25 * MiB, 100 * MiB};
    const double steps[] = {100, 400, 1600};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            write_point(&f, gs[i], steps[j], "ok", truth_tn(gs[i], steps[j] * 1e3, 0), 0);
    /* Informative for sigma (all-reduces queue during backward): 100 MiB at
     * T1 = 100 and 400 ms (25 MiB buckets of 126 ms, 17 and 67 ms apart), and
     * this one; at 1600 ms they no longer queue, and 25 MiB's big bucket runs
     * after backward. Three points: N = 3 gets a sigma of its own. */
    write_point(&f, 100 * MiB, 200, "ok", truth_tn(100 * MiB, 200e3, 0), 0);
    /* Left out: a flagged point, a probe (never fitted), a skipped row. */
    write_point(&f, 25 * MiB, 200, "flagged", 9e6, 0);
    write_point(&f, 25 * MiB, 50, "ok", 3 * truth_tn(25 * MiB, 50e3, 0), 1);
    fx_row(&f, "ddp-torch", "none", 1, NAN, "", NAN, NAN, "skipped", "no torch: ...");
    fx_row(&f, "ddp-torch", "gloo", 3, 25.0 * MiB, "breakeven_t1_ms", 90, NAN, "ok",
           "step_ms=; bwd_frac=0.666667; bucket_cap_mb=25; sweep; 6 probes");
    cb_table_t t;
    fx_close(&f, &t);

    cb_ddp_torch_point_t *p;
    size_t n, flagged;
    assert_int_equal(cb_ddp_torch_points(&t, NULL, &p, &n, &flagged), CB_OK);
    assert_int_equal(n, 9); /* 7 points, the probe, the break-even */
    assert_int_equal(flagged, 1);
    assert_int_equal(p[0].nodes, 3);
    assert_int_equal(p[0].grad_bytes, 25 * MiB);
    assert_int_equal(p[0].bucket_bytes, 25 * MiB);
    assert_double_equal(p[0].bwd_frac, 0.666667, 0);
    assert_double_equal(p[0].step_ms, 100, 0);
    assert_double_equal(p[0].t1_us, 100e3, 1e-6);
    assert_false(p[0].probe);
    assert_true(p[7].probe);
    assert_true(isnan(p[7].ddp1_us));
    assert_double_equal(p[8].breakeven_us, 90e3, 1e-6);
    assert_true(isnan(p[8].step_ms));
    /* Another cluster's name: nothing. */
    cb_ddp_torch_point_t *none;
    size_t nn;
    assert_int_equal(cb_ddp_torch_points(&t, "other", &none, &nn, NULL), CB_OK);
    assert_int_equal(nn, 0);
    assert_null(none);

    cb_ddp_calib_t cal;
    assert_int_equal(cb_ddp_calibrate(&t, "vc", NULL, &cal), CB_OK);
    assert_int_equal(cal.tail_source, CB_DDP_TAIL_TORCH);
    assert_int_equal(cal.tail_points, 7);
    assert_double_equal(cal.tail_us_per_byte * MiB, TAIL_PER_MIB, 1e-3);
    assert_double_equal(cal.tail_us_per_bucket, TAIL_PER_BUCKET, 1e-2);
    assert_int_equal(cal.nscale, 1);
    assert_int_equal(cal.scale_nodes[0], 3);
    assert_int_equal(cal.scale_points[0], 3);
    assert_double_equal(cal.scale[0], SCALE, 1e-4);
    assert_double_equal(cb_ddp_calib_scale(&cal, 3, NULL, NULL), SCALE, 1e-4);
    /* No points at N = 2: the pooled value, said to be not its own. */
    int own = 1;
    assert_double_equal(cb_ddp_calib_scale(&cal, 2, NULL, &own), SCALE, 1e-4);
    assert_false(own);
    assert_true(cb_ddp_calib_any(&cal));

    cb_ddp_prediction_t pr[9];
    assert_int_equal(cb_ddp_calib_predict(&t, "vc", NULL, &cal, p, n, pr), CB_OK);
    for (size_t i = 0; i < 7; i++) {
        assert_double_equal(pr[i].calib_us / p[i].tn_us, 1, 1e-4);
        assert_double_equal(pr[i].heldout_us / p[i].tn_us, 1, 1e-4);
        /* The notes' bwd_frac=0.666667 against 2/3 in the truth: 1e-5. */
        assert_double_equal(pr[i].pure_us / truth_tn(p[i].grad_bytes, p[i].t1_us, 1), 1, 1e-5);
    }
    /* The probe is predicted (not fitted): its recorded T_N was tripled. */
    assert_double_equal(p[7].tn_us / pr[7].calib_us, 3, 1e-3);
    /* The break-even point gets break-evens. */
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, 25 * MiB);
    cb_ddp_calib_apply(&cal, 3, &cfg);
    double be;
    const double b[] = {1.0 * MiB, 4.0 * MiB, 16.0 * MiB, 64.0 * MiB};
    const double tt[] = {gloo_us(b[0]), gloo_us(b[1]), gloo_us(b[2]), gloo_us(b[3])};
    cb_ddp_curve_t c;
    assert_int_equal(cb_ddp_curve_init(&c, b, tt, 4), CB_OK);
    assert_int_equal(cb_ddp_breakeven_step(&cfg, &c, 3, &be), CB_OK);
    assert_double_equal(pr[8].calib_us / be, 1, 1e-5);
    assert_true(pr[8].pure_us < pr[8].calib_us);
    cb_ddp_curve_free(&c);
    cb_ddp_calib_free(&cal);
    free(p);
    cb_table_free(&t);
}

static void test_ddp_calib_copy_default(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    fx_row(&f, "gpu", "cuda", 1, NAN, "d2d_memcpy_gbps", 2000, NAN, "ok", "");
    fx_row(&f, "gpu", "cuda", 1, NAN, "d2d_memcpy_gbps", 3000, NAN, "ok", "");
    fx_row(&f, "gpu", "cuda", 1, NAN, "d2d_memcpy_gbps", 1, NAN, "failed", "");
    cb_table_t t;
    fx_close(&f, &t);
    cb_ddp_calib_t cal;
    assert_int_equal(cb_ddp_calibrate(&t, NULL, NULL, &cal), CB_OK);
    assert_int_equal(cal.tail_source, CB_DDP_TAIL_COPY);
    assert_double_equal(cal.copy_gbps, 2500, 1e-9);
    /* One copy of G: 2 bytes moved per gradient byte at 2500 GB/s. */
    assert_double_equal(cal.tail_us_per_byte, 2.0 / 2.5e6, 1e-18);
    assert_double_equal(cb_ddp_calib_scale(&cal, 3, NULL, NULL), 1.0, 0);
    cb_ddp_calib_free(&cal);
    cb_table_free(&t);
    /* Nothing at all: uncalibrated. */
    cb_table_t empty;
    cb_table_init(&empty);
    assert_int_equal(cb_ddp_calibrate(&empty, NULL, NULL, &cal), CB_OK);
    assert_false(cb_ddp_calib_any(&cal));
    cb_ddp_calib_free(&cal);
    cb_ddp_calib_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddp_calib_timeline_terms),
        cmocka_unit_test(test_ddp_calib_breakeven_terms),
        cmocka_unit_test(test_ddp_calib_config_check),
        cmocka_unit_test(test_ddp_calib_fit_tail),
        cmocka_unit_test(test_ddp_calib_fit_scale),
        cmocka_unit_test(test_ddp_calib_from_table),
        cmocka_unit_test(test_ddp_calib_copy_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
