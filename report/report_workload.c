/* report_workload: reads a user's own workload CSV for `clusterbench report
 * --workload-csv` with libcsv (RFC 4180): the first row names the columns,
 * two of them (named by flags) give the node count and a throughput or a
 * step time per row. Strict: every problem is "file:line: reason". */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "cb_error.h"
#include "cb_size.h"
#include "report_model.h"

typedef struct wl_state {
    cb_report_workload_t *w;
    const char *path, *nodes_col, *value_col;
    unsigned long line, rowno;
    size_t ncol, header_cols;
    long nodes_idx, value_idx;
    char *nodes_txt, *value_txt; /* fields of the current row */
    size_t cap;
    int err;
    char *errbuf;
    size_t errlen;
    char cols[512]; /* header names, for the message */
} wl_state_t;

static void fail(wl_state_t *st, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(wl_state_t *st, int code, const char *fmt, ...)
{
    if (st->err)
        return;
    st->err = code;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cb_errf(st->errbuf, st->errlen, code, "%s:%lu: %s", st->path, st->line, msg);
}

static void on_field(void *data, size_t n, void *vp)
{
    wl_state_t *st = vp;
    if (st->err)
        return;
    const char *s = data ? data : "";
    if (st->rowno == 0) {
        if (st->ncol == 0 && n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) { /* UTF-8 BOM */
            s += 3;
            n -= 3;
        }
        size_t cl = strlen(st->cols);
        if (cl + n + 3 < sizeof st->cols)
            snprintf(st->cols + cl, sizeof st->cols - cl, "%s%.*s", cl ? ", " : "", (int)n, s);
        int is_nodes = strlen(st->nodes_col) == n && !memcmp(s, st->nodes_col, n);
        int is_value = strlen(st->value_col) == n && !memcmp(s, st->value_col, n);
        if ((is_nodes && st->nodes_idx >= 0) || (is_value && st->value_idx >= 0))
            fail(st, CB_ERR_INPUT, "column '%.*s' appears twice in the header", (int)n, s);
        if (is_nodes)
            st->nodes_idx = (long)st->ncol;
        if (is_value)
            st->value_idx = (long)st->ncol;
    } else if ((long)st->ncol == st->nodes_idx || (long)st->ncol == st->value_idx) {
        char *copy = malloc(n + 1);
        if (!copy) {
            fail(st, CB_ERR_NOMEM, "out of memory");
            return;
        }
        memcpy(copy, s, n);
        copy[n] = '\0';
        if ((long)st->ncol == st->nodes_idx) {
            free(st->nodes_txt);
            st->nodes_txt = copy;
        } else {
            free(st->value_txt);
            st->value_txt = copy;
        }
    }
    st->ncol++;
}

static void on_row(int c, void *vp)
{
    wl_state_t *st = vp;
    (void)c;
    if (st->err)
        return;
    cb_report_workload_t *w = st->w;
    if (st->rowno == 0) {
        st->header_cols = st->ncol;
        if (st->nodes_idx < 0)
            fail(st, CB_ERR_INPUT, "no column named '%s' (--nodes-col); columns: %s",
                 st->nodes_col, st->cols);
        else if (st->value_idx < 0)
            fail(st, CB_ERR_INPUT, "no column named '%s'; columns: %s", st->value_col, st->cols);
        else if (st->nodes_idx == st->value_idx)
            fail(st, CB_ERR_INPUT, "the nodes and value columns are the same column");
    } else {
        long nodes;
        double v;
        if (st->ncol != st->header_cols)
            fail(st, CB_ERR_INPUT, "row has %zu fields, the header %zu", st->ncol,
                 st->header_cols);
        else if (cb_parse_long(st->nodes_txt ? st->nodes_txt : "", 1, 1000000, &nodes) < 0)
            fail(st, CB_ERR_INPUT, "%s '%s': not a node count >= 1", st->nodes_col,
                 st->nodes_txt ? st->nodes_txt : "");
        else if (cb_parse_double(st->value_txt ? st->value_txt : "", -1e300, 1e300, &v) < 0 ||
                 !(v > 0))
            fail(st, CB_ERR_INPUT, "%s '%s': not a number > 0", st->value_col,
                 st->value_txt ? st->value_txt : "");
        if (st->err)
            goto done;
        if (w->n == st->cap) {
            size_t cap = st->cap ? st->cap * 2 : 64;
            int *nn = realloc(w->nodes, cap * sizeof *nn);
            if (nn)
                w->nodes = nn;
            double *nv = realloc(w->value, cap * sizeof *nv);
            if (nv)
                w->value = nv;
            unsigned long *nl = realloc(w->line, cap * sizeof *nl);
            if (nl)
                w->line = nl;
            if (!nn || !nv || !nl) {
                fail(st, CB_ERR_NOMEM, "out of memory");
                goto done;
            }
            st->cap = cap;
        }
        w->nodes[w->n] = (int)nodes;
        w->value[w->n] = v;
        w->line[w->n] = st->line;
        w->n++;
    }
done:
    free(st->nodes_txt);
    free(st->value_txt);
    st->nodes_txt = st->value_txt = NULL;
    st->rowno++;
    st->ncol = 0;
}

void cb_report_workload_free(cb_report_workload_t *w)
{
    if (!w)
        return;
    free(w->path);
    free(w->nodes_col);
    free(w->value_col);
    free(w->nodes);
    free(w->value);
    free(w->line);
    memset(w, 0, sizeof *w);
}

int cb_report_workload_read(const char *path, const char *nodes_col, const char *value_col,
                            int step_time, cb_report_workload_t *w, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    FILE *f = fopen(path, "r");
    if (!f) {
        return cb_errf(err, errlen, CB_ERR_IO, "%s: %s", path, strerror(errno));
    }
    w->path = strdup(path);
    w->nodes_col = strdup(nodes_col);
    w->value_col = strdup(value_col);
    w->step_time = step_time;
    wl_state_t st = {.w = w, .path = path, .nodes_col = nodes_col, .value_col = value_col,
                     .nodes_idx = -1, .value_idx = -1, .errbuf = err, .errlen = errlen};
    if (!w->path || !w->nodes_col || !w->value_col)
        fail(&st, CB_ERR_NOMEM, "out of memory");
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (!st.err && (n = getline(&line, &cap, f)) > 0) {
        st.line++;
        if (memchr(line, '\0', (size_t)n)) {
            fail(&st, CB_ERR_INPUT, "NUL byte: not a text CSV file");
            break;
        }
        if (csv_parse(&p, line, (size_t)n, on_field, on_row, &st) != (size_t)n)
            fail(&st, CB_ERR_INPUT, "CSV syntax error: %s", csv_strerror(csv_error(&p)));
    }
    if (!st.err && ferror(f))
        fail(&st, CB_ERR_IO, "read error");
    if (!st.err && csv_fini(&p, on_field, on_row, &st) != 0)
        fail(&st, CB_ERR_INPUT, "CSV syntax error at the end: %s", csv_strerror(csv_error(&p)));
    if (!st.err && st.rowno == 0) {
        st.line = 1;
        fail(&st, CB_ERR_INPUT, "empty file: no header row");
    }
    if (!st.err && w->n == 0)
        fail(&st, CB_ERR_INPUT, "no data rows after the header");
    csv_free(&p);
    free(line);
    free(st.nodes_txt);
    free(st.value_txt);
    fclose(f);
    if (st.err) {
        cb_report_workload_free(w);
        return st.err;
    }
    return CB_OK;
}
