/* test_report_svg: the reporter's SVG module (report/svg.h) — tick labels on
 * byte and decade axes, XML escaping of hostile text, and the shape of line
 * plots, bar charts and heat maps. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svg.h"

/* Run a writer into a string. */
typedef struct sbuf {
    char *data;
    size_t len;
    FILE *f;
} sbuf_t;

static FILE *sb_open(sbuf_t *b)
{
    memset(b, 0, sizeof *b);
    b->f = open_memstream(&b->data, &b->len);
    assert_non_null(b->f);
    return b->f;
}

static const char *sb_close(sbuf_t *b)
{
    assert_int_equal(fclose(b->f), 0);
    return b->data;
}

/* Occurrences of needle in hay. A plain scan, not strstr in a loop: under
 * AddressSanitizer every strstr call measures the rest of the haystack, which
 * made this quadratic on a 256-node heat map (minutes instead of ms). */
static size_t count(const char *hay, const char *needle)
{
    size_t n = 0, m = strlen(needle);
    for (const char *p = hay; *p; p++) {
        size_t k = 0;
        while (k < m && p[k] == needle[k])
            k++;
        n += k == m;
    }
    return n;
}

static void test_tick_labels(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(cb_svg_tick_label(CB_SVG_BYTES, 1, b, sizeof b), "1");
    assert_string_equal(cb_svg_tick_label(CB_SVG_BYTES, 512, b, sizeof b), "512");
    assert_string_equal(cb_svg_tick_label(CB_SVG_BYTES, 1024, b, sizeof b), "1K");
    assert_string_equal(cb_svg_tick_label(CB_SVG_BYTES, 65536, b, sizeof b), "64K");
    assert_string_equal(cb_svg_tick_label(CB_SVG_BYTES, 1048576, b, sizeof b), "1M");
    assert_string_equal(cb_svg_tick_label(CB_SVG_BYTES, 1073741824.0, b, sizeof b), "1G");
    assert_string_equal(cb_svg_tick_label(CB_SVG_LOG10, 0.01, b, sizeof b), "0.01");
    assert_string_equal(cb_svg_tick_label(CB_SVG_LOG10, 1, b, sizeof b), "1");
    assert_string_equal(cb_svg_tick_label(CB_SVG_LOG10, 100, b, sizeof b), "100");
    assert_string_equal(cb_svg_tick_label(CB_SVG_LOG10, 1000, b, sizeof b), "1k");
    assert_string_equal(cb_svg_tick_label(CB_SVG_LOG10, 20000, b, sizeof b), "20k");
    assert_string_equal(cb_svg_tick_label(CB_SVG_LOG10, 1e6, b, sizeof b), "1M");
    assert_string_equal(cb_svg_tick_label(CB_SVG_LOG10, 1e-4, b, sizeof b), "1e-4");
    assert_string_equal(cb_svg_tick_label(CB_SVG_LINEAR, 2.5, b, sizeof b), "2.5");
}

static void test_escape(void **state)
{
    (void)state;
    sbuf_t b;
    cb_svg_escape(sb_open(&b), "<script>alert(\"x\" & 'y')</script>");
    assert_string_equal(sb_close(&b),
                        "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;");
    free(b.data);
    /* invalid UTF-8, a control character, a surrogate: U+FFFD; valid kept */
    cb_svg_escape(sb_open(&b), "a\xff" "b\x01" "c\xed\xa0\x80" "d\xc3\xa9");
    assert_string_equal(sb_close(&b), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD"
                                      "\xEF\xBF\xBD" "d\xc3\xa9");
    free(b.data);
    cb_svg_escape_max(sb_open(&b), "abcdefghij", 5);
    assert_string_equal(sb_close(&b), "abcd\xE2\x80\xA6");
    free(b.data);
    cb_svg_escape_max(sb_open(&b), "\xc3\xa9\xc3\xa9\xc3\xa9", 3); /* fits: not cut */
    assert_string_equal(sb_close(&b), "\xc3\xa9\xc3\xa9\xc3\xa9");
    free(b.data);
    assert_int_equal(cb_svg_utf8_len("\xe2\x86\x92"), 3);
    assert_int_equal(cb_svg_utf8_len("\xc0\xaf"), 0); /* overlong */
}

static void test_line_plot(void **state)
{
    (void)state;
    double x[] = {1024, 4096, 16384, 65536, 262144};
    double y1[] = {0.05, 0.2, NAN, 0.9, 1.1}; /* a gap: two polylines */
    double y2[] = {0.04, 0.15, 0.5, 0.8, 1.0};
    cb_svg_series_t s[] = {
        {"<b>2 nodes</b>", 5, x, y1, 1, CB_SVG_MARK_AUTO, CB_SVG_COLOR_AUTO, 0},
        {"3 nodes", 5, x, y2, 1, CB_SVG_MARK_AUTO, CB_SVG_COLOR_AUTO, 0},
    };
    cb_svg_ref_t ref = {"line rate 10 Gbit/s", 1.25, 0, CB_SVG_COLOR_AUTO};
    cb_svg_plot_t p = {.title = "busbw & more", .xlabel = "size (bytes)", .ylabel = "GB/s",
                       .xscale = CB_SVG_BYTES, .yscale = CB_SVG_LOG10, .series = s, .nseries = 2,
                       .refs = &ref, .nrefs = 1};
    sbuf_t b;
    assert_int_equal(cb_svg_line_plot(sb_open(&b), &p), 0);
    const char *o = sb_close(&b);
    assert_non_null(strstr(o, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_non_null(strstr(o, "<title>busbw &amp; more</title>"));
    assert_non_null(strstr(o, "&lt;b&gt;2 nodes&lt;/b&gt;"));
    assert_null(strstr(o, "<b>"));
    assert_int_equal(count(o, "<polyline"), 3);
    assert_int_equal(count(o, "<svg"), 1);
    assert_int_equal(count(o, "</svg>"), 1);
    /* byte ticks 1K..256K and decade ticks 0.01..10 */
    assert_non_null(strstr(o, ">1K</text>"));
    assert_non_null(strstr(o, ">256K</text>"));
    assert_non_null(strstr(o, ">0.01</text>"));
    assert_non_null(strstr(o, ">10</text>"));
    assert_non_null(strstr(o, "stroke-dasharray=\"7 4\"")); /* the reference line */
    assert_non_null(strstr(o, ">line rate 10 Gbit/s</text>"));
    assert_null(strstr(o, "no data"));
    free(b.data);

    cb_svg_plot_t empty = {.title = "nothing", .xscale = CB_SVG_LOG10, .yscale = CB_SVG_LOG10};
    assert_int_equal(cb_svg_line_plot(sb_open(&b), &empty), 0);
    assert_non_null(strstr(sb_close(&b), "no data"));
    free(b.data);
}

static void test_bars_and_heat(void **state)
{
    (void)state;
    cb_svg_bar_t bars[] = {{"node0", 91, 0, NULL}, {"node1", 90, 0, NULL},
                           {"node2", 76, 1, "SLOW -16%\n76%"}};
    cb_svg_ref_t ref = {"spec sheet (100%)", 100, 0, CB_SVG_COLOR_AUTO};
    cb_svg_bars_t bc = {.title = "GPU", .ylabel = "% of spec", .bars = bars, .n = 3,
                        .refs = &ref, .nrefs = 1, .legend_normal = "ok",
                        .legend_highlight = "slow"};
    sbuf_t b;
    assert_int_equal(cb_svg_bar_chart(sb_open(&b), &bc), 0);
    const char *o = sb_close(&b);
    assert_int_equal(count(o, "fill=\"#d62728\"/>"), 2); /* the slow bar and its legend */
    assert_non_null(strstr(o, ">SLOW -16%</text>"));
    assert_non_null(strstr(o, ">76%</text>"));
    assert_non_null(strstr(o, ">node2</text>"));
    free(b.data);

    const char *labels[] = {"a", "b<"};
    double v[] = {NAN, 1.1, 0.7, NAN};
    int flag[] = {0, 0, 1, 0};
    cb_svg_heat_t h = {.title = "all pairs", .row_title = "sender", .col_title = "receiver",
                       .unit = "GB/s", .n = 2, .labels = labels, .values = v, .flagged = flag,
                       .flag_legend = "slow"};
    assert_int_equal(cb_svg_heatmap(sb_open(&b), &h), 0);
    o = sb_close(&b);
    assert_non_null(strstr(o, ">0.7 !</text>"));
    assert_non_null(strstr(o, ">1.1</text>"));
    assert_non_null(strstr(o, ">b&lt;</text>"));
    assert_int_equal(count(o, "stroke-width=\"3\""), 1);
    free(b.data);
}

/* A heat map too wide for wide cells: compact, within 1200 px, a cell (and
 * its <title>) for every pair, labels thinned to a font size apart, flagged
 * cells too small for a frame filled red. */
static void test_report_svg_heat_compact(void **state)
{
    (void)state;
    enum { N = 300 };
    const char **labels = malloc(N * sizeof *labels);
    char (*names)[16] = malloc(N * sizeof *names);
    double *v = malloc((size_t)N * N * sizeof *v);
    int *flag = calloc((size_t)N * N, sizeof *flag);
    assert_true(labels && names && v && flag);
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "node%03d", i);
        labels[i] = names[i];
        for (int j = 0; j < N; j++) {
            v[i * N + j] = i == j ? NAN : (i == 17 || j == 17) ? 0.03 : 0.29;
            flag[i * N + j] = i != j && (i == 17 || j == 17);
        }
    }
    cb_svg_heat_t h = {.title = "all pairs", .row_title = "sender", .col_title = "receiver",
                       .unit = "GB/s", .n = N, .labels = labels, .values = v, .flagged = flag,
                       .flag_legend = "slow"};
    sbuf_t b;
    assert_int_equal(cb_svg_heatmap(sb_open(&b), &h), 0);
    const char *o = sb_close(&b);
    int w = 0;
    assert_int_equal(sscanf(strstr(o, "width=\""), "width=\"%d\"", &w), 1);
    assert_true(w > 400 && w <= 1200);
    assert_int_equal(count(o, "><title>"), (size_t)N * N);
    assert_int_equal(count(o, "><title>node017 \xE2\x86\x92 node001: 0.03 GB/s !</title>"), 1);
    assert_int_equal(count(o, "><title>node001 \xE2\x86\x92 node001: not measured</title>"), 1);
    assert_int_equal(count(o, "fill=\"#d62728\"><title>"), 2 * (N - 1));
    assert_null(strstr(o, ">0.29</text>")); /* no values in cells this small */
    /* labels: every k-th, the same on both axes, at least a font size apart */
    size_t ncol = count(o, "rotate(-90)\" font-size=");
    assert_true(ncol >= 40 && ncol < N);
    assert_int_equal(count(o, "text-anchor=\"end\" font-size="), ncol);
    double prev = -1e9, fs = 0;
    for (const char *p = strstr(o, "text-anchor=\"end\" font-size="); p;
         p = strstr(p + 1, "text-anchor=\"end\" font-size=")) {
        const char *y = p;
        while (strncmp(y, " y=\"", 4))
            y--;
        double yy = atof(y + 4);
        fs = atof(p + strlen("text-anchor=\"end\" font-size=\""));
        assert_true(fs >= 7);
        assert_true(yy - prev >= fs);
        prev = yy;
    }
    free(b.data);
    free(labels);
    free(names);
    free(v);
    free(flag);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tick_labels),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_line_plot),
        cmocka_unit_test(test_bars_and_heat),
        cmocka_unit_test(test_report_svg_heat_compact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
