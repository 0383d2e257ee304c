/* cb_tune: the pure parts of `clusterbench tune`, the transport tuner: the
 * settings it may change and their candidate values (per purpose and
 * transport), the coordinate-wise search over them, the scores of a trial,
 * the verdict that keeps a winner only when it beats the base by more than
 * the noise, and the profile overlay (sbatch/profiles/<name>.tuned.ini) the
 * winners are written to and the sbatch generator merges. No I/O besides the
 * overlay's FILE streams; cli/cmd_tune.c runs the trials.
 *
 * Overlay format (written by cb_tune_overlay_write(), read strictly by
 * cb_tune_overlay_parse(); ';' or '#' starts a comment line):
 *
 *   [tune]
 *   profile = vcluster        ; the profile it was tuned for
 *   date    = 2026-12-07      ; YYYY-MM-DD, when
 *   nodes   = 3               ; how many nodes the trials ran on
 *   [collective]              ; bandwidth-bound collectives (all-reduce)
 *   OMPI_MCA_btl_tcp_links = 2
 *   [p2p]                     ; latency-bound point-to-point
 *   OMPI_MCA_mpi_yield_when_idle = 0
 *   [gain]                    ; optional: the gain (%) each value measured
 *   collective.OMPI_MCA_btl_tcp_links = 3.1
 *
 * Keys under [collective]/[p2p] are OMPI_MCA_* or NCCL_* names ([A-Z0-9_a-z]);
 * values [A-Za-z0-9._,:-], at most 63 characters; an empty value means "unset
 * the variable". Unknown sections or keys, duplicates, a [gain] entry with no
 * setting: file:line errors. */
#ifndef CB_TUNE_H
#define CB_TUNE_H

#include <stddef.h>
#include <stdio.h>

typedef enum cb_tune_purpose {
    CB_TUNE_COLL = 0, /* bandwidth-bound collectives: all-reduce at DDP bucket sizes */
    CB_TUNE_P2P = 1,  /* latency-bound point-to-point: ping-pong at 8 B and 1 KiB */
} cb_tune_purpose_t;
#define CB_TUNE_NPURPOSES 2

/* "collective", "p2p"; NULL out of range. And back: CB_OK or CB_ERR_INPUT. */
const char *cb_tune_purpose_name(cb_tune_purpose_t p);
int cb_tune_purpose_parse(const char *s, cb_tune_purpose_t *out);

#define CB_TUNE_MAX_SET 3   /* variables one candidate sets */
#define CB_TUNE_MAX_OPTS 10 /* candidates of one setting */
#define CB_TUNE_MAX_PARAMS 16

typedef struct cb_tune_assign {
    const char *key;   /* NULL: unused slot */
    const char *value;
} cb_tune_assign_t;

/* One candidate value of a setting: a label and the variables it sets. */
typedef struct cb_tune_option {
    const char *label;
    cb_tune_assign_t set[CB_TUNE_MAX_SET];
} cb_tune_option_t;

#define CB_TUNE_FOR_COLL (1u << CB_TUNE_COLL)
#define CB_TUNE_FOR_P2P (1u << CB_TUNE_P2P)

/* One setting the search moves along: its candidates, for which purposes and
 * which transport ("mpi": Open MPI's; "nccl": NCCL's over sockets). */
typedef struct cb_tune_param {
    const char *name;     /* short, for output: "allreduce_algorithm" */
    const char *transport;
    unsigned purposes;    /* CB_TUNE_FOR_* bits */
    int min_nodes;        /* valid only from this many nodes on (NCCL tree: 2) */
    size_t n_opts;
    cb_tune_option_t opts[CB_TUNE_MAX_OPTS];
} cb_tune_param_t;

/* The whole table, in search order; *n gets its length. */
const cb_tune_param_t *cb_tune_param_table(size_t *n);

/* The settings that apply to a purpose on a transport ("mpi" or "nccl") and
 * node count, in search order, into out (at most max); returns how many. */
size_t cb_tune_params_for(cb_tune_purpose_t purpose, const char *transport, long nodes,
                          const cb_tune_param_t **out, size_t max);

/* Looks a variable up in the base environment (NULL: unset). */
typedef const char *(*cb_tune_lookup_fn)(const char *key, void *ctx);

/* 1 when option o of p sets nothing that differs from the base environment
 * (so trying it would repeat the base), else 0. */
int cb_tune_option_is_base(const cb_tune_param_t *p, size_t o, cb_tune_lookup_fn lookup,
                           void *ctx);

/* ---- the coordinate-wise search ----
 *
 * One setting at a time from the current best: every candidate of setting i
 * that differs from the base is tried with the other settings at their best
 * so far; the best of them replaces the setting's value if its score beats
 * the best so far by more than `threshold` (relative). Then setting i+1.
 * After the last setting, another pass while passes < max_passes and the
 * previous pass changed something. Scores: higher is better; NaN = the trial
 * failed (never accepted). */
typedef struct cb_tune_search {
    const cb_tune_param_t *const *params;
    size_t nparams;
    double threshold;            /* relative, e.g. 0.02 */
    int max_passes;
    int choice[CB_TUNE_MAX_PARAMS];      /* current best: option, or -1 = the base */
    double gain[CB_TUNE_MAX_PARAMS];     /* relative gain when the choice was accepted */
    unsigned char skip[CB_TUNE_MAX_PARAMS][CB_TUNE_MAX_OPTS]; /* repeats the base */
    double best;                 /* score of the current best; NaN before the base */
    size_t param, opt;           /* the next candidate */
    double param_base;           /* best when setting `param` began */
    double cand_score;           /* best candidate of `param` so far (NaN: none) */
    int cand_opt;
    int pass, changed, done;
    int seq[CB_TUNE_MAX_PARAMS]; /* when each choice was taken (1, 2, ...); 0: not taken */
    int nseq;
    /* What a setting taken again (in pass 2) replaced: choice, gain and seq
     * before it (prev_choice -1: the base), for cb_tune_search_drop_last */
    int prev_choice[CB_TUNE_MAX_PARAMS];
    double prev_gain[CB_TUNE_MAX_PARAMS];
    int prev_seq[CB_TUNE_MAX_PARAMS];
    /* The last setting whose candidates ended (all tried, or the search
     * finished early) with at least one that ran: which, in which pass (1,
     * 2), its best candidate and that one's score, the best it was measured
     * against (param_base), and whether it was taken. nsettled counts them:
     * a change tells the caller that one more setting ended. */
    int nsettled;
    size_t settled_param;
    int settled_opt, settled_pass, settled_taken;
    double settled_score, settled_ref;
} cb_tune_search_t;

/* Sets s up over params (n <= CB_TUNE_MAX_PARAMS, else CB_ERR_RANGE),
 * starting from the base score base_score (must be > 0 and finite:
 * CB_ERR_INPUT otherwise). CB_OK. */
int cb_tune_search_init(cb_tune_search_t *s, const cb_tune_param_t *const *params, size_t n,
                        cb_tune_lookup_fn lookup, void *ctx, double base_score,
                        double threshold, int max_passes);

/* The next trial: 1 with *param and *opt set (the trial's settings are the
 * current choices with choice[param] replaced by opt); 0 when the search is
 * done. */
int cb_tune_search_next(cb_tune_search_t *s, size_t *param, size_t *opt);

/* The score of the trial cb_tune_search_next() gave. */
void cb_tune_search_report(cb_tune_search_t *s, double score);

/* A fresh measurement of the current best (the base, or the choices so far),
 * taken before the next setting's candidates so that they are judged against
 * a run made under the same conditions (load drifts on shared machines): it
 * replaces the best score the next candidates must beat. Ignored when not
 * > 0 and finite, or in the middle of a setting's candidates. */
void cb_tune_search_rebase(cb_tune_search_t *s, double score);

/* Ends the search early (budget spent): a setting whose candidates were only
 * partly tried still takes its best candidate if it beat the threshold. */
void cb_tune_search_finish(cb_tune_search_t *s);

/* After the search: undoes the last take (the setting with the highest
 * seq), for a winner that failed the verdict to be judged again without it:
 * the setting goes back to what it was before that take (the base, or the
 * value an earlier pass took). Returns that setting's index, or -1 when
 * nothing is left to undo. */
int cb_tune_search_drop_last(cb_tune_search_t *s);

/* The variables a set of choices sets (choice[i] = -1: setting i as in the
 * base), with setting `over` forced to option `over_opt` (over = (size_t)-1:
 * none), in table order, into out (at most max). Returns how many. */
size_t cb_tune_assignments(const cb_tune_param_t *const *params, size_t n, const int *choice,
                           size_t over, int over_opt, cb_tune_assign_t *out, size_t max);

/* ---- settings that only help bandwidth ---- */

/* A setting the generated scripts export on Ethernet for all-reduce on
 * shared cores that only helps bandwidth (it costs point-to-point latency):
 * its key, the value exported, and the smallest value that counts as
 * bandwidth-only. The latency steps put them back to Open MPI's defaults,
 * and tune's p2p purpose starts from there. */
typedef struct cb_tune_bw_only {
    const char *key;
    const char *value;
    long bw_from;
} cb_tune_bw_only_t;
#define CB_TUNE_N_BW_ONLY 2

/* The table (CB_TUNE_N_BW_ONLY entries into *n when n is not NULL):
 * OMPI_MCA_btl_tcp_links (4; > 1 only helps bandwidth),
 * OMPI_MCA_mpi_yield_when_idle (1). */
const cb_tune_bw_only_t *cb_tune_bw_only_settings(size_t *n);

/* Whether value (a setting's text) counts as bandwidth-only for entry e. */
int cb_tune_bw_only_value(const cb_tune_bw_only_t *e, const char *value);

/* ---- scores ---- */

/* Geometric mean of n values; NaN when n = 0 or any is not > 0 and finite. */
double cb_tune_geomean(const double *v, size_t n);

/* Median of n values (v is not changed; n <= 64); NaN for n = 0 or n > 64. */
double cb_tune_median(const double *v, size_t n);

/* The verdict on a winner: base and winner each measured several times,
 * interleaved. gain = median(win) / median(base) - 1 (scores: higher is
 * better); noise = the largest of floor and each side's spread, (max -
 * min) / median. keep when gain > noise and min(win) > max(base): the
 * winner's worst run beat the base's best. */
typedef struct cb_tune_verdict {
    double gain, noise;
    double base_median, win_median;
    int keep;
} cb_tune_verdict_t;

/* CB_OK, or CB_ERR_INPUT when a side has no runs or a score is not > 0. */
int cb_tune_judge(const double *base, size_t nb, const double *win, size_t nw, double floor,
                  cb_tune_verdict_t *v);

/* ---- tune.csv's notes ----
 *
 * `clusterbench tune` writes every trial to tune.csv as a row of the results
 * schema with benchmark=tune (value: the trial's figure, busbw GB/s or
 * latency us; status ok, failed or timeout), and the benchmark's own rows of
 * the trial next to it with the same note. The note says what the row is:
 *
 *   tune trial N PURPOSE PHASE: SETTINGS[ | FIELDS]
 *   tune setting PURPOSE: NAME=LABEL | FIELDS
 *   tune verdict PURPOSE: SETTINGS: gain +x.x%, noise y.y%: kept|dropped[ | FIELDS]
 *
 * PHASE: base (the scripts' settings), search (a candidate), anchor (the
 * best so far, again, before a setting's candidates), winner (a verdict
 * run of the winner; verdict runs of the base are PHASE base with a
 * verdict field). SETTINGS: "K=V K=V ..." on top of the base, or "base".
 * FIELDS: "key=value" separated by "; " (values never hold ';'):
 *   trial:   setting, option (label), pass    a search trial's candidate
 *            ref, gain                        the figure it was compared
 *                                             with (the anchor; the base in
 *                                             the verdict) and the gain over
 *                                             it in %, higher is better
 *            verdict                          the verdict round (0, 1...)
 *            limit                            timeout: killed after s
 *   setting: setting, option, pass, ref, gain, taken (yes|no): a setting's
 *            candidates ended; the row's value is the best candidate's
 *   verdict: base, winner (medians, the row's unit), gain, noise (%),
 *            runs (winner/base), round, kept (yes|no)
 * Notes written before FIELDS existed have none; readers take what is
 * there. */

typedef enum cb_tune_note_kind {
    CB_TUNE_NOTE_TRIAL = 1,
    CB_TUNE_NOTE_SETTING,
    CB_TUNE_NOTE_VERDICT,
} cb_tune_note_kind_t;

typedef struct cb_tune_note {
    cb_tune_note_kind_t kind;
    cb_tune_purpose_t purpose;
    int trial;          /* TRIAL: its number */
    char phase[16];     /* TRIAL: base, search, anchor, winner */
    const char *what;   /* into the note: SETTINGS, NAME=LABEL, or the verdict's text */
    size_t what_len;    /* its length (up to " | ") */
    const char *fields; /* into the note: after " | ", or "" */
} cb_tune_note_t;

/* Parses a note of the grammar above. CB_OK, or CB_ERR_INPUT when it is not
 * one (n is then undefined). */
int cb_tune_note_parse(const char *note, cb_tune_note_t *n);

/* The value of key in FIELDS into buf (cut to len - 1): 1, or 0 when absent. */
int cb_tune_note_field(const char *fields, const char *key, char *buf, size_t len);

/* ---- the overlay ---- */

#define CB_TUNE_OVERLAY_MAX 32

typedef struct cb_tune_entry {
    cb_tune_purpose_t purpose;
    char key[64];
    char value[64];
    double gain_pct; /* NaN: none recorded (e.g. written by hand) */
} cb_tune_entry_t;

typedef struct cb_tune_overlay {
    char profile[64];
    char date[16];   /* YYYY-MM-DD */
    long nodes;      /* 0: not recorded */
    char origin[256]; /* the file it was read from, for the scripts' comments */
    size_t n;
    cb_tune_entry_t e[CB_TUNE_OVERLAY_MAX];
} cb_tune_overlay_t;

/* Adds (or replaces) purpose's key = value with its gain. CB_OK;
 * CB_ERR_RANGE when full or a string does not fit; CB_ERR_INPUT for a key
 * or value the parser would refuse. */
int cb_tune_overlay_set(cb_tune_overlay_t *ov, cb_tune_purpose_t purpose, const char *key,
                        const char *value, double gain_pct);

/* The entry of purpose's key, or NULL. */
const cb_tune_entry_t *cb_tune_overlay_find(const cb_tune_overlay_t *ov,
                                            cb_tune_purpose_t purpose, const char *key);

/* Writes ov in the format above, with `comment` (may be NULL; lines already
 * starting with "; ") at the top. CB_OK or CB_ERR_IO. */
int cb_tune_overlay_write(FILE *f, const cb_tune_overlay_t *ov, const char *comment);

/* Parses an overlay; origin names it in messages ("origin:line: reason" in
 * errbuf). CB_OK, CB_ERR_INPUT, CB_ERR_NOMEM. */
int cb_tune_overlay_parse(const char *text, const char *origin, cb_tune_overlay_t *ov,
                          char *errbuf, size_t errlen);

/* Reads the file at path: CB_OK; CB_ERR_IO when it cannot be read (errno
 * ENOENT: it does not exist); CB_ERR_INPUT as above. */
int cb_tune_overlay_load(const char *path, cb_tune_overlay_t *ov, char *errbuf, size_t errlen);

/* The merge for one step: what a step of `purpose` must set on top of
 * scripts that export the base settings and then the collective winners.
 * For CB_TUNE_COLL: nothing (the collective winners are the scripts' own).
 * For CB_TUNE_P2P: every p2p winner, and every collective winner that p2p
 * did not choose itself put back to its base value (base_lookup; NULL there:
 * an empty value = unset), so that a latency test never inherits a setting
 * that only helped bandwidth. Into out (at most max, pointing into ov or at
 * base_lookup's strings); returns how many. */
size_t cb_tune_step_env(const cb_tune_overlay_t *ov, cb_tune_purpose_t purpose,
                        cb_tune_lookup_fn base_lookup, void *ctx, cb_tune_assign_t *out,
                        size_t max);

#endif
