/* Helpers of the fuzz targets: a NUL-terminated copy of the input, an
 * invariant check that aborts (so libFuzzer and the replay both report it),
 * and a file holding the input for readers that take a path. */
#ifndef CB_FUZZ_UTIL_H
#define CB_FUZZ_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create; include this header first */
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_CHECK(cond)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);   \
            abort();                                                                       \
        }                                                                                  \
    } while (0)

/* malloc'd copy of data with a NUL appended (text parsers stop at the first NUL). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* A memfd (one per slot, kept for the process) holding exactly data; returns
 * its path "/proc/self/fd/N" for readers that open files by name. */
static inline const char *fuzz_memfile(int slot, const void *data, size_t size)
{
    static int fds[4] = {-1, -1, -1, -1};
    static char paths[4][32];
    if (fds[slot] < 0) {
        fds[slot] = memfd_create("cb_fuzz", MFD_CLOEXEC);
        if (fds[slot] < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(paths[slot], sizeof paths[slot], "/proc/self/fd/%d", fds[slot]);
    }
    if (ftruncate(fds[slot], 0))
        abort();
    const char *p = data;
    for (size_t off = 0; off < size;) {
        ssize_t n = pwrite(fds[slot], p + off, size - off, (off_t)off);
        if (n <= 0)
            abort();
        off += (size_t)n;
    }
    return paths[slot];
}

#endif
