/* gate_select: which rows a check judges (its selectors, nodes = / bytes =
 * max or exact) and how a matched row is named in a verdict (host, peer and
 * the columns that tell the matched rows apart). Pure; used by
 * gate_judge.c. */
#define _GNU_SOURCE /* qsort_r */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_gate.h"
#include "cb_size.h"
#include "gate_select.h"
#include "gate_text.h"

/* The results column of each selector (CB_GATE_NSEL, in cb_gate.h's order). */
static const int sel_cols[CB_GATE_NSEL] = {
    CB_COL_BENCHMARK, CB_COL_TRANSPORT, CB_COL_MEMORY, CB_COL_DTYPE,  CB_COL_OP,     CB_COL_PLACEMENT,
    CB_COL_METRIC,    CB_COL_HOST,      CB_COL_PEER,   CB_COL_STATUS, CB_COL_CLUSTER,
};

int gate_row_matches(const cb_gate_check_t *k, const cb_table_t *t, size_t r)
{
    for (int s = 0; s < CB_GATE_NSEL; s++)
        if (k->sel[s][0] && !gate_in_list(k->sel[s], cb_table_str(t, r, sel_cols[s])))
            return 0;
    return 1;
}

/* Keep the rows of idx[0..n) whose numeric col equals want (mode EXACT) or
 * the largest value among them (MAX). Returns the new count. */
size_t gate_filter_num(const cb_table_t *t, size_t *idx, size_t n, int col,
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
_Static_assert(sizeof label_cols / sizeof label_cols[0] == GATE_LABEL_COLS,
               "GATE_LABEL_COLS out of date");
#define N_LABEL_COLS GATE_LABEL_COLS

/* Order of rows (indices into the table ctx) by host, peer, rank. */
static int cmp_host_peer_rank(const void *a, const void *b, void *ctx)
{
    const cb_table_t *t = ctx;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    static const int cols[] = {CB_COL_HOST, CB_COL_PEER, CB_COL_RANK};
    for (size_t c = 0; c < 3; c++) {
        int d = strcmp(cb_table_str(t, x, cols[c]), cb_table_str(t, y, cols[c]));
        if (d)
            return d;
    }
    return 0;
}

/* Whether two of the rows have the same host and peer but different ranks
 * (a host with several ranks): after one sort by (host, peer, rank), such
 * rows are neighbours. O(n log n), for the n(n-1) rows of an all-pairs
 * matrix. On OOM: yes (a rank in a label is harmless). */
static int ranks_vary(const cb_table_t *t, const size_t *idx, size_t n)
{
    if (n < 2)
        return 0;
    size_t *s = malloc(n * sizeof *s);
    if (!s)
        return 1;
    memcpy(s, idx, n * sizeof *s);
    qsort_r(s, n, sizeof *s, cmp_host_peer_rank, (void *)t);
    int vary = 0;
    for (size_t i = 1; i < n && !vary; i++)
        vary = !strcmp(cb_table_str(t, s[i - 1], CB_COL_HOST), cb_table_str(t, s[i], CB_COL_HOST)) &&
               !strcmp(cb_table_str(t, s[i - 1], CB_COL_PEER), cb_table_str(t, s[i], CB_COL_PEER)) &&
               strcmp(cb_table_str(t, s[i - 1], CB_COL_RANK), cb_table_str(t, s[i], CB_COL_RANK));
    free(s);
    return vary;
}

void gate_labeler_init(gate_labeler_t *l, const cb_table_t *t, const size_t *idx, size_t n,
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
        if (col == CB_COL_RANK) { /* only when a host has several ranks */
            l->vary[c] = ranks_vary(t, idx, n);
            continue;
        }
        for (size_t i = 1; i < n && !l->vary[c]; i++)
            l->vary[c] = strcmp(cb_table_str(t, idx[0], col), cb_table_str(t, idx[i], col)) != 0;
    }
}

/* "node0->node1 out-of-place 64M": host (and peer) when the row has one (an
 * op = round row: "round K of N" from its note), then the columns that vary
 * among the matched rows. "" when nothing tells. */
char *gate_row_label(const gate_labeler_t *l, const cb_table_t *t, size_t r, char *buf,
                     size_t len)
{
    gate_sbuf_t b = {0};
    const char *host = cb_table_str(t, r, CB_COL_HOST), *peer = cb_table_str(t, r, CB_COL_PEER);
    if (*host)
        gate_sb_printf(&b, "%s%s%s", host, *peer ? "->" : "", peer);
    else if (!strcmp(cb_table_str(t, r, CB_COL_OP), "round")) {
        /* cb-p2p's round rows have no host: their note names the round
         * ("round 3 of 6: ...") */
        const char *note = cb_table_str(t, r, CB_COL_NOTE);
        size_t n = strcspn(note, ":,;");
        if (!strncmp(note, "round ", 6) && n < 48)
            gate_sb_printf(&b, "%.*s", (int)n, note);
    }
    for (size_t c = 0; c < N_LABEL_COLS; c++) {
        const char *v = cb_table_str(t, r, label_cols[c]);
        if (!l->vary[c] || !*v)
            continue;
        const char *sep = b.len ? " " : "";
        if (label_cols[c] == CB_COL_RANK)
            gate_sb_printf(&b, "%srank %s", sep, v);
        else if (label_cols[c] == CB_COL_NODES)
            gate_sb_printf(&b, "%s%s nodes", sep, v);
        else if (label_cols[c] == CB_COL_BYTES) {
            double bytes = cb_table_num(t, r, CB_COL_BYTES);
            char sz[32];
            if (bytes >= 0 && bytes < 1.8e19 && bytes == floor(bytes))
                gate_sb_printf(&b, "%s%s", sep, cb_size_format((uint64_t)bytes, sz, sizeof sz));
            else
                gate_sb_printf(&b, "%s%s B", sep, v);
        } else
            gate_sb_printf(&b, "%s%s", sep, v);
    }
    if (!b.len) { /* nothing tells rows apart: say what the row is */
        static const int what[] = {CB_COL_BENCHMARK, CB_COL_OP, CB_COL_PLACEMENT, CB_COL_METRIC};
        for (size_t c = 0; c < sizeof what / sizeof what[0]; c++) {
            const char *v = cb_table_str(t, r, what[c]);
            if (*v)
                gate_sb_printf(&b, "%s%s", b.len ? " " : "", v);
        }
        double bytes = cb_table_num(t, r, CB_COL_BYTES);
        char sz[32];
        if (bytes >= 0 && bytes < 1.8e19 && bytes == floor(bytes))
            gate_sb_printf(&b, "%s%s", b.len ? " " : "", cb_size_format((uint64_t)bytes, sz, sizeof sz));
        const char *nodes = cb_table_str(t, r, CB_COL_NODES);
        if (*nodes)
            gate_sb_printf(&b, "%s%s node%s", b.len ? " " : "", nodes, strcmp(nodes, "1") ? "s" : "");
    }
    snprintf(buf, len, "%s", b.oom || !b.len ? "" : b.s);
    free(b.s);
    return buf;
}
