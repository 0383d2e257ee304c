/* sbatch_plan: the generator's planning: the pure decisions (message-size
 * sweep for a line rate, NCCL socket counts, per-step time caps) and the
 * plan every script of a profile shares (cb_sbatch_plan_t). No output; the
 * scripts are emitted by sbatch_emit.c and sbatch_validate.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cb_error.h"
#include "cb_sbatch.h"
#include "cb_size.h"

cb_sbatch_sweep_t cb_sbatch_sweep_for_rate(double line_rate_gbps)
{
    cb_sbatch_sweep_t s = {CB_SBATCH_SWEEP_MIN_BYTES, CB_SBATCH_SWEEP_FLOOR, 4};
    if (!(line_rate_gbps > 0))
        return s;
    double budget_bytes = line_rate_gbps * 1e9 / 8.0 * CB_SBATCH_SWEEP_TOP_S;
    uint64_t top = CB_SBATCH_SWEEP_MIN_BYTES;
    while (top * 4 <= CB_SBATCH_SWEEP_CEIL && (double)(top * 4) <= budget_bytes)
        top *= 4;
    if (top < CB_SBATCH_SWEEP_FLOOR)
        top = CB_SBATCH_SWEEP_FLOOR;
    s.max_bytes = top;
    return s;
}

void cb_sbatch_nccl_sockets(double line_rate_gbps, int *nthreads, int *nsocks_per_thread)
{
    int fast = line_rate_gbps >= 10.0;
    *nthreads = fast ? 4 : 2;
    *nsocks_per_thread = fast ? 4 : 2;
}

long cb_sbatch_step_cap_s(long time_limit_s, int steps)
{
    if (steps < 1)
        steps = 1;
    long cap = time_limit_s / (2L * steps);
    return cap < 1 ? 1 : cap;
}

void cb_sbatch_plan(const cb_profile_t *prof, cb_sbatch_plan_t *plan)
{
    memset(plan, 0, sizeof *plan);
    plan->tasks_per_node = prof->gpus_per_node > 0 ? prof->gpus_per_node : 1;
    /* A GPU profile measures GPU buffers or fails: never --transport auto,
     * which on a node without a working GPU falls back to MPI on host memory
     * and writes host-memory rows for a GPU cluster with exit 0. */
    plan->transport = prof->gpus_per_node > 0 ? "nccl" : "mpi";
    plan->sweep = cb_sbatch_sweep_for_rate(prof->line_rate_gbps);
    cb_size_format(plan->sweep.min_bytes, plan->min_size, sizeof plan->min_size);
    cb_size_format(plan->sweep.max_bytes, plan->max_size, sizeof plan->max_size);
    cb_size_format(plan->sweep.max_bytes / 4, plan->matrix_size, sizeof plan->matrix_size);
}

/* ------------------------------------------------------------ levels */

static const char *const level_names[CB_SBATCH_NLEVELS] = {"quick", "standard", "long"};

const char *cb_sbatch_level_name(cb_sbatch_level_t level)
{
    return (unsigned)level < CB_SBATCH_NLEVELS ? level_names[level] : "?";
}

int cb_sbatch_level_parse(const char *s, cb_sbatch_level_t *out)
{
    for (int i = 0; s && i < CB_SBATCH_NLEVELS; i++)
        if (!strcmp(s, level_names[i])) {
            *out = (cb_sbatch_level_t)i;
            return CB_OK;
        }
    return CB_ERR_USAGE;
}

/* quick's sizes: the sweep's largest / div, never under 1M (vcluster at 2.5
 * Gbit/s: the matrix /16 = 4M, the all-reduce /64 .. /4 = 1M..16M). */
static uint64_t quick_bytes(uint64_t max_bytes, unsigned div)
{
    uint64_t b = max_bytes / div;
    return b < (1ULL << 20) ? 1ULL << 20 : b;
}

void cb_sbatch_level_plan(const cb_profile_t *prof, const cb_sbatch_plan_t *plan,
                          cb_sbatch_level_t level, cb_sbatch_level_plan_t *lp)
{
    int gpu = prof->gpus_per_node > 0;
    long cap = cb_sbatch_step_cap_s(prof->time_limit_s, 7);
    memset(lp, 0, sizeof *lp);
    lp->cap_s = cap;
    lp->tps_s = 0.5;
    lp->matrix_bytes = plan->sweep.max_bytes / 4;
    lp->matrix_window = 8;
    lp->matrix_min_iters = 3;
    lp->ar_min_bytes = plan->sweep.min_bytes;
    lp->ar_max_bytes = plan->sweep.max_bytes;
    lp->ar_factor = plan->sweep.factor;
    lp->gpu_args = "";
    lp->ddp_step_ms[0] = 50;
    lp->ddp_step_ms[1] = 200;
    lp->ddp_step_ms[2] = 800;
    lp->ddp_nsteps = 3;
    lp->baselines = 1;
    switch (level) {
    case CB_SBATCH_QUICK:
        lp->cap_s = cap < 60 ? cap : 60;
        lp->matrix_bytes = quick_bytes(plan->sweep.max_bytes, 16);
        lp->matrix_window = 4;
        lp->matrix_min_iters = 2;
        lp->ar_min_bytes = quick_bytes(plan->sweep.max_bytes, 64);
        lp->ar_max_bytes = quick_bytes(plan->sweep.max_bytes, 4);
        lp->ar_factor = 4;
        lp->ar_out_only = 1;
        lp->ar_min_iters = 3;
        lp->gpu_args = "--gemm-sizes 8192 --mem-size 256M -n 10";
        lp->gpu_gemm_sizes = 1;
        lp->gpu_iters = 10;
        lp->ddp_step_ms[0] = 200;
        lp->ddp_nsteps = 1;
        lp->ddp_iters = 3;
        lp->torch_args = "";
        lp->baselines = 0;
        break;
    case CB_SBATCH_STANDARD:
    case CB_SBATCH_NLEVELS:
        lp->torch_args = gpu ? "--workload resnet50 --backend nccl"
                             : "--grad-bytes 100M --emulate-step-ms '100,400,1600'";
        break;
    case CB_SBATCH_LONG:
        lp->tps_s = 2;
        lp->matrix_window = 16;
        lp->matrix_min_iters = 10;
        lp->gpu_args = "--gemm-sizes '1024,4096,8192,16384' -n 50";
        lp->gpu_gemm_sizes = 4;
        lp->gpu_iters = 50;
        lp->ddp_sweep = 1;
        lp->ddp_iters = 10;
        lp->torch_args = gpu ? "--workload resnet50 --backend nccl --iters 20"
                             : "--grad-bytes 100M --emulate-step-ms '100,400,1600' --sweep --iters 10";
        break;
    }
}

size_t cb_sbatch_curve_nodes(long nodes, long *out)
{
    size_t n = 0;
    if (nodes < 1)
        nodes = 1;
    for (long k = 1; k < nodes && n < CB_SBATCH_MAX_CURVE - 1; k *= 2)
        out[n++] = k;
    out[n++] = nodes;
    return n;
}
