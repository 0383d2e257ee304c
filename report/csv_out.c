/* csv_out: one CSV field at a time (see csv_out.h). */
#include <math.h>
#include <string.h>

#include <csv.h>

#include "csv_out.h"

void cb_csvout_str(FILE *f, const char *s)
{
    if (!s)
        return;
    size_t n = strlen(s);
    if (strpbrk(s, ",\"\r\n") || (n && (s[0] == ' ' || s[n - 1] == ' ')))
        csv_fwrite(f, s, n);
    else
        fputs(s, f);
}

void cb_csvout_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
    else if (isinf(v))
        fputs(v > 0 ? "inf" : "-inf", f);
}
