/* report_doc: the reporter's document — headings, paragraphs, tables and
 * plots built once and rendered twice: as Markdown (report.md; plots
 * omitted) and as one self-contained XHTML-compatible page (report.html,
 * plots as inline SVG from svg.h). All text given is plain text; each
 * renderer escapes it (Markdown: backslash escapes; HTML: entities), so a
 * string from a CSV can never become markup.
 *
 * Memory: everything lives in the document's arena and goes with
 * cb_doc_free(). Builders never fail loudly: an allocation failure sets a
 * flag that cb_doc_ok() reports, and later calls become no-ops. */
#ifndef CB_REPORT_DOC_H
#define CB_REPORT_DOC_H

#include <stddef.h>
#include <stdio.h>

#include "svg.h"

typedef struct cb_doc cb_doc_t;
typedef struct cb_doc_table cb_doc_table_t;

/* Cell flags. */
#define CB_DOC_CELL_BAD 1  /* a problem: red in HTML, bold in Markdown */
#define CB_DOC_CELL_GOOD 2 /* green in HTML */

cb_doc_t *cb_doc_new(void);
void cb_doc_free(cb_doc_t *d); /* NULL ok */
int cb_doc_ok(const cb_doc_t *d); /* 1 unless an allocation failed */

/* Arena helpers (NULL on failure, flag set). */
void *cb_doc_alloc(cb_doc_t *d, size_t n); /* zeroed */
char *cb_doc_strdup(cb_doc_t *d, const char *s);
char *cb_doc_printf(cb_doc_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *cb_doc_memdup(cb_doc_t *d, const void *p, size_t n);

/* Level 1..3. Level-2 headings make the HTML table of contents. */
void cb_doc_heading(cb_doc_t *d, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cb_doc_para(cb_doc_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A quieter paragraph (italic): what is missing, how to read a table. */
void cb_doc_note(cb_doc_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A table with ncols columns; align: one char per column, 'l' or 'r'. */
cb_doc_table_t *cb_doc_table(cb_doc_t *d, size_t ncols, const char *const *headers,
                             const char *align);
void cb_doc_row(cb_doc_table_t *t); /* start a row; cells fill it left to right */
void cb_doc_cell(cb_doc_table_t *t, int flags, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cb_doc_cell_str(cb_doc_table_t *t, int flags, const char *s); /* NULL: empty */

/* Plots (HTML only): deep copies of the specs, so callers may free theirs. */
void cb_doc_plot_line(cb_doc_t *d, const cb_svg_plot_t *p);
void cb_doc_plot_bars(cb_doc_t *d, const cb_svg_bars_t *b);
void cb_doc_plot_heat(cb_doc_t *d, const cb_svg_heat_t *h);
size_t cb_doc_nplots(const cb_doc_t *d);

/* Renderers: 0, or -1 when the stream failed. */
int cb_doc_write_md(const cb_doc_t *d, FILE *f);
int cb_doc_write_html(const cb_doc_t *d, FILE *f, const char *title);

/* Markdown-escaped plain text (also used for cells). */
void cb_doc_md_escape(FILE *f, const char *s);

#endif
