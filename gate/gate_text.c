/* gate_text: the gate's shared vocabulary (keys, units, columns, list
 * matching, gate_text.h) and its text: numbers as the gate prints them, a
 * check's selectors, a verdict line. Used by gate_load.c and gate_judge.c. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_gate.h"
#include "cb_size.h"
#include "gate_text.h"

const char *const gate_key_names[N_KEYS] = {
    "kind",  "benchmark", "transport", "memory", "dtype",     "op",    "placement", "metric",
    "host",  "peer",      "status",    "cluster", "nodes",    "bytes", "column",    "stat",
    "reference", "lower", "upper",     "unit",    "per",      "forbid",   "optional",
};

const char *const gate_stat_names[] = {"", "each", "min", "max", "median", "mean"};

static const gate_unit_t units[] = {
    {"GB/s", DIM_BW, 8e9},      {"Gbit/s", DIM_BW, 1e9},   {"MB/s", DIM_BW, 8e6},
    {"Mbit/s", DIM_BW, 1e6},    {"TFLOPS", DIM_FLOPS, 1e12}, {"GFLOPS", DIM_FLOPS, 1e9},
    {"s", DIM_TIME, 1},         {"ms", DIM_TIME, 1e-3},    {"us", DIM_TIME, 1e-6},
    {"count", DIM_COUNT, 1},    {"fraction", DIM_FRACTION, 1},
};
#define N_UNITS (sizeof units / sizeof units[0])

/* Columns a check may judge, with their fixed unit (NULL: the row's unit). */
static const gate_column_t columns[] = {
    {CB_COL_ALGBW_GBPS, "GB/s"},     {CB_COL_BUSBW_GBPS, "GB/s"},      {CB_COL_VALUE, NULL},
    {CB_COL_EFFICIENCY, "fraction"}, {CB_COL_WRONG_ELEMENTS, "count"}, {CB_COL_TIME_US_MIN, "us"},
    {CB_COL_TIME_US_MEDIAN, "us"},   {CB_COL_TIME_US_MEAN, "us"},      {CB_COL_TIME_US_P95, "us"},
    {CB_COL_TIME_US_MAX, "us"},
};
#define N_COLUMNS (sizeof columns / sizeof columns[0])

const gate_unit_t *gate_unit_find(const char *name)
{
    for (size_t i = 0; name && i < N_UNITS; i++)
        if (!strcmp(units[i].name, name))
            return &units[i];
    return NULL;
}

const gate_column_t *gate_column_find(int col)
{
    for (size_t i = 0; i < N_COLUMNS; i++)
        if (columns[i].col == col)
            return &columns[i];
    return NULL;
}

/* x in unit `from` expressed in unit `to`; NaN when either is unknown or the
 * dimensions differ. */
double gate_convert(double x, const char *from, const char *to)
{
    const gate_unit_t *a = gate_unit_find(from), *b = gate_unit_find(to);
    if (!a || !b || a->dim != b->dim)
        return NAN;
    if (a == b)
        return x;
    return x * a->scale / b->scale;
}

/* Is s one of the comma-separated items of list? */
int gate_in_list(const char *list, const char *s)
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

void gate_sb_printf(gate_sbuf_t *b, const char *fmt, ...)
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
char *gate_format_factor(double f, char *buf, size_t len)
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
    gate_sbuf_t b = {0};
    for (int s = 0; s < CB_GATE_NSEL; s++)
        if (c->sel[s][0])
            gate_sb_printf(&b, "%s%s=%s", b.len ? ", " : "", gate_key_names[K_SEL0 + s], c->sel[s]);
    if (c->nodes_mode == CB_GATE_SEL_MAX)
        gate_sb_printf(&b, "%snodes=max", b.len ? ", " : "");
    else if (c->nodes_mode == CB_GATE_SEL_EXACT)
        gate_sb_printf(&b, "%snodes=%ld", b.len ? ", " : "", c->nodes);
    if (c->bytes_mode == CB_GATE_SEL_MAX)
        gate_sb_printf(&b, "%sbytes=max", b.len ? ", " : "");
    else if (c->bytes_mode == CB_GATE_SEL_EXACT) {
        char sz[32];
        gate_sb_printf(&b, "%sbytes=%s", b.len ? ", " : "", cb_size_format(c->bytes, sz, sizeof sz));
    }
    snprintf(buf, len, "%s", b.oom || !b.len ? "every row" : b.s);
    free(b.s);
    return buf;
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

char *cb_gate_format_line(const cb_gate_result_t *r, char *buf, size_t len)
{
    snprintf(buf, len, "[ %s ] %s: %s", cb_gate_verdict_name(r->verdict), r->check->name,
             r->summary);
    return buf;
}
