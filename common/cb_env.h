/* cb_env: the environment a run records — an allow-list of the variables
 * that shape a benchmark's transport (NCCL_*, OMPI_*, UCX_*, FI_*, ...),
 * never a dump of the environment, so results never carry secrets. */
#ifndef CB_ENV_H
#define CB_ENV_H

#include "cb_results.h"

/* 1 when a variable of this name may be recorded. Pure. */
int cb_env_allowed(const char *name);
/* Append one `env` row per allowed variable of envp (metric = name, note =
 * value, host = host), sorted by name. */
int cb_env_write_rows(char *const *envp, const char *host, const cb_results_ctx_t *ctx,
                      cb_results_t *res);

#endif
