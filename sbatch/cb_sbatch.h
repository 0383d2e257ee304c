/* cb_sbatch: the generator behind `clusterbench sbatch`: turns a validated
 * cluster profile (cb_profile.h) into the Slurm batch scripts users submit.
 * Script kinds live in one const table (cb_sbatch_kinds()); adding a script
 * is one entry plus its body function. The small decisions (sweep sizes,
 * NCCL socket counts, per-step time caps) are pure functions, tested alone. */
#ifndef CB_SBATCH_H
#define CB_SBATCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cb_profile.h"

/* Message-size sweep: min_bytes, min*factor, ... up to max_bytes. */
typedef struct cb_sbatch_sweep {
    uint64_t min_bytes;
    uint64_t max_bytes;
    unsigned factor;
} cb_sbatch_sweep_t;

/* Time one sweep's largest message may take to cross the link once. */
#define CB_SBATCH_SWEEP_TOP_S 0.5
#define CB_SBATCH_SWEEP_MIN_BYTES (1ULL << 10)  /* 1K */
#define CB_SBATCH_SWEEP_FLOOR (16ULL << 20)     /* 16M: the top is never lower */
#define CB_SBATCH_SWEEP_CEIL (1ULL << 30)       /* 1G: nor higher */

/* The sweep for a line rate (Gbit/s): 1K to the largest 1K * 4^k that crosses
 * the link in at most CB_SBATCH_SWEEP_TOP_S at line rate, clamped to
 * [16M, 1G], factor 4. 0.1 Gbit/s -> 16M, 2.5 -> 64M, 10 -> 256M, >= 17.2 -> 1G.
 * A non-positive or NaN rate gives the floor. */
cb_sbatch_sweep_t cb_sbatch_sweep_for_rate(double line_rate_gbps);

/* NCCL socket transport: threads per connection and sockets per thread
 * (NCCL_SOCKET_NTHREADS x NCCL_NSOCKS_PERTHREAD <= 64): 2 x 2 below
 * 10 Gbit/s, 4 x 4 from 10 Gbit/s up. */
void cb_sbatch_nccl_sockets(double line_rate_gbps, int *nthreads, int *nsocks_per_thread);

/* --total-time cap (s) for each of `steps` benchmark runs in one job of
 * time_limit_s: half the limit, shared evenly (the other half is margin for
 * start-up, data validation and the last size finishing); at least 1. */
long cb_sbatch_step_cap_s(long time_limit_s, int steps);

/* Facts derived from the profile that every script uses. */
typedef struct cb_sbatch_plan {
    long tasks_per_node;      /* one per GPU, or 1 without GPUs */
    const char *transport;    /* "nccl" with GPUs (GPU buffers or fail), else "mpi" */
    cb_sbatch_sweep_t sweep;
    char min_size[16], max_size[16]; /* the sweep as cb-* flags take it: 1K, 64M */
    char matrix_size[16];     /* all-pairs p2p size: a quarter of the largest */
    /* the transport section without the tuner's overlay, whose exports give
     * the base values a latency step puts back (set by cb_sbatch_render for
     * the body when the profile has an overlay; NULL otherwise) */
    const char *base_env;
} cb_sbatch_plan_t;

void cb_sbatch_plan(const cb_profile_t *prof, cb_sbatch_plan_t *plan);

/* ------------------------------------------------ levels and the step plan */

/* validate.sh's --level. */
typedef enum cb_sbatch_level {
    CB_SBATCH_QUICK = 0,
    CB_SBATCH_STANDARD,
    CB_SBATCH_LONG,
    CB_SBATCH_NLEVELS
} cb_sbatch_level_t;

const char *cb_sbatch_level_name(cb_sbatch_level_t level); /* "quick", ... */
/* CB_OK, or CB_ERR_USAGE for anything but quick, standard, long. */
int cb_sbatch_level_parse(const char *s, cb_sbatch_level_t *out);

/* What one level of validate.sh runs (its `case $cb_level` block is printed
 * from this, and the estimate reads the same numbers). */
typedef struct cb_sbatch_level_plan {
    long cap_s;                   /* --total-time of every step */
    double tps_s;                 /* --time-per-size */
    uint64_t matrix_bytes;        /* all-pairs size (-b = -e) */
    int matrix_window, matrix_min_iters;
    uint64_t ar_min_bytes, ar_max_bytes;
    unsigned ar_factor;
    int ar_out_only;              /* -p out (else both placements) */
    int ar_min_iters;             /* --min-iters; 0: the program's default */
    const char *gpu_args;         /* cb_gpu=(...) as written */
    int gpu_gemm_sizes, gpu_iters; /* the same as numbers (0: cb-gpu's defaults) */
    double ddp_step_ms[3];        /* --step-ms */
    int ddp_nsteps, ddp_iters;    /* ddp_iters 0: cb-ddp's default */
    int ddp_sweep;                /* --sweep */
    const char *torch_args;       /* cb_torch=(...) as written */
    int baselines;                /* the 2-node p2p sweep, the 1-node all-reduce, torch */
} cb_sbatch_level_plan_t;

void cb_sbatch_level_plan(const cb_profile_t *prof, const cb_sbatch_plan_t *plan,
                          cb_sbatch_level_t level, cb_sbatch_level_plan_t *lp);

struct cb_sbatch_step;

typedef struct cb_sbatch_kind {
    const char *name;    /* script is <name>.sh, job cb-<name>, CSV <name>.csv */
    const char *summary; /* one line, for --help and the script's header */
    const char *binary;  /* in $CB_HOME/build/bin */
    long min_ranks;      /* the program needs at least this many ranks */
    /* the script's steps, after the common prologue and transport settings */
    void (*emit_body)(FILE *f, const struct cb_sbatch_kind *kind, const cb_profile_t *prof,
                      const cb_sbatch_plan_t *plan);
    /* the other programs of $CB_HOME/build/bin the steps run, space-separated
     * (checked with `binary` before anything is written); NULL: none */
    const char *also_needs;
    /* what the job writes under results/<profile>/<job id>/, for the header;
     * NULL: <name>.csv */
    const char *outputs;
    /* the script's options (parsed before anything else, so --help works
     * outside a job); NULL: it takes none */
    void (*emit_args)(FILE *f, const struct cb_sbatch_kind *kind, const cb_profile_t *prof,
                      const cb_sbatch_plan_t *plan);
    /* the body sets cb_rc, the job's exit status, instead of ending at the
     * first failing step (set -e) */
    int own_exit;
    /* the steps it runs, for the estimate (see cb_sbatch_steps); `level`
     * matters only where has_levels is set (validate.sh's --level) */
    size_t (*plan_steps)(const struct cb_sbatch_kind *kind, const cb_profile_t *prof,
                         cb_sbatch_level_t level, int sequential, struct cb_sbatch_step *out);
    int has_levels;
} cb_sbatch_kind_t;

/* allreduce.sh's scaling curve: 1, 2, 4, ... (powers of two below `nodes`),
 * then `nodes` itself, ascending, into out (room for CB_SBATCH_MAX_CURVE);
 * returns how many. nodes < 1 counts as 1. */
#define CB_SBATCH_MAX_CURVE 16 /* log2(CB_PROFILE_MAX_NODES = 4096) + 2 */
size_t cb_sbatch_curve_nodes(long nodes, long *out);

/* What a step of a script runs, as far as its duration goes. */
typedef enum cb_sbatch_work {
    CB_SBATCH_WORK_FIXED = 0, /* fixed_s, nothing swept (preflight, GPU, report, gate) */
    CB_SBATCH_WORK_ALLREDUCE, /* cb-allreduce over its sizes */
    CB_SBATCH_WORK_P2P,       /* cb-p2p between two ranks: its modes over its sizes */
    CB_SBATCH_WORK_ALL_PAIRS, /* cb-p2p --all-pairs --mode bw at one size */
    CB_SBATCH_WORK_DDP,       /* cb-ddp: its bucket all-reduces, then its steps */
    CB_SBATCH_WORK_TORCH,     /* cb-ddp-torch: --check-torch, then its probe */
} cb_sbatch_work_t;

#define CB_SBATCH_MODE_LATENCY 1
#define CB_SBATCH_MODE_BW 2
#define CB_SBATCH_MODE_BIBW 4

typedef struct cb_sbatch_step {
    char name[32];             /* as validate-steps.tsv names it */
    cb_sbatch_work_t work;
    int srun;                  /* an srun step: pays CB_SBATCH_EST_START_S */
    long nodes, tasks_per_node;
    uint64_t min_bytes, max_bytes;
    unsigned factor;
    uint64_t step_bytes;       /* -i: sizes grow by this instead of x factor */
    double tps_s;              /* --time-per-size */
    int warmup_iters, min_iters, max_iters, check;
    int placements;            /* all-reduce: 1 (-p out or in) or 2 (both) */
    int modes;                 /* p2p: CB_SBATCH_MODE_* */
    int window;                /* p2p: -W */
    int sequential;            /* all pairs one direction after another, not in rounds */
    int reference;             /* all pairs: every direction alone first (--reference) */
    double cap_s;              /* --total-time; 0: none */
    double fixed_s;            /* FIXED: its duration past start-up; GPU: the measurements */
    uint64_t grad_bytes;       /* DDP/TORCH: gradient bytes */
    double step_ms[3];         /* DDP/TORCH: single-node step times */
    int nsteps, iters, probes; /* DDP/TORCH: T1s, timed steps each, --sweep probes */
} cb_sbatch_step_t;

#define CB_SBATCH_MAX_STEPS 24

/* The steps a script runs for a profile (validate.sh: at `level`; the other
 * kinds ignore it), in order, into out (room for CB_SBATCH_MAX_STEPS);
 * returns how many. The all-pairs steps are sequential when `sequential` is
 * set or the profile says all_pairs = sequential, and measure every direction
 * alone first when it says round_reference = yes. The script's emitter writes its steps from the same
 * plan (cb_sbatch_plan, cb_sbatch_level_plan, cb_sbatch_curve_nodes). */
size_t cb_sbatch_steps(const cb_sbatch_kind_t *kind, const cb_profile_t *prof,
                       cb_sbatch_level_t level, int sequential, cb_sbatch_step_t *out);

/* ------------------------------------------------------------ the estimate */

/* The time model's constants (seconds unless named otherwise). */
/* One srun step: the step's launch, MPI start-up and end, plus a little per
 * node (about 1 s per step on the 3-node virtual cluster; the per-node
 * part is a guess, not measured beyond 3 nodes). */
#define CB_SBATCH_EST_START_S 0.8
#define CB_SBATCH_EST_START_PER_NODE_S 0.01
#define CB_SBATCH_EST_SIZE_S 0.02        /* one measured size: buffers, fill, agreement, the row */
#define CB_SBATCH_EST_TOOL_S 0.3         /* report or gate: one process on the batch node */
#define CB_SBATCH_EST_PREFLIGHT_S 0.3    /* preflight's checks past start-up */
#define CB_SBATCH_EST_GPU_MEASURE_S 0.5  /* one cb-gpu measurement (a GEMM type x size, ...) */
#define CB_SBATCH_EST_TORCH_CHECK_S 5.0  /* importing torch on every node (--check-torch, the probe) */
#define CB_SBATCH_EST_TORCH_REAL_S 120.0 /* a real-compute (resnet50) cb-ddp-torch probe */
#define CB_SBATCH_EST_LOCAL_GBPS 80.0    /* within a node (shared memory, NVLink: at least) */
/* An all-reduce between nodes moves its bytes at this fraction of the node's
 * goodput: MPI/NCCL rings over TCP reach 70-90% of it (the gate's bound is
 * 70%); measured: cb-allreduce 0.84-0.87 on 2-3 nodes at 2.5 Gbit/s, cb-ddp's
 * 24-25 MiB all-reduces 0.77 on 16 nodes at 100 Mbit/s (the virtual cluster) */
#define CB_SBATCH_EST_AR_EFFICIENCY 0.85

/* The network as the model sees it. */
typedef struct cb_sbatch_net {
    double node_gbps;   /* one node's rate: goodput x rails, Gbit/s */
    double rank_gbps;   /* one rank's NIC (p2p between node leaders), Gbit/s */
    double latency_us;  /* one message's latency between nodes */
} cb_sbatch_net_t;

/* From a profile: cb_profile_goodput_gbps (TCP goodput on Ethernet), the
 * rails, and a latency by kind (Ethernet 50 us, InfiniBand 3 us, EFA 20 us). */
void cb_sbatch_net_of(const cb_profile_t *prof, cb_sbatch_net_t *net);

/* One operation's time (us) of a work at `bytes`:
 *   all-reduce on N nodes x t ranks (n = N t): 2(n-1)/n S / rate + 2(N-1) alpha,
 *     rate the node's (N > 1) or CB_SBATCH_EST_LOCAL_GBPS (N = 1);
 *   latency (ping-pong, one iteration = a round trip): 2 (alpha + S / rate);
 *   bw and bibw (one iteration = a window): w S / rate + 2 alpha, w = the
 *     window, at most 64 MiB in flight (cb-p2p's rule), at least 1;
 * rate the rank's NIC between nodes, local within one. */
double cb_sbatch_op_us(const cb_sbatch_net_t *net, int mode, long nodes, long tasks_per_node,
                       uint64_t bytes, int window);

/* One size as cb_bench_measure spends it, s: 1 + min(w - 1, (tps/4)/t)
 * warm-up, clamp(tps/t, min, max) timed and `check` checking operations of
 * t us each. */
double cb_sbatch_size_s(double op_us, double tps_s, int warmup_iters, int min_iters,
                        int max_iters, int check);

/* All pairs of `nodes`: how many rounds (disjoint pairs measured at once,
 * one direction each): 2(N-1) for even N, 2N for odd N (one node idle per
 * round); sequential: the N(N-1) directions one after another. 0 for N < 2. */
long cb_sbatch_pair_rounds(long nodes, int sequential);

/* One step's duration. run_s: as it runs, stopping (as the programs do)
 * before a size, round or DDP step whose forecast (1 + min_iters + check
 * operations) would pass cap_s; need_s: without a cap. Both include
 * start-up. */
typedef struct cb_sbatch_step_est {
    double run_s, need_s;
} cb_sbatch_step_est_t;
void cb_sbatch_step_estimate(const cb_sbatch_step_t *step, const cb_sbatch_net_t *net,
                             cb_sbatch_step_est_t *est);

/* A script's duration: its steps' sum. cut: steps whose cap stops them
 * (run_s < need_s); first_cut: the first one's name ("": none). */
typedef struct cb_sbatch_estimate {
    double run_s, need_s;
    size_t steps, cut;
    char first_cut[32];
} cb_sbatch_estimate_t;
void cb_sbatch_estimate(const cb_sbatch_kind_t *kind, const cb_profile_t *prof,
                        cb_sbatch_level_t level, int sequential, cb_sbatch_estimate_t *est);

/* "about 45 s", or with steps cut: "about 30 min, p2p-all-pairs cut short by
 * its --total-time (all of it: 3.2 h)" ("... and 2 more cut short by their"). */
const char *cb_sbatch_estimate_text(const cb_sbatch_estimate_t *e, char *buf, size_t len);

/* "45 s", "12.5 min", "3.2 h" (under 120 s, under 120 min, above). */
const char *cb_sbatch_duration(double s, char *buf, size_t len);

/* The script kinds, in generation order; *n gets their number. */
const cb_sbatch_kind_t *cb_sbatch_kinds(size_t *n);

/* The script text of one kind for a profile: *text is malloc'ed,
 * NUL-terminated, *len bytes. CB_OK or CB_ERR_NOMEM. */
int cb_sbatch_render(const cb_sbatch_kind_t *kind, const cb_profile_t *prof, char **text,
                     size_t *len);

/* Writes every kind into out_dir (created if missing), each as <name>.sh,
 * mode 0755, through a temp file renamed into place only once all are
 * written. On failure nothing new is left behind and errbuf says why.
 * CB_OK, CB_ERR_IO, CB_ERR_NOMEM. Each written path is printed to `log`
 * (may be NULL). */
int cb_sbatch_write_all(const cb_profile_t *prof, const char *out_dir, FILE *log, char *errbuf,
                        size_t errlen);

/* Compares out_dir's scripts with what would be written, writing nothing;
 * one line per script to `log` (may be NULL). 0 when all are identical, 1
 * when any differs or is missing, CB_ERR_* on error. */
int cb_sbatch_check_all(const cb_profile_t *prof, const char *out_dir, FILE *log,
                        char *errbuf, size_t errlen);

#endif
