/* tune_overlay: the profile overlay of `clusterbench tune`
 * (sbatch/profiles/<name>.tuned.ini, format in cb_tune.h): building it,
 * writing it, reading it strictly through cb_ini/inih, and the per-step
 * merge the sbatch generator applies (cb_tune_step_env()). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_ini.h"
#include "cb_tune.h"

#define MAX_LINE 196

static int is_key(const char *k)
{
    if (strncmp(k, "OMPI_MCA_", 9) && strncmp(k, "NCCL_", 5))
        return 0;
    for (const char *q = k; *q; q++)
        if (!(*q == '_' || (*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') ||
              (*q >= 'A' && *q <= 'Z')))
            return 0;
    return 1;
}

static int is_value(const char *v)
{
    for (const char *q = v; *q; q++)
        if (!strchr("._,:-", *q) && !(*q >= '0' && *q <= '9') && !(*q >= 'a' && *q <= 'z') &&
            !(*q >= 'A' && *q <= 'Z'))
            return 0;
    return 1;
}

const cb_tune_entry_t *cb_tune_overlay_find(const cb_tune_overlay_t *ov,
                                            cb_tune_purpose_t purpose, const char *key)
{
    for (size_t i = 0; ov && i < ov->n; i++)
        if (ov->e[i].purpose == purpose && !strcmp(ov->e[i].key, key))
            return &ov->e[i];
    return NULL;
}

int cb_tune_overlay_set(cb_tune_overlay_t *ov, cb_tune_purpose_t purpose, const char *key,
                        const char *value, double gain_pct)
{
    if (!cb_tune_purpose_name(purpose) || !is_key(key) || !is_value(value))
        return CB_ERR_INPUT;
    if (strlen(key) >= sizeof ov->e[0].key || strlen(value) >= sizeof ov->e[0].value)
        return CB_ERR_RANGE;
    cb_tune_entry_t *e = (cb_tune_entry_t *)cb_tune_overlay_find(ov, purpose, key);
    if (!e) {
        if (ov->n >= CB_TUNE_OVERLAY_MAX)
            return CB_ERR_RANGE;
        e = &ov->e[ov->n++];
        e->purpose = purpose;
        snprintf(e->key, sizeof e->key, "%s", key);
    }
    snprintf(e->value, sizeof e->value, "%s", value);
    e->gain_pct = gain_pct;
    return CB_OK;
}

int cb_tune_overlay_write(FILE *f, const cb_tune_overlay_t *ov, const char *comment)
{
    if (comment && *comment)
        fprintf(f, "%s%s", comment, comment[strlen(comment) - 1] == '\n' ? "" : "\n");
    fprintf(f, "[tune]\nprofile = %s\ndate = %s\n", ov->profile, ov->date);
    if (ov->nodes > 0)
        fprintf(f, "nodes = %ld\n", ov->nodes);
    int any_gain = 0;
    for (int p = 0; p < CB_TUNE_NPURPOSES; p++) {
        fprintf(f, "[%s]\n", cb_tune_purpose_name((cb_tune_purpose_t)p));
        for (size_t i = 0; i < ov->n; i++) {
            if (ov->e[i].purpose != (cb_tune_purpose_t)p)
                continue;
            fprintf(f, "%s = %s\n", ov->e[i].key, ov->e[i].value);
            any_gain |= !isnan(ov->e[i].gain_pct);
        }
    }
    if (any_gain) {
        fprintf(f, "[gain]\n");
        for (int p = 0; p < CB_TUNE_NPURPOSES; p++)
            for (size_t i = 0; i < ov->n; i++)
                if (ov->e[i].purpose == (cb_tune_purpose_t)p && !isnan(ov->e[i].gain_pct))
                    fprintf(f, "%s.%s = %.1f\n", cb_tune_purpose_name(ov->e[i].purpose),
                            ov->e[i].key, ov->e[i].gain_pct);
    }
    return ferror(f) ? CB_ERR_IO : CB_OK;
}

/* ------------------------------------------------------------ reading */

enum { SEC_TUNE, SEC_COLL, SEC_P2P, SEC_GAIN, N_SEC };
static const char *const sec_names[N_SEC] = {"tune", "collective", "p2p", "gain"};

typedef struct ov_ctx {
    cb_ini_t ini;
    cb_tune_overlay_t *ov;
    int cur;
    int sec_line[N_SEC];
    int tune_line[3]; /* profile, date, nodes */
    int gain_line[CB_TUNE_OVERLAY_MAX];
} ov_ctx_t;

static int bad(ov_ctx_t *c, const char *fmt, const char *a, const char *b)
{
    cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno, fmt, a, b);
    return 0;
}

static int tune_key(ov_ctx_t *c, const char *name, const char *value)
{
    static const char *const names[3] = {"profile", "date", "nodes"};
    int k = -1;
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, names[i]))
            k = i;
    if (k < 0)
        return bad(c, "[tune] unknown key '%s'%s", name, " (profile, date, nodes)");
    if (c->tune_line[k])
        return bad(c, "[tune] duplicate key %s%s", name, "");
    c->tune_line[k] = c->ini.lines.lineno;
    if (k == 0) {
        if (!*value || strlen(value) >= sizeof c->ov->profile || !is_value(value))
            return bad(c, "[tune] profile = '%s': want a profile name%s", value, "");
        snprintf(c->ov->profile, sizeof c->ov->profile, "%s", value);
    } else if (k == 1) {
        int y, m, d, n = 0;
        if (strlen(value) != 10 || sscanf(value, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
            n != 10 || m < 1 || m > 12 || d < 1 || d > 31 || y < 2000)
            return bad(c, "[tune] date = '%s': want YYYY-MM-DD%s", value, "");
        snprintf(c->ov->date, sizeof c->ov->date, "%s", value);
    } else {
        char *end;
        errno = 0;
        long n = strtol(value, &end, 10);
        if (!*value || *end || errno || n < 1 || n > 4096 || value[0] < '0' || value[0] > '9')
            return bad(c, "[tune] nodes = '%s': want 1..4096%s", value, "");
        c->ov->nodes = n;
    }
    return 1;
}

static int setting(ov_ctx_t *c, cb_tune_purpose_t p, const char *name, const char *value)
{
    const char *sec = cb_tune_purpose_name(p);
    if (!is_key(name))
        return bad(c, "[%s] '%s' is not an OMPI_MCA_* or NCCL_* variable name", sec, name);
    if (cb_tune_overlay_find(c->ov, p, name))
        return bad(c, "[%s] duplicate key %s", sec, name);
    if (!is_value(value))
        return bad(c, "[%s] %s: value may hold only letters, digits and . _ , : -", sec, name);
    int rc = cb_tune_overlay_set(c->ov, p, name, value, NAN);
    if (rc == CB_ERR_RANGE)
        return bad(c, "[%s] %s: too long, or too many settings", sec, name);
    return rc == CB_OK;
}

static int gain(ov_ctx_t *c, const char *name, const char *value)
{
    const char *dot = strchr(name, '.');
    char pname[16];
    cb_tune_purpose_t p;
    if (!dot || (size_t)(dot - name) >= sizeof pname)
        return bad(c, "[gain] '%s': want <collective|p2p>.<variable>%s", name, "");
    memcpy(pname, name, (size_t)(dot - name));
    pname[dot - name] = '\0';
    if (cb_tune_purpose_parse(pname, &p) != CB_OK)
        return bad(c, "[gain] '%s': want <collective|p2p>.<variable>%s", name, "");
    cb_tune_entry_t *e = (cb_tune_entry_t *)cb_tune_overlay_find(c->ov, p, dot + 1);
    if (!e)
        return bad(c, "[gain] %s: no such setting above (the gain follows its [%s] entry)", name,
                   pname);
    size_t idx = (size_t)(e - c->ov->e);
    if (c->gain_line[idx])
        return bad(c, "[gain] duplicate key %s%s", name, "");
    c->gain_line[idx] = c->ini.lines.lineno;
    char *end;
    errno = 0;
    double g = strtod(value, &end);
    if (!*value || *end || errno || !isfinite(g) || g < -100 || g > 1e6 ||
        strpbrk(value, "xXnNiIpP"))
        return bad(c, "[gain] %s = '%s': want a percentage like 3.1", name, value);
    e->gain_pct = g;
    return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    ov_ctx_t *c = user;
    int first;
    if (!cb_ini_key(&c->ini, section, name, "", &first))
        return 0;
    if (first) {
        int hdr = cb_ini_section_line(&c->ini);
        c->cur = -1;
        for (int i = 0; i < N_SEC; i++)
            if (!strcmp(section, sec_names[i]))
                c->cur = i;
        if (c->cur < 0) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, hdr,
                         "unknown section [%s] (expected [tune], [collective], [p2p] or [gain])",
                         section);
            return 0;
        }
        if (c->sec_line[c->cur]) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, hdr, "duplicate section [%s] (first at line %d)",
                         section, c->sec_line[c->cur]);
            return 0;
        }
        c->sec_line[c->cur] = hdr;
    }
    switch (c->cur) {
    case SEC_TUNE:
        return tune_key(c, name, value);
    case SEC_COLL:
        return setting(c, CB_TUNE_COLL, name, value);
    case SEC_P2P:
        return setting(c, CB_TUNE_P2P, name, value);
    default:
        return gain(c, name, value);
    }
}

static void whole(void *user)
{
    ov_ctx_t *c = user;
    if (!c->tune_line[0] || !c->tune_line[1])
        cb_ini_error(&c->ini, CB_ERR_INPUT, c->sec_line[SEC_TUNE] ? c->sec_line[SEC_TUNE] : 1,
                     "[tune] needs profile and date");
}

static int parse(ov_ctx_t *c, const char *origin, cb_tune_overlay_t *ov, char *errbuf,
                 size_t errlen)
{
    memset(ov, 0, sizeof *ov);
    snprintf(ov->origin, sizeof ov->origin, "%s", origin);
    c->ov = ov;
    c->cur = -1;
    const cb_ini_spec_t spec = {
        .max_line = MAX_LINE,
        .expected = "[section]",
        .handler = handler,
        .whole = whole,
        .user = c,
    };
    int rc = cb_ini_parse(&c->ini, &spec, origin, errbuf, errlen);
    if (rc != CB_OK) {
        memset(ov, 0, sizeof *ov);
        return rc;
    }
    return CB_OK;
}

int cb_tune_overlay_parse(const char *text, const char *origin, cb_tune_overlay_t *ov,
                          char *errbuf, size_t errlen)
{
    ov_ctx_t c;
    memset(&c, 0, sizeof c);
    c.ini.lines.text = text ? text : "";
    return parse(&c, origin ? origin : "(string)", ov, errbuf, errlen);
}

int cb_tune_overlay_load(const char *path, cb_tune_overlay_t *ov, char *errbuf, size_t errlen)
{
    ov_ctx_t c;
    memset(&c, 0, sizeof c);
    memset(ov, 0, sizeof *ov);
    int rc = cb_ini_open(&c.ini, path, "overlay", errbuf, errlen);
    if (rc != CB_OK)
        return rc;
    return parse(&c, path, ov, errbuf, errlen);
}

/* ------------------------------------------------------------ merging */

size_t cb_tune_step_env(const cb_tune_overlay_t *ov, cb_tune_purpose_t purpose,
                        cb_tune_lookup_fn base_lookup, void *ctx, cb_tune_assign_t *out,
                        size_t max)
{
    size_t k = 0;
    if (!ov || purpose == CB_TUNE_COLL)
        return 0;
    for (size_t i = 0; i < ov->n && k < max; i++) {
        const cb_tune_entry_t *e = &ov->e[i];
        if (e->purpose != CB_TUNE_COLL || cb_tune_overlay_find(ov, purpose, e->key))
            continue;
        const char *b = base_lookup ? base_lookup(e->key, ctx) : NULL;
        out[k].key = e->key;
        out[k++].value = b ? b : "";
    }
    for (size_t i = 0; i < ov->n && k < max; i++)
        if (ov->e[i].purpose == purpose) {
            out[k].key = ov->e[i].key;
            out[k++].value = ov->e[i].value;
        }
    return k;
}
