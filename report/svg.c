/* svg: inline SVG plots for report.html (see svg.h): axes with decade and
 * byte ticks, line plots with reference lines and an outside legend, bar
 * charts with a highlighted bar, heat maps with labelled cells. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "svg.h"

#define DEF_W 900
#define DEF_H 420
#define FONT "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
#define MAX_TICKS 64
#define MAX_MINOR 512

static const char *palette[CB_SVG_NCOLORS] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#d62728",
};
#define REF_GREY "#555555"
#define HILITE "#d62728"
#define NORMAL_BAR "#4c78a8"

const char *cb_svg_color(int i)
{
    if (i < 0)
        i = -i;
    return palette[i % CB_SVG_NCOLORS];
}

/* ------------------------------------------------------------ text */

/* Length of a valid UTF-8 sequence at s (1..4), 0 when invalid. */
static int utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && s[1] >= 0xA0)
            return 0; /* surrogate */
        if (c == 0xEF && s[1] == 0xBF && (s[2] == 0xBE || s[2] == 0xBF))
            return 0; /* U+FFFE, U+FFFF: not XML characters */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90)
            return 0;
        if (c == 0xF4 && s[1] >= 0x90)
            return 0;
        return 4;
    }
    return 0;
}

int cb_svg_utf8_len(const char *s)
{
    return utf8_len((const unsigned char *)s);
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int l = utf8_len(p);
        p += l ? l : 1;
        n++;
    }
    return n;
}

void cb_svg_escape_max(FILE *f, const char *s, size_t max_chars)
{
    if (!s)
        return;
    size_t total = utf8_chars(s), n = 0;
    int cut = max_chars > 0 && total > max_chars;
    size_t keep = cut ? max_chars - 1 : total;
    for (const unsigned char *p = (const unsigned char *)s; *p && n < keep; n++) {
        int l = utf8_len(p);
        unsigned char c = *p;
        if (l == 0) {
            fputs("\xEF\xBF\xBD", f);
            p++;
            continue;
        }
        if (l == 1) {
            switch (c) {
            case '&': fputs("&amp;", f); break;
            case '<': fputs("&lt;", f); break;
            case '>': fputs("&gt;", f); break;
            case '"': fputs("&quot;", f); break;
            case '\'': fputs("&#39;", f); break;
            case '\t': case '\n': case '\r': fputc(' ', f); break;
            default:
                if (c < 0x20 || c == 0x7F)
                    fputs("\xEF\xBF\xBD", f);
                else
                    fputc(c, f);
            }
        } else {
            fwrite(p, 1, (size_t)l, f);
        }
        p += l;
    }
    if (cut)
        fputs("\xE2\x80\xA6", f); /* … */
}

void cb_svg_escape(FILE *f, const char *s)
{
    cb_svg_escape_max(f, s, 0);
}

/* Rough rendered width of text in px at a font size (average glyph of a
 * sans-serif face ~0.58 em). */
static double text_w(const char *s, double size)
{
    return s ? (double)utf8_chars(s) * size * 0.58 : 0;
}

/* How many characters fit in px at a font size. */
static size_t chars_fit(double px, double size)
{
    double n = px / (size * 0.58);
    return n < 4 ? 4 : (size_t)n;
}

/* ------------------------------------------------------------ axes */

typedef struct axis {
    cb_svg_scale_t scale;
    double lo, hi;   /* data units */
    double tlo, thi; /* transformed */
    double p0, p1;   /* pixels of lo, hi */
    double ticks[MAX_TICKS];
    int nticks;
    double minor[MAX_MINOR];
    int nminor;
    double step; /* linear */
} axis_t;

static double tr(const axis_t *a, double v)
{
    switch (a->scale) {
    case CB_SVG_LOG10: return log10(v);
    case CB_SVG_BYTES: return log2(v);
    default: return v;
    }
}

static int valid(const axis_t *a, double v)
{
    return isfinite(v) && (a->scale == CB_SVG_LINEAR || v > 0);
}

static double pix(const axis_t *a, double v)
{
    double span = a->thi - a->tlo;
    return a->p0 + (tr(a, v) - a->tlo) / (span > 0 ? span : 1) * (a->p1 - a->p0);
}

static void add_tick(axis_t *a, double v)
{
    if (a->nticks < MAX_TICKS)
        a->ticks[a->nticks++] = v;
}

static void add_minor(axis_t *a, double v)
{
    if (a->nminor < MAX_MINOR)
        a->minor[a->nminor++] = v;
}

/* Set up the range [mn, mx] (valid values) and ticks. */
static void axis_setup(axis_t *a, cb_svg_scale_t scale, double mn, double mx, int from_zero,
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
    a->tlo = tr(a, a->lo);
    a->thi = tr(a, a->hi);
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

static void svg_open(FILE *f, int w, int h, const char *title)
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

static void svg_title(FILE *f, double x, double y, double maxw, const char *title)
{
    fprintf(f,
            "<text class=\"plot-title\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
            "font-size=\"15\" font-weight=\"bold\" fill=\"#222222\">",
            x, y);
    cb_svg_escape_max(f, title, chars_fit(maxw, 15));
    fputs("</text>\n", f);
}

static void draw_marker(FILE *f, cb_svg_marker_t m, double x, double y, const char *color,
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

static cb_svg_marker_t series_marker(const cb_svg_series_t *s, size_t i)
{
    if (s->marker != CB_SVG_MARK_AUTO)
        return s->marker;
    return (cb_svg_marker_t)(CB_SVG_MARK_CIRCLE + (int)(i % 4));
}

static const char *series_color(const cb_svg_series_t *s, size_t i)
{
    return cb_svg_color(s->color == CB_SVG_COLOR_AUTO ? (int)i : s->color);
}

static const char *ref_color(const cb_svg_ref_t *r)
{
    return r->color == CB_SVG_COLOR_AUTO ? REF_GREY : cb_svg_color(r->color);
}

/* Grid, frame, ticks and axis labels of a plot area. */
static void draw_axes(FILE *f, const axis_t *x, const axis_t *y, double L, double T, double R,
                      double B, const char *xlabel, const char *ylabel, int xgrid)
{
    char lb[48];
    fputs("<g class=\"grid\" stroke-width=\"1\">\n", f);
    for (int i = 0; i < y->nminor; i++)
        if (y->minor[i] > y->lo && y->minor[i] < y->hi)
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#f0f0f0\"/>\n",
                    L, pix(y, y->minor[i]), R, pix(y, y->minor[i]));
    for (int i = 0; xgrid && i < x->nminor; i++)
        if (x->minor[i] > x->lo && x->minor[i] < x->hi)
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#f0f0f0\"/>\n",
                    pix(x, x->minor[i]), T, pix(x, x->minor[i]), B);
    for (int i = 0; i < y->nticks; i++)
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dcdcdc\"/>\n", L,
                pix(y, y->ticks[i]), R, pix(y, y->ticks[i]));
    for (int i = 0; xgrid && i < x->nticks; i++)
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dcdcdc\"/>\n",
                pix(x, x->ticks[i]), T, pix(x, x->ticks[i]), B);
    fputs("</g>\n", f);
    fprintf(f,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
            "stroke=\"#333333\" stroke-width=\"1\"/>\n",
            L, T, R - L, B - T);
    fputs("<g class=\"ticks\" fill=\"#333333\" font-size=\"11\">\n", f);
    for (int i = 0; xgrid && i < x->nticks; i++) {
        double px = pix(x, x->ticks[i]);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
                px, B, px, B + 5);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", px, B + 18,
                cb_svg_tick_label(x->scale, x->ticks[i], lb, sizeof lb));
    }
    for (int i = 0; xgrid && i < x->nminor; i++)
        if (x->minor[i] > x->lo && x->minor[i] < x->hi)
            fprintf(f,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
                    pix(x, x->minor[i]), B, pix(x, x->minor[i]), B + 3);
    for (int i = 0; i < y->nticks; i++) {
        double py = pix(y, y->ticks[i]);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
                L - 5, py, L, py);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", L - 8, py + 4,
                cb_svg_tick_label(y->scale, y->ticks[i], lb, sizeof lb));
    }
    for (int i = 0; i < y->nminor; i++)
        if (y->minor[i] > y->lo && y->minor[i] < y->hi)
            fprintf(f,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
                    L - 3, pix(y, y->minor[i]), L, pix(y, y->minor[i]));
    fputs("</g>\n", f);
    if (xlabel) {
        fprintf(f, "<text class=\"axis-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                   "font-size=\"12.5\" fill=\"#222222\">",
                (L + R) / 2, B + 40);
        cb_svg_escape_max(f, xlabel, chars_fit(R - L + 100, 12.5));
        fputs("</text>\n", f);
    }
    if (ylabel) {
        fprintf(f, "<text class=\"axis-label\" transform=\"translate(17 %.1f) rotate(-90)\" "
                   "text-anchor=\"middle\" font-size=\"12.5\" fill=\"#222222\">",
                (T + B) / 2);
        cb_svg_escape_max(f, ylabel, chars_fit(B - T + 60, 12.5));
        fputs("</text>\n", f);
    }
}

static void no_data(FILE *f, double L, double T, double R, double B)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"14\" "
               "fill=\"#888888\">no data</text>\n",
            (L + R) / 2, (T + B) / 2);
}

/* ------------------------------------------------------------ line plot */

#define LEG_ROW 18.0
#define LEG_SAMPLE 30.0
#define LEG_MAXW 290.0

int cb_svg_line_plot(FILE *f, const cb_svg_plot_t *p)
{
    int W = p->width > 0 ? p->width : DEF_W, H = p->height > 0 ? p->height : DEF_H;

    /* Legend size. */
    size_t nleg = 0;
    double legw = 0;
    for (size_t i = 0; i < p->nseries; i++)
        if (p->series[i].label) {
            nleg++;
            double w = text_w(p->series[i].label, 11.5);
            legw = w > legw ? w : legw;
        }
    for (size_t i = 0; i < p->nrefs; i++)
        if (p->refs[i].label) {
            nleg++;
            double w = text_w(p->refs[i].label, 11.5);
            legw = w > legw ? w : legw;
        }
    legw = nleg ? legw + LEG_SAMPLE + 22 : 0;
    if (legw > LEG_MAXW)
        legw = LEG_MAXW;
    double L = 74, T = 46, R = W - (nleg ? legw + 24 : 24), B = H - 58;
    double need = nleg * LEG_ROW + 16;
    if (need > B - T) {
        H += (int)ceil(need - (B - T));
        B = H - 58;
    }

    /* Data ranges. */
    axis_t ax, ay;
    ax.scale = p->xscale;
    ay.scale = p->yscale;
    double xmn = INFINITY, xmx = -INFINITY, ymn = INFINITY, ymx = -INFINITY;
    size_t npts = 0;
    for (size_t i = 0; i < p->nseries; i++) {
        const cb_svg_series_t *s = &p->series[i];
        for (size_t j = 0; j < s->n; j++) {
            if (!valid(&ax, s->x[j]) || !valid(&ay, s->y[j]))
                continue;
            npts++;
            xmn = fmin(xmn, s->x[j]);
            xmx = fmax(xmx, s->x[j]);
            ymn = fmin(ymn, s->y[j]);
            ymx = fmax(ymx, s->y[j]);
        }
    }
    for (size_t i = 0; i < p->nrefs && npts; i++) {
        const cb_svg_ref_t *r = &p->refs[i];
        if (r->vertical && valid(&ax, r->value)) {
            xmn = fmin(xmn, r->value);
            xmx = fmax(xmx, r->value);
        } else if (!r->vertical && valid(&ay, r->value)) {
            ymn = fmin(ymn, r->value);
            ymx = fmax(ymx, r->value);
        }
    }
    if (!npts)
        xmn = xmx = ymn = ymx = NAN;
    axis_setup(&ax, p->xscale, xmn, xmx, 0, p->x_integer);
    axis_setup(&ay, p->yscale, ymn, ymx, p->y_from_zero, 0);
    ax.p0 = L;
    ax.p1 = R;
    ay.p0 = B;
    ay.p1 = T;

    svg_open(f, W, H, p->title);
    svg_title(f, W / 2.0, 24, W - 20, p->title);
    draw_axes(f, &ax, &ay, L, T, R, B, p->xlabel, p->ylabel, 1);
    if (!npts)
        no_data(f, L, T, R, B);

    /* Reference lines. */
    for (size_t i = 0; i < p->nrefs && npts; i++) {
        const cb_svg_ref_t *r = &p->refs[i];
        if (r->vertical ? !valid(&ax, r->value) : !valid(&ay, r->value))
            continue;
        if (r->vertical)
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" ",
                    pix(&ax, r->value), T, pix(&ax, r->value), B);
        else
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" ", L,
                    pix(&ay, r->value), R, pix(&ay, r->value));
        fprintf(f, "stroke=\"%s\" stroke-width=\"1.6\" stroke-dasharray=\"7 4\"/>\n",
                ref_color(r));
    }

    /* Series: lines first, then markers on top. */
    for (size_t i = 0; i < p->nseries; i++) {
        const cb_svg_series_t *s = &p->series[i];
        if (!s->line)
            continue;
        int open = 0;
        for (size_t j = 0; j < s->n; j++) {
            int ok = valid(&ax, s->x[j]) && valid(&ay, s->y[j]);
            if (ok && !open) {
                fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                           "stroke-linejoin=\"round\"%s points=\"",
                        series_color(s, i), s->dashed ? " stroke-dasharray=\"5 3\"" : "");
                open = 1;
            } else if (!ok && open) {
                fputs("\"/>\n", f);
                open = 0;
            }
            if (ok)
                fprintf(f, "%.1f,%.1f ", pix(&ax, s->x[j]), pix(&ay, s->y[j]));
        }
        if (open)
            fputs("\"/>\n", f);
    }
    for (size_t i = 0; i < p->nseries; i++) {
        const cb_svg_series_t *s = &p->series[i];
        cb_svg_marker_t m = series_marker(s, i);
        double r = s->line ? 3.2 : 5;
        for (size_t j = 0; j < s->n; j++)
            if (valid(&ax, s->x[j]) && valid(&ay, s->y[j]))
                draw_marker(f, m, pix(&ax, s->x[j]), pix(&ay, s->y[j]), series_color(s, i), r);
    }

    /* Legend, right of the plot area. */
    if (nleg) {
        double lx = R + 16, ly = T + 6;
        size_t maxc = chars_fit(legw - LEG_SAMPLE - 12, 11.5);
        fputs("<g class=\"legend\" font-size=\"11.5\" fill=\"#222222\">\n", f);
        for (size_t i = 0; i < p->nseries; i++) {
            const cb_svg_series_t *s = &p->series[i];
            if (!s->label)
                continue;
            double cy = ly + LEG_ROW / 2;
            if (s->line)
                fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                           "stroke-width=\"2\"%s/>\n",
                        lx, cy, lx + LEG_SAMPLE - 6, cy, series_color(s, i),
                        s->dashed ? " stroke-dasharray=\"5 3\"" : "");
            draw_marker(f, series_marker(s, i), lx + (LEG_SAMPLE - 6) / 2, cy,
                        series_color(s, i), s->line ? 3.2 : 4.5);
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", lx + LEG_SAMPLE, cy + 4);
            cb_svg_escape_max(f, s->label, maxc);
            fputs("</text>\n", f);
            ly += LEG_ROW;
        }
        for (size_t i = 0; i < p->nrefs; i++) {
            const cb_svg_ref_t *r = &p->refs[i];
            if (!r->label)
                continue;
            double cy = ly + LEG_ROW / 2;
            if (r->vertical)
                fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                           "stroke-width=\"1.6\" stroke-dasharray=\"4 3\"/>\n",
                        lx + (LEG_SAMPLE - 6) / 2, cy - 7, lx + (LEG_SAMPLE - 6) / 2, cy + 7,
                        ref_color(r));
            else
                fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                           "stroke-width=\"1.6\" stroke-dasharray=\"7 4\"/>\n",
                        lx, cy, lx + LEG_SAMPLE - 6, cy, ref_color(r));
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", lx + LEG_SAMPLE, cy + 4);
            cb_svg_escape_max(f, r->label, maxc);
            fputs("</text>\n", f);
            ly += LEG_ROW;
        }
        fputs("</g>\n", f);
    }
    fputs("</svg>\n", f);
    return ferror(f) ? -1 : 0;
}

/* ------------------------------------------------------------ bar chart */

int cb_svg_bar_chart(FILE *f, const cb_svg_bars_t *b)
{
    double maxlab = 0, maxnote = 0;
    for (size_t i = 0; i < b->n; i++) {
        maxlab = fmax(maxlab, text_w(b->bars[i].label, 11));
        const char *nl = b->bars[i].note ? strchr(b->bars[i].note, '\n') : NULL;
        double w = nl ? fmax(text_w(nl + 1, 11), (double)(nl - b->bars[i].note) * 11 * 0.58)
                      : text_w(b->bars[i].note, 11);
        maxnote = fmax(maxnote, w);
    }
    double slot = fmax(56, fmin(140, fmax(maxlab, maxnote) + 14));
    double legw = 0;
    if (b->legend_normal)
        legw += 37 + text_w(b->legend_normal, 11.5);
    if (b->legend_highlight)
        legw += 37 + text_w(b->legend_highlight, 11.5);
    for (size_t i = 0; i < b->nrefs; i++)
        legw += 49 + text_w(b->refs[i].label, 11.5);
    double need = fmax(fmax(110 + slot * (double)b->n, text_w(b->title, 15) * 1.08 + 40),
                       74 + legw + 24);
    int W = b->width > 0 ? b->width : (int)fmin(1180, fmax(460, need));
    double L = 74, R = W - 24, T = 66;
    slot = b->n ? (R - L) / (double)b->n : R - L;
    int rotate = maxlab > slot - 6;
    double labh = rotate ? fmin(130, maxlab * 0.6 + 14) : 18;
    int H = b->height > 0 ? b->height : (int)(T + 240 + labh + 34);
    double B = H - labh - 34;

    double mx = 0;
    size_t nvalid = 0;
    for (size_t i = 0; i < b->n; i++)
        if (isfinite(b->bars[i].value)) {
            mx = fmax(mx, b->bars[i].value);
            nvalid++;
        }
    for (size_t i = 0; i < b->nrefs; i++)
        if (isfinite(b->refs[i].value))
            mx = fmax(mx, b->refs[i].value);
    axis_t ay;
    axis_setup(&ay, CB_SVG_LINEAR, 0, mx * 1.14, 1, 0);
    ay.p0 = B;
    ay.p1 = T;
    axis_t ax;
    memset(&ax, 0, sizeof ax);

    svg_open(f, W, H, b->title);
    svg_title(f, W / 2.0, 24, W - 20, b->title);
    draw_axes(f, &ax, &ay, L, T, R, B, NULL, b->ylabel, 0);
    if (!nvalid)
        no_data(f, L, T, R, B);

    /* Legend in a row under the title. */
    double lx = L;
    fputs("<g class=\"legend\" font-size=\"11.5\" fill=\"#222222\">\n", f);
    if (b->legend_normal) {
        fprintf(f, "<rect x=\"%.1f\" y=\"38\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", lx,
                NORMAL_BAR);
        fprintf(f, "<text x=\"%.1f\" y=\"48\">", lx + 17);
        cb_svg_escape(f, b->legend_normal);
        fputs("</text>\n", f);
        lx += 17 + text_w(b->legend_normal, 11.5) + 20;
    }
    if (b->legend_highlight) {
        fprintf(f, "<rect x=\"%.1f\" y=\"38\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", lx,
                HILITE);
        fprintf(f, "<text x=\"%.1f\" y=\"48\">", lx + 17);
        cb_svg_escape(f, b->legend_highlight);
        fputs("</text>\n", f);
        lx += 17 + text_w(b->legend_highlight, 11.5) + 20;
    }
    for (size_t i = 0; i < b->nrefs; i++) {
        const cb_svg_ref_t *r = &b->refs[i];
        if (!r->label)
            continue;
        fprintf(f, "<line x1=\"%.1f\" y1=\"44\" x2=\"%.1f\" y2=\"44\" stroke=\"%s\" "
                   "stroke-width=\"1.6\" stroke-dasharray=\"7 4\"/>\n",
                lx, lx + 24, ref_color(r));
        fprintf(f, "<text x=\"%.1f\" y=\"48\">", lx + 29);
        cb_svg_escape(f, r->label);
        fputs("</text>\n", f);
        lx += 29 + text_w(r->label, 11.5) + 20;
    }
    fputs("</g>\n", f);

    char vb[64];
    for (size_t i = 0; i < b->n; i++) {
        const cb_svg_bar_t *bar = &b->bars[i];
        double cx = L + slot * ((double)i + 0.5), bw = fmin(slot * 0.62, 70);
        if (isfinite(bar->value)) {
            double y = pix(&ay, fmax(bar->value, 0));
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
                    cx - bw / 2, y, bw, B - y, bar->highlight ? HILITE : NORMAL_BAR);
            const char *note = bar->note;
            if (!note) {
                snprintf(vb, sizeof vb, "%.3g", bar->value);
                note = vb;
            }
            /* a note of two lines ("SLOW\n76%") stacks upward from the bar */
            const char *nl = strchr(note, '\n');
            const char *attr = bar->highlight ? " font-weight=\"bold\" fill=\"#b01c1c\""
                                              : " fill=\"#222222\"";
            if (nl) {
                char first[128];
                snprintf(first, sizeof first, "%.*s", (int)(nl - note), note);
                fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                           "font-size=\"11\"%s>",
                        cx, y - 19, attr);
                cb_svg_escape_max(f, first, chars_fit(slot + 10, 11));
                fputs("</text>\n", f);
                note = nl + 1;
            }
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\"%s>",
                    cx, y - 5, attr);
            cb_svg_escape_max(f, note, chars_fit(slot + 10, 11));
            fputs("</text>\n", f);
        } else {
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" "
                       "fill=\"#888888\">n/a</text>\n",
                    cx, B - 6);
        }
        if (rotate) {
            fprintf(f, "<text transform=\"translate(%.1f %.1f) rotate(-35)\" text-anchor=\"end\" "
                       "font-size=\"11\" fill=\"#222222\">",
                    cx + 4, B + 14);
            cb_svg_escape_max(f, bar->label, chars_fit((labh - 10) / 0.6, 11));
        } else {
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" "
                       "fill=\"#222222\">",
                    cx, B + 16);
            cb_svg_escape(f, bar->label);
        }
        fputs("</text>\n", f);
    }
    /* Reference lines over the bars. */
    for (size_t i = 0; i < b->nrefs; i++) {
        const cb_svg_ref_t *r = &b->refs[i];
        if (!isfinite(r->value))
            continue;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                   "stroke-width=\"1.6\" stroke-dasharray=\"7 4\"/>\n",
                L, pix(&ay, r->value), R, pix(&ay, r->value), ref_color(r));
    }
    fputs("</svg>\n", f);
    return ferror(f) ? -1 : 0;
}

/* ------------------------------------------------------------ heat map */

static void blues(double t, int rgb[3])
{
    static const int lo[3] = {239, 245, 255}, hi[3] = {8, 62, 134};
    if (!(t >= 0))
        t = 0;
    if (t > 1)
        t = 1;
    for (int i = 0; i < 3; i++)
        rgb[i] = (int)lround(lo[i] + (hi[i] - lo[i]) * t);
}

int cb_svg_heatmap(FILE *f, const cb_svg_heat_t *h)
{
    size_t n = h->n;
    double maxlab = 0;
    for (size_t i = 0; i < n; i++)
        maxlab = fmax(maxlab, text_w(h->labels[i], 11));
    maxlab = fmin(maxlab, 150);
    double cw = n ? fmax(58, fmin(96, 620.0 / (double)n)) : 60, ch = 34;
    int rotate = maxlab > cw - 6;
    double L = 40 + maxlab + 12, T = 58 + (rotate ? fmin(110, maxlab * 0.6 + 8) : 16);
    double gridw = cw * (double)n, gridh = ch * (double)n;
    double side = 60 + fmax(70, fmax(text_w(h->flag_legend, 11), text_w(h->unit, 11) + 40));
    int W = (int)fmax(fmax(420, L + gridw + side), text_w(h->title, 15) * 1.08 + 40);
    int H = (int)fmax(T + gridh + 40, T + fmin(gridh, 180) + 50);

    double vmax = 0, vmin = INFINITY;
    for (size_t i = 0; i < n * n; i++)
        if (isfinite(h->values[i])) {
            vmax = fmax(vmax, h->values[i]);
            vmin = fmin(vmin, h->values[i]);
        }

    svg_open(f, W, H, h->title);
    svg_title(f, W / 2.0, 24, W - 20, h->title);
    /* Axis titles: receivers across the top, senders down the left. */
    if (h->col_title) {
        fprintf(f, "<text x=\"%.1f\" y=\"44\" text-anchor=\"middle\" font-size=\"12.5\" "
                   "fill=\"#222222\">",
                L + gridw / 2);
        cb_svg_escape(f, h->col_title);
        fputs(" \xE2\x86\x92</text>\n", f);
    }
    if (h->row_title) {
        fprintf(f, "<text transform=\"translate(17 %.1f) rotate(-90)\" text-anchor=\"middle\" "
                   "font-size=\"12.5\" fill=\"#222222\">",
                T + gridh / 2);
        cb_svg_escape(f, h->row_title);
        fputs(" \xE2\x86\x92</text>\n", f);
    }
    size_t maxc = chars_fit(150, 11);
    for (size_t j = 0; j < n; j++) {
        double cx = L + cw * ((double)j + 0.5);
        if (rotate)
            fprintf(f, "<text transform=\"translate(%.1f %.1f) rotate(-35)\" font-size=\"11\" "
                       "fill=\"#222222\">",
                    cx - 4, T - 6);
        else
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" "
                       "fill=\"#222222\">",
                    cx, T - 6);
        cb_svg_escape_max(f, h->labels[j], maxc);
        fputs("</text>\n", f);
    }
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\" "
                   "fill=\"#222222\">",
                L - 6, T + ch * ((double)i + 0.5) + 4);
        cb_svg_escape_max(f, h->labels[i], maxc);
        fputs("</text>\n", f);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double v = h->values[i * n + j], x = L + cw * (double)j, y = T + ch * (double)i;
            int flag = h->flagged && h->flagged[i * n + j];
            if (!isfinite(v)) {
                fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                           "fill=\"#eeeeee\" stroke=\"#ffffff\"/>\n",
                        x, y, cw, ch);
                fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" "
                           "fill=\"#999999\">\xE2\x80\x94</text>\n",
                        x + cw / 2, y + ch / 2 + 4);
                continue;
            }
            int rgb[3];
            double t = vmax > 0 ? v / vmax : 0;
            blues(t, rgb);
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                       "fill=\"#%02x%02x%02x\" stroke=\"#ffffff\"/>\n",
                    x, y, cw, ch, rgb[0], rgb[1], rgb[2]);
            if (flag)
                fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                           "fill=\"none\" stroke=\"%s\" stroke-width=\"3\"/>\n",
                        x + 1.5, y + 1.5, cw - 3, ch - 3, HILITE);
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11.5\" "
                       "fill=\"%s\"%s>%.3g%s</text>\n",
                    x + cw / 2, y + ch / 2 + 4, t > 0.55 ? "#ffffff" : "#111111",
                    flag ? " font-weight=\"bold\"" : "", v, flag ? " !" : "");
        }
    /* Colour scale. */
    double sx = L + gridw + 28, sy = T, sh = fmin(gridh, 180), steps = 8;
    if (vmax > 0) {
        for (int k = 0; k < (int)steps; k++) {
            int rgb[3];
            blues(1 - (k + 0.5) / steps, rgb);
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"%.1f\" "
                       "fill=\"#%02x%02x%02x\"/>\n",
                    sx, sy + sh * k / steps, sh / steps + 0.5, rgb[0], rgb[1], rgb[2]);
        }
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"%.1f\" fill=\"none\" "
                   "stroke=\"#888888\"/>\n",
                sx, sy, sh);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#222222\">%.3g ",
                sx + 22, sy + 9, vmax);
        cb_svg_escape(f, h->unit);
        fputs("</text>\n", f);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#222222\">0</text>\n",
                sx + 22, sy + sh);
        (void)vmin;
    }
    if (h->flag_legend) {
        double fy = sy + sh + 22;
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"12\" fill=\"none\" "
                   "stroke=\"%s\" stroke-width=\"2.5\"/>\n",
                sx, fy - 10, HILITE);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#222222\">", sx + 22, fy);
        cb_svg_escape_max(f, h->flag_legend, chars_fit(W - sx - 26, 11));
        fputs("</text>\n", f);
    }
    if (!n || vmax <= 0)
        no_data(f, L, T, L + fmax(gridw, 200), T + fmax(gridh, 80));
    fputs("</svg>\n", f);
    return ferror(f) ? -1 : 0;
}
