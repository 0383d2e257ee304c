/* cb_gate: thresholds files (inih, fed line by line by cb_ini_lines as
 * common/profile.c is, so every message carries file:line) and the judging of
 * checks against a results table. Pure apart from reading the thresholds
 * file. See cb_gate.h for the format and the contracts. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "cb_error.h"
#include "cb_gate.h"
#include "cb_ini_lines.h"
#include "cb_size.h"
#include "cb_spread.h"

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define SEL_EXTRA "._:+/-"  /* besides ALNUM, in selector values */
#define REL_TOL 1e-9        /* relative tolerance of a bound (rounding in the CSV) */
#define MAX_DETAIL_LINES 20 /* failing rows listed per check */

/* ---------------------------------------------------------------- tables */

enum {
    K_KIND = 0,
    K_SEL0 = 1, /* ... K_SEL0 + CB_GATE_NSEL - 1 */
    K_NODES = K_SEL0 + CB_GATE_NSEL,
    K_BYTES,
    K_COLUMN,
    K_STAT,
    K_REFERENCE,
    K_LOWER,
    K_UPPER,
    K_UNIT,
    K_PER,
    K_FORBID,
    N_KEYS
};
_Static_assert(N_KEYS == CB_GATE_NKEYS, "CB_GATE_NKEYS out of date");

static const char *const key_names[N_KEYS] = {
    "kind",  "benchmark", "transport", "memory", "dtype",     "op",    "placement", "metric",
    "host",  "peer",      "status",    "cluster", "nodes",    "bytes", "column",    "stat",
    "reference", "lower", "upper",     "unit",    "per",      "forbid",
};

static const int sel_cols[CB_GATE_NSEL] = {
    CB_COL_BENCHMARK, CB_COL_TRANSPORT, CB_COL_MEMORY, CB_COL_DTYPE,  CB_COL_OP,     CB_COL_PLACEMENT,
    CB_COL_METRIC,    CB_COL_HOST,      CB_COL_PEER,   CB_COL_STATUS, CB_COL_CLUSTER,
};

static const char *const kind_names[] = {"value", "spread", "zero", "no_status"};
static const char *const stat_names[] = {"", "each", "min", "max", "median", "mean"};
static const char *const per_names[] = {"host", "host_peer", "gpu"};

/* Units the gate converts between: a dimension and the size of one unit in
 * the dimension's base (bit/s, FLOP/s, s, 1). */
typedef struct unit_def {
    const char *name;
    int dim;
    double scale;
} unit_def_t;
enum { DIM_BW = 1, DIM_FLOPS, DIM_TIME, DIM_COUNT, DIM_FRACTION };
static const unit_def_t units[] = {
    {"GB/s", DIM_BW, 8e9},      {"Gbit/s", DIM_BW, 1e9},   {"MB/s", DIM_BW, 8e6},
    {"Mbit/s", DIM_BW, 1e6},    {"TFLOPS", DIM_FLOPS, 1e12}, {"GFLOPS", DIM_FLOPS, 1e9},
    {"s", DIM_TIME, 1},         {"ms", DIM_TIME, 1e-3},    {"us", DIM_TIME, 1e-6},
    {"count", DIM_COUNT, 1},    {"fraction", DIM_FRACTION, 1},
};
#define N_UNITS (sizeof units / sizeof units[0])

/* Columns a check may judge, with their fixed unit (NULL: the row's unit). */
typedef struct column_def {
    int col;
    const char *unit;
} column_def_t;
static const column_def_t columns[] = {
    {CB_COL_ALGBW_GBPS, "GB/s"},     {CB_COL_BUSBW_GBPS, "GB/s"},      {CB_COL_VALUE, NULL},
    {CB_COL_EFFICIENCY, "fraction"}, {CB_COL_WRONG_ELEMENTS, "count"}, {CB_COL_TIME_US_MIN, "us"},
    {CB_COL_TIME_US_MEDIAN, "us"},   {CB_COL_TIME_US_MEAN, "us"},      {CB_COL_TIME_US_P95, "us"},
    {CB_COL_TIME_US_MAX, "us"},
};
#define N_COLUMNS (sizeof columns / sizeof columns[0])

static const unit_def_t *unit_find(const char *name)
{
    for (size_t i = 0; name && i < N_UNITS; i++)
        if (!strcmp(units[i].name, name))
            return &units[i];
    return NULL;
}

static const column_def_t *column_find(int col)
{
    for (size_t i = 0; i < N_COLUMNS; i++)
        if (columns[i].col == col)
            return &columns[i];
    return NULL;
}

/* x in unit `from` expressed in unit `to`; NaN when either is unknown or the
 * dimensions differ. */
static double convert(double x, const char *from, const char *to)
{
    const unit_def_t *a = unit_find(from), *b = unit_find(to);
    if (!a || !b || a->dim != b->dim)
        return NAN;
    if (a == b)
        return x;
    return x * a->scale / b->scale;
}

/* ------------------------------------------------------------ parse state */

typedef struct header {
    int line;
    int used; /* a key was read under it */
    char name[CB_GATE_NAME_MAX];
} header_t;

typedef struct parse_ctx {
    cb_gate_t *gate;
    cb_ini_lines_t lines; /* the line source; lines.lineno is the line being parsed */
    header_t *hdrs;
    size_t nhdrs, hdrcap;
    int cur_hdr;        /* index into hdrs of the section being read, -1 none */
    cb_gate_check_t *cur;
    char prev_section[CB_GATE_NAME_MAX + 64];
    char prev_name[64];
    int prev_line;
    size_t cap;
    int err;
    int err_line;
    char msg[512];
} parse_ctx_t;

static void set_error(parse_ctx_t *c, int err, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set_error(parse_ctx_t *c, int err, int line, const char *fmt, ...)
{
    if (c->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    c->err = err;
    c->err_line = line;
}

/* cb_ini_lines' callbacks: a reader error, and a section header line, noted
 * with its name (inih reports sections only through their keys). */
static void reader_error(void *owner, int err, int line, const char *msg)
{
    set_error(owner, err, line, "%s", msg);
}

static int reader_header(void *owner, const char *hdr, int line)
{
    parse_ctx_t *c = owner;
    if (c->nhdrs == c->hdrcap) {
        size_t cap = c->hdrcap ? 2 * c->hdrcap : 16;
        header_t *h = realloc(c->hdrs, cap * sizeof *h);
        if (!h) {
            set_error(c, CB_ERR_NOMEM, line, "out of memory");
            return CB_ERR_NOMEM;
        }
        c->hdrs = h;
        c->hdrcap = cap;
    }
    header_t *h = &c->hdrs[c->nhdrs++];
    h->line = line;
    h->used = 0;
    size_t n = strcspn(hdr + 1, "];\r\n");
    if (n >= sizeof h->name)
        n = sizeof h->name - 1;
    memcpy(h->name, hdr + 1, n);
    h->name[n] = '\0';
    return 0;
}

/* ------------------------------------------------------------ value checks */

/* digits, optional sign, point and exponent: no nan, inf, hex or spaces */
static int parse_decimal(const char *s, double *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    size_t n = strspn(p, "0123456789");
    if (!n)
        return 0;
    p += n;
    if (*p == '.') {
        p++;
        n = strspn(p, "0123456789");
        if (!n)
            return 0;
        p += n;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        n = strspn(p, "0123456789");
        if (!n || n > 3)
            return 0;
        p += n;
    }
    if (*p)
        return 0;
    double v = strtod(s, NULL);
    if (!isfinite(v))
        return 0;
    *out = v;
    return 1;
}

static int is_list(const char *v)
{
    /* "a" or "a,b,...": non-empty items of ALNUM + SEL_EXTRA */
    if (!*v)
        return 0;
    const char *p = v;
    for (;;) {
        size_t n = strspn(p, ALNUM SEL_EXTRA);
        if (!n)
            return 0;
        p += n;
        if (!*p)
            return 1;
        if (*p != ',')
            return 0;
        p++;
    }
}

/* Is s one of the comma-separated items of list? */
static int in_list(const char *list, const char *s)
{
    size_t sl = strlen(s);
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == sl && !memcmp(p, s, n))
            return 1;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

static int find_name(const char *const *names, size_t n, const char *v)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], v))
            return (int)i;
    return -1;
}

static int set_key(parse_ctx_t *c, cb_gate_check_t *k, int key, const char *v)
{
    const char *sec = k->name, *kn = key_names[key];
    int line = c->lines.lineno;
    if (key >= K_SEL0 && key < K_SEL0 + CB_GATE_NSEL) {
        if (strlen(v) >= CB_GATE_SEL_LEN || !is_list(v)) {
            set_error(c, CB_ERR_INPUT, line,
                      "[%s] %s = '%s': expected a value or a comma-separated list of values "
                      "(letters, digits, . _ : + / -; at most %d characters)",
                      sec, kn, v, CB_GATE_SEL_LEN - 1);
            return 0;
        }
        snprintf(k->sel[key - K_SEL0], CB_GATE_SEL_LEN, "%s", v);
        return 1;
    }
    switch (key) {
    case K_KIND: {
        int i = find_name(kind_names, 4, v);
        if (i < 0) {
            set_error(c, CB_ERR_INPUT, line,
                      "[%s] kind = '%s': expected value, spread, zero or no_status", sec, v);
            return 0;
        }
        k->kind = (cb_gate_kind_t)i;
        return 1;
    }
    case K_NODES:
    case K_BYTES: {
        cb_gate_sel_mode_t *mode = key == K_NODES ? &k->nodes_mode : &k->bytes_mode;
        if (!strcmp(v, "max")) {
            *mode = CB_GATE_SEL_MAX;
            return 1;
        }
        if (key == K_NODES) {
            long n;
            if (strspn(v, "0123456789") != strlen(v) ||
                cb_parse_long(v, 1, CB_PROFILE_MAX_NODES, &n) != CB_OK) {
                set_error(c, CB_ERR_INPUT, line,
                          "[%s] nodes = '%s': not a node count (a whole number 1..%d, or max)",
                          sec, v, CB_PROFILE_MAX_NODES);
                return 0;
            }
            k->nodes = n;
        } else {
            uint64_t b;
            if (cb_size_parse(v, &b) != CB_OK) {
                set_error(c, CB_ERR_INPUT, line,
                          "[%s] bytes = '%s': not a size (e.g. 64M, 1G, 4096), or max", sec, v);
                return 0;
            }
            k->bytes = b;
        }
        *mode = CB_GATE_SEL_EXACT;
        return 1;
    }
    case K_COLUMN: {
        int col = cb_results_column_index(v);
        if (col < 0 || !column_find(col)) {
            set_error(c, CB_ERR_INPUT, line,
                      "[%s] column = '%s': expected algbw_gbps, busbw_gbps, value, efficiency, "
                      "wrong_elements or time_us_{min,median,mean,p95,max}",
                      sec, v);
            return 0;
        }
        k->column = col;
        return 1;
    }
    case K_STAT: {
        int i = find_name(stat_names, 6, v);
        if (i <= 0) {
            set_error(c, CB_ERR_INPUT, line,
                      "[%s] stat = '%s': expected each, min, max, median or mean", sec, v);
            return 0;
        }
        k->stat = (cb_gate_stat_t)i;
        return 1;
    }
    case K_REFERENCE: {
        double r;
        if (!strcmp(v, "profile.goodput_gbps"))
            k->ref = CB_GATE_REF_GOODPUT;
        else if (!strcmp(v, "profile.line_rate_gbps"))
            k->ref = CB_GATE_REF_LINE_RATE;
        else if (!strcmp(v, "spec"))
            k->ref = CB_GATE_REF_SPEC;
        else if (parse_decimal(v, &r)) {
            if (!(r > 0)) {
                set_error(c, CB_ERR_INPUT, line,
                          "[%s] reference = %s: must be > 0 (bounds are fractions of it)", sec,
                          v);
                return 0;
            }
            k->ref = CB_GATE_REF_NUMBER;
            k->ref_value = r;
        } else {
            set_error(c, CB_ERR_INPUT, line,
                      "[%s] reference = '%s': expected a finite decimal number, "
                      "profile.goodput_gbps, profile.line_rate_gbps or spec",
                      sec, v);
            return 0;
        }
        return 1;
    }
    case K_LOWER:
    case K_UPPER: {
        double *dst = key == K_LOWER ? &k->lower : &k->upper;
        double f;
        if (!strcmp(v, "none")) {
            *dst = NAN;
            return 1;
        }
        if (!parse_decimal(v, &f)) {
            set_error(c, CB_ERR_INPUT, line,
                      "[%s] %s = '%s': not a finite decimal number (a fraction of the "
                      "reference, e.g. %s) or none",
                      sec, kn, v, key == K_LOWER ? "-0.10" : "0.10");
            return 0;
        }
        if (key == K_LOWER && !(f >= -1 && f <= 0)) {
            set_error(c, CB_ERR_INPUT, line,
                      "[%s] lower = %s out of range [-1, 0] (-0.10 = at least 90%% of the "
                      "reference)",
                      sec, v);
            return 0;
        }
        if (key == K_UPPER && !(f >= 0 && f <= 1e6)) {
            set_error(c, CB_ERR_INPUT, line,
                      "[%s] upper = %s out of range [0, 1e6] (0.10 = at most 110%% of the "
                      "reference)",
                      sec, v);
            return 0;
        }
        *dst = f;
        return 1;
    }
    case K_UNIT:
        if (!unit_find(v)) {
            set_error(c, CB_ERR_INPUT, line,
                      "[%s] unit = '%s': expected GB/s, Gbit/s, MB/s, Mbit/s, TFLOPS, GFLOPS, "
                      "s, ms, us, count or fraction",
                      sec, v);
            return 0;
        }
        snprintf(k->unit, sizeof k->unit, "%s", v);
        return 1;
    case K_PER: {
        int i = find_name(per_names, 3, v);
        if (i < 0) {
            set_error(c, CB_ERR_INPUT, line, "[%s] per = '%s': expected host, host_peer or gpu",
                      sec, v);
            return 0;
        }
        k->per = (cb_gate_per_t)i;
        return 1;
    }
    case K_FORBID:
        if (strlen(v) >= sizeof k->forbid || !is_list(v)) {
            set_error(c, CB_ERR_INPUT, line,
                      "[%s] forbid = '%s': expected a comma-separated list of statuses", sec, v);
            return 0;
        }
        snprintf(k->forbid, sizeof k->forbid, "%s", v);
        return 1;
    }
    return 0;
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n < CB_GATE_NAME_MAX && strchr(ALNUM, s[0]) &&
           strspn(s, ALNUM "._-") == n;
}

/* inih's callback: one name = value in a section. Returns 1 to go on, 0 to
 * record an error (inih then reports this line; we keep our own message). */
static int handler(void *user, const char *section, const char *name, const char *value)
{
    parse_ctx_t *c = user;
    if (c->err)
        return 0;
    if (c->lines.line_indented && c->prev_line && !strcmp(section, c->prev_section) &&
        !strcmp(name, c->prev_name)) {
        set_error(c, CB_ERR_INPUT, c->lines.lineno,
                  "continuation line of '%s': multi-line values are not allowed", name);
        return 0;
    }
    snprintf(c->prev_section, sizeof c->prev_section, "%s", section);
    snprintf(c->prev_name, sizeof c->prev_name, "%s", name);
    c->prev_line = c->lines.lineno;

    if (!*section || c->nhdrs == 0) {
        set_error(c, CB_ERR_INPUT, c->lines.lineno, "'%s' outside any section (a [check] header)",
                  name);
        return 0;
    }
    int hdr = (int)c->nhdrs - 1;
    if (hdr != c->cur_hdr) { /* first key of a new section instance */
        c->cur_hdr = hdr;
        c->hdrs[hdr].used = 1;
        int hline = c->hdrs[hdr].line;
        if (!valid_name(section)) {
            set_error(c, CB_ERR_INPUT, hline,
                      "check name [%s]: expected letters, digits, '.', '_', '-', starting with "
                      "a letter or digit, at most %d characters",
                      section, CB_GATE_NAME_MAX - 1);
            return 0;
        }
        cb_gate_t *g = c->gate;
        for (size_t i = 0; i < g->n; i++)
            if (!strcmp(g->checks[i].name, section)) {
                set_error(c, CB_ERR_INPUT, hline, "duplicate section [%s] (first at line %d)",
                          section, g->checks[i].line);
                return 0;
            }
        if (g->n == CB_GATE_MAX_CHECKS) {
            set_error(c, CB_ERR_INPUT, hline, "more than %d checks", CB_GATE_MAX_CHECKS);
            return 0;
        }
        if (g->n == c->cap) {
            size_t cap = c->cap ? 2 * c->cap : 16;
            cb_gate_check_t *n = realloc(g->checks, cap * sizeof *n);
            if (!n) {
                set_error(c, CB_ERR_NOMEM, hline, "out of memory");
                return 0;
            }
            g->checks = n;
            c->cap = cap;
        }
        cb_gate_check_t *k = &g->checks[g->n++];
        memset(k, 0, sizeof *k);
        snprintf(k->name, sizeof k->name, "%s", section);
        k->line = hline;
        k->column = -1;
        k->lower = NAN;
        k->upper = NAN;
        c->cur = k;
    }
    cb_gate_check_t *k = c->cur;
    int key = find_name(key_names, N_KEYS, name);
    if (key < 0) {
        set_error(c, CB_ERR_INPUT, c->lines.lineno, "[%s] unknown key '%s'", k->name, name);
        return 0;
    }
    if (k->key_line[key]) {
        set_error(c, CB_ERR_INPUT, c->lines.lineno, "[%s] duplicate key %s (first at line %d)",
                  k->name, name, k->key_line[key]);
        return 0;
    }
    k->key_line[key] = c->lines.lineno;
    return set_key(c, k, key, value);
}

/* ------------------------------------------------ whole-file validation */

static void refuse_key(parse_ctx_t *c, const cb_gate_check_t *k, int key, const char *why)
{
    if (k->key_line[key])
        set_error(c, CB_ERR_INPUT, k->key_line[key], "[%s] %s does not apply to kind = %s%s%s",
                  k->name, key_names[key], kind_names[k->kind], why ? ": " : "", why ? why : "");
}

static void require_key(parse_ctx_t *c, const cb_gate_check_t *k, int key, const char *why)
{
    if (!k->key_line[key])
        set_error(c, CB_ERR_INPUT, k->line, "[%s] lacks required key '%s' (%s)", k->name,
                  key_names[key], why);
}

static void check_one(parse_ctx_t *c, cb_gate_check_t *k)
{
    const column_def_t *col = k->column >= 0 ? column_find(k->column) : NULL;
    switch (k->kind) {
    case CB_GATE_KIND_VALUE:
        require_key(c, k, K_COLUMN, "what to judge, e.g. column = busbw_gbps");
        require_key(c, k, K_REFERENCE,
                    "a number, profile.goodput_gbps, profile.line_rate_gbps or spec");
        require_key(c, k, K_UNIT, "the unit of the reference and of the printed values");
        refuse_key(c, k, K_PER, "only spread checks group rows by entity");
        refuse_key(c, k, K_FORBID, NULL);
        if (c->err)
            return;
        if (isnan(k->lower) && isnan(k->upper))
            set_error(c, CB_ERR_INPUT, k->line,
                      "[%s] has no bound: set lower (e.g. -0.10) and/or upper", k->name);
        if (k->ref == CB_GATE_REF_SPEC && k->column != CB_COL_VALUE)
            set_error(c, CB_ERR_INPUT, k->key_line[K_REFERENCE],
                      "[%s] reference = spec needs column = value (spec_value is the "
                      "reference of the value column)",
                      k->name);
        if (!k->stat)
            k->stat = CB_GATE_STAT_EACH;
        break;
    case CB_GATE_KIND_SPREAD:
        require_key(c, k, K_COLUMN, "what to compare, e.g. column = value");
        if (k->column == CB_COL_VALUE)
            require_key(c, k, K_UNIT, "the unit the values are compared and printed in");
        refuse_key(c, k, K_REFERENCE, "the peers' median is the reference");
        refuse_key(c, k, K_FORBID, NULL);
        if (c->err)
            return;
        if (!isnan(k->lower) && !isnan(k->upper))
            set_error(c, CB_ERR_INPUT, k->key_line[K_UPPER],
                      "[%s] a spread check takes lower (throughput: flag entities below their "
                      "peers) or upper (times: flag entities above), not both",
                      k->name);
        else if (isnan(k->lower) && isnan(k->upper)) {
            if (k->key_line[K_LOWER] || k->key_line[K_UPPER])
                set_error(c, CB_ERR_INPUT, k->key_line[K_LOWER] ? k->key_line[K_LOWER]
                                                                : k->key_line[K_UPPER],
                          "[%s] a spread check needs a bound, not none", k->name);
            k->lower = -CB_SPREAD_DEFAULT_THRESHOLD;
        }
        if (!c->err && !isnan(k->lower) && !(k->lower > -1))
            set_error(c, CB_ERR_INPUT, k->key_line[K_LOWER],
                      "[%s] lower = -1 would flag nothing (the threshold must be under 100%%)",
                      k->name);
        if (!c->err && !isnan(k->upper) && !(k->upper < 1))
            set_error(c, CB_ERR_INPUT, k->key_line[K_UPPER],
                      "[%s] upper must be under 1 for a spread check", k->name);
        if (!c->err && k->stat == CB_GATE_STAT_EACH)
            set_error(c, CB_ERR_INPUT, k->key_line[K_STAT],
                      "[%s] stat = each does not apply to a spread check (an entity's rows "
                      "become one value: min, max, median or mean)",
                      k->name);
        if (!k->stat)
            k->stat = CB_GATE_STAT_MEDIAN;
        break;
    case CB_GATE_KIND_ZERO:
        for (int key = K_STAT; key <= K_FORBID; key++)
            if (key != K_UNIT)
                refuse_key(c, k, key, NULL);
        refuse_key(c, k, K_UNIT, NULL);
        if (k->column < 0)
            k->column = CB_COL_WRONG_ELEMENTS;
        snprintf(k->unit, sizeof k->unit, "count");
        return;
    case CB_GATE_KIND_NO_STATUS:
        refuse_key(c, k, K_COLUMN, "it judges the status column");
        for (int key = K_STAT; key <= K_PER; key++)
            refuse_key(c, k, key, NULL);
        if (!k->forbid[0])
            snprintf(k->forbid, sizeof k->forbid, "fail,failed,timeout");
        snprintf(k->unit, sizeof k->unit, "count");
        return;
    }
    if (c->err)
        return;
    col = column_find(k->column);
    const unit_def_t *u = unit_find(k->unit);
    if (!k->unit[0] && col && col->unit) /* spread without unit: the column's */
        snprintf(k->unit, sizeof k->unit, "%s", col->unit);
    u = unit_find(k->unit);
    if (u && col && col->unit && unit_find(col->unit)->dim != u->dim)
        set_error(c, CB_ERR_INPUT, k->key_line[K_UNIT],
                  "[%s] unit = %s cannot express column %s (in %s)", k->name, k->unit,
                  cb_results_column_name(k->column), col->unit);
    if (!c->err && u && (k->ref == CB_GATE_REF_GOODPUT || k->ref == CB_GATE_REF_LINE_RATE) &&
        u->dim != DIM_BW)
        set_error(c, CB_ERR_INPUT, k->key_line[K_UNIT],
                  "[%s] unit = %s: a profile rate is a bandwidth (GB/s, Gbit/s, MB/s, Mbit/s)",
                  k->name, k->unit);
}

static void check_whole(parse_ctx_t *c)
{
    for (size_t i = 0; i < c->nhdrs && !c->err; i++)
        if (!c->hdrs[i].used)
            set_error(c, CB_ERR_INPUT, c->hdrs[i].line,
                      "section [%s] has no keys (a check needs at least its column or kind)",
                      c->hdrs[i].name);
    for (size_t i = 0; i < c->gate->n && !c->err; i++)
        check_one(c, &c->gate->checks[i]);
    if (!c->err && c->gate->n == 0)
        set_error(c, CB_ERR_INPUT, c->lines.lineno ? c->lines.lineno : 1,
                  "no checks (no [section])");
}

/* -------------------------------------------------- profile applicability */

static int mentions_gpu(const cb_gate_check_t *k)
{
    static const char *const gpu_words[] = {"gpu", "nccl", "cuda"};
    /* benchmark, transport, memory */
    for (int s = 0; s < 3; s++)
        for (size_t w = 0; w < 3; w++)
            if (k->sel[s][0] && in_list(k->sel[s], gpu_words[w]))
                return K_SEL0 + s;
    return -1;
}

static int profile_error(const cb_gate_t *g, int line, char *errbuf, size_t errlen,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int profile_error(const cb_gate_t *g, int line, char *errbuf, size_t errlen,
                         const char *fmt, ...)
{
    if (errlen) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(errbuf, errlen, "%s:%d: %s", g->origin, line, msg);
    }
    return CB_ERR_INPUT;
}

int cb_gate_check_profile(const cb_gate_t *g, const cb_profile_t *p, char *errbuf, size_t errlen)
{
    if (!g || !p)
        return CB_ERR_INTERNAL;
    for (size_t i = 0; i < g->n; i++) {
        const cb_gate_check_t *k = &g->checks[i];
        int key = mentions_gpu(k);
        if (key >= 0 && p->gpus_per_node == 0)
            return profile_error(g, k->key_line[key], errbuf, errlen,
                                 "[%s] %s = %s: profile %s has no GPUs (gpus_per_node = 0)",
                                 k->name, key_names[key], k->sel[key - K_SEL0], p->name);
        if (k->kind == CB_GATE_KIND_SPREAD) {
            long entities = k->per == CB_GATE_PER_GPU ? p->nodes * p->gpus_per_node : p->nodes;
            if (entities < 2)
                return profile_error(
                    g, k->line, errbuf, errlen,
                    "[%s] spread check: profile %s has %ld %s%s, nothing to compare with",
                    k->name, p->name, entities, k->per == CB_GATE_PER_GPU ? "GPU" : "node",
                    entities == 1 ? "" : "s");
        }
        if ((k->ref == CB_GATE_REF_GOODPUT || k->ref == CB_GATE_REF_LINE_RATE) && p->nodes < 2)
            return profile_error(g, k->key_line[K_REFERENCE], errbuf, errlen,
                                 "[%s] reference = %s: profile %s has one node, its line rate "
                                 "is nominal (ranks talk through shared memory)",
                                 k->name, k->ref == CB_GATE_REF_GOODPUT
                                              ? "profile.goodput_gbps"
                                              : "profile.line_rate_gbps",
                                 p->name);
        if (k->nodes_mode == CB_GATE_SEL_EXACT && k->nodes > p->nodes)
            return profile_error(g, k->key_line[K_NODES], errbuf, errlen,
                                 "[%s] nodes = %ld: profile %s has only %ld node%s", k->name,
                                 k->nodes, p->name, p->nodes, p->nodes == 1 ? "" : "s");
    }
    return CB_OK;
}

/* ------------------------------------------------------------ loading */

static int parse_common(parse_ctx_t *c, const char *origin, const cb_profile_t *prof,
                        cb_gate_t **out, char *errbuf, size_t errlen)
{
    *out = NULL;
    cb_gate_t *g = calloc(1, sizeof *g);
    if (!g) {
        if (errlen)
            snprintf(errbuf, errlen, "%s: out of memory", origin);
        return CB_ERR_NOMEM;
    }
    snprintf(g->origin, sizeof g->origin, "%s", origin);
    c->gate = g;
    c->cur_hdr = -1;

    c->lines.max_line = CB_GATE_MAX_LINE;
    c->lines.owner = c;
    c->lines.on_error = reader_error;
    c->lines.on_header = reader_header;
    int rc = ini_parse_stream(cb_ini_lines_read, &c->lines, handler, c);
    int err = CB_OK;
    if (c->lines.read_errno) {
        if (errlen)
            snprintf(errbuf, errlen, "%s: read failed: %s", origin,
                     strerror(c->lines.read_errno));
        err = CB_ERR_IO;
    } else if (rc == -2 || c->err == CB_ERR_NOMEM) {
        if (errlen)
            snprintf(errbuf, errlen, "%s: out of memory", origin);
        err = CB_ERR_NOMEM;
    } else if (rc > 0 && (!c->err || rc < c->err_line)) {
        if (errlen)
            snprintf(errbuf, errlen,
                     "%s:%d: syntax error (expected [check], key = value, or a comment)", origin,
                     rc);
        err = CB_ERR_INPUT;
    } else {
        if (!c->err)
            check_whole(c);
        if (c->err) {
            if (errlen)
                snprintf(errbuf, errlen, "%s:%d: %s", origin, c->err_line, c->msg);
            err = c->err;
        } else if (prof) {
            err = cb_gate_check_profile(g, prof, errbuf, errlen);
        }
    }
    cb_ini_lines_release(&c->lines);
    free(c->hdrs);
    c->hdrs = NULL;
    if (err) {
        cb_gate_free(g);
        return err;
    }
    *out = g;
    return CB_OK;
}

int cb_gate_load(const char *path, const cb_profile_t *prof, cb_gate_t **out, char *errbuf,
                 size_t errlen)
{
    if (!out)
        return CB_ERR_INTERNAL;
    *out = NULL;
    if (!path) {
        if (errlen)
            snprintf(errbuf, errlen, "(null): no thresholds path");
        return CB_ERR_IO;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errlen)
            snprintf(errbuf, errlen, "%s: cannot open: %s", path, strerror(errno));
        return CB_ERR_IO;
    }
    parse_ctx_t c = {0};
    c.lines.file = f;
    int rc = parse_common(&c, path, prof, out, errbuf, errlen);
    fclose(f);
    return rc;
}

int cb_gate_parse_string(const char *text, const char *origin, const cb_profile_t *prof,
                         cb_gate_t **out, char *errbuf, size_t errlen)
{
    if (!out)
        return CB_ERR_INTERNAL;
    *out = NULL;
    parse_ctx_t c = {0};
    c.lines.text = text ? text : "";
    return parse_common(&c, origin ? origin : "(string)", prof, out, errbuf, errlen);
}

void cb_gate_free(cb_gate_t *g)
{
    if (!g)
        return;
    free(g->checks);
    free(g);
}

const cb_gate_check_t *cb_gate_find(const cb_gate_t *g, const char *name)
{
    for (size_t i = 0; g && name && i < g->n; i++)
        if (!strcmp(g->checks[i].name, name))
            return &g->checks[i];
    return NULL;
}

const char *cb_gate_kind_name(cb_gate_kind_t k)
{
    return (unsigned)k < 4 ? kind_names[k] : "unknown";
}

const char *cb_gate_verdict_name(cb_gate_verdict_t v)
{
    switch (v) {
    case CB_GATE_PASS: return "PASS";
    case CB_GATE_FAIL: return "FAIL";
    case CB_GATE_SKIP: return "SKIP";
    case CB_GATE_ERROR: return "ERROR";
    }
    return "?";
}

/* ------------------------------------------------------------ text helpers */

typedef struct sbuf {
    char *s;
    size_t len, cap;
    int oom;
} sbuf_t;

static void sb_printf(sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf_t *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *cb_gate_format_num(double v, char *buf, size_t len)
{
    if (isnan(v)) {
        snprintf(buf, len, "NaN");
        return buf;
    }
    if (isinf(v)) {
        snprintf(buf, len, v > 0 ? "inf" : "-inf");
        return buf;
    }
    double a = fabs(v);
    if (a == 0) {
        snprintf(buf, len, "0");
        return buf;
    }
    if (a < 1e-6 || a >= 1e15) {
        snprintf(buf, len, "%.3g", v);
        return buf;
    }
    int mag = (int)floor(log10(a));
    /* rounding may carry into the next decade: 0.9996 -> 1.00 */
    int sig = mag >= 2 ? 4 : 3;
    double r = round(a / pow(10, mag - sig + 1)) * pow(10, mag - sig + 1);
    if (r >= pow(10, mag + 1))
        mag++;
    int dec = (mag >= 2 ? 3 : 2) - mag; /* 3 significant digits, 4 from 100 up */
    if (dec < 0)
        dec = 0;
    snprintf(buf, len, "%.*f", dec, v);
    return buf;
}

/* A factor 1 + fraction: at least 2 decimals, up to 4 (0.70, 0.925). */
static char *format_factor(double f, char *buf, size_t len)
{
    snprintf(buf, len, "%.4f", f);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *end = buf + strlen(buf) - 1;
        while (end > dot + 2 && *end == '0')
            *end-- = '\0';
    }
    return buf;
}

char *cb_gate_selector_text(const cb_gate_check_t *c, char *buf, size_t len)
{
    sbuf_t b = {0};
    for (int s = 0; s < CB_GATE_NSEL; s++)
        if (c->sel[s][0])
            sb_printf(&b, "%s%s=%s", b.len ? ", " : "", key_names[K_SEL0 + s], c->sel[s]);
    if (c->nodes_mode == CB_GATE_SEL_MAX)
        sb_printf(&b, "%snodes=max", b.len ? ", " : "");
    else if (c->nodes_mode == CB_GATE_SEL_EXACT)
        sb_printf(&b, "%snodes=%ld", b.len ? ", " : "", c->nodes);
    if (c->bytes_mode == CB_GATE_SEL_MAX)
        sb_printf(&b, "%sbytes=max", b.len ? ", " : "");
    else if (c->bytes_mode == CB_GATE_SEL_EXACT) {
        char sz[32];
        sb_printf(&b, "%sbytes=%s", b.len ? ", " : "", cb_size_format(c->bytes, sz, sizeof sz));
    }
    snprintf(buf, len, "%s", b.oom || !b.len ? "every row" : b.s);
    free(b.s);
    return buf;
}

/* ------------------------------------------------------------ selection */

static int row_matches(const cb_gate_check_t *k, const cb_table_t *t, size_t r)
{
    for (int s = 0; s < CB_GATE_NSEL; s++)
        if (k->sel[s][0] && !in_list(k->sel[s], cb_table_str(t, r, sel_cols[s])))
            return 0;
    return 1;
}

/* Keep the rows of idx[0..n) whose numeric col equals want (mode EXACT) or
 * the largest value among them (MAX). Returns the new count. */
static size_t filter_num(const cb_table_t *t, size_t *idx, size_t n, int col,
                         cb_gate_sel_mode_t mode, double want)
{
    if (mode == CB_GATE_SEL_ANY)
        return n;
    if (mode == CB_GATE_SEL_MAX) {
        want = NAN;
        for (size_t i = 0; i < n; i++) {
            double v = cb_table_num(t, idx[i], col);
            if (isfinite(v) && (isnan(want) || v > want))
                want = v;
        }
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (cb_table_num(t, idx[i], col) == want)
            idx[m++] = idx[i];
    return m;
}

/* Columns whose text tells matched rows apart, in label order. */
static const int label_cols[] = {CB_COL_RANK,    CB_COL_BENCHMARK, CB_COL_TRANSPORT,
                                 CB_COL_MEMORY,  CB_COL_DTYPE,     CB_COL_OP,
                                 CB_COL_PLACEMENT, CB_COL_METRIC,  CB_COL_NODES,
                                 CB_COL_BYTES};
#define N_LABEL_COLS (sizeof label_cols / sizeof label_cols[0])

typedef struct labeler {
    int vary[N_LABEL_COLS];
} labeler_t;

static void labeler_init(labeler_t *l, const cb_table_t *t, const size_t *idx, size_t n,
                         int compact)
{
    for (size_t c = 0; c < N_LABEL_COLS; c++) {
        int col = label_cols[c];
        l->vary[c] = 0;
        if (compact) { /* zero/no_status: a fixed, short description */
            l->vary[c] = col == CB_COL_BENCHMARK || col == CB_COL_OP || col == CB_COL_METRIC ||
                         col == CB_COL_BYTES;
            continue;
        }
        for (size_t i = 1; i < n && !l->vary[c]; i++) {
            size_t a = idx[0], b = idx[i];
            if (col == CB_COL_RANK) { /* only when a host has several ranks */
                for (size_t q = 0; q < i && !l->vary[c]; q++) {
                    a = idx[q];
                    l->vary[c] = !strcmp(cb_table_str(t, a, CB_COL_HOST),
                                         cb_table_str(t, b, CB_COL_HOST)) &&
                                 !strcmp(cb_table_str(t, a, CB_COL_PEER),
                                         cb_table_str(t, b, CB_COL_PEER)) &&
                                 strcmp(cb_table_str(t, a, CB_COL_RANK),
                                        cb_table_str(t, b, CB_COL_RANK));
                }
                continue;
            }
            l->vary[c] = strcmp(cb_table_str(t, a, col), cb_table_str(t, b, col)) != 0;
        }
    }
}

/* "node0->node1 out-of-place 64M": host (and peer) when the row has one, then
 * the columns that vary among the matched rows. "" when nothing tells. */
static char *row_label(const labeler_t *l, const cb_table_t *t, size_t r, char *buf, size_t len)
{
    sbuf_t b = {0};
    const char *host = cb_table_str(t, r, CB_COL_HOST), *peer = cb_table_str(t, r, CB_COL_PEER);
    if (*host)
        sb_printf(&b, "%s%s%s", host, *peer ? "->" : "", peer);
    for (size_t c = 0; c < N_LABEL_COLS; c++) {
        const char *v = cb_table_str(t, r, label_cols[c]);
        if (!l->vary[c] || !*v)
            continue;
        const char *sep = b.len ? " " : "";
        if (label_cols[c] == CB_COL_RANK)
            sb_printf(&b, "%srank %s", sep, v);
        else if (label_cols[c] == CB_COL_NODES)
            sb_printf(&b, "%s%s nodes", sep, v);
        else if (label_cols[c] == CB_COL_BYTES) {
            double bytes = cb_table_num(t, r, CB_COL_BYTES);
            char sz[32];
            if (bytes >= 0 && bytes < 1.8e19 && bytes == floor(bytes))
                sb_printf(&b, "%s%s", sep, cb_size_format((uint64_t)bytes, sz, sizeof sz));
            else
                sb_printf(&b, "%s%s B", sep, v);
        } else
            sb_printf(&b, "%s%s", sep, v);
    }
    if (!b.len) { /* nothing tells rows apart: say what the row is */
        static const int what[] = {CB_COL_BENCHMARK, CB_COL_OP, CB_COL_PLACEMENT, CB_COL_METRIC};
        for (size_t c = 0; c < sizeof what / sizeof what[0]; c++) {
            const char *v = cb_table_str(t, r, what[c]);
            if (*v)
                sb_printf(&b, "%s%s", b.len ? " " : "", v);
        }
        double bytes = cb_table_num(t, r, CB_COL_BYTES);
        char sz[32];
        if (bytes >= 0 && bytes < 1.8e19 && bytes == floor(bytes))
            sb_printf(&b, "%s%s", b.len ? " " : "", cb_size_format((uint64_t)bytes, sz, sizeof sz));
        const char *nodes = cb_table_str(t, r, CB_COL_NODES);
        if (*nodes)
            sb_printf(&b, "%s%s node%s", b.len ? " " : "", nodes, strcmp(nodes, "1") ? "s" : "");
    }
    snprintf(buf, len, "%s", b.oom || !b.len ? "" : b.s);
    free(b.s);
    return buf;
}

/* ------------------------------------------------------------ judging */

typedef struct judge {
    const cb_gate_check_t *k;
    const cb_table_t *t;
    const cb_gate_env_t *env;
    cb_gate_result_t *res;
    size_t *idx;
    size_t n;
    labeler_t lab;
    sbuf_t detail;
    size_t ndetail;
} judge_t;

static void set_summary(cb_gate_result_t *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_summary(cb_gate_result_t *res, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->summary, sizeof res->summary, fmt, ap);
    va_end(ap);
}

static void error_at(judge_t *j, size_t r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void error_at(judge_t *j, size_t r, const char *fmt, ...)
{
    char msg[512], where[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    j->res->verdict = CB_GATE_ERROR;
    set_summary(j->res, "%s (%s)", msg, cb_table_where(j->t, r, where, sizeof where));
}

static void add_detail(judge_t *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_detail(judge_t *j, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    j->ndetail++;
    if (j->ndetail <= MAX_DETAIL_LINES)
        sb_printf(&j->detail, "%s\n", line);
}

static void finish_detail(judge_t *j)
{
    if (j->ndetail > MAX_DETAIL_LINES)
        sb_printf(&j->detail, "... and %zu more\n", j->ndetail - MAX_DETAIL_LINES);
    if (j->detail.oom) {
        free(j->detail.s);
        j->detail.s = NULL;
    }
    j->res->detail = j->detail.s;
    j->detail.s = NULL;
}

/* The unit of a row's judged column (the column's own, or the row's). */
static const char *row_unit(const judge_t *j, size_t r)
{
    const column_def_t *col = column_find(j->k->column);
    return col && col->unit ? col->unit : cb_table_str(j->t, r, CB_COL_UNIT);
}

/* Measured value of row r in the check's unit: NaN when the row has none
 * (then *has_value = 0); -1 (and an ERROR) when its unit cannot be converted. */
static int measured(judge_t *j, size_t r, double *out)
{
    double raw = cb_table_num(j->t, r, j->k->column);
    if (!isfinite(raw)) {
        *out = NAN;
        return 0;
    }
    const char *u = row_unit(j, r);
    double v = convert(raw, u, j->k->unit);
    if (isnan(v)) {
        error_at(j, r, "%s is in '%s', which cannot be expressed in %s",
                 cb_results_column_name(j->k->column), u, j->k->unit);
        return -1;
    }
    *out = v;
    return 1;
}

/* The reference for row r in the check's unit; -1 (and an ERROR) when there
 * is none. */
static int reference(judge_t *j, size_t r, double *out)
{
    const cb_gate_check_t *k = j->k;
    const cb_profile_t *p = j->env ? j->env->profile : NULL;
    switch (k->ref) {
    case CB_GATE_REF_NUMBER:
        *out = k->ref_value;
        return 0;
    case CB_GATE_REF_GOODPUT:
    case CB_GATE_REF_LINE_RATE:
        if (!p) {
            j->res->verdict = CB_GATE_ERROR;
            set_summary(j->res,
                        "reference = %s needs a cluster profile (--profile, or rows whose "
                        "cluster column names a shipped profile)",
                        k->ref == CB_GATE_REF_GOODPUT ? "profile.goodput_gbps"
                                                      : "profile.line_rate_gbps");
            return -1;
        }
        *out = convert(k->ref == CB_GATE_REF_GOODPUT ? cb_profile_goodput_gbps(p)
                                                     : p->line_rate_gbps,
                       "Gbit/s", k->unit);
        return 0;
    case CB_GATE_REF_SPEC: {
        double s = cb_table_num(j->t, r, CB_COL_SPEC_VALUE);
        const char *u = cb_table_str(j->t, r, CB_COL_UNIT);
        if (!(s > 0)) {
            char lbl[256];
            row_label(&j->lab, j->t, r, lbl, sizeof lbl);
            error_at(j, r, "reference = spec: row %s%shas no spec_value (a GPU not in the spec "
                           "table?)",
                     lbl, *lbl ? " " : "");
            return -1;
        }
        *out = convert(s, u, k->unit);
        if (isnan(*out)) {
            error_at(j, r, "spec_value is in '%s', which cannot be expressed in %s", u, k->unit);
            return -1;
        }
        return 0;
    }
    case CB_GATE_REF_NONE:
        break;
    }
    j->res->verdict = CB_GATE_ERROR;
    set_summary(j->res, "no reference");
    return -1;
}

static const char *ref_origin(const judge_t *j, char *buf, size_t len)
{
    const cb_profile_t *p = j->env ? j->env->profile : NULL;
    char lr[32];
    buf[0] = '\0';
    if (p)
        snprintf(lr, sizeof lr, "%g", p->line_rate_gbps);
    switch (j->k->ref) {
    case CB_GATE_REF_GOODPUT:
        if (p->net_kind == CB_NET_ETHERNET)
            snprintf(buf, len, " (TCP goodput of %s Gbit/s at MTU %ld)", lr, p->mtu);
        else
            snprintf(buf, len, " (line rate %s Gbit/s, %s)", lr, cb_net_kind_name(p->net_kind));
        break;
    case CB_GATE_REF_LINE_RATE:
        snprintf(buf, len, " (line rate %s Gbit/s)", lr);
        break;
    case CB_GATE_REF_SPEC:
        snprintf(buf, len, " (spec)");
        break;
    default:
        break;
    }
    return buf;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* stat of v[0..n) (finite values); NaN for n = 0. Sorts v. */
static double aggregate(cb_gate_stat_t st, double *v, size_t n)
{
    if (!n)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    switch (st) {
    case CB_GATE_STAT_MIN: return v[0];
    case CB_GATE_STAT_MAX: return v[n - 1];
    case CB_GATE_STAT_MEAN: {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += v[i];
        return s / (double)n;
    }
    default:
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}

/* margin of v inside [lo, hi] relative to ref: negative = outside. */
static double margin(double v, double lo, double hi, double ref)
{
    double m = INFINITY;
    if (!isnan(lo))
        m = fmin(m, (v - lo) / ref);
    if (!isnan(hi))
        m = fmin(m, (hi - v) / ref);
    return m;
}

static void bounds_for(const cb_gate_check_t *k, double ref, double *lo, double *hi)
{
    *lo = isnan(k->lower) ? NAN : ref * (1 + k->lower);
    *hi = isnan(k->upper) ? NAN : ref * (1 + k->upper);
}

static void judge_value(judge_t *j)
{
    const cb_gate_check_t *k = j->k;
    cb_gate_result_t *res = j->res;
    size_t n = j->n;
    double *m = malloc(n * sizeof *m), *ref = malloc(n * sizeof *ref), *tmp = malloc(n * sizeof *tmp);
    if (!m || !ref || !tmp) {
        res->verdict = CB_GATE_ERROR;
        set_summary(res, "out of memory");
        goto out;
    }
    size_t nmissing = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = measured(j, j->idx[i], &m[i]);
        if (rc < 0)
            goto out;
        ref[i] = NAN;
        if (rc == 0) {
            nmissing++;
            continue;
        }
        if (reference(j, j->idx[i], &ref[i]) < 0)
            goto out;
    }
    res->nrows = n;
    char lbl[256], where[512], a[32], b[32], c[32], f1[16], f2[16], org[128];
    const char *colname = cb_results_column_name(k->column);
    /* rows without a value fail the check */
    if (nmissing) {
        res->verdict = CB_GATE_FAIL;
        res->nbad = nmissing;
        sbuf_t who = {0};
        size_t listed = 0;
        for (size_t i = 0; i < n; i++) {
            if (!isnan(m[i]))
                continue;
            size_t r = j->idx[i];
            const char *st = cb_table_str(j->t, r, CB_COL_STATUS);
            row_label(&j->lab, j->t, r, lbl, sizeof lbl);
            if (listed++ < 4)
                sb_printf(&who, "%s%s", who.len ? ", " : "", *lbl ? lbl : "row");
            add_detail(j, "%s: no %s (status %s%s%s) at %s", *lbl ? lbl : "row", colname,
                       *st ? st : "empty", *cb_table_str(j->t, r, CB_COL_NOTE) ? ": " : "",
                       cb_table_str(j->t, r, CB_COL_NOTE), cb_table_where(j->t, r, where, sizeof where));
        }
        set_summary(res, "%zu of %zu rows have no %s: %s%s", nmissing, n, colname,
                    who.s && !who.oom ? who.s : "", listed > 4 ? ", ..." : "");
        free(who.s);
        goto out;
    }
    double v, r, lo, hi;
    size_t worst = 0;
    if (k->stat == CB_GATE_STAT_EACH) {
        double wm = INFINITY;
        for (size_t i = 0; i < n; i++) {
            bounds_for(k, ref[i], &lo, &hi);
            double mg = margin(m[i], lo, hi, ref[i]);
            if (mg < -REL_TOL)
                res->nbad++;
            if (mg < wm) {
                wm = mg;
                worst = i;
            }
        }
        v = m[worst];
        r = ref[worst];
    } else {
        for (size_t i = 0; i < n; i++)
            tmp[i] = m[i];
        v = aggregate(k->stat, tmp, n);
        for (size_t i = 0; i < n; i++)
            tmp[i] = ref[i];
        r = aggregate(k->stat == CB_GATE_STAT_MEAN ? CB_GATE_STAT_MEAN : CB_GATE_STAT_MEDIAN,
                      tmp, n);
    }
    bounds_for(k, r, &lo, &hi);
    double mg = margin(v, lo, hi, r);
    int pass = mg >= -REL_TOL && res->nbad == 0;
    if (k->stat != CB_GATE_STAT_EACH)
        res->nbad = pass ? 0 : 1;
    res->verdict = pass ? CB_GATE_PASS : CB_GATE_FAIL;
    res->value = v;
    res->reference = r;
    res->lower_bound = lo;
    res->upper_bound = hi;

    /* "<v> <unit> >= 0.70 x <ref> <unit> (origin) — 55.6%" */
    cb_gate_format_num(v, a, sizeof a);
    cb_gate_format_num(r, b, sizeof b);
    ref_origin(j, org, sizeof org);
    char bound[96];
    if (!isnan(k->lower) && !isnan(k->upper))
        snprintf(bound, sizeof bound, "%s [%s, %s] x", pass ? "within" : "outside",
                 format_factor(1 + k->lower, f1, sizeof f1),
                 format_factor(1 + k->upper, f2, sizeof f2));
    else if (!isnan(k->lower))
        snprintf(bound, sizeof bound, "%s %s x", pass ? ">=" : "<",
                 format_factor(1 + k->lower, f1, sizeof f1));
    else
        snprintf(bound, sizeof bound, "%s %s x", pass ? "<=" : ">",
                 format_factor(1 + k->upper, f2, sizeof f2));
    char pct[32];
    snprintf(pct, sizeof pct, "%.1f%%", 100 * v / r);
    char stat[64] = "";
    if (k->stat != CB_GATE_STAT_EACH)
        snprintf(stat, sizeof stat, " (%s of %zu row%s)", stat_names[k->stat], n,
                 n == 1 ? "" : "s");
    char tail[384] = "";
    if (k->stat == CB_GATE_STAT_EACH && n > 1) {
        if (pass) {
            row_label(&j->lab, j->t, j->idx[worst], lbl, sizeof lbl);
            snprintf(tail, sizeof tail, "; worst of %zu rows%s%s", n, *lbl ? ": " : "", lbl);
        } else {
            sbuf_t who = {0};
            size_t listed = 0;
            for (size_t i = 0; i < n; i++) {
                bounds_for(k, ref[i], &lo, &hi);
                if (margin(m[i], lo, hi, ref[i]) >= -REL_TOL)
                    continue;
                row_label(&j->lab, j->t, j->idx[i], lbl, sizeof lbl);
                if (*lbl && listed++ < 4)
                    sb_printf(&who, "%s%s", who.len ? ", " : "", lbl);
            }
            snprintf(tail, sizeof tail, "; %zu of %zu rows fail%s%s%s", res->nbad, n,
                     listed ? ": " : "", who.s && !who.oom ? who.s : "", listed > 4 ? ", ..." : "");
            free(who.s);
        }
    } else if (n == 1 || k->stat == CB_GATE_STAT_EACH) {
        row_label(&j->lab, j->t, j->idx[worst], lbl, sizeof lbl);
        if (*lbl)
            snprintf(tail, sizeof tail, "; %s", lbl);
    }
    set_summary(res, "%s %s%s %s %s %s%s \u2014 %s%s", a, k->unit, stat, bound, b, k->unit, org,
                pct, tail);
    /* detail: a failing "each" check lists its failing rows, else every row */
    for (size_t i = 0; i < n; i++) {
        size_t row = j->idx[i];
        bounds_for(k, ref[i], &lo, &hi);
        int ok = margin(m[i], lo, hi, ref[i]) >= -REL_TOL;
        if (k->stat == CB_GATE_STAT_EACH && ok && !pass)
            continue;
        row_label(&j->lab, j->t, row, lbl, sizeof lbl);
        add_detail(j, "%s: %s %s (%.1f%% of %s %s)%s at %s", *lbl ? lbl : "row",
                   cb_gate_format_num(m[i], a, sizeof a), k->unit, 100 * m[i] / ref[i],
                   cb_gate_format_num(ref[i], c, sizeof c), k->unit,
                   k->stat == CB_GATE_STAT_EACH && !ok ? ": FAIL" : "",
                   cb_table_where(j->t, row, where, sizeof where));
    }
out:
    free(m);
    free(ref);
    free(tmp);
}

typedef struct entity {
    char name[160];
    double *vals;
    size_t n, cap;
    size_t missing; /* rows without a value */
    size_t miss_row; /* the first of them */
} entity_t;

static entity_t *entity_get(entity_t **ents, size_t *nents, size_t *cap, const char *name)
{
    for (size_t i = 0; i < *nents; i++)
        if (!strcmp((*ents)[i].name, name))
            return &(*ents)[i];
    if (*nents == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        entity_t *e = realloc(*ents, nc * sizeof *e);
        if (!e)
            return NULL;
        *ents = e;
        *cap = nc;
    }
    entity_t *e = &(*ents)[(*nents)++];
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    return e;
}

static int entity_add(entity_t *e, double v, size_t row)
{
    if (isnan(v)) {
        if (!e->missing)
            e->miss_row = row;
        e->missing++;
        return 0;
    }
    if (e->n == e->cap) {
        size_t nc = e->cap ? 2 * e->cap : 8;
        double *d = realloc(e->vals, nc * sizeof *d);
        if (!d)
            return -1;
        e->vals = d;
        e->cap = nc;
    }
    e->vals[e->n++] = v;
    return 0;
}

static void judge_spread(judge_t *j)
{
    const cb_gate_check_t *k = j->k;
    cb_gate_result_t *res = j->res;
    entity_t *ents = NULL;
    size_t nents = 0, cap = 0;
    double *vals = NULL;
    const char **names = NULL;
    cb_spread_verdict_t *ver = NULL;
    const char *what = k->per == CB_GATE_PER_GPU ? "GPU" : "host";
    char where[512], a[32], b[32];
    int oom = 0;

    for (size_t i = 0; i < j->n && !oom; i++) {
        size_t r = j->idx[i];
        double v;
        if (measured(j, r, &v) < 0)
            goto out;
        const char *host = cb_table_str(j->t, r, CB_COL_HOST);
        if (!*host) {
            error_at(j, r, "a spread check needs the host column; this row has none");
            goto out;
        }
        char name[160];
        if (k->per == CB_GATE_PER_GPU && *cb_table_str(j->t, r, CB_COL_RANK))
            snprintf(name, sizeof name, "%s/rank%s", host, cb_table_str(j->t, r, CB_COL_RANK));
        else
            snprintf(name, sizeof name, "%s", host);
        entity_t *e = entity_get(&ents, &nents, &cap, name);
        if (!e || entity_add(e, v, r) < 0) {
            oom = 1;
            break;
        }
        const char *peer = cb_table_str(j->t, r, CB_COL_PEER);
        if (k->per == CB_GATE_PER_HOST_PEER && *peer && strcmp(peer, host)) {
            e = entity_get(&ents, &nents, &cap, peer);
            if (!e || entity_add(e, v, r) < 0)
                oom = 1;
        }
    }
    if (res->verdict == CB_GATE_ERROR)
        goto out;
    if (!oom && nents) {
        vals = malloc(nents * sizeof *vals);
        names = malloc(nents * sizeof *names);
        ver = malloc(nents * sizeof *ver);
        oom = !vals || !names || !ver;
    }
    if (oom) {
        res->verdict = CB_GATE_ERROR;
        set_summary(res, "out of memory");
        goto out;
    }
    res->nrows = j->n;
    if (nents < 2) {
        res->verdict = CB_GATE_ERROR;
        char sel[512];
        set_summary(res, "needs at least 2 %ss to compare; the matching rows (%s) name only %s",
                    what, cb_gate_selector_text(k, sel, sizeof sel), ents[0].name);
        goto out;
    }
    for (size_t i = 0; i < nents; i++) {
        names[i] = ents[i].name;
        /* an entity with a failed row has no trustworthy value: missing */
        vals[i] = ents[i].missing ? NAN : aggregate(k->stat, ents[i].vals, ents[i].n);
    }
    cb_spread_opts_t so;
    cb_spread_opts_default(&so);
    so.lower_is_better = isnan(k->lower);
    so.threshold = so.lower_is_better ? k->upper : -k->lower;
    int nf = cb_spread_check(names, vals, nents, &so, ver);
    if (nf < 0) {
        res->verdict = CB_GATE_ERROR;
        set_summary(res, "spread check: %s", cb_strerror(nf));
        goto out;
    }
    size_t nmiss = 0, worst = 0;
    double wd = -INFINITY;
    for (size_t i = 0; i < nents; i++) {
        if (ver[i].state == CB_SPREAD_MISSING)
            nmiss++;
        else if (!isnan(ver[i].deficit) && ver[i].deficit > wd) {
            wd = ver[i].deficit;
            worst = i;
        }
    }
    res->nbad = (size_t)nf + nmiss;
    res->verdict = res->nbad ? CB_GATE_FAIL : CB_GATE_PASS;
    const char *dir = so.lower_is_better ? "above" : "below";
    double thr_pct = 100 * so.threshold;
    if (wd > -INFINITY) {
        res->value = ver[worst].value;
        res->reference = ver[worst].peer_median;
        if (so.lower_is_better)
            res->upper_bound = res->reference * (1 + so.threshold);
        else
            res->lower_bound = res->reference * (1 - so.threshold);
    }
    if (res->verdict == CB_GATE_PASS) {
        set_summary(res,
                    "no %s more than %.3g%% %s its peers' median (%zu %ss; %s: %s %s, %.1f%% %s "
                    "%s %s)",
                    what, thr_pct, dir, nents, what, ver[worst].name,
                    cb_gate_format_num(ver[worst].value, a, sizeof a), k->unit,
                    fabs(ver[worst].deficit) * 100, ver[worst].deficit >= 0 ? dir : (so.lower_is_better ? "below" : "above"),
                    cb_gate_format_num(ver[worst].peer_median, b, sizeof b), k->unit);
    } else if (nf == 1 && nmiss == 0) {
        set_summary(res, "%s is %.1f%% %s the median of its %d peers: %s %s vs %s %s (limit %.3g%%)",
                    ver[worst].name, ver[worst].deficit * 100, dir, ver[worst].npeers,
                    cb_gate_format_num(ver[worst].value, a, sizeof a), k->unit,
                    cb_gate_format_num(ver[worst].peer_median, b, sizeof b), k->unit, thr_pct);
    } else {
        sbuf_t who = {0};
        for (size_t i = 0; i < nents; i++) {
            if (ver[i].state == CB_SPREAD_SLOW)
                sb_printf(&who, "%s%s (%.1f%%)", who.len ? ", " : "", ver[i].name,
                          ver[i].deficit * 100);
            else if (ver[i].state == CB_SPREAD_MISSING)
                sb_printf(&who, "%s%s (no value)", who.len ? ", " : "", ver[i].name);
        }
        set_summary(res, "%zu of %zu %ss more than %.3g%% %s their peers' median or without a "
                         "value: %s",
                    res->nbad, nents, what, thr_pct, dir, who.s && !who.oom ? who.s : "");
        free(who.s);
    }
    for (size_t i = 0; i < nents; i++) {
        char d[512];
        if (ver[i].state == CB_SPREAD_MISSING) {
            size_t r = ents[i].miss_row;
            const char *st = cb_table_str(j->t, r, CB_COL_STATUS);
            add_detail(j, "%s: %zu row%s without %s (status %s) at %s", ents[i].name,
                       ents[i].missing, ents[i].missing == 1 ? "" : "s",
                       cb_results_column_name(k->column), *st ? st : "empty",
                       cb_table_where(j->t, r, where, sizeof where));
            continue;
        }
        cb_spread_describe(&ver[i], &so, k->unit, d, sizeof d);
        add_detail(j, "%s", d);
    }
out:
    for (size_t i = 0; i < nents; i++)
        free(ents[i].vals);
    free(ents);
    free(vals);
    free(names);
    free(ver);
}

static void judge_zero(judge_t *j)
{
    const cb_gate_check_t *k = j->k;
    cb_gate_result_t *res = j->res;
    char lbl[256], where[512];
    size_t m = 0;
    for (size_t i = 0; i < j->n; i++)
        if (isfinite(cb_table_num(j->t, j->idx[i], k->column)))
            j->idx[m++] = j->idx[i];
    j->n = m;
    if (!m) {
        char sel[512];
        res->verdict = CB_GATE_ERROR;
        set_summary(res, "matches no rows with a %s value (%s)",
                    cb_results_column_name(k->column), cb_gate_selector_text(k, sel, sizeof sel));
        return;
    }
    double sum = 0;
    for (size_t i = 0; i < m; i++) {
        size_t r = j->idx[i];
        double v = cb_table_num(j->t, r, k->column);
        if (v == 0)
            continue;
        res->nbad++;
        sum += v;
        row_label(&j->lab, j->t, r, lbl, sizeof lbl);
        add_detail(j, "%s: %s = %s at %s", *lbl ? lbl : "row", cb_results_column_name(k->column),
                   cb_table_str(j->t, r, k->column), cb_table_where(j->t, r, where, sizeof where));
    }
    res->nrows = m;
    res->value = sum;
    res->reference = 0;
    res->lower_bound = 0;
    res->upper_bound = 0;
    res->verdict = res->nbad ? CB_GATE_FAIL : CB_GATE_PASS;
    if (!res->nbad)
        set_summary(res, "%s = 0 in all %zu rows", cb_results_column_name(k->column), m);
    else
        set_summary(res, "%s = %.15g in %zu of %zu rows (must be 0)",
                    cb_results_column_name(k->column), sum, res->nbad, m);
}

static void judge_no_status(judge_t *j)
{
    const cb_gate_check_t *k = j->k;
    cb_gate_result_t *res = j->res;
    char lbl[256], where[512];
    sbuf_t who = {0};
    size_t listed = 0;
    for (size_t i = 0; i < j->n; i++) {
        size_t r = j->idx[i];
        const char *st = cb_table_str(j->t, r, CB_COL_STATUS);
        if (!in_list(k->forbid, st))
            continue;
        res->nbad++;
        row_label(&j->lab, j->t, r, lbl, sizeof lbl);
        if (listed++ < 4)
            sb_printf(&who, "%s%s", who.len ? ", " : "", *lbl ? lbl : "row");
        const char *note = cb_table_str(j->t, r, CB_COL_NOTE);
        add_detail(j, "%s: %s%s%s at %s", *lbl ? lbl : "row", st, *note ? ": " : "", note,
                   cb_table_where(j->t, r, where, sizeof where));
    }
    res->nrows = j->n;
    res->value = (double)res->nbad;
    res->reference = 0;
    res->lower_bound = 0;
    res->upper_bound = 0;
    res->verdict = res->nbad ? CB_GATE_FAIL : CB_GATE_PASS;
    char forbid[CB_GATE_SEL_LEN];
    snprintf(forbid, sizeof forbid, "%s", k->forbid);
    for (char *p = forbid; *p; p++)
        if (*p == ',')
            *p = '/';
    if (!res->nbad)
        set_summary(res, "no row with status %s among %zu rows", forbid, j->n);
    else
        set_summary(res, "%zu of %zu rows with status %s: %s%s", res->nbad, j->n, forbid,
                    who.s && !who.oom ? who.s : "", listed > 4 ? ", ..." : "");
    free(who.s);
}

static int judge_check(const cb_gate_check_t *k, const cb_table_t *t, const cb_gate_env_t *env,
                       cb_gate_result_t *res)
{
    memset(res, 0, sizeof *res);
    res->check = k;
    res->value = res->reference = res->lower_bound = res->upper_bound = NAN;
    snprintf(res->unit, sizeof res->unit, "%s", k->unit);
    for (size_t i = 0; env && i < env->nskip; i++)
        if (env->skip[i] && !strcmp(env->skip[i], k->name)) {
            res->verdict = CB_GATE_SKIP;
            set_summary(res, "skipped on request (--skip)");
            return CB_OK;
        }
    judge_t j = {.k = k, .t = t, .env = env, .res = res};
    j.idx = malloc((t->nrows ? t->nrows : 1) * sizeof *j.idx);
    if (!j.idx)
        return CB_ERR_NOMEM;
    for (size_t r = 0; r < t->nrows; r++)
        if (row_matches(k, t, r))
            j.idx[j.n++] = r;
    size_t nbase = j.n;
    j.n = filter_num(t, j.idx, j.n, CB_COL_NODES, k->nodes_mode, (double)k->nodes);
    j.n = filter_num(t, j.idx, j.n, CB_COL_BYTES, k->bytes_mode, (double)k->bytes);
    if (!j.n) {
        char sel[512];
        res->verdict = CB_GATE_ERROR;
        cb_gate_selector_text(k, sel, sizeof sel);
        if (nbase)
            set_summary(res, "matches no rows (%s; %zu rows match without nodes/bytes)", sel,
                        nbase);
        else
            set_summary(res, "matches no rows (%s)", sel);
        free(j.idx);
        return CB_OK;
    }
    labeler_init(&j.lab, t, j.idx, j.n,
                 k->kind == CB_GATE_KIND_ZERO || k->kind == CB_GATE_KIND_NO_STATUS);
    switch (k->kind) {
    case CB_GATE_KIND_VALUE: judge_value(&j); break;
    case CB_GATE_KIND_SPREAD: judge_spread(&j); break;
    case CB_GATE_KIND_ZERO: judge_zero(&j); break;
    case CB_GATE_KIND_NO_STATUS: judge_no_status(&j); break;
    }
    finish_detail(&j);
    if (res->verdict == CB_GATE_ERROR) { /* the summary says why; no half detail */
        free(res->detail);
        res->detail = NULL;
    }
    free(j.idx);
    return CB_OK;
}

int cb_gate_evaluate(const cb_gate_t *g, const cb_table_t *t, const cb_gate_env_t *env,
                     cb_gate_report_t *out)
{
    if (!g || !t || !out)
        return CB_ERR_USAGE;
    memset(out, 0, sizeof *out);
    out->results = calloc(g->n ? g->n : 1, sizeof *out->results);
    if (!out->results)
        return CB_ERR_NOMEM;
    for (size_t i = 0; i < g->n; i++) {
        int rc = judge_check(&g->checks[i], t, env, &out->results[i]);
        out->n = i + 1;
        if (rc < 0) {
            cb_gate_report_free(out);
            return rc;
        }
        switch (out->results[i].verdict) {
        case CB_GATE_PASS: out->npass++; break;
        case CB_GATE_FAIL: out->nfail++; break;
        case CB_GATE_SKIP: out->nskip++; break;
        case CB_GATE_ERROR: out->nerror++; break;
        }
    }
    return CB_OK;
}

void cb_gate_report_free(cb_gate_report_t *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->results[i].detail);
    free(r->results);
    memset(r, 0, sizeof *r);
}

int cb_gate_exit_code(const cb_gate_report_t *r)
{
    if (!r || r->nerror)
        return 2;
    return r->nfail ? 1 : 0;
}

char *cb_gate_format_line(const cb_gate_result_t *r, char *buf, size_t len)
{
    snprintf(buf, len, "[ %s ] %s: %s", cb_gate_verdict_name(r->verdict), r->check->name,
             r->summary);
    return buf;
}
