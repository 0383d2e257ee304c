/* report_doc: the document the reporter builds (headings, paragraphs,
 * tables, plots) and its Markdown and HTML renderers. See report_doc.h. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_doc.h"

#define CHUNK (64 * 1024)

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    max_align_t data[];
} chunk_t;

typedef enum { B_HEAD, B_PARA, B_NOTE, B_TABLE, B_LINE, B_BARS, B_HEAT } bkind_t;

typedef struct cell {
    char *text;
    int flags;
} cell_t;

struct cb_doc_table {
    cb_doc_t *doc;
    size_t ncols, nrows, cap; /* cap in rows */
    char **headers;
    char *align;
    cell_t *cells; /* nrows * ncols */
    size_t cur;    /* next column of the last row */
};

typedef struct block {
    struct block *next;
    bkind_t kind;
    int level;
    char *text;
    cb_doc_table_t *table;
    cb_svg_plot_t *line;
    cb_svg_bars_t *bars;
    cb_svg_heat_t *heat;
} block_t;

struct cb_doc {
    chunk_t *chunks;
    block_t *head, *tail;
    size_t nplots;
    int oom;
};

/* ------------------------------------------------------------ arena */

cb_doc_t *cb_doc_new(void)
{
    return calloc(1, sizeof(cb_doc_t));
}

void cb_doc_free(cb_doc_t *d)
{
    if (!d)
        return;
    for (chunk_t *c = d->chunks, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    free(d);
}

int cb_doc_ok(const cb_doc_t *d)
{
    return d && !d->oom;
}

void *cb_doc_alloc(cb_doc_t *d, size_t n)
{
    if (d->oom)
        return NULL;
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (n == 0)
        n = sizeof(max_align_t);
    chunk_t *c = d->chunks;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK ? n : CHUNK;
        chunk_t *nc = malloc(sizeof *nc + cap);
        if (!nc) {
            d->oom = 1;
            return NULL;
        }
        nc->used = 0;
        nc->cap = cap;
        if (c && n > CHUNK) { /* a big one: keep filling the current chunk */
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            d->chunks = nc;
        }
        c = nc;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

void *cb_doc_memdup(cb_doc_t *d, const void *p, size_t n)
{
    if (!p)
        return NULL;
    void *q = cb_doc_alloc(d, n);
    if (q)
        memcpy(q, p, n);
    return q;
}

char *cb_doc_strdup(cb_doc_t *d, const char *s)
{
    return s ? cb_doc_memdup(d, s, strlen(s) + 1) : NULL;
}

static char *vprintf_doc(cb_doc_t *d, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        d->oom = 1;
        return NULL;
    }
    char *s = cb_doc_alloc(d, (size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *cb_doc_printf(cb_doc_t *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vprintf_doc(d, fmt, ap);
    va_end(ap);
    return s;
}

/* ------------------------------------------------------------ blocks */

static block_t *add_block(cb_doc_t *d, bkind_t kind)
{
    block_t *b = cb_doc_alloc(d, sizeof *b);
    if (!b)
        return NULL;
    b->kind = kind;
    if (d->tail)
        d->tail->next = b;
    else
        d->head = b;
    d->tail = b;
    return b;
}

/* A block of text formatted from fmt and ap; NULL when out of memory. */
static block_t *add_text_block(cb_doc_t *d, bkind_t kind, const char *fmt, va_list ap)
{
    block_t *b = add_block(d, kind);
    if (b)
        b->text = vprintf_doc(d, fmt, ap);
    return b;
}

void cb_doc_heading(cb_doc_t *d, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    block_t *b = add_text_block(d, B_HEAD, fmt, ap);
    va_end(ap);
    if (b)
        b->level = level < 1 ? 1 : level > 3 ? 3 : level;
}

void cb_doc_para(cb_doc_t *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_text_block(d, B_PARA, fmt, ap);
    va_end(ap);
}

void cb_doc_note(cb_doc_t *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_text_block(d, B_NOTE, fmt, ap);
    va_end(ap);
}

cb_doc_table_t *cb_doc_table(cb_doc_t *d, size_t ncols, const char *const *headers,
                             const char *align)
{
    block_t *b = add_block(d, B_TABLE);
    cb_doc_table_t *t = b ? cb_doc_alloc(d, sizeof *t) : NULL;
    if (!t)
        return NULL;
    t->doc = d;
    t->ncols = ncols;
    t->headers = cb_doc_alloc(d, ncols * sizeof *t->headers);
    t->align = cb_doc_alloc(d, ncols + 1);
    if (!t->headers || !t->align)
        return NULL;
    for (size_t i = 0; i < ncols; i++) {
        t->headers[i] = cb_doc_strdup(d, headers[i]);
        t->align[i] = align && i < strlen(align) && align[i] == 'r' ? 'r' : 'l';
    }
    b->table = t;
    return t;
}

void cb_doc_row(cb_doc_table_t *t)
{
    if (!t || t->doc->oom)
        return;
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        cell_t *c = cb_doc_alloc(t->doc, cap * t->ncols * sizeof *c);
        if (!c)
            return;
        if (t->cells)
            memcpy(c, t->cells, t->nrows * t->ncols * sizeof *c);
        t->cells = c;
        t->cap = cap;
    }
    t->nrows++;
    t->cur = 0;
}

/* The next cell of the last row, with its flags set; NULL when there is
 * none (no row yet, the row is full, out of memory). */
static cell_t *next_cell(cb_doc_table_t *t, int flags)
{
    if (!t || t->doc->oom || t->nrows == 0 || t->cur >= t->ncols)
        return NULL;
    cell_t *c = &t->cells[(t->nrows - 1) * t->ncols + t->cur++];
    c->flags = flags;
    return c;
}

void cb_doc_cell_str(cb_doc_table_t *t, int flags, const char *s)
{
    cell_t *c = next_cell(t, flags);
    if (c)
        c->text = s ? cb_doc_strdup(t->doc, s) : NULL;
}

void cb_doc_cell(cb_doc_table_t *t, int flags, const char *fmt, ...)
{
    cell_t *c = next_cell(t, flags);
    if (!c)
        return;
    va_list ap;
    va_start(ap, fmt);
    c->text = vprintf_doc(t->doc, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------ plots */

static cb_svg_series_t *dup_series(cb_doc_t *d, const cb_svg_series_t *s, size_t n)
{
    cb_svg_series_t *o = cb_doc_memdup(d, s, n * sizeof *s);
    for (size_t i = 0; o && i < n; i++) {
        o[i].label = cb_doc_strdup(d, s[i].label);
        o[i].x = cb_doc_memdup(d, s[i].x, s[i].n * sizeof(double));
        o[i].y = cb_doc_memdup(d, s[i].y, s[i].n * sizeof(double));
    }
    return o;
}

static cb_svg_ref_t *dup_refs(cb_doc_t *d, const cb_svg_ref_t *r, size_t n)
{
    cb_svg_ref_t *o = cb_doc_memdup(d, r, n * sizeof *r);
    for (size_t i = 0; o && i < n; i++)
        o[i].label = cb_doc_strdup(d, r[i].label);
    return o;
}

void cb_doc_plot_line(cb_doc_t *d, const cb_svg_plot_t *p)
{
    block_t *b = add_block(d, B_LINE);
    cb_svg_plot_t *q = b ? cb_doc_memdup(d, p, sizeof *p) : NULL;
    if (!q)
        return;
    q->title = cb_doc_strdup(d, p->title);
    q->xlabel = cb_doc_strdup(d, p->xlabel);
    q->ylabel = cb_doc_strdup(d, p->ylabel);
    q->series = p->nseries ? dup_series(d, p->series, p->nseries) : NULL;
    q->refs = p->nrefs ? dup_refs(d, p->refs, p->nrefs) : NULL;
    b->line = q;
    d->nplots++;
}

void cb_doc_plot_bars(cb_doc_t *d, const cb_svg_bars_t *bs)
{
    block_t *b = add_block(d, B_BARS);
    cb_svg_bars_t *q = b ? cb_doc_memdup(d, bs, sizeof *bs) : NULL;
    if (!q)
        return;
    q->title = cb_doc_strdup(d, bs->title);
    q->ylabel = cb_doc_strdup(d, bs->ylabel);
    q->legend_normal = cb_doc_strdup(d, bs->legend_normal);
    q->legend_highlight = cb_doc_strdup(d, bs->legend_highlight);
    cb_svg_bar_t *bars = cb_doc_memdup(d, bs->bars, bs->n * sizeof *bars);
    for (size_t i = 0; bars && i < bs->n; i++) {
        bars[i].label = cb_doc_strdup(d, bs->bars[i].label);
        bars[i].note = cb_doc_strdup(d, bs->bars[i].note);
    }
    q->bars = bars;
    q->refs = bs->nrefs ? dup_refs(d, bs->refs, bs->nrefs) : NULL;
    b->bars = q;
    d->nplots++;
}

void cb_doc_plot_heat(cb_doc_t *d, const cb_svg_heat_t *h)
{
    block_t *b = add_block(d, B_HEAT);
    cb_svg_heat_t *q = b ? cb_doc_memdup(d, h, sizeof *h) : NULL;
    if (!q)
        return;
    q->title = cb_doc_strdup(d, h->title);
    q->row_title = cb_doc_strdup(d, h->row_title);
    q->col_title = cb_doc_strdup(d, h->col_title);
    q->unit = cb_doc_strdup(d, h->unit);
    q->flag_legend = cb_doc_strdup(d, h->flag_legend);
    const char **labels = cb_doc_alloc(d, (h->n ? h->n : 1) * sizeof *labels);
    for (size_t i = 0; labels && i < h->n; i++)
        labels[i] = cb_doc_strdup(d, h->labels[i]);
    q->labels = labels;
    q->values = cb_doc_memdup(d, h->values, h->n * h->n * sizeof(double));
    q->flagged = h->flagged ? cb_doc_memdup(d, h->flagged, h->n * h->n * sizeof(int)) : NULL;
    b->heat = q;
    d->nplots++;
}

size_t cb_doc_nplots(const cb_doc_t *d)
{
    return d->nplots;
}

/* ------------------------------------------------------------ markdown */

static int md_special(unsigned char c)
{
    return c == '\\' || c == '`' || c == '*' || c == '[' || c == ']' || c == '<' || c == '>' ||
           c == '|' || c == '&';
}

/* Characters the escaped text takes (UTF-8 continuation bytes not counted). */
static size_t md_width(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        int l = cb_svg_utf8_len((const char *)p);
        if (l > 1)
            p += l - 1;
        n += l == 1 && md_special(*p) ? 2 : 1;
    }
    return n;
}

void cb_doc_md_escape(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        unsigned char c = *p;
        int l = cb_svg_utf8_len((const char *)p);
        if (l == 0) { /* invalid UTF-8: the replacement character */
            fputs("\xEF\xBF\xBD", f);
            continue;
        }
        if (l > 1) {
            fwrite(p, 1, (size_t)l, f);
            p += l - 1;
            continue;
        }
        if (md_special(c)) {
            fputc('\\', f);
            fputc(c, f);
        } else if (c == '\n' || c == '\r' || c == '\t') {
            fputc(' ', f);
        } else if (c < 0x20 || c == 0x7F) {
            fputc('?', f);
        } else {
            fputc(c, f);
        }
    }
}

static void md_pad(FILE *f, size_t n)
{
    while (n--)
        fputc(' ', f);
}

/* One cell of a Markdown table row, escaped, bold (**...**) when asked, and
 * padded to width w on the side its alignment ('r' or 'l') leaves open. */
static void md_cell(FILE *f, const char *text, int bold, size_t w, char align)
{
    size_t cw = md_width(text) + (bold ? 4 : 0);
    fputc(' ', f);
    if (align == 'r')
        md_pad(f, w - cw);
    if (bold)
        fputs("**", f);
    cb_doc_md_escape(f, text);
    if (bold)
        fputs("**", f);
    if (align != 'r')
        md_pad(f, w - cw);
    fputs(" |", f);
}

static void md_table(const cb_doc_table_t *t, FILE *f)
{
    size_t *w = calloc(t->ncols, sizeof *w);
    if (!w)
        return;
    for (size_t j = 0; j < t->ncols; j++) {
        w[j] = md_width(t->headers[j]);
        if (w[j] < 3)
            w[j] = 3;
    }
    for (size_t i = 0; i < t->nrows; i++)
        for (size_t j = 0; j < t->ncols; j++) {
            const cell_t *c = &t->cells[i * t->ncols + j];
            size_t cw = md_width(c->text) + ((c->flags & CB_DOC_CELL_BAD) && c->text ? 4 : 0);
            if (cw > w[j])
                w[j] = cw;
        }
    fputc('|', f);
    for (size_t j = 0; j < t->ncols; j++)
        md_cell(f, t->headers[j], 0, w[j], t->align[j]);
    fputs("\n|", f);
    for (size_t j = 0; j < t->ncols; j++) {
        fputc(' ', f);
        for (size_t k = 0; k + 1 < w[j]; k++)
            fputc('-', f);
        fputc(t->align[j] == 'r' ? ':' : '-', f);
        fputs(" |", f);
    }
    fputc('\n', f);
    for (size_t i = 0; i < t->nrows; i++) {
        fputc('|', f);
        for (size_t j = 0; j < t->ncols; j++) {
            const cell_t *c = &t->cells[i * t->ncols + j];
            int bold = (c->flags & CB_DOC_CELL_BAD) && c->text && *c->text;
            md_cell(f, c->text, bold, w[j], t->align[j]);
        }
        fputc('\n', f);
    }
    free(w);
}

int cb_doc_write_md(const cb_doc_t *d, FILE *f)
{
    for (const block_t *b = d->head; b; b = b->next) {
        switch (b->kind) {
        case B_HEAD:
            for (int i = 0; i < b->level; i++)
                fputc('#', f);
            fputc(' ', f);
            cb_doc_md_escape(f, b->text);
            fputs("\n\n", f);
            break;
        case B_PARA:
            cb_doc_md_escape(f, b->text);
            fputs("\n\n", f);
            break;
        case B_NOTE:
            fputc('_', f);
            cb_doc_md_escape(f, b->text);
            fputs("_\n\n", f);
            break;
        case B_TABLE:
            if (b->table) {
                md_table(b->table, f);
                fputc('\n', f);
            }
            break;
        default:
            break; /* plots: HTML only */
        }
    }
    return ferror(f) ? -1 : 0;
}

/* ------------------------------------------------------------ html */

static const char css[] =
    "body{font-family:'DejaVu Sans','Liberation Sans',Arial,Helvetica,sans-serif;"
    "color:#222;margin:24px auto;max-width:1240px;padding:0 18px;line-height:1.45}\n"
    "h1{font-size:26px;margin-bottom:4px}\n"
    "h2{font-size:21px;border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:40px}\n"
    "h3{font-size:16px;margin-top:26px}\n"
    "p.note{color:#555;font-style:italic}\n"
    "nav ul{columns:2;font-size:14px}\n"
    "div.tw{overflow-x:auto}\n"
    "table{border-collapse:collapse;margin:8px 0 22px;font-size:12.5px}\n"
    "th,td{border:1px solid #d6d6d6;padding:3px 7px;vertical-align:top;white-space:nowrap}\n"
    "th{background:#f3f4f6;font-weight:600}\n"
    ".r{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "td.bad{color:#b01c1c;font-weight:bold;background:#fdecec}\n"
    "td.good{color:#1a7f37}\n"
    "tbody tr:nth-child(even){background:#fafafa}\n"
    "figure.plot{display:inline-block;margin:6px 14px 18px 0;vertical-align:top}\n"
    "svg.plot{border:1px solid #e3e3e3;max-width:100%;height:auto}\n";

static void html_text(FILE *f, const char *s)
{
    cb_svg_escape(f, s);
}

static void html_table(const cb_doc_table_t *t, FILE *f)
{
    fputs("<div class=\"tw\"><table>\n<thead><tr>", f);
    for (size_t j = 0; j < t->ncols; j++) {
        fputs(t->align[j] == 'r' ? "<th class=\"r\">" : "<th>", f);
        html_text(f, t->headers[j]);
        fputs("</th>", f);
    }
    fputs("</tr></thead>\n<tbody>\n", f);
    for (size_t i = 0; i < t->nrows; i++) {
        fputs("<tr>", f);
        for (size_t j = 0; j < t->ncols; j++) {
            const cell_t *c = &t->cells[i * t->ncols + j];
            const char *cls = c->flags & CB_DOC_CELL_BAD    ? " bad"
                              : c->flags & CB_DOC_CELL_GOOD ? " good"
                                                            : "";
            fprintf(f, "<td class=\"%s%s\">", t->align[j] == 'r' ? "r" : "l", cls);
            html_text(f, c->text);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody>\n</table></div>\n", f);
}

int cb_doc_write_html(const cb_doc_t *d, FILE *f, const char *title)
{
    fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\" "
          "xml:lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>",
          f);
    html_text(f, title);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);

    /* Contents: the level-2 headings. */
    int nsec = 0;
    for (const block_t *b = d->head; b; b = b->next)
        nsec += b->kind == B_HEAD && b->level == 2;
    int sec = 0, contents_done = nsec == 0;
    for (const block_t *b = d->head; b; b = b->next) {
        if (!contents_done && b->kind == B_HEAD && b->level == 2) {
            fputs("<nav>\n<h2 id=\"contents\">Contents</h2>\n<ul>\n", f);
            int k = 0;
            for (const block_t *c = b; c; c = c->next)
                if (c->kind == B_HEAD && c->level == 2) {
                    fprintf(f, "<li><a href=\"#s%d\">", ++k);
                    html_text(f, c->text);
                    fputs("</a></li>\n", f);
                }
            fputs("</ul>\n</nav>\n", f);
            contents_done = 1;
        }
        switch (b->kind) {
        case B_HEAD:
            if (b->level == 2)
                fprintf(f, "<h2 id=\"s%d\">", ++sec);
            else
                fprintf(f, "<h%d>", b->level);
            html_text(f, b->text);
            fprintf(f, "</h%d>\n", b->level);
            break;
        case B_PARA:
            fputs("<p>", f);
            html_text(f, b->text);
            fputs("</p>\n", f);
            break;
        case B_NOTE:
            fputs("<p class=\"note\">", f);
            html_text(f, b->text);
            fputs("</p>\n", f);
            break;
        case B_TABLE:
            if (b->table)
                html_table(b->table, f);
            break;
        case B_LINE:
            fputs("<figure class=\"plot\">\n", f);
            cb_svg_line_plot(f, b->line);
            fputs("</figure>\n", f);
            break;
        case B_BARS:
            fputs("<figure class=\"plot\">\n", f);
            cb_svg_bar_chart(f, b->bars);
            fputs("</figure>\n", f);
            break;
        case B_HEAT:
            fputs("<figure class=\"plot\">\n", f);
            cb_svg_heatmap(f, b->heat);
            fputs("</figure>\n", f);
            break;
        }
    }
    fputs("</body>\n</html>\n", f);
    return ferror(f) ? -1 : 0;
}
