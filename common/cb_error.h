/* cb_error: the one error enum of clusterbench, cb_strerror(), the logging
 * helpers and the CB_*_CHECK macros. Library code returns these negative codes;
 * only main() turns them into process exit codes (cb_error_exit_code()). */
#ifndef CB_ERROR_H
#define CB_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cb_err {
    CB_OK = 0,
    CB_ERR_USAGE = -1,      /* bad flag, bad value: the user's input */
    CB_ERR_INPUT = -2,      /* a file we read is malformed or not ours */
    CB_ERR_IO = -3,         /* read/write/open failed */
    CB_ERR_NOMEM = -4,
    CB_ERR_MPI = -5,
    CB_ERR_CUDA = -6,
    CB_ERR_NCCL = -7,
    CB_ERR_NODEV = -8,      /* no CUDA device where one is needed */
    CB_ERR_CHECK = -9,      /* data validation found wrong elements */
    CB_ERR_TIMEOUT = -10,   /* watchdog fired */
    CB_ERR_UNSUPPORTED = -11,
    CB_ERR_RANGE = -12,     /* a number out of its allowed range / overflow */
    CB_ERR_INTERNAL = -13,
} cb_err_t;

/* Human text for a code; never NULL. */
const char *cb_strerror(int err);

/* Process exit code for a code: 0 ok, 2 usage/input, 3 runtime. (1 is the
 * gate's "failed", which no library error maps to.) */
int cb_error_exit_code(int err);

/* printf-style message on stderr, prefixed "clusterbench: " or the program
 * name set by the caller's format. Thread-safe (one fprintf). */
void cb_log_error(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* printf into an error buffer of errlen bytes (truncated, always terminated;
 * nothing written when err is NULL or errlen is 0) and return code, so
 * `return cb_errf(err, errlen, CB_ERR_USAGE, "...", ...);` is one line. */
int cb_errf(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define CB_LOG_ERR(...) cb_log_error(__FILE__, __LINE__, __VA_ARGS__)

/* Log file:line and return the code from the current function. */
#define CB_CHECK(expr)                                                     \
    do {                                                                   \
        int cb_check_rc_ = (expr);                                         \
        if (cb_check_rc_ < 0) {                                            \
            cb_log_error(__FILE__, __LINE__, "%s: %s", #expr,              \
                         cb_strerror(cb_check_rc_));                       \
            return cb_check_rc_;                                           \
        }                                                                  \
    } while (0)

/* Variants that jump to the function's one cleanup label instead. */
#define CB_CHECK_GOTO(expr, rcvar, label)                                  \
    do {                                                                   \
        (rcvar) = (expr);                                                  \
        if ((rcvar) < 0) {                                                 \
            cb_log_error(__FILE__, __LINE__, "%s: %s", #expr,              \
                         cb_strerror(rcvar));                              \
            goto label;                                                    \
        }                                                                  \
    } while (0)

#ifdef __cplusplus
}
#endif
#endif
