/* `clusterbench breakeven`: the DDP break-even model (common/cb_ddp.h) fed
 * with all-reduce times measured by cb-allreduce (or by cb-ddp-torch through
 * DDP's own backend) and, where real PyTorch DDP was measured (cb-ddp-torch
 * rows), calibrated against it (the reducer's tail, the in-DDP all-reduce
 * scale). For each node count N it prints the fitted alpha/beta, the
 * break-even single-node step time of the pure and the calibrated model, the
 * step time at which DDP reaches an efficiency threshold and, given a step
 * time, the predicted DDP step, speedup, efficiency and a verdict. */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_cli.h"
#include "cb_ddp.h"
#include "cb_error.h"
#include "cb_results.h"
#include "cb_size.h"
#include "cb_workload.h"

#define PROG "clusterbench breakeven"
#define MAX_RESULTS 64
#define MAX_NODES 64

typedef enum { FMT_TEXT, FMT_CSV, FMT_JSON } fmt_t;

typedef struct be_opts {
    const char *results[MAX_RESULTS];
    int nresults;
    uint64_t grad_bytes; /* resolved G */
    const char *grad_bytes_arg, *params_arg, *workload_arg, *dtype_arg;
    uint64_t params;
    const cb_workload_t *workload;
    int nodes[MAX_NODES];
    int nnodes;
    double step_ms; /* NaN: not given */
    double bwd_frac, threshold;
    uint64_t bucket_bytes, first_bucket_bytes;
    int overlap, timeline, calibrate;
    const char *transport;
    fmt_t fmt;
} be_opts_t;

/* The result for one node count. */
typedef struct be_row {
    int nodes;
    cb_ddp_curve_t curve;
    cb_ddp_source_t src;
    cb_ddp_timeline_t tl; /* at --step-ms, or at 1 us for the totals (calibrated) */
    cb_ddp_timeline_t pure_tl; /* the same, pure model */
    double breakeven_us, threshold_us, pure_breakeven_us;
    double scale;         /* sigma used */
    size_t scale_points;  /* informative points behind it */
    int scale_own;        /* fitted to this node count's own points */
    uint64_t max_grad;
    cb_ddp_verdict_t verdict;
    size_t nextrap;
} be_row_t;

static const char help_text[] =
    "usage: clusterbench breakeven --results DIR|FILE [--results ...]\n"
    "                              (--grad-bytes SIZE | --params N | --workload NAME)\n"
    "                              [--grad-dtype fp32|bf16|fp16] [--nodes 2,3] [--step-ms T1]\n"
    "                              [--bwd-frac F] [--bucket-mb MB] [--first-bucket-mb MB]\n"
    "                              [--no-overlap] [--threshold E] [--transport mpi|nccl|gloo]\n"
    "                              [--no-calibration]\n"
    "                              [--format text|csv|json] [--timeline] [--list-workloads]\n"
    "\n"
    "When does data-parallel training (PyTorch DDP) on N nodes beat one node? A model\n"
    "of one DDP step fed with the all-reduce times cb-allreduce measured on this cluster.\n"
    "\n"
    "The model (per-GPU batch fixed):\n"
    "  G      gradient bytes = parameters x bytes per gradient element\n"
    "  T1     single-node step time; forward (1-f_b)*T1, then backward f_b*T1\n"
    "  buckets  DDP's: the first one --first-bucket-mb (1 MiB), then --bucket-mb (25 MiB)\n"
    "         each, the last one the remainder (MB = MiB, as PyTorch's bucket_cap_mb)\n"
    "  T_ar(s)  all-reduce time of an s-byte bucket on N nodes, from the measured CSV:\n"
    "         rows benchmark=allreduce, status=ok, nodes=N (nccl rows when any, else gloo\n"
    "         rows (PyTorch DDP's backends, gloo measured by cb-ddp-torch), else all;\n"
    "         out-of-place when any, else in-place); each row's time_us_median, several\n"
    "         rows of one size (runs, dtypes) merged into their median; linear\n"
    "         interpolation between the two neighbouring measured sizes, outside them the\n"
    "         least-squares line alpha + s*beta over all measured sizes (clamped at 0).\n"
    "  Gradients get ready uniformly through backward: bucket k is ready at\n"
    "         fwd + f_b*T1*C_k/G (C_k = bytes of buckets 1..k); its all-reduce starts when\n"
    "         it is ready and the previous one has ended (one stream). The step ends when\n"
    "         backward and the last all-reduce are done: T_N. --no-overlap: T_N = T1 + sum\n"
    "         of T_ar over the buckets.\n"
    "  speedup = N*T1/T_N (throughput), efficiency = speedup/N = T1/T_N; N = 1: 1.\n"
    "  break-even: the smallest T1 with speedup >= 1 (T_N <= N*T1), solved exactly.\n"
    "  threshold: the smallest T1 with efficiency >= --threshold; with overlap any\n"
    "         threshold < 1 is reached for a long enough step, 1.0 never (the last\n"
    "         bucket's all-reduce always follows backward): printed as 'never' / inf.\n"
    "  calibration: where real PyTorch DDP was measured (cb-ddp-torch rows in the\n"
    "         results), two terms the pure model lacks, fitted and applied:\n"
    "         tail  O = c_b*G + c_k*buckets after the last all-reduce (DDP's reducer\n"
    "               copying gradients into buckets and back), from the one-node DDP\n"
    "               step minus the plain step (else, on GPUs, one copy of G at\n"
    "               cb-gpu's measured d2d_memcpy_gbps; else none)\n"
    "         sigma while backward runs, a bucket's all-reduce progresses at 1/sigma\n"
    "               of its standalone speed (after backward at full speed), fitted to\n"
    "               the N-node DDP steps (per node count with 3 informative points,\n"
    "               else pooled)\n"
    "         T_N = max(T1, end of the last all-reduce) + O. Both models are printed;\n"
    "         speedup, efficiency, threshold, max_grad and the verdict use the\n"
    "         calibrated one (the pure one with --no-calibration or nothing to fit).\n"
    "  verdict: 'use DDP' (speedup > 1, efficiency >= threshold); 'DDP only for\n"
    "         time-to-result' (speedup > 1, efficiency below: independent jobs on the\n"
    "         same nodes give more total throughput); 'stay on one node' (speedup <= 1).\n"
    "\n"
    "options:\n"
    "  -r, --results DIR|FILE  cb-allreduce results CSV (a directory: every *.csv under\n"
    "                          it); repeatable; required\n"
    "  -g, --grad-bytes SIZE   gradient bytes: 100M = 100 MiB, 4G, or a byte count\n"
    "  -p, --params N          parameter count (K/M/B suffixes are decimal: 110M, 1.1B)\n"
    "  -w, --workload NAME     a preset (--list-workloads); one of these three is needed\n"
    "      --grad-dtype DT     fp32 (4 B, default), bf16 or fp16 (2 B); with --params or\n"
    "                          --workload\n"
    "  -n, --nodes LIST        node counts, e.g. 2,4 (default: every N > 1 in the results)\n"
    "  -s, --step-ms T1        single-node step time in ms: predict T_N, speedup,\n"
    "                          efficiency, verdict and the largest G that breaks even\n"
    "      --bwd-frac F        backward share of the step, 0..1 (default 2/3)\n"
    "      --bucket-mb MB      DDP bucket_cap_mb (default 25)\n"
    "      --first-bucket-mb MB  DDP's first bucket (default 1)\n"
    "      --no-overlap        all-reduce after backward (no overlap)\n"
    "  -t, --threshold E       efficiency that makes DDP worth it, in (0,1] (default 0.8)\n"
    "      --transport T       use only rows of this transport (mpi, nccl, gloo)\n"
    "      --no-calibration    the pure model only, even where cb-ddp-torch rows exist\n"
    "  -f, --format F          text (default), csv or json: one row per N\n"
    "      --timeline          text only, with --step-ms: every bucket's all-reduce\n"
    "      --list-workloads    print the presets and exit\n"
    "  -h, --help              this text\n"
    "\n"
    "csv/json columns: nodes, grad_bytes, buckets, bwd_frac, overlap, alpha_us,\n"
    "  beta_gbps (1/beta, GB = 1e9 B), fit_r2, fit_sizes, allreduce_ms_total (sum over\n"
    "  buckets), breakeven_step_ms, threshold, threshold_step_ms, step_ms, ddp_step_ms,\n"
    "  speedup, efficiency, verdict (use-ddp, time-to-result-only, stay-on-one-node),\n"
    "  max_grad_bytes, pure_breakeven_step_ms, pure_ddp_step_ms, ar_scale, tail_ms (O\n"
    "  for this G), tail_source (none, torch-ddp, copy-bandwidth), scale_source (none,\n"
    "  own, pooled). Empty (csv) / null (json): not applicable (no --step-ms; fit for\n"
    "  N = 1); inf (csv) / null (json): never (threshold unreachable, G unbounded).\n"
    "\n"
    "exit: 0 ok, 2 bad option or input (one line naming the problem), 3 runtime error.\n";

static int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_err(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, PROG ": %s\n", msg);
    return 2;
}

static const char *human_bytes(double b, char *buf, size_t len)
{
    static const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int i = 0;
    while (b >= 1024 && i < 5) {
        b /= 1024;
        i++;
    }
    if (i == 0)
        snprintf(buf, len, "%.0f B", b);
    else
        snprintf(buf, len, "%.4g %s", b, u[i]);
    return buf;
}

/* ------------------------------------------------------------ options */

static int parse_ms(const char *opt, const char *s, double *out, int allow_zero)
{
    double v;
    int rc = cb_parse_double(s, -1e300, 1e300, &v);
    if (rc < 0)
        return usage_err("%s '%s': not a finite number", opt, s);
    if (v < 0 || (!allow_zero && v == 0))
        return usage_err("%s '%s': must be > 0", opt, s);
    if (v > 1e9)
        return usage_err("%s '%s': out of range (at most 1e9)", opt, s);
    *out = v;
    return 0;
}

static int parse_mib(const char *opt, const char *s, uint64_t *out)
{
    double v;
    if (cb_parse_double(s, -1e300, 1e300, &v) < 0)
        return usage_err("%s '%s': not a finite number (MiB)", opt, s);
    if (!(v > 0))
        return usage_err("%s '%s': must be > 0", opt, s);
    if (v > 1048576.0)
        return usage_err("%s '%s': out of range (at most 1048576 MiB)", opt, s);
    double b = round(v * 1048576.0);
    if (b < 1)
        return usage_err("%s '%s': less than one byte", opt, s);
    *out = (uint64_t)b;
    return 0;
}

/* Parameter counts: a number with an optional decimal K/M/B(G)/T suffix. */
static int parse_params(const char *s, uint64_t *out)
{
    char num[64];
    size_t len = strlen(s);
    if (len == 0 || len >= sizeof num)
        return usage_err("--params '%s': not a parameter count", s);
    memcpy(num, s, len + 1);
    double mult = 1;
    switch (num[len - 1]) {
    case 'k': case 'K': mult = 1e3; break;
    case 'm': case 'M': mult = 1e6; break;
    case 'b': case 'B': case 'g': case 'G': mult = 1e9; break;
    case 't': case 'T': mult = 1e12; break;
    }
    if (mult != 1)
        num[len - 1] = '\0';
    double v;
    if (cb_parse_double(num, -1e300, 1e300, &v) < 0)
        return usage_err("--params '%s': not a parameter count (e.g. 25557032, 110M, 1.1B)", s);
    v *= mult;
    if (!(v >= 1))
        return usage_err("--params '%s': must be >= 1", s);
    if (v > 1e15)
        return usage_err("--params '%s': out of range (at most 1e15)", s);
    *out = (uint64_t)llround(v);
    return 0;
}

static int parse_nodes(const char *s, be_opts_t *o)
{
    char buf[512];
    if (strlen(s) >= sizeof buf)
        return usage_err("--nodes '%s': too long", s);
    strcpy(buf, s);
    o->nnodes = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        long v;
        if (cb_parse_long(tok, 1, 1000000, &v) < 0)
            return usage_err("--nodes '%s': '%s' is not a node count >= 1", s, tok);
        if (o->nnodes == MAX_NODES)
            return usage_err("--nodes '%s': more than %d node counts", s, MAX_NODES);
        int dup = 0;
        for (int i = 0; i < o->nnodes; i++)
            dup |= o->nodes[i] == (int)v;
        if (!dup)
            o->nodes[o->nnodes++] = (int)v;
    }
    if (o->nnodes == 0)
        return usage_err("--nodes '%s': no node count", s);
    return 0;
}

static void list_workloads(void)
{
    size_t n;
    const cb_workload_t *w = cb_workload_list(&n);
    printf("%-15s %-16s %14s %10s  %s\n", "workload", "model", "params", "fp32 grad", "source");
    for (size_t i = 0; i < n; i++) {
        char hb[32];
        printf("%-15s %-16s %14llu %10s  %s\n", w[i].name, w[i].model,
               (unsigned long long)w[i].params,
               human_bytes(4.0 * (double)w[i].params, hb, sizeof hb), w[i].source);
    }
}

enum {
    OPT_GRAD_DTYPE = 256, OPT_BWD_FRAC, OPT_BUCKET_MB, OPT_FIRST_BUCKET_MB, OPT_NO_OVERLAP,
    OPT_TRANSPORT, OPT_TIMELINE, OPT_LIST_WORKLOADS, OPT_NO_CALIBRATION,
};

/* 0 ok, -1 done (help printed), else an exit code. */
static int parse_args(int argc, char **argv, be_opts_t *o)
{
    static const struct option longopts[] = {
        {"results", required_argument, NULL, 'r'},
        {"grad-bytes", required_argument, NULL, 'g'},
        {"params", required_argument, NULL, 'p'},
        {"workload", required_argument, NULL, 'w'},
        {"grad-dtype", required_argument, NULL, OPT_GRAD_DTYPE},
        {"nodes", required_argument, NULL, 'n'},
        {"step-ms", required_argument, NULL, 's'},
        {"bwd-frac", required_argument, NULL, OPT_BWD_FRAC},
        {"bucket-mb", required_argument, NULL, OPT_BUCKET_MB},
        {"first-bucket-mb", required_argument, NULL, OPT_FIRST_BUCKET_MB},
        {"no-overlap", no_argument, NULL, OPT_NO_OVERLAP},
        {"threshold", required_argument, NULL, 't'},
        {"transport", required_argument, NULL, OPT_TRANSPORT},
        {"format", required_argument, NULL, 'f'},
        {"timeline", no_argument, NULL, OPT_TIMELINE},
        {"list-workloads", no_argument, NULL, OPT_LIST_WORKLOADS},
        {"no-calibration", no_argument, NULL, OPT_NO_CALIBRATION},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->step_ms = NAN;
    o->bwd_frac = CB_DDP_BWD_FRAC_DEFAULT;
    o->threshold = CB_DDP_THRESHOLD_DEFAULT;
    o->bucket_bytes = CB_DDP_BUCKET_BYTES_DEFAULT;
    o->first_bucket_bytes = CB_DDP_FIRST_BUCKET_BYTES_DEFAULT;
    o->overlap = 1;
    o->calibrate = 1;
    o->fmt = FMT_TEXT;
    optind = 0; /* glibc: full re-initialisation (callable more than once) */
    opterr = 0;
    int c, rc;
    while ((c = getopt_long(argc, argv, ":r:g:p:w:n:s:t:f:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (o->nresults == MAX_RESULTS)
                return usage_err("--results: more than %d paths", MAX_RESULTS);
            o->results[o->nresults++] = optarg;
            break;
        case 'g': {
            int prc = cb_size_parse(optarg, &o->grad_bytes);
            if (prc == CB_ERR_RANGE)
                return usage_err("--grad-bytes '%s': too large", optarg);
            if (prc < 0)
                return usage_err("--grad-bytes '%s': not a size (e.g. 100M, 4G, 123456)", optarg);
            if (o->grad_bytes == 0)
                return usage_err("--grad-bytes '%s': must be > 0", optarg);
            o->grad_bytes_arg = optarg;
            break;
        }
        case 'p':
            if ((rc = parse_params(optarg, &o->params)))
                return rc;
            o->params_arg = optarg;
            break;
        case 'w':
            o->workload = cb_workload_find(optarg);
            if (!o->workload)
                return usage_err("--workload '%s': unknown workload (--list-workloads shows them)",
                                 optarg);
            o->workload_arg = optarg;
            break;
        case OPT_GRAD_DTYPE:
            if (!cb_workload_dtype_bytes(optarg))
                return usage_err("--grad-dtype '%s': unknown (fp32, bf16, fp16)", optarg);
            o->dtype_arg = optarg;
            break;
        case 'n':
            if ((rc = parse_nodes(optarg, o)))
                return rc;
            break;
        case 's':
            if ((rc = parse_ms("--step-ms", optarg, &o->step_ms, 0)))
                return rc;
            break;
        case OPT_BWD_FRAC:
            if (cb_parse_double(optarg, -1e300, 1e300, &o->bwd_frac) < 0)
                return usage_err("--bwd-frac '%s': not a finite number", optarg);
            if (o->bwd_frac < 0 || o->bwd_frac > 1)
                return usage_err("--bwd-frac '%s': must be in [0, 1]", optarg);
            break;
        case OPT_BUCKET_MB:
            if ((rc = parse_mib("--bucket-mb", optarg, &o->bucket_bytes)))
                return rc;
            break;
        case OPT_FIRST_BUCKET_MB:
            if ((rc = parse_mib("--first-bucket-mb", optarg, &o->first_bucket_bytes)))
                return rc;
            break;
        case OPT_NO_OVERLAP:
            o->overlap = 0;
            break;
        case 't':
            if (cb_parse_double(optarg, -1e300, 1e300, &o->threshold) < 0)
                return usage_err("--threshold '%s': not a finite number", optarg);
            if (!(o->threshold > 0 && o->threshold <= 1))
                return usage_err("--threshold '%s': must be in (0, 1]", optarg);
            break;
        case OPT_TRANSPORT:
            if (!*optarg)
                return usage_err("--transport: empty");
            o->transport = optarg;
            break;
        case 'f':
            if (!strcmp(optarg, "text"))
                o->fmt = FMT_TEXT;
            else if (!strcmp(optarg, "csv"))
                o->fmt = FMT_CSV;
            else if (!strcmp(optarg, "json"))
                o->fmt = FMT_JSON;
            else
                return usage_err("--format '%s': unknown (text, csv, json)", optarg);
            break;
        case OPT_TIMELINE:
            o->timeline = 1;
            break;
        case OPT_NO_CALIBRATION:
            o->calibrate = 0;
            break;
        case OPT_LIST_WORKLOADS:
            list_workloads();
            return -1;
        case 'h':
            fputs(help_text, stdout);
            return -1;
        case ':':
            return usage_err("%s needs a value (see --help)", argv[optind - 1]);
        default:
            return usage_err("unknown option '%s' (see --help)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_err("unexpected argument '%s' (see --help)", argv[optind]);
    int nsrc = !!o->grad_bytes_arg + !!o->params_arg + !!o->workload_arg;
    if (nsrc == 0)
        return usage_err("no gradient size: give --grad-bytes, --params or --workload");
    if (nsrc > 1)
        return usage_err("give only one of --grad-bytes, --params, --workload");
    if (o->dtype_arg && o->grad_bytes_arg)
        return usage_err("--grad-dtype applies to --params/--workload, not to --grad-bytes");
    if (!o->grad_bytes_arg) {
        uint64_t p = o->workload ? o->workload->params : o->params;
        const char *dt = o->dtype_arg ? o->dtype_arg : "fp32";
        if (cb_workload_grad_bytes(p, dt, &o->grad_bytes) < 0)
            return usage_err("gradient size of %llu params in %s overflows",
                             (unsigned long long)p, dt);
    }
    if (o->nresults == 0)
        return usage_err("no results given: --results DIR|FILE with cb-allreduce CSV");
    if (o->timeline && (o->fmt != FMT_TEXT || isnan(o->step_ms)))
        return usage_err("--timeline needs --step-ms and --format text");
    return 0;
}

/* ------------------------------------------------------------ output */

static void join_paths(const be_opts_t *o, char *buf, size_t len)
{
    buf[0] = '\0';
    for (int i = 0; i < o->nresults; i++) {
        size_t l = strlen(buf);
        snprintf(buf + l, len - l, "%s%s", i ? ", " : "", o->results[i]);
    }
}

/* A number for csv/json: %.6g, "" / null when NaN, inf / null when infinite. */
static void put_num(FILE *f, fmt_t fmt, double v)
{
    if (isnan(v))
        fputs(fmt == FMT_JSON ? "null" : "", f);
    else if (isinf(v))
        fputs(fmt == FMT_JSON ? "null" : "inf", f);
    else
        fprintf(f, "%.6g", v);
}

static const char *const columns[] = {
    "nodes", "grad_bytes", "buckets", "bwd_frac", "overlap", "alpha_us", "beta_gbps",
    "fit_r2", "fit_sizes", "allreduce_ms_total", "breakeven_step_ms", "threshold",
    "threshold_step_ms", "step_ms", "ddp_step_ms", "speedup", "efficiency", "verdict",
    "max_grad_bytes", "pure_breakeven_step_ms", "pure_ddp_step_ms", "ar_scale", "tail_ms",
    "tail_source", "scale_source",
};

static const char *tail_source_name(int src)
{
    switch (src) {
    case CB_DDP_TAIL_TORCH: return "torch-ddp";
    case CB_DDP_TAIL_COPY: return "copy-bandwidth";
    }
    return "none";
}

static const char *scale_source_name(const be_row_t *r)
{
    return r->nodes < 2 || !r->scale_points ? "none" : r->scale_own ? "own" : "pooled";
}

static void put_str(FILE *f, fmt_t fmt, const char *s)
{
    fprintf(f, fmt == FMT_JSON ? "\"%s\"" : "%s", s);
}
#define NCOLUMNS (sizeof columns / sizeof columns[0])

static void put_field(FILE *f, const be_opts_t *o, const cb_ddp_calib_t *cal, const be_row_t *r,
                      size_t col)
{
    fmt_t fmt = o->fmt;
    int has_fit = r->nodes > 1, has_step = !isnan(o->step_ms);
    switch (col) {
    case 0: fprintf(f, "%d", r->nodes); break;
    case 1: fprintf(f, "%llu", (unsigned long long)o->grad_bytes); break;
    case 2: fprintf(f, "%zu", r->tl.nbuckets); break;
    case 3: put_num(f, fmt, o->bwd_frac); break;
    case 4: fprintf(f, "%d", o->overlap); break;
    case 5: put_num(f, fmt, has_fit ? r->curve.fit.alpha_us : NAN); break;
    case 6: put_num(f, fmt, has_fit ? cb_ddp_fit_gbps(&r->curve.fit) : NAN); break;
    case 7: put_num(f, fmt, has_fit ? r->curve.fit.r2 : NAN); break;
    case 8:
        if (has_fit)
            fprintf(f, "%zu", r->curve.n);
        else
            fputs(fmt == FMT_JSON ? "null" : "", f);
        break;
    case 9: put_num(f, fmt, r->tl.allreduce_us_total / 1e3); break;
    case 10: put_num(f, fmt, r->breakeven_us / 1e3); break;
    case 11: put_num(f, fmt, o->threshold); break;
    case 12: put_num(f, fmt, r->threshold_us / 1e3); break;
    case 13: put_num(f, fmt, has_step ? o->step_ms : NAN); break;
    case 14: put_num(f, fmt, has_step ? r->tl.ddp_step_us / 1e3 : NAN); break;
    case 15: put_num(f, fmt, has_step ? r->tl.speedup : NAN); break;
    case 16: put_num(f, fmt, has_step ? r->tl.efficiency : NAN); break;
    case 17:
        if (has_step)
            fprintf(f, fmt == FMT_JSON ? "\"%s\"" : "%s", cb_ddp_verdict_name(r->verdict));
        else
            fputs(fmt == FMT_JSON ? "null" : "", f);
        break;
    case 18:
        if (!has_step)
            fputs(fmt == FMT_JSON ? "null" : "", f);
        else if (r->max_grad == CB_DDP_GRAD_BYTES_UNBOUNDED)
            fputs(fmt == FMT_JSON ? "null" : "inf", f);
        else
            fprintf(f, "%llu", (unsigned long long)r->max_grad);
        break;
    case 19: put_num(f, fmt, r->pure_breakeven_us / 1e3); break;
    case 20: put_num(f, fmt, has_step ? r->pure_tl.ddp_step_us / 1e3 : NAN); break;
    case 21: put_num(f, fmt, has_fit ? r->scale : NAN); break;
    case 22: put_num(f, fmt, has_fit ? r->tl.tail_us / 1e3 : NAN); break;
    case 23: put_str(f, fmt, tail_source_name(cal->tail_source)); break;
    case 24: put_str(f, fmt, scale_source_name(r)); break;
    }
}

static void print_csv(const be_opts_t *o, const cb_ddp_calib_t *cal, const be_row_t *rows, int n)
{
    for (size_t c = 0; c < NCOLUMNS; c++)
        printf("%s%s", c ? "," : "", columns[c]);
    putchar('\n');
    for (int i = 0; i < n; i++) {
        for (size_t c = 0; c < NCOLUMNS; c++) {
            if (c)
                putchar(',');
            put_field(stdout, o, cal, &rows[i], c);
        }
        putchar('\n');
    }
}

static void print_json(const be_opts_t *o, const cb_ddp_calib_t *cal, const be_row_t *rows, int n)
{
    printf("[");
    for (int i = 0; i < n; i++) {
        printf("%s\n  {", i ? "," : "");
        for (size_t c = 0; c < NCOLUMNS; c++) {
            printf("%s\"%s\": ", c ? ", " : "", columns[c]);
            put_field(stdout, o, cal, &rows[i], c);
        }
        printf("}");
    }
    printf("\n]\n");
}

static const char *ms_text(double us, char *buf, size_t len)
{
    if (isinf(us))
        snprintf(buf, len, "never");
    else
        snprintf(buf, len, "%.3f", us / 1e3);
    return buf;
}

/* What calibrated the model, in words (text format). */
static void print_calibration(const be_opts_t *o, const cb_ddp_calib_t *cal, const be_row_t *rows,
                              int n)
{
    char hb[32];
    if (!o->calibrate) {
        printf("calibration: off (--no-calibration): the pure model\n\n");
        return;
    }
    if (!cb_ddp_calib_any(cal)) {
        printf("calibration: none: no cb-ddp-torch rows (real PyTorch DDP) and no GPU copy "
               "bandwidth in the results, so the pure model (no reducer tail, sigma 1)%s\n\n",
               cal->flagged ? "; flagged cb-ddp-torch points were left out" : "");
        return;
    }
    printf("calibration against real PyTorch DDP (cb-ddp-torch): %zu point%s", cal->points,
           cal->points == 1 ? "" : "s");
    if (cal->flagged)
        printf(", %zu flagged (compute ran late) left out", cal->flagged);
    printf("\n");
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, o->grad_bytes);
    cfg.first_bucket_bytes = o->first_bucket_bytes;
    cfg.bucket_bytes = o->bucket_bytes;
    double tail_ms = (cal->tail_us_per_byte * (double)o->grad_bytes +
                      cal->tail_us_per_bucket * (double)cb_ddp_bucket_count(&cfg)) / 1e3;
    if (cal->tail_source == CB_DDP_TAIL_TORCH)
        printf("  reducer tail      O = %.4g ms/MiB x G + %.4g ms/bucket, fitted to %zu one-node "
               "DDP-vs-plain step%s (RMS residual %.3g ms)\n",
               cal->tail_us_per_byte * 1048576.0 / 1e3, cal->tail_us_per_bucket / 1e3,
               cal->tail_points, cal->tail_points == 1 ? "" : "s", cal->tail_rms_us / 1e3);
    else if (cal->tail_source == CB_DDP_TAIL_COPY)
        printf("  reducer tail      O = one copy of the gradients at %.4g GB/s (cb-gpu "
               "d2d_memcpy_gbps, median): %.4g ms/MiB; no one-node DDP measurement\n",
               cal->copy_gbps, cal->tail_us_per_byte * 1048576.0 / 1e3);
    else
        printf("  reducer tail      none measured (no one-node DDP step, no copy bandwidth)\n");
    if (cal->tail_source != CB_DDP_TAIL_NONE)
        printf("                    = %.3f ms for %s in %zu buckets\n", tail_ms,
               human_bytes((double)o->grad_bytes, hb, sizeof hb), cb_ddp_bucket_count(&cfg));
    printf("  all-reduce slowdown while backward runs:");
    int any = 0;
    for (int i = 0; i < n; i++) {
        const be_row_t *r = &rows[i];
        if (r->nodes < 2)
            continue;
        printf("%s sigma %.3f at N=%d (%s%zu step%s with communication exposed)", any ? ";" : "",
               r->scale, r->nodes,
               !r->scale_points ? "none: " : r->scale_own ? "" : "pooled over node counts, ",
               r->scale_points, r->scale_points == 1 ? "" : "s");
        any = 1;
    }
    printf("%s\n\n", any ? "" : " -");
}

static void print_text(const be_opts_t *o, const cb_ddp_calib_t *cal, const be_row_t *rows, int n)
{
    char hb[32], hb2[32], hb3[32], paths[2048];
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, o->grad_bytes);
    cfg.first_bucket_bytes = o->first_bucket_bytes;
    cfg.bucket_bytes = o->bucket_bytes;
    size_t nb = cb_ddp_bucket_count(&cfg);

    printf("DDP break-even model (see --help)\n");
    printf("gradients   %s = %llu B", human_bytes((double)o->grad_bytes, hb, sizeof hb),
           (unsigned long long)o->grad_bytes);
    if (!o->grad_bytes_arg) {
        const char *dt = o->dtype_arg ? o->dtype_arg : "fp32";
        uint64_t p = o->workload ? o->workload->params : o->params;
        if (o->workload)
            printf(" (%s: %s, %llu params x %u B %s)", o->workload->name, o->workload->model,
                   (unsigned long long)p, cb_workload_dtype_bytes(dt), dt);
        else
            printf(" (%llu params x %u B %s)", (unsigned long long)p, cb_workload_dtype_bytes(dt),
                   dt);
    }
    printf("\nbuckets     %zu: first %s", nb,
           human_bytes((double)cb_ddp_bucket_size(&cfg, 0), hb, sizeof hb));
    if (nb > 2)
        printf(", then %s each", human_bytes((double)o->bucket_bytes, hb2, sizeof hb2));
    if (nb > 1)
        printf(", last %s", human_bytes((double)cb_ddp_bucket_size(&cfg, nb - 1), hb3, sizeof hb3));
    printf("\nstep        backward %.1f%% of T1; all-reduce %s\n", 100 * o->bwd_frac,
           o->overlap ? "overlapped with backward (one stream)" : "after backward (no overlap)");
    join_paths(o, paths, sizeof paths);
    printf("all-reduce  %s\n\n", paths);

    int any_fit = 0;
    for (int i = 0; i < n; i++)
        any_fit |= rows[i].nodes > 1;
    if (any_fit)
        printf("fit of the measured all-reduce time = alpha + bytes x beta (least squares):\n");
    for (int i = 0; i < n; i++) {
        const be_row_t *r = &rows[i];
        if (r->nodes < 2)
            continue;
        double gbps = cb_ddp_fit_gbps(&r->curve.fit);
        printf("  N=%d: alpha %.1f us, ", r->nodes, r->curve.fit.alpha_us);
        if (isnan(gbps))
            printf("beta <= 0 (no bandwidth), ");
        else
            printf("1/beta %.3g GB/s, ", gbps);
        printf("R^2 %.4f; %zu sizes %s..%s, %zu rows (%s, %s)\n", r->curve.fit.r2, r->curve.n,
               human_bytes(r->src.min_bytes, hb, sizeof hb),
               human_bytes(r->src.max_bytes, hb2, sizeof hb2), r->src.rows,
               r->src.transport[0] ? r->src.transport : "transport unknown",
               r->src.placement[0] ? r->src.placement : "placement unknown");
    }
    if (any_fit)
        putchar('\n');
    print_calibration(o, cal, rows, n);

    char thr_col[32], b1[32], b2[32], b0[32];
    snprintf(thr_col, sizeof thr_col, "eff>=%.2f_step_ms", o->threshold);
    if (isnan(o->step_ms)) {
        printf("%5s  %18s  %17s  %17s  %17s\n", "nodes", "allreduce_ms_total",
               "pure_breakeven_ms", "breakeven_step_ms", thr_col);
        for (int i = 0; i < n; i++) {
            const be_row_t *r = &rows[i];
            printf("%5d  %18.3f  %17s  %17s  %17s\n", r->nodes, r->tl.allreduce_us_total / 1e3,
                   ms_text(r->pure_breakeven_us, b0, sizeof b0),
                   ms_text(r->breakeven_us, b1, sizeof b1),
                   ms_text(r->threshold_us, b2, sizeof b2));
        }
        printf("\nDDP on N nodes is faster than one node for single-node steps longer than\n"
               "breakeven_step_ms, and at least %.0f%% efficient beyond %s\n"
               "(pure_breakeven_ms: the all-reduce model alone, without the calibration).\n",
               100 * o->threshold, thr_col);
    } else {
        printf("%5s  %9s  %12s  %11s  %7s  %10s  %17s  %17s  %17s  %12s  %s\n", "nodes",
               "step_ms", "pure_ddp_ms", "ddp_step_ms", "speedup", "efficiency",
               "pure_breakeven_ms", "breakeven_step_ms", thr_col, "max_grad", "verdict");
        for (int i = 0; i < n; i++) {
            const be_row_t *r = &rows[i];
            char mg[32];
            if (r->max_grad == CB_DDP_GRAD_BYTES_UNBOUNDED)
                snprintf(mg, sizeof mg, "unbounded");
            else if (r->max_grad == 0)
                snprintf(mg, sizeof mg, "none");
            else
                human_bytes((double)r->max_grad, mg, sizeof mg);
            printf("%5d  %9.3f  %12.3f  %11.3f  %7.3f  %9.1f%%  %17s  %17s  %17s  %12s  %s\n",
                   r->nodes, o->step_ms, r->pure_tl.ddp_step_us / 1e3, r->tl.ddp_step_us / 1e3,
                   r->tl.speedup, 100 * r->tl.efficiency,
                   ms_text(r->pure_breakeven_us, b0, sizeof b0),
                   ms_text(r->breakeven_us, b1, sizeof b1),
                   ms_text(r->threshold_us, b2, sizeof b2), mg, cb_ddp_verdict_text(r->verdict));
        }
        printf("\nverdicts: use DDP = speedup > 1 and efficiency >= %.2f; DDP only for\n"
               "time-to-result = faster, but independent jobs on the same nodes give more total\n"
               "throughput; stay on one node = no speedup. max_grad = the largest gradient size\n"
               "that still breaks even at this step time. pure_*: the all-reduce model alone;\n"
               "the other columns are the calibrated model's (see calibration above).\n",
               o->threshold);
    }
    for (int i = 0; i < n; i++)
        if (rows[i].nextrap)
            printf("note: N=%d: %zu of %zu buckets lie outside the measured sizes (%s..%s); their "
                   "all-reduce time comes from the fit\n",
                   rows[i].nodes, rows[i].nextrap, rows[i].tl.nbuckets,
                   human_bytes(rows[i].src.min_bytes, hb, sizeof hb),
                   human_bytes(rows[i].src.max_bytes, hb2, sizeof hb2));

    if (o->timeline) {
        for (int i = 0; i < n; i++) {
            const be_row_t *r = &rows[i];
            printf("\ntimeline N=%d (ms from the start of the step; forward ends at %.3f, "
                   "backward at %.3f):\n",
                   r->nodes, r->tl.fwd_us / 1e3, r->tl.step_us / 1e3);
            printf("%6s  %12s  %9s  %9s  %9s  %12s\n", "bucket", "bytes", "ready", "ar_start",
                   "ar_end", "allreduce_ms");
            for (size_t k = 0; k < r->tl.nbuckets; k++) {
                const cb_ddp_bucket_t *b = &r->tl.buckets[k];
                printf("%6zu  %12llu  %9.3f  %9.3f  %9.3f  %12.3f%s\n", k + 1,
                       (unsigned long long)b->bytes, b->ready_us / 1e3, b->start_us / 1e3,
                       b->end_us / 1e3, b->allreduce_us / 1e3, b->extrapolated ? "  (fit)" : "");
            }
            printf("step ends at %.3f ms; %.3f ms of communication not hidden, then %.3f ms "
                   "of reducer tail\n",
                   r->tl.ddp_step_us / 1e3, r->tl.exposed_comm_us / 1e3, r->tl.tail_us / 1e3);
        }
    }
}

/* ------------------------------------------------------------ main */

int cb_cli_breakeven(int argc, char **argv)
{
    be_opts_t o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;

    int exit_code = 0;
    be_row_t rows[MAX_NODES];
    int nrows = 0;
    int *present = NULL;
    size_t npresent = 0;
    char err[1024], paths[2048];
    cb_table_t table;
    cb_ddp_calib_t cal;
    memset(&cal, 0, sizeof cal);
    cb_table_init(&table);
    memset(rows, 0, sizeof rows);
    join_paths(&o, paths, sizeof paths);

    for (int i = 0; i < o.nresults; i++) {
        err[0] = '\0';
        int trc = cb_table_read(&table, o.results[i], err, sizeof err);
        if (trc < 0) {
            /* A path the user gave that cannot be read is bad input too. */
            fprintf(stderr, PROG ": %s\n", err[0] ? err : cb_strerror(trc));
            exit_code = trc == CB_ERR_NOMEM ? 3 : 2;
            goto out;
        }
    }
    int default_nodes = o.nnodes == 0;
    if (default_nodes) {
        if (cb_ddp_table_nodes(&table, o.transport, &present, &npresent) < 0) {
            fprintf(stderr, PROG ": out of memory\n");
            exit_code = 3;
            goto out;
        }
        if (npresent == 0) {
            exit_code = usage_err("no all-reduce rows (benchmark=allreduce, status=ok) with "
                                  "nodes > 1%s%s in %s",
                                  o.transport ? " and transport=" : "",
                                  o.transport ? o.transport : "", paths);
            goto out;
        }
        for (size_t i = 0; i < npresent && o.nnodes < MAX_NODES; i++)
            o.nodes[o.nnodes++] = present[i];
    }

    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, o.grad_bytes);
    cfg.first_bucket_bytes = o.first_bucket_bytes;
    cfg.bucket_bytes = o.bucket_bytes;
    cfg.bwd_frac = o.bwd_frac;
    cfg.overlap = o.overlap;
    if (cb_ddp_config_check(&cfg) < 0) {
        exit_code = usage_err("invalid model configuration");
        goto out;
    }
    double step_us = isnan(o.step_ms) ? 1.0 : o.step_ms * 1e3;
    if (o.calibrate) {
        int crc = cb_ddp_calibrate(&table, NULL, o.transport, &cal);
        if (crc < 0) {
            fprintf(stderr, PROG ": calibration: %s\n", cb_strerror(crc));
            exit_code = cb_error_exit_code(crc);
            goto out;
        }
    }

    for (int i = 0; i < o.nnodes; i++) {
        be_row_t *r = &rows[nrows++];
        r->nodes = o.nodes[i];
        const cb_ddp_curve_t *curve = NULL;
        if (r->nodes > 1) {
            int crc = cb_ddp_curve_from_table(&table, NULL, r->nodes, o.transport, &r->curve, &r->src);
            if (crc == CB_ERR_INPUT && r->src.rows == 0) {
                exit_code = usage_err("no all-reduce rows (benchmark=allreduce, status=ok) for "
                                      "nodes=%d%s%s in %s",
                                      r->nodes, o.transport ? " and transport=" : "",
                                      o.transport ? o.transport : "", paths);
                goto out;
            }
            if (crc == CB_ERR_INPUT && default_nodes) {
                /* Not asked for by name: skip it, say so. */
                fprintf(stderr,
                        PROG ": warning: skipping nodes=%d: only %zu measured all-reduce size "
                             "(the model needs at least 2)\n",
                        r->nodes, r->src.sizes);
                cb_ddp_curve_free(&r->curve);
                memset(r, 0, sizeof *r);
                nrows--;
                continue;
            }
            if (crc == CB_ERR_INPUT) {
                exit_code = usage_err("nodes=%d: only %zu measured all-reduce size in %s; the "
                                      "model needs at least 2 to fit alpha + beta",
                                      r->nodes, r->src.sizes, paths);
                goto out;
            }
            if (crc < 0) {
                fprintf(stderr, PROG ": nodes=%d: %s\n", r->nodes, cb_strerror(crc));
                exit_code = cb_error_exit_code(crc);
                goto out;
            }
            curve = &r->curve;
            if (!(r->curve.fit.beta_us_per_byte > 0))
                fprintf(stderr,
                        PROG ": warning: nodes=%d: fitted all-reduce time does not grow with "
                             "size (beta %.3g us/B); extrapolated times are clamped at 0\n",
                        r->nodes, r->curve.fit.beta_us_per_byte);
        }
        cb_ddp_config_t ccfg = cfg;
        if (o.calibrate)
            cb_ddp_calib_apply(&cal, r->nodes, &ccfg);
        r->scale = ccfg.ar_scale;
        if (o.calibrate)
            cb_ddp_calib_scale(&cal, r->nodes, &r->scale_points, &r->scale_own);
        int mrc = cb_ddp_step_time(&cfg, curve, r->nodes, step_us, &r->pure_tl);
        if (mrc >= 0)
            mrc = cb_ddp_breakeven_step(&cfg, curve, r->nodes, &r->pure_breakeven_us);
        if (mrc >= 0)
            mrc = cb_ddp_step_time(&ccfg, curve, r->nodes, step_us, &r->tl);
        if (mrc >= 0)
            mrc = cb_ddp_breakeven_step(&ccfg, curve, r->nodes, &r->breakeven_us);
        if (mrc >= 0)
            mrc = cb_ddp_threshold_step(&ccfg, curve, r->nodes, o.threshold, &r->threshold_us);
        if (mrc >= 0 && !isnan(o.step_ms))
            mrc = cb_ddp_max_grad_bytes(&ccfg, curve, r->nodes, step_us, &r->max_grad);
        if (mrc < 0) {
            fprintf(stderr, PROG ": nodes=%d: model: %s\n", r->nodes, cb_strerror(mrc));
            exit_code = cb_error_exit_code(mrc);
            goto out;
        }
        r->verdict = cb_ddp_verdict(r->tl.speedup, r->tl.efficiency, o.threshold);
        for (size_t k = 0; k < r->tl.nbuckets; k++)
            r->nextrap += r->tl.buckets[k].extrapolated != 0;
    }

    if (nrows == 0) {
        exit_code = usage_err("no node count with at least 2 measured all-reduce sizes in %s",
                              paths);
        goto out;
    }
    switch (o.fmt) {
    case FMT_TEXT: print_text(&o, &cal, rows, nrows); break;
    case FMT_CSV: print_csv(&o, &cal, rows, nrows); break;
    case FMT_JSON: print_json(&o, &cal, rows, nrows); break;
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, PROG ": writing output failed\n");
        exit_code = 3;
    }

out:
    for (int i = 0; i < nrows; i++) {
        cb_ddp_curve_free(&rows[i].curve);
        cb_ddp_timeline_free(&rows[i].tl);
        cb_ddp_timeline_free(&rows[i].pure_tl);
    }
    cb_ddp_calib_free(&cal);
    free(present);
    cb_table_free(&table);
    return exit_code;
}
