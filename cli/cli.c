/* cli: what the sub-commands of `clusterbench` share (cb_cli.h): the one
 * way a usage or input error is reported. */
#include <stdarg.h>
#include <stdio.h>

#include "cb_cli.h"

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
