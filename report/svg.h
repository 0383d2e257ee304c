/* svg: the reporter's small inline-SVG plotting module — line/scatter plots
 * with linear, decade-log or binary-log (byte size) axes, bar charts and
 * heat maps, written as well-formed XML (so report.html parses as XHTML).
 * No scripts, no external fonts or references: each <svg> stands alone.
 *
 * Every string passed in is plain text; the module escapes it (XML entities,
 * invalid UTF-8 and control characters replaced by U+FFFD). Long labels are
 * shortened with an ellipsis to fit. Legends sit outside the plot area, so
 * they never cover data. NaN (and, on log axes, values <= 0) are gaps. */
#ifndef CB_SVG_H
#define CB_SVG_H

#include <stddef.h>
#include <stdio.h>

typedef enum cb_svg_scale {
    CB_SVG_LINEAR, /* nice 1/2/5 steps; includes 0 unless told otherwise */
    CB_SVG_LOG10,  /* decade ticks 0.01 .. 1, 10, 100, 1k, 10k, 1M ... */
    CB_SVG_BYTES,  /* log2 axis with byte labels: 1, 4, 16, ..., 1K, 1M, 1G (K = 1024) */
} cb_svg_scale_t;

typedef enum cb_svg_marker {
    CB_SVG_MARK_NONE = -1,
    CB_SVG_MARK_AUTO = 0, /* by series index */
    CB_SVG_MARK_CIRCLE = 1,
    CB_SVG_MARK_SQUARE,
    CB_SVG_MARK_TRIANGLE,
    CB_SVG_MARK_DIAMOND,
} cb_svg_marker_t;

#define CB_SVG_COLOR_AUTO (-1)
#define CB_SVG_NCOLORS 10

typedef struct cb_svg_series {
    const char *label;       /* legend text */
    size_t n;
    const double *x, *y;     /* n points; drawn in the given order */
    int line;                /* 1: join the points; 0: markers only */
    cb_svg_marker_t marker;  /* CB_SVG_MARK_NONE for a bare line */
    int color;               /* palette index, or CB_SVG_COLOR_AUTO (series index) */
    int dashed;              /* dashed line (e.g. a model) */
} cb_svg_series_t;

/* A dashed reference line across the plot: horizontal at y = value, or
 * vertical at x = value. Shown in the legend with its label. */
typedef struct cb_svg_ref {
    const char *label;
    double value;
    int vertical;
    int color; /* palette index, or CB_SVG_COLOR_AUTO (dark grey) */
} cb_svg_ref_t;

typedef struct cb_svg_plot {
    const char *title;
    const char *xlabel, *ylabel; /* with units */
    cb_svg_scale_t xscale, yscale;
    int y_from_zero;             /* linear y: include 0 */
    int x_integer;               /* linear x: ticks at whole numbers only (node counts) */
    const cb_svg_series_t *series;
    size_t nseries;
    const cb_svg_ref_t *refs;
    size_t nrefs;
    int width, height;           /* 0: 900 x 420 */
} cb_svg_plot_t;

/* One bar of a bar chart. */
typedef struct cb_svg_bar {
    const char *label;  /* under the bar */
    double value;       /* NaN: no bar, "n/a" */
    int highlight;      /* drawn red, annotation bold: the slow one */
    const char *note;   /* text above the bar (NULL: the value, formatted) */
} cb_svg_bar_t;

typedef struct cb_svg_bars {
    const char *title;
    const char *ylabel;
    const cb_svg_bar_t *bars;
    size_t n;
    const cb_svg_ref_t *refs; /* horizontal lines, e.g. 100 % of spec */
    size_t nrefs;
    const char *legend_normal, *legend_highlight; /* NULL: no legend entry */
    int width, height;        /* 0: automatic */
} cb_svg_bars_t;

/* A square matrix (rows send to columns), values NaN where unmeasured. */
typedef struct cb_svg_heat {
    const char *title;
    const char *row_title, *col_title; /* "sender", "receiver" */
    const char *unit;                  /* colour scale caption, e.g. "GB/s" */
    size_t n;
    const char *const *labels;         /* n names */
    const double *values;              /* n*n, row-major */
    const int *flagged;                /* n*n or NULL: cells marked (red frame, '!') */
    const char *flag_legend;           /* text explaining the mark, or NULL */
} cb_svg_heat_t;

/* Write plain text with XML escaping (&<>"'), invalid UTF-8 and control
 * characters (except tab/newline) replaced by U+FFFD. */
void cb_svg_escape(FILE *f, const char *s);
/* The same, at most max_chars characters (an ellipsis marks a cut). */
void cb_svg_escape_max(FILE *f, const char *s, size_t max_chars);

/* Length (1..4) of the valid UTF-8 sequence (an XML character) at s, 0
 * when the bytes there are not one. */
int cb_svg_utf8_len(const char *s);

/* "#1f77b4"... for palette index i (wraps around). */
const char *cb_svg_color(int i);

/* Axis tick label text of v on a scale: "1K", "64M" (bytes), "0.01", "10k" ... */
char *cb_svg_tick_label(cb_svg_scale_t s, double v, char *buf, size_t len);

/* The writers: 0 on success, -1 when the stream reports an error. A plot
 * with no drawable point still produces a frame saying "no data". */
int cb_svg_line_plot(FILE *f, const cb_svg_plot_t *p);
int cb_svg_bar_chart(FILE *f, const cb_svg_bars_t *b);
int cb_svg_heatmap(FILE *f, const cb_svg_heat_t *h);

#endif
