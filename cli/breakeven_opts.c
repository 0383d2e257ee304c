/* breakeven_opts: the options of `clusterbench breakeven`: --help text,
 * parsing and checking into be_opts_t (breakeven.h), the workload list. */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "breakeven.h"
#include "cb_cli.h"
#include "cb_ddp.h"
#include "cb_error.h"
#include "cb_size.h"
#include "cb_workload.h"

static const char help_text[] =
    "usage: clusterbench breakeven --results DIR|FILE [--results ...]\n"
    "                              (--grad-bytes SIZE | --params N | --workload NAME)\n"
    "                              [--grad-dtype fp32|bf16|fp16] [--nodes 2,3] [--step-ms T1]\n"
    "                              [--bwd-frac F] [--bucket-mb MB] [--first-bucket-mb MB]\n"
    "                              [--no-overlap] [--threshold E] [--transport mpi|nccl|gloo]\n"
    "                              [--no-calibration]\n"
    "                              [--format text|csv|json] [--timeline] [--list-workloads]\n"
    "                              [--what-if [--what-if-links 4,10,40] [--what-if-k 2,4,8]\n"
    "                               [--what-if-nodes LIST]]\n"
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
    "what if (--what-if, needs --step-ms): for the workload at T1 on the largest node\n"
    "count N, the model with each lever alone and in combinations, the gain in speedup\n"
    "over today and the verdict:\n"
    "  link xF     a link F times as fast: each measured all-reduce time keeps its\n"
    "              latency term (the fit's alpha, clamped to [0, smallest time]) and its\n"
    "              bandwidth part is divided by F (--what-if-links, default 4,10,40)\n"
    "  bf16/fp16   half the gradient bytes (fp32 gradients only; --grad-bytes counts\n"
    "              as fp32)\n"
    "  k           gradient accumulation: one all-reduce per k micro-steps, overlapped\n"
    "              with the last micro-step's backward only: T_N(k) = (k-1)*T1 + T_N\n"
    "              against k*T1 on one node (--what-if-k, default 2,4,8)\n"
    "  nodes       the other measured node counts, and more (--what-if-nodes, default\n"
    "              2N,4N,8N) from N's all-reduce by the ring model (latency x\n"
    "              (N'-1)/(N-1), bandwidth part x ((N'-1)/N')/((N-1)/N)): extrapolated\n"
    "  and the inverse questions, each solved exactly: the smallest link factor, the\n"
    "  largest gradient size and the smallest k that reach --threshold on N nodes.\n"
    "  Rows the model must not be trusted for are marked: node count or bucket sizes\n"
    "  beyond the measured ones, a link scaled beyond x0.04..x25 (the range checked\n"
    "  against shaped links), an all-reduce fit with R^2 < 0.95. With --format csv/json\n"
    "  only the what-if table is printed: lever, name, kind (today, lever, combination,\n"
    "  nodes, inverse), nodes, link_factor, grad_bytes, k, step_ms (k*T1), ddp_step_ms,\n"
    "  speedup, efficiency, gain, verdict, warnings (nodes-extrapolated;\n"
    "  sizes-extrapolated; link-unconfirmed; poor-fit; never).\n"
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

/* ------------------------------------------------------------ options */

static int parse_ms(const char *opt, const char *s, double *out, int allow_zero)
{
    double v;
    int rc = cb_parse_double(s, -1e300, 1e300, &v);
    if (rc < 0)
        return cb_cli_usage_err(PROG, "%s '%s': not a finite number", opt, s);
    if (v < 0 || (!allow_zero && v == 0))
        return cb_cli_usage_err(PROG, "%s '%s': must be > 0", opt, s);
    if (v > 1e9)
        return cb_cli_usage_err(PROG, "%s '%s': out of range (at most 1e9)", opt, s);
    *out = v;
    return 0;
}

static int parse_mib(const char *opt, const char *s, uint64_t *out)
{
    double v;
    if (cb_parse_double(s, -1e300, 1e300, &v) < 0)
        return cb_cli_usage_err(PROG, "%s '%s': not a finite number (MiB)", opt, s);
    if (!(v > 0))
        return cb_cli_usage_err(PROG, "%s '%s': must be > 0", opt, s);
    if (v > 1048576.0)
        return cb_cli_usage_err(PROG, "%s '%s': out of range (at most 1048576 MiB)", opt, s);
    double b = round(v * 1048576.0);
    if (b < 1)
        return cb_cli_usage_err(PROG, "%s '%s': less than one byte", opt, s);
    *out = (uint64_t)b;
    return 0;
}

/* Parameter counts: a number with an optional decimal K/M/B(G)/T suffix. */
/* --params: cb_workload_parse_params()'s count and message (exit 2). */
static int parse_params(const char *s, uint64_t *out)
{
    char err[256];
    if (cb_workload_parse_params(s, out, err, sizeof err) < 0)
        return cb_cli_usage_err(PROG, "%s", err);
    return 0;
}

static int parse_nodes(const char *s, be_opts_t *o)
{
    size_t ntok = 1;
    for (const char *q = s; *q; q++)
        ntok += *q == ',';
    char *buf = strdup(s);
    int *nodes = realloc(o->nodes, ntok * sizeof *nodes);
    if (!buf || !nodes) {
        free(buf);
        fprintf(stderr, PROG ": out of memory\n");
        return 3;
    }
    o->nodes = nodes;
    o->nnodes = 0;
    int rc = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
        long v;
        if (cb_parse_long(tok, 1, 1000000, &v) < 0) {
            rc = cb_cli_usage_err(PROG, "--nodes '%s': '%s' is not a node count >= 1", s, tok);
            break;
        }
        int dup = 0;
        for (int i = 0; i < o->nnodes; i++)
            dup |= o->nodes[i] == (int)v;
        if (!dup)
            o->nodes[o->nnodes++] = (int)v;
    }
    free(buf);
    if (!rc && o->nnodes == 0)
        rc = cb_cli_usage_err(PROG, "--nodes '%s': no node count", s);
    return rc;
}

/* A comma-separated list of --what-if-* values: link factors (> 0, != 1)
 * into d, or whole numbers into v: k >= 2 (--what-if-k), node counts >= 2
 * ascending (--what-if-nodes). At most BE_WHATIF_MAX. */
static int parse_list(const char *opt, const char *s, double *d, int *v, int *n)
{
    char buf[512];
    if (strlen(s) >= sizeof buf)
        return cb_cli_usage_err(PROG, "%s '%s': too long", opt, s);
    strcpy(buf, s);
    *n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (*n == BE_WHATIF_MAX)
            return cb_cli_usage_err(PROG, "%s '%s': more than %d values", opt, s, BE_WHATIF_MAX);
        if (d) {
            double x;
            if (cb_parse_double(tok, 1e-6, 1e6, &x) < 0 || x == 1)
                return cb_cli_usage_err(PROG, "%s '%s': '%s' is not a link factor in "
                                              "[1e-6, 1e6] other than 1", opt, s, tok);
            d[(*n)++] = x;
            continue;
        }
        long x;
        int kopt = !strcmp(opt, "--what-if-k");
        if (cb_parse_long(tok, 2, kopt ? 1000000 : 4096, &x) < 0)
            return cb_cli_usage_err(PROG, "%s '%s': '%s' is not %s", opt, s, tok,
                                    kopt ? "a whole k >= 2" : "a node count in 2..4096");
        if (!kopt && *n && x <= v[*n - 1])
            return cb_cli_usage_err(PROG, "%s '%s': node counts must ascend", opt, s);
        v[(*n)++] = (int)x;
    }
    if (*n == 0)
        return cb_cli_usage_err(PROG, "%s '%s': no value", opt, s);
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
               cb_size_human(4.0 * (double)w[i].params, hb, sizeof hb), w[i].source);
    }
}

enum {
    OPT_GRAD_DTYPE = 256, OPT_BWD_FRAC, OPT_BUCKET_MB, OPT_FIRST_BUCKET_MB, OPT_NO_OVERLAP,
    OPT_TRANSPORT, OPT_TIMELINE, OPT_LIST_WORKLOADS, OPT_NO_CALIBRATION, OPT_WHAT_IF,
    OPT_WHAT_IF_LINKS, OPT_WHAT_IF_K, OPT_WHAT_IF_NODES,
};

/* 0 ok, -1 done (help printed), else an exit code. */
int be_parse_args(int argc, char **argv, be_opts_t *o)
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
        {"what-if", no_argument, NULL, OPT_WHAT_IF},
        {"what-if-links", required_argument, NULL, OPT_WHAT_IF_LINKS},
        {"what-if-k", required_argument, NULL, OPT_WHAT_IF_K},
        {"what-if-nodes", required_argument, NULL, OPT_WHAT_IF_NODES},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    if (!(o->results = malloc((argc > 0 ? (size_t)argc : 1) * sizeof *o->results))) {
        fprintf(stderr, PROG ": out of memory\n");
        return 3;
    }
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
            o->results[o->nresults++] = optarg; /* room for argc */
            break;
        case 'g': {
            int prc = cb_size_parse(optarg, &o->grad_bytes);
            if (prc == CB_ERR_RANGE)
                return cb_cli_usage_err(PROG, "--grad-bytes '%s': too large", optarg);
            if (prc < 0)
                return cb_cli_usage_err(PROG, "--grad-bytes '%s': not a size (e.g. 100M, 4G, 123456)", optarg);
            if (o->grad_bytes == 0)
                return cb_cli_usage_err(PROG, "--grad-bytes '%s': must be > 0", optarg);
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
                return cb_cli_usage_err(PROG, "--workload '%s': unknown workload (--list-workloads shows them)",
                                 optarg);
            o->workload_arg = optarg;
            break;
        case OPT_GRAD_DTYPE:
            if (!cb_workload_dtype_bytes(optarg))
                return cb_cli_usage_err(PROG, "--grad-dtype '%s': unknown (fp32, bf16, fp16)", optarg);
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
                return cb_cli_usage_err(PROG, "--bwd-frac '%s': not a finite number", optarg);
            if (o->bwd_frac < 0 || o->bwd_frac > 1)
                return cb_cli_usage_err(PROG, "--bwd-frac '%s': must be in [0, 1]", optarg);
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
                return cb_cli_usage_err(PROG, "--threshold '%s': not a finite number", optarg);
            if (!(o->threshold > 0 && o->threshold <= 1))
                return cb_cli_usage_err(PROG, "--threshold '%s': must be in (0, 1]", optarg);
            break;
        case OPT_TRANSPORT:
            if (!*optarg)
                return cb_cli_usage_err(PROG, "--transport: empty");
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
                return cb_cli_usage_err(PROG, "--format '%s': unknown (text, csv, json)", optarg);
            break;
        case OPT_TIMELINE:
            o->timeline = 1;
            break;
        case OPT_NO_CALIBRATION:
            o->calibrate = 0;
            break;
        case OPT_WHAT_IF:
            o->what_if = 1;
            break;
        case OPT_WHAT_IF_LINKS:
            if ((rc = parse_list("--what-if-links", optarg, o->wi_links, NULL, &o->wi_nlinks)))
                return rc;
            break;
        case OPT_WHAT_IF_K:
            if ((rc = parse_list("--what-if-k", optarg, NULL, o->wi_ks, &o->wi_nks)))
                return rc;
            break;
        case OPT_WHAT_IF_NODES:
            if ((rc = parse_list("--what-if-nodes", optarg, NULL, o->wi_nodes, &o->wi_nnodes)))
                return rc;
            break;
        case OPT_LIST_WORKLOADS:
            list_workloads();
            return -1;
        case 'h':
            fputs(help_text, stdout);
            return -1;
        case ':':
            return cb_cli_usage_err(PROG, "%s needs a value (see --help)", argv[optind - 1]);
        default:
            return cb_cli_usage_err(PROG, "unknown option '%s' (see --help)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cb_cli_usage_err(PROG, "unexpected argument '%s' (see --help)", argv[optind]);
    int nsrc = !!o->grad_bytes_arg + !!o->params_arg + !!o->workload_arg;
    if (nsrc == 0)
        return cb_cli_usage_err(PROG, "no gradient size: give --grad-bytes, --params or --workload");
    if (nsrc > 1)
        return cb_cli_usage_err(PROG, "give only one of --grad-bytes, --params, --workload");
    if (o->dtype_arg && o->grad_bytes_arg)
        return cb_cli_usage_err(PROG, "--grad-dtype applies to --params/--workload, not to --grad-bytes");
    if (!o->grad_bytes_arg) {
        uint64_t p = o->workload ? o->workload->params : o->params;
        const char *dt = o->dtype_arg ? o->dtype_arg : "fp32";
        if (cb_workload_grad_bytes(p, dt, &o->grad_bytes) < 0)
            return cb_cli_usage_err(PROG, "gradient size of %llu params in %s overflows",
                             (unsigned long long)p, dt);
    }
    if (o->nresults == 0)
        return cb_cli_usage_err(PROG, "no results given: --results DIR|FILE with cb-allreduce CSV");
    if ((o->wi_nlinks || o->wi_nks || o->wi_nnodes) && !o->what_if)
        return cb_cli_usage_err(PROG, "--what-if-links/-k/-nodes need --what-if");
    if (o->what_if && isnan(o->step_ms))
        return cb_cli_usage_err(PROG, "--what-if needs --step-ms (the single-node step time T1)");
    if (o->timeline && (o->fmt != FMT_TEXT || isnan(o->step_ms)))
        return cb_cli_usage_err(PROG, "--timeline needs --step-ms and --format text");
    return 0;
}

void be_opts_free(be_opts_t *o)
{
    free(o->results);
    free(o->nodes);
    o->results = NULL;
    o->nodes = NULL;
}
