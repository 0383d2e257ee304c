/* ddp_options: command line of cb-ddp — defaults, parsing (strict: one line
 * naming the problem, CB_ERR_USAGE) and the --help text. Pure apart from
 * printing help. */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cb_error.h"
#include "cb_size.h"
#include "cb_workload.h"
#include "cb_prog.h"
#include "ddp_bench.h"

void cb_ddp_bench_opts_default(cb_ddp_bench_opts_t *o)
{
    memset(o, 0, sizeof *o);
    cb_prog_opts_default(&o->common);
    o->grad_bytes = (uint64_t)100 << 20;
    snprintf(o->grad_desc, sizeof o->grad_desc, "default");
    o->grad_dtype = CB_DT_FLOAT;
    o->step_ms[0] = 200;
    o->nsteps = 1;
    o->bwd_frac = CB_DDP_BWD_FRAC_DEFAULT;
    o->bucket_bytes = CB_DDP_BUCKET_BYTES_DEFAULT;
    o->first_bucket_bytes = CB_DDP_FIRST_BUCKET_BYTES_DEFAULT;
    o->overlap = 1;
    o->accumulate = 1;
    o->iters = 5;
    o->common.warmup_iters = 1;
    o->common.total_time_s = 1200;
    o->ar_time_s = 1.0;
    o->threshold = CB_DDP_THRESHOLD_DEFAULT;
    o->sweep_lo_ms = o->sweep_hi_ms = NAN;
    o->sweep_probes = 6;
    o->realtime = 1;
}

void cb_ddp_bench_config(const cb_ddp_bench_opts_t *o, cb_ddp_config_t *cfg)
{
    cb_ddp_config_default(cfg, o->grad_bytes);
    cfg->first_bucket_bytes = o->first_bucket_bytes;
    cfg->bucket_bytes = o->bucket_bytes;
    cfg->bwd_frac = o->bwd_frac;
    cfg->overlap = o->overlap;
}

void cb_ddp_bench_usage(FILE *f)
{
    cb_ddp_bench_opts_t d;
    cb_ddp_bench_opts_default(&d);
    fprintf(f,
        "usage: cb-ddp [--grad-bytes SIZE | --params N | --workload NAME] [--grad-dtype DT]\n"
        "              [--step-ms T1[,T1...]] [--bwd-frac F] [--bucket-mb MB]\n"
        "              [--first-bucket-mb MB] [--no-overlap] [--accumulate K] [--iters N]\n"
        "              [--sweep] [options]\n"
        "\n"
        "A synthetic data-parallel (PyTorch DDP) training step, measured on this cluster, next\n"
        "to the prediction of the break-even model ('clusterbench breakeven'). For each\n"
        "single-node step time T1, every rank first runs the step alone (the single-node\n"
        "baseline: no communication), then all ranks run it as DDP: forward (1-f_b)*T1,\n"
        "backward f_b*T1 in chunks, one per gradient bucket; each bucket's all-reduce starts\n"
        "when its chunk is done and overlaps the rest of backward (one communication stream);\n"
        "the step ends when backward and the last all-reduce are done.\n"
        "  buckets   the model's: --first-bucket-mb (1 MiB) first, then --bucket-mb (25 MiB)\n"
        "            each, the remainder last; gradients get ready uniformly through backward\n"
        "  compute   GPU (-t nccl): a busy kernel of the chunk's duration on a compute stream,\n"
        "            NCCL all-reduce on its own stream, ordered by events. Host (-t mpi, no\n"
        "            GPU): EMULATED by a precise timed wait, the all-reduces on a communication\n"
        "            thread over MPI, so the overlap is real (rows say 'emulated compute')\n"
        "  T_N       per step the slowest rank's time, median over --iters steps; T1 likewise\n"
        "  speedup   N*T1/T_N (N ranks, per-rank batch fixed); efficiency T1/T_N\n"
        "  model     T_N predicted from the all-reduce times of this N (--allreduce-csv, or\n"
        "            measured here for every bucket size first) and the measured T1\n"
        "One rank (no mpirun): T_N = T1, no communication, speedup 1.\n"
        "\n"
        "gradients:\n"
        "  -g, --grad-bytes SIZE   gradient bytes per rank: 100M = 100 MiB, 4G, 123456\n"
        "                          (default 100M)\n"
        "  -p, --params N          parameter count (110M, 1.1B: decimal), times --grad-dtype\n"
        "  -w, --workload NAME     a preset model (--list-workloads), times --grad-dtype\n"
        "      --grad-dtype DT     fp32 (default), bf16, fp16: bytes per gradient and NCCL's\n"
        "                          all-reduce type (MPI reduces floats: it has no 16-bit sum)\n"
        "step:\n"
        "  -s, --step-ms LIST      single-node step times T1 in ms, e.g. 50,200,800 (default %g;\n"
        "                          none with --sweep)\n"
        "      --bwd-frac F        backward share of the step, 0..1 (default 2/3)\n"
        "      --bucket-mb MB      DDP bucket_cap_mb in MiB (default 25)\n"
        "      --first-bucket-mb MB  DDP's first bucket in MiB (default 1)\n"
        "      --no-overlap        all-reduces after backward, back to back\n"
        "      --accumulate K      gradient accumulation: K micro-steps of T1 per all-reduce,\n"
        "                          the first K-1 without communication (no_sync), the buckets'\n"
        "                          all-reduces overlapping the last micro-step's backward only;\n"
        "                          t1_ms and tn_ms are per accumulated step (K micro-steps,\n"
        "                          K*T1 on one node), the model is 'breakeven --what-if-k'\n"
        "                          (default 1; not with --sweep)\n"
        "effort:\n"
        "  -n, --iters N           timed steps per T1 (default %d), after --warmup steps\n"
        "      --warmup N          warm-up steps per T1 (default %d)\n"
        "      --total-time S      budget for the whole run: a T1 or sweep probe that would\n"
        "                          not fit is skipped and reported (default %g; 0 = none)\n"
        "      --timeout S         abort if one T1 or all-reduce hangs this long (default:\n"
        "                          automatic, 60 s + 20x its forecast)\n"
        "all-reduce times for the model:\n"
        "      --allreduce-csv FILE  cb-allreduce results of this job (rows with this run's\n"
        "                          nodes, ranks and transport; in-place rows when any)\n"
        "      --ar-time S         without --allreduce-csv: seconds of timed all-reduces per\n"
        "                          bucket size measured here (default %g; at least 3 each)\n"
        "break-even search:\n"
        "      --sweep             also search the measured break-even T1 (smallest T1 with\n"
        "                          speedup >= 1) by bisection, printing every probe\n"
        "      --sweep-range LO,HI  T1 bounds in ms (default: the model's break-even /3 and x3)\n"
        "      --sweep-probes N    at most N probes (default %d); stops at 5%% width\n"
        "output:\n"
        "  -t, --transport T       auto (nccl where a CUDA device exists, else mpi), mpi, nccl\n"
        "  -o, --output FILE       results CSV (appended to if ours; default\n"
        "                          results/<cluster>/cb-ddp-<run id>.csv)\n"
        "      --cluster NAME      cluster/profile name recorded in every row ($CB_CLUSTER)\n"
        "      --threshold E       efficiency that makes DDP worth it (default %g)\n"
        "      --timeline          print each T1's measured bucket timeline (rank 0) next to\n"
        "                          the model's\n"
        "      --no-realtime       host path: emulated-compute waits at normal priority\n"
        "                          (default: real-time priority where allowed, so that busy\n"
        "                          shared cores do not make them end late)\n"
        "      --list-workloads    print the presets and exit\n"
        "  -q, --quiet             no progress lines on stderr\n"
        "  -h, --help              this text\n"
        "\n"
        "CSV rows (benchmark=ddp, bytes = G, op = overlap | no-overlap, note begins with\n"
        "'step_ms=<T1 asked>; ', then 'accumulate=K; ' with K > 1): metric t1_ms, tn_ms\n"
        "(both with time_us_* statistics over steps), speedup, efficiency, model_tn_ms,\n"
        "model_speedup, model_error_pct; with --sweep breakeven_t1_ms and\n"
        "model_breakeven_t1_ms. All-reduces measured here are written as\n"
        "benchmark=allreduce rows, like cb-allreduce's.\n"
        "\n"
        "exit status: 0 ok, 2 usage or input error, 3 runtime error\n",
        d.step_ms[0], d.iters, d.common.warmup_iters, d.common.total_time_s, d.ar_time_s, d.sweep_probes,
        d.threshold);
}


/* A positive finite time in ms, at most CB_DDP_BENCH_MAX_STEP_MS. */
static int parse_ms(const char *flag, const char *s, double *out, char *err, size_t errlen)
{
    double v;
    int rc = cb_parse_double(s, -1e300, 1e300, &v);
    if (rc < 0)
        return cb_errf(err, errlen, CB_ERR_USAGE, "%s '%s': not a finite number of milliseconds",
                       flag, s);
    if (!(v > 0))
        return cb_errf(err, errlen, CB_ERR_USAGE, "%s '%s': must be > 0", flag, s);
    if (v > CB_DDP_BENCH_MAX_STEP_MS)
        return cb_errf(err, errlen, CB_ERR_USAGE, "%s '%s': out of range (at most %g ms)", flag, s,
                       CB_DDP_BENCH_MAX_STEP_MS);
    *out = v;
    return CB_OK;
}

static int parse_step_list(const char *s, cb_ddp_bench_opts_t *o, char *err, size_t errlen)
{
    char buf[1024];
    if (strlen(s) >= sizeof buf)
        return cb_errf(err, errlen, CB_ERR_USAGE, "--step-ms: list too long");
    strcpy(buf, s);
    if (!*buf || buf[strlen(buf) - 1] == ',' || buf[0] == ',' || strstr(buf, ",,"))
        return cb_errf(err, errlen, CB_ERR_USAGE, "--step-ms '%s': empty value in the list", s);
    o->nsteps = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        double v;
        int rc = parse_ms("--step-ms", tok, &v, err, errlen);
        if (rc)
            return rc;
        if (o->nsteps == CB_DDP_BENCH_MAX_STEPS)
            return cb_errf(err, errlen, CB_ERR_USAGE, "--step-ms: more than %d values",
                           CB_DDP_BENCH_MAX_STEPS);
        int dup = 0;
        for (int i = 0; i < o->nsteps; i++)
            dup |= o->step_ms[i] == v;
        if (!dup)
            o->step_ms[o->nsteps++] = v;
    }
    return CB_OK;
}

static int parse_mib(const char *flag, const char *s, uint64_t *out, char *err, size_t errlen)
{
    double v;
    if (cb_parse_double(s, -1e300, 1e300, &v) < 0)
        return cb_errf(err, errlen, CB_ERR_USAGE, "%s '%s': not a finite number (MiB)", flag, s);
    if (!(v > 0))
        return cb_errf(err, errlen, CB_ERR_USAGE, "%s '%s': must be > 0", flag, s);
    if (v > 65536.0)
        return cb_errf(err, errlen, CB_ERR_USAGE, "%s '%s': out of range (at most 65536 MiB)", flag,
                       s);
    double b = round(v * 1048576.0);
    if (b < 1)
        return cb_errf(err, errlen, CB_ERR_USAGE, "%s '%s': less than one byte", flag, s);
    *out = (uint64_t)b;
    return CB_OK;
}

static void list_workloads(FILE *out)
{
    size_t n;
    const cb_workload_t *w = cb_workload_list(&n);
    fprintf(out, "%-15s %-16s %14s  %s\n", "workload", "model", "params", "source");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%-15s %-16s %14llu  %s\n", w[i].name, w[i].model,
                (unsigned long long)w[i].params, w[i].source);
}

enum {
    OPT_GRAD_DTYPE = 256, OPT_BWD_FRAC, OPT_BUCKET_MB, OPT_FIRST_BUCKET_MB, OPT_NO_OVERLAP,
    OPT_AR_TIME, OPT_ALLREDUCE_CSV, OPT_SWEEP, OPT_SWEEP_RANGE, OPT_SWEEP_PROBES, OPT_THRESHOLD,
    OPT_TIMELINE, OPT_LIST_WORKLOADS, OPT_NO_REALTIME, OPT_ACCUMULATE,
};

/* cb-ddp's options beyond the shared flags (cb_prog.h). */
static const struct option ddp_longopts[] = {
    {"grad-bytes", required_argument, 0, 'g'},
    {"params", required_argument, 0, 'p'},
    {"workload", required_argument, 0, 'w'},
    {"grad-dtype", required_argument, 0, OPT_GRAD_DTYPE},
    {"step-ms", required_argument, 0, 's'},
    {"bwd-frac", required_argument, 0, OPT_BWD_FRAC},
    {"bucket-mb", required_argument, 0, OPT_BUCKET_MB},
    {"first-bucket-mb", required_argument, 0, OPT_FIRST_BUCKET_MB},
    {"no-overlap", no_argument, 0, OPT_NO_OVERLAP},
    {"accumulate", required_argument, 0, OPT_ACCUMULATE},
    {"iters", required_argument, 0, 'n'},
    {"ar-time", required_argument, 0, OPT_AR_TIME},
    {"allreduce-csv", required_argument, 0, OPT_ALLREDUCE_CSV},
    {"sweep", no_argument, 0, OPT_SWEEP},
    {"sweep-range", required_argument, 0, OPT_SWEEP_RANGE},
    {"sweep-probes", required_argument, 0, OPT_SWEEP_PROBES},
    {"threshold", required_argument, 0, OPT_THRESHOLD},
    {"timeline", no_argument, 0, OPT_TIMELINE},
    {"no-realtime", no_argument, 0, OPT_NO_REALTIME},
    {"list-workloads", no_argument, 0, OPT_LIST_WORKLOADS},
    {0, 0, 0, 0},
};

/* Parse state: the options and what was given. */
typedef struct ddp_parse {
    cb_ddp_bench_opts_t *o;
    const char *grad_arg, *params_arg, *dtype_arg;
    int steps_given;
    const cb_workload_t *wl;
    uint64_t params;
} ddp_parse_t;

static int ddp_option(void *vp, int c, const char *optarg, const char *flag, FILE *out,
                      char *err, size_t errlen)
{
    ddp_parse_t *dp = vp;
    cb_ddp_bench_opts_t *o = dp->o;
    int rc;
    switch (c) {
    case 'g': {
        uint64_t g;
        int prc = cb_size_parse(optarg, &g);
        if (prc == CB_ERR_RANGE || (prc == CB_OK && g > CB_DDP_BENCH_MAX_GRAD_BYTES))
            return cb_errf(err, errlen, CB_ERR_USAGE, "--grad-bytes '%s': too large (at most 64G)",
                           optarg);
        if (prc < 0)
            return cb_errf(err, errlen, CB_ERR_USAGE,
                           "--grad-bytes '%s': not a size (e.g. 100M, 4G, 123456)", optarg);
        if (g == 0)
            return cb_errf(err, errlen, CB_ERR_USAGE, "--grad-bytes '%s': must be > 0", optarg);
        o->grad_bytes = g;
        dp->grad_arg = optarg;
        return CB_OK;
    }
    case 'p':
        if ((rc = cb_workload_parse_params(optarg, &dp->params, err, errlen)))
            return rc;
        dp->params_arg = optarg;
        return CB_OK;
    case 'w':
        if (!(dp->wl = cb_workload_find(optarg)))
            return cb_errf(err, errlen, CB_ERR_USAGE,
                           "--workload '%s': unknown workload (--list-workloads)", optarg);
        return CB_OK;
    case OPT_GRAD_DTYPE: {
        unsigned eb = cb_workload_dtype_bytes(optarg);
        if (!eb)
            return cb_errf(err, errlen, CB_ERR_USAGE,
                           "--grad-dtype '%s': unknown (fp32, bf16, fp16)", optarg);
        if (cb_dtype_parse(optarg, &o->grad_dtype) < 0) {
            /* cb_workload knows more spellings than cb_dtype_parse. */
            o->grad_dtype = eb == 4 ? CB_DT_FLOAT
                            : (strstr(optarg, "b") ? CB_DT_BF16 : CB_DT_HALF);
        }
        if (o->grad_dtype == CB_DT_DOUBLE)
            return cb_errf(err, errlen, CB_ERR_USAGE,
                           "--grad-dtype '%s': unknown (fp32, bf16, fp16)", optarg);
        dp->dtype_arg = optarg;
        return CB_OK;
    }
    case 's':
        if ((rc = parse_step_list(optarg, o, err, errlen)))
            return rc;
        dp->steps_given = 1;
        return CB_OK;
    case OPT_BWD_FRAC:
        if (cb_parse_double(optarg, -1e300, 1e300, &o->bwd_frac) < 0)
            return cb_errf(err, errlen, CB_ERR_USAGE, "--bwd-frac '%s': not a finite number",
                           optarg);
        if (o->bwd_frac < 0 || o->bwd_frac > 1)
            return cb_errf(err, errlen, CB_ERR_USAGE, "--bwd-frac '%s': must be in [0, 1]", optarg);
        return CB_OK;
    case OPT_BUCKET_MB: return parse_mib("--bucket-mb", optarg, &o->bucket_bytes, err, errlen);
    case OPT_FIRST_BUCKET_MB:
        return parse_mib("--first-bucket-mb", optarg, &o->first_bucket_bytes, err, errlen);
    case OPT_NO_OVERLAP: o->overlap = 0; return CB_OK;
    case OPT_ACCUMULATE:
        return cb_prog_parse_int("--accumulate", optarg, 1, 1024, &o->accumulate, err, errlen);
    case 'n': return cb_prog_parse_int("--iters", optarg, 1, 100000, &o->iters, err, errlen);
    case OPT_AR_TIME:
        if (cb_parse_double(optarg, 0, 3600, &o->ar_time_s) < 0)
            return cb_errf(err, errlen, CB_ERR_USAGE, "--ar-time '%s': expected seconds, 0 to 3600",
                           optarg);
        return CB_OK;
    case OPT_ALLREDUCE_CSV:
        if (!*optarg || strlen(optarg) >= sizeof o->allreduce_csv)
            return cb_errf(err, errlen, CB_ERR_USAGE, "--allreduce-csv: empty or too long path");
        snprintf(o->allreduce_csv, sizeof o->allreduce_csv, "%s", optarg);
        return CB_OK;
    case OPT_SWEEP: o->sweep = 1; return CB_OK;
    case OPT_SWEEP_RANGE: {
        char buf[128];
        snprintf(buf, sizeof buf, "%s", optarg);
        char *comma = strchr(buf, ',');
        if (!comma)
            return cb_errf(err, errlen, CB_ERR_USAGE, "--sweep-range '%s': expected LO,HI in ms",
                           optarg);
        *comma = '\0';
        if ((rc = parse_ms("--sweep-range", buf, &o->sweep_lo_ms, err, errlen)) ||
            (rc = parse_ms("--sweep-range", comma + 1, &o->sweep_hi_ms, err, errlen)))
            return rc;
        if (!(o->sweep_hi_ms > o->sweep_lo_ms))
            return cb_errf(err, errlen, CB_ERR_USAGE,
                           "--sweep-range '%s': HI must be larger than LO", optarg);
        o->sweep = 1;
        return CB_OK;
    }
    case OPT_SWEEP_PROBES:
        return cb_prog_parse_int("--sweep-probes", optarg, 1, 100, &o->sweep_probes, err, errlen);
    case OPT_THRESHOLD:
        if (cb_parse_double(optarg, -1e300, 1e300, &o->threshold) < 0 ||
            !(o->threshold > 0 && o->threshold <= 1))
            return cb_errf(err, errlen, CB_ERR_USAGE, "--threshold '%s': must be in (0, 1]",
                           optarg);
        return CB_OK;
    case OPT_TIMELINE: o->timeline = 1; return CB_OK;
    case OPT_NO_REALTIME: o->realtime = 0; return CB_OK;
    case OPT_LIST_WORKLOADS:
        list_workloads(out);
        return 1;
    }
    return cb_errf(err, errlen, CB_ERR_USAGE, "unknown option '%s'", flag);
}

static int ddp_finish(void *vp, cb_prog_opts_t *c, FILE *out, char *err, size_t errlen)
{
    ddp_parse_t *dp = vp;
    cb_ddp_bench_opts_t *o = dp->o;
    const cb_workload_t *wl = dp->wl;
    int rc;
    (void)c, (void)out;
    if (o->sweep && !dp->steps_given)
        o->nsteps = 0; /* --sweep alone: only the search */
    if (o->sweep && o->accumulate > 1)
        return cb_errf(err, errlen, CB_ERR_USAGE,
                       "--accumulate %d with --sweep: the break-even search measures k = 1 only",
                       o->accumulate);
    int sources = (dp->grad_arg != NULL) + (dp->params_arg != NULL) + (wl != NULL);
    if (sources > 1)
        return cb_errf(err, errlen, CB_ERR_USAGE, "give one of --grad-bytes, --params, --workload");
    const char *dt = dp->dtype_arg ? dp->dtype_arg : "fp32";
    if (dp->params_arg || wl) {
        uint64_t p = wl ? wl->params : dp->params;
        rc = cb_workload_grad_bytes(p, dt, &o->grad_bytes);
        if (rc < 0 || o->grad_bytes > CB_DDP_BENCH_MAX_GRAD_BYTES)
            return cb_errf(err, errlen, CB_ERR_USAGE,
                           "%s: %llu parameters x %u B is too large (at most 64G)",
                           wl ? "--workload" : "--params", (unsigned long long)p,
                           cb_workload_dtype_bytes(dt));
        if (wl)
            snprintf(o->grad_desc, sizeof o->grad_desc, "%s: %s, %llu params x %u B %s", wl->name,
                     wl->model, (unsigned long long)p, cb_workload_dtype_bytes(dt), dt);
        else
            snprintf(o->grad_desc, sizeof o->grad_desc, "%llu params x %u B %s",
                     (unsigned long long)p, cb_workload_dtype_bytes(dt), dt);
    } else if (dp->grad_arg) {
        snprintf(o->grad_desc, sizeof o->grad_desc, "--grad-bytes %s", dp->grad_arg);
    }
    cb_ddp_config_t cfg;
    cb_ddp_bench_config(o, &cfg);
    if (cb_ddp_config_check(&cfg) < 0)
        return cb_errf(err, errlen, CB_ERR_USAGE, "invalid bucket configuration");
    return CB_OK;
}

static const cb_prog_parser_t ddp_parser = {
    .name = "cb-ddp",
    .shared = CB_PROG_OPT_OUTPUT | CB_PROG_OPT_CLUSTER | CB_PROG_OPT_QUIET | CB_PROG_OPT_TIMEOUT |
              CB_PROG_OPT_TOTAL_TIME | CB_PROG_OPT_WARMUP | CB_PROG_OPT_TRANSPORT,
    .warmup_min = 0,
    .warmup_max = 100000,
    .shortopts = "g:p:w:s:n:", /* -w is --workload here: --warmup has no short form */
    .longopts = ddp_longopts,
    .option = ddp_option,
    .finish = ddp_finish,
    .usage = cb_ddp_bench_usage,
};

int cb_ddp_bench_parse_args(int argc, char **argv, cb_ddp_bench_opts_t *o, FILE *out, char *err,
                            size_t errlen)
{
    cb_ddp_bench_opts_default(o);
    ddp_parse_t dp = {.o = o};
    return cb_prog_parse(&ddp_parser, argc, argv, &dp, &o->common, out, err, errlen);
}
