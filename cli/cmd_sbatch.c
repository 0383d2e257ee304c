/* `clusterbench sbatch`: loads a cluster profile and writes (or, with
 * --check, compares) the sbatch scripts generated from it (cb_sbatch.h),
 * printing each script's estimated duration; --estimate prints only those,
 * for the profile or for it at another node count and line rate. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_cli.h"
#include "cb_error.h"
#include "cb_profile.h"
#include "cb_sbatch.h"
#include "cb_size.h"

static void list_profiles(FILE *f)
{
    char home[PATH_MAX], dir[PATH_MAX + 32];
    if (cb_profile_find_home(home, sizeof home) != CB_OK)
        return;
    snprintf(dir, sizeof dir, "%s/sbatch/profiles", home);
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0)
        return;
    fprintf(f, "\nprofiles in %s:\n ", dir);
    for (int i = 0; i < n; i++) {
        size_t len = strlen(names[i]->d_name);
        if (len > 4 && !strcmp(names[i]->d_name + len - 4, ".ini") && names[i]->d_name[0] != '.' &&
            !(len > 9 && !strcmp(names[i]->d_name + len - 9, ".gate.ini")) &&
            !(len > 10 && !strcmp(names[i]->d_name + len - 10, ".tuned.ini")))
            fprintf(f, " %.*s", (int)(len - 4), names[i]->d_name);
        free(names[i]);
    }
    free(names);
    fprintf(f, "\n");
}

static void usage(FILE *f)
{
    size_t n;
    const cb_sbatch_kind_t *ks = cb_sbatch_kinds(&n);
    fprintf(f,
            "usage: clusterbench sbatch [--profile NAME|PATH] [--out DIR] [--check]\n"
            "       clusterbench sbatch --estimate [--profile NAME|PATH] [--nodes N]\n"
            "                           [--line-rate GBPS] [--level L] [--sequential]\n"
            "\n"
            "Generate the Slurm batch scripts of clusterbench from a cluster profile.\n"
            "\n"
            "options:\n"
            "  -p, --profile P  a profile name, read from sbatch/profiles/P.ini, or a path to an\n"
            "                   .ini file (anything with a '/' or ending in .ini); default %s,\n"
            "                   the built-in virtual cluster\n"
            "  -o, --out DIR    directory for the scripts, created if missing; default: sbatch/\n"
            "                   of the clusterbench directory\n"
            "      --check      write nothing: compare the scripts in DIR with what would be\n"
            "                   generated; exit 0 when all are identical, 1 otherwise\n"
            "      --estimate   write nothing: print how long each script would run (also\n"
            "                   printed after writing, and written into each script's header)\n"
            "  with --estimate:\n"
            "      --nodes N    the profile at N nodes (1..%d) instead of its own\n"
            "      --line-rate G  the profile at G Gbit/s per rank instead of its own\n"
            "      --level L    validate.sh's level only (quick, standard, long), its steps\n"
            "                   listed one by one; default: every level, no steps\n"
            "      --sequential all pairs one direction after another (cb-p2p --sequential)\n"
            "                   instead of in rounds of disjoint pairs\n"
            "  -h, --help       this text\n"
            "\n"
            "scripts (each written to a temporary file, then renamed; mode 755):\n",
            CB_PROFILE_DEFAULT, CB_PROFILE_MAX_NODES);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  %-14s %s\n", ks[i].name, ks[i].summary);
    fprintf(f,
            "\n"
            "Each script runs $CB_HOME/build/bin/cb-* with srun --mpi=pmix, one task per GPU\n"
            "(or one per node without GPUs), with transport settings fit for the profile's\n"
            "network, and writes CSV to results/<profile>/<job id>/. CB_HOME defaults to the\n"
            "directory the job was submitted from: submit from the clusterbench directory,\n"
            "e.g. 'sbatch sbatch/allreduce.sh'. The message sizes follow the line rate: the\n"
            "largest crosses the link in about %g s (16M to 1G).\n"
            "\n"
            "The estimate comes from the steps the scripts run (sizes, --time-per-size,\n"
            "iteration bounds, --total-time caps, all pairs in rounds: 2(N-1) for even N,\n"
            "2N for odd) and the profile's line rate, with a start-up per step; a step its\n"
            "cap would cut short is named, with the time all of it would take.\n"
            "\n"
            "The clusterbench directory (for profile names and the default --out) is $CB_HOME,\n"
            "else two levels above this executable (build/bin/..), else the current directory.\n"
            "\n"
            "profile format (see common/cb_profile.h for every rule):\n"
            "  [cluster]  name, nodes (1..%d), partition (may be empty), gpus_per_node (0..%d),\n"
            "             gres (may be empty: no GRES; then GPUs go by --gpus-per-node),\n"
            "             time_limit (Slurm form, e.g. 00:30:00); optional description, nodelist\n"
            "  [network]  kind (ethernet|infiniband|efa), line_rate_gbps (per rank's NIC or\n"
            "             rail), iface; optional rails_per_node, mtu (default 1500)\n"
            "  [env]      extra variables exported by every script, e.g. NCCL_DEBUG = WARN\n"
            "The overlay <name>.tuned.ini beside a profile, written by 'clusterbench tune'\n"
            "(sbatch tune.sh), is merged: its collective winners are exported after [env], each\n"
            "with where it came from; p2p.sh's latency step gets the latency winners instead.\n"
            "Values are data: each key allows a strict set of characters, so quotes, '$', '`',\n"
            "'\\', ';', '|', '&', '<', '>', '(', ')' and spaces in identifiers are rejected, as\n"
            "are unknown or duplicate keys and sections; errors name file:line and nothing is\n"
            "written.\n"
            "\n"
            "exit status: 0 ok, 1 --check found a difference, 2 bad usage or profile, 3 I/O error\n",
            CB_SBATCH_SWEEP_TOP_S, CB_PROFILE_MAX_NODES, CB_PROFILE_MAX_GPUS_PER_NODE);
    list_profiles(f);
}

/* "--name VALUE" or "--name=VALUE" (also "-x VALUE"); returns the value or
 * NULL when argv[*i] is not this option; *missing set when it has no value. */
static const char *opt_value(int argc, char **argv, int *i, const char *lng, const char *shrt,
                             int *missing)
{
    const char *a = argv[*i];
    size_t l = strlen(lng);
    if (!strncmp(a, lng, l) && a[l] == '=')
        return a + l + 1;
    if (strcmp(a, lng) && (!shrt || strcmp(a, shrt)))
        return NULL;
    if (*i + 1 >= argc) {
        *missing = 1;
        return NULL;
    }
    return argv[++*i];
}

/* How the profile's all-pairs steps walk the pairs (sbatch_all_pairs_mode's
 * words; that header is the generator's own). */
static const char *sbatch_mode_text(const cb_profile_t *p)
{
    return p->all_pairs_sequential ? "sequential (profile)"
           : p->round_reference    ? "in rounds, every direction alone first (profile)"
                                   : "in rounds";
}

/* Each script's estimate; with one level, validate.sh's steps one by one. */
static void print_estimates(FILE *f, const cb_profile_t *prof, int level, int sequential)
{
    size_t n;
    const cb_sbatch_kind_t *ks = cb_sbatch_kinds(&n);
    char t[256], d[32], d2[32];
    fprintf(f, "estimated durations, profile %s: %ld %s, %g Gbit/s, time limit %s, all pairs %s:\n",
            prof->name, prof->nodes, prof->nodes == 1 ? "node" : "nodes", prof->line_rate_gbps,
            prof->time_limit, sequential ? "sequential" : sbatch_mode_text(prof));
    for (size_t i = 0; i < n; i++) {
        cb_sbatch_estimate_t e;
        if (!ks[i].has_levels) {
            if (level >= 0)
                continue;
            cb_sbatch_estimate(&ks[i], prof, CB_SBATCH_STANDARD, sequential, &e);
            char what[64];
            snprintf(what, sizeof what, "%s.sh", ks[i].name);
            if (!ks[i].plan_steps) /* tune.sh */
                fprintf(f, "  %-30s its --time-budget\n", what);
            else
                fprintf(f, "  %-30s %s\n", what, cb_sbatch_estimate_text(&e, t, sizeof t));
            continue;
        }
        for (int l = 0; l < CB_SBATCH_NLEVELS; l++) {
            if (level >= 0 && l != level)
                continue;
            char what[64];
            snprintf(what, sizeof what, "%s.sh --level %s", ks[i].name,
                     cb_sbatch_level_name((cb_sbatch_level_t)l));
            cb_sbatch_estimate(&ks[i], prof, (cb_sbatch_level_t)l, sequential, &e);
            fprintf(f, "  %-30s %s\n", what, cb_sbatch_estimate_text(&e, t, sizeof t));
            if (level < 0)
                continue;
            cb_sbatch_step_t st[CB_SBATCH_MAX_STEPS];
            cb_sbatch_net_t net;
            cb_sbatch_net_of(prof, &net);
            size_t ns = cb_sbatch_steps(&ks[i], prof, (cb_sbatch_level_t)l, sequential, st);
            for (size_t j = 0; j < ns; j++) {
                cb_sbatch_step_est_t se;
                cb_sbatch_step_estimate(&st[j], &net, &se);
                fprintf(f, "    %-20s %10s", st[j].name, cb_sbatch_duration(se.run_s, d, sizeof d));
                if (st[j].work == CB_SBATCH_WORK_ALL_PAIRS) {
                    if (st[j].reference)
                        fprintf(f, "  (%ld directions alone, then",
                                cb_sbatch_pair_rounds(st[j].nodes, 1));
                    fprintf(f, "%s%ld %s)", st[j].reference ? " " : "  (",
                            cb_sbatch_pair_rounds(st[j].nodes, st[j].sequential),
                            st[j].sequential ? "directions" : "rounds");
                }
                if (se.need_s > se.run_s + 1e-9)
                    fprintf(f, "  cut by --total-time %g s; all of it: %s", st[j].cap_s,
                            cb_sbatch_duration(se.need_s, d2, sizeof d2));
                fputc('\n', f);
            }
        }
    }
}

int cb_cli_sbatch(int argc, char **argv)
{
    const char *profile_arg = CB_PROFILE_DEFAULT;
    const char *out_arg = NULL;
    int check = 0, estimate = 0, sequential = 0, level = -1;
    const char *nodes_arg = NULL, *rate_arg = NULL;
    for (int i = 1; i < argc; i++) {
        int missing = 0;
        const char *opt = argv[i], *v = NULL;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--check")) {
            check = 1;
        } else if (!strcmp(argv[i], "--estimate")) {
            estimate = 1;
        } else if (!strcmp(argv[i], "--sequential")) {
            sequential = 1;
        } else if ((v = opt_value(argc, argv, &i, "--nodes", NULL, &missing))) {
            nodes_arg = v;
        } else if ((v = opt_value(argc, argv, &i, "--line-rate", NULL, &missing))) {
            rate_arg = v;
        } else if ((v = opt_value(argc, argv, &i, "--level", NULL, &missing))) {
            cb_sbatch_level_t l;
            if (cb_sbatch_level_parse(v, &l) != CB_OK) {
                fprintf(stderr, "clusterbench sbatch: --level '%s': want quick, standard or long\n", v);
                return 2;
            }
            level = (int)l;
        } else if ((v = opt_value(argc, argv, &i, "--profile", "-p", &missing))) {
            profile_arg = v;
        } else if ((v = opt_value(argc, argv, &i, "--out", "-o", &missing))) {
            out_arg = v;
        } else if (missing) {
            fprintf(stderr, "clusterbench sbatch: %s needs a value\n", argv[i]);
            return 2;
        } else {
            fprintf(stderr,
                    "clusterbench sbatch: unknown argument '%s' (see 'clusterbench sbatch "
                    "--help')\n",
                    argv[i]);
            return 2;
        }
        if (v && !*v) {
            fprintf(stderr, "clusterbench sbatch: empty value for %s\n", opt);
            return 2;
        }
    }

    if (!estimate && (nodes_arg || rate_arg || level >= 0 || sequential)) {
        fprintf(stderr, "clusterbench sbatch: --nodes, --line-rate, --level and --sequential go "
                        "with --estimate\n");
        return 2;
    }
    if (estimate && check) {
        fprintf(stderr, "clusterbench sbatch: --estimate and --check: one or the other\n");
        return 2;
    }
    long nodes = 0;
    double rate = 0;
    if (nodes_arg && cb_parse_long(nodes_arg, 1, CB_PROFILE_MAX_NODES, &nodes)) {
        fprintf(stderr, "clusterbench sbatch: --nodes '%s': want an integer in [1, %d]\n", nodes_arg,
                CB_PROFILE_MAX_NODES);
        return 2;
    }
    if (rate_arg && (cb_parse_double(rate_arg, 1e-3, 100000, &rate) || !(rate > 0))) {
        fprintf(stderr, "clusterbench sbatch: --line-rate '%s': want Gbit/s, above 0 and at most "
                        "100000\n",
                rate_arg);
        return 2;
    }

    char path[PATH_MAX], err[1024];
    int rc = cb_profile_resolve(profile_arg, path, sizeof path, err, sizeof err);
    if (rc != CB_OK) {
        fprintf(stderr, "clusterbench sbatch: %s\n", err);
        return 2;
    }
    cb_profile_t *prof = NULL;
    rc = cb_profile_load(path, &prof, err, sizeof err);
    if (rc != CB_OK) {
        fprintf(stderr, "clusterbench sbatch: %s\n", err);
        return rc == CB_ERR_NOMEM ? 3 : 2; /* unreadable or bad: the user's input */
    }

    if (estimate) {
        if (nodes)
            prof->nodes = nodes;
        if (rate > 0)
            prof->line_rate_gbps = rate;
        print_estimates(stdout, prof, level, sequential);
        cb_profile_free(prof);
        return 0;
    }

    char out[PATH_MAX];
    if (out_arg) {
        snprintf(out, sizeof out, "%s", out_arg);
    } else {
        char home[PATH_MAX];
        if (cb_profile_find_home(home, sizeof home) != CB_OK ||
            (size_t)snprintf(out, sizeof out, "%s/sbatch", home) >= sizeof out) {
            fprintf(stderr, "clusterbench sbatch: cannot find the clusterbench directory for "
                            "the default --out; set CB_HOME or give --out\n");
            cb_profile_free(prof);
            return 2;
        }
    }

    int status;
    if (check) {
        rc = cb_sbatch_check_all(prof, out, stdout, err, sizeof err);
        status = rc < 0 ? cb_error_exit_code(rc) : rc;
    } else {
        rc = cb_sbatch_write_all(prof, out, stdout, err, sizeof err);
        status = cb_error_exit_code(rc);
        if (rc == CB_OK) {
            print_estimates(stdout, prof, -1, 0);
            printf("profile %s (%s): submit from the clusterbench directory, e.g. "
                   "'sbatch %s/allreduce.sh'\n",
                   prof->name, path, out);
        }
    }
    if (rc < 0)
        fprintf(stderr, "clusterbench sbatch: %s\n", err);
    cb_profile_free(prof);
    return status;
}
