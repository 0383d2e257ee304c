/* cb_ini: lines for inih's ini_parse_stream(), from a FILE or a string,
 * counted and checked (NUL bytes, over-long lines), with section header lines
 * spotted (inih reports sections only through their keys); and the parse
 * context around inih that the profile reader (common/profile.c) and the
 * thresholds reader (gate/gate_load.c) share. See cb_ini.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <ini.h>

#include "cb_error.h"
#include "cb_ini.h"

char *cb_ini_lines_read(char *str, int num, void *stream)
{
    cb_ini_lines_t *r = stream;
    const char *line;
    size_t len;
    if (r->file) {
        errno = 0;
        ssize_t n = getline(&r->linebuf, &r->linecap, r->file);
        if (n < 0) {
            if (ferror(r->file))
                r->read_errno = errno ? errno : EIO;
            return NULL;
        }
        line = r->linebuf;
        len = (size_t)n;
    } else {
        if (!*r->text)
            return NULL;
        const char *nl = strchr(r->text, '\n');
        len = nl ? (size_t)(nl - r->text) + 1 : strlen(r->text);
        line = r->text;
        r->text += len;
    }
    r->lineno++;
    size_t content = len;
    while (content && (line[content - 1] == '\n' || line[content - 1] == '\r'))
        content--;
    r->line_indented = len && (line[0] == ' ' || line[0] == '\t');
    size_t lim = (size_t)num > 3 ? (size_t)num - 3 : 0;
    if (lim > r->max_line)
        lim = r->max_line;
    if (memchr(line, '\0', len)) {
        r->on_error(r->owner, CB_ERR_INPUT, r->lineno, "NUL byte in line");
        line = "\n";
        len = 1;
    } else if (content > lim) {
        char msg[64];
        snprintf(msg, sizeof msg, "line longer than %zu characters", lim);
        r->on_error(r->owner, CB_ERR_INPUT, r->lineno, msg);
        line = "\n";
        len = 1;
    }
    size_t i = 0;
    if (r->lineno == 1 && len >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i < len && line[i] == '[' && r->on_header && r->on_header(r->owner, line + i, r->lineno))
        return NULL;
    /* str holds num bytes and content <= num - 3: pass the content and one
     * line-end character, not a run of '\r's (inih strips them anyway). */
    if (len > content + 1)
        len = content + 1;
    memcpy(str, line, len);
    str[len] = '\0';
    return str;
}

void cb_ini_lines_release(cb_ini_lines_t *r)
{
    if (!r)
        return;
    free(r->linebuf);
    r->linebuf = NULL;
    r->linecap = 0;
}

/* ------------------------------------------------------------ the context */

void cb_ini_error(cb_ini_t *c, int err, int line, const char *fmt, ...)
{
    if (c->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    c->err = err;
    c->err_line = line;
}

/* cb_ini_lines' callbacks: a reader error, and a section header line, noted
 * with its name. */
static void reader_error(void *owner, int err, int line, const char *msg)
{
    cb_ini_error(owner, err, line, "%s", msg);
}

static int reader_header(void *owner, const char *hdr, int line)
{
    cb_ini_t *c = owner;
    if (c->nhdrs == c->hdrcap) {
        size_t cap = c->hdrcap ? 2 * c->hdrcap : 16;
        cb_ini_header_t *h = realloc(c->hdrs, cap * sizeof *h);
        if (!h) {
            cb_ini_error(c, CB_ERR_NOMEM, line, "out of memory");
            return CB_ERR_NOMEM;
        }
        c->hdrs = h;
        c->hdrcap = cap;
    }
    cb_ini_header_t *h = &c->hdrs[c->nhdrs++];
    h->line = line;
    h->used = 0;
    size_t n = strcspn(hdr + 1, "];\r\n");
    if (n >= sizeof h->name)
        n = sizeof h->name - 1;
    memcpy(h->name, hdr + 1, n);
    h->name[n] = '\0';
    return 0;
}

int cb_ini_key(cb_ini_t *c, const char *section, const char *name, const char *outside_hint,
               int *first)
{
    *first = 0;
    if (c->err)
        return 0;
    /* inih joins indented lines to the previous key's value as extra calls */
    if (c->lines.line_indented && c->prev_line && !strcmp(section, c->prev_section) &&
        !strcmp(name, c->prev_name)) {
        cb_ini_error(c, CB_ERR_INPUT, c->lines.lineno,
                     "continuation line of '%s': multi-line values are not allowed", name);
        return 0;
    }
    snprintf(c->prev_section, sizeof c->prev_section, "%s", section);
    snprintf(c->prev_name, sizeof c->prev_name, "%s", name);
    c->prev_line = c->lines.lineno;

    if (!*section || c->nhdrs == 0) {
        cb_ini_error(c, CB_ERR_INPUT, c->lines.lineno, "'%s' outside any section%s", name,
                     outside_hint ? outside_hint : "");
        return 0;
    }
    int hdr = (int)c->nhdrs - 1;
    if (hdr != c->cur_hdr) { /* first key of a new section instance */
        c->cur_hdr = hdr;
        c->hdrs[hdr].used = 1;
        *first = 1;
    }
    return 1;
}

int cb_ini_section_line(const cb_ini_t *c)
{
    return c->cur_hdr >= 0 && (size_t)c->cur_hdr < c->nhdrs ? c->hdrs[c->cur_hdr].line : 0;
}

int cb_ini_parse(cb_ini_t *c, const cb_ini_spec_t *spec, const char *origin, char *errbuf,
                 size_t errlen)
{
    c->cur_hdr = -1;
    c->lines.max_line = spec->max_line;
    c->lines.owner = c;
    c->lines.on_error = reader_error;
    c->lines.on_header = reader_header;
    int rc = ini_parse_stream(cb_ini_lines_read, &c->lines, spec->handler, spec->user);
    int err = CB_OK;
    if (c->lines.read_errno) {
        err = cb_errf(errbuf, errlen, CB_ERR_IO, "%s: read failed: %s", origin,
                      strerror(c->lines.read_errno));
    } else if (rc == -2 || c->err == CB_ERR_NOMEM) {
        err = cb_errf(errbuf, errlen, CB_ERR_NOMEM, "%s: out of memory", origin);
    } else if (rc > 0 && (!c->err || rc < c->err_line)) {
        err = cb_errf(errbuf, errlen, CB_ERR_INPUT,
                      "%s:%d: syntax error (expected %s, key = value, or a comment)", origin, rc,
                      spec->expected);
    } else {
        if (!c->err && spec->whole)
            spec->whole(spec->user);
        if (c->err == CB_ERR_NOMEM)
            err = cb_errf(errbuf, errlen, CB_ERR_NOMEM, "%s: out of memory", origin);
        else if (c->err)
            err = cb_errf(errbuf, errlen, c->err, "%s:%d: %s", origin, c->err_line, c->msg);
    }
    cb_ini_release(c);
    return err;
}

int cb_ini_open(cb_ini_t *c, const char *path, const char *what, char *errbuf, size_t errlen)
{
    if (!path)
        return cb_errf(errbuf, errlen, CB_ERR_IO, "(null): no %s path", what);
    FILE *f = fopen(path, "r");
    if (!f)
        return cb_errf(errbuf, errlen, CB_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    c->lines.file = f;
    c->own_file = 1;
    return CB_OK;
}

void cb_ini_release(cb_ini_t *c)
{
    if (!c)
        return;
    if (c->own_file && c->lines.file)
        fclose(c->lines.file);
    c->own_file = 0;
    c->lines.file = NULL;
    cb_ini_lines_release(&c->lines);
    free(c->hdrs);
    c->hdrs = NULL;
    c->nhdrs = c->hdrcap = 0;
}
