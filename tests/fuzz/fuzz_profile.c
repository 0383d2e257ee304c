/* Fuzz target: cluster profiles (INI through inih, cb_profile_parse_string
 * and, through a memfd, cb_profile_load). Checks: both entry points agree
 * (same code, same message) on input without NUL bytes; an error says
 * "origin:line: reason"; a loaded profile keeps the promises of cb_profile.h:
 * ranges, NUL-terminated strings, and no shell metacharacter in any string
 * (the sbatch generator pastes them into scripts). */
#include "fuzz_util.h"

#include <math.h>

#include "cb_error.h"
#include "cb_profile.h"

/* Characters no profile string may hold (cb_profile.h). */
static const char forbidden[] = "\"'$`\\;|&<>()\n\r";

static void check_str(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    FUZZ_CHECK(n < cap);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(!strchr(forbidden, s[i]) && (unsigned char)s[i] >= 32 && (unsigned char)s[i] < 127);
}

static void check_profile(const cb_profile_t *p)
{
    check_str(p->name, sizeof p->name);
    FUZZ_CHECK(p->name[0]);
    check_str(p->description, sizeof p->description);
    check_str(p->nodelist, sizeof p->nodelist);
    check_str(p->partition, sizeof p->partition);
    check_str(p->gres, sizeof p->gres);
    check_str(p->time_limit, sizeof p->time_limit);
    check_str(p->iface, sizeof p->iface);
    FUZZ_CHECK(p->iface[0] && !strchr(p->iface, ' '));
    FUZZ_CHECK(p->nodes >= 1 && p->nodes <= CB_PROFILE_MAX_NODES);
    FUZZ_CHECK(p->gpus_per_node >= 0 && p->gpus_per_node <= CB_PROFILE_MAX_GPUS_PER_NODE);
    FUZZ_CHECK(p->time_limit_s > 0 && p->time_limit_s <= 365L * 86400);
    long s = 0;
    FUZZ_CHECK(cb_profile_parse_time_limit(p->time_limit, &s) == CB_OK && s == p->time_limit_s);
    FUZZ_CHECK(cb_net_kind_name(p->net_kind));
    FUZZ_CHECK(isfinite(p->line_rate_gbps) && p->line_rate_gbps > 0 && p->line_rate_gbps <= 100000);
    FUZZ_CHECK(p->rails_per_node >= 1 && p->rails_per_node <= 64);
    FUZZ_CHECK(p->mtu >= 576 && p->mtu <= 65536);
    double g = cb_profile_goodput_gbps(p);
    FUZZ_CHECK(isfinite(g) && g > 0 && g <= p->line_rate_gbps);
    FUZZ_CHECK(p->n_env == 0 || p->env);
    for (size_t i = 0; i < p->n_env; i++) {
        check_str(p->env[i].key, sizeof p->env[i].key);
        check_str(p->env[i].value, sizeof p->env[i].value);
        FUZZ_CHECK(p->env[i].key[0] && strncmp(p->env[i].key, "CB_", 3));
        FUZZ_CHECK(!strchr(p->env[i].key, '=') && !strchr(p->env[i].key, ' '));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 16))
        return 0;
    char *text = fuzz_cstr(data, size);
    const char *path = fuzz_memfile(0, data, size);
    char err1[1024] = "", err2[1024] = "";

    cb_profile_t *p1 = NULL, *p2 = NULL;
    int rc1 = cb_profile_parse_string(text, path, &p1, err1, sizeof err1);
    int rc2 = cb_profile_load(path, &p2, err2, sizeof err2);
    FUZZ_CHECK((rc1 == CB_OK) == (p1 != NULL) && (rc2 == CB_OK) == (p2 != NULL));
    if (rc1 != CB_OK) {
        FUZZ_CHECK(rc1 == CB_ERR_INPUT || rc1 == CB_ERR_NOMEM);
        FUZZ_CHECK(!strncmp(err1, path, strlen(path)) && err1[strlen(path)] == ':');
    }
    if (rc2 != CB_OK)
        FUZZ_CHECK(!strncmp(err2, path, strlen(path)) && err2[strlen(path)] == ':');
    if (!memchr(data, '\0', size)) {
        if (rc1 != rc2 || strcmp(err1, err2))
            fprintf(stderr, "string: %d %s\nfile:   %d %s\n", rc1, err1, rc2, err2);
        FUZZ_CHECK(rc1 == rc2 && !strcmp(err1, err2));
    } else {
        FUZZ_CHECK(rc2 != CB_OK); /* a NUL byte is an error in a file */
    }
    if (p1)
        check_profile(p1);
    if (p2) {
        check_profile(p2);
        FUZZ_CHECK(p1 && !strcmp(p1->name, p2->name) && p1->n_env == p2->n_env);
    }
    cb_profile_free(p1);
    cb_profile_free(p2);
    free(text);
    return 0;
}
