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
    o->min_bytes = prog == CB_PROG_P2P ? 1 : 1024;
    o->max_bytes = prog == CB_PROG_P2P ? (4u << 20) : (64u << 20);
    o->step_factor = prog == CB_PROG_P2P ? 4 : 2;
    o->dtypes[0] = prog == CB_PROG_P2P ? CB_DT_UINT8 : CB_DT_FLOAT;
    o->ndtypes = 1;
    snprintf(o->transport, sizeof o->transport, "auto");
    o->placements = CB_PLACE_OUT | CB_PLACE_IN;
    o->check = 1;
    o->warmup_iters = 5;
    o->min_iters = 5;
    o->max_iters = prog == CB_PROG_P2P ? 10000 : 1000;
    o->time_per_size_s = prog == CB_PROG_P2P ? 0.25 : 0.5;
    o->total_time_s = 600;
    o->modes = CB_P2P_LATENCY | CB_P2P_BW | CB_P2P_BIBW;
    o->window = 64;
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
                   "rank, t = mean time per operation, the max over ranks in each iteration);\n"
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
                "      --all-pairs         every pair of nodes in turn (first rank of each node)\n",
                d.window);
    fprintf(f,
            "transport:\n"
            "  -t, --transport T       auto (nccl where a CUDA device exists, else mpi), mpi, nccl\n"
            "effort (adaptive: iterations fit a time budget per size):\n"
            "  -w, --warmup_iters N    at most N warm-up iterations (default %d; at least 1)\n"
            "  -n, --iters N           at most N timed iterations (default %d)\n"
            "      --min-iters N       at least N timed iterations (default %d)\n"
            "      --time-per-size S   seconds of timed iterations per size (default %g)\n"
            "      --total-time S      cap on the whole sweep; larger sizes are skipped and\n"
            "                          reported (default %g; 0 = no cap)\n"
            "      --timeout S         abort if one operation hangs this long (default: automatic)\n"
            "checking and output:\n"
            "  -c, --check 0|1         check the data (default 1); --check alone = 1, --no-check = 0\n"
            "  -o, --output FILE       results CSV (appended to if ours; default\n"
            "                          results/<cluster>/%s-<run id>.csv)\n"
            "      --cluster NAME      cluster/profile name recorded in every row ($CB_CLUSTER)\n"
            "  -q, --quiet             no progress lines on stderr\n"
            "  -h, --help              this text\n\n"
            "exit status: 0 ok, 2 usage or input error, 3 runtime error or wrong data\n",
            d.warmup_iters, d.max_iters, d.min_iters, d.time_per_size_s, d.total_time_s,
            p2p ? "cb-p2p" : "cb-allreduce");
}

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return CB_ERR_USAGE;
}

static int parse_size_opt(const char *flag, const char *v, uint64_t *out, char *err, size_t errlen)
{
    int rc = cb_size_parse(v, out);
    if (rc == CB_ERR_RANGE || (rc == CB_OK && *out > CB_MAX_BYTES))
        return fail(err, errlen, "%s '%s': too large (at most 16G)", flag, v);
    if (rc)
        return fail(err, errlen, "%s '%s': not a size (use e.g. 8, 64K, 1M, 4G)", flag, v);
    if (*out == 0)
        return fail(err, errlen, "%s '%s': must be at least 1 byte", flag, v);
    return CB_OK;
}

static int parse_int_opt(const char *flag, const char *v, long min, long max, int *out, char *err,
                         size_t errlen)
{
    long x;
    if (cb_parse_long(v, min, max, &x))
        return fail(err, errlen, "%s '%s': expected an integer in [%ld, %ld]", flag, v, min, max);
    *out = (int)x;
    return CB_OK;
}

static int parse_secs_opt(const char *flag, const char *v, double *out, char *err, size_t errlen)
{
    if (cb_parse_double(v, 0, 86400 * 7, out))
        return fail(err, errlen, "%s '%s': expected seconds, 0 to 604800", flag, v);
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
    OPT_CLUSTER = 256, OPT_TIME_PER_SIZE, OPT_TOTAL_TIME, OPT_TIMEOUT, OPT_MIN_ITERS,
    OPT_ALL_PAIRS, OPT_CHECK_ON, OPT_NO_CHECK,
};

int cb_bench_parse_args(cb_prog_t prog, int argc, char **argv, cb_bench_opts_t *o, FILE *out,
                        char *err, size_t errlen)
{
    static const struct option common_opts[] = {
        {"minbytes", required_argument, 0, 'b'},
        {"maxbytes", required_argument, 0, 'e'},
        {"stepfactor", required_argument, 0, 'f'},
        {"stepbytes", required_argument, 0, 'i'},
        {"datatype", required_argument, 0, 'd'},
        {"placement", required_argument, 0, 'p'},
        {"mode", required_argument, 0, 'm'},
        {"window", required_argument, 0, 'W'},
        {"all-pairs", no_argument, 0, OPT_ALL_PAIRS},
        {"transport", required_argument, 0, 't'},
        {"warmup_iters", required_argument, 0, 'w'},
        {"iters", required_argument, 0, 'n'},
        {"min-iters", required_argument, 0, OPT_MIN_ITERS},
        {"time-per-size", required_argument, 0, OPT_TIME_PER_SIZE},
        {"total-time", required_argument, 0, OPT_TOTAL_TIME},
        {"timeout", required_argument, 0, OPT_TIMEOUT},
        {"check", optional_argument, 0, OPT_CHECK_ON},
        {"no-check", no_argument, 0, OPT_NO_CHECK},
        {"output", required_argument, 0, 'o'},
        {"cluster", required_argument, 0, OPT_CLUSTER},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const int p2p = prog == CB_PROG_P2P;
    cb_bench_opts_default(prog, o);
    int dtypes_given = 0, modes_given = 0;
    optind = 0; /* full re-initialisation of GNU getopt (tests parse repeatedly) */
    opterr = 0;
    int c, rc;
    while ((c = getopt_long(argc, argv, ":b:e:f:i:d:p:m:W:t:w:n:c:o:qh", common_opts, NULL)) != -1) {
        const char *flag = argv[optind - 1];
        switch (c) {
        case 'b': if ((rc = parse_size_opt("-b", optarg, &o->min_bytes, err, errlen))) return rc; break;
        case 'e': if ((rc = parse_size_opt("-e", optarg, &o->max_bytes, err, errlen))) return rc; break;
        case 'i': if ((rc = parse_size_opt("-i", optarg, &o->step_bytes, err, errlen))) return rc; break;
        case 'f': {
            int f = 0;
            if ((rc = parse_int_opt("-f", optarg, 2, 1 << 20, &f, err, errlen)))
                return rc;
            o->step_factor = (uint64_t)f;
            break;
        }
        case 'd':
            if (p2p)
                return fail(err, errlen, "-d: cb-p2p moves bytes; no datatype to choose");
            if (!dtypes_given) {
                o->ndtypes = 0;
                dtypes_given = 1;
            }
            if (parse_list(optarg, dtype_item, o))
                return fail(err, errlen, "-d '%s': unknown datatype (float, double, half, bfloat16)", optarg);
            break;
        case 'p':
            if (p2p)
                return fail(err, errlen, "-p: placement applies to cb-allreduce only");
            if (!strcmp(optarg, "out")) o->placements = CB_PLACE_OUT;
            else if (!strcmp(optarg, "in")) o->placements = CB_PLACE_IN;
            else if (!strcmp(optarg, "both")) o->placements = CB_PLACE_OUT | CB_PLACE_IN;
            else return fail(err, errlen, "-p '%s': expected out, in or both", optarg);
            break;
        case 'm':
            if (!p2p)
                return fail(err, errlen, "--mode applies to cb-p2p only");
            if (!modes_given) {
                o->modes = 0;
                modes_given = 1;
            }
            if (parse_list(optarg, mode_item, o))
                return fail(err, errlen, "--mode '%s': expected latency, bw, bibw", optarg);
            break;
        case 'W':
            if (!p2p)
                return fail(err, errlen, "--window applies to cb-p2p only");
            if ((rc = parse_int_opt("--window", optarg, 1, 4096, &o->window, err, errlen)))
                return rc;
            break;
        case OPT_ALL_PAIRS:
            if (!p2p)
                return fail(err, errlen, "--all-pairs applies to cb-p2p only");
            o->all_pairs = 1;
            break;
        case 't':
            if (strcmp(optarg, "auto") && strcmp(optarg, "mpi") && strcmp(optarg, "nccl"))
                return fail(err, errlen, "-t '%s': unknown transport (auto, mpi, nccl)", optarg);
            snprintf(o->transport, sizeof o->transport, "%s", optarg);
            break;
        case 'w': if ((rc = parse_int_opt("-w", optarg, 1, 100000, &o->warmup_iters, err, errlen))) return rc; break;
        case 'n': if ((rc = parse_int_opt("-n", optarg, 1, 10000000, &o->max_iters, err, errlen))) return rc; break;
        case OPT_MIN_ITERS: if ((rc = parse_int_opt("--min-iters", optarg, 1, 10000000, &o->min_iters, err, errlen))) return rc; break;
        case OPT_TIME_PER_SIZE: if ((rc = parse_secs_opt("--time-per-size", optarg, &o->time_per_size_s, err, errlen))) return rc; break;
        case OPT_TOTAL_TIME: if ((rc = parse_secs_opt("--total-time", optarg, &o->total_time_s, err, errlen))) return rc; break;
        case OPT_TIMEOUT: if ((rc = parse_secs_opt("--timeout", optarg, &o->timeout_s, err, errlen))) return rc; break;
        case 'c':
        case OPT_CHECK_ON:
            if (!optarg || !strcmp(optarg, "1")) o->check = 1;
            else if (!strcmp(optarg, "0")) o->check = 0;
            else return fail(err, errlen, "-c '%s': expected 0 or 1", optarg);
            break;
        case OPT_NO_CHECK: o->check = 0; break;
        case 'o':
            if (!*optarg || strlen(optarg) >= sizeof o->output)
                return fail(err, errlen, "-o: empty or too long path");
            snprintf(o->output, sizeof o->output, "%s", optarg);
            break;
        case OPT_CLUSTER:
            if (!*optarg || strlen(optarg) >= sizeof o->cluster)
                return fail(err, errlen, "--cluster: empty or too long name");
            snprintf(o->cluster, sizeof o->cluster, "%s", optarg);
            break;
        case 'q': o->quiet = 1; break;
        case 'h':
            cb_bench_usage(prog, out);
            return 1;
        case ':':
            return fail(err, errlen, "%s: missing value", flag);
        default:
            return fail(err, errlen, "unknown option '%s'", flag);
        }
    }
    if (optind < argc)
        return fail(err, errlen, "unexpected argument '%s'", argv[optind]);
    if (o->min_bytes > o->max_bytes)
        return fail(err, errlen, "-b (%llu bytes) is larger than -e (%llu bytes)",
                    (unsigned long long)o->min_bytes, (unsigned long long)o->max_bytes);
    if (o->min_iters > o->max_iters)
        return fail(err, errlen, "--min-iters %d is larger than -n %d", o->min_iters, o->max_iters);
    return CB_OK;
}
