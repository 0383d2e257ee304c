/* The command line of every benchmark program (cb_prog.h): the shared flags
 * (-o, --cluster, -q, -h, --timeout, --total-time, --warmup, -t, -c) parsed here
 * with one spelling and one message each, the program's own options handed
 * to its hooks; GNU getopt_long underneath. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cb_error.h"
#include "cb_prog.h"
#include "cb_size.h"

/* getopt codes of the shared long options: above any program's own. */
enum {
    SH_OUTPUT = 0x1000, SH_CLUSTER, SH_QUIET, SH_TIMEOUT, SH_TOTAL_TIME, SH_WARMUP, SH_TRANSPORT,
    SH_CHECK, SH_NO_CHECK, SH_HELP,
};

#define MAX_LONGOPTS 64

static const struct {
    unsigned bit;          /* CB_PROG_OPT_*; 0: every program */
    int code;
    const char *shortspec; /* getopt's: "o:", "q"; NULL: none */
    struct option lo;      /* .val filled from code */
} shared[] = {
    {CB_PROG_OPT_OUTPUT, SH_OUTPUT, "o:", {"output", required_argument, 0, 0}},
    {CB_PROG_OPT_CLUSTER, SH_CLUSTER, NULL, {"cluster", required_argument, 0, 0}},
    {CB_PROG_OPT_QUIET, SH_QUIET, "q", {"quiet", no_argument, 0, 0}},
    {CB_PROG_OPT_TIMEOUT, SH_TIMEOUT, NULL, {"timeout", required_argument, 0, 0}},
    {CB_PROG_OPT_TOTAL_TIME, SH_TOTAL_TIME, NULL, {"total-time", required_argument, 0, 0}},
    {CB_PROG_OPT_WARMUP, SH_WARMUP, "w:", {"warmup", required_argument, 0, 0}},
    /* the old spelling of cb-allreduce, cb-p2p and cb-gpu (scripts use it) */
    {CB_PROG_OPT_WARMUP, SH_WARMUP, NULL, {"warmup_iters", required_argument, 0, 0}},
    {CB_PROG_OPT_TRANSPORT, SH_TRANSPORT, "t:", {"transport", required_argument, 0, 0}},
    /* -c 0|1, --check[=0|1] (alone: 1), --no-check */
    {CB_PROG_OPT_CHECK, SH_CHECK, "c:", {"check", optional_argument, 0, 0}},
    {CB_PROG_OPT_CHECK, SH_NO_CHECK, NULL, {"no-check", no_argument, 0, 0}},
    {0, SH_HELP, "h", {"help", no_argument, 0, 0}},
};
#define NSHARED (sizeof shared / sizeof shared[0])

void cb_prog_opts_default(cb_prog_opts_t *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->results_dir, sizeof c->results_dir, "results");
    snprintf(c->transport, sizeof c->transport, "auto");
    c->check = 1;
}

int cb_prog_parse_int(const char *flag, const char *v, long min, long max, int *out, char *err,
                      size_t errlen)
{
    long x;
    if (cb_parse_long(v, min, max, &x))
        return cb_errf(err, errlen, CB_ERR_USAGE, "%s '%s': expected an integer in [%ld, %ld]",
                       flag, v, min, max);
    *out = (int)x;
    return CB_OK;
}

static int parse_secs(const char *flag, const char *v, double *out, char *err, size_t errlen)
{
    if (cb_parse_double(v, 0, 86400 * 7, out))
        return cb_errf(err, errlen, CB_ERR_USAGE, "%s '%s': expected seconds, 0 to 604800", flag,
                       v);
    return CB_OK;
}

static int set_str(char *dst, size_t len, const char *flag, const char *v, const char *what,
                   char *err, size_t errlen)
{
    if (!*v || strlen(v) >= len)
        return cb_errf(err, errlen, CB_ERR_USAGE, "%s: empty or too long %s", flag, what);
    snprintf(dst, len, "%s", v);
    return CB_OK;
}

/* One shared flag. */
static int shared_option(const cb_prog_parser_t *p, int code, const char *v, const char *flag,
                         cb_prog_opts_t *c, FILE *out, char *err, size_t errlen)
{
    switch (code) {
    case SH_OUTPUT: return set_str(c->output, sizeof c->output, flag, v, "path", err, errlen);
    case SH_CLUSTER: return set_str(c->cluster, sizeof c->cluster, flag, v, "name", err, errlen);
    case SH_QUIET: c->quiet = 1; return CB_OK;
    case SH_TIMEOUT: return parse_secs(flag, v, &c->timeout_s, err, errlen);
    case SH_TOTAL_TIME: return parse_secs(flag, v, &c->total_time_s, err, errlen);
    case SH_WARMUP:
        return cb_prog_parse_int(flag, v, p->warmup_min, p->warmup_max, &c->warmup_iters, err,
                                 errlen);
    case SH_TRANSPORT:
        if (strcmp(v, "auto") && strcmp(v, "mpi") && strcmp(v, "nccl"))
            return cb_errf(err, errlen, CB_ERR_USAGE,
                           "%s '%s': unknown transport (auto, mpi, nccl)", flag, v);
        snprintf(c->transport, sizeof c->transport, "%s", v);
        return CB_OK;
    case SH_CHECK:
        if (!v || !strcmp(v, "1"))
            c->check = 1;
        else if (!strcmp(v, "0"))
            c->check = 0;
        else
            return cb_errf(err, errlen, CB_ERR_USAGE, "%s '%s': expected 0 or 1", flag, v);
        return CB_OK;
    case SH_NO_CHECK: c->check = 0; return CB_OK;
    case SH_HELP:
        p->usage(out);
        return 1;
    }
    return CB_ERR_INTERNAL;
}

int cb_prog_parse(const cb_prog_parser_t *p, int argc, char **argv, void *o, cb_prog_opts_t *c,
                  FILE *out, char *err, size_t errlen)
{
    /* The tables: the program's own options first, then the shared ones it
     * takes; a short letter the program uses itself stays its own. */
    struct option lo[MAX_LONGOPTS + NSHARED + 1];
    char so[128];
    size_t n = 0;
    const char *own = p->shortopts ? p->shortopts : "";
    snprintf(so, sizeof so, ":%s", own);
    for (const struct option *x = p->longopts; x && x->name && n < MAX_LONGOPTS; x++)
        lo[n++] = *x;
    int short_code[128] = {0}; /* shared short letter -> its code */
    for (size_t i = 0; i < NSHARED; i++) {
        if (shared[i].bit && !(p->shared & shared[i].bit))
            continue;
        lo[n] = shared[i].lo;
        lo[n++].val = shared[i].code;
        const char *spec = shared[i].shortspec;
        if (spec && !strchr(own, spec[0]) && !short_code[(int)spec[0]]) {
            short_code[(int)spec[0]] = shared[i].code;
            size_t len = strlen(so);
            snprintf(so + len, sizeof so - len, "%s", spec);
        }
    }
    memset(&lo[n], 0, sizeof lo[n]);

    optind = 0; /* full re-initialisation of GNU getopt (tests parse repeatedly) */
    opterr = 0;
    int ch, rc;
    while ((ch = getopt_long(argc, argv, so, lo, NULL)) != -1) {
        /* the flag as typed: "--name" (without "=value") or "-x" */
        const char *tok = argv[optind - 1];
        if (optarg && optarg == argv[optind - 1] && optind >= 2)
            tok = argv[optind - 2]; /* the value was the next argument */
        char flag[64];
        if (tok[0] == '-' && tok[1] != '-' && ch > 0 && ch < 128 && ch != ':' && ch != '?')
            snprintf(flag, sizeof flag, "-%c", ch);
        else
            snprintf(flag, sizeof flag, "%s", tok);
        char *eq = flag[0] == '-' && flag[1] == '-' ? strchr(flag, '=') : NULL;
        if (eq)
            *eq = '\0';
        if (ch == ':')
            return cb_errf(err, errlen, CB_ERR_USAGE, "%s: missing value", flag);
        if (ch == '?')
            return cb_errf(err, errlen, CB_ERR_USAGE, "unknown option '%s'", flag);
        int code = ch >= SH_OUTPUT ? ch : ch < 128 && short_code[ch] ? short_code[ch] : 0;
        if (code)
            rc = shared_option(p, code, optarg, flag, c, out, err, errlen);
        else if (p->option)
            rc = p->option(o, ch, optarg, flag, out, err, errlen);
        else
            rc = cb_errf(err, errlen, CB_ERR_USAGE, "unknown option '%s'", flag);
        if (rc)
            return rc;
    }
    if (optind < argc)
        return cb_errf(err, errlen, CB_ERR_USAGE, "unexpected argument '%s'", argv[optind]);
    return p->finish ? p->finish(o, c, out, err, errlen) : CB_OK;
}
