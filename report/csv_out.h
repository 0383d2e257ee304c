/* csv_out: writing one CSV field (RFC 4180) to a stream, for the command's
 * own CSV outputs (summary.csv of the reporter, gpu-check's summary). A
 * string that needs quoting (comma, quote, CR/LF, leading/trailing space) is
 * written by libcsv's csv_fwrite (quoted, quotes doubled); numbers are %.6g,
 * NaN is an empty field, infinities "inf"/"-inf". */
#ifndef CB_CSV_OUT_H
#define CB_CSV_OUT_H

#include <stdio.h>

void cb_csvout_str(FILE *f, const char *s); /* NULL = empty field */
void cb_csvout_num(FILE *f, double v);

#endif
