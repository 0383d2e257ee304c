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
} cb_sbatch_plan_t;

void cb_sbatch_plan(const cb_profile_t *prof, cb_sbatch_plan_t *plan);

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
} cb_sbatch_kind_t;

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
