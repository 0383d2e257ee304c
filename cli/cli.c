/* cli: what the sub-commands of `clusterbench` share (cb_cli.h): the one
 * way a usage or input error is reported, reading results paths. */
#include <stdarg.h>
#include <stdio.h>

#include "cb_cli.h"
#include "cb_error.h"
#include "cb_results.h"

int cb_cli_usage_err(const char *prog, const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s\n", prog, msg); /* one write: the line stays whole */
    return 2;
}

int cb_cli_read_results(const char *prog, cb_table_t *t, const char *path)
{
    char err[2048] = "";
    int rc = cb_table_read(t, path, err, sizeof err);
    if (rc >= 0)
        return 0;
    fprintf(stderr, "%s: %s\n", prog, err[0] ? err : cb_strerror(rc));
    return rc == CB_ERR_NOMEM ? 3 : 2;
}
