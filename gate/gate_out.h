/* gate_out: the acceptance gate's machine-readable outputs — JUnit XML (one
 * testcase per check, for CI systems) and the Prometheus text exposition
 * format (for node_exporter's textfile collector). Both are built in memory
 * and written to a temporary file in the target's directory, then renamed
 * into place: a reader never sees half a file, and a failed write leaves the
 * old file as it was. Every string that came from a CSV (hosts, notes, file
 * names) is escaped for the format (XML entities; Prometheus label escapes),
 * and bytes that are not valid UTF-8 or are control characters become '?'. */
#ifndef CB_GATE_OUT_H
#define CB_GATE_OUT_H

#include <stddef.h>
#include <time.h>

#include "cb_gate.h"

/* What both outputs say about the run besides the verdicts. */
typedef struct cb_gate_out_info {
    const char *cluster;    /* label / suite name; "" when unknown */
    const char *thresholds; /* the thresholds file */
    time_t when;            /* when the gate ran (Unix time) */
} cb_gate_out_info_t;

/* CB_OK, or CB_ERR_IO / CB_ERR_NOMEM with "path: reason" in errbuf. */
int cb_gate_out_junit(const char *path, const cb_gate_report_t *r, const cb_gate_out_info_t *info,
                      char *errbuf, size_t errlen);
int cb_gate_out_prometheus(const char *path, const cb_gate_report_t *r,
                           const cb_gate_out_info_t *info, char *errbuf, size_t errlen);

/* Copy s into buf replacing control characters and invalid UTF-8 with '?'
 * (for terminals and formats that need valid text); returns buf. */
char *cb_gate_out_clean(const char *s, char *buf, size_t len);

#endif
