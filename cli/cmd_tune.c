/* `clusterbench tune`: the transport tuner, run inside an allocation by the
 * generated sbatch/tune.sh. For each purpose (bandwidth-bound collectives:
 * cb-allreduce at DDP bucket sizes; latency-bound point-to-point: cb-p2p at
 * 8 B and 1 KiB) it runs trials through srun with candidate OMPI_MCA_* /
 * NCCL_* settings on top of its own environment (the scripts' settings), one
 * setting at a time (cb_tune.h's coordinate search), within a time budget,
 * printing every trial; then measures the base and the winner again,
 * interleaved, and keeps the winner only when it beat the base by more than
 * the noise. Winners go into the profile's overlay (<name>.tuned.ini), every
 * trial into tune.csv (the one CSV schema). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cb_cli.h"
#include "cb_error.h"
#include "cb_file.h"
#include "cb_profile.h"
#include "cb_results.h"
#include "cb_size.h"
#include "cb_tune.h"

#define PROG "clusterbench tune"
#define MAX_ARGS 64
#define MAX_CONFIRM 3 /* runs of base and of winner in the verdict */
/* A trial's time limit: the benchmark's own cap (TRIAL_CAP_*_S), at most
 * TRIAL_FACTOR x the slowest trial so far (at least TRIAL_MIN_S), and never
 * past its end: for the search, where the verdict's reserve begins; for the
 * verdict, the purpose's deadline + TRIAL_GRACE_S. A trial past it is killed
 * (KILL_GRACE_S from SIGTERM to SIGKILL) and recorded as status timeout; the
 * search goes on with the next candidate. */
#define TRIAL_CAP_COLL_S 120.0
#define TRIAL_CAP_P2P_S 60.0
#define TRIAL_FACTOR 10.0
#define TRIAL_MIN_S 10.0
#define TRIAL_GRACE_S 2.0
#define KILL_GRACE_S 2.0
#define TRIAL_KILLED (-2)

static const char help_text[] =
    "usage: clusterbench tune [--profile NAME|PATH] [--time-budget S] [--purpose LIST]\n"
    "                         [--nodes N] [--ntasks-per-node N] [--transport mpi|nccl]\n"
    "                         [--out-dir DIR] [--overlay FILE] [--dry-run] [more options]\n"
    "\n"
    "Searches the transport settings on the nodes of the allocation it runs in (the\n"
    "generated sbatch/tune.sh runs it), within a time budget, printing every trial.\n"
    "Each trial is an srun of cb-allreduce (purpose collective: busbw at the sizes DDP's\n"
    "buckets use, 1M..16M, fewer on slow links; score: geometric mean) or cb-p2p\n"
    "(purpose p2p: ping-pong latency at 8 B and 1 KiB on two nodes; score: geometric\n"
    "mean, lower is better) with candidate OMPI_MCA_* / NCCL_* values on top of this\n"
    "environment (the base: the generated scripts' settings; for p2p without the\n"
    "bandwidth-only btl_tcp_links > 1 and mpi_yield_when_idle = 1, as the scripts'\n"
    "latency steps run). The search moves one setting at a time from the best so\n"
    "far (coordinate-wise; no full grid); a value\n"
    "must beat the best by more than the noise floor to be taken. Then the base and the\n"
    "winner run again, interleaved, 3 times each: the winner is kept only when its\n"
    "median beats the base's by more than the noise (the larger of the floor and each\n"
    "side's spread, (max - min) / median) and its worst run beats the base's best.\n"
    "A trial that runs past its limit (10 x the slowest so far, at least 10 s, never\n"
    "past the budget) is killed with all it started and recorded as a timeout.\n"
    "\n"
    "settings (Open MPI, transport mpi): coll_tuned_allreduce_algorithm 0-6 (5 with\n"
    "segment sizes; collective only), btl_tcp_links, mpi_yield_when_idle,\n"
    "btl_tcp_sndbuf/rcvbuf and btl_tcp_eager_limit (collective only); (NCCL over sockets,\n"
    "transport nccl): NCCL_SOCKET_NTHREADS x NCCL_NSOCKS_PERTHREAD (<= 64), NCCL_BUFFSIZE,\n"
    "NCCL_ALGO (2+ nodes), NCCL_PROTO Simple/LL.\n"
    "\n"
    "options:\n"
    "  -p, --profile P        profile name or .ini path (default " CB_PROFILE_DEFAULT ")\n"
    "  -T, --time-budget S    seconds for the whole search, start-ups included\n"
    "                         (default 300; 20..86400)\n"
    "      --purpose LIST     collective, p2p or both (default collective,p2p)\n"
    "  -N, --nodes N          nodes of the collective trials (default: the profile's)\n"
    "      --ntasks-per-node N  ranks per node (default 1)\n"
    "  -t, --transport T      mpi (Open MPI settings) or nccl (NCCL's; default mpi)\n"
    "  -o, --out-dir DIR      where tune.csv goes (default results/<profile>/tune-<time>)\n"
    "      --overlay FILE     the overlay to write (default: beside the profile,\n"
    "                         sbatch/profiles/<name>.tuned.ini)\n"
    "      --no-overlay       write no overlay (print and record only)\n"
    "      --bin DIR          where cb-allreduce and cb-p2p are (default: build/bin of\n"
    "                         the clusterbench directory)\n"
    "      --launcher CMD     what starts a trial (default 'srun --mpi=pmix\n"
    "                         --kill-on-bad-exit=1', followed by the placement; any other\n"
    "                         command is followed by the program alone)\n"
    "      --noise-floor PCT  the least gain that counts (default 2)\n"
    "      --dry-run          print the plan (settings, candidates, commands) and exit\n"
    "  -h, --help             this text\n"
    "\n"
    "exit: 0 done (whether or not anything was kept), 2 usage or input error, 3 the base\n"
    "itself failed to run or a file could not be written.\n";

typedef struct opts {
    const char *profile;
    double budget_s;
    int purposes;  /* bit per purpose */
    long nodes, tpn;
    const char *transport;
    const char *out_dir, *overlay, *bin, *launcher;
    int no_overlay, dry_run;
    double floor;  /* relative */
} opts_t;

/* ------------------------------------------------------------ the run */

typedef struct tuner {
    opts_t o;
    cb_profile_t *prof;
    char bin[PATH_MAX], out_dir[PATH_MAX], overlay[PATH_MAX], trial_csv[PATH_MAX + 16];
    char trials_log[PATH_MAX + 16];
    char lo[16], hi[16];
    double t0;
    double d_max; /* the slowest trial of the purpose so far, s (0: none yet) */
    int trial;
    cb_results_t *csv;
    cb_results_ctx_t ctx;
} tuner_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *env_lookup(const char *key, void *ctx)
{
    (void)ctx;
    return getenv(key);
}

/* The collective sizes: the largest of 1M, 4M, 16M that crosses the link in
 * at most 0.1 s at line rate (at least 1M), down to a 16th of it (>= 1M). */
static void coll_sizes(double rate_gbps, char *lo, char *hi, size_t len)
{
    uint64_t top = 1ULL << 20;
    while (top < (16ULL << 20) && (double)(top * 4) * 8.0 / (rate_gbps * 1e9) <= 0.1)
        top *= 4;
    uint64_t bot = top / 16 < (1ULL << 20) ? (1ULL << 20) : top / 16;
    cb_size_format(bot, lo, len);
    cb_size_format(top, hi, len);
}

static long ranks_of(const tuner_t *t, cb_tune_purpose_t p)
{
    return p == CB_TUNE_P2P ? 2 : t->o.nodes * t->o.tpn;
}

static long nodes_of(const tuner_t *t, cb_tune_purpose_t p)
{
    return p == CB_TUNE_P2P ? (t->o.nodes >= 2 ? 2 : 1) : t->o.nodes;
}

/* argv of one trial into args (strings in store). */
static int build_argv(tuner_t *t, cb_tune_purpose_t p, char **args, char store[][96])
{
    int n = 0, s = 0;
    char *words = store[s++];
    snprintf(words, 96, "%s", t->o.launcher);
    int srun = 0;
    for (char *w = strtok(words, " "); w && n < 16; w = strtok(NULL, " ")) {
        if (n == 0)
            srun = !strcmp(w, "srun") || (strlen(w) > 5 && !strcmp(w + strlen(w) - 5, "/srun"));
        args[n++] = w;
    }
    long nodes = nodes_of(t, p), ranks = ranks_of(t, p);
    if (srun) {
        snprintf(store[s], 96, "--nodes=%ld", nodes);
        args[n++] = store[s++];
        snprintf(store[s], 96, "--ntasks=%ld", ranks);
        args[n++] = store[s++];
        snprintf(store[s], 96, "--ntasks-per-node=%ld", (ranks + nodes - 1) / nodes);
        args[n++] = store[s++];
    }
    static char prog[PATH_MAX + 16];
    snprintf(prog, sizeof prog, "%s/%s", t->bin, p == CB_TUNE_P2P ? "cb-p2p" : "cb-allreduce");
    args[n++] = prog;
    const char *common[] = {"-q", "--cluster", t->prof->name, "-t", t->o.transport, "-w", "2",
                            "--min-iters", "3", "--no-check", "-o", t->trial_csv};
    if (p == CB_TUNE_P2P) {
        const char *a[] = {"-m", "latency", "-b", "8", "-e", "1K", "-f", "128",
                           "--time-per-size", "0.3", "--total-time", "30"};
        for (size_t i = 0; i < sizeof a / sizeof *a; i++)
            args[n++] = (char *)a[i];
    } else {
        const char *a[] = {"-b", t->lo, "-e", t->hi, "-f", "4", "-p", "out",
                           "--time-per-size", "0.4", "--total-time", "60"};
        for (size_t i = 0; i < sizeof a / sizeof *a; i++)
            args[n++] = (char *)a[i];
    }
    for (size_t i = 0; i < sizeof common / sizeof *common; i++)
        args[n++] = (char *)common[i];
    args[n] = NULL;
    return n;
}

/* Runs one trial with the assignments on top of this environment; returns
 * the child's exit status, -1 when it could not start or did not end
 * normally, TRIAL_KILLED when it ran past limit_s: its process group (the
 * launcher and all it started) then gets SIGTERM, and SIGKILL KILL_GRACE_S
 * later. */
static int run_trial(tuner_t *t, cb_tune_purpose_t p, const cb_tune_assign_t *a, size_t na,
                     double limit_s)
{
    char *args[MAX_ARGS];
    char store[8][96];
    build_argv(t, p, args, store);
    unlink(t->trial_csv);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        setpgid(0, 0);
        /* the benchmark's own tables go to tune-trials.log: the trial lines stay readable */
        int fd = open(t->trials_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            dprintf(fd, "# trial %d\n", t->trial);
            dup2(fd, 1);
        }
        for (size_t i = 0; i < na; i++) {
            if (a[i].value[0])
                setenv(a[i].key, a[i].value, 1);
            else
                unsetenv(a[i].key);
        }
        execvp(args[0], args);
        fprintf(stderr, PROG ": cannot run %s: %s\n", args[0], strerror(errno));
        _exit(127);
    }
    double end = now_s() + limit_s;
    int status = 0, killed = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            return -1;
        if (!killed && now_s() > end) {
            kill(-pid, SIGTERM);
            killed = 1;
            end = now_s() + KILL_GRACE_S;
        } else if (killed == 1 && now_s() > end) {
            kill(-pid, SIGKILL);
            killed = 2;
        }
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (killed)
        return TRIAL_KILLED;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void settings_text(const cb_tune_assign_t *a, size_t n, char *buf, size_t len)
{
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && k < len; i++)
        k += (size_t)snprintf(buf + k, len - k, "%s%s=%s", i ? " " : "", a[i].key, a[i].value);
    if (!n)
        snprintf(buf, len, "base");
}

/* Score of the trial CSV (NaN: no usable row); *shown: the figure printed
 * (busbw GB/s or latency us). Copies each row into tune.csv with the
 * settings in the note. */
static double score_trial(tuner_t *t, cb_tune_purpose_t p, const char *note, double *shown)
{
    cb_table_t tab;
    char err[512];
    double v[32];
    size_t n = 0;
    *shown = NAN;
    cb_table_init(&tab);
    if (cb_table_read(&tab, t->trial_csv, err, sizeof err) != CB_OK) {
        cb_table_free(&tab);
        return NAN;
    }
    for (size_t r = 0; r < tab.nrows; r++) {
        cb_row_t row;
        memset(&row, 0, sizeof row);
        for (int c = 0; c < CB_NCOLS; c++)
            cb_row_set_str(&row, c, cb_table_str(&tab, r, c));
        cb_row_set_str(&row, CB_COL_NOTE, note);
        if (t->csv)
            cb_results_write(t->csv, &row);
        cb_row_clear(&row);
        if (strcmp(cb_table_str(&tab, r, CB_COL_STATUS), "ok") || n >= 32)
            continue;
        const char *op = cb_table_str(&tab, r, CB_COL_OP);
        if (p == CB_TUNE_P2P && !strcmp(op, "pingpong"))
            v[n++] = cb_table_num(&tab, r, CB_COL_TIME_US_MEDIAN);
        else if (p == CB_TUNE_COLL && !strcmp(op, "sum"))
            v[n++] = cb_table_num(&tab, r, CB_COL_BUSBW_GBPS);
    }
    cb_table_free(&tab);
    double g = cb_tune_geomean(v, n);
    *shown = g;
    return p == CB_TUNE_P2P ? 1.0 / g : g;
}

static void tune_row(tuner_t *t, cb_tune_purpose_t p, double shown, const char *status,
                     const char *note)
{
    if (!t->csv)
        return;
    cb_row_t row;
    cb_row_init(&row, &t->ctx);
    cb_row_set_str(&row, CB_COL_BENCHMARK, "tune");
    cb_row_set_str(&row, CB_COL_TRANSPORT, t->o.transport);
    cb_row_set_str(&row, CB_COL_MEMORY, "host");
    cb_row_set_str(&row, CB_COL_OP, p == CB_TUNE_P2P ? "pingpong" : "sum");
    cb_row_set_int(&row, CB_COL_NODES, nodes_of(t, p));
    cb_row_set_int(&row, CB_COL_RANKS, ranks_of(t, p));
    cb_row_set_str(&row, CB_COL_METRIC, p == CB_TUNE_P2P ? "latency_us_geomean"
                                                           : "busbw_gbps_geomean");
    cb_row_set_num(&row, CB_COL_VALUE, shown);
    cb_row_set_str(&row, CB_COL_UNIT, p == CB_TUNE_P2P ? "us" : "GB/s");
    cb_row_set_str(&row, CB_COL_STATUS, status);
    cb_row_set_str(&row, CB_COL_NOTE, note);
    cb_results_write(t->csv, &row);
    cb_row_clear(&row);
}

/* The time limit of the next trial of purpose p (see TRIAL_CAP_*_S) that
 * must end by `end` (s, now_s's clock). */
static double trial_limit_s(cb_tune_purpose_t p, double end, double d_max)
{
    double lim = p == CB_TUNE_P2P ? TRIAL_CAP_P2P_S : TRIAL_CAP_COLL_S;
    if (d_max > 0) {
        double rel = TRIAL_FACTOR * d_max > TRIAL_MIN_S ? TRIAL_FACTOR * d_max : TRIAL_MIN_S;
        lim = rel < lim ? rel : lim;
    }
    double left = end - now_s();
    lim = left < lim ? left : lim;
    return lim > 1.0 ? lim : 1.0;
}

/* A figure of a row in the row's unit (busbw GB/s, latency us) from a
 * score (higher is better), and back. */
static double shown_of(cb_tune_purpose_t p, double score)
{
    return p == CB_TUNE_P2P ? 1.0 / score : score;
}

/* One trial: run (killed at trial_limit_s: by `end`), score, print, record
 * with `fields` (cb_tune.h's note FIELDS, may be NULL) and, when best is a
 * score, ref and gain against it. Returns the score (NaN: failed or timed
 * out); *dur gets its wall time. */
static double trial(tuner_t *t, cb_tune_purpose_t p, const char *phase,
                    const cb_tune_assign_t *a, size_t na, const char *label, double best,
                    const char *fields, double end, double *dur)
{
    char set[512], note[1024], fl[512];
    settings_text(a, na, set, sizeof set);
    t->trial++;
    double limit = trial_limit_s(p, end, t->d_max);
    double start = now_s();
    int rc = run_trial(t, p, a, na, limit);
    *dur = now_s() - start;
    if (*dur > t->d_max && rc != TRIAL_KILLED)
        t->d_max = *dur;
    double shown = NAN;
    /* the note of the benchmark's rows: the trial's fields without the result */
    snprintf(note, sizeof note, "tune trial %d %s %s: %s%s%s", t->trial, cb_tune_purpose_name(p),
             phase, set, fields ? " | " : "", fields ? fields : "");
    double score = rc == 0 ? score_trial(t, p, note, &shown) : NAN;
    if (rc != 0)
        shown = NAN;
    snprintf(fl, sizeof fl, "%s", fields ? fields : "");
    if (!isnan(score) && !isnan(best))
        snprintf(fl + strlen(fl), sizeof fl - strlen(fl), "%sref=%.4g; gain=%+.1f",
                 fl[0] ? "; " : "", shown_of(p, best), 100.0 * (score / best - 1.0));
    if (rc == TRIAL_KILLED)
        snprintf(fl + strlen(fl), sizeof fl - strlen(fl), "%slimit=%.0f", fl[0] ? "; " : "",
                 limit);
    snprintf(note, sizeof note, "tune trial %d %s %s: %s%s%s", t->trial, cb_tune_purpose_name(p),
             phase, set, fl[0] ? " | " : "", fl);
    const char *unit = p == CB_TUNE_P2P ? "us" : "GB/s";
    printf("[%3d] %6.1f s  %-10s %-8s %-40s ", t->trial, now_s() - t->t0,
           cb_tune_purpose_name(p), phase, label);
    if (rc == TRIAL_KILLED)
        printf("TIMEOUT (killed after %.0f s)\n", limit);
    else if (isnan(score))
        printf("FAILED (exit %d)\n", rc);
    else if (isnan(best))
        printf("%s %.4g %s\n", p == CB_TUNE_P2P ? "latency" : "busbw", shown, unit);
    else
        printf("%s %.4g %s  %+.1f%% vs %s\n", p == CB_TUNE_P2P ? "latency" : "busbw", shown,
               unit, 100.0 * (score / best - 1.0),
               strcmp(phase, "search") && strcmp(phase, "anchor") ? "base" : "best");
    fflush(stdout);
    tune_row(t, p, shown, rc == TRIAL_KILLED ? "timeout" : isnan(score) ? "failed" : "ok", note);
    return score;
}

/* When the search ended one more setting (s->nsettled past *seen): its row
 * (cb_tune.h: tune setting) and a line. */
static void setting_row(tuner_t *t, cb_tune_purpose_t p, const cb_tune_search_t *s, int *seen)
{
    if (s->nsettled == *seen)
        return;
    *seen = s->nsettled;
    const cb_tune_param_t *pa = s->params[s->settled_param];
    const char *label = pa->opts[s->settled_opt].label;
    double gain = 100.0 * (s->settled_score / s->settled_ref - 1.0);
    char note[512];
    snprintf(note, sizeof note,
             "tune setting %s: %s=%s | setting=%s; option=%s; pass=%d; ref=%.4g; gain=%+.1f; "
             "taken=%s",
             cb_tune_purpose_name(p), pa->name, label, pa->name, label, s->settled_pass,
             shown_of(p, s->settled_ref), gain, s->settled_taken ? "yes" : "no");
    printf(PROG ": %s: %s: best %s, %+.1f%% vs best: %s\n", cb_tune_purpose_name(p), pa->name,
           label, gain, s->settled_taken ? "taken" : "not taken");
    tune_row(t, p, shown_of(p, s->settled_score), "ok", note);
}

/* When a search trial must end: where the verdict's reserve (2 x
 * MAX_CONFIRM - 1 trials as slow as the slowest so far) begins. */
static double search_end(const tuner_t *t, double deadline)
{
    return deadline - t->d_max * (2 * MAX_CONFIRM - 1);
}

/* Searches one purpose until deadline; on a kept winner, adds its settings
 * to ov. Returns CB_OK, or CB_ERR_MPI when the base failed. */
static int search_purpose(tuner_t *t, cb_tune_purpose_t p, double deadline,
                          cb_tune_overlay_t *ov)
{
    const cb_tune_param_t *params[CB_TUNE_MAX_PARAMS];
    size_t np = cb_tune_params_for(p, t->o.transport, nodes_of(t, p), params, CB_TUNE_MAX_PARAMS);
    cb_tune_assign_t a[CB_TUNE_MAX_PARAMS * CB_TUNE_MAX_SET];
    double dur, base[2 * MAX_CONFIRM], win[2 * MAX_CONFIRM];
    size_t nb = 0, nw = 0;
    const char *pn = cb_tune_purpose_name(p);
    printf(PROG ": %s: %zu settings on %ld nodes, %s; until %.0f s\n", pn, np, nodes_of(t, p),
           p == CB_TUNE_P2P ? "cb-p2p latency 8 B and 1 KiB (lower is better)"
                            : "cb-allreduce busbw (higher is better)",
           deadline - t->t0);
    t->d_max = 0;
    double b0 = trial(t, p, "base", NULL, 0, "base (the scripts' settings)", NAN, NULL,
                      deadline + TRIAL_GRACE_S, &dur);
    if (isnan(b0)) {
        fprintf(stderr, PROG ": %s: the base failed to run: nothing to compare with\n", pn);
        return CB_ERR_MPI;
    }
    base[nb++] = b0;
    cb_tune_search_t s;
    cb_tune_search_init(&s, params, np, env_lookup, NULL, b0, t->o.floor, 2);
    size_t pi, oi, last_pi = 0;
    int first = 1, seen = 0;
    /* reserve: the interleaved verdict, 2 x MAX_CONFIRM - 1 more trials */
    while (now_s() + t->d_max * (1.2 + 2 * MAX_CONFIRM - 1) <= deadline &&
           cb_tune_search_next(&s, &pi, &oi)) {
        setting_row(t, p, &s, &seen);
        if (!first && pi != last_pi) {
            /* each setting's candidates against a fresh run of the best so far */
            size_t nbest = cb_tune_assignments(params, np, s.choice, (size_t)-1, -1, a,
                                               sizeof a / sizeof *a);
            double sc = trial(t, p, "anchor", a, nbest, "best so far, again", s.best, NULL,
                              search_end(t, deadline), &dur);
            cb_tune_search_rebase(&s, sc);
            if (now_s() + t->d_max * (1.2 + 2 * MAX_CONFIRM - 1) > deadline)
                break;
        }
        first = 0;
        last_pi = pi;
        size_t na = cb_tune_assignments(params, np, s.choice, pi, (int)oi, a,
                                        sizeof a / sizeof *a);
        char label[96];
        snprintf(label, sizeof label, "%s=%s", params[pi]->name, params[pi]->opts[oi].label);
        char fields[256];
        snprintf(fields, sizeof fields, "setting=%s; option=%s; pass=%d", params[pi]->name,
                 params[pi]->opts[oi].label, s.pass + 1);
        double sc = trial(t, p, "search", a, na, label, s.best, fields,
                          search_end(t, deadline), &dur);
        cb_tune_search_report(&s, sc);
    }
    setting_row(t, p, &s, &seen);
    if (!s.done)
        printf(PROG ": %s: budget reached: the search stops here\n", pn);
    cb_tune_search_finish(&s);
    setting_row(t, p, &s, &seen);
    int kept = 0;
    for (int round = 0; !kept; round++) {
        size_t na = cb_tune_assignments(params, np, s.choice, (size_t)-1, -1, a,
                                        sizeof a / sizeof *a);
        char set[512];
        settings_text(a, na, set, sizeof set);
        if (!na) {
            printf(PROG ": %s: nothing beat the base by more than the noise: nothing to change\n",
                   pn);
            return CB_OK;
        }
        /* round 0: winner, base, winner, base, winner (3 runs each with the first
         * base); later rounds (a smaller winner): 3 fresh runs of each */
        int runs = round ? 2 * MAX_CONFIRM : 2 * MAX_CONFIRM - 1;
        if (round && now_s() + t->d_max * runs > deadline) {
            printf(PROG ": %s: no budget left to judge %s: nothing kept\n", pn, set);
            return CB_OK;
        }
        if (round)
            nb = 0;
        nw = 0;
        printf(PROG ": %s: %s: %s; the verdict: base and winner %d times each, interleaved\n",
               pn, round ? "judged again without it" : "the search's winner", set, MAX_CONFIRM);
        char vf[32];
        snprintf(vf, sizeof vf, "verdict=%d", round);
        for (int i = 0; i < runs && now_s() + t->d_max <= deadline; i++) {
            int is_win = i % 2 == 0;
            double sc = trial(t, p, is_win ? "winner" : "base", is_win ? a : NULL,
                              is_win ? na : 0, is_win ? "winner (verdict)" : "base (verdict)", b0,
                              vf, deadline + TRIAL_GRACE_S, &dur);
            if (!isnan(sc) && is_win)
                win[nw++] = sc;
            else if (!isnan(sc))
                base[nb++] = sc;
        }
        cb_tune_verdict_t v;
        int judged = nw >= 2 && nb >= 2 &&
                     cb_tune_judge(base, nb, win, nw, t->o.floor, &v) == CB_OK;
        kept = judged && v.keep;
        if (!judged) {
            printf(PROG ": %s: too few runs for a verdict (budget): nothing kept\n", pn);
            return CB_OK;
        }
        printf(PROG ": %s: winner %+.1f%% over the base (medians of %zu and %zu runs), noise "
                  "%.1f%%: %s\n", pn, 100 * v.gain, nw, nb, 100 * v.noise,
               kept ? "KEPT" : "dropped (not better by more than the noise)");
        char note[1024];
        snprintf(note, sizeof note,
                 "tune verdict %s: %s: gain %+.1f%%, noise %.1f%%: %s | base=%.4g; winner=%.4g; "
                 "gain=%+.1f; noise=%.1f; runs=%zu/%zu; round=%d; kept=%s",
                 pn, set, 100 * v.gain, 100 * v.noise, kept ? "kept" : "dropped",
                 shown_of(p, v.base_median), shown_of(p, v.win_median), 100 * v.gain,
                 100 * v.noise, nw, nb, round, kept ? "yes" : "no");
        tune_row(t, p, shown_of(p, v.win_median), "ok", note);
        if (!kept) {
            int last = cb_tune_search_drop_last(&s);
            if (last < 0)
                return CB_OK;
            if (s.choice[last] < 0)
                printf(PROG ": %s: %s, taken last, goes back to the base\n", pn, params[last]->name);
            else
                printf(PROG ": %s: %s, taken last, goes back to %s (taken before it)\n", pn,
                       params[last]->name, params[last]->opts[s.choice[last]].label);
        }
    }
    for (size_t i = 0; i < np; i++) {
        if (s.choice[i] < 0)
            continue;
        const cb_tune_option_t *op = &params[i]->opts[s.choice[i]];
        for (int j = 0; j < CB_TUNE_MAX_SET && op->set[j].key; j++)
            cb_tune_overlay_set(ov, p, op->set[j].key, op->set[j].value, 100 * s.gain[i]);
    }
    return CB_OK;
}

/* One purpose. p2p starts where the scripts' latency steps start: the
 * bandwidth-only settings of this environment (cb_tune_bw_only_settings)
 * unset, Open MPI's defaults; they are back for the next purpose. */
static int tune_purpose(tuner_t *t, cb_tune_purpose_t p, double deadline, cb_tune_overlay_t *ov)
{
    size_t n;
    const cb_tune_bw_only_t *bw = cb_tune_bw_only_settings(&n);
    char *saved[CB_TUNE_N_BW_ONLY] = {NULL};
    for (size_t i = 0; p == CB_TUNE_P2P && i < n; i++) {
        const char *v = getenv(bw[i].key);
        if (!cb_tune_bw_only_value(&bw[i], v))
            continue;
        saved[i] = strdup(v);
        if (!saved[i])
            return CB_ERR_NOMEM;
        unsetenv(bw[i].key);
        printf(PROG ": p2p: %s=%s only helps bandwidth: unset (Open MPI's default), as the "
                    "scripts' latency steps run\n", bw[i].key, saved[i]);
    }
    int rc = search_purpose(t, p, deadline, ov);
    for (size_t i = 0; i < n; i++)
        if (saved[i]) {
            setenv(bw[i].key, saved[i], 1);
            free(saved[i]);
        }
    return rc;
}

static int write_overlay(tuner_t *t, const cb_tune_overlay_t *ov, const char *comment)
{
    char err[512];
    cb_file_atomic_t *f;
    int rc = cb_file_atomic_open(t->overlay, 0644, &f, err, sizeof err);
    if (rc == CB_OK) {
        rc = cb_tune_overlay_write(cb_file_atomic_stream(f), ov, comment);
        if (rc == CB_OK)
            rc = cb_file_atomic_commit(f, err, sizeof err);
        else
            cb_file_atomic_abort(f);
    }
    if (rc != CB_OK)
        fprintf(stderr, PROG ": %s: cannot write: %s\n", t->overlay, err);
    return rc;
}

/* ------------------------------------------------------------ options */

static int parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v) || v < lo || v > hi || strpbrk(s, "xXpP"))
        return 0;
    *out = v;
    return 1;
}

static int parse_opts(int argc, char **argv, opts_t *o, int *help)
{
    static const struct option longs[] = {
        {"profile", required_argument, NULL, 'p'},  {"time-budget", required_argument, NULL, 'T'},
        {"purpose", required_argument, NULL, 'P'},  {"nodes", required_argument, NULL, 'N'},
        {"ntasks-per-node", required_argument, NULL, 'R'},
        {"transport", required_argument, NULL, 't'}, {"out-dir", required_argument, NULL, 'o'},
        {"overlay", required_argument, NULL, 'O'},  {"no-overlay", no_argument, NULL, 'n'},
        {"bin", required_argument, NULL, 'B'},      {"launcher", required_argument, NULL, 'L'},
        {"noise-floor", required_argument, NULL, 'F'}, {"dry-run", no_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->profile = CB_PROFILE_DEFAULT;
    o->budget_s = 300;
    o->purposes = 3;
    o->tpn = 1;
    o->transport = "mpi";
    o->launcher = "srun --mpi=pmix --kill-on-bad-exit=1";
    o->floor = 0.02;
    *help = 0;
    opterr = 0;
    optind = 1;
    int c;
    double v;
    while ((c = getopt_long(argc, argv, ":p:T:N:t:o:h", longs, NULL)) != -1) {
        switch (c) {
        case 'p': o->profile = optarg; break;
        case 'T':
            if (!parse_num(optarg, 20, 86400, &o->budget_s))
                return cb_cli_usage_err(PROG, "--time-budget '%s': want seconds, 20..86400",
                                        optarg);
            break;
        case 'P': {
            o->purposes = 0;
            char buf[64];
            snprintf(buf, sizeof buf, "%s", optarg);
            for (char *w = strtok(buf, ","); w; w = strtok(NULL, ",")) {
                cb_tune_purpose_t p;
                if (cb_tune_purpose_parse(w, &p) != CB_OK)
                    return cb_cli_usage_err(PROG, "--purpose '%s': want collective, p2p or both",
                                            optarg);
                o->purposes |= 1 << p;
            }
            if (!o->purposes)
                return cb_cli_usage_err(PROG, "--purpose '%s': want collective, p2p or both",
                                        optarg);
            break;
        }
        case 'N':
            if (!parse_num(optarg, 1, CB_PROFILE_MAX_NODES, &v) || v != floor(v))
                return cb_cli_usage_err(PROG, "--nodes '%s': want 1..%d", optarg,
                                        CB_PROFILE_MAX_NODES);
            o->nodes = (long)v;
            break;
        case 'R':
            if (!parse_num(optarg, 1, 1024, &v) || v != floor(v))
                return cb_cli_usage_err(PROG, "--ntasks-per-node '%s': want 1..1024", optarg);
            o->tpn = (long)v;
            break;
        case 't':
            if (strcmp(optarg, "mpi") && strcmp(optarg, "nccl"))
                return cb_cli_usage_err(PROG, "--transport '%s': want mpi or nccl", optarg);
            o->transport = optarg;
            break;
        case 'o': o->out_dir = optarg; break;
        case 'O': o->overlay = optarg; break;
        case 'n': o->no_overlay = 1; break;
        case 'B': o->bin = optarg; break;
        case 'L':
            if (!*optarg || strlen(optarg) >= 96)
                return cb_cli_usage_err(PROG, "--launcher: want a command of 1..95 characters");
            o->launcher = optarg;
            break;
        case 'F':
            if (!parse_num(optarg, 0, 50, &v))
                return cb_cli_usage_err(PROG, "--noise-floor '%s': want a percentage, 0..50",
                                        optarg);
            o->floor = v / 100.0;
            break;
        case 'D': o->dry_run = 1; break;
        case 'h': *help = 1; return 0;
        case ':':
            return cb_cli_usage_err(PROG, "%s needs a value (--help lists the options)",
                                    argv[optind - 1]);
        default:
            return cb_cli_usage_err(PROG, "unknown option '%s' (--help lists the options)",
                                    argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cb_cli_usage_err(PROG, "unexpected argument '%s'", argv[optind]);
    return 0;
}

static void dry_run(tuner_t *t)
{
    for (int p = 0; p < CB_TUNE_NPURPOSES; p++) {
        if (!(t->o.purposes & (1 << p)))
            continue;
        const cb_tune_param_t *params[CB_TUNE_MAX_PARAMS];
        size_t np = cb_tune_params_for((cb_tune_purpose_t)p, t->o.transport,
                                       nodes_of(t, (cb_tune_purpose_t)p), params,
                                       CB_TUNE_MAX_PARAMS);
        char *args[MAX_ARGS], store[8][96];
        build_argv(t, (cb_tune_purpose_t)p, args, store);
        printf("%s: trial command:", cb_tune_purpose_name((cb_tune_purpose_t)p));
        for (int i = 0; args[i]; i++)
            printf(" %s", args[i]);
        printf("\n");
        for (size_t i = 0; i < np; i++) {
            printf("  %-22s", params[i]->name);
            for (size_t k = 0; k < params[i]->n_opts; k++)
                printf(" [%s%s]", params[i]->opts[k].label,
                       cb_tune_option_is_base(params[i], k, env_lookup, NULL) ? ": base" : "");
            printf("\n");
        }
    }
}

int cb_cli_tune(int argc, char **argv)
{
    tuner_t t;
    int help, rc;
    char err[1024], path[PATH_MAX / 2], home[PATH_MAX / 2];
    memset(&t, 0, sizeof t);
    if ((rc = parse_opts(argc, argv, &t.o, &help)) != 0)
        return rc;
    if (help) {
        fputs(help_text, stdout);
        return 0;
    }
    rc = cb_profile_resolve(t.o.profile, path, sizeof path, err, sizeof err);
    if (rc == CB_OK)
        rc = cb_profile_load(path, &t.prof, err, sizeof err);
    if (rc != CB_OK)
        return cb_cli_usage_err(PROG, "%s", err);
    if (!t.o.nodes)
        t.o.nodes = t.prof->nodes;
    int have_home = cb_profile_find_home(home, sizeof home) == CB_OK;
    snprintf(t.bin, sizeof t.bin, "%s", t.o.bin ? t.o.bin : "");
    if (!t.o.bin)
        snprintf(t.bin, sizeof t.bin, "%s/build/bin", have_home ? home : ".");
    if (t.o.overlay)
        snprintf(t.overlay, sizeof t.overlay, "%s", t.o.overlay);
    else
        snprintf(t.overlay, sizeof t.overlay, "%.*s.tuned.ini", (int)strlen(path) - 4, path);
    coll_sizes(t.prof->line_rate_gbps, t.lo, t.hi, sizeof t.lo);
    if (t.o.out_dir)
        snprintf(t.out_dir, sizeof t.out_dir, "%s", t.o.out_dir);
    else {
        time_t now = time(NULL);
        struct tm tm;
        char stamp[32];
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", gmtime_r(&now, &tm));
        snprintf(t.out_dir, sizeof t.out_dir, "%s/results/%s/tune-%s", have_home ? home : ".",
                 t.prof->name, stamp);
    }
    snprintf(t.trial_csv, sizeof t.trial_csv, "%s/tune-trial.csv", t.out_dir);
    snprintf(t.trials_log, sizeof t.trials_log, "%s/tune-trials.log", t.out_dir);
    if (t.o.dry_run) {
        dry_run(&t);
        cb_profile_free(t.prof);
        return 0;
    }
    if (cb_file_mkdir_p(t.out_dir, err, sizeof err) != CB_OK) {
        fprintf(stderr, PROG ": %s\n", err);
        cb_profile_free(t.prof);
        return 3;
    }
    char csv_path[PATH_MAX + 16];
    snprintf(csv_path, sizeof csv_path, "%s/tune.csv", t.out_dir);
    cb_results_ctx_init(&t.ctx, t.prof->name);
    if (cb_results_open(csv_path, &t.csv, err, sizeof err) != CB_OK) {
        fprintf(stderr, PROG ": %s\n", err);
        cb_results_ctx_free(&t.ctx);
        cb_profile_free(t.prof);
        return 3;
    }
    t.t0 = now_s();
    printf(PROG ": profile %s, %ld nodes x %ld, transport %s, budget %.0f s, noise floor %.1f%%;"
              " all-reduce %s..%s\n", t.prof->name, t.o.nodes, t.o.tpn, t.o.transport,
           t.o.budget_s, 100 * t.o.floor, t.lo, t.hi);
    printf(PROG ": trials: %s; rows in %s; their output in %s\n", t.o.launcher, csv_path,
           t.trials_log);
    cb_tune_overlay_t ov;
    memset(&ov, 0, sizeof ov);
    snprintf(ov.profile, sizeof ov.profile, "%s", t.prof->name);
    time_t now = time(NULL);
    struct tm tm;
    strftime(ov.date, sizeof ov.date, "%Y-%m-%d", gmtime_r(&now, &tm));
    ov.nodes = t.o.nodes;
    /* a purpose not tuned this time keeps what an earlier run of the same
     * profile found (the profile's own overlay, loaded with it) */
    const cb_tune_overlay_t *old = t.prof->tuned;
    for (size_t i = 0; old && !strcmp(old->profile, ov.profile) && i < old->n; i++)
        if (!(t.o.purposes & (1 << old->e[i].purpose)))
            cb_tune_overlay_set(&ov, old->e[i].purpose, old->e[i].key, old->e[i].value,
                                old->e[i].gain_pct);
    /* the budget: 65% to the collectives when both run, the rest (and what
     * they leave) to point-to-point */
    int both = t.o.purposes == 3;
    rc = CB_OK;
    for (int p = 0; p < CB_TUNE_NPURPOSES && rc == CB_OK; p++) {
        if (!(t.o.purposes & (1 << p)))
            continue;
        double deadline = t.t0 + t.o.budget_s * (both && p == CB_TUNE_COLL ? 0.65 : 1.0);
        rc = tune_purpose(&t, (cb_tune_purpose_t)p, deadline, &ov);
    }
    unlink(t.trial_csv);
    cb_results_close(t.csv);
    cb_results_ctx_free(&t.ctx);
    printf(PROG ": %d trials in %.1f s (budget %.0f s)\n", t.trial, now_s() - t.t0,
           t.o.budget_s);
    if (rc == CB_OK && !t.o.no_overlay) {
        char comment[512];
        snprintf(comment, sizeof comment,
                 "; Written by 'clusterbench tune' for profile %s on %ld nodes, transport %s.\n"
                 "; Only values that beat the generated scripts' settings by more than the\n"
                 "; noise are here; the generator merges them: clusterbench sbatch --profile %s\n",
                 t.prof->name, t.o.nodes, t.o.transport, t.prof->name);
        if (write_overlay(&t, &ov, comment) != CB_OK)
            rc = CB_ERR_IO;
        else
            printf(PROG ": wrote %s (%zu settings)\n", t.overlay, ov.n);
    }
    cb_profile_free(t.prof);
    return rc == CB_OK ? 0 : 3;
}
