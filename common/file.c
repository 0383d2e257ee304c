/* cb_file: mkdir -p and atomic file writes (temporary file, fsync, rename),
 * shared by the results writer, the reporter, the gate and the sbatch
 * generator. */
#define _GNU_SOURCE /* mkostemp */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb_error.h"
#include "cb_file.h"

static int mkdir_p(const char *dir, size_t *made, char *err, size_t errlen)
{
    if (made)
        *made = 0;
    if (!dir || !*dir) {
        errno = ENOENT;
        return cb_errf(err, errlen, CB_ERR_IO, "empty directory name");
    }
    char *p = strdup(dir);
    if (!p)
        return cb_errf(err, errlen, CB_ERR_NOMEM, "%s: out of memory", dir);
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s)
            continue;
        char saved = *s;
        *s = '\0';
        if (mkdir(p, 0777) == 0) {
            if (made && !*made)
                *made = (size_t)(s - p);
        } else if (errno != EEXIST) {
            int e = errno;
            cb_errf(err, errlen, CB_ERR_IO, "%s: cannot create directory: %s", p, strerror(e));
            free(p);
            errno = e;
            return CB_ERR_IO;
        }
        *s = saved;
        if (!saved)
            break;
    }
    free(p);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return cb_errf(err, errlen, CB_ERR_IO, "%s: not a directory", dir);
    }
    return CB_OK;
}

int cb_file_mkdir_p(const char *dir, char *err, size_t errlen)
{
    return mkdir_p(dir, NULL, err, errlen);
}

int cb_file_mkdir_p_made(const char *dir, size_t *made, char *err, size_t errlen)
{
    return mkdir_p(dir, made, err, errlen);
}

void cb_file_rmdir_made(const char *dir, size_t made)
{
    if (!dir || !made)
        return;
    int e = errno;
    char *p = strdup(dir);
    if (!p)
        return;
    size_t n = strlen(p);
    while (n > made && p[n - 1] == '/')
        p[--n] = '\0';
    while (n >= made && rmdir(p) == 0) {
        char *s = strrchr(p, '/');
        if (!s)
            break;
        while (s > p && s[-1] == '/')
            s--;
        *s = '\0';
        n = (size_t)(s - p);
    }
    free(p);
    errno = e;
}

int cb_file_mkdir_parents(const char *path, char *err, size_t errlen)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (!slash || slash == path)
        return CB_OK;
    char *dir = strndup(path, (size_t)(slash - path));
    if (!dir)
        return cb_errf(err, errlen, CB_ERR_NOMEM, "%s: out of memory", path);
    int rc = mkdir_p(dir, NULL, err, errlen);
    int e = errno;
    free(dir);
    errno = e;
    return rc;
}

/* ------------------------------------------------------------ atomic */

struct cb_file_atomic {
    FILE *f;   /* NULL once synced */
    char *tmp; /* the temporary file, removed unless renamed */
    char *path;
};

int cb_file_atomic_open(const char *path, mode_t mode, cb_file_atomic_t **out, char *err,
                        size_t errlen)
{
    *out = NULL;
    if (!path || !*path) {
        errno = ENOENT;
        return cb_errf(err, errlen, CB_ERR_IO, "empty output path");
    }
    cb_file_atomic_t *a = calloc(1, sizeof *a);
    size_t pl = strlen(path);
    if (!a || !(a->path = strdup(path)) || !(a->tmp = malloc(pl + 16))) {
        cb_file_atomic_abort(a);
        return cb_errf(err, errlen, CB_ERR_NOMEM, "%s: out of memory", path);
    }
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) + 1 : 0;
    memcpy(a->tmp, path, dl);
    snprintf(a->tmp + dl, pl + 16 - dl, ".%s.XXXXXX", path + dl);
    if (mode == 0) {
        mode_t um = umask(0);
        umask(um);
        mode = 0666 & ~um;
    }
    int fd = mkostemp(a->tmp, O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        free(a->tmp);
        a->tmp = NULL;
        cb_file_atomic_abort(a);
        errno = e;
        return cb_errf(err, errlen, CB_ERR_IO, "%s: cannot create a temporary file beside it: %s",
                       path, strerror(e));
    }
    if (fchmod(fd, mode) != 0 || !(a->f = fdopen(fd, "w"))) {
        int e = errno;
        close(fd);
        cb_file_atomic_abort(a);
        errno = e;
        return cb_errf(err, errlen, CB_ERR_IO, "%s: cannot create a temporary file beside it: %s",
                       path, strerror(e));
    }
    *out = a;
    return CB_OK;
}

FILE *cb_file_atomic_stream(cb_file_atomic_t *a)
{
    return a ? a->f : NULL;
}

int cb_file_atomic_sync(cb_file_atomic_t *a, char *err, size_t errlen)
{
    if (!a->f)
        return CB_OK;
    errno = 0;
    int bad = fflush(a->f) != 0 || ferror(a->f) || fsync(fileno(a->f)) != 0;
    int e = bad ? (errno ? errno : EIO) : 0;
    if (fclose(a->f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    a->f = NULL;
    if (bad) {
        errno = e;
        return cb_errf(err, errlen, CB_ERR_IO, "%s: write failed: %s", a->path, strerror(e));
    }
    return CB_OK;
}

int cb_file_atomic_commit(cb_file_atomic_t *a, char *err, size_t errlen)
{
    int rc = cb_file_atomic_sync(a, err, errlen);
    if (rc == CB_OK && rename(a->tmp, a->path) != 0) {
        int e = errno;
        rc = cb_errf(err, errlen, CB_ERR_IO, "%s: cannot rename into place: %s", a->path,
                     strerror(e));
        errno = e;
    }
    if (rc == CB_OK) {
        free(a->tmp);
        a->tmp = NULL;
    }
    cb_file_atomic_abort(a);
    return rc;
}

void cb_file_atomic_abort(cb_file_atomic_t *a)
{
    if (!a)
        return;
    int e = errno;
    if (a->f)
        fclose(a->f);
    if (a->tmp)
        unlink(a->tmp);
    free(a->tmp);
    free(a->path);
    free(a);
    errno = e;
}

int cb_file_write_atomic(const char *path, const void *data, size_t len, char *err,
                         size_t errlen)
{
    cb_file_atomic_t *a;
    int rc = cb_file_atomic_open(path, 0, &a, err, errlen);
    if (rc != CB_OK)
        return rc;
    if (len && fwrite(data, 1, len, a->f) != len) {
        int e = errno ? errno : EIO;
        cb_file_atomic_abort(a);
        errno = e;
        return cb_errf(err, errlen, CB_ERR_IO, "%s: write failed: %s", path, strerror(e));
    }
    return cb_file_atomic_commit(a, err, errlen);
}
