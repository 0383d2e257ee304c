/* Command-line options of cb-gpu (same conventions as cb-allreduce: -o, -q,
 * --cluster, -w, -n, -c), defaults, usage text and the --list-specs table. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cb_error.h"
#include "cb_gpu.h"
#include "cb_gpuspec.h"
#include "cb_prog.h"
#include "cb_size.h"

#define CB_GPU_MIN_MEM_BYTES ((uint64_t)1 << 20)
#define CB_GPU_MAX_MEM_BYTES ((uint64_t)16 << 30)

void cb_gpu_opts_default(cb_gpu_opts_t *o)
{
    memset(o, 0, sizeof *o);
    cb_prog_opts_default(&o->common);
    o->device = -1;
    o->parts = CB_GPU_PART_ALL;
    o->gemm_sizes[0] = 1024;
    o->gemm_sizes[1] = 4096;
    o->gemm_sizes[2] = 8192;
    o->ngemm_sizes = 3;
    o->gemm_types = (1 << CB_GEMM_NTYPES) - 1;
    o->mem_bytes = (uint64_t)512 << 20;
    o->common.warmup_iters = 5;
    o->iters = 20;
    o->slow_threshold = 0.10;
}

void cb_gpu_usage(FILE *f)
{
    cb_gpu_opts_t d;
    cb_gpu_opts_default(&d);
    char b[32];
    fprintf(f,
            "usage: cb-gpu [options]\n\n"
            "Per-GPU throughput against the spec sheet: device facts, pinned host<->device\n"
            "bandwidth, device memory bandwidth (copy and triad kernels beside cudaMemcpy),\n"
            "FP32 FMA peak, and cuBLASLt GEMMs in FP32, TF32, BF16, FP16 and FP8 (e4m3,\n"
            "compute capability >= 8.9), each with its efficiency against the built-in spec\n"
            "table (dense figures, no sparsity; see --list-specs). A GPU not in the table is\n"
            "measured and reported without an efficiency.\n\n"
            "Every rank measures its GPU(s) on its own; rank 0 gathers the results, prints a\n"
            "per-GPU table and flags any GPU more than --slow-threshold below the median of\n"
            "its peers (the other GPUs of the same model) in any metric.\n\n"
            "GPUs: under mpirun/srun run one rank per GPU (GPU = node-local rank); a rank\n"
            "alone on its node (or a run without mpirun) measures every GPU of the node in\n"
            "turn. Without a CUDA device cb-gpu writes a skipped row and exits 0, unless\n"
            "--require-gpu.\n\n"
            "Units: values come from the median time per operation (CUDA events); GB/s with\n"
            "GB = 1e9 bytes, counting bytes read + written; TFLOPS = 1e12 FLOP/s, an n^3\n"
            "GEMM = 2 n^3 FLOP, one FMA = 2 FLOP. Data are checked outside timed loops.\n\n"
            "what to measure:\n"
            "      --measure LIST      pcie,membw,fma,gemm (default all four)\n"
            "      --gemm-sizes LIST   square sizes n (m = n = k), multiples of 16 up to %d\n"
            "                          (default 1024,4096,8192; at most %d)\n"
            "      --gemm-types LIST   fp32,tf32,bf16,fp16,fp8 (default all)\n"
            "      --mem-size SIZE     buffer for transfers and memory kernels (default %s;\n"
            "                          the triad uses three on the device)\n"
            "      --device N          measure only CUDA device N of each rank\n"
            "effort:\n"
            "  -w, --warmup N          untimed operations before timing (default %d)\n"
            "  -n, --iters N           timed samples per measurement (default %d)\n"
            "checking and output:\n"
            "  -c, --check 0|1         check the data (default 1); --check alone = 1, --no-check = 0\n"
            "      --slow-threshold PCT flag a GPU more than PCT %% below its peers' median\n"
            "                          (default %g; exactly PCT %% below is not flagged)\n"
            "      --require-gpu       no CUDA device is an error (exit 3): for validation runs\n"
            "      --list-specs        print the spec table and exit\n"
            "  -o, --output FILE       results CSV (appended to if ours; default\n"
            "                          results/<cluster>/cb-gpu-<run id>.csv)\n"
            "      --cluster NAME      cluster/profile name recorded in every row ($CB_CLUSTER)\n"
            "      --timeout S         abort if one part (pcie, membw, fma, gemm) hangs this long\n"
            "                          on any GPU (default: automatic, 660 s)\n"
            "  -q, --quiet             no progress lines on stderr\n"
            "  -h, --help              this text\n\n"
            "A GPU flagged slow keeps status ok in the CSV (its numbers are valid) with\n"
            "\"SLOW: ...\" in the note; the verdicts are printed at the end.\n\n"
            "exit status: 0 ok (also: skipped for want of a GPU, or a GPU flagged slow), 2\n"
            "usage or input error, 3 runtime error, wrong data, or no CUDA device with\n"
            "--require-gpu\n",
            CB_GPU_MAX_GEMM_N, CB_GPU_MAX_GEMM_SIZES, cb_size_format(d.mem_bytes, b, sizeof b),
            d.common.warmup_iters, d.iters, d.slow_threshold * 100);
}

static void print_fig(FILE *f, double v)
{
    if (v > 0)
        fprintf(f, " %8.6g", v);
    else
        fprintf(f, " %8s", "-");
}

void cb_gpu_print_specs(FILE *f)
{
    size_t n = 0;
    const cb_gpuspec_t *t = cb_gpuspec_table(&n);
    fprintf(f, "# Built-in GPU spec table: dense figures (no sparsity); tensor BF16/FP16/FP8 with\n"
               "# FP32 accumulate; memory GB/s (1e9 B/s), throughput TFLOPS; '-' = no figure (no\n"
               "# efficiency is computed against it). Lookup: all match tokens in the device\n"
               "# name (case-insensitive), no exclude token, same compute capability.\n");
    fprintf(f, "%-15s %5s %8s %8s %8s %8s %8s %8s  %s\n", "name", "cc", "mem_GB/s", "fp32", "tf32",
            "bf16", "fp16", "fp8", "match");
    for (size_t i = 0; i < n; i++) {
        const cb_gpuspec_t *s = &t[i];
        fprintf(f, "%-15s %3d.%-1d", s->name, s->cc_major, s->cc_minor);
        print_fig(f, s->mem_bw_gbps);
        print_fig(f, s->fp32_tflops);
        print_fig(f, s->tf32_tflops);
        print_fig(f, s->bf16_tflops);
        print_fig(f, s->fp16_tflops);
        print_fig(f, s->fp8_tflops);
        fprintf(f, " ");
        for (int k = 0; k < CB_GPUSPEC_MAX_TOKENS && s->match[k]; k++)
            fprintf(f, " +\"%s\"", s->match[k]);
        for (int k = 0; k < CB_GPUSPEC_MAX_TOKENS && s->exclude[k]; k++)
            fprintf(f, " -\"%s\"", s->exclude[k]);
        fprintf(f, "\n");
    }
    fprintf(f, "\nsources:\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  %s: %s\n", t[i].name, t[i].source);
}


/* Calls item() for each comma-separated token of v; CB_ERR_USAGE on an
 * empty list, an empty token or a token item() refuses. */
static int parse_list(const char *v, int (*item)(const char *, void *), void *ctx)
{
    char buf[512];
    if (strlen(v) >= sizeof buf || !*v)
        return CB_ERR_USAGE;
    snprintf(buf, sizeof buf, "%s", v);
    if (buf[0] == ',' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,"))
        return CB_ERR_USAGE;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        if (item(tok, ctx))
            return CB_ERR_USAGE;
    return CB_OK;
}

static int part_item(const char *tok, void *vo)
{
    int *parts = vo;
    if (!strcmp(tok, "pcie")) *parts |= CB_GPU_PART_PCIE;
    else if (!strcmp(tok, "membw")) *parts |= CB_GPU_PART_MEMBW;
    else if (!strcmp(tok, "fma")) *parts |= CB_GPU_PART_FMA;
    else if (!strcmp(tok, "gemm")) *parts |= CB_GPU_PART_GEMM;
    else if (!strcmp(tok, "all")) *parts |= CB_GPU_PART_ALL;
    else return CB_ERR_USAGE;
    return CB_OK;
}

static int type_item(const char *tok, void *vo)
{
    int *types = vo;
    cb_gpu_gemm_type_t t;
    if (cb_gpu_gemm_type_parse(tok, &t))
        return CB_ERR_USAGE;
    *types |= 1 << t;
    return CB_OK;
}

struct size_ctx {
    cb_gpu_opts_t *o;
    char *err;
    size_t errlen;
};

static int size_item(const char *tok, void *vc)
{
    struct size_ctx *c = vc;
    cb_gpu_opts_t *o = c->o;
    long n;
    if (cb_parse_long(tok, 16, CB_GPU_MAX_GEMM_N, &n) || n % 16) {
        cb_errf(c->err, c->errlen, CB_ERR_USAGE,
                "--gemm-sizes: '%s' is not a multiple of 16 in [16, %d] (e.g. 1024,4096,8192)", tok,
                CB_GPU_MAX_GEMM_N);
        return CB_ERR_USAGE;
    }
    for (int i = 0; i < o->ngemm_sizes; i++)
        if (o->gemm_sizes[i] == n)
            return CB_OK;
    if (o->ngemm_sizes >= CB_GPU_MAX_GEMM_SIZES) {
        cb_errf(c->err, c->errlen, CB_ERR_USAGE, "--gemm-sizes: at most %d sizes",
                CB_GPU_MAX_GEMM_SIZES);
        return CB_ERR_USAGE;
    }
    o->gemm_sizes[o->ngemm_sizes++] = (int)n;
    return CB_OK;
}

enum {
    OPT_MEASURE = 256, OPT_GEMM_SIZES, OPT_GEMM_TYPES, OPT_MEM_SIZE, OPT_DEVICE,
    OPT_SLOW, OPT_REQUIRE, OPT_LIST_SPECS,
};

/* cb-gpu's options beyond the shared flags (cb_prog.h). */
static const struct option gpu_longopts[] = {
    {"measure", required_argument, 0, OPT_MEASURE},
    {"gemm-sizes", required_argument, 0, OPT_GEMM_SIZES},
    {"gemm-types", required_argument, 0, OPT_GEMM_TYPES},
    {"mem-size", required_argument, 0, OPT_MEM_SIZE},
    {"device", required_argument, 0, OPT_DEVICE},
    {"iters", required_argument, 0, 'n'},
    {"slow-threshold", required_argument, 0, OPT_SLOW},
    {"require-gpu", no_argument, 0, OPT_REQUIRE},
    {"list-specs", no_argument, 0, OPT_LIST_SPECS},
    {0, 0, 0, 0},
};

static int gpu_option(void *vo, int c, const char *optarg, const char *flag, FILE *out,
                      char *err, size_t errlen)
{
    cb_gpu_opts_t *o = vo;
    int rc;
    (void)out;
    switch (c) {
    case OPT_MEASURE:
        o->parts = 0;
        if (parse_list(optarg, part_item, &o->parts))
            return cb_errf(err, errlen, CB_ERR_USAGE,
                           "--measure '%s': expected pcie, membw, fma, gemm (or all)", optarg);
        return CB_OK;
    case OPT_GEMM_SIZES: {
        struct size_ctx sc = {o, err, errlen};
        o->ngemm_sizes = 0;
        err[0] = '\0';
        if (parse_list(optarg, size_item, &sc))
            return err[0] ? CB_ERR_USAGE
                          : cb_errf(err, errlen, CB_ERR_USAGE,
                                    "--gemm-sizes '%s': expected a list like 1024,4096,8192",
                                    optarg);
        return CB_OK;
    }
    case OPT_GEMM_TYPES:
        o->gemm_types = 0;
        if (parse_list(optarg, type_item, &o->gemm_types))
            return cb_errf(err, errlen, CB_ERR_USAGE,
                           "--gemm-types '%s': expected fp32, tf32, bf16, fp16, fp8", optarg);
        return CB_OK;
    case OPT_MEM_SIZE: {
        uint64_t v = 0;
        rc = cb_size_parse(optarg, &v);
        if (rc == CB_ERR_RANGE || (rc == CB_OK && v > CB_GPU_MAX_MEM_BYTES))
            return cb_errf(err, errlen, CB_ERR_USAGE, "--mem-size '%s': too large (at most 16G)",
                           optarg);
        if (rc)
            return cb_errf(err, errlen, CB_ERR_USAGE,
                           "--mem-size '%s': not a size (use e.g. 64M, 512M, 1G)", optarg);
        if (v < CB_GPU_MIN_MEM_BYTES || v % 16)
            return cb_errf(err, errlen, CB_ERR_USAGE,
                           "--mem-size '%s': at least 1M and a multiple of 16 bytes", optarg);
        o->mem_bytes = v;
        return CB_OK;
    }
    case OPT_DEVICE:
        if ((rc = cb_prog_parse_int("--device", optarg, 0, 1023, &o->device, err, errlen)))
            return rc;
        return CB_OK;
    case 'n':
        if ((rc = cb_prog_parse_int("-n", optarg, 1, 100000, &o->iters, err, errlen)))
            return rc;
        return CB_OK;
    case OPT_SLOW: {
        double pct;
        if (cb_parse_double(optarg, 0, 99, &pct))
            return cb_errf(err, errlen, CB_ERR_USAGE,
                           "--slow-threshold '%s': expected a percentage, 0 to 99", optarg);
        o->slow_threshold = pct / 100;
        return CB_OK;
    }
    case OPT_REQUIRE: o->require_gpu = 1; return CB_OK;
    case OPT_LIST_SPECS: o->list_specs = 1; return CB_OK;
    }
    return cb_errf(err, errlen, CB_ERR_USAGE, "unknown option '%s'", flag);
}

static int gpu_finish(void *vo, cb_prog_opts_t *c, FILE *out, char *err, size_t errlen)
{
    cb_gpu_opts_t *o = vo;
    (void)c, (void)out;
    if ((o->parts & CB_GPU_PART_GEMM) && !o->gemm_types)
        return cb_errf(err, errlen, CB_ERR_USAGE, "--gemm-types: no type left to measure");
    return CB_OK;
}

static const cb_prog_parser_t gpu_parser = {
    .name = "cb-gpu",
    .shared = CB_PROG_OPT_OUTPUT | CB_PROG_OPT_CLUSTER | CB_PROG_OPT_QUIET | CB_PROG_OPT_TIMEOUT |
              CB_PROG_OPT_WARMUP | CB_PROG_OPT_CHECK,
    .warmup_min = 0,
    .warmup_max = 100000,
    .shortopts = "n:",
    .longopts = gpu_longopts,
    .option = gpu_option,
    .finish = gpu_finish,
    .usage = cb_gpu_usage,
};

int cb_gpu_parse_args(int argc, char **argv, cb_gpu_opts_t *o, FILE *out, char *err,
                      size_t errlen)
{
    cb_gpu_opts_default(o);
    return cb_prog_parse(&gpu_parser, argc, argv, o, &o->common, out, err, errlen);
}
