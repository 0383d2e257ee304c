/* Fuzz target: acceptance-gate thresholds files (cb_gate_parse_string, and
 * cb_gate_load through a memfd), then judging what loaded against fixed rows
 * (gate_rows.csv, CB_FUZZ_GATE_ROWS) and three profiles. Checks: both entry
 * points agree on input without NUL bytes; errors say "origin:line: reason";
 * loading with a profile succeeds exactly when loading without one does and
 * cb_gate_check_profile() accepts it; a report has one verdict per check and
 * counts that add up; an exit code of 0, 1 or 2. */
#include "fuzz_util.h"

#include <math.h>

#include "cb_error.h"
#include "cb_gate.h"
#include "cb_profile.h"
#include "cb_results.h"

#ifndef CB_FUZZ_GATE_ROWS
#define CB_FUZZ_GATE_ROWS "tests/fuzz/gate_rows.csv"
#endif

static const char *const profile_text[] = {
    "[cluster]\nname = cpu3\nnodes = 3\npartition = main\ngpus_per_node = 0\ngres =\n"
    "time_limit = 00:30:00\n[network]\nkind = ethernet\nline_rate_gbps = 2.5\niface = eth0\n",
    "[cluster]\nname = gpu2\nnodes = 2\npartition =\ngpus_per_node = 8\ngres = gpu:8\n"
    "time_limit = 1:00:00\n[network]\nkind = infiniband\nline_rate_gbps = 400\n"
    "rails_per_node = 8\niface = ib0\n",
    "[cluster]\nname = one\nnodes = 1\npartition =\ngpus_per_node = 1\ngres =\n"
    "time_limit = 10\n[network]\nkind = ethernet\nline_rate_gbps = 1\niface = lo\n",
};
#define NPROF (sizeof profile_text / sizeof profile_text[0])

static cb_profile_t *profiles[NPROF];
static cb_table_t rows;

static void init_once(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    char err[512];
    for (size_t i = 0; i < NPROF; i++)
        if (cb_profile_parse_string(profile_text[i], "fuzz", &profiles[i], err, sizeof err)) {
            fprintf(stderr, "fuzz_gate: built-in profile %zu: %s\n", i, err);
            abort();
        }
    cb_table_init(&rows);
    if (cb_table_read(&rows, CB_FUZZ_GATE_ROWS, err, sizeof err)) {
        fprintf(stderr, "fuzz_gate: %s\n", err);
        abort();
    }
}

static void check_error(const char *err, const char *origin)
{
    size_t n = strlen(origin);
    FUZZ_CHECK(!strncmp(err, origin, n) && err[n] == ':' && err[n + 1]);
}

static void judge(const cb_gate_t *g, const cb_profile_t *prof, int skip_first)
{
    const char *skip[1] = {g->n ? g->checks[0].name : ""};
    cb_gate_env_t env = {.profile = prof, .skip = skip, .nskip = skip_first ? 1 : 0};
    cb_gate_report_t rep;
    memset(&rep, 0, sizeof rep);
    int rc = cb_gate_evaluate(g, &rows, &env, &rep);
    FUZZ_CHECK(rc == CB_OK || rc == CB_ERR_NOMEM);
    if (rc != CB_OK)
        return;
    FUZZ_CHECK(rep.n == g->n);
    FUZZ_CHECK(rep.npass + rep.nfail + rep.nskip + rep.nerror == rep.n);
    if (skip_first && g->n)
        FUZZ_CHECK(rep.results[0].verdict == CB_GATE_SKIP);
    char line[2048];
    for (size_t i = 0; i < rep.n; i++) {
        const cb_gate_result_t *r = &rep.results[i];
        FUZZ_CHECK(r->check == &g->checks[i]);
        FUZZ_CHECK((unsigned)r->verdict <= CB_GATE_ERROR);
        FUZZ_CHECK(memchr(r->summary, 0, sizeof r->summary) && memchr(r->unit, 0, sizeof r->unit));
        FUZZ_CHECK(!r->detail || r->detail[strlen(r->detail) - 1] == '\n');
        cb_gate_format_line(r, line, sizeof line);
        FUZZ_CHECK(strlen(line) < sizeof line);
        char num[64];
        cb_gate_format_num(r->value, num, sizeof num);
        cb_gate_format_num(r->reference, num, sizeof num);
    }
    int ec = cb_gate_exit_code(&rep);
    FUZZ_CHECK(ec == 0 || ec == 1 || ec == 2);
    cb_gate_report_free(&rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 16))
        return 0;
    init_once();
    char *text = fuzz_cstr(data, size);
    const char *path = fuzz_memfile(0, data, size);
    char err1[1024] = "", err2[1024] = "";
    cb_gate_t *g1 = NULL, *g2 = NULL;
    int rc1 = cb_gate_parse_string(text, path, NULL, &g1, err1, sizeof err1);
    int rc2 = cb_gate_load(path, NULL, &g2, err2, sizeof err2);
    FUZZ_CHECK((rc1 == CB_OK) == (g1 != NULL) && (rc2 == CB_OK) == (g2 != NULL));
    if (rc1 != CB_OK) {
        FUZZ_CHECK(rc1 == CB_ERR_INPUT || rc1 == CB_ERR_NOMEM);
        check_error(err1, path);
    }
    if (rc2 != CB_OK)
        check_error(err2, path);
    if (!memchr(data, '\0', size)) {
        if (rc1 != rc2 || strcmp(err1, err2))
            fprintf(stderr, "string: %d %s\nfile:   %d %s\n", rc1, err1, rc2, err2);
        FUZZ_CHECK(rc1 == rc2 && !strcmp(err1, err2));
    } else {
        FUZZ_CHECK(rc2 != CB_OK);
    }
    cb_gate_free(g2);

    for (size_t p = 0; p < NPROF; p++) {
        cb_gate_t *gp = NULL;
        char errp[1024] = "";
        int rcp = cb_gate_parse_string(text, path, profiles[p], &gp, errp, sizeof errp);
        FUZZ_CHECK((rcp == CB_OK) == (gp != NULL));
        if (rc1 != CB_OK) {
            FUZZ_CHECK(rcp == rc1 && !strcmp(errp, err1));
        } else {
            char errc[1024] = "";
            int rcc = cb_gate_check_profile(g1, profiles[p], errc, sizeof errc);
            FUZZ_CHECK(rcc == rcp);
            if (rcp != CB_OK)
                check_error(errp, path);
        }
        cb_gate_free(gp);
    }
    if (g1) {
        FUZZ_CHECK(g1->n >= 1 && g1->n <= CB_GATE_MAX_CHECKS);
        char buf[1024];
        for (size_t i = 0; i < g1->n; i++) {
            const cb_gate_check_t *c = &g1->checks[i];
            FUZZ_CHECK(c->name[0] && memchr(c->name, 0, sizeof c->name));
            FUZZ_CHECK(cb_gate_find(g1, c->name) == c); /* names are unique */
            FUZZ_CHECK(c->column < CB_NCOLS && (c->column >= 0 || c->kind == CB_GATE_KIND_NO_STATUS));
            FUZZ_CHECK(isnan(c->lower) || (c->lower >= -1 && c->lower <= 0));
            FUZZ_CHECK(isnan(c->upper) || c->upper >= 0);
            cb_gate_selector_text(c, buf, sizeof buf);
            FUZZ_CHECK(strlen(buf) < sizeof buf);
            FUZZ_CHECK(cb_gate_kind_name(c->kind));
        }
        judge(g1, NULL, 0);
        for (size_t p = 0; p < NPROF; p++)
            judge(g1, profiles[p], p == 1);
    }
    cb_gate_free(g1);
    free(text);
    return 0;
}
