/* sbatch_schedule: the steps each script runs, as a list the estimate sums
 * (sbatch_schedule.c); internal to the generator (the public header is
 * cb_sbatch.h, whose cb_sbatch_steps() calls these through the kinds table). */
#ifndef CB_SBATCH_SCHEDULE_H
#define CB_SBATCH_SCHEDULE_H

#include <stddef.h>

#include "cb_profile.h"
#include "cb_sbatch.h"

size_t sbatch_steps_allreduce(const cb_sbatch_kind_t *k, const cb_profile_t *p,
                              cb_sbatch_level_t level, int sequential, cb_sbatch_step_t *out);
size_t sbatch_steps_p2p(const cb_sbatch_kind_t *k, const cb_profile_t *p, cb_sbatch_level_t level,
                        int sequential, cb_sbatch_step_t *out);
size_t sbatch_steps_ddp(const cb_sbatch_kind_t *k, const cb_profile_t *p, cb_sbatch_level_t level,
                        int sequential, cb_sbatch_step_t *out);
size_t sbatch_steps_gpu(const cb_sbatch_kind_t *k, const cb_profile_t *p, cb_sbatch_level_t level,
                        int sequential, cb_sbatch_step_t *out);
size_t sbatch_steps_preflight(const cb_sbatch_kind_t *k, const cb_profile_t *p,
                              cb_sbatch_level_t level, int sequential, cb_sbatch_step_t *out);
size_t sbatch_steps_validate(const cb_sbatch_kind_t *k, const cb_profile_t *p,
                             cb_sbatch_level_t level, int sequential, cb_sbatch_step_t *out);

#endif
