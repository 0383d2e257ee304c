/* `clusterbench gpu-table DIR`: the table of a scripts/gpu-check run. Reads
 * DIR/paths.tsv (one GPU path a line, as the script writes it) and the results
 * CSV each path wrote, prints the table (gpucheck.h) and writes it as CSV.
 * Exit 0 when no path failed, 1 when one did, 2 for bad input, 3 when the CSV
 * cannot be written. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_cli.h"
#include "cb_error.h"
#include "cb_file.h"
#include "cb_results.h"
#include "gpucheck.h"

#define PROG "clusterbench gpu-table"
#define MAX_PATHS 16

static const char help_text[] =
    "usage: clusterbench gpu-table [-o FILE] DIR\n"
    "\n"
    "The table of a scripts/gpu-check run: every GPU path it tried, ok / FAILED (with the\n"
    "exit status and error) / skipped / absent (with the reason), and each path's headline\n"
    "figures from the results CSV it wrote: value, the spec table's figure and the\n"
    "efficiency against it, and the vendor library's own number on the same GPU where\n"
    "there is one (copy/triad kernels against cudaMemcpy D2D, the FP32 FMA peak against\n"
    "cuBLAS SGEMM, a one-rank NCCL all-reduce, a device copy, against cudaMemcpy D2D).\n"
    "A path that exited 0 but wrote no rows, wrong data or a failed measurement is FAILED.\n"
    "\n"
    "DIR/paths.tsv, one path a line, tab-separated:\n"
    "  KIND LABEL STATUS EXIT DETAIL CSV\n"
    "  KIND    gpu, allreduce, p2p, ddp or torch (which figures its rows give)\n"
    "  STATUS  ok, failed, skipped or absent; EXIT the program's status (-1: not run)\n"
    "  DETAIL  the error or the reason (may be empty); CSV relative to DIR (may be empty)\n"
    "\n"
    "options:\n"
    "  -o, --output FILE   the table as CSV (default DIR/gpu-check.csv)\n"
    "  -h, --help          this text\n"
    "exit status: 0 no path failed, 1 a path failed, 2 bad input, 3 the CSV not written\n";

/* Split a line at tabs into at most max fields (the line is modified). */
static int split_tabs(char *line, char **f, int max)
{
    int n = 0;
    for (char *p = line; n < max;) {
        f[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

static int read_paths(const char *dir, cb_gpucheck_path_t *paths, size_t *n, char csv[][1024])
{
    char file[1100];
    snprintf(file, sizeof file, "%s/paths.tsv", dir);
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, PROG ": %s: %s\n", file, strerror(errno));
        return 2;
    }
    char line[2048];
    int lineno = 0, rc = 0;
    *n = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        if (!len || line[0] == '#')
            continue;
        char *fld[6];
        char *end = NULL;
        int nf = split_tabs(line, fld, 6);
        cb_gpucheck_path_t *p = &paths[*n];
        memset(p, 0, sizeof *p);
        int kind = nf == 6 ? cb_gpucheck_kind_parse(fld[0]) : -1;
        long ex = nf == 6 ? strtol(fld[3], &end, 10) : 0;
        if (*n >= MAX_PATHS) {
            fprintf(stderr, PROG ": %s:%d: more than %d paths\n", file, lineno, MAX_PATHS);
            rc = 2;
        } else if (nf != 6) {
            fprintf(stderr, PROG ": %s:%d: want 6 tab-separated fields, got %d\n", file, lineno, nf);
            rc = 2;
        } else if (kind < 0) {
            fprintf(stderr, PROG ": %s:%d: unknown kind '%s' (gpu, allreduce, p2p, ddp, torch)\n",
                    file, lineno, fld[0]);
            rc = 2;
        } else if (strcmp(fld[2], "ok") && strcmp(fld[2], "failed") && strcmp(fld[2], "skipped") &&
                   strcmp(fld[2], "absent")) {
            fprintf(stderr, PROG ": %s:%d: unknown status '%s' (ok, failed, skipped, absent)\n",
                    file, lineno, fld[2]);
            rc = 2;
        } else if (end == fld[3] || *end || ex < -1 || ex > 255) {
            fprintf(stderr, PROG ": %s:%d: exit status '%s' is not -1..255\n", file, lineno, fld[3]);
            rc = 2;
        } else {
            p->kind = (cb_gpucheck_kind_t)kind;
            snprintf(p->label, sizeof p->label, "%s", fld[1]);
            snprintf(p->status, sizeof p->status, "%s", fld[2]);
            p->exit_code = (int)ex;
            snprintf(p->detail, sizeof p->detail, "%s", fld[4]);
            if (fld[5][0])
                snprintf(csv[*n], 1024, "%s/%s", dir, fld[5]);
            else
                csv[*n][0] = '\0';
            ++*n;
        }
    }
    fclose(f);
    if (!rc && !*n) {
        fprintf(stderr, PROG ": %s: no paths\n", file);
        rc = 2;
    }
    return rc;
}

/* Figures of path p from its CSV; a path that says ok but wrote nothing
 * readable, or whose figures failed, becomes failed. */
static void load_figures(cb_gpucheck_path_t *p, const char *csv, double memcpy_gbps)
{
    if (!csv[0] || access(csv, F_OK)) {
        if (!strcmp(p->status, "ok")) {
            snprintf(p->status, sizeof p->status, "failed");
            snprintf(p->detail, sizeof p->detail, "exited %d but wrote no results CSV", p->exit_code);
        }
        return;
    }
    cb_table_t t;
    cb_table_init(&t);
    char err[512];
    if (cb_table_read(&t, csv, err, sizeof err)) {
        snprintf(p->status, sizeof p->status, "failed");
        snprintf(p->detail, sizeof p->detail, "its results CSV: %.200s", err);
    } else {
        cb_gpucheck_figures(p, &t, memcpy_gbps);
        int bad = 0;
        for (size_t k = 0; k < p->nfigs; k++)
            bad |= p->figs[k].failed;
        if (bad && !strcmp(p->status, "ok")) {
            snprintf(p->status, sizeof p->status, "failed");
            if (!p->detail[0])
                snprintf(p->detail, sizeof p->detail, "exited 0, but a figure failed (below)");
        }
    }
    cb_table_free(&t);
}

int cb_cli_gpucheck(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *out = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'h': fputs(help_text, stdout); return 0;
        default:
            fprintf(stderr, PROG ": unknown or incomplete option '%s'\n(try '" PROG " --help')\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, PROG ": want one directory (try '" PROG " --help')\n");
        return 2;
    }
    const char *dir = argv[optind];
    static cb_gpucheck_path_t paths[MAX_PATHS];
    static char csv[MAX_PATHS][1024];
    size_t n = 0;
    int rc = read_paths(dir, paths, &n, csv);
    if (rc)
        return rc;
    /* the first GPU's cudaMemcpy D2D, reference of the one-rank all-reduce */
    double memcpy_gbps = NAN;
    for (size_t i = 0; i < n && !(memcpy_gbps > 0); i++) {
        if (paths[i].kind != CB_GPUCHECK_GPU || !csv[i][0] || access(csv[i], F_OK))
            continue;
        cb_table_t t;
        cb_table_init(&t);
        char err[512];
        if (!cb_table_read(&t, csv[i], err, sizeof err))
            memcpy_gbps = cb_gpucheck_memcpy_gbps(&t);
        cb_table_free(&t);
    }
    for (size_t i = 0; i < n; i++)
        load_figures(&paths[i], csv[i], memcpy_gbps);
    int failed = cb_gpucheck_print(stdout, paths, n);
    fflush(stdout);

    char def[1100], err[1400];
    if (!out) {
        snprintf(def, sizeof def, "%s/gpu-check.csv", dir);
        out = def;
    }
    cb_file_atomic_t *a;
    if (cb_file_atomic_open(out, 0, &a, err, sizeof err) != CB_OK) {
        fprintf(stderr, PROG ": %s\n", err);
        return 3;
    }
    if (cb_gpucheck_write_csv(cb_file_atomic_stream(a), paths, n) != 0) {
        fprintf(stderr, PROG ": writing %s: %s\n", out, strerror(errno));
        cb_file_atomic_abort(a);
        return 3;
    }
    if (cb_file_atomic_commit(a, err, sizeof err) != CB_OK) {
        fprintf(stderr, PROG ": %s\n", err);
        return 3;
    }
    return failed ? 1 : 0;
}
