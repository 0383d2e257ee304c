/* sbatch_estimate: how long a generated script runs on its profile, from the
 * steps it runs (cb_sbatch_steps: the same plan its emitter writes) and a
 * small model of the programs: per size the driver's adaptive iterations
 * (cb_bench_measure), per operation the link's rate and latency, per step
 * its start-up, the all-pairs schedule (rounds or sequential) and the
 * --total-time caps. Pure: no I/O. See cb_sbatch.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cb_ddp.h"
#include "cb_sbatch.h"

#define P2P_MAX_INFLIGHT_BYTES ((uint64_t)64 << 20) /* cb-p2p's (bench/cb_bench.h) */

void cb_sbatch_net_of(const cb_profile_t *prof, cb_sbatch_net_t *net)
{
    double g = cb_profile_goodput_gbps(prof);
    net->rank_gbps = g;
    net->node_gbps = g * (double)(prof->rails_per_node > 1 ? prof->rails_per_node : 1);
    switch (prof->net_kind) {
    case CB_NET_INFINIBAND:
        net->latency_us = 3;
        break;
    case CB_NET_EFA:
        net->latency_us = 20;
        break;
    case CB_NET_ETHERNET:
    default:
        net->latency_us = 50;
        break;
    }
}

/* us to move `bytes` at `gbps` */
static double wire_us(double bytes, double gbps)
{
    return gbps > 0 ? bytes * 8.0 / (gbps * 1e3) : 0;
}

double cb_sbatch_op_us(const cb_sbatch_net_t *net, int mode, long nodes, long tasks_per_node,
                       uint64_t bytes, int window)
{
    int local = nodes <= 1;
    double alpha = local ? 1.0 : net->latency_us;
    double S = (double)bytes;
    if (mode == 0) { /* all-reduce */
        double n = (double)(nodes * tasks_per_node);
        if (n <= 1)
            return alpha + wire_us(S, CB_SBATCH_EST_LOCAL_GBPS);
        double moved = 2.0 * (n - 1) / n * S;
        return wire_us(moved, local ? CB_SBATCH_EST_LOCAL_GBPS
                                    : net->node_gbps * CB_SBATCH_EST_AR_EFFICIENCY) +
               2.0 * (double)(nodes > 1 ? nodes - 1 : 1) * alpha;
    }
    double rate = local ? CB_SBATCH_EST_LOCAL_GBPS : net->rank_gbps;
    if (mode == CB_SBATCH_MODE_LATENCY)
        return 2.0 * (alpha + wire_us(S, rate));
    uint64_t w = bytes ? P2P_MAX_INFLIGHT_BYTES / bytes : (uint64_t)window;
    if (w > (uint64_t)window)
        w = (uint64_t)window;
    if (w < 1)
        w = 1;
    return (double)w * wire_us(S, rate) + 2.0 * alpha;
}

/* cb_bench_iters_for_budget */
static double iters_for(double op_us, double budget_s, int min, int max)
{
    double n = op_us > 0 ? floor(budget_s * 1e6 / op_us) : (double)max;
    if (n < min)
        n = min;
    if (n > max)
        n = max;
    return n;
}

double cb_sbatch_size_s(double op_us, double tps_s, int warmup_iters, int min_iters,
                        int max_iters, int check)
{
    double warm = 1 + iters_for(op_us, tps_s / 4, 0, warmup_iters - 1);
    double timed = iters_for(op_us, tps_s, min_iters, max_iters);
    return (warm + timed + (check ? 1 : 0)) * op_us / 1e6;
}

long cb_sbatch_pair_rounds(long nodes, int sequential)
{
    if (nodes < 2)
        return 0;
    if (sequential)
        return nodes * (nodes - 1);
    return nodes % 2 ? 2 * nodes : 2 * (nodes - 1);
}

/* A budgeted loop of units (sizes, rounds, DDP steps): each unit takes
 * unit_s and is started only when elapsed + forecast_s fits cap_s (cap 0:
 * none). need: all of them. */
typedef struct budget {
    double cap_s, run_s, need_s;
    int stopped;
} budget_t;

static void unit(budget_t *b, double unit_s, double forecast_s)
{
    b->need_s += unit_s;
    if (b->stopped)
        return;
    if (b->cap_s > 0 && b->run_s + forecast_s > b->cap_s) {
        b->stopped = 1;
        return;
    }
    b->run_s += unit_s;
}

/* the sizes of a sweep, as cb_bench_sizes makes them */
static uint64_t next_size(const cb_sbatch_step_t *s, uint64_t b)
{
    return s->step_bytes ? b + s->step_bytes : b * (s->factor > 1 ? s->factor : 2);
}

/* One measured size of `mode`: its time and its forecast (the programs'
 * 1 + min_iters + check operations). */
static void size_unit(budget_t *b, const cb_sbatch_step_t *s, const cb_sbatch_net_t *net,
                      int mode, uint64_t bytes, int times)
{
    double op = cb_sbatch_op_us(net, mode, s->nodes, s->tasks_per_node, bytes, s->window);
    double t = cb_sbatch_size_s(op, s->tps_s, s->warmup_iters, s->min_iters, s->max_iters,
                                s->check) + CB_SBATCH_EST_SIZE_S;
    double fc = op * (1 + s->min_iters + (s->check ? 1 : 0)) / 1e6;
    unit(b, t * times, fc * times);
}

/* The DDP step on all ranks, us: PyTorch DDP's buckets reduced as backward
 * makes them ready (cb_ddp.h's model, unrolled at its two ends): the
 * forward, then all buckets' all-reduces, or the whole T1 and the last
 * bucket's. */
static double ddp_step_us(const cb_sbatch_step_t *s, const cb_sbatch_net_t *net, double t1_us)
{
    if (s->nodes * s->tasks_per_node <= 1)
        return t1_us;
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, s->grad_bytes);
    size_t nb = cb_ddp_bucket_count(&cfg);
    double sum = 0, last = 0;
    for (size_t k = 0; k < nb; k++) {
        last = cb_sbatch_op_us(net, 0, s->nodes, s->tasks_per_node, cb_ddp_bucket_size(&cfg, k), 0);
        sum += last;
    }
    double a = t1_us + last, b = (1 - cfg.bwd_frac) * t1_us + sum;
    return a > b ? a : b;
}

/* DDP's distinct bucket sizes for the step's gradients, added to sizes[0..n)
 * where not there yet (at most cap in all); returns the new count. */
static size_t add_buckets(const cb_sbatch_step_t *s, uint64_t *sizes, size_t n, size_t cap)
{
    cb_ddp_config_t cfg;
    cb_ddp_config_default(&cfg, s->grad_bytes);
    size_t nb = cb_ddp_bucket_count(&cfg);
    for (size_t k = 0; k < nb && n < cap; k++) {
        uint64_t sz = cb_ddp_bucket_size(&cfg, k);
        int seen = 0;
        for (size_t j = 0; j < n && !seen; j++)
            seen = sizes[j] == sz;
        if (!seen)
            sizes[n++] = sz;
    }
    return n;
}

/* an srun step's start-up */
static double start_s(const cb_sbatch_step_t *s)
{
    return s->srun ? CB_SBATCH_EST_START_S + CB_SBATCH_EST_START_PER_NODE_S * (double)s->nodes : 0;
}

static void ddp_work(budget_t *b, const cb_sbatch_step_t *s, const cb_sbatch_net_t *net)
{
    int torch = s->work == CB_SBATCH_WORK_TORCH;
    if (torch) {
        /* --check-torch on one rank per node, a step of its own */
        b->need_s += CB_SBATCH_EST_TORCH_CHECK_S + start_s(s);
        b->run_s += CB_SBATCH_EST_TORCH_CHECK_S + start_s(s);
        if (s->fixed_s > 0) { /* real compute */
            unit(b, s->fixed_s, 0);
            return;
        }
        /* the probe imports torch too, then times torch.distributed's
         * all-reduce at 1K..64M (x4) and at DDP's bucket sizes: --ar-time
         * 0.5 s each, 2 warm-up, 3..100 timed */
        b->need_s += CB_SBATCH_EST_TORCH_CHECK_S;
        b->run_s += CB_SBATCH_EST_TORCH_CHECK_S;
        cb_sbatch_step_t ar = *s;
        ar.tps_s = 0.5;
        ar.warmup_iters = 2;
        ar.min_iters = 3;
        ar.max_iters = 100;
        uint64_t sizes[64];
        size_t n = 0;
        for (uint64_t x = 1024; x <= (64ULL << 20); x *= 4)
            sizes[n++] = x;
        n = add_buckets(s, sizes, n, sizeof sizes / sizeof sizes[0]);
        for (size_t i = 0; i < n; i++)
            size_unit(b, &ar, net, 0, sizes[i], 1);
    } else {
        /* cb-ddp times every distinct bucket size first (1 s each, in place,
         * its data checked once after the timed loop: bench/ddp.c) */
        cb_sbatch_step_t ar = *s;
        ar.tps_s = 1.0;
        ar.warmup_iters = 2;
        ar.min_iters = 3;
        ar.max_iters = 50;
        ar.check = 1;
        uint64_t sizes[64];
        size_t n = add_buckets(s, sizes, 0, sizeof sizes / sizeof sizes[0]);
        for (size_t i = 0; i < n; i++)
            size_unit(b, &ar, net, 0, sizes[i], 1);
    }
    /* per T1: every rank alone, then DDP on all (torch: also DDP alone) */
    double phases_alone = torch ? 2 : 1;
    int steps = s->warmup_iters + s->iters;
    for (int i = 0; i < s->nsteps; i++) {
        double t1 = s->step_ms[i] * 1e3;
        double t = steps * (phases_alone * t1 + ddp_step_us(s, net, t1)) / 1e6;
        unit(b, t, t);
    }
    /* --sweep: probes near the middle T1, each rank alone and DDP on all */
    if (s->probes && s->nsteps) {
        double t1 = s->step_ms[s->nsteps / 2] * 1e3;
        double t = steps * (t1 + ddp_step_us(s, net, t1)) / 1e6;
        for (int i = 0; i < s->probes; i++)
            unit(b, t, t);
    }
}

void cb_sbatch_step_estimate(const cb_sbatch_step_t *s, const cb_sbatch_net_t *net,
                             cb_sbatch_step_est_t *est)
{
    budget_t b = {.cap_s = s->cap_s};
    switch (s->work) {
    case CB_SBATCH_WORK_FIXED:
        b.run_s = b.need_s = s->fixed_s;
        break;
    case CB_SBATCH_WORK_ALLREDUCE:
        for (uint64_t x = s->min_bytes; x && x <= s->max_bytes; x = next_size(s, x))
            size_unit(&b, s, net, 0, x, s->placements > 1 ? 2 : 1);
        break;
    case CB_SBATCH_WORK_P2P:
        /* cb-p2p: each mode over all sizes in turn */
        for (int m = CB_SBATCH_MODE_LATENCY; m <= CB_SBATCH_MODE_BIBW; m <<= 1) {
            if (!(s->modes & m))
                continue;
            b.stopped = 0; /* a mode cut by the cap still tries the next's first size */
            for (uint64_t x = s->min_bytes; x && x <= s->max_bytes; x = next_size(s, x))
                size_unit(&b, s, net, m, x, 1);
        }
        break;
    case CB_SBATCH_WORK_ALL_PAIRS: {
        /* --reference: first every direction alone (cb-p2p's sequential pass
         * at the largest size); then every round (or, sequential, every
         * direction) one bw measurement */
        long alone = s->reference ? cb_sbatch_pair_rounds(s->nodes, 1) : 0;
        for (long i = 0; i < alone; i++)
            size_unit(&b, s, net, CB_SBATCH_MODE_BW, s->max_bytes, 1);
        long r = cb_sbatch_pair_rounds(s->nodes, s->sequential);
        for (long i = 0; i < r; i++)
            size_unit(&b, s, net, CB_SBATCH_MODE_BW, s->max_bytes, 1);
        break;
    }
    case CB_SBATCH_WORK_DDP:
    case CB_SBATCH_WORK_TORCH:
        ddp_work(&b, s, net);
        break;
    }
    est->run_s = b.run_s + start_s(s);
    est->need_s = b.need_s + start_s(s);
}

void cb_sbatch_estimate(const cb_sbatch_kind_t *kind, const cb_profile_t *prof,
                        cb_sbatch_level_t level, int sequential, cb_sbatch_estimate_t *est)
{
    cb_sbatch_step_t steps[CB_SBATCH_MAX_STEPS];
    cb_sbatch_net_t net;
    memset(est, 0, sizeof *est);
    cb_sbatch_net_of(prof, &net);
    size_t n = cb_sbatch_steps(kind, prof, level, sequential, steps);
    est->steps = n;
    for (size_t i = 0; i < n; i++) {
        cb_sbatch_step_est_t e;
        cb_sbatch_step_estimate(&steps[i], &net, &e);
        est->run_s += e.run_s;
        est->need_s += e.need_s;
        if (e.need_s > e.run_s + 1e-9) {
            if (!est->cut)
                snprintf(est->first_cut, sizeof est->first_cut, "%.31s", steps[i].name);
            est->cut++;
        }
    }
}

const char *cb_sbatch_duration(double s, char *buf, size_t len)
{
    if (s < 120)
        snprintf(buf, len, "%.0f s", s);
    else if (s < 120 * 60)
        snprintf(buf, len, "%.1f min", s / 60);
    else
        snprintf(buf, len, "%.1f h", s / 3600);
    return buf;
}

const char *cb_sbatch_estimate_text(const cb_sbatch_estimate_t *e, char *buf, size_t len)
{
    char a[32], b[32];
    cb_sbatch_duration(e->run_s, a, sizeof a);
    if (!e->cut)
        snprintf(buf, len, "about %s", a);
    else if (e->cut == 1)
        snprintf(buf, len, "about %s, %s cut short by its --total-time (all of it: %s)", a,
                 e->first_cut, cb_sbatch_duration(e->need_s, b, sizeof b));
    else
        snprintf(buf, len, "about %s, %s and %zu more cut short by their --total-time (all of it: %s)",
                 a, e->first_cut, e->cut - 1, cb_sbatch_duration(e->need_s, b, sizeof b));
    return buf;
}
