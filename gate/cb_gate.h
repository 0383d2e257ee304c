/* cb_gate: the acceptance gate's pure part — thresholds files (INI, loaded
 * with inih, strict, every error "file:line: reason") turned into checks, and
 * checks judged against a table of results rows (cb_results.h) and the
 * cluster's profile (cb_profile.h), and the machine-readable outputs of the
 * verdicts (JUnit XML, Prometheus text). libcbgate: loading in gate_load.c,
 * judging (pure) in gate_judge.c with row selection in gate_select.c, the
 * shared tables and number/line formatting in gate_text.c, the outputs in
 * gate_out.c. `clusterbench gate` (cli/cmd_gate.c) prints,
 * writes the outputs and picks the exit code.
 *
 * Thresholds file: one section per check, the section name is the check's
 * name ([A-Za-z0-9._-], starts alnum, <= 63). Bounds follow ReFrame's
 * reference tuple (ref, lower_thres, upper_thres, unit): `lower`/`upper` are
 * fractions of the reference, so the judged value v must satisfy
 *     ref * (1 + lower) <= v <= ref * (1 + upper)
 * with `none` for an unbounded side (lower in [-1, 0], upper >= 0).
 *
 *   [allreduce_busbw]              ; a check (kind = value by default)
 *   benchmark = allreduce          ; row selectors: exact match, "a,b" = either
 *   transport = mpi                ;   benchmark transport memory dtype op
 *   placement = out-of-place       ;   placement metric host peer status cluster
 *   nodes     = max                ; a node count, or max = the largest present
 *   bytes     = max                ; a size (64M = 64 MiB, 1024), or max
 *   column    = busbw_gbps         ; what is judged: algbw_gbps busbw_gbps value
 *                                  ;   efficiency wrong_elements time_us_{min,
 *                                  ;   median,mean,p95,max}
 *   reference = profile.goodput_gbps ; a number (in `unit`), profile.goodput_gbps,
 *                                  ;   profile.line_rate_gbps, or spec (the row's
 *                                  ;   spec_value; column = value only)
 *   lower     = -0.30              ; at least 70 % of the reference
 *   upper     = none
 *   unit      = GB/s               ; GB/s Gbit/s MB/s Mbit/s TFLOPS GFLOPS s ms us
 *                                  ;   count fraction; converted as needed
 *                                  ;   (1 GB = 1e9 B = 8 Gbit). Required for
 *                                  ;   value checks and spreads of `value`
 *   stat      = each               ; each (default: every row on its own, the
 *                                  ;   worst shown) | min | max | median | mean
 *   optional  = no                 ; yes: matching no rows is "not measured" (a
 *                                  ;   SKIP with the reason, never a pass or a
 *                                  ;   failure), for rows only some runs write
 *                                  ;   (op = round: cb-p2p --reference); any kind
 *
 * Other kinds:
 *   kind = spread     no entity more than -lower (default 0.10) below the
 *                     median of its peers (cb_spread.h); or, with `upper`,
 *                     more than upper above (times). `per` = host (default;
 *                     the row's host), host_peer (a row counts for its host and
 *                     its peer: point-to-point links), gpu (host + rank). An
 *                     entity's value is `stat` (default median) of its rows.
 *                     No `reference`: the peers' median is the reference.
 *   kind = zero       `column` (default wrong_elements) is 0 in every matching
 *                     row that has a value.
 *   kind = no_status  no matching row has a status in `forbid` (default
 *                     fail,failed,timeout; cb-preflight's warn passes).
 *
 * Check names are unique; unknown keys, keys outside a section, duplicate
 * keys, empty sections, multi-line values, numbers that are not finite plain
 * decimals (nan, inf, hex), negative or zero counts and keys that do not
 * apply to the check's kind are errors, each "file:line: reason".
 *
 * Units: the CSV's bandwidth columns are GB/s (1e9 B/s); profile rates are
 * Gbit/s; `value`/`spec_value` are in the row's `unit` column. Every number is
 * converted into the check's `unit` before it is compared or printed.
 *
 * Rows: a check matches the rows whose selectors all match; then nodes = max
 * keeps those with the largest node count among them, then bytes = max those
 * with the largest size among what is left. A check that matches no rows is
 * bad input (CB_GATE_ERROR), never a pass; with optional = yes it is SKIP,
 * not_measured, its summary saying so and which rows it looked for. A matching row without a value in
 * the judged column fails a value/spread check (its status is named). */
#ifndef CB_GATE_H
#define CB_GATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cb_profile.h"
#include "cb_results.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CB_GATE_MAX_LINE CB_PROFILE_MAX_LINE
#define CB_GATE_NAME_MAX 64
#define CB_GATE_SEL_LEN 128
#define CB_GATE_MAX_CHECKS 256

typedef enum cb_gate_kind {
    CB_GATE_KIND_VALUE = 0,
    CB_GATE_KIND_SPREAD,
    CB_GATE_KIND_ZERO,
    CB_GATE_KIND_NO_STATUS,
} cb_gate_kind_t;

typedef enum cb_gate_ref {
    CB_GATE_REF_NONE = 0,
    CB_GATE_REF_NUMBER,    /* ref_value, in the check's unit */
    CB_GATE_REF_GOODPUT,   /* cb_profile_goodput_gbps(), Gbit/s */
    CB_GATE_REF_LINE_RATE, /* profile line_rate_gbps, Gbit/s */
    CB_GATE_REF_SPEC,      /* the row's spec_value, in the row's unit */
} cb_gate_ref_t;

typedef enum cb_gate_stat {
    CB_GATE_STAT_DEFAULT = 0, /* each for value, median for spread */
    CB_GATE_STAT_EACH,
    CB_GATE_STAT_MIN,
    CB_GATE_STAT_MAX,
    CB_GATE_STAT_MEDIAN,
    CB_GATE_STAT_MEAN,
} cb_gate_stat_t;

typedef enum cb_gate_per {
    CB_GATE_PER_HOST = 0,
    CB_GATE_PER_HOST_PEER,
    CB_GATE_PER_GPU,
} cb_gate_per_t;

/* String selectors, in this order: benchmark transport memory dtype op
 * placement metric host peer status cluster. */
#define CB_GATE_NSEL 11
#define CB_GATE_SEL_OP 4 /* sel[] index of op */

typedef enum cb_gate_sel_mode { CB_GATE_SEL_ANY = 0, CB_GATE_SEL_EXACT, CB_GATE_SEL_MAX } cb_gate_sel_mode_t;

/* Key indexes (for key_line[]); the same order as the file's key table. */
#define CB_GATE_NKEYS 23

/* One check as loaded. Strings are "" when not given. */
typedef struct cb_gate_check {
    char name[CB_GATE_NAME_MAX];
    int line;                          /* line of its [section] header */
    int key_line[CB_GATE_NKEYS];       /* line of each key given, 0 = absent */
    cb_gate_kind_t kind;
    char sel[CB_GATE_NSEL][CB_GATE_SEL_LEN]; /* "a,b": any of; "" = any row */
    cb_gate_sel_mode_t nodes_mode, bytes_mode;
    long nodes;
    uint64_t bytes;
    int column;                        /* CB_COL_* judged */
    cb_gate_stat_t stat;
    cb_gate_ref_t ref;
    double ref_value;                  /* CB_GATE_REF_NUMBER, in unit */
    double lower, upper;               /* fractions; NaN = none */
    char unit[16];                     /* "" only for zero / no_status */
    cb_gate_per_t per;
    char forbid[CB_GATE_SEL_LEN];      /* no_status: comma-separated statuses */
    int optional;                      /* optional = yes: no matching rows = SKIP
                                        * (not measured), not CB_GATE_ERROR */
} cb_gate_check_t;

typedef struct cb_gate {
    char origin[256];                  /* the file (or string origin) it came from */
    size_t n;
    cb_gate_check_t *checks;
} cb_gate_t;

/* Load and validate a thresholds file. With prof non-NULL the checks must
 * also apply to that cluster (cb_gate_check_profile()). On success *out owns
 * a new gate (cb_gate_free()); else *out is NULL and errbuf holds
 * "path:line: reason" (or "path: reason"): CB_ERR_INPUT, CB_ERR_IO, CB_ERR_NOMEM. */
int cb_gate_load(const char *path, const cb_profile_t *prof, cb_gate_t **out, char *errbuf,
                 size_t errlen);
/* The same for text in memory; origin names it in messages. */
int cb_gate_parse_string(const char *text, const char *origin, const cb_profile_t *prof,
                         cb_gate_t **out, char *errbuf, size_t errlen);
void cb_gate_free(cb_gate_t *g); /* NULL ok */

/* Do the checks apply to this profile? Refused, with the key's file:line:
 * GPU checks (benchmark/transport/memory naming gpu, nccl or cuda) on a
 * profile without GPUs; spread checks with fewer than two entities (nodes, or
 * GPUs for per = gpu); profile.* references on a single-node profile (its
 * line rate is nominal: ranks talk through shared memory); nodes = N above
 * the profile's node count. CB_OK or CB_ERR_INPUT. */
int cb_gate_check_profile(const cb_gate_t *g, const cb_profile_t *prof, char *errbuf,
                          size_t errlen);

/* The check of that name, or NULL. */
const cb_gate_check_t *cb_gate_find(const cb_gate_t *g, const char *name);

/* "benchmark=allreduce, nodes=max, bytes=max" (or "every row"); returns buf. */
char *cb_gate_selector_text(const cb_gate_check_t *c, char *buf, size_t len);
const char *cb_gate_kind_name(cb_gate_kind_t k); /* value spread zero no_status */

/* ---- judging ---- */

typedef enum cb_gate_verdict {
    CB_GATE_PASS = 0,
    CB_GATE_FAIL,
    CB_GATE_SKIP,  /* skipped on request, or an optional check not measured */
    CB_GATE_ERROR, /* cannot be judged: no rows, no reference, bad units (bad input) */
} cb_gate_verdict_t;

/* What the judging needs besides the rows. */
typedef struct cb_gate_env {
    const cb_profile_t *profile;     /* NULL: profile.* references give CB_GATE_ERROR */
    const char *const *skip;         /* check names to skip */
    size_t nskip;
} cb_gate_env_t;

typedef struct cb_gate_result {
    const cb_gate_check_t *check;
    cb_gate_verdict_t verdict;
    size_t nrows;             /* rows judged */
    size_t nbad;              /* rows (value, zero, no_status) or entities (spread) failing */
    double value;             /* judged value in unit (worst row / aggregate / worst
                               * entity; zero: sum of the column; no_status: rows
                               * with a forbidden status); NaN when none */
    double reference;         /* in unit; NaN when none */
    double lower_bound;       /* absolute, in unit; NaN = unbounded */
    double upper_bound;
    char unit[16];
    int not_measured;         /* SKIP of an optional check that matched no rows */
    char summary[768];        /* the text after "name: " */
    char *detail;             /* malloc'd lines (each "\n"-terminated), or NULL */
} cb_gate_result_t;

typedef struct cb_gate_report {
    size_t n;
    cb_gate_result_t *results; /* one per check, in file order */
    size_t npass, nfail, nskip, nerror;
    size_t nnot_measured;      /* of nskip: optional checks that matched no rows */
} cb_gate_report_t;

/* Judge every check of g against the rows of t. CB_OK (verdicts in *out,
 * release with cb_gate_report_free()), or CB_ERR_NOMEM / CB_ERR_USAGE. */
int cb_gate_evaluate(const cb_gate_t *g, const cb_table_t *t, const cb_gate_env_t *env,
                     cb_gate_report_t *out);
void cb_gate_report_free(cb_gate_report_t *r); /* NULL ok */

/* 0 all judged checks passed, 1 some failed, 2 some could not be judged. */
int cb_gate_exit_code(const cb_gate_report_t *r);

/* "PASS", "FAIL", "SKIP", "ERROR". */
const char *cb_gate_verdict_name(cb_gate_verdict_t v);

/* "[ PASS ] name: summary" (no newline); returns buf. */
char *cb_gate_format_line(const cb_gate_result_t *r, char *buf, size_t len);

/* A number as the gate prints it: 3 significant digits (4 from 100 up), no
 * exponent between 1e-6 and 1e15 ("0.294", "2.50", "209.5", "3350"); returns buf. */
char *cb_gate_format_num(double v, char *buf, size_t len);

/* ---- outputs (gate_out.c) ----
 *
 * The acceptance gate's machine-readable outputs — JUnit XML (one
 * testcase per check, for CI systems) and the Prometheus text exposition
 * format (for node_exporter's textfile collector). Both are built in memory
 * and written to a temporary file in the target's directory, then renamed
 * into place: a reader never sees half a file, and a failed write leaves the
 * old file as it was. Every string that came from a CSV (hosts, notes, file
 * names) is escaped for the format (XML entities; Prometheus label escapes),
 * and bytes that are not valid UTF-8 or are control characters become '?'. */

/* What both outputs say about the run besides the verdicts. */
typedef struct cb_gate_out_info {
    const char *cluster;    /* label / suite name; "" when unknown */
    const char *thresholds; /* the thresholds file */
    time_t when;            /* when the gate ran (Unix time) */
} cb_gate_out_info_t;

/* CB_OK, or CB_ERR_IO / CB_ERR_NOMEM with "path: reason" in errbuf. */
int cb_gate_out_junit(const char *path, const cb_gate_report_t *r, const cb_gate_out_info_t *info,
                      char *errbuf, size_t errlen);
int cb_gate_out_prometheus(const char *path, const cb_gate_report_t *r,
                           const cb_gate_out_info_t *info, char *errbuf, size_t errlen);

/* Copy s into buf replacing control characters and invalid UTF-8 with '?'
 * (for terminals and formats that need valid text); returns buf. */
char *cb_gate_out_clean(const char *s, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
