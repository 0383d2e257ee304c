/* svg_axes: the SVG module's axes (linear, decade-log and byte-size scales:
 * ranges, ticks, tick labels) and the pieces every plot draws (the <svg>
 * element, title, grid and frame, markers, colours of series). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "svg_priv.h"

#define FONT "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
#define REF_GREY "#555555"

/* ------------------------------------------------------------ axes */

static double svg_tr(const svg_axis_t *a, double v)
{
    switch (a->scale) {
    case CB_SVG_LOG10: return log10(v);
    case CB_SVG_BYTES: return log2(v);
    default: return v;
    }
}

int svg_valid(const svg_axis_t *a, double v)
{
    return isfinite(v) && (a->scale == CB_SVG_LINEAR || v > 0);
}

double svg_pix(const svg_axis_t *a, double v)
{
    double span = a->thi - a->tlo;
    return a->p0 + (svg_tr(a, v) - a->tlo) / (span > 0 ? span : 1) * (a->p1 - a->p0);
}

static void add_tick(svg_axis_t *a, double v)
{
    if (a->nticks < MAX_TICKS)
        a->ticks[a->nticks++] = v;
}

static void add_minor(svg_axis_t *a, double v)
{
    if (a->nminor < MAX_MINOR)
        a->minor[a->nminor++] = v;
}

/* Set up the range [mn, mx] (svg_valid values) and ticks. */
void svg_axis_setup(svg_axis_t *a, cb_svg_scale_t scale, double mn, double mx, int from_zero,
                    int integer)
{
    memset(a, 0, sizeof *a);
    a->scale = scale;
    if (scale == CB_SVG_LINEAR) {
        if (!isfinite(mn) || !isfinite(mx)) {
            mn = 0;
            mx = 1;
        }
        if (from_zero) {
            if (mn > 0)
                mn = 0;
            if (mx < 0)
                mx = 0;
        }
        if (mx - mn <= 0) {
            double d = fabs(mx) > 0 ? fabs(mx) * 0.5 : 1;
            mn -= from_zero && mn >= 0 ? 0 : d;
            mx += d;
        }
        if (from_zero) /* value axes: a curve at the maximum stays off the frame */
            mx += (mx - mn) * 0.04;
        double raw = (mx - mn) / 5, mag = pow(10, floor(log10(raw))), norm = raw / mag;
        double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
        if (integer && step < 1)
            step = 1;
        if (integer && step == 2.5)
            step = 2;
        a->step = step;
        a->lo = floor(mn / step + 1e-9) * step;
        a->hi = ceil(mx / step - 1e-9) * step;
        if (a->hi <= a->lo)
            a->hi = a->lo + step;
        for (double v = a->lo; v <= a->hi + step * 1e-6; v += step)
            add_tick(a, fabs(v) < step * 1e-9 ? 0 : v);
    } else if (scale == CB_SVG_LOG10) {
        if (!(mn > 0) || !isfinite(mx)) {
            mn = 1;
            mx = 10;
        }
        int e0 = (int)floor(log10(mn) + 1e-9), e1 = (int)ceil(log10(mx) - 1e-9);
        if (e1 <= e0)
            e1 = e0 + 1;
        int dec = e1 - e0, k = (dec + 7) / 8;
        a->lo = pow(10, e0);
        a->hi = pow(10, e1);
        for (int e = e0; e <= e1; e++) {
            double d = pow(10, e);
            if ((e - e0) % k == 0)
                add_tick(a, d);
            else
                add_minor(a, d);
            if (e < e1 && dec <= 6)
                for (int m = 2; m <= 9; m++) {
                    if (dec <= 2 && (m == 2 || m == 5))
                        add_tick(a, m * d);
                    else
                        add_minor(a, m * d);
                }
        }
    } else {
        if (!(mn > 0) || !isfinite(mx)) {
            mn = 1;
            mx = 1024;
        }
        int e0 = (int)floor(log2(mn) + 1e-9), e1 = (int)ceil(log2(mx) - 1e-9);
        if (e1 <= e0) {
            e0--;
            e1++;
        }
        int r = e1 - e0, k = 1;
        static const int ks[] = {1, 2, 5, 10, 20, 50};
        for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
            k = ks[i];
            if (r / k <= 10)
                break;
        }
        a->lo = ldexp(1, e0);
        a->hi = ldexp(1, e1);
        for (int e = e0; e <= e1; e++) {
            int m = ((e % k) + k) % k;
            if (m == 0)
                add_tick(a, ldexp(1, e));
            else if (r <= 64)
                add_minor(a, ldexp(1, e));
        }
    }
    a->tlo = svg_tr(a, a->lo);
    a->thi = svg_tr(a, a->hi);
}

char *cb_svg_tick_label(cb_svg_scale_t s, double v, char *buf, size_t len)
{
    if (s == CB_SVG_BYTES) {
        static const char *suf[] = {"", "K", "M", "G", "T", "P", "E"};
        int e = (int)lround(log2(v));
        if (e < 0) {
            snprintf(buf, len, "%g", v);
            return buf;
        }
        int u = e / 10;
        if (u > 6)
            u = 6;
        snprintf(buf, len, "%.0f%s", ldexp(1, e - 10 * u), suf[u]);
        return buf;
    }
    if (s == CB_SVG_LOG10 && v > 0) {
        int e = (int)floor(log10(v) + 1e-9);
        double m = v / pow(10, e);
        if (e >= 3) {
            static const char *suf[] = {"k", "M", "G", "T", "P"};
            int u = e / 3 > 5 ? 5 : e / 3;
            snprintf(buf, len, "%.10g%s", v / pow(10, 3 * u), suf[u - 1]);
        } else if (e >= -3) {
            snprintf(buf, len, "%.10g", v);
        } else {
            snprintf(buf, len, "%.10ge%d", round(m * 10) / 10, e);
        }
        return buf;
    }
    snprintf(buf, len, "%.10g", fabs(v) < 1e-12 ? 0.0 : v);
    return buf;
}

/* ------------------------------------------------------------ pieces */

void svg_open(FILE *f, int w, int h, const char *title)
{
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"%s\" font-size=\"12\" "
            "role=\"img\">\n<title>",
            w, h, w, h, FONT);
    cb_svg_escape(f, title);
    fprintf(f, "</title>\n<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
            w, h);
}

void svg_title(FILE *f, double x, double y, double maxw, const char *title)
{
    fprintf(f,
            "<text class=\"plot-title\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
            "font-size=\"15\" font-weight=\"bold\" fill=\"#222222\">",
            x, y);
    cb_svg_escape_max(f, title, svg_chars_fit(maxw, 15));
    fputs("</text>\n", f);
}

void svg_draw_marker(FILE *f, cb_svg_marker_t m, double x, double y, const char *color,
                     double r)
{
    switch (m) {
    case CB_SVG_MARK_NONE:
    case CB_SVG_MARK_AUTO:
        break;
    case CB_SVG_MARK_CIRCLE:
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" stroke=\"#ffffff\" "
                   "stroke-width=\"0.8\"/>\n",
                x, y, r, color);
        break;
    case CB_SVG_MARK_SQUARE:
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                   "stroke=\"#ffffff\" stroke-width=\"0.8\"/>\n",
                x - r, y - r, 2 * r, 2 * r, color);
        break;
    case CB_SVG_MARK_TRIANGLE:
        fprintf(f, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\" stroke=\"#ffffff\" "
                   "stroke-width=\"0.8\"/>\n",
                x, y - 1.2 * r, x + 1.1 * r, y + 0.8 * r, x - 1.1 * r, y + 0.8 * r, color);
        break;
    case CB_SVG_MARK_DIAMOND:
        fprintf(f, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\" "
                   "stroke=\"#ffffff\" stroke-width=\"0.8\"/>\n",
                x, y - 1.4 * r, x + 1.4 * r, y, x, y + 1.4 * r, x - 1.4 * r, y, color);
        break;
    }
}

cb_svg_marker_t svg_series_marker(const cb_svg_series_t *s, size_t i)
{
    if (s->marker != CB_SVG_MARK_AUTO)
        return s->marker;
    return (cb_svg_marker_t)(CB_SVG_MARK_CIRCLE + (int)(i % 4));
}

const char *svg_series_color(const cb_svg_series_t *s, size_t i)
{
    return cb_svg_color(s->color == CB_SVG_COLOR_AUTO ? (int)i : s->color);
}

const char *svg_ref_color(const cb_svg_ref_t *r)
{
    return r->color == CB_SVG_COLOR_AUTO ? REF_GREY : cb_svg_color(r->color);
}

/* Grid, frame, ticks and axis labels of a plot area. */
void svg_draw_axes(FILE *f, const svg_axis_t *x, const svg_axis_t *y, double L, double T,
                   double R, double B, const char *xlabel, const char *ylabel, int xgrid)
{
    char lb[48];
    fputs("<g class=\"grid\" stroke-width=\"1\">\n", f);
    for (int i = 0; i < y->nminor; i++)
        if (y->minor[i] > y->lo && y->minor[i] < y->hi)
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#f0f0f0\"/>\n",
                    L, svg_pix(y, y->minor[i]), R, svg_pix(y, y->minor[i]));
    for (int i = 0; xgrid && i < x->nminor; i++)
        if (x->minor[i] > x->lo && x->minor[i] < x->hi)
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#f0f0f0\"/>\n",
                    svg_pix(x, x->minor[i]), T, svg_pix(x, x->minor[i]), B);
    for (int i = 0; i < y->nticks; i++)
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dcdcdc\"/>\n", L,
                svg_pix(y, y->ticks[i]), R, svg_pix(y, y->ticks[i]));
    for (int i = 0; xgrid && i < x->nticks; i++)
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dcdcdc\"/>\n",
                svg_pix(x, x->ticks[i]), T, svg_pix(x, x->ticks[i]), B);
    fputs("</g>\n", f);
    fprintf(f,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
            "stroke=\"#333333\" stroke-width=\"1\"/>\n",
            L, T, R - L, B - T);
    fputs("<g class=\"ticks\" fill=\"#333333\" font-size=\"11\">\n", f);
    for (int i = 0; xgrid && i < x->nticks; i++) {
        double px = svg_pix(x, x->ticks[i]);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
                px, B, px, B + 5);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", px, B + 18,
                cb_svg_tick_label(x->scale, x->ticks[i], lb, sizeof lb));
    }
    for (int i = 0; xgrid && i < x->nminor; i++)
        if (x->minor[i] > x->lo && x->minor[i] < x->hi)
            fprintf(f,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
                    svg_pix(x, x->minor[i]), B, svg_pix(x, x->minor[i]), B + 3);
    for (int i = 0; i < y->nticks; i++) {
        double py = svg_pix(y, y->ticks[i]);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
                L - 5, py, L, py);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", L - 8, py + 4,
                cb_svg_tick_label(y->scale, y->ticks[i], lb, sizeof lb));
    }
    for (int i = 0; i < y->nminor; i++)
        if (y->minor[i] > y->lo && y->minor[i] < y->hi)
            fprintf(f,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
                    L - 3, svg_pix(y, y->minor[i]), L, svg_pix(y, y->minor[i]));
    fputs("</g>\n", f);
    if (xlabel) {
        fprintf(f, "<text class=\"axis-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                   "font-size=\"12.5\" fill=\"#222222\">",
                (L + R) / 2, B + 40);
        cb_svg_escape_max(f, xlabel, svg_chars_fit(R - L + 100, 12.5));
        fputs("</text>\n", f);
    }
    if (ylabel) {
        fprintf(f, "<text class=\"axis-label\" transform=\"translate(17 %.1f) rotate(-90)\" "
                   "text-anchor=\"middle\" font-size=\"12.5\" fill=\"#222222\">",
                (T + B) / 2);
        cb_svg_escape_max(f, ylabel, svg_chars_fit(B - T + 60, 12.5));
        fputs("</text>\n", f);
    }
}

void svg_no_data(FILE *f, double L, double T, double R, double B)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"14\" "
               "fill=\"#888888\">no data</text>\n",
            (L + R) / 2, (T + B) / 2);
}
