/* cb_results: the results CSV — crash-safe writer and strict reader (libcsv
 * does the RFC 4180 quoting and parsing). See cb_results.h for the contract. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <csv.h>

#include "cb_error.h"
#include "cb_file.h"
#include "cb_results.h"
#include "cb_timer.h"

static const char *const column_names[CB_NCOLS] = {
#define CB_X_NAME(id, name) name,
    CB_RESULTS_COLUMNS(CB_X_NAME)
#undef CB_X_NAME
};

const char *cb_results_column_name(int col)
{
    return (col >= 0 && col < CB_NCOLS) ? column_names[col] : NULL;
}

int cb_results_column_index(const char *name)
{
    for (int i = 0; i < CB_NCOLS; i++)
        if (!strcmp(column_names[i], name))
            return i;
    return -1;
}

/* ---------------------------------------------------------------- rows */

void cb_results_ctx_init(cb_results_ctx_t *ctx, const char *cluster)
{
    memset(ctx, 0, sizeof *ctx);
    char ts[32];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    strftime(ts, sizeof ts, "%Y%m%dT%H%M%SZ", &tm);
    unsigned rnd = (unsigned)(now.tv_nsec ^ ((unsigned)getpid() << 16));
    snprintf(ctx->run_id, sizeof ctx->run_id, "%s-%x-%04x", ts, (unsigned)getpid(), rnd & 0xffff);
    const char *c = cluster;
    if (!c || !*c)
        c = getenv("CB_CLUSTER");
    if (!c || !*c)
        c = "local";
    snprintf(ctx->cluster, sizeof ctx->cluster, "%s", c);
    const char *job = getenv("SLURM_JOB_ID");
    if (job)
        snprintf(ctx->slurm_job_id, sizeof ctx->slurm_job_id, "%s", job);
    ctx->nodes = ctx->ranks = ctx->ranks_per_node = 1;
}

void cb_results_ctx_free(cb_results_ctx_t *ctx)
{
    if (!ctx)
        return;
    free(ctx->hosts);
    ctx->hosts = NULL;
}

void cb_row_clear(cb_row_t *row)
{
    if (!row)
        return;
    for (int i = 0; i < CB_NCOLS; i++) {
        free(row->f[i]);
        row->f[i] = NULL;
    }
}

int cb_row_set_str(cb_row_t *row, int col, const char *s)
{
    if (col < 0 || col >= CB_NCOLS)
        return CB_ERR_INTERNAL;
    free(row->f[col]);
    row->f[col] = NULL;
    if (s && *s && !(row->f[col] = strdup(s)))
        return CB_ERR_NOMEM;
    return CB_OK;
}

int cb_row_set_num(cb_row_t *row, int col, double v)
{
    if (isnan(v) || isinf(v))
        return cb_row_set_str(row, col, NULL);
    char buf[64];
    snprintf(buf, sizeof buf, "%.6g", v);
    return cb_row_set_str(row, col, buf);
}

int cb_row_set_int(cb_row_t *row, int col, long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    return cb_row_set_str(row, col, buf);
}

void cb_row_init(cb_row_t *row, const cb_results_ctx_t *ctx)
{
    memset(row, 0, sizeof *row);
    char ts[32];
    cb_timer_utc_iso(ts, sizeof ts);
    cb_row_set_int(row, CB_COL_SCHEMA_VERSION, CB_RESULTS_SCHEMA_VERSION);
    cb_row_set_str(row, CB_COL_TIMESTAMP_UTC, ts);
    if (!ctx)
        return;
    cb_row_set_str(row, CB_COL_RUN_ID, ctx->run_id);
    cb_row_set_str(row, CB_COL_CLUSTER, ctx->cluster);
    cb_row_set_str(row, CB_COL_SLURM_JOB_ID, ctx->slurm_job_id);
    cb_row_set_int(row, CB_COL_NODES, ctx->nodes);
    cb_row_set_int(row, CB_COL_RANKS, ctx->ranks);
    cb_row_set_int(row, CB_COL_RANKS_PER_NODE, ctx->ranks_per_node);
    cb_row_set_str(row, CB_COL_HOSTS, ctx->hosts);
}

void cb_row_set_stats(cb_row_t *row, const cb_stats_t *st)
{
    cb_row_set_num(row, CB_COL_TIME_US_MIN, st->min);
    cb_row_set_num(row, CB_COL_TIME_US_MEDIAN, st->median);
    cb_row_set_num(row, CB_COL_TIME_US_MEAN, st->mean);
    cb_row_set_num(row, CB_COL_TIME_US_P95, st->p95);
    cb_row_set_num(row, CB_COL_TIME_US_MAX, st->max);
    cb_row_set_num(row, CB_COL_TIME_US_STDDEV, st->stddev);
    cb_row_set_num(row, CB_COL_TIME_US_CI95, st->ci95);
}

/* ---------------------------------------------------------------- writer */

typedef struct strbuf {
    char *p;
    size_t len, cap;
} strbuf_t;

static int sb_reserve(strbuf_t *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 512;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

static int sb_put(strbuf_t *b, const char *s, size_t n)
{
    if (sb_reserve(b, n))
        return -1;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

/* One field, quoted by libcsv only where RFC 4180 needs it (or where leading
 * or trailing blanks would otherwise be trimmed by a reader). */
static int put_field(strbuf_t *b, const char *s)
{
    if (!s)
        return 0;
    size_t n = strlen(s);
    int quote = n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t');
    if (!quote && strpbrk(s, ",\"\r\n"))
        quote = 1;
    if (!quote)
        return sb_put(b, s, n);
    size_t need = csv_write(NULL, 0, s, n);
    if (sb_reserve(b, need))
        return -1;
    csv_write(b->p + b->len, need, s, n);
    b->len += need;
    b->p[b->len] = '\0';
    return 0;
}

static int format_fields(const char *const *f, strbuf_t *b)
{
    for (int i = 0; i < CB_NCOLS; i++) {
        if ((i && sb_put(b, ",", 1)) || put_field(b, f[i]))
            return CB_ERR_NOMEM;
    }
    return sb_put(b, "\n", 1) ? CB_ERR_NOMEM : CB_OK;
}

int cb_results_format_row(const cb_row_t *row, char **out, size_t *len)
{
    strbuf_t b = {0};
    int rc = format_fields((const char *const *)row->f, &b);
    if (rc) {
        free(b.p);
        return rc;
    }
    *out = b.p;
    *len = b.len;
    return CB_OK;
}

static char *header_line(size_t *len)
{
    strbuf_t b = {0};
    if (format_fields(column_names, &b)) {
        free(b.p);
        return NULL;
    }
    *len = b.len;
    return b.p;
}

struct cb_results {
    int fd;
    char *path;
};

/* Check an existing file: first line is our header, last byte a newline. */
static int check_existing(int fd, const char *hdr, size_t hlen, const char *path, char *errbuf,
                          size_t errlen)
{
    char *first = malloc(hlen + 1);
    if (!first)
        return CB_ERR_NOMEM;
    ssize_t n = pread(fd, first, hlen, 0);
    int ours = n == (ssize_t)hlen && !memcmp(first, hdr, hlen);
    free(first);
    if (!ours) {
        return cb_errf(errbuf, errlen, CB_ERR_INPUT,
                       "%s:1: not a clusterbench results file (schema_version %d header "
                       "expected); choose another output file",
                       path, CB_RESULTS_SCHEMA_VERSION);
    }
    off_t end = lseek(fd, 0, SEEK_END);
    char last = '\n';
    if (end > 0 && pread(fd, &last, 1, end - 1) != 1)
        last = 0;
    if (last != '\n') {
        return cb_errf(errbuf, errlen, CB_ERR_INPUT,
                       "%s: ends in a partial row; not appending to it", path);
    }
    return CB_OK;
}

int cb_results_open(const char *path, cb_results_t **out, char *errbuf, size_t errlen)
{
    *out = NULL;
    size_t hlen = 0;
    char *hdr = header_line(&hlen);
    char *tmp = NULL;
    int fd = -1, rc = CB_OK;
    cb_results_t *res = NULL;
    if (!hdr)
        return CB_ERR_NOMEM;
    if (!path || !*path) {
        rc = cb_errf(errbuf, errlen, CB_ERR_USAGE, "empty output path");
        goto out;
    }
    if (cb_file_mkdir_parents(path, NULL, 0)) {
        rc = cb_errf(errbuf, errlen, CB_ERR_IO, "%s: cannot create its directory: %s", path,
                     strerror(errno));
        goto out;
    }
    fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        /* Create with the header atomically: temp file, then link() into
         * place (fails with EEXIST if someone else won the race). */
        size_t tl = strlen(path) + 32;
        tmp = malloc(tl);
        if (!tmp) {
            rc = CB_ERR_NOMEM;
            goto out;
        }
        snprintf(tmp, tl, "%s.tmp.%ld", path, (long)getpid());
        int tfd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (tfd < 0 || write(tfd, hdr, hlen) != (ssize_t)hlen || fsync(tfd)) {
            rc = cb_errf(errbuf, errlen, CB_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
            if (tfd >= 0)
                close(tfd);
            unlink(tmp);
            goto out;
        }
        close(tfd);
        if (link(tmp, path) && errno != EEXIST) {
            rc = cb_errf(errbuf, errlen, CB_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
            unlink(tmp);
            goto out;
        }
        unlink(tmp);
        fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
    }
    if (fd < 0) {
        rc = cb_errf(errbuf, errlen, CB_ERR_IO, "%s: cannot open for writing: %s", path,
                     strerror(errno));
        goto out;
    }
    rc = check_existing(fd, hdr, hlen, path, errbuf, errlen);
    if (rc)
        goto out;
    res = calloc(1, sizeof *res);
    if (!res || !(res->path = strdup(path))) {
        rc = CB_ERR_NOMEM;
        goto out;
    }
    res->fd = fd;
    fd = -1;
    *out = res;
    res = NULL;
out:
    if (fd >= 0)
        close(fd);
    if (res)
        free(res->path);
    free(res);
    free(tmp);
    free(hdr);
    return rc;
}

int cb_results_write(cb_results_t *res, const cb_row_t *row)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = cb_results_format_row(row, &buf, &len);
    if (rc)
        return rc;
    off_t before = lseek(res->fd, 0, SEEK_END);
    ssize_t n = write(res->fd, buf, len);
    int err = errno;
    free(buf);
    if (n != (ssize_t)len) {
        /* Undo a short write so the file never ends in a torn row. */
        if (n > 0 && before >= 0 && ftruncate(res->fd, before) != 0)
            CB_LOG_ERR("%s: could not undo a short write: %s", res->path, strerror(errno));
        CB_LOG_ERR("%s: writing a row failed: %s", res->path,
                   n < 0 ? strerror(err) : "short write (disk full or file size limit?)");
        return CB_ERR_IO;
    }
    if (fdatasync(res->fd) && errno != EINVAL && errno != EROFS) {
        CB_LOG_ERR("%s: fdatasync: %s", res->path, strerror(errno));
        return CB_ERR_IO;
    }
    return CB_OK;
}

const char *cb_results_path(const cb_results_t *res)
{
    return res ? res->path : NULL;
}

int cb_results_fd(const cb_results_t *res)
{
    return res ? res->fd : -1;
}

void cb_results_close(cb_results_t *res)
{
    if (!res)
        return;
    if (res->fd >= 0)
        close(res->fd);
    free(res->path);
    free(res);
}

/* ---------------------------------------------------------------- reader */

void cb_table_init(cb_table_t *t)
{
    memset(t, 0, sizeof *t);
}

void cb_table_free(cb_table_t *t)
{
    if (!t)
        return;
    free(t->off);
    free(t->pool);
    for (size_t i = 0; i < t->nfiles; i++)
        free(t->files[i]);
    free(t->files);
    free(t->row_file);
    free(t->row_line);
    memset(t, 0, sizeof *t);
}

/* A block of n bytes from malloc (so the reader may realloc it and
 * cb_table_free free it) whose pages may be transparent huge pages. */
static void *alloc_huge(size_t n)
{
    void *p = malloc(n);
    if (p) {
        uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
        uintptr_t b = ((uintptr_t)p + n) & ~(uintptr_t)4095;
        if (b > a)
            madvise((void *)a, b - a, MADV_HUGEPAGE); /* advice only: errors are fine */
    }
    return p;
}

void cb_table_reserve(cb_table_t *t, size_t csv_bytes)
{
    size_t rows = csv_bytes / 100 + 1024, pool = csv_bytes + 65536;
    if (csv_bytes < (1 << 20) || pool > UINT32_MAX || t->off || t->pool)
        return; /* small inputs: not worth it; a pool over 4 GiB: the reader refuses */
    t->off = alloc_huge(rows * CB_NCOLS * sizeof *t->off);
    t->row_file = alloc_huge(rows * sizeof *t->row_file);
    t->row_line = alloc_huge(rows * sizeof *t->row_line);
    t->pool = alloc_huge(pool);
    if (!t->off || !t->row_file || !t->row_line || !t->pool) {
        cb_table_free(t);
        cb_table_init(t);
        return;
    }
    t->cap = rows;
    t->pool[0] = '\0';
    t->pool_len = 1;
    t->pool_cap = pool;
}

double cb_table_num(const cb_table_t *t, size_t row, int col)
{
    const char *s = cb_table_str(t, row, col);
    if (!*s)
        return NAN;
    char *end;
    double v = strtod(s, &end);
    return *end ? NAN : v;
}

char *cb_table_where(const cb_table_t *t, size_t row, char *buf, size_t len)
{
    snprintf(buf, len, "%s:%u", t->files[t->row_file[row]], (unsigned)t->row_line[row]);
    return buf;
}

typedef struct parse_state {
    cb_table_t *t;
    uint32_t file_idx;
    unsigned long line;  /* physical line currently fed */
    unsigned long rowno; /* 0 = header */
    int ncol;            /* fields in the current row */
    uint32_t cur[CB_NCOLS];
    int err;
    char *errbuf;
    size_t errlen;
    const char *path;
    int header_mismatch;
} parse_state_t;

/* Field text into the pool: -1 out of memory, -2 past the 4 GiB that
 * 32-bit offsets reach (the reader's one limit, an input error). */
static int pool_add(cb_table_t *t, const char *s, size_t n, uint32_t *off)
{
    if (n == 0) {
        *off = 0;
        return 0;
    }
    if (t->pool_len + n + 1 > t->pool_cap) {
        size_t cap = t->pool_cap ? t->pool_cap : 1 << 16;
        while (cap < t->pool_len + n + 1)
            cap *= 2;
        if (cap > UINT32_MAX) {
            if (t->pool_len + n + 1 > UINT32_MAX)
                return -2;
            cap = UINT32_MAX;
        }
        char *p = realloc(t->pool, cap);
        if (!p)
            return -1;
        t->pool = p;
        t->pool_cap = cap;
    }
    memcpy(t->pool + t->pool_len, s, n);
    t->pool[t->pool_len + n] = '\0';
    *off = (uint32_t)t->pool_len;
    t->pool_len += n + 1;
    return 0;
}

static void on_field(void *data, size_t n, void *vp)
{
    parse_state_t *st = vp;
    if (st->err)
        return;
    /* A NUL would cut the field short unseen: refuse it, as a bad file. */
    if (n && memchr(data, '\0', n)) {
        st->err = cb_errf(st->errbuf, st->errlen, CB_ERR_INPUT,
                          "%s:%lu: a NUL byte in field %d (%s)", st->path, st->line, st->ncol + 1,
                          st->ncol < CB_NCOLS ? column_names[st->ncol] : "beyond the columns");
        return;
    }
    if (st->rowno == 0) {
        if (st->ncol >= CB_NCOLS || n != strlen(column_names[st->ncol]) ||
            memcmp(data, column_names[st->ncol], n))
            st->header_mismatch = 1;
        st->ncol++;
        return;
    }
    if (st->ncol < CB_NCOLS) {
        /* A field equal to the one above it (hosts, run_id, cluster ...: the
         * same in every row of a run) shares its text: an all-pairs file
         * repeats its N-host list in each of its N(N-1) rows. */
        const cb_table_t *t = st->t;
        if (n && t->nrows) {
            const char *above = t->pool + t->off[(t->nrows - 1) * CB_NCOLS + (size_t)st->ncol];
            if (!strncmp(above, data, n) && above[n] == '\0') {
                st->cur[st->ncol++] = (uint32_t)(above - t->pool);
                return;
            }
        }
        int prc = pool_add(st->t, data, n, &st->cur[st->ncol]);
        if (prc == -2) {
            st->err = cb_errf(st->errbuf, st->errlen, CB_ERR_INPUT,
                              "%s:%lu: the inputs hold more than 4 GiB of field text, the "
                              "reader's limit: read fewer files at once",
                              st->path, st->line);
            return;
        }
        if (prc) {
            st->err = cb_errf(st->errbuf, st->errlen, CB_ERR_NOMEM, "%s:%lu: out of memory",
                              st->path, st->line);
            return;
        }
    }
    st->ncol++;
}

static void on_row(int c, void *vp)
{
    parse_state_t *st = vp;
    if (st->err)
        return;
    cb_table_t *t = st->t;
    if (st->rowno == 0) {
        if (st->header_mismatch || st->ncol != CB_NCOLS) {
            st->err = cb_errf(
                st->errbuf, st->errlen, CB_ERR_INPUT,
                "%s:%lu: not a clusterbench results file: header is not schema_version %d's",
                st->path, st->line, CB_RESULTS_SCHEMA_VERSION);
        }
        st->rowno++;
        st->ncol = 0;
        return;
    }
    if (st->ncol != CB_NCOLS) {
        st->err =
            cb_errf(st->errbuf, st->errlen, CB_ERR_INPUT, "%s:%lu: row has %d fields, expected %d",
                    st->path, st->line, st->ncol, CB_NCOLS);
        return;
    }
    const char *ver = t->pool + st->cur[CB_COL_SCHEMA_VERSION];
    if (strtol(ver, NULL, 10) != CB_RESULTS_SCHEMA_VERSION) {
        st->err = cb_errf(st->errbuf, st->errlen, CB_ERR_INPUT,
                          "%s:%lu: schema_version '%s' (this build reads %d)", st->path, st->line,
                          ver, CB_RESULTS_SCHEMA_VERSION);
        return;
    }
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        uint32_t *off = realloc(t->off, cap * CB_NCOLS * sizeof *off);
        if (off)
            t->off = off;
        uint32_t *rf = realloc(t->row_file, cap * sizeof *rf);
        if (rf)
            t->row_file = rf;
        uint32_t *rl = realloc(t->row_line, cap * sizeof *rl);
        if (rl)
            t->row_line = rl;
        if (!off || !rf || !rl) {
            st->err = cb_errf(st->errbuf, st->errlen, CB_ERR_NOMEM, "%s:%lu: out of memory",
                              st->path, st->line);
            return;
        }
        t->cap = cap;
    }
    memcpy(t->off + t->nrows * CB_NCOLS, st->cur, sizeof st->cur);
    t->row_file[t->nrows] = st->file_idx;
    t->row_line[t->nrows] = (uint32_t)st->line;
    t->nrows++;
    st->rowno++;
    st->ncol = 0;
}

/* Parse one file into t. `quiet_foreign`: a file whose header is not ours is
 * skipped (returns 1) instead of being an error. */
static int read_file(cb_table_t *t, const char *path, int quiet_foreign, char *errbuf,
                     size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        return cb_errf(errbuf, errlen, CB_ERR_IO, "%s: %s", path, strerror(errno));
    }
    size_t rows0 = t->nrows, pool0 = t->pool_len;
    char **files = realloc(t->files, (t->nfiles + 1) * sizeof *files);
    if (!files || !(files[t->nfiles] = strdup(path))) {
        if (files)
            t->files = files;
        fclose(f);
        return CB_ERR_NOMEM;
    }
    t->files = files;
    parse_state_t st = {.t = t, .file_idx = (uint32_t)t->nfiles, .errbuf = errbuf,
                        .errlen = errlen, .path = path};
    t->nfiles++;
    if (!t->pool) { /* offset 0 is the shared empty string */
        if (!(t->pool = malloc(1 << 16))) {
            fclose(f);
            return CB_ERR_NOMEM;
        }
        t->pool_cap = 1 << 16;
        t->pool[0] = '\0';
        t->pool_len = 1;
    }
    pool0 = t->pool_len;
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int ended_nl = 1;
    while (!st.err && (n = getline(&line, &cap, f)) > 0) {
        st.line++;
        ended_nl = line[n - 1] == '\n';
        /* A spreadsheet that saved the file again put a UTF-8 byte-order mark
         * before the header: not part of it. */
        char *data = line;
        if (st.line == 1 && n >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
            data += 3;
            n -= 3;
        }
        if (csv_parse(&p, data, (size_t)n, on_field, on_row, &st) != (size_t)n && !st.err) {
            st.err = cb_errf(errbuf, errlen, CB_ERR_INPUT, "%s:%lu: CSV parse error: %s", path,
                             st.line, csv_strerror(csv_error(&p)));
        }
        if (st.rowno == 1 && st.err == CB_ERR_INPUT && quiet_foreign)
            break;
    }
    if (!st.err && !ended_nl) {
        st.err = cb_errf(errbuf, errlen, CB_ERR_INPUT,
                         "%s:%lu: partial last row (no newline): torn write?", path, st.line);
    }
    if (!st.err && csv_fini(&p, on_field, on_row, &st) != 0) {
        st.err = cb_errf(errbuf, errlen, CB_ERR_INPUT, "%s:%lu: CSV parse error at end: %s", path,
                         st.line, csv_strerror(csv_error(&p)));
    }
    if (!st.err && st.rowno == 0) {
        st.err = cb_errf(errbuf, errlen, CB_ERR_INPUT, "%s: empty file, no header", path);
    }
    csv_free(&p);
    free(line);
    fclose(f);
    if (st.err) {
        int foreign = st.rowno <= 1 && st.header_mismatch;
        t->nrows = rows0;
        t->pool_len = pool0;
        if (quiet_foreign && foreign) {
            t->nskipped++;
            return 1;
        }
        return st.err;
    }
    return CB_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_dir(cb_table_t *t, const char *dir, char *errbuf, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        return cb_errf(errbuf, errlen, CB_ERR_IO, "%s: %s", dir, strerror(errno));
    }
    char **names = NULL;
    size_t n = 0;
    int rc = CB_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        if (!nn) {
            rc = CB_ERR_NOMEM;
            goto out;
        }
        names = nn;
        size_t l = strlen(dir) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(l))) {
            rc = CB_ERR_NOMEM;
            goto out;
        }
        snprintf(names[n++], l, "%s/%s", dir, e->d_name);
    }
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && rc >= 0; i++) {
        struct stat sb;
        if (stat(names[i], &sb))
            continue;
        if (S_ISDIR(sb.st_mode)) {
            rc = read_dir(t, names[i], errbuf, errlen);
        } else if (S_ISREG(sb.st_mode)) {
            size_t l = strlen(names[i]);
            if (l > 4 && !strcmp(names[i] + l - 4, ".csv")) {
                rc = read_file(t, names[i], 1, errbuf, errlen);
                if (rc > 0)
                    rc = CB_OK;
            }
        }
    }
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

int cb_table_read(cb_table_t *t, const char *path, char *errbuf, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb)) {
        return cb_errf(errbuf, errlen, CB_ERR_IO, "%s: %s", path, strerror(errno));
    }
    if (S_ISDIR(sb.st_mode))
        return read_dir(t, path, errbuf, errlen);
    int rc = read_file(t, path, 0, errbuf, errlen);
    return rc > 0 ? CB_OK : rc;
}
