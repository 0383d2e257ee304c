/* `clusterbench report`: turns results CSV (files, or directories read
 * recursively) into one report — report.md (tables), report.html (the same
 * tables under inline SVG plots, self-contained) and summary.csv (the
 * comparison rows) — written all or nothing: each to a temporary file in
 * the output directory, renamed into place only when all three succeeded. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb_cli.h"
#include "cb_error.h"
#include "cb_file.h"
#include "cb_results.h"
#include "cb_size.h"
#include "report_doc.h"
#include "report_model.h"

#define PROG "clusterbench report"
#define DEFAULT_INPUT "results"
#define DEFAULT_OUTPUT "results/report"

static const char help_text[] =
    "usage: clusterbench report [RESULTS...] [-o DIR] [--baseline nodes=N]\n"
    "                           [--line-rate-gbps X [--mtu M]] [--grad-bytes SIZE]\n"
    "                           [--slow-threshold F] [-q]\n"
    "                           [--workload-csv FILE --nodes-col NAME\n"
    "                            (--throughput-col NAME | --step-time-col NAME)]\n"
    "\n"
    "Turns benchmark results into one report a person can open and a tool can parse.\n"
    "RESULTS are clusterbench results CSV files or directories (every *.csv under them,\n"
    "recursively; CSV files there that are not clusterbench results, such as an earlier\n"
    "report's summary.csv, are skipped). Default: results/.\n"
    "\n"
    "Writes into DIR (default results/report/, created if needed):\n"
    "  report.md     tables: each multi-node result beside its single-node counterpart\n"
    "                (ratio, change in %), link efficiency, GPU node spread, DDP, problems\n"
    "  report.html   the same tables under inline SVG plots; self-contained (no network,\n"
    "                scripts or web fonts), open it in any browser\n"
    "  summary.csv   the comparison rows, RFC 4180 CSV, one row per compared value:\n"
    "                section,cluster,transport,memory,dtype,op,placement,metric,unit,host,\n"
    "                peer,bytes,nodes,baseline_nodes,value,baseline_value,ratio,change_pct,\n"
    "                speedup,efficiency,line_rate_frac,goodput_frac,rows,baseline_rows,flag\n"
    "All three are written to temporary files and renamed into place only when all\n"
    "succeeded: a failed run leaves DIR as it was.\n"
    "\n"
    "Sections (each says so when it has no data):\n"
    "  Inputs          rows per benchmark and per cluster, each cluster's line rate and\n"
    "                  TCP goodput (from the profile named by the rows' cluster column:\n"
    "                  sbatch/profiles/<cluster>.ini; without one, link-efficiency columns\n"
    "                  are omitted and the report says so)\n"
    "  Point-to-point  bandwidth and latency against size per node count and transport\n"
    "                  (line rate and goodput dashed); the all-pairs matrix at the largest\n"
    "                  size as a heat map (directions > F below the median flagged '!');\n"
    "                  every pair's largest size against the link; every size beside the\n"
    "                  baseline-node median\n"
    "  All-reduce      busbw against size per node count; per configuration (transport,\n"
    "                  memory, dtype, op, placement) time and busbw beside the baseline,\n"
    "                  busbw as % of line rate and of goodput (busbw x 8 / Gbit/s)\n"
    "  GPUs            each GPU's value as % of its spec sheet per measurement; a GPU more\n"
    "                  than F worse than the median of its peers is flagged SLOW (red)\n"
    "  DDP             every metric of the DDP rows per node count; measured speedup\n"
    "                  (t1_ms, tn_ms, speedup, efficiency) against single-node step time,\n"
    "                  with the break-even model (as 'clusterbench breakeven') fed with the\n"
    "                  cluster's all-reduce medians and its break-even step time marked\n"
    "  Your workload   with --workload-csv: your runs' speedup and efficiency\n"
    "  Problems        rows whose status is not ok (failed, skipped, timeout) and ok rows\n"
    "                  that could not be used, with their file:line and note\n"
    "Values are medians over repeated rows of one configuration. GB = 1e9 B.\n"
    "\n"
    "options:\n"
    "  -o, --output DIR        output directory (default results/report)\n"
    "      --baseline nodes=N  the node count results are compared with (default 1)\n"
    "      --line-rate-gbps X  line rate in Gbit/s for every cluster, instead of profiles\n"
    "      --mtu M             MTU for the TCP goodput of --line-rate-gbps (default 1500)\n"
    "      --grad-bytes SIZE   gradient bytes for the DDP model (100M = 100 MiB); default:\n"
    "                          the DDP rows' bytes column (or a grad_bytes metric); with\n"
    "                          no DDP rows, draws the model alone\n"
    "      --slow-threshold F  fraction below the peer median that flags a GPU or a link\n"
    "                          direction, in [0, 1) (default 0.10)\n"
    "      --workload-csv FILE your own runs (any CSV with a header row), compared with\n"
    "                          their baseline-node rows the same way:\n"
    "      --nodes-col NAME      the column with the node count (integer >= 1)\n"
    "      --throughput-col NAME a throughput column (samples/s, ...): speedup =\n"
    "                            throughput_N / throughput_1, efficiency = speedup / N\n"
    "      --step-time-col NAME  or a step-time column in ms at a fixed per-GPU batch:\n"
    "                            speedup = N x T1 / T_N, efficiency = T1 / T_N\n"
    "  -q, --quiet             no summary line on stdout\n"
    "  -h, --help              this text\n"
    "\n"
    "Environment: CB_HOME, the directory holding sbatch/profiles/ (default: the source\n"
    "tree of this build, or the current directory).\n"
    "\n"
    "A CSV file under a directory with a header and no rows (a run killed before its\n"
    "first measurement) is listed under Problems, with a warning on stderr.\n"
    "\n"
    "exit: 0 ok; 2 bad option or input (one line naming file:line), nothing written:\n"
    "mixed schema versions, a file that is not clusterbench results CSV, a named file\n"
    "with no rows, no rows at all, a bad workload CSV; 3 cannot write the output.\n";

typedef struct rep_cli {
    const char *const *paths; /* argv's operands (no limit on their number), or the default */
    size_t npaths;
    const char *outdir;
    const char *workload, *nodes_col, *thr_col, *step_col;
    int mtu_given, quiet;
    cb_report_opts_t ro;
} rep_cli_t;

enum {
    OPT_BASELINE = 256, OPT_LINE_RATE, OPT_MTU, OPT_GRAD_BYTES, OPT_SLOW, OPT_WORKLOAD,
    OPT_NODES_COL, OPT_THR_COL, OPT_STEP_COL,
};

/* 0 ok, -1 help printed, else an exit code. */
static int parse_args(int argc, char **argv, rep_cli_t *o)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"baseline", required_argument, NULL, OPT_BASELINE},
        {"line-rate-gbps", required_argument, NULL, OPT_LINE_RATE},
        {"mtu", required_argument, NULL, OPT_MTU},
        {"grad-bytes", required_argument, NULL, OPT_GRAD_BYTES},
        {"slow-threshold", required_argument, NULL, OPT_SLOW},
        {"workload-csv", required_argument, NULL, OPT_WORKLOAD},
        {"nodes-col", required_argument, NULL, OPT_NODES_COL},
        {"throughput-col", required_argument, NULL, OPT_THR_COL},
        {"step-time-col", required_argument, NULL, OPT_STEP_COL},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    cb_report_opts_default(&o->ro);
    o->outdir = DEFAULT_OUTPUT;
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (!*optarg)
                return cb_cli_usage_err(PROG, "--output: empty directory name");
            o->outdir = optarg;
            break;
        case OPT_BASELINE: {
            long v;
            if (strncmp(optarg, "nodes=", 6) || cb_parse_long(optarg + 6, 1, 1000000, &v) < 0)
                return cb_cli_usage_err(PROG, "--baseline '%s': expected nodes=N with N >= 1 (e.g. nodes=1)",
                                 optarg);
            o->ro.baseline_nodes = (int)v;
            break;
        }
        case OPT_LINE_RATE: {
            double v;
            if (cb_parse_double(optarg, -1e300, 1e300, &v) < 0 || !(v > 0) || v > 100000)
                return cb_cli_usage_err(PROG, "--line-rate-gbps '%s': expected a rate in Gbit/s, > 0 and "
                                 "<= 100000",
                                 optarg);
            o->ro.line_rate_gbps = v;
            break;
        }
        case OPT_MTU: {
            long v;
            if (cb_parse_long(optarg, 576, 65536, &v) < 0)
                return cb_cli_usage_err(PROG, "--mtu '%s': expected 576..65536 bytes", optarg);
            o->ro.mtu = v;
            o->mtu_given = 1;
            break;
        }
        case OPT_GRAD_BYTES: {
            uint64_t v;
            int rc = cb_size_parse(optarg, &v);
            if (rc < 0 || v == 0)
                return cb_cli_usage_err(PROG, "--grad-bytes '%s': expected a size > 0 (e.g. 100M, 4G, "
                                 "102228128)",
                                 optarg);
            o->ro.grad_bytes = (double)v;
            break;
        }
        case OPT_SLOW: {
            double v;
            if (cb_parse_double(optarg, -1e300, 1e300, &v) < 0 || !(v >= 0 && v < 1))
                return cb_cli_usage_err(PROG, "--slow-threshold '%s': expected a fraction in [0, 1), e.g. "
                                 "0.10",
                                 optarg);
            o->ro.slow_threshold = v;
            break;
        }
        case OPT_WORKLOAD: o->workload = optarg; break;
        case OPT_NODES_COL: o->nodes_col = optarg; break;
        case OPT_THR_COL: o->thr_col = optarg; break;
        case OPT_STEP_COL: o->step_col = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'h':
            fputs(help_text, stdout);
            return -1;
        case ':':
            return cb_cli_usage_err(PROG, "%s needs a value (see --help)", argv[optind - 1]);
        default:
            if (optopt)
                return cb_cli_usage_err(PROG, "unknown option '-%c' (see --help)", optopt);
            return cb_cli_usage_err(PROG, "unknown option '%s' (see --help)", argv[optind - 1]);
        }
    }
    static const char *const default_input[] = {DEFAULT_INPUT};
    for (int i = optind; i < argc; i++)
        if (!*argv[i])
            return cb_cli_usage_err(PROG, "empty input path");
    /* getopt_long moved the operands to the end of argv */
    o->paths = optind < argc ? (const char *const *)(argv + optind) : default_input;
    o->npaths = optind < argc ? (size_t)(argc - optind) : 1;
    if (o->mtu_given && isnan(o->ro.line_rate_gbps))
        return cb_cli_usage_err(PROG, "--mtu applies to --line-rate-gbps (profiles carry their own MTU)");
    if (o->workload) {
        if (!o->nodes_col)
            return cb_cli_usage_err(PROG, "--workload-csv needs --nodes-col NAME");
        if (!o->thr_col == !o->step_col)
            return cb_cli_usage_err(PROG, "--workload-csv needs one of --throughput-col NAME or "
                             "--step-time-col NAME");
    } else if (o->nodes_col || o->thr_col || o->step_col) {
        return cb_cli_usage_err(PROG, "--nodes-col, --throughput-col and --step-time-col go with "
                         "--workload-csv FILE");
    }
    o->ro.paths = o->paths;
    o->ro.npaths = o->npaths;
    return 0;
}

/* ------------------------------------------------------------ output */

typedef struct outfile {
    const char *name;
    char *data;
    size_t len;
} outfile_t;

#define MAX_OUTFILES 8

/* Write every file to a temp in dir (cb_file's atomic writes, 0666 less the
 * umask), sync them all, then rename them all; on failure remove the temps
 * and the directories this call created. 0 or exit 3. */
static int publish(const char *dir, outfile_t *files, size_t n)
{
    char err[8192];
    cb_file_atomic_t *tmp[MAX_OUTFILES] = {0};
    size_t made = 0;
    int rc = 0;
    if (n > MAX_OUTFILES)
        return 3;
    if (cb_file_mkdir_p_made(dir, &made, err, sizeof err) != CB_OK) {
        fprintf(stderr, PROG ": cannot create output directory %s: %s\n", dir, strerror(errno));
        rc = 3;
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        char dst[4096 + 64];
        snprintf(dst, sizeof dst, "%s/%s", dir, files[i].name);
        if (cb_file_atomic_open(dst, 0, &tmp[i], err, sizeof err) != CB_OK) {
            fprintf(stderr, PROG ": %s\n", err);
            rc = 3;
            goto fail;
        }
        fwrite(files[i].data, 1, files[i].len, cb_file_atomic_stream(tmp[i]));
        if (cb_file_atomic_sync(tmp[i], err, sizeof err) != CB_OK) {
            fprintf(stderr, PROG ": %s\n", err);
            rc = 3;
            goto fail;
        }
    }
    for (size_t i = 0; i < n; i++) {
        int frc = cb_file_atomic_commit(tmp[i], err, sizeof err);
        tmp[i] = NULL;
        if (frc != CB_OK) {
            fprintf(stderr, PROG ": %s\n", err);
            rc = 3;
            goto fail;
        }
    }
    return 0;
fail:
    for (size_t i = 0; i < n; i++)
        cb_file_atomic_abort(tmp[i]);
    cb_file_rmdir_made(dir, made);
    return rc;
}

/* ------------------------------------------------------------ input size */

/* Bytes of *.csv under path (a file counts whatever its name). */
static size_t csv_bytes_under(const char *path, int top)
{
    struct stat sb;
    if (stat(path, &sb))
        return 0;
    if (!S_ISDIR(sb.st_mode)) {
        size_t l = strlen(path);
        return (top || (l > 4 && !strcmp(path + l - 4, ".csv"))) ? (size_t)sb.st_size : 0;
    }
    DIR *d = opendir(path);
    if (!d)
        return 0;
    size_t total = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        total += csv_bytes_under(sub, 0);
    }
    closedir(d);
    return total;
}

/* ------------------------------------------------------------ main */

int cb_cli_report(int argc, char **argv)
{
    rep_cli_t o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;

    int exit_code = 0;
    char err[2048];
    cb_table_t table;
    cb_table_init(&table);
    cb_report_workload_t wl;
    memset(&wl, 0, sizeof wl);
    int have_wl = 0;
    cb_doc_t *doc = NULL;
    cb_report_summary_t sum = {0};
    const char **empty = NULL;
    size_t nempty = 0, nforeign = 0;
    size_t *file_rows = NULL;
    outfile_t files[3] = {{.name = "report.md"}, {.name = "report.html"}, {.name = "summary.csv"}};
    size_t *dir_file_start = calloc(o.npaths + 1, sizeof *dir_file_start);
    int *is_dir = calloc(o.npaths + 1, sizeof *is_dir);
    if (!dir_file_start || !is_dir) {
        exit_code = 3;
        goto out;
    }

    /* 1. read every input; stop at the first bad one */
    size_t csv_bytes = 0;
    for (size_t i = 0; i < o.npaths; i++)
        csv_bytes += csv_bytes_under(o.paths[i], 1);
    cb_table_reserve(&table, csv_bytes);
    for (size_t i = 0; i < o.npaths; i++) {
        struct stat sb;
        if (stat(o.paths[i], &sb)) {
            exit_code = cb_cli_usage_err(PROG, "%s: %s", o.paths[i], strerror(errno));
            goto out;
        }
        is_dir[i] = S_ISDIR(sb.st_mode);
        size_t rows0 = table.nrows, skipped0 = table.nskipped;
        dir_file_start[i] = table.nfiles;
        if ((exit_code = cb_cli_read_results(PROG, &table, o.paths[i])))
            goto out;
        nforeign += table.nskipped - skipped0;
        if (!is_dir[i] && table.nrows == rows0) {
            exit_code = cb_cli_usage_err(PROG, "%s:1: no rows: only a header", o.paths[i]);
            goto out;
        }
        if (is_dir[i] && table.nrows == rows0)
            fprintf(stderr, PROG ": warning: %s: no clusterbench results rows under it\n",
                    o.paths[i]);
    }
    dir_file_start[o.npaths] = table.nfiles;
    if (table.nrows == 0) {
        exit_code = cb_cli_usage_err(PROG, "no results rows in %s%s", o.paths[0],
                              o.npaths > 1 ? " and the other inputs" : "");
        goto out;
    }
    /* files under directories with a header and no row */
    file_rows = calloc(table.nfiles + 1, sizeof *file_rows);
    empty = calloc(table.nfiles + 1, sizeof *empty);
    if (!file_rows || !empty) {
        exit_code = 3;
        goto out;
    }
    for (size_t r = 0; r < table.nrows; r++)
        file_rows[table.row_file[r]]++;
    for (size_t i = 0; i < o.npaths; i++)
        for (size_t f = dir_file_start[i]; is_dir[i] && f < dir_file_start[i + 1]; f++)
            if (!file_rows[f]) {
                empty[nempty++] = table.files[f];
                fprintf(stderr, PROG ": warning: %s: a header and no rows (listed under "
                                "Problems)\n",
                        table.files[f]);
            }

    /* 2. the workload */
    if (o.workload) {
        int wrc = cb_report_workload_read(o.workload, o.nodes_col,
                                          o.thr_col ? o.thr_col : o.step_col, o.step_col != NULL,
                                          &wl, err, sizeof err);
        if (wrc < 0) {
            fprintf(stderr, PROG ": %s\n", err);
            exit_code = wrc == CB_ERR_NOMEM ? 3 : 2;
            goto out;
        }
        have_wl = 1;
    }

    /* 3. build */
    doc = cb_doc_new();
    if (!doc) {
        exit_code = 3;
        goto out;
    }
    cb_report_input_t in = {.empty_files = empty, .nempty = nempty, .nforeign = nforeign};
    int brc = cb_report_build(&table, &o.ro, have_wl ? &wl : NULL, &in, doc, &sum);
    if (brc < 0) {
        fprintf(stderr, PROG ": building the report: %s\n", cb_strerror(brc));
        exit_code = cb_error_exit_code(brc);
        goto out;
    }

    /* 4. render in memory, then publish all three or none */
    for (int i = 0; i < 3; i++) {
        FILE *f = open_memstream(&files[i].data, &files[i].len);
        if (!f) {
            exit_code = 3;
            goto out;
        }
        int wrc = i == 0   ? cb_doc_write_md(doc, f)
                  : i == 1 ? cb_doc_write_html(doc, f, "clusterbench report")
                           : cb_report_summary_write(&sum, f);
        if (fclose(f) || wrc) {
            fprintf(stderr, PROG ": rendering %s: out of memory\n", files[i].name);
            exit_code = 3;
            goto out;
        }
    }
    exit_code = publish(o.outdir, files, 3);
    if (!exit_code && !o.quiet)
        printf("%s: %zu rows from %zu file%s -> %s/report.md, %s/report.html (%zu plots), "
               "%s/summary.csv (%zu rows)\n",
               PROG, table.nrows, table.nfiles, table.nfiles == 1 ? "" : "s", o.outdir,
               o.outdir, cb_doc_nplots(doc), o.outdir, sum.n);
    if (!exit_code && fflush(stdout) != 0)
        exit_code = 3;

out:
    for (int i = 0; i < 3; i++)
        free(files[i].data);
    free(dir_file_start);
    free(is_dir);
    free(file_rows);
    free(empty);
    cb_report_summary_free(&sum);
    cb_doc_free(doc);
    cb_report_workload_free(&wl);
    cb_table_free(&table);
    return exit_code;
}
