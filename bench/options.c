/* Command-line options of cb-allreduce and cb-p2p (nccl-tests' flag names
 * where they exist), defaults and usage text. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cb_bench.h"
#include "cb_error.h"
#include "cb_size.h"

#define CB_MAX_BYTES ((uint64_t)16 << 30)

void cb_bench_opts_default(cb_prog_t prog, cb_bench_opts_t *o)
{
    memset(o, 0, sizeof *o);
    cb_prog_opts_default(&o->common);
    o->min_bytes = prog == CB_PROG_P2P ? 1 : 1024;
    o->max_bytes = prog == CB_PROG_P2P ? (4u << 20) : (64u << 20);
    o->step_factor = prog == CB_PROG_P2P ? 4 : 2;
    o->dtypes[0] = prog == CB_PROG_P2P ? CB_DT_UINT8 : CB_DT_FLOAT;
    o->ndtypes = 1;
    o->placements = CB_PLACE_OUT | CB_PLACE_IN;
    o->common.warmup_iters = 5;
    o->min_iters = 5;
    o->max_iters = prog == CB_PROG_P2P ? 10000 : 1000;
    o->time_per_size_s = prog == CB_PROG_P2P ? 0.25 : 0.5;
    o->common.total_time_s = 600;
    o->modes = CB_P2P_LATENCY | CB_P2P_BW | CB_P2P_BIBW;
    o->window = 64;
    o->round_shortfall = 0.20;
}

void cb_bench_usage(cb_prog_t prog, FILE *f)
{
    int p2p = prog == CB_PROG_P2P;
    cb_bench_opts_t d;
    cb_bench_opts_default(prog, &d);
    char b1[32], b2[32];
    fprintf(f, "usage: %s [options]\n\n", p2p ? "cb-p2p" : "cb-allreduce");
    if (p2p)
        fprintf(f, "Point-to-point latency (ping-pong, half round trip), unidirectional bandwidth\n"
                   "with a window of messages in flight (like osu_bw) and bidirectional bandwidth,\n"
                   "between rank 0 and rank 1, or between every pair of nodes (--all-pairs).\n"
                   "Bandwidth in GB/s (1 GB = 1e9 bytes).\n\n");
    else
        fprintf(f, "All-reduce (sum) over all ranks, swept over message sizes. algbw = S/t and\n"
                   "busbw = algbw * 2(n-1)/n exactly as nccl-tests defines them (S = bytes per\n"
                   "rank, t = mean time per operation, the max over ranks in each timed batch);\n"
                   "GB = 1e9 bytes. Data are checked outside the timed loop.\n\n");
    fprintf(f,
            "Run under mpirun/srun for several ranks, or alone for one rank.\n\n"
            "sizes:\n"
            "  -b, --minbytes SIZE     smallest size (default %s); SIZE like 8, 64K, 1M, 4G\n"
            "  -e, --maxbytes SIZE     largest size (default %s)\n"
            "  -f, --stepfactor N      multiply the size by N each step (default %llu)\n"
            "  -i, --stepbytes SIZE    add SIZE each step instead\n",
            cb_size_format(d.min_bytes, b1, sizeof b1), cb_size_format(d.max_bytes, b2, sizeof b2),
            (unsigned long long)d.step_factor);
    if (!p2p)
        fprintf(f,
                "  -d, --datatype LIST     float,double (mpi); float,half,bfloat16 (nccl); default float\n"
                "  -p, --placement P       out, in or both (out-of-place / in-place; default both)\n");
    else
        fprintf(f,
                "  -m, --mode LIST         latency,bw,bibw (default all three)\n"
                "  -W, --window N          messages in flight for bw/bibw (default %d; fewer for large\n"
                "                          messages: at most 64 MiB in flight)\n"
                "      --all-pairs         every pair of nodes, both directions (first rank of each\n"
                "                          node), in rounds: N-1 rounds (N even; N when odd) of\n"
                "                          disjoint pairs measured at once, then reversed; for a\n"
                "                          non-blocking switch\n"
                "      --sequential        with --all-pairs: one direction after another instead\n"
                "                          (a switch that cannot carry all pairs at once)\n"
                "      --reference         with --all-pairs: first every direction alone at the\n"
                "                          largest size (as --sequential), then the rounds; a round\n"
                "                          whose aggregate (its pairs' rates at once) falls more than\n"
                "                          --round-shortfall below the sum of the same pairs' rates\n"
                "                          alone is reported (screen; CSV op 'round')\n"
                "      --round-shortfall PCT  the limit of that check (default %g%%)\n",
                d.window, 100 * d.round_shortfall);
    fprintf(f,
            "transport:\n"
            "  -t, --transport T       auto (nccl where a CUDA device exists, else mpi), mpi, nccl\n"
            "effort (adaptive: iterations fit a time budget per size):\n"
            "  -w, --warmup N          at most N warm-up iterations (default %d; at least 1)\n"
            "  -n, --iters N           at most N timed iterations (default %d)\n"
            "      --min-iters N       at least N timed iterations (default %d)\n"
            "      --time-per-size S   seconds of timed iterations per size (default %g)\n"
            "      --total-time S      cap on the whole sweep; larger sizes are skipped and\n"
            "                          reported (default %g; 0 = no cap)\n"
            "      --timeout S         abort if one operation hangs this long (default: automatic)\n"
            "timing: iterations are timed in batches of at least %g us between two timer\n"
            "reads (as nccl-tests times its loop); a batch's time is the slowest rank's, and\n"
            "the statistics (mean, median, p95, ...) are over batches, per operation\n"
            "      --per-iteration     time every iteration alone instead (its distribution,\n"
            "                          at the cost of a timer read and a max per iteration)\n"
            "checking and output:\n"
            "  -c, --check 0|1         check the data (default 1); --check alone = 1, --no-check = 0\n"
            "  -o, --output FILE       results CSV (appended to if ours; default\n"
            "                          results/<cluster>/%s-<run id>.csv)\n"
            "      --cluster NAME      cluster/profile name recorded in every row ($CB_CLUSTER)\n"
            "  -q, --quiet             no progress lines on stderr\n"
            "  -h, --help              this text\n\n"
            "exit status: 0 ok, 2 usage or input error, 3 runtime error or wrong data\n",
            d.common.warmup_iters, d.max_iters, d.min_iters, d.time_per_size_s, d.common.total_time_s,
            CB_BENCH_BATCH_US, p2p ? "cb-p2p" : "cb-allreduce");
}


static int parse_size_opt(const char *flag, const char *v, uint64_t *out, char *err, size_t errlen)
{
    int rc = cb_size_parse(v, out);
    if (rc == CB_ERR_RANGE || (rc == CB_OK && *out > CB_MAX_BYTES))
        return cb_errf(err, errlen, CB_ERR_USAGE, "%s '%s': too large (at most 16G)", flag, v);
    if (rc)
        return cb_errf(err, errlen, CB_ERR_USAGE, "%s '%s': not a size (use e.g. 8, 64K, 1M, 4G)",
                       flag, v);
    if (*out == 0)
        return cb_errf(err, errlen, CB_ERR_USAGE, "%s '%s': must be at least 1 byte", flag, v);
    return CB_OK;
}

static int parse_secs_opt(const char *flag, const char *v, double *out, char *err, size_t errlen)
{
    if (cb_parse_double(v, 0, 86400 * 7, out))
        return cb_errf(err, errlen, CB_ERR_USAGE, "%s '%s': expected seconds, 0 to 604800", flag,
                       v);
    return CB_OK;
}

static int parse_list(const char *v, int (*item)(const char *, void *), void *ctx)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    char *save = NULL;
    int n = 0;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save), n++)
        if (item(tok, ctx))
            return CB_ERR_USAGE;
    return n ? CB_OK : CB_ERR_USAGE;
}

static int dtype_item(const char *tok, void *vo)
{
    cb_bench_opts_t *o = vo;
    cb_dtype_t dt;
    if (cb_dtype_parse(tok, &dt) || o->ndtypes >= CB_DT_COUNT)
        return CB_ERR_USAGE;
    for (int i = 0; i < o->ndtypes; i++)
        if (o->dtypes[i] == dt)
            return CB_OK;
    o->dtypes[o->ndtypes++] = dt;
    return CB_OK;
}

static int mode_item(const char *tok, void *vo)
{
    cb_bench_opts_t *o = vo;
    if (!strcmp(tok, "latency") || !strcmp(tok, "lat"))
        o->modes |= CB_P2P_LATENCY;
    else if (!strcmp(tok, "bw"))
        o->modes |= CB_P2P_BW;
    else if (!strcmp(tok, "bibw"))
        o->modes |= CB_P2P_BIBW;
    else
        return CB_ERR_USAGE;
    return CB_OK;
}

enum {
    OPT_TIME_PER_SIZE = 256, OPT_MIN_ITERS, OPT_ALL_PAIRS, OPT_SEQUENTIAL, OPT_REFERENCE,
    OPT_ROUND_SHORTFALL, OPT_PER_ITERATION,
};

/* The options of cb-allreduce and cb-p2p beyond the shared flags. */
static const struct option bench_longopts[] = {
    {"minbytes", required_argument, 0, 'b'},
    {"maxbytes", required_argument, 0, 'e'},
    {"stepfactor", required_argument, 0, 'f'},
    {"stepbytes", required_argument, 0, 'i'},
    {"datatype", required_argument, 0, 'd'},
    {"placement", required_argument, 0, 'p'},
    {"mode", required_argument, 0, 'm'},
    {"window", required_argument, 0, 'W'},
    {"all-pairs", no_argument, 0, OPT_ALL_PAIRS},
    {"sequential", no_argument, 0, OPT_SEQUENTIAL},
    {"reference", no_argument, 0, OPT_REFERENCE},
    {"round-shortfall", required_argument, 0, OPT_ROUND_SHORTFALL},
    {"iters", required_argument, 0, 'n'},
    {"min-iters", required_argument, 0, OPT_MIN_ITERS},
    {"time-per-size", required_argument, 0, OPT_TIME_PER_SIZE},
    {"per-iteration", no_argument, 0, OPT_PER_ITERATION},
    {0, 0, 0, 0},
};

/* Parse state: the options, which program, and what was given already. */
typedef struct bench_parse {
    cb_bench_opts_t *o;
    cb_prog_t prog;
    int dtypes_given, modes_given;
} bench_parse_t;

static int bench_option(void *vp, int c, const char *optarg, const char *flag, FILE *out,
                        char *err, size_t errlen)
{
    bench_parse_t *bp = vp;
    cb_bench_opts_t *o = bp->o;
    const int p2p = bp->prog == CB_PROG_P2P;
    int rc;
    switch (c) {
    case 'b': return parse_size_opt("-b", optarg, &o->min_bytes, err, errlen);
    case 'e': return parse_size_opt("-e", optarg, &o->max_bytes, err, errlen);
    case 'i': return parse_size_opt("-i", optarg, &o->step_bytes, err, errlen);
    case 'f': {
        int f = 0;
        if ((rc = cb_prog_parse_int("-f", optarg, 2, 1 << 20, &f, err, errlen)))
            return rc;
        o->step_factor = (uint64_t)f;
        return CB_OK;
    }
    case 'd':
        if (p2p)
            return cb_errf(err, errlen, CB_ERR_USAGE,
                           "-d: cb-p2p moves bytes; no datatype to choose");
        if (!bp->dtypes_given) {
            o->ndtypes = 0;
            bp->dtypes_given = 1;
        }
        if (parse_list(optarg, dtype_item, o))
            return cb_errf(err, errlen, CB_ERR_USAGE,
                           "-d '%s': unknown datatype (float, double, half, bfloat16)", optarg);
        return CB_OK;
    case 'p':
        if (p2p)
            return cb_errf(err, errlen, CB_ERR_USAGE, "-p: placement applies to cb-allreduce only");
        if (!strcmp(optarg, "out")) o->placements = CB_PLACE_OUT;
        else if (!strcmp(optarg, "in")) o->placements = CB_PLACE_IN;
        else if (!strcmp(optarg, "both")) o->placements = CB_PLACE_OUT | CB_PLACE_IN;
        else return cb_errf(err, errlen, CB_ERR_USAGE, "-p '%s': expected out, in or both", optarg);
        return CB_OK;
    case 'm':
        if (!p2p)
            return cb_errf(err, errlen, CB_ERR_USAGE, "--mode applies to cb-p2p only");
        if (!bp->modes_given) {
            o->modes = 0;
            bp->modes_given = 1;
        }
        if (parse_list(optarg, mode_item, o))
            return cb_errf(err, errlen, CB_ERR_USAGE, "--mode '%s': expected latency, bw, bibw",
                           optarg);
        return CB_OK;
    case 'W':
        if (!p2p)
            return cb_errf(err, errlen, CB_ERR_USAGE, "--window applies to cb-p2p only");
        return cb_prog_parse_int("--window", optarg, 1, 4096, &o->window, err, errlen);
    case OPT_ALL_PAIRS:
        if (!p2p)
            return cb_errf(err, errlen, CB_ERR_USAGE, "--all-pairs applies to cb-p2p only");
        o->all_pairs = 1;
        return CB_OK;
    case OPT_SEQUENTIAL:
    case OPT_REFERENCE:
        if (!p2p)
            return cb_errf(err, errlen, CB_ERR_USAGE, "%s applies to cb-p2p only", flag);
        if (c == OPT_SEQUENTIAL)
            o->sequential = 1;
        else
            o->reference = 1;
        return CB_OK;
    case OPT_ROUND_SHORTFALL: {
        double pct;
        if (!p2p)
            return cb_errf(err, errlen, CB_ERR_USAGE, "--round-shortfall applies to cb-p2p only");
        if (cb_parse_double(optarg, 0, 100, &pct))
            return cb_errf(err, errlen, CB_ERR_USAGE,
                           "--round-shortfall '%s': expected a percentage, 0 to 100", optarg);
        o->round_shortfall = pct / 100;
        return CB_OK;
    }
    case 'n': return cb_prog_parse_int("-n", optarg, 1, 10000000, &o->max_iters, err, errlen);
    case OPT_MIN_ITERS: return cb_prog_parse_int("--min-iters", optarg, 1, 10000000, &o->min_iters, err, errlen);
    case OPT_PER_ITERATION: o->per_iteration = 1; return CB_OK;
    case OPT_TIME_PER_SIZE: return parse_secs_opt("--time-per-size", optarg, &o->time_per_size_s, err, errlen);
    }
    (void)out;
    return cb_errf(err, errlen, CB_ERR_USAGE, "unknown option '%s'", flag);
}

static int bench_finish(void *vp, cb_prog_opts_t *c, FILE *out, char *err, size_t errlen)
{
    cb_bench_opts_t *o = ((bench_parse_t *)vp)->o;
    (void)c, (void)out;
    if (o->min_bytes > o->max_bytes)
        return cb_errf(err, errlen, CB_ERR_USAGE, "-b (%llu bytes) is larger than -e (%llu bytes)",
                       (unsigned long long)o->min_bytes, (unsigned long long)o->max_bytes);
    if (o->min_iters > o->max_iters)
        return cb_errf(err, errlen, CB_ERR_USAGE, "--min-iters %d is larger than -n %d",
                       o->min_iters, o->max_iters);
    if ((o->sequential || o->reference) && !o->all_pairs)
        return cb_errf(err, errlen, CB_ERR_USAGE, "%s applies to --all-pairs only",
                       o->sequential ? "--sequential" : "--reference");
    if (o->sequential && o->reference)
        return cb_errf(err, errlen, CB_ERR_USAGE,
                       "--reference compares rounds with sequential rates: not with --sequential");
    if (o->reference && !(o->modes & CB_P2P_BW))
        return cb_errf(err, errlen, CB_ERR_USAGE, "--reference compares bandwidth: --mode needs bw");
    uint64_t sizes[CB_BENCH_MAX_SIZES + 1];
    if (cb_bench_sizes(o, sizes, CB_BENCH_MAX_SIZES + 1) > CB_BENCH_MAX_SIZES)
        return cb_errf(err, errlen, CB_ERR_USAGE,
                       "-b/-e/-f/-i make more than %d sizes (the limit of one sweep): take fewer",
                       CB_BENCH_MAX_SIZES);
    return CB_OK;
}

static void allreduce_usage(FILE *f) { cb_bench_usage(CB_PROG_ALLREDUCE, f); }
static void p2p_usage(FILE *f) { cb_bench_usage(CB_PROG_P2P, f); }

#define BENCH_SHARED                                                                          \
    (CB_PROG_OPT_OUTPUT | CB_PROG_OPT_CLUSTER | CB_PROG_OPT_QUIET | CB_PROG_OPT_TIMEOUT |      \
     CB_PROG_OPT_TOTAL_TIME | CB_PROG_OPT_WARMUP | CB_PROG_OPT_TRANSPORT | CB_PROG_OPT_CHECK)
static const cb_prog_parser_t parsers[] = {
    [CB_PROG_ALLREDUCE] = {"cb-allreduce", BENCH_SHARED, 1, 100000, "b:e:f:i:d:p:m:W:n:",
                           bench_longopts, bench_option, bench_finish, allreduce_usage},
    [CB_PROG_P2P] = {"cb-p2p", BENCH_SHARED, 1, 100000, "b:e:f:i:d:p:m:W:n:", bench_longopts,
                     bench_option, bench_finish, p2p_usage},
};

int cb_bench_parse_args(cb_prog_t prog, int argc, char **argv, cb_bench_opts_t *o, FILE *out,
                        char *err, size_t errlen)
{
    cb_bench_opts_default(prog, o);
    bench_parse_t bp = {o, prog, 0, 0};
    return cb_prog_parse(&parsers[prog], argc, argv, &bp, &o->common, out, err, errlen);
}
