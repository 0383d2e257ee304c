/* sbatch_write: the generated scripts onto disk: every kind of a profile
 * written atomically into a directory (cb_sbatch_write_all()), or compared
 * with what is there (cb_sbatch_check_all()). See cb_sbatch.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_file.h"
#include "cb_sbatch.h"

#define MAX_KINDS 16

int cb_sbatch_write_all(const cb_profile_t *prof, const char *out_dir, FILE *log, char *errbuf,
                        size_t errlen)
{
    size_t n;
    const cb_sbatch_kind_t *ks = cb_sbatch_kinds(&n);
    char *text[MAX_KINDS] = {0};
    size_t len[MAX_KINDS] = {0};
    char dst[MAX_KINDS][PATH_MAX];
    cb_file_atomic_t *tmp[MAX_KINDS] = {0};
    int rc = CB_OK;
    if (n > MAX_KINDS)
        return CB_ERR_INTERNAL;

    /* everything in memory first: a failure here writes nothing */
    for (size_t i = 0; i < n; i++) {
        rc = cb_sbatch_render(&ks[i], prof, &text[i], &len[i]);
        if (rc != CB_OK) {
            cb_errf(errbuf, errlen, rc, "rendering %s.sh: %s", ks[i].name, cb_strerror(rc));
            goto out;
        }
        /* room for cb_file's temporary name beside it too */
        if ((size_t)snprintf(dst[i], PATH_MAX, "%s/%s.sh", out_dir, ks[i].name) >=
            PATH_MAX - 16) {
            rc = cb_errf(errbuf, errlen, CB_ERR_IO, "%s: path too long", out_dir);
            goto out;
        }
    }
    rc = cb_file_mkdir_p(out_dir, errbuf, errlen);
    if (rc != CB_OK)
        goto out;
    /* every script into its temporary file (mode 0755), synced; only then
     * each renamed into place */
    for (size_t i = 0; i < n; i++) {
        rc = cb_file_atomic_open(dst[i], 0755, &tmp[i], errbuf, errlen);
        if (rc != CB_OK)
            goto out;
        fwrite(text[i], 1, len[i], cb_file_atomic_stream(tmp[i]));
        rc = cb_file_atomic_sync(tmp[i], errbuf, errlen);
        if (rc != CB_OK)
            goto out;
    }
    for (size_t i = 0; i < n; i++) {
        rc = cb_file_atomic_commit(tmp[i], errbuf, errlen);
        tmp[i] = NULL;
        if (rc != CB_OK)
            goto out;
        if (log)
            fprintf(log, "wrote %s\n", dst[i]);
    }
out:
    for (size_t i = 0; i < n; i++) {
        cb_file_atomic_abort(tmp[i]);
        free(text[i]);
    }
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
        if (rc != CB_OK)
            return cb_errf(errbuf, errlen, rc, "rendering %s.sh: %s", ks[i].name, cb_strerror(rc));
        if ((size_t)snprintf(path, sizeof path, "%s/%s.sh", out_dir, ks[i].name) >= sizeof path) {
            free(text);
            cb_errf(errbuf, errlen, CB_ERR_IO, "%s: path too long", out_dir);
            return CB_ERR_IO;
        }
        const char *verdict = "up to date";
        FILE *f = fopen(path, "rb");
        if (!f) {
            if (errno != ENOENT) {
                cb_errf(errbuf, errlen, CB_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
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
                cb_errf(errbuf, errlen, CB_ERR_IO, "%s: read failed", path);
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
