/* gate_select: the gate's row selection and row naming (gate_select.c),
 * for gate_judge.c; internal (the public header is cb_gate.h). */
#ifndef CB_GATE_SELECT_H
#define CB_GATE_SELECT_H

#include <stddef.h>

#include "cb_gate.h"

/* Does row r of t match every selector of k (benchmark, transport, ...)? */
int gate_row_matches(const cb_gate_check_t *k, const cb_table_t *t, size_t r);

/* Keep the rows of idx[0..n) whose numeric col equals want (mode EXACT) or
 * the largest value among them (MAX). Returns the new count. */
size_t gate_filter_num(const cb_table_t *t, size_t *idx, size_t n, int col,
                       cb_gate_sel_mode_t mode, double want);

/* Which label columns (rank, benchmark, ..., bytes) tell the matched rows
 * apart. */
#define GATE_LABEL_COLS 10
typedef struct gate_labeler {
    int vary[GATE_LABEL_COLS];
} gate_labeler_t;

/* compact (zero/no_status checks): a fixed, short description instead. */
void gate_labeler_init(gate_labeler_t *l, const cb_table_t *t, const size_t *idx, size_t n,
                       int compact);

/* "node0->node1 out-of-place 64M": host (and peer) when the row has one, then
 * the columns that vary among the matched rows. "" when nothing tells;
 * returns buf. */
char *gate_row_label(const gate_labeler_t *l, const cb_table_t *t, size_t r, char *buf,
                     size_t len);

#endif
