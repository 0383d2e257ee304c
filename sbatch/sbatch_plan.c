/* sbatch_plan: the generator's planning: the pure decisions (message-size
 * sweep for a line rate, NCCL socket counts, per-step time caps) and the
 * plan every script of a profile shares (cb_sbatch_plan_t). No output; the
 * scripts are emitted by sbatch_emit.c and sbatch_validate.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

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
