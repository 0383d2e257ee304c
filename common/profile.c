/* cb_profile: loading and validating cluster profiles with inih. The INI
 * syntax is inih's; cb_ini (shared with the gate's thresholds reader) feeds
 * it lines (counting them, so that every message carries file:line, and
 * refusing over-long lines and NUL bytes) and keeps the first error, and
 * this file checks each value against a table of keys with strict per-key
 * rules. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb_error.h"
#include "cb_ini.h"
#include "cb_profile.h"
#include "cb_tune.h"

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/* ---------------------------------------------------------------- key table */

typedef enum key_type {
    KT_STRING, /* chars from ALNUM + extra; first char alnum unless any_first */
    KT_LONG,   /* plain decimal digits, in [min, max] */
    KT_RATE,   /* digits[.digits], in (0, max] */
    KT_KIND,   /* cb_net_kind_t */
    KT_TIME,   /* Slurm time limit */
    KT_CHOICE, /* one of choices[] (NULL-terminated), stored as its index (int) */
} key_type_t;

typedef struct key_spec {
    const char *section;
    const char *name;
    key_type_t type;
    int required;
    int allow_empty;   /* KT_STRING: "" accepted */
    int any_first;     /* KT_STRING: first char need not be alnum */
    const char *extra; /* KT_STRING: allowed besides ALNUM */
    const char *what;  /* for messages: what the allowed set means */
    size_t offset;     /* into cb_profile_t */
    size_t size;       /* KT_STRING: the char array's size */
    long min, max;     /* KT_LONG; KT_RATE uses max */
    const char *const *choices; /* KT_CHOICE: the values, [0] the default */
} key_spec_t;

#define STR(sec, key, req, empty, anyf, extra, what)                                      \
    {sec, #key, KT_STRING, req, empty, anyf, extra, what, offsetof(cb_profile_t, key),    \
     sizeof(((cb_profile_t *)0)->key), 0, 0, NULL}
#define LNG(sec, key, req, lo, hi)                                                        \
    {sec, #key, KT_LONG, req, 0, 0, NULL, NULL, offsetof(cb_profile_t, key), 0, lo, hi, NULL}
#define CHOICE(sec, key, field, names)                                                    \
    {sec, key, KT_CHOICE, 0, 0, 0, NULL, NULL, offsetof(cb_profile_t, field), 0, 0, 0, names}

static const char *const all_pairs_names[] = {"rounds", "sequential", NULL};
static const char *const yes_no_names[] = {"no", "yes", NULL};

static const key_spec_t keys[] = {
    STR("cluster", name, 1, 0, 0, "._-", "letters, digits, '.', '_', '-'"),
    STR("cluster", description, 0, 1, 0, " .,:/+-_=@%",
        "letters, digits, space and . , : / + - _ = @ %"),
    LNG("cluster", nodes, 1, 1, CB_PROFILE_MAX_NODES),
    STR("cluster", nodelist, 0, 1, 0, "._-,[]", "a Slurm hostlist: letters, digits, . _ - , [ ]"),
    STR("cluster", partition, 1, 1, 0, "._-", "letters, digits, '.', '_', '-'"),
    LNG("cluster", gpus_per_node, 1, 0, CB_PROFILE_MAX_GPUS_PER_NODE),
    STR("cluster", gres, 1, 1, 0, "._-:,", "letters, digits, . _ - : ,"),
    {"cluster", "time_limit", KT_TIME, 1, 0, 0, NULL, NULL, offsetof(cb_profile_t, time_limit),
     sizeof(((cb_profile_t *)0)->time_limit), 0, 0, NULL},
    {"network", "kind", KT_KIND, 1, 0, 0, NULL, NULL, offsetof(cb_profile_t, net_kind), 0, 0, 0,
     NULL},
    {"network", "line_rate_gbps", KT_RATE, 1, 0, 0, NULL, NULL,
     offsetof(cb_profile_t, line_rate_gbps), 0, 0, 100000, NULL},
    LNG("network", rails_per_node, 0, 1, 64),
    STR("network", iface, 1, 0, 0, "._-", "letters, digits, '.', '_', '-'"),
    LNG("network", mtu, 0, 576, 65536),
    CHOICE("network", "all_pairs", all_pairs_sequential, all_pairs_names),
    CHOICE("network", "round_reference", round_reference, yes_no_names),
};
#define N_KEYS (sizeof keys / sizeof keys[0])

static const char *const sections[] = {"cluster", "network", "env"};
#define N_SECTIONS (sizeof sections / sizeof sections[0])
#define SEC_ENV 2

#define ENV_VALUE_EXTRA "._,:/=+@%^-"

/* Environment names a profile may not set: the script's own, Slurm's, and
 * those that change how bash itself behaves. */
static const char *const env_reserved_prefixes[] = {"CB_", "SLURM_", "BASH_"};
static const char *const env_reserved[] = {"IFS", "PATH", "HOME", "SHELL", "ENV",
                                           "SHELLOPTS", "BASHOPTS", "PS4", "CDPATH",
                                           "GLOBIGNORE", "LD_PRELOAD", "LD_AUDIT"};

/* ------------------------------------------------------------ parse state */

typedef struct parse_ctx {
    cb_ini_t ini;       /* the source, the section headers, the first error */
    cb_profile_t *prof;
    const char *origin;
    int cur_sec;        /* index into sections[] of the section being read, -1 unknown */
    int sec_line[N_SECTIONS];
    int key_line[N_KEYS];
    size_t env_cap;
} parse_ctx_t;

/* ------------------------------------------------------------ value checks */

static int check_chars(parse_ctx_t *c, const char *sec, const char *key, const char *v,
                       const char *extra, int any_first, const char *what)
{
    for (const char *p = v; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        int ok = ch < 128 && ch != 0 &&
                 (strchr(ALNUM, ch) || (extra && strchr(extra, ch)));
        if (ok && p == v && !any_first && !strchr(ALNUM, ch))
            ok = 0;
        if (!ok) {
            if (ch >= 32 && ch < 127)
                cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno,
                             "[%s] %s: character '%c' not allowed%s (allowed: %s)", sec, key, ch,
                             p == v ? " first" : "", what);
            else
                cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno,
                             "[%s] %s: character 0x%02x not allowed (allowed: %s)", sec, key, ch,
                             what);
            return 0;
        }
    }
    return 1;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* Digits only, at most 9 of them (so it fits a long everywhere). */
static int parse_digits(const char *s, size_t n, long *out)
{
    if (n == 0 || n > 9)
        return 0;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

int cb_profile_parse_time_limit(const char *s, long *seconds)
{
    if (!s || !*s)
        return CB_ERR_INPUT;
    long days = 0, part[3];
    int nparts = 0, have_days = 0;
    const char *p = s;
    const char *dash = strchr(s, '-');
    if (dash) {
        if (!parse_digits(s, (size_t)(dash - s), &days))
            return CB_ERR_INPUT;
        have_days = 1;
        p = dash + 1;
    }
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        if (nparts == 3 || !parse_digits(p, n, &part[nparts]))
            return CB_ERR_INPUT;
        nparts++;
        if (!colon)
            break;
        p = colon + 1;
    }
    long h = 0, m = 0, sec = 0;
    if (have_days) { /* D-H, D-H:M, D-H:M:S */
        h = part[0];
        m = nparts > 1 ? part[1] : 0;
        sec = nparts > 2 ? part[2] : 0;
        if (h > 23 || m > 59 || sec > 59)
            return CB_ERR_INPUT;
    } else if (nparts == 1) { /* M */
        m = part[0];
    } else if (nparts == 2) { /* M:S */
        m = part[0];
        sec = part[1];
        if (sec > 59)
            return CB_ERR_INPUT;
    } else { /* H:M:S */
        h = part[0];
        m = part[1];
        sec = part[2];
        if (m > 59 || sec > 59)
            return CB_ERR_INPUT;
    }
    const long max = 365L * 86400;
    if (days > 365 || h > max / 3600 || m > max / 60)
        return CB_ERR_RANGE;
    long total = days * 86400 + h * 3600 + m * 60 + sec;
    if (total <= 0 || total > max)
        return CB_ERR_RANGE;
    *seconds = total;
    return CB_OK;
}

static int is_env_key_reserved(const char *k)
{
    for (size_t i = 0; i < sizeof env_reserved_prefixes / sizeof *env_reserved_prefixes; i++)
        if (!strncasecmp(k, env_reserved_prefixes[i], strlen(env_reserved_prefixes[i])))
            return 1;
    for (size_t i = 0; i < sizeof env_reserved / sizeof *env_reserved; i++)
        if (!strcmp(k, env_reserved[i]))
            return 1;
    return 0;
}

static int set_env(parse_ctx_t *c, const char *name, const char *value)
{
    cb_profile_t *p = c->prof;
    int ok = name[0] && !(name[0] >= '0' && name[0] <= '9');
    for (const char *q = name; ok && *q; q++)
        ok = *q == '_' || (*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') ||
             (*q >= 'A' && *q <= 'Z');
    if (!ok) {
        cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno,
                     "[env] '%s' is not a shell variable name ([A-Za-z_][A-Za-z0-9_]*)", name);
        return 0;
    }
    if (strlen(name) >= sizeof p->env[0].key) {
        cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno,
                     "[env] name '%s' longer than %zu characters", name, sizeof p->env[0].key - 1);
        return 0;
    }
    if (is_env_key_reserved(name)) {
        cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno,
                     "[env] %s is reserved (clusterbench, Slurm or the shell set it)", name);
        return 0;
    }
    for (size_t i = 0; i < p->n_env; i++)
        if (!strcmp(p->env[i].key, name)) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno, "[env] duplicate key %s",
                         name);
            return 0;
        }
    if (strlen(value) >= sizeof p->env[0].value) {
        cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno,
                     "[env] %s: value longer than %zu characters", name,
                     sizeof p->env[0].value - 1);
        return 0;
    }
    if (!check_chars(c, "env", name, value, ENV_VALUE_EXTRA, 1,
                     "letters, digits and . _ , : / = + @ % ^ -"))
        return 0;
    if (p->n_env == c->env_cap) {
        size_t cap = c->env_cap ? 2 * c->env_cap : 8;
        cb_profile_env_t *e = realloc(p->env, cap * sizeof *e);
        if (!e) {
            cb_ini_error(&c->ini, CB_ERR_NOMEM, c->ini.lines.lineno, "out of memory");
            return 0;
        }
        p->env = e;
        c->env_cap = cap;
    }
    cb_profile_env_t *e = &p->env[p->n_env++];
    snprintf(e->key, sizeof e->key, "%s", name);
    snprintf(e->value, sizeof e->value, "%s", value);
    return 1;
}

static int set_key(parse_ctx_t *c, const key_spec_t *k, const char *v)
{
    char *base = (char *)c->prof;
    switch (k->type) {
    case KT_STRING:
        if (!*v && !k->allow_empty) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno, "[%s] %s must not be empty",
                         k->section, k->name);
            return 0;
        }
        if (strlen(v) >= k->size) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno,
                         "[%s] %s longer than %zu characters", k->section, k->name, k->size - 1);
            return 0;
        }
        if (!check_chars(c, k->section, k->name, v, k->extra, k->any_first, k->what))
            return 0;
        memcpy(base + k->offset, v, strlen(v) + 1);
        return 1;
    case KT_LONG: {
        long n;
        if (!all_digits(v) || !parse_digits(v, strlen(v), &n)) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno,
                         "[%s] %s = '%s': not a whole number (digits only, %ld..%ld)", k->section,
                         k->name, v, k->min, k->max);
            return 0;
        }
        if (n < k->min || n > k->max) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno,
                         "[%s] %s = %ld out of range %ld..%ld", k->section, k->name, n, k->min,
                         k->max);
            return 0;
        }
        *(long *)(base + k->offset) = n;
        return 1;
    }
    case KT_RATE: {
        /* digits, optionally '.' and digits: no sign, exponent, nan or inf */
        const char *dot = strchr(v, '.');
        size_t ni = dot ? (size_t)(dot - v) : strlen(v);
        int ok = ni > 0 && ni <= 9 && strspn(v, "0123456789") == ni;
        if (ok && dot)
            ok = dot[1] && strspn(dot + 1, "0123456789") == strlen(dot + 1) &&
                 strlen(dot + 1) <= 9;
        double r = ok ? strtod(v, NULL) : 0;
        if (!ok) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno,
                         "[%s] %s = '%s': not a plain decimal number of Gbit/s (e.g. 2.5)",
                         k->section, k->name, v);
            return 0;
        }
        if (!(r > 0) || r > (double)k->max) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno,
                         "[%s] %s = %s out of range (0, %ld]", k->section, k->name, v, k->max);
            return 0;
        }
        *(double *)(base + k->offset) = r;
        return 1;
    }
    case KT_KIND:
        if (cb_net_kind_parse(v, (cb_net_kind_t *)(base + k->offset)) != CB_OK) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno,
                         "[%s] %s = '%s': expected ethernet, infiniband or efa", k->section,
                         k->name, v);
            return 0;
        }
        return 1;
    case KT_CHOICE:
        for (int i = 0; k->choices[i]; i++)
            if (!strcmp(v, k->choices[i])) {
                *(int *)(base + k->offset) = i;
                return 1;
            }
        cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno,
                     "[%s] %s = '%s': expected %s or %s", k->section, k->name, v, k->choices[0],
                     k->choices[1]);
        return 0;
    case KT_TIME: {
        long s;
        int rc = strlen(v) < k->size ? cb_profile_parse_time_limit(v, &s) : CB_ERR_INPUT;
        if (rc != CB_OK) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno, "[%s] %s = '%s': %s",
                         k->section, k->name, v,
                         rc == CB_ERR_RANGE ? "must be more than 0 and at most 365 days"
                                            : "not a Slurm time limit (M, M:S, H:M:S, D-H, "
                                              "D-H:M or D-H:M:S)");
            return 0;
        }
        memcpy(base + k->offset, v, strlen(v) + 1);
        c->prof->time_limit_s = s;
        return 1;
    }
    }
    return 0;
}

/* inih's callback: one name = value in a section. Returns 1 to go on, 0 to
 * record an error (inih then reports this line; we keep our own message). */
static int handler(void *user, const char *section, const char *name, const char *value)
{
    parse_ctx_t *c = user;
    int first;
    if (!cb_ini_key(&c->ini, section, name, "", &first))
        return 0;
    if (first) { /* first key of a new section instance */
        int hdr_line = cb_ini_section_line(&c->ini);
        c->cur_sec = -1;
        for (size_t i = 0; i < N_SECTIONS; i++)
            if (!strcmp(section, sections[i]))
                c->cur_sec = (int)i;
        if (c->cur_sec < 0) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, hdr_line,
                         "unknown section [%s] (expected [cluster], [network] or [env])", section);
            return 0;
        }
        if (c->sec_line[c->cur_sec]) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, hdr_line,
                         "duplicate section [%s] (first at line %d)", section,
                         c->sec_line[c->cur_sec]);
            return 0;
        }
        c->sec_line[c->cur_sec] = hdr_line;
    }
    if (c->cur_sec == SEC_ENV)
        return set_env(c, name, value);
    for (size_t i = 0; i < N_KEYS; i++) {
        if (strcmp(keys[i].section, section) || strcmp(keys[i].name, name))
            continue;
        if (c->key_line[i]) {
            cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno,
                         "[%s] duplicate key %s (first at line %d)", section, name, c->key_line[i]);
            return 0;
        }
        c->key_line[i] = c->ini.lines.lineno;
        return set_key(c, &keys[i], value);
    }
    cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno, "[%s] unknown key '%s'", section,
                 name);
    return 0;
}

static size_t key_index(const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (!strcmp(keys[i].name, name))
            return i;
    return N_KEYS; /* not reached for the names used below */
}

/* Checks that need the whole file: required keys, values that must agree. */
static void check_whole(parse_ctx_t *c)
{
    cb_profile_t *p = c->prof;
    for (size_t i = 0; i < N_KEYS && !c->ini.err; i++) {
        if (!keys[i].required || c->key_line[i])
            continue;
        int sec = keys[i].section[0] == 'c' ? 0 : 1;
        if (c->sec_line[sec])
            cb_ini_error(&c->ini, CB_ERR_INPUT, c->sec_line[sec], "[%s] lacks required key '%s'",
                         keys[i].section, keys[i].name);
        else
            cb_ini_error(&c->ini, CB_ERR_INPUT, c->ini.lines.lineno ? c->ini.lines.lineno : 1,
                         "missing section [%s] (needs key '%s')", keys[i].section, keys[i].name);
    }
    if (c->ini.err)
        return;
    /* a single GPU GRES, "gpu", "gpu:type", "gpu:N" or "gpu:type:N" (Slurm
     * reads a missing count as 1), must ask for gpus_per_node GPUs */
    if ((!strncmp(p->gres, "gpu:", 4) || !strcmp(p->gres, "gpu")) && !strchr(p->gres, ',')) {
        const char *last = strrchr(p->gres, ':');
        long n = 1;
        if (last && all_digits(last + 1) && !parse_digits(last + 1, strlen(last + 1), &n))
            n = -1;
        if (n != p->gpus_per_node)
            cb_ini_error(&c->ini, CB_ERR_INPUT, c->key_line[key_index("gres")],
                         "[cluster] gres = %s asks for %ld GPU(s) per node but gpus_per_node = %ld",
                         p->gres, n, p->gpus_per_node);
    }
    if (!c->ini.err && p->all_pairs_sequential && p->round_reference)
        cb_ini_error(&c->ini, CB_ERR_INPUT, c->key_line[key_index("round_reference")],
                     "[network] round_reference = yes compares the rounds with every direction "
                     "alone: it needs all_pairs = rounds, not sequential");
    if (!c->ini.err && !strcmp(p->iface, "lo") && p->nodes > 1)
        cb_ini_error(&c->ini, CB_ERR_INPUT, c->key_line[key_index("iface")],
                     "[network] iface = lo cannot connect %ld nodes (use it only with nodes = 1)",
                     p->nodes);
}

static void whole(void *user) {
    check_whole(user);
}

static int parse_common(parse_ctx_t *c, const char *origin, cb_profile_t **out, char *errbuf,
                        size_t errlen)
{
    *out = NULL;
    cb_profile_t *p = calloc(1, sizeof *p);
    if (!p) {
        cb_ini_release(&c->ini);
        return cb_errf(errbuf, errlen, CB_ERR_NOMEM, "%s: out of memory", origin);
    }
    p->rails_per_node = 1;
    p->mtu = 1500;
    c->prof = p;
    c->origin = origin;
    c->cur_sec = -1;
    const cb_ini_spec_t spec = {
        .max_line = CB_PROFILE_MAX_LINE,
        .expected = "[section]",
        .handler = handler,
        .whole = whole,
        .user = c,
    };
    int err = cb_ini_parse(&c->ini, &spec, origin, errbuf, errlen);
    if (err) {
        cb_profile_free(p);
        return err;
    }
    *out = p;
    return CB_OK;
}

/* The tuner's overlay beside a profile file (name.ini -> name.tuned.ini),
 * if there is one; see cb_profile_load(). */
static int load_overlay(const char *path, cb_profile_t *p, char *errbuf, size_t errlen)
{
    size_t n = strlen(path);
    char ov_path[PATH_MAX];
    if (n < 4 || strcmp(path + n - 4, ".ini") ||
        (n >= 10 && !strcmp(path + n - 10, ".tuned.ini")) || n + 6 >= sizeof ov_path)
        return CB_OK;
    snprintf(ov_path, sizeof ov_path, "%.*s.tuned.ini", (int)(n - 4), path);
    if (access(ov_path, F_OK) != 0)
        return CB_OK;
    cb_tune_overlay_t *ov = malloc(sizeof *ov);
    if (!ov)
        return cb_errf(errbuf, errlen, CB_ERR_NOMEM, "%s: out of memory", ov_path);
    int rc = cb_tune_overlay_load(ov_path, ov, errbuf, errlen);
    if (rc == CB_OK && strcmp(ov->profile, p->name))
        rc = cb_errf(errbuf, errlen, CB_ERR_INPUT, "%s: tuned for profile '%s', not '%s'",
                     ov_path, ov->profile, p->name);
    if (rc != CB_OK) {
        free(ov);
        return rc;
    }
    p->tuned = ov;
    return CB_OK;
}

int cb_profile_load(const char *path, cb_profile_t **out, char *errbuf, size_t errlen)
{
    if (!out)
        return CB_ERR_INTERNAL;
    *out = NULL;
    parse_ctx_t c = {0};
    int rc = cb_ini_open(&c.ini, path, "profile", errbuf, errlen);
    if (rc != CB_OK)
        return rc;
    rc = parse_common(&c, path, out, errbuf, errlen);
    if (rc == CB_OK)
        rc = load_overlay(path, *out, errbuf, errlen);
    if (rc != CB_OK) {
        cb_profile_free(*out);
        *out = NULL;
    }
    return rc;
}

int cb_profile_parse_string(const char *text, const char *origin, cb_profile_t **out,
                            char *errbuf, size_t errlen)
{
    if (!out)
        return CB_ERR_INTERNAL;
    *out = NULL;
    parse_ctx_t c = {0};
    c.ini.lines.text = text ? text : "";
    return parse_common(&c, origin ? origin : "(string)", out, errbuf, errlen);
}

void cb_profile_free(cb_profile_t *prof)
{
    if (!prof)
        return;
    free(prof->env);
    free(prof->tuned);
    free(prof);
}

/* ------------------------------------------------------------------ misc */

static const char *const kind_names[] = {"ethernet", "infiniband", "efa"};

const char *cb_net_kind_name(cb_net_kind_t kind)
{
    if ((unsigned)kind >= sizeof kind_names / sizeof kind_names[0])
        return NULL;
    return kind_names[kind];
}

int cb_net_kind_parse(const char *s, cb_net_kind_t *out)
{
    for (size_t i = 0; s && i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (!strcmp(s, kind_names[i])) {
            *out = (cb_net_kind_t)i;
            return CB_OK;
        }
    return CB_ERR_INPUT;
}

double cb_profile_tcp_goodput_gbps(double line_rate_gbps, long mtu)
{
    if (!(line_rate_gbps > 0) || mtu < 576)
        return 0;
    return line_rate_gbps * (double)(mtu - 52) / (double)(mtu + 38);
}

double cb_profile_goodput_gbps(const cb_profile_t *prof)
{
    if (!prof)
        return 0;
    if (prof->net_kind == CB_NET_ETHERNET)
        return cb_profile_tcp_goodput_gbps(prof->line_rate_gbps, prof->mtu);
    return prof->line_rate_gbps;
}

static int has_profiles_dir(const char *dir)
{
    char p[PATH_MAX];
    struct stat st;
    if ((size_t)snprintf(p, sizeof p, "%s/sbatch/profiles", dir) >= sizeof p)
        return 0;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int put(char *buf, size_t len, const char *s)
{
    if (strlen(s) >= len)
        return CB_ERR_RANGE;
    memcpy(buf, s, strlen(s) + 1);
    return CB_OK;
}

int cb_profile_find_home(char *buf, size_t len)
{
    const char *env = getenv("CB_HOME");
    if (env && *env && has_profiles_dir(env))
        return put(buf, len, env);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        for (int up = 0; up < 3; up++) { /* strip the file name, then bin/, then build/ */
            char *slash = strrchr(exe, '/');
            if (!slash)
                break;
            *slash = '\0';
        }
        if (exe[0] && has_profiles_dir(exe))
            return put(buf, len, exe);
    }
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) && has_profiles_dir(cwd))
        return put(buf, len, cwd);
    return CB_ERR_INPUT;
}

int cb_profile_resolve(const char *arg, char *path, size_t len, char *errbuf, size_t errlen)
{
    if (!arg || !*arg) {
        return cb_errf(errbuf, errlen, CB_ERR_USAGE, "empty profile name");
    }
    size_t n = strlen(arg);
    if (strchr(arg, '/') || (n > 4 && !strcmp(arg + n - 4, ".ini")))
        return put(path, len, arg);
    if (arg[0] == '.' || strspn(arg, ALNUM "._-") != n) {
        return cb_errf(errbuf, errlen, CB_ERR_USAGE,
                       "'%s' is neither a profile name ([A-Za-z0-9._-]) nor a path", arg);
    }
    char home[PATH_MAX];
    if (cb_profile_find_home(home, sizeof home) != CB_OK) {
        return cb_errf(errbuf, errlen, CB_ERR_INPUT,
                       "profile '%s': cannot find sbatch/profiles/ (set CB_HOME to the "
                       "clusterbench directory, or give a path to the .ini file)",
                       arg);
    }
    if ((size_t)snprintf(path, len, "%s/sbatch/profiles/%s.ini", home, arg) >= len)
        return CB_ERR_RANGE;
    if (access(path, F_OK) != 0) {
        return cb_errf(errbuf, errlen, CB_ERR_INPUT, "no profile '%s' (%s does not exist)", arg,
                       path);
    }
    return CB_OK;
}
