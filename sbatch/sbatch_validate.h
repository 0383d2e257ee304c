/* sbatch_validate: validate.sh's emitters (sbatch_validate.c), for the kinds
 * table of sbatch_emit.c; internal to the generator (the public header is
 * cb_sbatch.h). */
#ifndef CB_SBATCH_VALIDATE_H
#define CB_SBATCH_VALIDATE_H

#include <stdio.h>

#include "cb_profile.h"
#include "cb_sbatch.h"

/* validate.sh: its options and its steps (sbatch_validate.c). */
void sbatch_emit_validate_args(FILE *f, const cb_sbatch_kind_t *k, const cb_profile_t *p,
                               const cb_sbatch_plan_t *plan);
void sbatch_emit_validate(FILE *f, const cb_sbatch_kind_t *k, const cb_profile_t *p,
                          const cb_sbatch_plan_t *plan);

#endif
