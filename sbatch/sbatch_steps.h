/* sbatch_steps: the step lines the generated scripts share (sbatch_steps.c);
 * internal to the generator (the public header is cb_sbatch.h). */
#ifndef CB_SBATCH_STEPS_H
#define CB_SBATCH_STEPS_H

#include <stdio.h>

#include "cb_profile.h"
#include "cb_sbatch.h"

/* one or many by n */
const char *sbatch_plural(long n, const char *one, const char *many);

/* The srun line every step starts with: LEAD ("cb_run ", or validate.sh's
 * cb_step call), srun with the flags all steps share, the placement
 * (printf-style), and a line continuation: the caller writes the program. */
void sbatch_srun_line(FILE *f, const char *lead, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* cb-gpu on every GPU of every node (one rank per node without GPUs), CSV to csv. */
void sbatch_gpu_srun(FILE *f, const cb_profile_t *p, const char *lead, const char *args,
                     const char *csv);

/* cb-preflight on one rank per node, CSV to csv (no line end). */
void sbatch_preflight_srun(FILE *f, const cb_profile_t *p, const char *lead, const char *csv);

/* The real-DDP step (cb-ddp-torch) where torch imports, else a skip line. */
void sbatch_torch(FILE *f, const cb_profile_t *p, const cb_sbatch_plan_t *plan,
                  const char *indent, const char *run_lead, const char *args, const char *cap,
                  const char *skip_what);

/* The interpreter and CSV variables of the real-DDP step. */
void sbatch_torch_vars(FILE *f);

/* cb-p2p's flags after --all-pairs for the profile's all_pairs and
 * round_reference: "", " --sequential" or " --reference". */
const char *sbatch_all_pairs_flags(const cb_profile_t *p);

/* "in rounds", "sequential" or "in rounds, every direction alone first":
 * how the profile's all-pairs steps walk the pairs. */
const char *sbatch_all_pairs_mode(const cb_profile_t *p);

/* The comment lines (maybe none) saying why the all-pairs step below has
 * --sequential or --reference; `indent` starts each. */
void sbatch_all_pairs_comment(FILE *f, const cb_profile_t *p, const char *indent);

#endif
