/* `clusterbench gate`: the acceptance gate. Judges results CSV against a
 * thresholds file (gate/cb_gate.h) and the cluster's profile, prints one
 * PASS/FAIL line per check and a summary, optionally writes JUnit XML and a
 * Prometheus textfile, and exits 0 (pass), 1 (fail) or 2 (bad input). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cb_cli.h"
#include "cb_error.h"
#include "cb_gate.h"
#include "cb_profile.h"
#include "cb_results.h"

#define PROG "clusterbench gate"
#define MAX_SKIP 64
#define INDENT "         " /* under "[ PASS ] " */

static const char help_text[] =
    "usage: clusterbench gate [--thresholds FILE] [--profile NAME|PATH] [--junit FILE]\n"
    "                         [--prometheus FILE] [--skip CHECK]... [--verbose] RESULTS...\n"
    "\n"
    "The acceptance gate: judges results CSV (files, or directories: every *.csv under\n"
    "them) against thresholds and says PASS or FAIL, check by check, and why.\n"
    "\n"
    "options:\n"
    "  -t, --thresholds FILE  the checks (INI, below); default: the profile's\n"
    "                         sbatch/profiles/<name>.gate.ini\n"
    "  -p, --profile NAME|PATH  the cluster profile (line rate, MTU, nodes, GPUs); default:\n"
    "                         the profile named by the rows' cluster column, when one exists\n"
    "      --junit FILE       also write JUnit XML: one testcase per check (CI systems)\n"
    "      --prometheus FILE  also write the Prometheus text format, for node_exporter's\n"
    "                         textfile collector (clusterbench_gate_pass,\n"
    "                         clusterbench_gate_timestamp_seconds, clusterbench_check_pass,\n"
    "                         clusterbench_check_value, ..._reference, ..._lower_bound,\n"
    "                         ..._upper_bound, ..._bad, clusterbench_gate_checks)\n"
    "      --skip CHECK       do not judge this check (repeatable; shown as SKIP)\n"
    "  -v, --verbose          also list the rows behind passing checks\n"
    "  -h, --help             this text\n"
    "Files are written to a temporary name and renamed into place, and only when every\n"
    "check could be judged.\n"
    "\n"
    "Thresholds file: one [section] per check, named by the section. Bounds are ReFrame's\n"
    "reference form (ref, lower_thres, upper_thres, unit): fractions of the reference, so\n"
    "a check passes when  ref x (1 + lower) <= value <= ref x (1 + upper)  (none = no bound;\n"
    "lower in [-1, 0], upper >= 0).\n"
    "\n"
    "  ; all-reduce bus bandwidth at the largest size and node count measured:\n"
    "  ; at least 70% of the TCP goodput of the profile's line rate\n"
    "  [allreduce_busbw]\n"
    "  benchmark = allreduce\n"
    "  transport = mpi\n"
    "  placement = out-of-place\n"
    "  nodes     = max\n"
    "  bytes     = max\n"
    "  column    = busbw_gbps\n"
    "  reference = profile.goodput_gbps\n"
    "  lower     = -0.30\n"
    "  upper     = none\n"
    "  unit      = GB/s\n"
    "\n"
    "  [gemm_bf16]                 ; every GPU at least 75% of its spec sheet\n"
    "  benchmark = gpu\n"
    "  metric    = gemm_bf16_tflops\n"
    "  bytes     = max\n"
    "  column    = value\n"
    "  reference = spec\n"
    "  lower     = -0.25\n"
    "  unit      = TFLOPS\n"
    "\n"
    "  [p2p_spread]                ; no host 10% below the median of its peers\n"
    "  kind      = spread\n"
    "  benchmark = p2p\n"
    "  op        = bw\n"
    "  nodes     = max\n"
    "  bytes     = max\n"
    "  column    = algbw_gbps\n"
    "  per       = host_peer\n"
    "  lower     = -0.10\n"
    "\n"
    "  [wrong_elements]            ; data validation: no wrong element anywhere\n"
    "  kind      = zero\n"
    "\n"
    "  [preflight]                 ; no preflight row failed\n"
    "  kind      = no_status\n"
    "  benchmark = preflight\n"
    "\n"
    "keys:\n"
    "  kind       value (default) | spread | zero | no_status\n"
    "  benchmark, transport, memory, dtype, op, placement, metric, host, peer, status,\n"
    "  cluster    row selectors: the column's text equals the value, or one of a\n"
    "             comma-separated list; absent = any\n"
    "  nodes      a node count, or max: the largest node count among the selected rows\n"
    "  bytes      a size (64M = 64 MiB, 1G, 4096), or max: the largest size left after nodes\n"
    "  column     judged: algbw_gbps, busbw_gbps (GB/s), value (in the row's unit),\n"
    "             efficiency, wrong_elements, time_us_{min,median,mean,p95,max}\n"
    "  reference  a number in `unit`; profile.goodput_gbps (TCP goodput of the line rate at\n"
    "             the MTU for ethernet, the line rate for infiniband/efa); profile.\n"
    "             line_rate_gbps; spec (the row's spec_value: column = value only)\n"
    "  lower, upper  fractions of the reference, or none\n"
    "  unit       GB/s, Gbit/s, MB/s, Mbit/s, TFLOPS, GFLOPS, s, ms, us, count, fraction.\n"
    "             The CSV's bandwidth columns are GB/s (1 GB = 1e9 B), profile rates are\n"
    "             Gbit/s: every number is converted into `unit` (1 GB/s = 8 Gbit/s).\n"
    "  stat       value checks: each (default: every row must pass; the worst is shown),\n"
    "             min, max, median, mean (one number from all rows); spread: how an\n"
    "             entity's rows become its value (default median)\n"
    "  per        spread: host (default), host_peer (a point-to-point row counts for both\n"
    "             ends), gpu (host and rank)\n"
    "  forbid     no_status: statuses that fail (default fail,failed,timeout)\n"
    "  optional   no (default) | yes: when no row matches, the check is not measured:\n"
    "             shown as SKIP with the reason (JUnit <skipped>, Prometheus\n"
    "             clusterbench_check_not_measured), never a pass or a failure. For rows\n"
    "             only some runs write, e.g. op = round (cb-p2p --all-pairs --reference):\n"
    "               [p2p_rounds]      ; each round at once >= 80% of its pairs alone\n"
    "               benchmark = p2p\n"
    "               op        = round\n"
    "               column    = efficiency\n"
    "               reference = 1\n"
    "               lower     = -0.20\n"
    "               unit      = fraction\n"
    "               optional  = yes\n"
    "kind = spread uses lower (default -0.10: flag an entity more than 10% below the\n"
    "median of its peers) or upper (times: flag one more than that above). kind = zero:\n"
    "column (default wrong_elements) is 0 in every selected row that has a value.\n"
    "\n"
    "A check that matches no rows cannot be judged: that is bad input (exit 2), not a pass\n"
    "(unless optional = yes: then it is not measured, and says so).\n"
    "A selected row without a value (a failed measurement) fails its check. With a\n"
    "profile, checks that cannot apply to it are refused (GPU checks on a CPU-only\n"
    "cluster, spread checks on one node, ...).\n"
    "\n"
    "output: one line per check, e.g.\n"
    "  [ PASS ] p2p_bw: 0.287 GB/s >= 0.90 x 0.294 GB/s (TCP goodput of 2.5 Gbit/s at\n"
    "           MTU 1500) \u2014 97.6%; worst of 6 rows: node0->node2\n"
    "then the rows behind a failure, and a summary: [ PASSED ] 5/5 checks, or\n"
    "[ FAILED ] 1 of 5 checks: NAMES.\n"
    "\n"
    "exit: 0 every check passed, 1 a check failed, 2 bad option or input (thresholds\n"
    "errors as file:line: reason; checks that cannot be judged), 3 runtime error.\n";

typedef struct gate_opts {
    const char *thresholds, *profile, *junit, *prometheus;
    const char *const *results; /* argv's operands: no limit on their number */
    int nresults;
    const char *skip[MAX_SKIP];
    int nskip;
    int verbose;
} gate_opts_t;

enum { OPT_JUNIT = 256, OPT_PROMETHEUS, OPT_SKIP };

/* 0 ok, -1 done (help printed), else an exit code. */
static int parse_args(int argc, char **argv, gate_opts_t *o)
{
    static const struct option longopts[] = {
        {"thresholds", required_argument, NULL, 't'},
        {"profile", required_argument, NULL, 'p'},
        {"junit", required_argument, NULL, OPT_JUNIT},
        {"prometheus", required_argument, NULL, OPT_PROMETHEUS},
        {"skip", required_argument, NULL, OPT_SKIP},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":t:p:vh", longopts, NULL)) != -1) {
        switch (c) {
        case 't':
            if (o->thresholds)
                return cb_cli_usage_err(PROG, "--thresholds given twice");
            o->thresholds = optarg;
            break;
        case 'p':
            if (o->profile)
                return cb_cli_usage_err(PROG, "--profile given twice");
            o->profile = optarg;
            break;
        case OPT_JUNIT: o->junit = optarg; break;
        case OPT_PROMETHEUS: o->prometheus = optarg; break;
        case OPT_SKIP:
            if (o->nskip == MAX_SKIP)
                return cb_cli_usage_err(PROG, "--skip: more than %d checks", MAX_SKIP);
            o->skip[o->nskip++] = optarg;
            break;
        case 'v': o->verbose = 1; break;
        case 'h':
            fputs(help_text, stdout);
            return -1;
        case ':':
            return cb_cli_usage_err(PROG, "option %s needs a value (see --help)", argv[optind - 1]);
        default:
            return cb_cli_usage_err(PROG, "unknown option '%s' (see --help)", argv[optind - 1]);
        }
    }
    /* getopt_long moved the operands to the end of argv */
    o->results = (const char *const *)(argv + optind);
    o->nresults = argc - optind;
    if (!o->nresults)
        return cb_cli_usage_err(PROG, "no results given (RESULTS...: CSV files or directories; see --help)");
    if (o->thresholds && !*o->thresholds)
        return cb_cli_usage_err(PROG, "--thresholds: empty path");
    if (o->junit && !*o->junit)
        return cb_cli_usage_err(PROG, "--junit: empty path");
    if (o->prometheus && !*o->prometheus)
        return cb_cli_usage_err(PROG, "--prometheus: empty path");
    return 0;
}

/* The one cluster the rows name: 0 (none named: *out = NULL), 1, or 2 when
 * they name several (a and b in *out, *other). */
static int rows_cluster(const cb_table_t *t, const char **out, const char **other)
{
    *out = NULL;
    *other = NULL;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *c = cb_table_str(t, r, CB_COL_CLUSTER);
        if (!*c)
            continue;
        if (!*out)
            *out = c;
        else if (strcmp(*out, c)) {
            *other = c;
            return 2;
        }
    }
    return *out ? 1 : 0;
}

static void print_clean(FILE *f, const char *prefix, const char *s)
{
    char buf[2048];
    fprintf(f, "%s%s\n", prefix, cb_gate_out_clean(s, buf, sizeof buf));
}

static void print_detail(const char *detail)
{
    const char *p = detail;
    while (p && *p) {
        size_t n = strcspn(p, "\n");
        char line[2048];
        if (n >= sizeof line)
            n = sizeof line - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        print_clean(stdout, INDENT, line);
        p += strcspn(p, "\n");
        if (*p)
            p++;
    }
}

static void join_names(const cb_gate_report_t *r, cb_gate_verdict_t v, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < r->n; i++) {
        if (r->results[i].verdict != v)
            continue;
        int w = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", r->results[i].check->name);
        if (w < 0 || (size_t)w >= len - o) {
            buf[o] = '\0';
            break;
        }
        o += (size_t)w;
    }
}

int cb_cli_gate(int argc, char **argv)
{
    gate_opts_t o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;

    int exit_code = 0;
    char err[2048], prof_path[PATH_MAX], thr_path[PATH_MAX];
    cb_table_t table;
    cb_profile_t *prof = NULL;
    cb_gate_t *gate = NULL;
    cb_gate_report_t rep = {0};
    cb_table_init(&table);

    for (int i = 0; i < o.nresults; i++) {
        if ((exit_code = cb_cli_read_results(PROG, &table, o.results[i])))
            goto out;
    }
    if (table.nrows == 0) {
        exit_code = cb_cli_usage_err(PROG, "no results rows in %s%s", o.results[0],
                              o.nresults > 1 ? " (and the other paths)" : "");
        goto out;
    }

    /* the profile: named, or the one the rows' cluster column names */
    const char *cluster = NULL, *other = NULL;
    if (rows_cluster(&table, &cluster, &other) == 2) {
        exit_code = cb_cli_usage_err(PROG, "the results come from several clusters (%s, %s): gate one "
                              "cluster at a time",
                              cluster, other);
        goto out;
    }
    prof_path[0] = '\0';
    if (o.profile) {
        err[0] = '\0';
        int prc = cb_profile_resolve(o.profile, prof_path, sizeof prof_path, err, sizeof err);
        if (prc < 0) {
            exit_code = cb_cli_usage_err(PROG, "--profile: %s", err[0] ? err : cb_strerror(prc));
            goto out;
        }
    } else if (cluster) {
        if (cb_profile_resolve(cluster, prof_path, sizeof prof_path, err, sizeof err) < 0)
            prof_path[0] = '\0'; /* not a shipped profile: none */
    }
    if (prof_path[0]) {
        int prc = cb_profile_load(prof_path, &prof, err, sizeof err);
        if (prc < 0) {
            fprintf(stderr, PROG ": %s\n", err);
            exit_code = cb_error_exit_code(prc);
            goto out;
        }
        if (cluster && strcmp(cluster, prof->name))
            fprintf(stderr, PROG ": warning: the rows are from cluster '%s', judged against "
                            "profile '%s'\n",
                    cluster, prof->name);
    }

    /* the thresholds: given, or the profile's <name>.gate.ini */
    if (o.thresholds) {
        snprintf(thr_path, sizeof thr_path, "%s", o.thresholds);
    } else if (prof_path[0]) {
        size_t n = strlen(prof_path);
        if (n > 4 && !strcmp(prof_path + n - 4, ".ini"))
            n -= 4;
        if ((size_t)snprintf(thr_path, sizeof thr_path, "%.*s.gate.ini", (int)n, prof_path) >=
            sizeof thr_path) {
            exit_code = cb_cli_usage_err(PROG, "profile path too long");
            goto out;
        }
    } else {
        exit_code = cb_cli_usage_err(PROG, "no --thresholds, and no profile to take <profile>.gate.ini from "
                              "(give --thresholds FILE or --profile NAME)");
        goto out;
    }
    err[0] = '\0';
    int lrc = cb_gate_load(thr_path, prof, &gate, err, sizeof err);
    if (lrc < 0) {
        fprintf(stderr, PROG ": %s\n", err[0] ? err : cb_strerror(lrc));
        if (lrc == CB_ERR_IO && !o.thresholds)
            fprintf(stderr, PROG ": (the default thresholds of profile %s; give --thresholds "
                            "FILE)\n",
                    prof->name);
        exit_code = lrc == CB_ERR_NOMEM ? 3 : 2;
        goto out;
    }
    for (int i = 0; i < o.nskip; i++)
        if (!cb_gate_find(gate, o.skip[i])) {
            exit_code = cb_cli_usage_err(PROG, "--skip %s: no such check in %s", o.skip[i], thr_path);
            goto out;
        }

    cb_gate_env_t env = {.profile = prof, .skip = o.skip, .nskip = (size_t)o.nskip};
    int erc = cb_gate_evaluate(gate, &table, &env, &rep);
    if (erc < 0) {
        fprintf(stderr, PROG ": %s\n", cb_strerror(erc));
        exit_code = 3;
        goto out;
    }
    const char *label = prof ? prof->name : cluster ? cluster : "";

    char line[4096];
    printf("clusterbench gate: %zu check%s from %s on %zu rows from %zu file%s", gate->n,
           gate->n == 1 ? "" : "s", thr_path, table.nrows, table.nfiles,
           table.nfiles == 1 ? "" : "s");
    if (prof)
        printf(" (profile %s: %s %g Gbit/s, MTU %ld, %ld node%s, %ld GPU%s per node)", prof->name,
               cb_net_kind_name(prof->net_kind), prof->line_rate_gbps, prof->mtu, prof->nodes,
               prof->nodes == 1 ? "" : "s", prof->gpus_per_node,
               prof->gpus_per_node == 1 ? "" : "s");
    else if (cluster) {
        char clean[256];
        printf(" (cluster %s, no profile)", cb_gate_out_clean(cluster, clean, sizeof clean));
    }
    printf("\n");
    if (table.nskipped)
        printf("(%zu file%s under the results directories skipped: not results CSV)\n",
               table.nskipped, table.nskipped == 1 ? "" : "s");
    for (size_t i = 0; i < rep.n; i++) {
        const cb_gate_result_t *res = &rep.results[i];
        print_clean(stdout, "", cb_gate_format_line(res, line, sizeof line));
        if (res->verdict == CB_GATE_FAIL || (o.verbose && res->verdict == CB_GATE_PASS))
            print_detail(res->detail);
    }
    char names[2048];
    exit_code = cb_gate_exit_code(&rep);
    size_t judged = rep.n - rep.nskip;
    char skipped[64] = "";
    if (rep.nskip && rep.nnot_measured == rep.nskip)
        snprintf(skipped, sizeof skipped, " (%zu not measured)", rep.nskip);
    else if (rep.nnot_measured)
        snprintf(skipped, sizeof skipped, " (%zu skipped, %zu of them not measured)", rep.nskip,
                 rep.nnot_measured);
    else if (rep.nskip)
        snprintf(skipped, sizeof skipped, " (%zu skipped)", rep.nskip);
    if (exit_code == 2) {
        join_names(&rep, CB_GATE_ERROR, names, sizeof names);
        printf("[ ERROR ] %zu of %zu checks could not be judged: %s\n", rep.nerror, judged,
               names);
        for (size_t i = 0; i < rep.n; i++) {
            const cb_gate_result_t *res = &rep.results[i];
            if (res->verdict != CB_GATE_ERROR)
                continue;
            char clean[1024];
            fprintf(stderr, PROG ": %s:%d: check '%s': %s\n", thr_path, res->check->line,
                    res->check->name, cb_gate_out_clean(res->summary, clean, sizeof clean));
        }
        if (o.junit || o.prometheus)
            fprintf(stderr, PROG ": %s not written (bad input)\n",
                    o.junit && o.prometheus ? "--junit and --prometheus files"
                    : o.junit               ? "--junit file"
                                            : "--prometheus file");
        goto out;
    }
    if (exit_code == 1) {
        join_names(&rep, CB_GATE_FAIL, names, sizeof names);
        printf("[ FAILED ] %zu of %zu checks%s: %s\n", rep.nfail, judged, skipped, names);
    } else {
        printf("[ PASSED ] %zu/%zu checks%s\n", rep.npass, judged, skipped);
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, PROG ": writing output failed\n");
        exit_code = 3;
        goto out;
    }
    cb_gate_out_info_t info = {.cluster = label, .thresholds = thr_path, .when = time(NULL)};
    if (o.junit) {
        int wrc = cb_gate_out_junit(o.junit, &rep, &info, err, sizeof err);
        if (wrc < 0) {
            fprintf(stderr, PROG ": %s\n", err);
            exit_code = 3;
        }
    }
    if (o.prometheus) {
        int wrc = cb_gate_out_prometheus(o.prometheus, &rep, &info, err, sizeof err);
        if (wrc < 0) {
            fprintf(stderr, PROG ": %s\n", err);
            exit_code = 3;
        }
    }

out:
    cb_gate_report_free(&rep);
    cb_gate_free(gate);
    cb_profile_free(prof);
    cb_table_free(&table);
    return exit_code;
}
