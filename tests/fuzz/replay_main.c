/* Replays inputs through a fuzz target without libFuzzer, so every build (gcc,
 * CB_SANITIZE) runs the seed corpus and the crash regressions as a unit test:
 *   fuzz_replay_<target> PATH...   (files, or directories read recursively)
 * A crash, sanitizer report or failed invariant aborts. A path that does not
 * exist, or no input at all, fails (exit 2, 1): a replay that replays
 * nothing proves nothing. Else prints the count and exits 0. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap) {
            uint8_t *p = realloc(buf, cap *= 2);
            if (!p)
                free(buf);
            buf = p;
        }
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "replay: %s: out of memory\n", path);
        return -1;
    }
    /* An exact-size copy so ASan catches reads past the input's end. */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, n);
    free(buf);
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

static int replay(const char *path, size_t *count)
{
    struct stat sb;
    if (stat(path, &sb)) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        if (replay_file(path))
            return -1;
        ++*count;
        return 0;
    }
    DIR *d = opendir(path);
    if (!d)
        return -1;
    char **names = NULL;
    size_t n = 0;
    int rc = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        size_t l = strlen(path) + strlen(e->d_name) + 2;
        if (!nn || !(nn[n] = malloc(l))) {
            names = nn ? nn : names;
            rc = -1;
            break;
        }
        names = nn;
        snprintf(names[n++], l, "%s/%s", path, e->d_name);
    }
    closedir(d);
    if (names)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (!rc && replay(names[i], count))
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    for (int i = 1; i < argc; i++) {
        if (replay(argv[i], &count)) {
            fprintf(stderr, "replay: cannot read %s\n", argv[i]);
            return 2;
        }
    }
    if (count == 0) {
        fprintf(stderr, "replay: no input found in the %d path(s) given: nothing replayed\n",
                argc - 1);
        return 1;
    }
    printf("replayed %zu input(s) without a crash\n", count);
    return 0;
}
