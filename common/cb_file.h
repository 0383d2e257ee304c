/* cb_file: directories and atomic file writes. A result file is never seen
 * half-written: it is written to a temporary file beside it (same
 * directory, hidden name ".<name>.XXXXXX"), flushed, fsync'ed and renamed
 * over the destination; on any failure the temporary file is removed and
 * the destination is untouched.
 *
 * Every function returns CB_OK or a negative cb_err_t; on failure a
 * message naming the path is printed into err (errlen bytes; err may be
 * NULL or errlen 0) and errno keeps the failing call's value. */
#ifndef CB_FILE_H
#define CB_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* mkdir -p: create dir and its missing parents (mode 0777 less the umask).
 * CB_ERR_IO when a prefix cannot be created or dir is not a directory. */
int cb_file_mkdir_p(const char *dir, char *err, size_t errlen);

/* mkdir -p that remembers what it made, so a failed run can take it back:
 * *made gets the length of the outermost prefix of dir it created (0 when
 * dir existed). cb_file_rmdir_made(dir, made) removes those directories,
 * innermost first, as long as they are empty. */
int cb_file_mkdir_p_made(const char *dir, size_t *made, char *err, size_t errlen);
void cb_file_rmdir_made(const char *dir, size_t made);

/* The parent directories of a file path, mkdir -p'ed ("a/b/c.csv": a/b;
 * "c.csv": nothing). */
int cb_file_mkdir_parents(const char *path, char *err, size_t errlen);

/* Write len bytes of data to path atomically (mode 0666 less the umask). */
int cb_file_write_atomic(const char *path, const void *data, size_t len, char *err,
                         size_t errlen);

/* The stream variant, for writers that print to a FILE * and for several
 * files published together (open all, write all, sync all, then commit
 * each). The directory of path must exist. */
typedef struct cb_file_atomic cb_file_atomic_t;

/* Create the temporary file beside path. mode: the destination's
 * permissions exactly (e.g. 0755 for scripts), or 0 for 0666 less the
 * umask. */
int cb_file_atomic_open(const char *path, mode_t mode, cb_file_atomic_t **out, char *err,
                        size_t errlen);
/* The stream to write to; valid until sync, commit or abort. */
FILE *cb_file_atomic_stream(cb_file_atomic_t *a);
/* Flush, fsync and close the temporary file; a write error made through
 * the stream shows here. Idempotent. On failure a is still to be aborted. */
int cb_file_atomic_sync(cb_file_atomic_t *a, char *err, size_t errlen);
/* Sync (if not yet done) and rename over the destination; frees a. On
 * failure the temporary file is removed and a freed all the same. */
int cb_file_atomic_commit(cb_file_atomic_t *a, char *err, size_t errlen);
/* Remove the temporary file and free a; NULL is fine. */
void cb_file_atomic_abort(cb_file_atomic_t *a);

#endif
