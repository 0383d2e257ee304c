/* Command-line options of cb-preflight: defaults, parsing, usage text. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_size.h"
#include "cb_prog.h"
#include "preflight.h"

void cb_preflight_opts_default(cb_preflight_opts_t *o)
{
    memset(o, 0, sizeof *o);
    cb_prog_opts_default(&o->common);
    const char *p = getenv("CB_PROFILE");
    if (p && *p && strlen(p) < sizeof o->profile) {
        snprintf(o->profile, sizeof o->profile, "%s", p);
        o->profile_from_env = 1;
    }
    snprintf(o->sysfs_root, sizeof o->sysfs_root, "/sys");
    snprintf(o->logind_root, sizeof o->logind_root, "/");
    o->clock_tolerance_s = CB_PREFLIGHT_CLOCK_TOLERANCE_S;
}

void cb_preflight_usage(FILE *f)
{
    fprintf(f,
            "usage: cb-preflight [options]\n\n"
            "The checks a cluster set-up guide lists by hand, on every node of the run (one\n"
            "rank per node: srun --ntasks-per-node=1, or mpirun --map-by ppr:1:node). Each\n"
            "check gives pass, warn or fail per node, as a CSV row (benchmark=preflight,\n"
            "metric=<check>, host=<node>, status, note = what to fix) and a line of the\n"
            "table rank 0 prints. Without mpirun it checks this one node (the cross-node\n"
            "checks then pass and say so).\n\n"
            "checks:\n"
            "  nodes                 the run's node count vs the profile's nodes\n"
            "  hostname_resolution   every node resolves every node's name (getaddrinfo);\n"
            "                        a peer's name that resolves to loopback fails\n"
            "  gpu_count             GPUs CUDA sees vs Slurm's allocation (SLURM_GPUS_ON_NODE,\n"
            "                        SLURM_STEP_GPUS, SLURM_JOB_GPUS) and gpus_per_node; no GPU\n"
            "                        on a CPU profile (gpus_per_node = 0) passes\n"
            "  cuda_versions         NVIDIA driver release and CUDA driver/runtime versions\n"
            "                        agree across nodes\n"
            "  results_dir_writable  each node writes a token file in the results directory\n"
            "  shared_storage        each node reads every other node's token back\n"
            "  iface_up              the profile's interface exists and is up (sysfs operstate)\n"
            "  link_speed            its speed (sysfs speed) vs the profile's line rate: lower\n"
            "                        fails, higher passes with a note, unknown warns (virtual\n"
            "                        interfaces report -1 or a nominal speed)\n"
            "  dev_shm               /dev/shm size for NCCL: fail < 64 MiB; warn < 512 MiB or\n"
            "                        < 1 GiB per GPU of the node, or < 64 MiB free\n"
            "  logind_removeipc      systemd's RemoveIPC (default yes) warns: it deletes the\n"
            "                        shared memory of non-root users' jobs\n"
            "  clock_offset          each node's clock vs rank 0's (ping-pong, best of %d\n"
            "                        rounds); more than the tolerance off fails\n"
            "  mpi_exchange          an all-reduce and an all-to-all across all ranks, verified\n\n"
            "options:\n"
            "      --profile NAME|PATH cluster profile (sbatch/profiles/NAME.ini, or a path);\n"
            "                          default $CB_PROFILE; none: the iface, link speed and\n"
            "                          GPU count checks are skipped with a warning\n"
            "      --results-dir DIR   the results directory to test (default results)\n"
            "  -o, --output FILE       results CSV (appended to if ours; default\n"
            "                          <results dir>/<cluster>/cb-preflight-<run id>.csv)\n"
            "      --cluster NAME      cluster name in every row (default: the profile's name,\n"
            "                          else $CB_CLUSTER, else local)\n"
            "      --clock-tolerance-s S  largest clock offset that passes (default %g)\n"
            "      --sysfs-root DIR    read class/net/<iface>/ under DIR (default /sys; tests)\n"
            "      --logind-root DIR   read etc/systemd/logind.conf* under DIR (default /; tests)\n"
            "      --timeout S         abort if the shared-storage test or the MPI exchange\n"
            "                          hangs this long (default: automatic, 60 s or more)\n"
            "  -q, --quiet             print only the warn and fail lines and the summary\n"
            "  -h, --help              this text\n\n"
            "exit status: 0 no check failed (warnings allowed), 1 some check failed, 2 usage\n"
            "or input error (bad option, unknown profile, unusable -o), 3 runtime error\n",
            CB_PREFLIGHT_CLOCK_ROUNDS, CB_PREFLIGHT_CLOCK_TOLERANCE_S);
}


static int set_path(char *dst, size_t len, const char *flag, const char *v, char *err,
                    size_t errlen)
{
    if (!*v || strlen(v) >= len)
        return cb_errf(err, errlen, CB_ERR_USAGE, "%s: empty or too long", flag);
    snprintf(dst, len, "%s", v);
    return CB_OK;
}

enum { OPT_PROFILE = 256, OPT_RESULTS_DIR, OPT_SYSFS, OPT_LOGIND, OPT_CLOCK_TOL };

/* cb-preflight's options beyond the shared flags (cb_prog.h). */
static const struct option pf_longopts[] = {
    {"profile", required_argument, 0, OPT_PROFILE},
    {"results-dir", required_argument, 0, OPT_RESULTS_DIR},
    {"sysfs-root", required_argument, 0, OPT_SYSFS},
    {"logind-root", required_argument, 0, OPT_LOGIND},
    {"clock-tolerance-s", required_argument, 0, OPT_CLOCK_TOL},
    {0, 0, 0, 0},
};

static int pf_option(void *vo, int c, const char *optarg, const char *flag, FILE *out, char *err,
                     size_t errlen)
{
    cb_preflight_opts_t *o = vo;
    int rc;
    (void)out;
    switch (c) {
    case OPT_PROFILE:
        rc = set_path(o->profile, sizeof o->profile, "--profile", optarg, err, errlen);
        o->profile_from_env = 0;
        return rc;
    case OPT_RESULTS_DIR:
        return set_path(o->common.results_dir, sizeof o->common.results_dir, "--results-dir", optarg, err,
                        errlen);
    case OPT_SYSFS:
        return set_path(o->sysfs_root, sizeof o->sysfs_root, "--sysfs-root", optarg, err, errlen);
    case OPT_LOGIND:
        return set_path(o->logind_root, sizeof o->logind_root, "--logind-root", optarg, err,
                        errlen);
    case OPT_CLOCK_TOL:
        if (cb_parse_double(optarg, 1e-6, 3600, &o->clock_tolerance_s))
            return cb_errf(err, errlen, CB_ERR_USAGE,
                           "--clock-tolerance-s '%s': expected seconds, more than 0 "
                           "and at most 3600 (e.g. 0.5)", optarg);
        return CB_OK;
    }
    return cb_errf(err, errlen, CB_ERR_USAGE, "unknown option '%s'", flag);
}

static const cb_prog_parser_t pf_parser = {
    .name = "cb-preflight",
    .shared = CB_PROG_OPT_OUTPUT | CB_PROG_OPT_CLUSTER | CB_PROG_OPT_QUIET | CB_PROG_OPT_TIMEOUT,
    .longopts = pf_longopts,
    .option = pf_option,
    .usage = cb_preflight_usage,
};

int cb_preflight_parse_args(int argc, char **argv, cb_preflight_opts_t *o, FILE *out, char *err,
                            size_t errlen)
{
    cb_preflight_opts_default(o);
    return cb_prog_parse(&pf_parser, argc, argv, o, &o->common, out, err, errlen);
}
