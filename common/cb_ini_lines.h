/* cb_ini_lines: the line reader that feeds inih's ini_parse_stream() for the
 * INI parsers of common/ (cluster profiles, gate thresholds), so that every
 * message they give carries file:line.
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
#ifndef CB_INI_LINES_H
#define CB_INI_LINES_H

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

#endif
