/* svg_text: the SVG module's text: the palette, UTF-8 checks, XML escaping
 * with shortening, and rough text widths for layout. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "svg_priv.h"

static const char *palette[CB_SVG_NCOLORS] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#d62728",
};

const char *cb_svg_color(int i)
{
    if (i < 0)
        i = -i;
    return palette[i % CB_SVG_NCOLORS];
}

/* ------------------------------------------------------------ text */

/* Length of a svg_valid UTF-8 sequence at s (1..4), 0 when invalid. */
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

static size_t svg_utf8_chars(const char *s)
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
    size_t total = svg_utf8_chars(s), n = 0;
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
double svg_text_w(const char *s, double size)
{
    return s ? (double)svg_utf8_chars(s) * size * 0.58 : 0;
}

/* How many characters fit in px at a font size. */
size_t svg_chars_fit(double px, double size)
{
    double n = px / (size * 0.58);
    return n < 4 ? 4 : (size_t)n;
}
