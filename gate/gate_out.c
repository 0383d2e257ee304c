/* The gate's JUnit XML and Prometheus textfile outputs: built in memory,
 * written to a temporary file beside the target, renamed into place. See
 * cb_gate.h (outputs). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_file.h"
#include "cb_gate.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
    } else
        return 0;
    unsigned cp = c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* Calls put(ctx, bytes, n) for each character of s: valid UTF-8 as is,
 * anything else as '?'; control characters other than keep_nl's '\n' and
 * '\t' become '?' too. */
typedef void (*put_fn)(FILE *f, const char *p, size_t n);

static void walk(FILE *f, const char *s, int keep_nl, put_fn put)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        size_t n = utf8_len(p);
        if (!n || (*p < 0x20 && !(keep_nl && (*p == '\n' || *p == '\t'))) || *p == 0x7F) {
            put(f, "?", 1);
            p++;
            continue;
        }
        put(f, (const char *)p, n);
        p += n;
    }
}

char *cb_gate_out_clean(const char *s, char *buf, size_t len)
{
    if (!len)
        return buf;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t o = 0;
    while (*p && o + 1 < len) {
        size_t n = utf8_len(p);
        if (!n || *p < 0x20 || *p == 0x7F) {
            buf[o++] = '?';
            p++;
            continue;
        }
        if (o + n >= len)
            break;
        memcpy(buf + o, p, n);
        o += n;
        p += n;
    }
    buf[o] = '\0';
    return buf;
}

/* ------------------------------------------------------------ XML */

static void put_xml(FILE *f, const char *p, size_t n)
{
    if (n == 1) {
        switch (*p) {
        case '&': fputs("&amp;", f); return;
        case '<': fputs("&lt;", f); return;
        case '>': fputs("&gt;", f); return;
        case '"': fputs("&quot;", f); return;
        case '\'': fputs("&apos;", f); return;
        case '\n': fputs("&#10;", f); return;
        case '\t': fputs("&#9;", f); return;
        }
    }
    fwrite(p, 1, n, f);
}

/* Text content keeps newlines literally. */
static void put_xml_text(FILE *f, const char *p, size_t n)
{
    if (n == 1 && (*p == '\n' || *p == '\t')) {
        fputc(*p, f);
        return;
    }
    put_xml(f, p, n);
}

static void xml_attr(FILE *f, const char *s)
{
    walk(f, s, 1, put_xml);
}

static void xml_text(FILE *f, const char *s)
{
    walk(f, s, 1, put_xml_text);
}

/* ------------------------------------------------------------ Prometheus */

static void put_label(FILE *f, const char *p, size_t n)
{
    if (n == 1 && (*p == '\\' || *p == '"')) {
        fputc('\\', f);
        fputc(*p, f);
        return;
    }
    if (n == 1 && *p == '\n') {
        fputs("\\n", f);
        return;
    }
    fwrite(p, 1, n, f);
}

static void label(FILE *f, const char *name, const char *value, int first)
{
    fprintf(f, "%s%s=\"", first ? "" : ",", name);
    walk(f, value, 1, put_label);
    fputc('"', f);
}

/* ------------------------------------------------------------ files */

static int nomem(char *errbuf, size_t errlen, const char *path)
{
    return cb_errf(errbuf, errlen, CB_ERR_NOMEM, "%s: out of memory", path);
}

/* Write buf to path through a temporary file in the same directory, mode
 * 0644: the textfile collector runs as another user, so readable by all. */
static int write_atomic(const char *path, const char *buf, size_t len, char *errbuf, size_t errlen)
{
    cb_file_atomic_t *a;
    int rc = cb_file_atomic_open(path, 0644, &a, errbuf, errlen);
    if (rc != CB_OK)
        return rc;
    fwrite(buf, 1, len, cb_file_atomic_stream(a));
    return cb_file_atomic_commit(a, errbuf, errlen);
}

static int finish(FILE *m, char **buf, size_t *len, const char *path, char *errbuf,
                  size_t errlen)
{
    int bad = ferror(m);
    if (fclose(m) != 0 || bad || !*buf) {
        free(*buf);
        return nomem(errbuf, errlen, path);
    }
    int rc = write_atomic(path, *buf, *len, errbuf, errlen);
    free(*buf);
    return rc;
}

static void iso_time(time_t t, char *buf, size_t len)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
}

int cb_gate_out_junit(const char *path, const cb_gate_report_t *r, const cb_gate_out_info_t *info,
                      char *errbuf, size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return nomem(errbuf, errlen, path);
    const char *cluster = info && info->cluster ? info->cluster : "";
    char ts[32];
    iso_time(info ? info->when : 0, ts, sizeof ts);
    size_t tests = r->n, failures = r->nfail, errors = r->nerror, skipped = r->nskip;
    fprintf(m, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(m, "<testsuites name=\"clusterbench gate\" tests=\"%zu\" failures=\"%zu\" "
               "errors=\"%zu\" skipped=\"%zu\" time=\"0\" timestamp=\"%s\">\n",
            tests, failures, errors, skipped, ts);
    fprintf(m, "  <testsuite name=\"clusterbench.gate");
    if (*cluster) {
        fputc('.', m);
        xml_attr(m, cluster);
    }
    fprintf(m, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"0\" "
               "timestamp=\"%s\">\n",
            tests, failures, errors, skipped, ts);
    fprintf(m, "    <properties>\n      <property name=\"cluster\" value=\"");
    xml_attr(m, cluster);
    fprintf(m, "\"/>\n      <property name=\"thresholds\" value=\"");
    xml_attr(m, info && info->thresholds ? info->thresholds : "");
    fprintf(m, "\"/>\n    </properties>\n");
    for (size_t i = 0; i < r->n; i++) {
        const cb_gate_result_t *res = &r->results[i];
        char line[1024];
        cb_gate_format_line(res, line, sizeof line);
        fprintf(m, "    <testcase classname=\"clusterbench.gate");
        if (*cluster) {
            fputc('.', m);
            xml_attr(m, cluster);
        }
        fprintf(m, "\" name=\"");
        xml_attr(m, res->check->name);
        fprintf(m, "\" time=\"0\">\n");
        switch (res->verdict) {
        case CB_GATE_FAIL:
        case CB_GATE_ERROR:
            fprintf(m, "      <%s message=\"", res->verdict == CB_GATE_FAIL ? "failure" : "error");
            xml_attr(m, res->summary);
            fprintf(m, "\" type=\"%s\">", cb_gate_kind_name(res->check->kind));
            xml_text(m, line);
            if (res->detail) {
                fputc('\n', m);
                xml_text(m, res->detail);
            }
            fprintf(m, "</%s>\n", res->verdict == CB_GATE_FAIL ? "failure" : "error");
            break;
        case CB_GATE_SKIP:
            fprintf(m, "      <skipped message=\"");
            xml_attr(m, res->summary);
            fprintf(m, "\"/>\n");
            break;
        case CB_GATE_PASS:
            fprintf(m, "      <system-out>");
            xml_text(m, line);
            fprintf(m, "</system-out>\n");
            break;
        }
        fprintf(m, "    </testcase>\n");
    }
    fprintf(m, "  </testsuite>\n</testsuites>\n");
    return finish(m, &buf, &len, path, errbuf, errlen);
}

static void sample(FILE *m, const char *metric, const cb_gate_result_t *res, const char *cluster,
                   int with_unit, double v)
{
    if (!isfinite(v))
        return;
    fprintf(m, "%s{", metric);
    label(m, "check", res->check->name, 1);
    label(m, "cluster", cluster, 0);
    if (with_unit)
        label(m, "unit", res->unit, 0);
    fprintf(m, "} %.9g\n", v);
}

int cb_gate_out_prometheus(const char *path, const cb_gate_report_t *r,
                           const cb_gate_out_info_t *info, char *errbuf, size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return nomem(errbuf, errlen, path);
    const char *cluster = info && info->cluster ? info->cluster : "";
    fprintf(m, "# HELP clusterbench_gate_pass Whether the last clusterbench acceptance gate "
               "passed (1) or failed (0).\n"
               "# TYPE clusterbench_gate_pass gauge\nclusterbench_gate_pass{");
    label(m, "cluster", cluster, 1);
    fprintf(m, "} %d\n", r->nfail || r->nerror ? 0 : 1);
    fprintf(m, "# HELP clusterbench_gate_timestamp_seconds When the last gate ran, in seconds "
               "since the Unix epoch.\n"
               "# TYPE clusterbench_gate_timestamp_seconds gauge\n"
               "clusterbench_gate_timestamp_seconds{");
    label(m, "cluster", cluster, 1);
    fprintf(m, "} %lld\n", (long long)(info ? info->when : 0));
    fprintf(m, "# HELP clusterbench_gate_checks Checks of the last gate by result.\n"
               "# TYPE clusterbench_gate_checks gauge\n");
    static const char *const results[] = {"pass", "fail", "skip"};
    size_t counts[] = {r->npass, r->nfail, r->nskip};
    for (int i = 0; i < 3; i++) {
        fprintf(m, "clusterbench_gate_checks{");
        label(m, "cluster", cluster, 1);
        label(m, "result", results[i], 0);
        fprintf(m, "} %zu\n", counts[i]);
    }
    fprintf(m, "# HELP clusterbench_check_pass Whether a gate check passed (1) or failed (0); "
               "skipped checks are absent.\n"
               "# TYPE clusterbench_check_pass gauge\n");
    for (size_t i = 0; i < r->n; i++) {
        const cb_gate_result_t *res = &r->results[i];
        if (res->verdict != CB_GATE_PASS && res->verdict != CB_GATE_FAIL)
            continue;
        fprintf(m, "clusterbench_check_pass{");
        label(m, "check", res->check->name, 1);
        label(m, "cluster", cluster, 0);
        label(m, "kind", cb_gate_kind_name(res->check->kind), 0);
        fprintf(m, "} %d\n", res->verdict == CB_GATE_PASS);
    }
    static const struct {
        const char *name, *help;
    } series[] = {
        {"clusterbench_check_value",
         "The value a gate check judged (worst row, aggregate, worst entity; zero: sum of the "
         "column; no_status: failed rows), in the unit label."},
        {"clusterbench_check_reference", "The reference the check's bounds are fractions of."},
        {"clusterbench_check_lower_bound", "The smallest value the check accepts."},
        {"clusterbench_check_upper_bound", "The largest value the check accepts."},
        {"clusterbench_check_bad", "Rows (or entities, for spread checks) that fail the check."},
    };
    for (size_t s = 0; s < sizeof series / sizeof series[0]; s++) {
        fprintf(m, "# HELP %s %s\n# TYPE %s gauge\n", series[s].name, series[s].help,
                series[s].name);
        for (size_t i = 0; i < r->n; i++) {
            const cb_gate_result_t *res = &r->results[i];
            if (res->verdict != CB_GATE_PASS && res->verdict != CB_GATE_FAIL)
                continue;
            double v = s == 0   ? res->value
                       : s == 1 ? res->reference
                       : s == 2 ? res->lower_bound
                       : s == 3 ? res->upper_bound
                                : (double)res->nbad;
            sample(m, series[s].name, res, cluster, s < 4, v);
        }
    }
    if (r->nnot_measured) { /* only then: other outputs stay as they were */
        fprintf(m, "# HELP clusterbench_check_not_measured An optional gate check that matched "
                   "no rows (not measured: neither passed nor failed).\n"
                   "# TYPE clusterbench_check_not_measured gauge\n");
        for (size_t i = 0; i < r->n; i++) {
            const cb_gate_result_t *res = &r->results[i];
            if (!res->not_measured)
                continue;
            fprintf(m, "clusterbench_check_not_measured{");
            label(m, "check", res->check->name, 1);
            label(m, "cluster", cluster, 0);
            label(m, "kind", cb_gate_kind_name(res->check->kind), 0);
            fprintf(m, "} 1\n");
        }
    }
    return finish(m, &buf, &len, path, errbuf, errlen);
}
