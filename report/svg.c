/* svg: inline SVG plots for report.html (see svg.h): line plots with
 * reference lines and an outside legend, bar charts with a highlighted bar,
 * (heat maps: svg_heat.c). Axes and text come from svg_axes.c and
 * svg_text.c. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "svg_priv.h"

#define DEF_W 900
#define DEF_H 420
#define NORMAL_BAR "#4c78a8"

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
            double w = svg_text_w(p->series[i].label, 11.5);
            legw = w > legw ? w : legw;
        }
    for (size_t i = 0; i < p->nrefs; i++)
        if (p->refs[i].label) {
            nleg++;
            double w = svg_text_w(p->refs[i].label, 11.5);
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
    svg_axis_t ax, ay;
    ax.scale = p->xscale;
    ay.scale = p->yscale;
    double xmn = INFINITY, xmx = -INFINITY, ymn = INFINITY, ymx = -INFINITY;
    size_t npts = 0;
    for (size_t i = 0; i < p->nseries; i++) {
        const cb_svg_series_t *s = &p->series[i];
        for (size_t j = 0; j < s->n; j++) {
            if (!svg_valid(&ax, s->x[j]) || !svg_valid(&ay, s->y[j]))
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
        if (r->vertical && svg_valid(&ax, r->value)) {
            xmn = fmin(xmn, r->value);
            xmx = fmax(xmx, r->value);
        } else if (!r->vertical && svg_valid(&ay, r->value)) {
            ymn = fmin(ymn, r->value);
            ymx = fmax(ymx, r->value);
        }
    }
    if (!npts)
        xmn = xmx = ymn = ymx = NAN;
    svg_axis_setup(&ax, p->xscale, xmn, xmx, 0, p->x_integer);
    svg_axis_setup(&ay, p->yscale, ymn, ymx, p->y_from_zero, 0);
    ax.p0 = L;
    ax.p1 = R;
    ay.p0 = B;
    ay.p1 = T;

    svg_open(f, W, H, p->title);
    svg_title(f, W / 2.0, 24, W - 20, p->title);
    svg_draw_axes(f, &ax, &ay, L, T, R, B, p->xlabel, p->ylabel, 1);
    if (!npts)
        svg_no_data(f, L, T, R, B);

    /* Reference lines. */
    for (size_t i = 0; i < p->nrefs && npts; i++) {
        const cb_svg_ref_t *r = &p->refs[i];
        if (r->vertical ? !svg_valid(&ax, r->value) : !svg_valid(&ay, r->value))
            continue;
        if (r->vertical)
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" ",
                    svg_pix(&ax, r->value), T, svg_pix(&ax, r->value), B);
        else
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" ", L,
                    svg_pix(&ay, r->value), R, svg_pix(&ay, r->value));
        fprintf(f, "stroke=\"%s\" stroke-width=\"1.6\" stroke-dasharray=\"7 4\"/>\n",
                svg_ref_color(r));
    }

    /* Series: lines first, then markers on top. */
    for (size_t i = 0; i < p->nseries; i++) {
        const cb_svg_series_t *s = &p->series[i];
        if (!s->line)
            continue;
        int open = 0;
        for (size_t j = 0; j < s->n; j++) {
            int ok = svg_valid(&ax, s->x[j]) && svg_valid(&ay, s->y[j]);
            if (ok && !open) {
                fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                           "stroke-linejoin=\"round\"%s points=\"",
                        svg_series_color(s, i), s->dashed ? " stroke-dasharray=\"5 3\"" : "");
                open = 1;
            } else if (!ok && open) {
                fputs("\"/>\n", f);
                open = 0;
            }
            if (ok)
                fprintf(f, "%.1f,%.1f ", svg_pix(&ax, s->x[j]), svg_pix(&ay, s->y[j]));
        }
        if (open)
            fputs("\"/>\n", f);
    }
    for (size_t i = 0; i < p->nseries; i++) {
        const cb_svg_series_t *s = &p->series[i];
        cb_svg_marker_t m = svg_series_marker(s, i);
        double r = s->line ? 3.2 : 5;
        for (size_t j = 0; j < s->n; j++)
            if (svg_valid(&ax, s->x[j]) && svg_valid(&ay, s->y[j]))
                svg_draw_marker(f, m, svg_pix(&ax, s->x[j]), svg_pix(&ay, s->y[j]),
                                svg_series_color(s, i), r);
    }

    /* Legend, right of the plot area. */
    if (nleg) {
        double lx = R + 16, ly = T + 6;
        size_t maxc = svg_chars_fit(legw - LEG_SAMPLE - 12, 11.5);
        fputs("<g class=\"legend\" font-size=\"11.5\" fill=\"#222222\">\n", f);
        for (size_t i = 0; i < p->nseries; i++) {
            const cb_svg_series_t *s = &p->series[i];
            if (!s->label)
                continue;
            double cy = ly + LEG_ROW / 2;
            if (s->line)
                fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                           "stroke-width=\"2\"%s/>\n",
                        lx, cy, lx + LEG_SAMPLE - 6, cy, svg_series_color(s, i),
                        s->dashed ? " stroke-dasharray=\"5 3\"" : "");
            svg_draw_marker(f, svg_series_marker(s, i), lx + (LEG_SAMPLE - 6) / 2, cy,
                            svg_series_color(s, i), s->line ? 3.2 : 4.5);
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
                        svg_ref_color(r));
            else
                fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                           "stroke-width=\"1.6\" stroke-dasharray=\"7 4\"/>\n",
                        lx, cy, lx + LEG_SAMPLE - 6, cy, svg_ref_color(r));
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
        maxlab = fmax(maxlab, svg_text_w(b->bars[i].label, 11));
        const char *nl = b->bars[i].note ? strchr(b->bars[i].note, '\n') : NULL;
        double w = nl ? fmax(svg_text_w(nl + 1, 11), (double)(nl - b->bars[i].note) * 11 * 0.58)
                      : svg_text_w(b->bars[i].note, 11);
        maxnote = fmax(maxnote, w);
    }
    double slot = fmax(56, fmin(140, fmax(maxlab, maxnote) + 14));
    double legw = 0;
    if (b->legend_normal)
        legw += 37 + svg_text_w(b->legend_normal, 11.5);
    if (b->legend_highlight)
        legw += 37 + svg_text_w(b->legend_highlight, 11.5);
    for (size_t i = 0; i < b->nrefs; i++)
        legw += 49 + svg_text_w(b->refs[i].label, 11.5);
    double need = fmax(fmax(110 + slot * (double)b->n, svg_text_w(b->title, 15) * 1.08 + 40),
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
    svg_axis_t ay;
    svg_axis_setup(&ay, CB_SVG_LINEAR, 0, mx * 1.14, 1, 0);
    ay.p0 = B;
    ay.p1 = T;
    svg_axis_t ax;
    memset(&ax, 0, sizeof ax);

    svg_open(f, W, H, b->title);
    svg_title(f, W / 2.0, 24, W - 20, b->title);
    svg_draw_axes(f, &ax, &ay, L, T, R, B, NULL, b->ylabel, 0);
    if (!nvalid)
        svg_no_data(f, L, T, R, B);

    /* Legend in a row under the title. */
    double lx = L;
    fputs("<g class=\"legend\" font-size=\"11.5\" fill=\"#222222\">\n", f);
    if (b->legend_normal) {
        fprintf(f, "<rect x=\"%.1f\" y=\"38\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", lx,
                NORMAL_BAR);
        fprintf(f, "<text x=\"%.1f\" y=\"48\">", lx + 17);
        cb_svg_escape(f, b->legend_normal);
        fputs("</text>\n", f);
        lx += 17 + svg_text_w(b->legend_normal, 11.5) + 20;
    }
    if (b->legend_highlight) {
        fprintf(f, "<rect x=\"%.1f\" y=\"38\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", lx,
                HILITE);
        fprintf(f, "<text x=\"%.1f\" y=\"48\">", lx + 17);
        cb_svg_escape(f, b->legend_highlight);
        fputs("</text>\n", f);
        lx += 17 + svg_text_w(b->legend_highlight, 11.5) + 20;
    }
    for (size_t i = 0; i < b->nrefs; i++) {
        const cb_svg_ref_t *r = &b->refs[i];
        if (!r->label)
            continue;
        fprintf(f, "<line x1=\"%.1f\" y1=\"44\" x2=\"%.1f\" y2=\"44\" stroke=\"%s\" "
                   "stroke-width=\"1.6\" stroke-dasharray=\"7 4\"/>\n",
                lx, lx + 24, svg_ref_color(r));
        fprintf(f, "<text x=\"%.1f\" y=\"48\">", lx + 29);
        cb_svg_escape(f, r->label);
        fputs("</text>\n", f);
        lx += 29 + svg_text_w(r->label, 11.5) + 20;
    }
    fputs("</g>\n", f);

    char vb[64];
    for (size_t i = 0; i < b->n; i++) {
        const cb_svg_bar_t *bar = &b->bars[i];
        double cx = L + slot * ((double)i + 0.5), bw = fmin(slot * 0.62, 70);
        if (isfinite(bar->value)) {
            double y = svg_pix(&ay, fmax(bar->value, 0));
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
                cb_svg_escape_max(f, first, svg_chars_fit(slot + 10, 11));
                fputs("</text>\n", f);
                note = nl + 1;
            }
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\"%s>",
                    cx, y - 5, attr);
            cb_svg_escape_max(f, note, svg_chars_fit(slot + 10, 11));
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
            cb_svg_escape_max(f, bar->label, svg_chars_fit((labh - 10) / 0.6, 11));
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
                L, svg_pix(&ay, r->value), R, svg_pix(&ay, r->value), svg_ref_color(r));
    }
    fputs("</svg>\n", f);
    return ferror(f) ? -1 : 0;
}
