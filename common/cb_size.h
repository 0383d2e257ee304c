/* cb_size: byte sizes as users type them (8, 64K, 1M, 4G; powers of two like
 * nccl-tests; an optional trailing B is accepted) and back. Strict: empty,
 * signs, unknown suffixes, fractions and overflow are errors. */
#ifndef CB_SIZE_H
#define CB_SIZE_H

#include <stddef.h>
#include <stdint.h>

/* CB_OK, CB_ERR_USAGE (malformed) or CB_ERR_RANGE (overflows uint64). */
int cb_size_parse(const char *s, uint64_t *out);
/* "64K", "1M", "1536" (exact binary units only, else bytes); returns buf. */
char *cb_size_format(uint64_t bytes, char *buf, size_t len);

/* Human-readable bytes in powers of 1024 for messages: "512 B", "1.5 KiB",
 * "95.37 MiB" (%.4g with B, KiB, MiB, GiB, TiB, PiB); returns buf. */
char *cb_size_human(double bytes, char *buf, size_t len);

/* Strict decimal integer / double parsing for option values. */
int cb_parse_long(const char *s, long min, long max, long *out);
int cb_parse_double(const char *s, double min, double max, double *out); /* rejects NaN/inf */

#endif
