/* sbatch_write: the generated scripts onto disk: every kind of a profile
 * written atomically into a directory (cb_sbatch_write_all()), or compared
 * with what is there (cb_sbatch_check_all()). See cb_sbatch.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb_error.h"
#include "cb_sbatch.h"

static void errf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void errf(char *buf, size_t len, const char *fmt, ...)
{
    if (!len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

/* mkdir -p */
static int make_dirs(const char *dir, char *errbuf, size_t errlen)
{
    char p[PATH_MAX];
    if (strlen(dir) >= sizeof p) {
        errf(errbuf, errlen, "%s: path too long", dir);
        return CB_ERR_IO;
    }
    strcpy(p, dir);
    for (char *s = p + 1;; s++) {
        if (*s == '/' || !*s) {
            char saved = *s;
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                errf(errbuf, errlen, "%s: cannot create directory: %s", p, strerror(errno));
                return CB_ERR_IO;
            }
            *s = saved;
            if (!saved)
                break;
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        errf(errbuf, errlen, "%s: not a directory", dir);
        return CB_ERR_IO;
    }
    return CB_OK;
}

static int write_whole(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

#define MAX_KINDS 16

int cb_sbatch_write_all(const cb_profile_t *prof, const char *out_dir, FILE *log, char *errbuf,
                        size_t errlen)
{
    size_t n;
    const cb_sbatch_kind_t *ks = cb_sbatch_kinds(&n);
    char *text[MAX_KINDS] = {0};
    size_t len[MAX_KINDS] = {0};
    char tmp[MAX_KINDS][PATH_MAX];
    char dst[MAX_KINDS][PATH_MAX];
    size_t ntmp = 0;
    int rc = CB_OK;
    if (n > MAX_KINDS)
        return CB_ERR_INTERNAL;

    /* everything in memory first: a failure here writes nothing */
    for (size_t i = 0; i < n; i++) {
        rc = cb_sbatch_render(&ks[i], prof, &text[i], &len[i]);
        if (rc != CB_OK) {
            errf(errbuf, errlen, "rendering %s.sh: %s", ks[i].name, cb_strerror(rc));
            goto out;
        }
        if ((size_t)snprintf(dst[i], PATH_MAX, "%s/%s.sh", out_dir, ks[i].name) >= PATH_MAX ||
            (size_t)snprintf(tmp[i], PATH_MAX, "%s/.%s.sh.XXXXXX", out_dir, ks[i].name) >=
                PATH_MAX) {
            errf(errbuf, errlen, "%s: path too long", out_dir);
            rc = CB_ERR_IO;
            goto out;
        }
    }
    rc = make_dirs(out_dir, errbuf, errlen);
    if (rc != CB_OK)
        goto out;
    for (size_t i = 0; i < n; i++) {
        int fd = mkstemp(tmp[i]);
        if (fd < 0) {
            errf(errbuf, errlen, "%s: cannot create a file there: %s", out_dir, strerror(errno));
            rc = CB_ERR_IO;
            goto out;
        }
        ntmp = i + 1;
        int bad = write_whole(fd, text[i], len[i]) != 0 || fchmod(fd, 0755) != 0 ||
                  fsync(fd) != 0;
        int saved = errno;
        if (close(fd) != 0 && !bad) {
            bad = 1;
            saved = errno;
        }
        if (bad) {
            errf(errbuf, errlen, "%s: write failed: %s", tmp[i], strerror(saved));
            rc = CB_ERR_IO;
            goto out;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (rename(tmp[i], dst[i]) != 0) {
            errf(errbuf, errlen, "%s: cannot rename into place: %s", dst[i], strerror(errno));
            rc = CB_ERR_IO;
            goto out;
        }
        tmp[i][0] = '\0';
        if (log)
            fprintf(log, "wrote %s\n", dst[i]);
    }
out:
    for (size_t i = 0; i < ntmp; i++)
        if (tmp[i][0])
            unlink(tmp[i]);
    for (size_t i = 0; i < n; i++)
        free(text[i]);
    return rc;
}

int cb_sbatch_check_all(const cb_profile_t *prof, const char *out_dir, FILE *log,
                        char *errbuf, size_t errlen)
{
    size_t n;
    const cb_sbatch_kind_t *ks = cb_sbatch_kinds(&n);
    int differ = 0;
    for (size_t i = 0; i < n; i++) {
        char *text, path[PATH_MAX];
        size_t len;
        int rc = cb_sbatch_render(&ks[i], prof, &text, &len);
        if (rc != CB_OK) {
            errf(errbuf, errlen, "rendering %s.sh: %s", ks[i].name, cb_strerror(rc));
            return rc;
        }
        if ((size_t)snprintf(path, sizeof path, "%s/%s.sh", out_dir, ks[i].name) >= sizeof path) {
            free(text);
            errf(errbuf, errlen, "%s: path too long", out_dir);
            return CB_ERR_IO;
        }
        const char *verdict = "up to date";
        FILE *f = fopen(path, "rb");
        if (!f) {
            if (errno != ENOENT) {
                errf(errbuf, errlen, "%s: cannot open: %s", path, strerror(errno));
                free(text);
                return CB_ERR_IO;
            }
            verdict = "missing";
        } else {
            size_t pos = 0;
            int same = 1;
            char buf[4096];
            size_t got;
            while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
                if (pos + got > len || memcmp(buf, text + pos, got))
                    same = 0;
                pos += got;
                if (!same)
                    break;
            }
            int bad = ferror(f);
            fclose(f);
            if (bad) {
                errf(errbuf, errlen, "%s: read failed", path);
                free(text);
                return CB_ERR_IO;
            }
            if (!same || pos != len)
                verdict = "differs from the profile (generate again)";
        }
        if (strcmp(verdict, "up to date"))
            differ = 1;
        if (log)
            fprintf(log, "%s: %s\n", path, verdict);
        free(text);
    }
    return differ;
}
