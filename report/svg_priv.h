/* svg_priv: internals shared by the files of the SVG module (not a public
 * header): text measures (svg_text.c), the axis model and the pieces every
 * plot draws (svg_axes.c), used by the plots (svg.c). */
#ifndef CB_SVG_PRIV_H
#define CB_SVG_PRIV_H

#include <stddef.h>
#include <stdio.h>

#include "svg.h"

#define HILITE "#d62728" /* the slow one: bars, flagged cells */

#define MAX_TICKS 64
#define MAX_MINOR 512

typedef struct svg_axis {
    cb_svg_scale_t scale;
    double lo, hi;   /* data units */
    double tlo, thi; /* transformed */
    double p0, p1;   /* pixels of lo, hi */
    double ticks[MAX_TICKS];
    int nticks;
    double minor[MAX_MINOR];
    int nminor;
    double step; /* linear */
} svg_axis_t;

/* svg_text.c */
/* Rough rendered width of text in px at a font size. */
double svg_text_w(const char *s, double size);
/* How many characters fit in px at a font size (at least 4). */
size_t svg_chars_fit(double px, double size);

/* svg_axes.c */
/* Range [mn, mx] (valid values; a default range when none) and ticks of an
 * axis; from_zero: a linear axis includes 0; integer: whole-number steps. */
void svg_axis_setup(svg_axis_t *a, cb_svg_scale_t scale, double mn, double mx, int from_zero,
                    int integer);
/* Whether v can be drawn on the axis (finite; > 0 on log axes). */
int svg_valid(const svg_axis_t *a, double v);
/* Pixel of a data value. */
double svg_pix(const svg_axis_t *a, double v);

/* <svg> element with its <title> and a white background. */
void svg_open(FILE *f, int w, int h, const char *title);
/* A plot title centred at x, shortened to maxw px. */
void svg_title(FILE *f, double x, double y, double maxw, const char *title);
/* Grid, frame, ticks and axis labels of the plot area L..R x T..B. */
void svg_draw_axes(FILE *f, const svg_axis_t *x, const svg_axis_t *y, double L, double T,
                   double R, double B, const char *xlabel, const char *ylabel, int xgrid);
/* "no data" in the middle of an empty plot area. */
void svg_no_data(FILE *f, double L, double T, double R, double B);
/* A marker of radius r at (x, y). */
void svg_draw_marker(FILE *f, cb_svg_marker_t m, double x, double y, const char *color,
                     double r);
/* The marker and colour of series i (automatic ones by index). */
cb_svg_marker_t svg_series_marker(const cb_svg_series_t *s, size_t i);
const char *svg_series_color(const cb_svg_series_t *s, size_t i);
/* Colour of a reference line (grey when automatic). */
const char *svg_ref_color(const cb_svg_ref_t *r);

#endif
