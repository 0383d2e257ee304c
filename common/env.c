/* cb_env: allow-listed environment capture. */
#include <stdlib.h>
#include <string.h>

#include "cb_env.h"
#include "cb_error.h"

/* Prefixes and exact names that shape communication or placement. Nothing
 * else is recorded (tokens, keys, passwords live in other variables). */
static const char *const allowed_prefixes[] = {
    "NCCL_", "OMPI_MCA_", "PMIX_MCA_", "UCX_", "FI_", "SLURM_JOB_", "SLURM_STEP_", "CB_",
};
static const char *const allowed_names[] = {
    "CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER", "SLURM_NNODES", "SLURM_NTASKS",
    "SLURM_NTASKS_PER_NODE", "SLURM_CPUS_PER_TASK", "SLURM_GPUS_ON_NODE", "SLURM_CLUSTER_NAME",
    "SLURM_SUBMIT_HOST", "OMP_NUM_THREADS",
};
/* Never, even under an allowed prefix. */
static const char *const denied_words[] = {"SECRET", "TOKEN", "PASSWORD", "PASSWD", "KEY", "CRED"};

int cb_env_allowed(const char *name)
{
    if (!name || !*name)
        return 0;
    for (size_t i = 0; i < sizeof denied_words / sizeof denied_words[0]; i++)
        if (strstr(name, denied_words[i]))
            return 0;
    for (size_t i = 0; i < sizeof allowed_names / sizeof allowed_names[0]; i++)
        if (!strcmp(name, allowed_names[i]))
            return 1;
    for (size_t i = 0; i < sizeof allowed_prefixes / sizeof allowed_prefixes[0]; i++)
        if (!strncmp(name, allowed_prefixes[i], strlen(allowed_prefixes[i])))
            return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int cb_env_write_rows(char *const *envp, const char *host, const cb_results_ctx_t *ctx,
                      cb_results_t *res)
{
    size_t n = 0, k = 0;
    while (envp && envp[n])
        n++;
    char **keep = calloc(n + 1, sizeof *keep);
    if (!keep)
        return CB_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(envp[i], '=');
        if (!eq || eq == envp[i])
            continue;
        char name[256];
        size_t len = (size_t)(eq - envp[i]);
        if (len >= sizeof name)
            continue;
        memcpy(name, envp[i], len);
        name[len] = '\0';
        if (cb_env_allowed(name))
            keep[k++] = envp[i];
    }
    qsort(keep, k, sizeof *keep, cmp_str);
    int rc = CB_OK;
    for (size_t i = 0; i < k && rc == CB_OK; i++) {
        const char *eq = strchr(keep[i], '=');
        char name[256];
        size_t len = (size_t)(eq - keep[i]);
        memcpy(name, keep[i], len);
        name[len] = '\0';
        cb_row_t row;
        cb_row_init(&row, ctx);
        cb_row_set_str(&row, CB_COL_BENCHMARK, "env");
        cb_row_set_str(&row, CB_COL_TRANSPORT, "none");
        cb_row_set_str(&row, CB_COL_HOST, host);
        cb_row_set_str(&row, CB_COL_METRIC, name);
        cb_row_set_str(&row, CB_COL_STATUS, "ok");
        cb_row_set_str(&row, CB_COL_NOTE, eq + 1);
        rc = cb_results_write(res, &row);
        cb_row_clear(&row);
    }
    free(keep);
    return rc;
}
