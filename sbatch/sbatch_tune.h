/* sbatch_tune: tune.sh (the transport tuner's job) and the merge of the
 * tuner's overlay into the other scripts (sbatch_tune.c); internal to the
 * generator (the public header is cb_sbatch.h). */
#ifndef CB_SBATCH_TUNE_H
#define CB_SBATCH_TUNE_H

#include <stdio.h>

#include "cb_profile.h"
#include "cb_sbatch.h"

/* tune.sh's options and body (a cb_sbatch_kind_t's emit_args, emit_body). */
void sbatch_emit_tune_args(FILE *f, const cb_sbatch_kind_t *k, const cb_profile_t *p,
                           const cb_sbatch_plan_t *plan);
void sbatch_emit_tune(FILE *f, const cb_sbatch_kind_t *k, const cb_profile_t *p,
                      const cb_sbatch_plan_t *plan);

/* The collective winners of p->tuned as exports, each with a comment saying
 * where it came from (tuned on <date>, gain, the base value it replaces);
 * base_text is the transport section without them (its exports give the base
 * values). Nothing when the profile has no overlay or it sets nothing. */
void sbatch_emit_tuned_exports(FILE *f, const cb_profile_t *p, const char *base_text);

/* For a latency step: when the overlay changes anything for point-to-point
 * latency, writes "<lead>env [-u K] [K=V]... \" and a newline (the p2p
 * winners, and the collective-only winners put back to their base values)
 * with a comment line before it, and returns 1; else writes nothing and
 * returns 0. */
int sbatch_emit_p2p_env(FILE *f, const cb_profile_t *p, const char *base_text, const char *lead);

/* 1 when the overlay gives point-to-point latency settings of its own (so
 * the scripts run latency as a step of its own, with
 * sbatch_emit_p2p_env's line, and bandwidth as another), else 0. The
 * emitters and the step plan (the estimate) ask this one question. */
int sbatch_tune_splits_latency(const cb_profile_t *p);

#endif
