/* gate_load: the gate's thresholds files (inih, fed line by line by
 * cb_ini as common/profile.c is, so every message carries file:line):
 * loading, validation of each check and of the whole file, and whether the
 * checks apply to a cluster profile. Judging is gate_judge.c. See cb_gate.h
 * for the format and the contracts. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_gate.h"
#include "cb_ini.h"
#include "cb_size.h"
#include "cb_spread.h"
#include "gate_text.h"

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define SEL_EXTRA "._:+/-"  /* besides ALNUM, in selector values */

/* ---------------------------------------------------------------- tables */

static const char *const kind_names[] = {"value", "spread", "zero", "no_status"};
static const char *const per_names[] = {"host", "host_peer", "gpu"};

/* ------------------------------------------------------------ parse state */

typedef struct parse_ctx {
    cb_ini_t ini;       /* the source, the section headers, the first error */
    cb_gate_t *gate;
    cb_gate_check_t *cur;
    size_t cap;
} parse_ctx_t;

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

static int find_name(const char *const *names, size_t n, const char *v)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], v))
            return (int)i;
    return -1;
}

static int set_key(parse_ctx_t *c, cb_gate_check_t *k, int key, const char *v)
{
    const char *sec = k->name, *kn = gate_key_names[key];
    int line = c->ini.lines.lineno;
    if (key >= K_SEL0 && key < K_SEL0 + CB_GATE_NSEL) {
        if (strlen(v) >= CB_GATE_SEL_LEN || !is_list(v)) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, line,
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
            cb_ini_error(&c->ini, CB_ERR_INPUT, line,
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
                cb_ini_error(&c->ini, CB_ERR_INPUT, line,
                             "[%s] nodes = '%s': not a node count (a whole number 1..%d, or max)",
                             sec, v, CB_PROFILE_MAX_NODES);
                return 0;
            }
            k->nodes = n;
        } else {
            uint64_t b;
            if (cb_size_parse(v, &b) != CB_OK) {
                cb_ini_error(&c->ini, CB_ERR_INPUT, line,
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
        if (col < 0 || !gate_column_find(col)) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, line,
                         "[%s] column = '%s': expected algbw_gbps, busbw_gbps, value, efficiency, "
                         "wrong_elements or time_us_{min,median,mean,p95,max}",
                         sec, v);
            return 0;
        }
        k->column = col;
        return 1;
    }
    case K_STAT: {
        int i = find_name(gate_stat_names, 6, v);
        if (i <= 0) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, line,
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
                cb_ini_error(&c->ini, CB_ERR_INPUT, line,
                             "[%s] reference = %s: must be > 0 (bounds are fractions of it)", sec,
                             v);
                return 0;
            }
            k->ref = CB_GATE_REF_NUMBER;
            k->ref_value = r;
        } else {
            cb_ini_error(&c->ini, CB_ERR_INPUT, line,
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
            cb_ini_error(&c->ini, CB_ERR_INPUT, line,
                         "[%s] %s = '%s': not a finite decimal number (a fraction of the "
                         "reference, e.g. %s) or none",
                         sec, kn, v, key == K_LOWER ? "-0.10" : "0.10");
            return 0;
        }
        if (key == K_LOWER && !(f >= -1 && f <= 0)) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, line,
                         "[%s] lower = %s out of range [-1, 0] (-0.10 = at least 90%% of the "
                         "reference)",
                         sec, v);
            return 0;
        }
        if (key == K_UPPER && !(f >= 0 && f <= 1e6)) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, line,
                         "[%s] upper = %s out of range [0, 1e6] (0.10 = at most 110%% of the "
                         "reference)",
                         sec, v);
            return 0;
        }
        *dst = f;
        return 1;
    }
    case K_UNIT:
        if (!gate_unit_find(v)) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, line,
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
            cb_ini_error(&c->ini, CB_ERR_INPUT, line,
                         "[%s] per = '%s': expected host, host_peer or gpu", sec, v);
            return 0;
        }
        k->per = (cb_gate_per_t)i;
        return 1;
    }
    case K_OPTIONAL:
        if (strcmp(v, "yes") && strcmp(v, "no")) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, line, "[%s] optional = '%s': expected yes or no",
                         sec, v);
            return 0;
        }
        k->optional = !strcmp(v, "yes");
        return 1;
    case K_FORBID:
        if (strlen(v) >= sizeof k->forbid || !is_list(v)) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, line,
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
    int first;
    if (!cb_ini_key(&c->ini, section, name, " (a [check] header)", &first))
        return 0;
    if (first) { /* first key of a new section instance */
        int hline = cb_ini_section_line(&c->ini);
        if (!valid_name(section)) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, hline,
                         "check name [%s]: expected letters, digits, '.', '_', '-', starting with "
                         "a letter or digit, at most %d characters",
                         section, CB_GATE_NAME_MAX - 1);
            return 0;
        }
        cb_gate_t *g = c->gate;
        for (size_t i = 0; i < g->n; i++)
            if (!strcmp(g->checks[i].name, section)) {
                cb_ini_error(&c->ini, CB_ERR_INPUT, hline,
                             "duplicate section [%s] (first at line %d)", section,
                             g->checks[i].line);
                return 0;
            }
        if (g->n == CB_GATE_MAX_CHECKS) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, hline, "more than %d checks", CB_GATE_MAX_CHECKS);
            return 0;
        }
        if (g->n == c->cap) {
            size_t cap = c->cap ? 2 * c->cap : 16;
            cb_gate_check_t *n = realloc(g->checks, cap * sizeof *n);
            if (!n) {
                cb_ini_error(&c->ini, CB_ERR_NOMEM, hline, "out of memory");
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
    int key = find_name(gate_key_names, N_KEYS, name);
    if (key < 0) {
        cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno, "[%s] unknown key '%s'", k->name,
                     name);
        return 0;
    }
    if (k->key_line[key]) {
        cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno,
                     "[%s] duplicate key %s (first at line %d)", k->name, name, k->key_line[key]);
        return 0;
    }
    k->key_line[key] = c->ini.lines.lineno;
    return set_key(c, k, key, value);
}

/* ------------------------------------------------ whole-file validation */

static void refuse_key(parse_ctx_t *c, const cb_gate_check_t *k, int key, const char *why)
{
    if (k->key_line[key])
        cb_ini_error(&c->ini, CB_ERR_INPUT, k->key_line[key],
                     "[%s] %s does not apply to kind = %s%s%s", k->name, gate_key_names[key],
                     kind_names[k->kind], why ? ": " : "", why ? why : "");
}

static void require_key(parse_ctx_t *c, const cb_gate_check_t *k, int key, const char *why)
{
    if (!k->key_line[key])
        cb_ini_error(&c->ini, CB_ERR_INPUT, k->line, "[%s] lacks required key '%s' (%s)", k->name,
                     gate_key_names[key], why);
}

static void check_one(parse_ctx_t *c, cb_gate_check_t *k)
{
    const gate_column_t *col = k->column >= 0 ? gate_column_find(k->column) : NULL;
    switch (k->kind) {
    case CB_GATE_KIND_VALUE:
        require_key(c, k, K_COLUMN, "what to judge, e.g. column = busbw_gbps");
        require_key(c, k, K_REFERENCE,
                    "a number, profile.goodput_gbps, profile.line_rate_gbps or spec");
        require_key(c, k, K_UNIT, "the unit of the reference and of the printed values");
        refuse_key(c, k, K_PER, "only spread checks group rows by entity");
        refuse_key(c, k, K_FORBID, NULL);
        if (c->ini.err)
            return;
        if (isnan(k->lower) && isnan(k->upper))
            cb_ini_error(&c->ini, CB_ERR_INPUT, k->line,
                         "[%s] has no bound: set lower (e.g. -0.10) and/or upper", k->name);
        if (k->ref == CB_GATE_REF_SPEC && k->column != CB_COL_VALUE)
            cb_ini_error(&c->ini, CB_ERR_INPUT, k->key_line[K_REFERENCE],
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
        if (c->ini.err)
            return;
        if (!isnan(k->lower) && !isnan(k->upper))
            cb_ini_error(&c->ini, CB_ERR_INPUT, k->key_line[K_UPPER],
                         "[%s] a spread check takes lower (throughput: flag entities below their "
                         "peers) or upper (times: flag entities above), not both",
                         k->name);
        else if (isnan(k->lower) && isnan(k->upper)) {
            if (k->key_line[K_LOWER] || k->key_line[K_UPPER])
                cb_ini_error(&c->ini, CB_ERR_INPUT,
                             k->key_line[K_LOWER] ? k->key_line[K_LOWER] : k->key_line[K_UPPER],
                             "[%s] a spread check needs a bound, not none", k->name);
            k->lower = -CB_SPREAD_DEFAULT_THRESHOLD;
        }
        if (!c->ini.err && !isnan(k->lower) && !(k->lower > -1))
            cb_ini_error(&c->ini, CB_ERR_INPUT, k->key_line[K_LOWER],
                         "[%s] lower = -1 would flag nothing (the threshold must be under 100%%)",
                         k->name);
        if (!c->ini.err && !isnan(k->upper) && !(k->upper < 1))
            cb_ini_error(&c->ini, CB_ERR_INPUT, k->key_line[K_UPPER],
                         "[%s] upper must be under 1 for a spread check", k->name);
        if (!c->ini.err && k->stat == CB_GATE_STAT_EACH)
            cb_ini_error(&c->ini, CB_ERR_INPUT, k->key_line[K_STAT],
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
    if (c->ini.err)
        return;
    col = gate_column_find(k->column);
    const gate_unit_t *u = gate_unit_find(k->unit);
    if (!k->unit[0] && col && col->unit) /* spread without unit: the column's */
        snprintf(k->unit, sizeof k->unit, "%s", col->unit);
    u = gate_unit_find(k->unit);
    if (u && col && col->unit && gate_unit_find(col->unit)->dim != u->dim)
        cb_ini_error(&c->ini, CB_ERR_INPUT, k->key_line[K_UNIT],
                     "[%s] unit = %s cannot express column %s (in %s)", k->name, k->unit,
                     cb_results_column_name(k->column), col->unit);
    if (!c->ini.err && u && (k->ref == CB_GATE_REF_GOODPUT || k->ref == CB_GATE_REF_LINE_RATE) &&
        u->dim != DIM_BW)
        cb_ini_error(&c->ini, CB_ERR_INPUT, k->key_line[K_UNIT],
                     "[%s] unit = %s: a profile rate is a bandwidth (GB/s, Gbit/s, MB/s, Mbit/s)",
                     k->name, k->unit);
}

static void check_whole(parse_ctx_t *c)
{
    for (size_t i = 0; i < c->ini.nhdrs && !c->ini.err; i++)
        if (!c->ini.hdrs[i].used)
            cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.hdrs[i].line,
                         "section [%s] has no keys (a check needs at least its column or kind)",
                         c->ini.hdrs[i].name);
    for (size_t i = 0; i < c->gate->n && !c->ini.err; i++)
        check_one(c, &c->gate->checks[i]);
    if (!c->ini.err && c->gate->n == 0)
        cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno ? c->ini.lines.lineno : 1,
                     "no checks (no [section])");
}

/* -------------------------------------------------- profile applicability */

static int mentions_gpu(const cb_gate_check_t *k)
{
    static const char *const gpu_words[] = {"gpu", "nccl", "cuda"};
    /* benchmark, transport, memory */
    for (int s = 0; s < 3; s++)
        for (size_t w = 0; w < 3; w++)
            if (k->sel[s][0] && gate_in_list(k->sel[s], gpu_words[w]))
                return K_SEL0 + s;
    return -1;
}

static int profile_error(const cb_gate_t *g, int line, char *errbuf, size_t errlen,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int profile_error(const cb_gate_t *g, int line, char *errbuf, size_t errlen,
                         const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cb_errf(errbuf, errlen, CB_ERR_INPUT, "%s:%d: %s", g->origin, line, msg);
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
                                 k->name, gate_key_names[key], k->sel[key - K_SEL0], p->name);
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

static void whole(void *user) {
    check_whole(user);
}

static int parse_common(parse_ctx_t *c, const char *origin, const cb_profile_t *prof,
                        cb_gate_t **out, char *errbuf, size_t errlen)
{
    *out = NULL;
    cb_gate_t *g = calloc(1, sizeof *g);
    if (!g) {
        cb_ini_release(&c->ini);
        return cb_errf(errbuf, errlen, CB_ERR_NOMEM, "%s: out of memory", origin);
    }
    snprintf(g->origin, sizeof g->origin, "%s", origin);
    c->gate = g;
    const cb_ini_spec_t spec = {
        .max_line = CB_GATE_MAX_LINE,
        .expected = "[check]",
        .handler = handler,
        .whole = whole,
        .user = c,
    };
    int err = cb_ini_parse(&c->ini, &spec, origin, errbuf, errlen);
    if (!err && prof)
        err = cb_gate_check_profile(g, prof, errbuf, errlen);
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
    parse_ctx_t c = {0};
    int rc = cb_ini_open(&c.ini, path, "thresholds", errbuf, errlen);
    if (rc != CB_OK)
        return rc;
    return parse_common(&c, path, prof, out, errbuf, errlen);
}

int cb_gate_parse_string(const char *text, const char *origin, const cb_profile_t *prof,
                         cb_gate_t **out, char *errbuf, size_t errlen)
{
    if (!out)
        return CB_ERR_INTERNAL;
    *out = NULL;
    parse_ctx_t c = {0};
    c.ini.lines.text = text ? text : "";
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
