/* cb_results: the one results CSV schema of clusterbench (long/tidy: one row
 * per measured point), its crash-safe writer and its reader. RFC 4180
 * quoting/parsing is libcsv's.
 *
 * Contract of the writer: a file is created with its header row atomically
 * (written to a temp file, then link()ed into place), and every row is
 * appended with a single write(2) of the whole row; a short write is undone
 * with ftruncate(). So a job killed at any moment leaves a file whose every
 * line is a whole row. An existing file is appended to only if its header is
 * exactly ours; otherwise opening fails with CB_ERR_INPUT ("not ours").
 *
 * Units are in the column names; GB = 1e9 B. Empty field = not applicable.
 *
 * p2p ops: pingpong, bw, bibw (one row per pair and size); with cb-p2p
 * --all-pairs --reference also bw_alone (each direction measured alone at
 * the largest size, before the rounds: the reference of the round rows) and
 * round (one row per round: metric round_aggregate_gbps, value = its pairs'
 * rates at once, spec_value = the same pairs alone, efficiency = the ratio).
 * So op = bw holds exactly one row per direction and size, whichever pass. */
#ifndef CB_RESULTS_H
#define CB_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "cb_stats.h"

#define CB_RESULTS_SCHEMA_VERSION 1

/* Column order is the file's column order. */
#define CB_RESULTS_COLUMNS(X)                                                  \
    X(SCHEMA_VERSION, "schema_version")                                        \
    X(RUN_ID, "run_id")               /* unique per program run */             \
    X(TIMESTAMP_UTC, "timestamp_utc") /* ISO 8601, Z, when the row was made */ \
    X(CLUSTER, "cluster")             /* profile / cluster name */             \
    X(SLURM_JOB_ID, "slurm_job_id")                                            \
    X(BENCHMARK, "benchmark") /* allreduce, p2p, gpu, ddp, preflight, topo */  \
    X(TRANSPORT, "transport") /* mpi, nccl, cuda, none */                      \
    X(MEMORY, "memory")       /* host, cuda */                                 \
    X(DTYPE, "dtype")         /* float, double, half, bfloat16, ... */         \
    X(OP, "op")               /* sum; pingpong, bw, bibw, round, bw_alone */   \
    X(PLACEMENT, "placement") /* out-of-place, in-place */                     \
    X(NODES, "nodes")                                                          \
    X(RANKS, "ranks")                                                          \
    X(RANKS_PER_NODE, "ranks_per_node")                                        \
    X(HOSTS, "hosts")         /* all hosts of the run, comma separated */      \
    X(HOST, "host")           /* the host this row is about (or the sender) */ \
    X(PEER, "peer")           /* the other host, for point-to-point */         \
    X(RANK, "rank")                                                            \
    X(PEER_RANK, "peer_rank")                                                  \
    X(BYTES, "bytes")         /* per-rank buffer / message size */             \
    X(ITERS, "iters")                                                          \
    X(WARMUP_ITERS, "warmup_iters")                                            \
    X(TIME_US_MIN, "time_us_min")                                              \
    X(TIME_US_MEDIAN, "time_us_median")                                        \
    X(TIME_US_MEAN, "time_us_mean")                                            \
    X(TIME_US_P95, "time_us_p95")                                              \
    X(TIME_US_MAX, "time_us_max")                                              \
    X(TIME_US_STDDEV, "time_us_stddev")                                        \
    X(TIME_US_CI95, "time_us_ci95") /* half-width of the 95% CI of the mean */ \
    X(ALGBW_GBPS, "algbw_gbps")     /* from the mean time, as nccl-tests */    \
    X(BUSBW_GBPS, "busbw_gbps")                                                \
    X(METRIC, "metric")             /* name of the value below */              \
    X(VALUE, "value")                                                          \
    X(UNIT, "unit")                                                            \
    X(SPEC_VALUE, "spec_value")                                                \
    X(EFFICIENCY, "efficiency")     /* value / spec_value */                   \
    X(WRONG_ELEMENTS, "wrong_elements")                                        \
    X(STATUS, "status")             /* ok, failed, skipped, timeout */         \
    X(NOTE, "note")

typedef enum cb_col {
#define CB_X_ENUM(id, name) CB_COL_##id,
    CB_RESULTS_COLUMNS(CB_X_ENUM)
#undef CB_X_ENUM
    CB_NCOLS
} cb_col_t;

/* Column name for an index (NULL if out of range); index for a name (-1). */
const char *cb_results_column_name(int col);
int cb_results_column_index(const char *name);

/* One row being built: owned strings, NULL = empty field. */
typedef struct cb_row {
    char *f[CB_NCOLS];
} cb_row_t;

/* The context every row of one program run shares. */
typedef struct cb_results_ctx {
    char run_id[64];
    char cluster[128];
    char slurm_job_id[32];
    int nodes, ranks, ranks_per_node;
    char *hosts; /* owned; comma-separated, may be NULL */
} cb_results_ctx_t;

/* Fill ctx from the environment: run id (time + pid + random), cluster from
 * `cluster` (or $CB_CLUSTER, or "local"), $SLURM_JOB_ID. Hosts/ranks are the
 * caller's to set. */
void cb_results_ctx_init(cb_results_ctx_t *ctx, const char *cluster);
void cb_results_ctx_free(cb_results_ctx_t *ctx);

void cb_row_init(cb_row_t *row, const cb_results_ctx_t *ctx); /* clears, sets context + timestamp */
void cb_row_clear(cb_row_t *row);                             /* frees all fields; NULL ok */
int cb_row_set_str(cb_row_t *row, int col, const char *s);    /* NULL/"" clears */
int cb_row_set_num(cb_row_t *row, int col, double v);          /* NaN clears; %.6g */
int cb_row_set_int(cb_row_t *row, int col, long long v);
void cb_row_set_stats(cb_row_t *row, const cb_stats_t *st);    /* time_us_* from st */

typedef struct cb_results cb_results_t;

/* Open (create with header, or append to a file of ours) the results file.
 * Parent directories are created. Errors: CB_ERR_IO (unwritable, with errno
 * text in errbuf), CB_ERR_INPUT (exists but is not our schema). */
int cb_results_open(const char *path, cb_results_t **out, char *errbuf, size_t errlen);
/* Append one whole row (see contract above). */
int cb_results_write(cb_results_t *res, const cb_row_t *row);
/* Serialise a row (with trailing CRLF-free "\n") into a malloc'd buffer. */
int cb_results_format_row(const cb_row_t *row, char **out, size_t *len);
const char *cb_results_path(const cb_results_t *res);
/* The file descriptor rows are appended to (O_APPEND): for an async-signal-
 * safe write() of a row formatted beforehand. */
int cb_results_fd(const cb_results_t *res);
void cb_results_close(cb_results_t *res); /* NULL ok */

/* ---- reader ---- */

/* All rows read from one or more files. Field text lives in one pool;
 * off[row * CB_NCOLS + col] is its offset (0 = the empty string). */
typedef struct cb_table {
    size_t nrows, cap;
    uint32_t *off;
    char *pool;
    size_t pool_len, pool_cap;
    char **files;        /* every file read, in order */
    size_t nfiles;
    uint32_t *row_file;  /* index into files[] of each row */
    uint32_t *row_line;  /* line (1-based) on which each row ends */
    size_t nskipped;     /* files under a directory skipped: not our header */
} cb_table_t;

void cb_table_init(cb_table_t *t);
void cb_table_free(cb_table_t *t); /* NULL ok */
/* Optional, on an empty table: reserve room for about csv_bytes of CSV
 * (about 100 bytes a row) in one go, in memory that may use transparent
 * huge pages, so reading a million rows is not bound by page faults and
 * reallocations. Small inputs (< 1 MiB) are left to grow on demand. */
void cb_table_reserve(cb_table_t *t, size_t csv_bytes);
/* Append the rows of a file, or of every *.csv under a directory (sorted,
 * recursive; files there without our header are skipped and counted). A UTF-8
 * byte-order mark at the start of a file (a spreadsheet saved it) is skipped.
 * Errors carry "file:line: reason" in errbuf: CB_ERR_IO, CB_ERR_INPUT (not our
 * header, other schema_version, wrong field count, partial last row, a NUL
 * byte in a field). On error the table keeps only the rows of files read
 * before. */
int cb_table_read(cb_table_t *t, const char *path, char *errbuf, size_t errlen);
/* Field text ("" when empty). */
static inline const char *cb_table_str(const cb_table_t *t, size_t row, int col)
{
    return t->pool + t->off[row * CB_NCOLS + (size_t)col];
}
/* Numeric value of a field: NaN when empty or not a number. */
double cb_table_num(const cb_table_t *t, size_t row, int col);
/* "file:line" of a row into buf; returns buf. */
char *cb_table_where(const cb_table_t *t, size_t row, char *buf, size_t len);

#endif
