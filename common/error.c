/* cb_error: text for error codes, exit-code mapping, file:line logging and
 * the error-buffer printf. */
#include <stdio.h>

#include "cb_error.h"

const char *cb_strerror(int err)
{
    switch (err) {
    case CB_OK: return "success";
    case CB_ERR_USAGE: return "invalid usage";
    case CB_ERR_INPUT: return "invalid input";
    case CB_ERR_IO: return "I/O error";
    case CB_ERR_NOMEM: return "out of memory";
    case CB_ERR_MPI: return "MPI error";
    case CB_ERR_CUDA: return "CUDA error";
    case CB_ERR_NCCL: return "NCCL error";
    case CB_ERR_NODEV: return "no CUDA device";
    case CB_ERR_CHECK: return "data check found wrong elements";
    case CB_ERR_TIMEOUT: return "timed out";
    case CB_ERR_UNSUPPORTED: return "not supported";
    case CB_ERR_RANGE: return "value out of range";
    case CB_ERR_INTERNAL: return "internal error";
    default: return "unknown error";
    }
}

int cb_error_exit_code(int err)
{
    if (err >= 0) return 0;
    switch (err) {
    case CB_ERR_USAGE:
    case CB_ERR_INPUT:
    case CB_ERR_RANGE:
        return 2;
    default:
        return 3;
    }
}

void cb_log_error(const char *file, int line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "clusterbench: %s:%d: %s\n", file, line, msg);
}

int cb_errf(char *err, size_t errlen, int code, const char *fmt, ...)
{
    if (!err || !errlen)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return code;
}
