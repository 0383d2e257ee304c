/* cb_ini_lines: lines for inih's ini_parse_stream(), from a FILE or a string,
 * counted and checked (NUL bytes, over-long lines), with section header lines
 * spotted for the owner (inih reports sections only through their keys). The
 * one reader behind common/profile.c and common/gate.c. See cb_ini_lines.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cb_error.h"
#include "cb_ini_lines.h"

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
