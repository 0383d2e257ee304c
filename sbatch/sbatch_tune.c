/* sbatch_tune: tune.sh, the job that runs `clusterbench tune` on the
 * profile's nodes, and the merge of the overlay it writes
 * (sbatch/profiles/<name>.tuned.ini, cb_tune.h) into the other scripts: the
 * collective winners exported with where each came from, the latency step's
 * own settings on its srun line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_sbatch.h"
#include "cb_tune.h"
#include "sbatch_steps.h"
#include "sbatch_tune.h"

/* ---------------------------------------------------------- the overlay */

/* The base value of a variable: its last "export KEY='VALUE'" in the
 * transport section rendered without the overlay. */
typedef struct base_ctx {
    const char *text;
    char buf[CB_TUNE_OVERLAY_MAX][200];
    int next;
} base_ctx_t;

static const char *base_lookup(const char *key, void *vctx)
{
    base_ctx_t *c = vctx;
    char pat[96];
    snprintf(pat, sizeof pat, "export %s='", key);
    const char *found = NULL;
    for (const char *q = c->text; q && *q; q = strchr(q, '\n'), q = q ? q + 1 : NULL)
        if (!strncmp(q, pat, strlen(pat)))
            found = q + strlen(pat);
    if (!found)
        return NULL;
    char *out = c->buf[c->next++ % CB_TUNE_OVERLAY_MAX];
    size_t n = strcspn(found, "'\n");
    if (n >= sizeof c->buf[0])
        n = sizeof c->buf[0] - 1;
    memcpy(out, found, n);
    out[n] = '\0';
    return out;
}

static void gain_text(const cb_tune_entry_t *e, char *buf, size_t len)
{
    if (isnan(e->gain_pct))
        snprintf(buf, len, "no gain recorded");
    else
        snprintf(buf, len, "gain %+.1f%%", e->gain_pct);
}

void sbatch_emit_tuned_exports(FILE *f, const cb_profile_t *p, const char *base_text)
{
    const cb_tune_overlay_t *ov = p->tuned;
    size_t n = 0;
    for (size_t i = 0; ov && i < ov->n; i++)
        n += ov->e[i].purpose == CB_TUNE_COLL;
    if (!n)
        return;
    base_ctx_t bc = {.text = base_text};
    fprintf(f, "# Tuned by 'clusterbench tune' on %s for bandwidth-bound collectives\n"
               "# (sbatch/profiles/%s.tuned.ini; each value beat the settings above by more\n"
               "# than the noise; the latency step puts back what only helped bandwidth).\n",
            ov->date, p->name);
    for (size_t i = 0; i < ov->n; i++) {
        const cb_tune_entry_t *e = &ov->e[i];
        if (e->purpose != CB_TUNE_COLL)
            continue;
        char g[48];
        gain_text(e, g, sizeof g);
        const char *b = base_lookup(e->key, &bc);
        fprintf(f, "# %s: tuned on %s, %s (was %s%s%s).\n", e->key, ov->date, g,
                b ? "'" : "", b ? b : "unset", b ? "'" : "");
        if (e->value[0])
            fprintf(f, "export %s='%s'\n", e->key, e->value);
        else
            fprintf(f, "unset %s\n", e->key);
    }
}

/* ------------------------------------------------- the latency step */

#define N_BW_ONLY CB_TUNE_N_BW_ONLY

/* What a latency step sets on top of the scripts' settings. */
typedef struct latency_env {
    cb_tune_assign_t a[CB_TUNE_OVERLAY_MAX + N_BW_ONLY];
    const char *bw_base[CB_TUNE_OVERLAY_MAX + N_BW_ONLY]; /* non-NULL: a bandwidth-only
                                                           * base value put back */
    size_t n;
    base_ctx_t bc; /* the base values looked up: a[].value may point into it */
} latency_env_t;

/* The base value of bandwidth-only setting i for p (the Ethernet transport's
 * export, then the profile's [env]) when it is bandwidth-only, else NULL. */
static const char *bw_only_base(const cb_profile_t *p, size_t i)
{
    const cb_tune_bw_only_t *e = &cb_tune_bw_only_settings(NULL)[i];
    const char *v = p->net_kind == CB_NET_ETHERNET ? e->value : NULL;
    for (size_t j = 0; j < p->n_env; j++)
        if (!strcmp(p->env[j].key, e->key))
            v = p->env[j].value;
    return cb_tune_bw_only_value(e, v) ? v : NULL;
}

/* The one computation behind sbatch_emit_p2p_env and
 * sbatch_tune_splits_latency: the bandwidth-only base settings unset (unless
 * the overlay's p2p section sets them), then the overlay's merge
 * (cb_tune_step_env) less its collective-only winners of those keys (already
 * unset). base_text may be NULL (the base values are then not looked up). */
static void latency_env(const cb_profile_t *p, const char *base_text, latency_env_t *le)
{
    memset(le, 0, sizeof *le);
    const cb_tune_bw_only_t *bw = cb_tune_bw_only_settings(NULL);
    int unset[N_BW_ONLY] = {0};
    for (size_t i = 0; i < N_BW_ONLY; i++) {
        const char *b = bw_only_base(p, i);
        if (!b || cb_tune_overlay_find(p->tuned, CB_TUNE_P2P, bw[i].key))
            continue;
        unset[i] = 1;
        le->bw_base[le->n] = b;
        le->a[le->n].key = bw[i].key;
        le->a[le->n++].value = "";
    }
    cb_tune_assign_t a[CB_TUNE_OVERLAY_MAX];
    le->bc.text = base_text;
    size_t n = cb_tune_step_env(p->tuned, CB_TUNE_P2P, base_text ? base_lookup : NULL, &le->bc,
                                a, CB_TUNE_OVERLAY_MAX);
    for (size_t k = 0; k < n; k++) {
        int skip = 0;
        for (size_t i = 0; i < N_BW_ONLY; i++)
            skip |= unset[i] && !strcmp(a[k].key, bw[i].key);
        if (!skip)
            le->a[le->n++] = a[k];
    }
}

int sbatch_tune_splits_latency(const cb_profile_t *p)
{
    latency_env_t le;
    latency_env(p, NULL, &le);
    return le.n > 0;
}

int sbatch_emit_p2p_env(FILE *f, const cb_profile_t *p, const char *base_text, const char *lead)
{
    latency_env_t le;
    latency_env(p, base_text, &le);
    if (!le.n)
        return 0;
    const cb_tune_overlay_t *ov = p->tuned;
    const cb_tune_assign_t *a = le.a;
    size_t n = le.n;
    int ind = (int)strspn(lead, " "); /* the comments as indented as the step */
    size_t n_bw = 0; /* the bandwidth-only settings put back come first */
    while (n_bw < n && le.bw_base[n_bw])
        n_bw++;
    if (n_bw)
        fprintf(f, "%*s# Latency as a step of its own: it does not inherit the settings above that only\n"
                   "%*s# help bandwidth (all-reduce on shared cores); they cost latency (8 B: 18.5 us with\n"
                   "%*s# 4 TCP links per peer, 13.5 us with Open MPI's defaults, 3-node virtual cluster).\n",
                ind, "", ind, "", ind, "");
    for (size_t i = 0; i < n; i++) {
        if (i == n_bw && ov)
            fprintf(f, "%*s# Latency with its own settings (sbatch/profiles/%s.tuned.ini, tuned on %s):\n",
                    ind, "", p->name, ov->date);
        const cb_tune_entry_t *e = cb_tune_overlay_find(ov, CB_TUNE_P2P, a[i].key);
        char g[64] = "";
        if (le.bw_base[i])
            snprintf(g, sizeof g, "Open MPI's default, not '%s'", le.bw_base[i]);
        else if (e)
            gain_text(e, g, sizeof g);
        fprintf(f, "%*s#   %s=%s: %s\n", ind, "", a[i].key, a[i].value[0] ? a[i].value : "(unset)",
                e || le.bw_base[i] ? g : "the base value: the collective winner only helped bandwidth");
    }
    fprintf(f, "%senv", lead);
    for (size_t i = 0; i < n; i++)
        if (!a[i].value[0])
            fprintf(f, " -u %s", a[i].key);
    for (size_t i = 0; i < n; i++)
        if (a[i].value[0])
            fprintf(f, " %s='%s'", a[i].key, a[i].value);
    fprintf(f, " \\\n");
    return 1;
}

/* ---------------------------------------------------------- tune.sh */

static long default_budget_s(const cb_profile_t *p)
{
    long b = p->time_limit_s / 2;
    return b > 600 ? 600 : (b < 60 ? 60 : b);
}

void sbatch_emit_tune_args(FILE *f, const cb_sbatch_kind_t *k, const cb_profile_t *p,
                           const cb_sbatch_plan_t *plan)
{
    (void)k;
    (void)plan;
    fprintf(f, "cb_budget=%ld\n"
               "cb_purpose=collective,p2p\n"
               "cb_usage() {\n"
               "  cat <<EOF\n"
               "usage: sbatch sbatch/$cb_script [--time-budget S] [--purpose collective,p2p]\n"
               "\n"
               "Searches the transport settings on these nodes (clusterbench tune), printing\n"
               "every trial, and writes the winners that beat the settings of the generated\n"
               "scripts by more than the noise into sbatch/profiles/$cb_profile.tuned.ini.\n"
               "Generate the scripts again to use them: build/bin/clusterbench sbatch\n"
               "--profile $cb_profile.\n"
               "\n"
               "  --time-budget S   seconds for the whole search (default %ld)\n"
               "  --purpose LIST    collective (all-reduce at DDP bucket sizes), p2p\n"
               "                    (point-to-point latency), or both (default)\n"
               "EOF\n"
               "}\n"
               "while (($# > 0)); do\n"
               "  case $1 in\n"
               "    --time-budget | --purpose)\n"
               "      if (($# < 2)); then\n"
               "        echo \"$cb_script: $1 needs a value\" >&2\n"
               "        exit 2\n"
               "      fi\n"
               "      if [[ $1 == --time-budget ]]; then cb_budget=$2; else cb_purpose=$2; fi\n"
               "      shift 2\n"
               "      ;;\n"
               "    -h | --help)\n"
               "      cb_usage\n"
               "      exit 0\n"
               "      ;;\n"
               "    *)\n"
               "      echo \"$cb_script: unknown option '$1' (--help lists them)\" >&2\n"
               "      exit 2\n"
               "      ;;\n"
               "  esac\n"
               "done\n",
            default_budget_s(p), default_budget_s(p));
}

void sbatch_emit_tune(FILE *f, const cb_sbatch_kind_t *k, const cb_profile_t *p,
                      const cb_sbatch_plan_t *plan)
{
    (void)k;
    fprintf(f, "# The search starts from the settings above (those of the generated scripts,\n"
               "# without any earlier overlay) and changes one setting at a time; each trial\n"
               "# is an srun of cb-allreduce (collective: sizes DDP's buckets use) or cb-p2p\n"
               "# (p2p: 8 B and 1 KiB latency) on %ld %s, --transport %s.\n",
            p->nodes, sbatch_plural(p->nodes, "node", "nodes"), plan->transport);
    fprintf(f, "cb_run \"$cb_bin/clusterbench\" tune --profile \"$cb_profile\" --nodes %ld \\\n"
               "  --ntasks-per-node %ld --transport %s --time-budget \"$cb_budget\" \\\n"
               "  --purpose \"$cb_purpose\" --out-dir \"$cb_out\" \\\n"
               "  --overlay \"$CB_HOME/sbatch/profiles/$cb_profile.tuned.ini\"\n",
            p->nodes, plan->tasks_per_node, plan->transport);
    fprintf(f, "echo \"clusterbench tune: generate the scripts again to use the winners:"
               " build/bin/clusterbench sbatch --profile $cb_profile\"\n");
}
