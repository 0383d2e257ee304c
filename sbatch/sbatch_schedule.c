/* sbatch_schedule: the steps each generated script runs, as data
 * (cb_sbatch_step_t): placement, sizes, per-size budgets, iteration bounds,
 * caps. Built from the plan the emitters write the scripts from
 * (cb_sbatch_plan, cb_sbatch_level_plan, cb_sbatch_curve_nodes,
 * cb_sbatch_step_cap_s), for the estimate (sbatch_estimate.c). The programs'
 * defaults where a script leaves a flag out are named here, once. */
#include <stdio.h>
#include <string.h>

#include "cb_sbatch.h"
#include "sbatch_schedule.h"
#include "sbatch_tune.h"

/* cb-allreduce's and cb-p2p's defaults (bench/options.c) */
#define AR_TPS_S 0.5
#define P2P_TPS_S 0.25
#define WARMUP_ITERS 5
#define MIN_ITERS 5
#define AR_MAX_ITERS 1000
#define P2P_MAX_ITERS 10000
#define P2P_WINDOW 64
/* cb-ddp's (bench/ddp_options.c, bench/ddp.c) */
#define DDP_ITERS 5
#define DDP_WARMUP 1
#define DDP_SWEEP_PROBES 6
/* cb-ddp-torch's (bench/ddp_torch/opts.py) */
#define TORCH_ITERS 5
#define TORCH_WARMUP 3
/* cb-gpu's (bench/gpu_options.c): 3 GEMM sizes, 20 samples; 5 GEMM types
 * besides the PCIe, memory and FMA measurements */
#define GPU_GEMM_SIZES 3
#define GPU_ITERS 20
#define GPU_GEMM_TYPES 5

static cb_sbatch_step_t *add(cb_sbatch_step_t *out, size_t *n, const char *name,
                             cb_sbatch_work_t work, long nodes, long tpn, double cap_s)
{
    cb_sbatch_step_t *s = &out[(*n)++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->work = work;
    s->srun = 1;
    s->nodes = nodes;
    s->tasks_per_node = tpn;
    s->cap_s = cap_s;
    s->warmup_iters = WARMUP_ITERS;
    s->min_iters = MIN_ITERS;
    s->check = 1;
    return s;
}

static void sweep(cb_sbatch_step_t *s, uint64_t min, uint64_t max, unsigned factor)
{
    s->min_bytes = min;
    s->max_bytes = max;
    s->factor = factor;
}

static cb_sbatch_step_t *allreduce(cb_sbatch_step_t *out, size_t *n, const char *name,
                                   long nodes, long tpn, double cap_s)
{
    cb_sbatch_step_t *s = add(out, n, name, CB_SBATCH_WORK_ALLREDUCE, nodes, tpn, cap_s);
    s->tps_s = AR_TPS_S;
    s->max_iters = AR_MAX_ITERS;
    s->placements = 2;
    return s;
}

static cb_sbatch_step_t *p2p(cb_sbatch_step_t *out, size_t *n, const char *name,
                             cb_sbatch_work_t work, long nodes, long tpn, double cap_s)
{
    cb_sbatch_step_t *s = add(out, n, name, work, nodes, tpn, cap_s);
    s->tps_s = P2P_TPS_S;
    s->max_iters = P2P_MAX_ITERS;
    s->window = P2P_WINDOW;
    s->modes = CB_SBATCH_MODE_LATENCY | CB_SBATCH_MODE_BW | CB_SBATCH_MODE_BIBW;
    return s;
}

/* The matrix at one size; between nodes (p non-NULL) walked as the
 * profile's all_pairs and round_reference say (cb-p2p --sequential,
 * --reference), or sequential when asked. */
static void all_pairs(cb_sbatch_step_t *s, uint64_t bytes, int window, int min_iters,
                      int sequential, const cb_profile_t *p)
{
    sweep(s, bytes, bytes, 4);
    s->modes = CB_SBATCH_MODE_BW;
    s->window = window;
    s->min_iters = min_iters;
    s->sequential = sequential || (p && p->all_pairs_sequential);
    s->reference = p && p->round_reference && !s->sequential; /* cb-p2p: not both */
}

static cb_sbatch_step_t *fixed(cb_sbatch_step_t *out, size_t *n, const char *name, int srun,
                               long nodes, long tpn, double fixed_s)
{
    cb_sbatch_step_t *s = add(out, n, name, CB_SBATCH_WORK_FIXED, nodes, tpn, 0);
    s->srun = srun;
    s->fixed_s = fixed_s;
    return s;
}

/* cb-gpu's measurements on every GPU at once: PCIe, memory, FMA, then each
 * GEMM type at each size, gemm_sizes/iters 0 for cb-gpu's defaults. */
static double gpu_s(const cb_profile_t *p, int gemm_sizes, int iters)
{
    if (p->gpus_per_node <= 0)
        return 0; /* CPU-only: a skipped row per node */
    if (!gemm_sizes)
        gemm_sizes = GPU_GEMM_SIZES;
    if (!iters)
        iters = GPU_ITERS;
    return (3 + GPU_GEMM_TYPES * gemm_sizes) * CB_SBATCH_EST_GPU_MEASURE_S * iters / GPU_ITERS;
}

static void ddp(cb_sbatch_step_t *s, const double *step_ms, int nsteps, int iters, int sweep_on)
{
    s->grad_bytes = (uint64_t)100 << 20;
    s->nsteps = nsteps;
    for (int i = 0; i < nsteps; i++)
        s->step_ms[i] = step_ms[i];
    s->iters = iters ? iters : DDP_ITERS;
    s->warmup_iters = DDP_WARMUP;
    s->probes = sweep_on ? DDP_SWEEP_PROBES : 0;
}

/* cb-ddp-torch: emulated compute on CPU-only profiles (the T1s given),
 * real compute (fixed_s) on GPU profiles. */
static void torch(cb_sbatch_step_t *s, const cb_profile_t *p, int iters, int sweep_on)
{
    static const double t1[3] = {100, 400, 1600};
    ddp(s, t1, 3, iters ? iters : TORCH_ITERS, sweep_on);
    s->warmup_iters = TORCH_WARMUP;
    if (p->gpus_per_node > 0)
        s->fixed_s = CB_SBATCH_EST_TORCH_REAL_S;
}

size_t sbatch_steps_allreduce(const cb_sbatch_kind_t *k, const cb_profile_t *p,
                              cb_sbatch_level_t level, int sequential, cb_sbatch_step_t *out)
{
    (void)k, (void)level, (void)sequential;
    cb_sbatch_plan_t plan;
    cb_sbatch_plan(p, &plan);
    long curve[CB_SBATCH_MAX_CURVE];
    size_t nc = cb_sbatch_curve_nodes(p->nodes, curve), n = 0;
    long cap = cb_sbatch_step_cap_s(p->time_limit_s, (int)nc);
    for (size_t i = 0; i < nc; i++) {
        char name[32];
        snprintf(name, sizeof name, "allreduce-%ldnode%s", curve[i], curve[i] == 1 ? "" : "s");
        cb_sbatch_step_t *s = allreduce(out, &n, name, curve[i], plan.tasks_per_node, (double)cap);
        sweep(s, plan.sweep.min_bytes, plan.sweep.max_bytes, plan.sweep.factor);
    }
    return n;
}

size_t sbatch_steps_p2p(const cb_sbatch_kind_t *k, const cb_profile_t *p, cb_sbatch_level_t level,
                        int sequential, cb_sbatch_step_t *out)
{
    (void)k, (void)level;
    cb_sbatch_plan_t plan;
    cb_sbatch_plan(p, &plan);
    size_t n = 0;
    long cap = cb_sbatch_step_cap_s(p->time_limit_s, p->nodes > 2 ? 2 : 1);
    cb_sbatch_step_t *s;
    if (sbatch_tune_splits_latency(p)) {
        /* latency without the bandwidth-only settings (and with an overlay's
         * latency winners): an srun of its own, its own cap */
        s = p2p(out, &n, "p2p-latency", CB_SBATCH_WORK_P2P, p->nodes == 1 ? 1 : 2,
                p->nodes == 1 ? 2 : 1, (double)cap);
        sweep(s, plan.sweep.min_bytes, plan.sweep.max_bytes, plan.sweep.factor);
        s->modes = CB_SBATCH_MODE_LATENCY;
    }
    s = p2p(out, &n, "p2p", CB_SBATCH_WORK_P2P, p->nodes == 1 ? 1 : 2, p->nodes == 1 ? 2 : 1,
            (double)cap);
    sweep(s, plan.sweep.min_bytes, plan.sweep.max_bytes, plan.sweep.factor);
    if (n == 2)
        s->modes = CB_SBATCH_MODE_BW | CB_SBATCH_MODE_BIBW;
    if (p->nodes > 2) {
        s = p2p(out, &n, "p2p-all-pairs", CB_SBATCH_WORK_ALL_PAIRS, p->nodes, 1, (double)cap);
        all_pairs(s, plan.sweep.max_bytes / 4, 8, 3, sequential, p);
    }
    return n;
}

size_t sbatch_steps_ddp(const cb_sbatch_kind_t *k, const cb_profile_t *p, cb_sbatch_level_t level,
                        int sequential, cb_sbatch_step_t *out)
{
    (void)k, (void)level, (void)sequential;
    cb_sbatch_plan_t plan;
    cb_sbatch_plan(p, &plan);
    size_t n = 0;
    long tpn = plan.tasks_per_node;
    double ar_cap = (double)cb_sbatch_step_cap_s(p->time_limit_s, 4);
    double ddp_cap = (double)cb_sbatch_step_cap_s(p->time_limit_s, 2);
    cb_sbatch_step_t *s = allreduce(out, &n, "ddp-allreduce", p->nodes, tpn, ar_cap);
    sweep(s, 1 << 20, 25 << 20, 4);
    s->step_bytes = 24 << 20;
    s->placements = 1;
    static const double t1[3] = {50, 200, 800};
    ddp(add(out, &n, "ddp", CB_SBATCH_WORK_DDP, p->nodes, tpn, ddp_cap), t1, 3, 0, 1);
    torch(add(out, &n, "ddp-torch", CB_SBATCH_WORK_TORCH, p->nodes, tpn, ddp_cap), p, 0, 1);
    return n;
}

size_t sbatch_steps_gpu(const cb_sbatch_kind_t *k, const cb_profile_t *p, cb_sbatch_level_t level,
                        int sequential, cb_sbatch_step_t *out)
{
    (void)k, (void)level, (void)sequential;
    size_t n = 0;
    long g = p->gpus_per_node > 0 ? p->gpus_per_node : 1;
    fixed(out, &n, "gpu", 1, p->nodes, g, gpu_s(p, 0, 0));
    return n;
}

size_t sbatch_steps_preflight(const cb_sbatch_kind_t *k, const cb_profile_t *p,
                              cb_sbatch_level_t level, int sequential, cb_sbatch_step_t *out)
{
    (void)k, (void)level, (void)sequential;
    size_t n = 0;
    fixed(out, &n, "preflight", 1, p->nodes, 1, CB_SBATCH_EST_PREFLIGHT_S);
    return n;
}

/* validate.sh's steps at a level, in the order sbatch_validate.c writes them. */
size_t sbatch_steps_validate(const cb_sbatch_kind_t *k, const cb_profile_t *p,
                             cb_sbatch_level_t level, int sequential, cb_sbatch_step_t *out)
{
    (void)k;
    cb_sbatch_plan_t plan;
    cb_sbatch_level_plan_t lp;
    cb_sbatch_plan(p, &plan);
    cb_sbatch_level_plan(p, &plan, level, &lp);
    size_t n = 0;
    long tpn = plan.tasks_per_node;
    double cap = (double)lp.cap_s;
    cb_sbatch_step_t *s;

    fixed(out, &n, "preflight", 1, p->nodes, 1, CB_SBATCH_EST_PREFLIGHT_S);
    if (p->nodes == 1) {
        s = p2p(out, &n, "p2p", CB_SBATCH_WORK_P2P, 1, 2, cap);
        all_pairs(s, lp.matrix_bytes, lp.matrix_window, lp.matrix_min_iters, 0, NULL);
        s->tps_s = lp.tps_s;
    } else {
        if (lp.baselines) {
            int split = sbatch_tune_splits_latency(p);
            for (int part = split ? 0 : 1; part < 2; part++) {
                /* split: latency with its own settings first (as p2p.sh) */
                s = p2p(out, &n, part ? "p2p-sweep" : "p2p-latency", CB_SBATCH_WORK_P2P, 2, 1, cap);
                sweep(s, plan.sweep.min_bytes, plan.sweep.max_bytes, plan.sweep.factor);
                s->tps_s = lp.tps_s;
                if (split)
                    s->modes = part ? CB_SBATCH_MODE_BW | CB_SBATCH_MODE_BIBW
                                    : CB_SBATCH_MODE_LATENCY;
            }
        }
        s = p2p(out, &n, "p2p-all-pairs", CB_SBATCH_WORK_ALL_PAIRS, p->nodes, 1, cap);
        all_pairs(s, lp.matrix_bytes, lp.matrix_window, lp.matrix_min_iters, sequential, p);
        s->tps_s = lp.tps_s;
    }
    for (int all = p->nodes > 1 && lp.baselines ? 0 : 1; all < 2; all++) {
        s = allreduce(out, &n, all ? "allreduce" : "allreduce-1node", all ? p->nodes : 1, tpn, cap);
        sweep(s, lp.ar_min_bytes, lp.ar_max_bytes, lp.ar_factor);
        s->tps_s = lp.tps_s;
        s->placements = lp.ar_out_only ? 1 : 2;
        if (lp.ar_min_iters)
            s->min_iters = lp.ar_min_iters;
    }
    fixed(out, &n, "gpu", 1, p->nodes, p->gpus_per_node > 0 ? p->gpus_per_node : 1,
          gpu_s(p, lp.gpu_gemm_sizes, lp.gpu_iters));
    ddp(add(out, &n, "ddp", CB_SBATCH_WORK_DDP, p->nodes, tpn, cap), lp.ddp_step_ms, lp.ddp_nsteps,
        lp.ddp_iters, lp.ddp_sweep);
    if (lp.baselines)
        torch(add(out, &n, "ddp-torch", CB_SBATCH_WORK_TORCH, p->nodes, tpn, cap), p,
              level == CB_SBATCH_LONG ? (p->gpus_per_node > 0 ? 20 : 10) : 0,
              level == CB_SBATCH_LONG && p->gpus_per_node <= 0);
    fixed(out, &n, "report", 0, 1, 1, CB_SBATCH_EST_TOOL_S);
    fixed(out, &n, "gate", 0, 1, 1, CB_SBATCH_EST_TOOL_S);
    return n;
}

size_t cb_sbatch_steps(const cb_sbatch_kind_t *kind, const cb_profile_t *prof,
                       cb_sbatch_level_t level, int sequential, cb_sbatch_step_t *out)
{
    return kind->plan_steps ? kind->plan_steps(kind, prof, level, sequential, out) : 0;
}
