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

/* The bandwidth-only settings: cb_tune_bw_only_settings (cb_tune.h);
 * emit_transport exports them on Ethernet. */

/* For a latency step: when the latency test must not inherit the scripts'
 * settings, writes "<lead>env [-u K] [K=V]... \" and a newline with a comment
 * before it, and returns 1; else writes nothing and returns 0. The settings:
 * every bandwidth-only setting (above) that the profile's base holds (the
 * Ethernet transport's exports, then its [env]) put back to Open MPI's default
 * (unset), the overlay's p2p winners on top, and its collective-only winners
 * put back to their base values (base_text: the transport section without the
 * overlay; Open MPI's default for a bandwidth-only key). */
int sbatch_emit_p2p_env(FILE *f, const cb_profile_t *p, const char *base_text, const char *lead);

/* 1 when a latency step must run as a step of its own (sbatch_emit_p2p_env
 * would write a line: the base holds a bandwidth-only setting, or the overlay
 * gives latency settings of its own), bandwidth as another; else 0. The
 * emitters and the step plan (the estimate) ask this one question. */
int sbatch_tune_splits_latency(const cb_profile_t *p);

#endif
