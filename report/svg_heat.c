/* svg_heat: the heat map of a square matrix (see svg.h). While it fits
 * HEAT_MAX_W, wide cells with each value written in; beyond, a compact grid
 * that fits it (cells 28 px down to 2 px): no values in the
 * cells (each cell's <title> names its pair and value, shown on hover),
 * labels scaled to the cells and written on every k-th row and column so
 * they never overlap, columns' labels vertical. */
#include <math.h>
#include <stdio.h>

#include "svg_priv.h"

/* The widest heat map: report.html's column (1240 px less padding and the
 * plot's border) shows it at its size. */
#define HEAT_MAX_W 1200.0

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

/* The colour scale (0 .. vmax) at (sx, sy), sh high, and the flag legend
 * below it, in a plot W wide. */
static void heat_legend(FILE *f, const cb_svg_heat_t *h, double sx, double sy, double sh,
                        double vmax, int W)
{
    double steps = 8;
    /* Colour scale. */
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
    }
    if (h->flag_legend) {
        double fy = sy + sh + 22;
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"12\" fill=\"none\" "
                   "stroke=\"%s\" stroke-width=\"2.5\"/>\n",
                sx, fy - 10, HILITE);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#222222\">", sx + 22, fy);
        cb_svg_escape_max(f, h->flag_legend, svg_chars_fit(W - sx - 26, 11));
        fputs("</text>\n", f);
    }
}

/* Room right of the grid: the colour scale and the flag legend. */
static double legend_side(const cb_svg_heat_t *h)
{
    return 60 + fmax(70, fmax(svg_text_w(h->flag_legend, 11), svg_text_w(h->unit, 11) + 40));
}

/* Widest label at 11 px (at most 150 px). */
static double max_label_w(const cb_svg_heat_t *h)
{
    double maxlab = 0;
    for (size_t i = 0; i < h->n; i++)
        maxlab = fmax(maxlab, svg_text_w(h->labels[i], 11));
    return fmin(maxlab, 150);
}

/* Width of the full layout: cells 58..96 px wide. */
static double full_width(const cb_svg_heat_t *h, double maxlab)
{
    size_t n = h->n;
    double cw = n ? fmax(58, fmin(96, 620.0 / (double)n)) : 60;
    return fmax(fmax(420, 40 + maxlab + 12 + cw * (double)n + legend_side(h)),
                svg_text_w(h->title, 15) * 1.08 + 40);
}

/* The largest finite value (0 when none): the colour scale's top. */
static double heat_vmax(const cb_svg_heat_t *h)
{
    double vmax = 0;
    for (size_t i = 0; i < h->n * h->n; i++)
        if (isfinite(h->values[i]))
            vmax = fmax(vmax, h->values[i]);
    return vmax;
}

/* Axis titles: receivers across the top, senders down the left of a grid
 * gridw x gridh at (L, T). */
static void heat_axis_titles(FILE *f, const cb_svg_heat_t *h, double L, double T, double gridw,
                             double gridh)
{
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
}

/* Wide cells with their values written in, while that fits HEAT_MAX_W. */
static int heat_full(FILE *f, const cb_svg_heat_t *h)
{
    size_t n = h->n;
    double maxlab = max_label_w(h);
    double cw = n ? fmax(58, fmin(96, 620.0 / (double)n)) : 60, ch = 34;
    int rotate = maxlab > cw - 6;
    double L = 40 + maxlab + 12, T = 58 + (rotate ? fmin(110, maxlab * 0.6 + 8) : 16);
    double gridw = cw * (double)n, gridh = ch * (double)n;
    int W = (int)full_width(h, maxlab);
    int H = (int)fmax(T + gridh + 40, T + fmin(gridh, 180) + 50);

    double vmax = heat_vmax(h);

    svg_open(f, W, H, h->title);
    svg_title(f, W / 2.0, 24, W - 20, h->title);
    heat_axis_titles(f, h, L, T, gridw, gridh);
    size_t maxc = svg_chars_fit(150, 11);
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
    heat_legend(f, h, L + gridw + 28, T, fmin(gridh, 180), vmax, W);
    if (!n || vmax <= 0)
        svg_no_data(f, L, T, L + fmax(gridw, 200), T + fmax(gridh, 80));
    fputs("</svg>\n", f);
    return ferror(f) ? -1 : 0;
}

static int heat_compact(FILE *f, const cb_svg_heat_t *h)
{
    size_t n = h->n;
    double maxlab = max_label_w(h); /* at the largest font: labels fit at any */
    double L = 40 + maxlab + 10, T = 58 + maxlab + 8, side = legend_side(h);
    double c = fmax(2, fmin(28, (HEAT_MAX_W - L - side) / (double)n)); /* cell side */
    double fs = fmin(11, fmax(7, c * 0.8));                             /* label font */
    size_t stride = (size_t)ceil((fs + 1) / c); /* label every stride-th */
    double grid = c * (double)n;
    int W = (int)fmax(fmax(420, L + grid + side), svg_text_w(h->title, 15) * 1.08 + 40);
    int H = (int)fmax(T + grid + 40, T + fmin(grid, 180) + 50);
    double vmax = heat_vmax(h);

    svg_open(f, W, H, h->title);
    svg_title(f, W / 2.0, 24, W - 20, h->title);
    heat_axis_titles(f, h, L, T, grid, grid);
    size_t maxc = svg_chars_fit(150, fs);
    for (size_t k = 0; k < n; k += stride) {
        double mid = (double)k * c + c / 2;
        fprintf(f, "<text transform=\"translate(%.1f %.1f) rotate(-90)\" font-size=\"%.1f\" "
                   "fill=\"#222222\">",
                L + mid + fs * 0.35, T - 4, fs);
        cb_svg_escape_max(f, h->labels[k], maxc);
        fputs("</text>\n", f);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"%.1f\" "
                   "fill=\"#222222\">",
                L - 4, T + mid + fs * 0.35, fs);
        cb_svg_escape_max(f, h->labels[k], maxc);
        fputs("</text>\n", f);
    }
    double frame = fmax(1.2, fmin(3, c / 6));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double v = h->values[i * n + j], x = L + c * (double)j, y = T + c * (double)i;
            int flag = h->flagged && h->flagged[i * n + j];
            int rgb[3] = {0xee, 0xee, 0xee};
            if (isfinite(v))
                blues(vmax > 0 ? v / vmax : 0, rgb);
            if (flag && c < 8) /* too small for a frame: the cell turns red */
                fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                           "fill=\"%s\">",
                        x, y, c, c, HILITE);
            else
                fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                           "fill=\"#%02x%02x%02x\">",
                        x, y, c, c, rgb[0], rgb[1], rgb[2]);
            fputs("<title>", f);
            cb_svg_escape_max(f, h->labels[i], 60);
            fputs(" \xE2\x86\x92 ", f);
            cb_svg_escape_max(f, h->labels[j], 60);
            if (isfinite(v)) {
                fprintf(f, ": %.4g ", v);
                cb_svg_escape(f, h->unit);
            } else {
                fputs(": not measured", f);
            }
            fputs(flag ? " !</title></rect>\n" : "</title></rect>\n", f);
            if (flag && c >= 8)
                fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                           "fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"/>\n",
                        x + frame / 2, y + frame / 2, c - frame, c - frame, HILITE, frame);
        }
    heat_legend(f, h, L + grid + 28, T, fmin(grid, 180), vmax, W);
    if (!n || vmax <= 0)
        svg_no_data(f, L, T, L + fmax(grid, 200), T + fmax(grid, 80));
    fputs("</svg>\n", f);
    return ferror(f) ? -1 : 0;
}

int cb_svg_heatmap(FILE *f, const cb_svg_heat_t *h)
{
    return full_width(h, max_label_w(h)) > HEAT_MAX_W ? heat_compact(f, h) : heat_full(f, h);
}
