/* report_tune: the "Transport tuning" section, from the rows `clusterbench
 * tune` writes to tune.csv (benchmark=tune; their notes' grammar in
 * cb_tune.h): per tuning run and purpose, the base, each setting's
 * candidates with their figures, the best of them against the figure it
 * was measured against (the anchor) and whether it was taken, the verdict
 * (base and winner medians, noise, kept or not), a bar chart of the gains
 * of the settings taken, and a summary row per verdict. No tune rows: no
 * section. Calls the leaf helpers only. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_tune.h"
#include "report_priv.h"

typedef struct tune_ent {
    uint32_t row;
    const char *run;
    cb_tune_note_t note;
} tune_ent_t;

static int ent_cmp(const void *a, const void *b)
{
    const tune_ent_t *x = a, *y = b;
    int c = strcmp(x->run, y->run);
    if (c)
        return c;
    if (x->note.purpose != y->note.purpose)
        return x->note.purpose < y->note.purpose ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* A field as a number (NaN: absent or not one). */
static double fnum(const cb_tune_note_t *n, const char *key)
{
    char buf[64], *end;
    if (!cb_tune_note_field(n->fields, key, buf, sizeof buf) || !*buf)
        return NAN;
    double v = strtod(buf, &end);
    return *end ? NAN : v;
}

/* The pass field (0: absent). */
static int fpass(const cb_tune_note_t *n)
{
    double v = fnum(n, "pass");
    return isfinite(v) && v >= 0 && v < 1000 ? (int)v : 0;
}

/* A field as text in the document's arena ("" when absent). */
static const char *fstr(rep_t *r, const cb_tune_note_t *n, const char *key)
{
    char buf[256];
    if (!cb_tune_note_field(n->fields, key, buf, sizeof buf))
        return "";
    return cb_doc_strdup(r->doc, buf);
}

/* The figure of a row as text ("failed", "timeout" for rows not ok). */
static const char *figure(rep_t *r, const tune_ent_t *e, char *buf, size_t len)
{
    const char *status = cb_table_str(r->t, e->row, CB_COL_STATUS);
    if (strcmp(status, "ok"))
        return *status ? status : "(no status)";
    return rep_fmt(buf, len, cb_table_num(r->t, e->row, CB_COL_VALUE));
}

/* One setting (and pass) of a group, in the order first seen. */
typedef struct tune_setting {
    const char *name;
    int pass;
    char *cands;             /* "label: figure, ..." */
    size_t clen, ccap;
    const tune_ent_t *end;   /* its `tune setting` row, or NULL */
} tune_setting_t;

static void cand_add(rep_t *r, tune_setting_t *s, const char *label, const char *fig)
{
    size_t need = s->clen + strlen(label) + strlen(fig) + 5;
    if (need > s->ccap) {
        size_t cap = need * 2;
        char *c = realloc(s->cands, cap);
        if (!c) {
            r->oom = 1;
            return;
        }
        s->cands = c;
        s->ccap = cap;
    }
    s->clen += (size_t)snprintf(s->cands + s->clen, s->ccap - s->clen, "%s%s: %s",
                                s->clen ? ", " : "", label, fig);
}

static tune_setting_t *setting_of(rep_t *r, tune_setting_t **set, size_t *n, size_t *cap,
                                  const char *name, int pass)
{
    for (size_t i = 0; i < *n; i++)
        if ((*set)[i].pass == pass && !strcmp((*set)[i].name, name))
            return &(*set)[i];
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        tune_setting_t *ns = realloc(*set, nc * sizeof *ns);
        if (!ns) {
            r->oom = 1;
            return NULL;
        }
        *set = ns;
        *cap = nc;
    }
    tune_setting_t *s = &(*set)[(*n)++];
    memset(s, 0, sizeof *s);
    s->name = name;
    s->pass = pass;
    return s;
}

/* One tuning run's purpose: entries e[0..n). */
static void tune_group(rep_t *r, const tune_ent_t *e, size_t n)
{
    cb_doc_t *d = r->doc;
    const cb_table_t *t = r->t;
    cb_tune_purpose_t p = e[0].note.purpose;
    const char *pn = cb_tune_purpose_name(p);
    const char *unit = cb_table_str(t, e[0].row, CB_COL_UNIT);
    const char *cl = rep_cluster_name(cb_table_str(t, e[0].row, CB_COL_CLUSTER));
    char vb[64], gb[32];
    cb_doc_heading(d, 3, "%s: %s (%s), run %s", cl, pn,
                   p == CB_TUNE_P2P ? "ping-pong latency at 8 B and 1 KiB, lower is better"
                                    : "all-reduce busbw at DDP's bucket sizes, higher is better",
                   *e[0].run ? e[0].run : "(none)");
    size_t ntrials = 0, nfailed = 0, ntimeout = 0;
    const tune_ent_t *base = NULL;
    tune_setting_t *set = NULL;
    size_t nset = 0, capset = 0;
    for (size_t i = 0; i < n && !r->oom; i++) {
        const cb_tune_note_t *no = &e[i].note;
        if (no->kind == CB_TUNE_NOTE_TRIAL) {
            const char *status = cb_table_str(t, e[i].row, CB_COL_STATUS);
            ntrials++;
            nfailed += !!strcmp(status, "ok") && !!strcmp(status, "timeout");
            ntimeout += !strcmp(status, "timeout");
            char vf[8];
            if (!base && !strcmp(no->phase, "base") &&
                !cb_tune_note_field(no->fields, "verdict", vf, sizeof vf))
                base = &e[i];
            if (strcmp(no->phase, "search"))
                continue;
            const char *name = fstr(r, no, "setting");
            if (!*name)
                continue; /* written before the fields: nothing to group by */
            tune_setting_t *s = setting_of(r, &set, &nset, &capset, name, fpass(no));
            if (s)
                cand_add(r, s, fstr(r, no, "option"), figure(r, &e[i], vb, sizeof vb));
        } else if (no->kind == CB_TUNE_NOTE_SETTING) {
            tune_setting_t *s = setting_of(r, &set, &nset, &capset, fstr(r, no, "setting"),
                                           fpass(no));
            if (s)
                s->end = &e[i];
        }
    }
    if (base)
        cb_doc_para(d, "The base (the scripts' settings): %s %s. %zu trials: %zu failed, %zu "
                       "timed out (killed at their time limit).",
                    figure(r, base, vb, sizeof vb), unit, ntrials, nfailed, ntimeout);
    else
        cb_doc_para(d, "%zu trials: %zu failed, %zu timed out; no base trial in the input.",
                    ntrials, nfailed, ntimeout);

    /* the settings, one line per setting and pass */
    cb_svg_bar_t *bars = calloc(nset ? nset : 1, sizeof *bars);
    size_t nbars = 0;
    if (!bars)
        r->oom = 1;
    if (nset && !r->oom) {
        char hc[64], hb[64], hr[64];
        snprintf(hc, sizeof hc, "candidates (%s)", unit);
        snprintf(hb, sizeof hb, "best (%s)", unit);
        snprintf(hr, sizeof hr, "anchor (%s)", unit);
        const char *h[] = {"setting", "pass", hc, "best", hb, hr, "gain", "taken"};
        cb_doc_table_t *tb = cb_doc_table(d, 8, h, "lrlllrrl");
        for (size_t i = 0; i < nset; i++) {
            const tune_setting_t *s = &set[i];
            const cb_tune_note_t *no = s->end ? &s->end->note : NULL;
            int taken = no && !strcmp(fstr(r, no, "taken"), "yes");
            double gain = no ? fnum(no, "gain") : NAN;
            cb_doc_row(tb);
            cb_doc_cell_str(tb, 0, s->name);
            cb_doc_cell(tb, 0, "%d", s->pass);
            cb_doc_cell_str(tb, 0, s->cands ? s->cands : REP_DASH);
            cb_doc_cell_str(tb, 0, no ? fstr(r, no, "option") : REP_DASH);
            cb_doc_cell_str(tb, 0, no ? figure(r, s->end, vb, sizeof vb) : REP_DASH);
            cb_doc_cell_str(tb, 0, rep_fmt(vb, sizeof vb, no ? fnum(no, "ref") : NAN));
            cb_doc_cell_str(tb, taken ? CB_DOC_CELL_GOOD : 0, rep_fmt_change(gb, sizeof gb, gain));
            cb_doc_cell_str(tb, taken ? CB_DOC_CELL_GOOD : 0, !no ? "no (no candidate ran)"
                                                              : taken ? "yes" : "no");
            if (taken && bars) {
                bars[nbars].label = cb_doc_printf(d, "%s=%s%s", s->name, fstr(r, no, "option"),
                                                  s->pass > 1 ? " (pass 2)" : "");
                bars[nbars].value = gain;
                bars[nbars].note = cb_doc_strdup(d, rep_fmt_change(gb, sizeof gb, gain));
                nbars++;
            }
        }
        cb_doc_note(d, "Each setting's candidates ran with the other settings at their best so "
                       "far; best: the best of them, its gain against the anchor (a fresh run of "
                       "the best so far, made just before the setting's candidates); taken when "
                       "the gain beat the noise floor.");
    }
    if (nbars && !r->oom) {
        cb_svg_bars_t b = {
            .title = cb_doc_printf(d, "Tuning: the gain of each setting taken \xE2\x80\x94 %s, %s",
                                   cl, pn),
            .ylabel = "gain over the anchor (%)",
            .bars = bars,
            .n = nbars,
        };
        cb_doc_plot_bars(d, &b);
    }

    /* the verdicts */
    int nv = 0;
    cb_doc_table_t *vt = NULL;
    for (size_t i = 0; i < n && !r->oom; i++) {
        const cb_tune_note_t *no = &e[i].note;
        if (no->kind != CB_TUNE_NOTE_VERDICT)
            continue;
        if (!vt) {
            char hb[64], hw[64];
            snprintf(hb, sizeof hb, "base median (%s)", unit);
            snprintf(hw, sizeof hw, "winner median (%s)", unit);
            const char *h[] = {"round", "winner's settings", hb, hw, "gain", "noise", "runs",
                               "verdict"};
            vt = cb_doc_table(d, 8, h, "rlrrrrrl");
        }
        const char *gain_at = strstr(no->what, ": gain ");
        size_t sl = gain_at && gain_at < no->what + no->what_len ? (size_t)(gain_at - no->what)
                                                                  : no->what_len;
        char *settings = cb_doc_printf(d, "%.*s", (int)sl, no->what);
        /* fields, or (notes written before them) the text: ": gain +x%, noise y%: kept" */
        char kept_txt[8] = "";
        int kept = cb_tune_note_field(no->fields, "kept", kept_txt, sizeof kept_txt)
                       ? !strcmp(kept_txt, "yes")
                       : no->what_len >= 6 && !strncmp(no->what + no->what_len - 6, ": kept", 6);
        double bm = fnum(no, "base"), wm = fnum(no, "winner"), gain = fnum(no, "gain");
        double noise = fnum(no, "noise");
        if (isnan(gain) && gain_at && sscanf(gain_at, ": gain %lf%%, noise %lf%%", &gain, &noise) != 2)
            gain = noise = NAN;
        if (isnan(wm))
            wm = cb_table_num(t, e[i].row, CB_COL_VALUE);
        char nb[32];
        cb_doc_row(vt);
        cb_doc_cell_str(vt, 0, rep_fmt(vb, sizeof vb, fnum(no, "round")));
        cb_doc_cell_str(vt, 0, settings);
        cb_doc_cell_str(vt, 0, rep_fmt(vb, sizeof vb, bm));
        cb_doc_cell_str(vt, 0, rep_fmt(vb, sizeof vb, wm));
        cb_doc_cell_str(vt, kept ? CB_DOC_CELL_GOOD : 0, rep_fmt_change(gb, sizeof gb, gain));
        snprintf(nb, sizeof nb, "%s", isnan(noise) ? REP_DASH : "");
        if (!isnan(noise))
            snprintf(nb, sizeof nb, "%.1f%%", noise);
        cb_doc_cell_str(vt, 0, nb);
        cb_doc_cell_str(vt, 0, fstr(r, no, "runs"));
        cb_doc_cell_str(vt, kept ? CB_DOC_CELL_GOOD : 0,
                        kept ? "kept" : "dropped (not better by more than the noise)");
        nv++;

        cb_report_sum_row_t *s = rep_sum_add(r, "tune");
        if (!s)
            break;
        s->cluster = cb_table_str(t, e[i].row, CB_COL_CLUSTER);
        s->transport = cb_table_str(t, e[i].row, CB_COL_TRANSPORT);
        s->memory = cb_table_str(t, e[i].row, CB_COL_MEMORY);
        s->op = cb_table_str(t, e[i].row, CB_COL_OP);
        s->metric = cb_table_str(t, e[i].row, CB_COL_METRIC);
        s->unit = unit;
        double nodes = cb_table_num(t, e[i].row, CB_COL_NODES);
        s->nodes = isfinite(nodes) && nodes >= 1 && nodes < 1e9 ? (int)nodes : 0;
        s->value = wm;
        s->baseline_value = bm;
        s->ratio = wm / bm;
        s->change_pct = (s->ratio - 1) * 100;
        char runs[32];
        unsigned long rw = 0, rb = 0;
        if (cb_tune_note_field(no->fields, "runs", runs, sizeof runs) &&
            sscanf(runs, "%lu/%lu", &rw, &rb) == 2) {
            s->rows = rw;
            s->baseline_rows = rb;
        }
        s->flag = kept ? "kept" : "dropped";
    }
    if (!nv)
        cb_doc_para(d, "No verdict: the search found nothing that beat the base by more than "
                       "the noise floor, or the budget ended first.");
    else
        cb_doc_note(d, "The verdict: base and winner run again, interleaved; the winner is kept "
                       "only when its median beats the base's by more than the noise and its "
                       "worst run beats the base's best. A winner dropped loses the setting "
                       "taken last and is judged again (the next round).");
    for (size_t i = 0; i < nset; i++)
        free(set[i].cands);
    free(set);
    free(bars);
}

int rep_section_tune(rep_t *r)
{
    if (!r->ntune)
        return CB_OK;
    const cb_table_t *t = r->t;
    tune_ent_t *e = malloc(r->ntune * sizeof *e);
    if (!e)
        return CB_ERR_NOMEM;
    size_t n = 0, foreign = 0;
    for (size_t i = 0; i < r->ntune; i++) {
        tune_ent_t *x = &e[n];
        x->row = r->tune[i];
        x->run = cb_table_str(t, x->row, CB_COL_RUN_ID);
        if (cb_tune_note_parse(cb_table_str(t, x->row, CB_COL_NOTE), &x->note) == CB_OK)
            n++;
        else
            foreign++;
    }
    qsort(e, n, sizeof *e, ent_cmp);
    cb_doc_heading(r->doc, 2, "Transport tuning");
    cb_doc_para(r->doc,
                "What clusterbench tune tried (tune.csv, benchmark=tune): one setting at a time "
                "from the best so far, then a verdict of the winner against the base. The "
                "benchmarks' own rows of the trials (%zu) ran with candidate settings and are "
                "left out of the other sections.",
                r->ntune_bench);
    if (foreign)
        cb_doc_note(r->doc, "%zu tune row%s without a note of clusterbench tune left out.",
                    foreign, foreign == 1 ? "" : "s");
    for (size_t i = 0; i < n && !r->oom;) {
        size_t j = i + 1;
        while (j < n && !strcmp(e[j].run, e[i].run) && e[j].note.purpose == e[i].note.purpose)
            j++;
        tune_group(r, e + i, j - i);
        i = j;
    }
    free(e);
    return r->oom ? CB_ERR_NOMEM : CB_OK;
}
