/* gate_text: what the gate's loading (gate_load.c) and judging
 * (gate_judge.c) share, defined in gate_text.c (internal; the public header is
 * cb_gate.h): the thresholds keys, the units and columns a check may use,
 * list matching, and a growing string buffer. A leaf of the gate: it calls
 * nothing of gate_load.c or gate_judge.c. */
#ifndef CB_GATE_TEXT_H
#define CB_GATE_TEXT_H

#include <stddef.h>

#include "cb_gate.h"

/* Key indexes: the order of gate_key_names[] and of cb_gate_check_t.key_line[]. */
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
    K_OPTIONAL,
    N_KEYS
};
_Static_assert(N_KEYS == CB_GATE_NKEYS, "CB_GATE_NKEYS out of date");

extern const char *const gate_key_names[N_KEYS];
extern const char *const gate_stat_names[]; /* cb_gate_stat_t -> name; [0] = "" */

/* Units the gate converts between: a dimension and the size of one unit in
 * the dimension's base (bit/s, FLOP/s, s, 1). */
typedef struct gate_unit {
    const char *name;
    int dim;
    double scale;
} gate_unit_t;
enum { DIM_BW = 1, DIM_FLOPS, DIM_TIME, DIM_COUNT, DIM_FRACTION };

/* A column a check may judge, with its fixed unit (NULL: the row's unit). */
typedef struct gate_column {
    int col;
    const char *unit;
} gate_column_t;

const gate_unit_t *gate_unit_find(const char *name);  /* NULL: unknown */
const gate_column_t *gate_column_find(int col);       /* NULL: not judgeable */
/* x in unit `from` expressed in unit `to`; NaN when either is unknown or the
 * dimensions differ. */
double gate_convert(double x, const char *from, const char *to);

/* Is s one of the comma-separated items of list? */
int gate_in_list(const char *list, const char *s);

/* A growing string; oom set (and later prints dropped) when realloc fails. */
typedef struct gate_sbuf {
    char *s;
    size_t len, cap;
    int oom;
} gate_sbuf_t;
void gate_sb_printf(gate_sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A factor 1 + fraction: at least 2 decimals, up to 4 (0.70, 0.925); returns buf. */
char *gate_format_factor(double f, char *buf, size_t len);

#endif
