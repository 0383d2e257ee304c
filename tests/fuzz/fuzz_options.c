/* Fuzz target: the option parser of cb-allreduce and cb-p2p
 * (cb_bench_parse_args, GNU getopt_long underneath). The input is an argv,
 * one argument per line (or NUL-separated); the first is the program name and
 * picks the program ("cb-p2p", else cb-allreduce). Checks: only CB_OK, 1
 * (--help) or CB_ERR_USAGE with a reason; accepted options are within the
 * documented bounds and give a sane size sweep. */
#include "fuzz_util.h"

#include <math.h>

#include "cb_bench.h"
#include "cb_error.h"

#define MAX_ARGS 64

static void check_opts(cb_prog_t prog, const cb_bench_opts_t *o)
{
    FUZZ_CHECK(o->min_bytes >= 1 && o->min_bytes <= o->max_bytes);
    FUZZ_CHECK(o->max_bytes <= ((uint64_t)16 << 30));
    FUZZ_CHECK(o->step_factor >= 2 || o->step_bytes >= 1);
    FUZZ_CHECK(o->ndtypes >= 1 && o->ndtypes <= CB_DT_COUNT);
    FUZZ_CHECK(o->min_iters >= 1 && o->min_iters <= o->max_iters);
    FUZZ_CHECK(o->common.warmup_iters >= 1);
    FUZZ_CHECK(o->time_per_size_s >= 0 && o->common.total_time_s >= 0 && o->common.timeout_s >= 0);
    FUZZ_CHECK(memchr(o->common.transport, 0, sizeof o->common.transport));
    FUZZ_CHECK(memchr(o->common.output, 0, sizeof o->common.output));
    FUZZ_CHECK(memchr(o->common.cluster, 0, sizeof o->common.cluster));
    FUZZ_CHECK(o->placements & (CB_PLACE_OUT | CB_PLACE_IN));
    if (prog == CB_PROG_P2P) {
        FUZZ_CHECK(o->window >= 1 && o->window <= 4096);
        FUZZ_CHECK(o->modes & (CB_P2P_LATENCY | CB_P2P_BW | CB_P2P_BIBW));
    }
    uint64_t sizes[256];
    size_t n = cb_bench_sizes(o, sizes, 256);
    FUZZ_CHECK(n >= 1 && sizes[0] == o->min_bytes);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(sizes[i] <= o->max_bytes && (i == 0 || sizes[i] > sizes[i - 1]));
        int w = cb_p2p_window(o->window, sizes[i]);
        FUZZ_CHECK(w >= 1 && w <= o->window);
    }
    double t = cb_bench_timeout_s(o, 1.0);
    FUZZ_CHECK(isfinite(t) && t > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    if (!devnull && !(devnull = fopen("/dev/null", "w")))
        abort();
    if (size > 4096)
        return 0;
    char *buf = fuzz_cstr(data, size);
    char *argv[MAX_ARGS + 1];
    int argc = 0;
    char *p = buf, *end = buf + size;
    while (argc < MAX_ARGS) {
        argv[argc++] = p;
        char *sep = p;
        while (sep < end && *sep != '\n' && *sep != '\0')
            sep++;
        if (sep >= end)
            break;
        *sep = '\0';
        p = sep + 1;
    }
    argv[argc] = NULL;
    cb_prog_t prog = !strcmp(argv[0], "cb-p2p") ? CB_PROG_P2P : CB_PROG_ALLREDUCE;
    cb_bench_opts_t o;
    char err[512] = "";
    int rc = cb_bench_parse_args(prog, argc, argv, &o, devnull, err, sizeof err);
    FUZZ_CHECK(rc == CB_OK || rc == 1 || rc == CB_ERR_USAGE);
    if (rc == CB_ERR_USAGE)
        FUZZ_CHECK(err[0] && !strchr(err, '\n'));
    if (rc == CB_OK)
        check_opts(prog, &o);
    free(buf);
    return 0;
}
