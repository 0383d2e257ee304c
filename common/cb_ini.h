/* cb_ini: what the two INI readers (cluster profiles, common/profile.c, and
 * gate thresholds, gate/gate_load.c) share, so that both read alike and every
 * message they give carries file:line: the line reader that feeds inih, and
 * the parse context around it (first error, section headers, the checks each
 * key goes through first, the run of inih and its errors).
 *
 * ---- the line reader ----
 *
 * Contract: cb_ini_lines_read() has inih's ini_reader signature; pass it with
 * a cb_ini_lines_t * as the stream. It hands inih one line per call (so
 * `lineno` is the line inih is parsing when it calls the handler), with its
 * content and at most one line-end character. A line with a NUL byte, or
 * whose content (line end excluded) is longer than max_line or than inih's
 * buffer allows (num - 3), is reported through on_error (CB_ERR_INPUT,
 * "NUL byte in line" / "line longer than N characters") and reaches inih as
 * an empty line. A line whose first non-blank character is '[' (after a UTF-8
 * BOM on line 1, which inih strips as well) is passed to on_header before
 * inih sees it; on_header returning non-zero ends the parse (the reader
 * returns NULL: inih reads that as end of input). A read error from the FILE
 * ends the input and is kept in read_errno. Not thread-safe per reader. */
#ifndef CB_INI_H
#define CB_INI_H

#include <stddef.h>
#include <stdio.h>

/* err: a negative code from cb_error.h; line: 1-based; msg: the reason,
 * without file:line. The owner keeps whichever error it wants (first wins). */
typedef void (*cb_ini_lines_error_fn)(void *owner, int err, int line, const char *msg);

/* hdr: the header line from its '[' on, ending at '\n' or NUL (not
 * NUL-terminated at the ']'); line: its 1-based number. Returns 0 to go on,
 * a negative code to end the parse (after reporting it to the owner). */
typedef int (*cb_ini_lines_header_fn)(void *owner, const char *hdr, int line);

typedef struct cb_ini_lines {
    /* set by the owner before parsing: one source, the limit, the callbacks */
    FILE *file;       /* read with getline() when non-NULL, else text */
    const char *text; /* NUL-terminated; consumed as it is read */
    size_t max_line;  /* characters of content per line */
    void *owner;
    cb_ini_lines_error_fn on_error;   /* required */
    cb_ini_lines_header_fn on_header; /* may be NULL */
    /* kept by the reader */
    char *linebuf;     /* getline()'s buffer: free with cb_ini_lines_release() */
    size_t linecap;
    int read_errno;    /* errno of a failed read, 0 when none */
    int lineno;        /* lines read so far: the current line's number */
    int line_indented; /* the current line starts with a blank */
} cb_ini_lines_t;

/* inih's ini_reader: stream is a cb_ini_lines_t *. */
char *cb_ini_lines_read(char *str, int num, void *stream);

/* Frees the line buffer; accepts NULL. The struct may be read afterwards. */
void cb_ini_lines_release(cb_ini_lines_t *r);

/* ---- the parse context ----
 *
 * The owner embeds a zeroed cb_ini_t in its own context, opens the source
 * with cb_ini_open() (or points lines.file or lines.text at it), and calls
 * cb_ini_parse() with its inih
 * handler. The handler starts each key with cb_ini_key() and records its own
 * errors with cb_ini_error(); the first error wins and is the one reported,
 * as "origin:line: reason". */

#define CB_INI_NAME_MAX 64 /* of a header's name kept in cb_ini_header_t (cut to fit) */

typedef struct cb_ini_header {
    int line;                   /* its line */
    int used;                   /* a key was read under it */
    char name[CB_INI_NAME_MAX]; /* from after '[' to the first ']' or ';' */
} cb_ini_header_t;

typedef struct cb_ini {
    cb_ini_lines_t lines;   /* the source (set by the owner); lines.lineno: the line parsed */
    cb_ini_header_t *hdrs;  /* every section header line so far, in order */
    size_t nhdrs, hdrcap;
    int cur_hdr;            /* index into hdrs of the section whose keys are read; -1 none */
    char prev_section[128]; /* the previous key, to spot inih's continuation lines */
    char prev_name[64];
    int prev_line;
    int own_file;           /* lines.file was opened by cb_ini_open() */
    int err;                /* the first error: its code (0 none), line and reason */
    int err_line;
    char msg[512];
} cb_ini_t;

/* Records an error (err < 0, line 1-based, the reason printf-style, without
 * file:line) unless one is recorded already. */
void cb_ini_error(cb_ini_t *c, int err, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The checks every key goes through first, for the owner's inih handler:
 * refuses an indented line continuing the previous key ("multi-line values
 * are not allowed") and a key outside any section ("'name' outside any
 * section" followed by outside_hint, e.g. " (a [check] header)"). Returns 1
 * when the key may be read, with *first set when it is the first key under
 * the latest header (hdrs[cur_hdr], now marked used); 0 after recording the
 * error, or when an error is recorded already. */
int cb_ini_key(cb_ini_t *c, const char *section, const char *name, const char *outside_hint,
               int *first);

/* The line of the header whose keys are being read; 0 before any. */
int cb_ini_section_line(const cb_ini_t *c);

/* Opens the file at path as c's source (lines.file); cb_ini_parse() or
 * cb_ini_release() closes it. CB_OK, or CB_ERR_IO with "path: cannot open:
 * reason" in errbuf ("(null): no <what> path" when path is NULL). */
int cb_ini_open(cb_ini_t *c, const char *path, const char *what, char *errbuf, size_t errlen);

/* Closes a file cb_ini_open() opened and frees the line buffer and the
 * headers; the rest of c may still be read. NULL ok. */
void cb_ini_release(cb_ini_t *c);

/* What cb_ini_parse() runs. */
typedef struct cb_ini_spec {
    size_t max_line;      /* characters of content per line */
    const char *expected; /* the section syntax for the syntax error: "[section]", "[check]" */
    /* inih's handler (1 go on, 0 error recorded), called with user */
    int (*handler)(void *user, const char *section, const char *name, const char *value);
    /* checks that need the whole input, run only when every line was read
     * without error (may record one); NULL: none */
    void (*whole)(void *user);
    void *user;
} cb_ini_spec_t;

/* Runs inih over c->lines, then spec->whole, and releases c
 * (cb_ini_release()). Returns CB_OK or the error, with errbuf set:
 * CB_ERR_IO "origin: read failed: reason"; CB_ERR_NOMEM "origin: out of
 * memory"; CB_ERR_INPUT "origin:N: syntax error (expected [section], key =
 * value, or a comment)" when inih stops at a line before the first recorded
 * error; else the recorded error as "origin:line: reason". */
int cb_ini_parse(cb_ini_t *c, const cb_ini_spec_t *spec, const char *origin, char *errbuf,
                 size_t errlen);

#endif
