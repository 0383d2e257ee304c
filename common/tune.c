/* tune: the pure search of `clusterbench tune` (cb_tune.h): the table of
 * transport settings and their candidates, the coordinate-wise search, the
 * scores and the keep-or-drop verdict. The overlay is tune_overlay.c's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_tune.h"

static const char *const purpose_names[CB_TUNE_NPURPOSES] = {"collective", "p2p"};

const char *cb_tune_purpose_name(cb_tune_purpose_t p)
{
    return (unsigned)p < CB_TUNE_NPURPOSES ? purpose_names[p] : NULL;
}

int cb_tune_purpose_parse(const char *s, cb_tune_purpose_t *out)
{
    for (int i = 0; i < CB_TUNE_NPURPOSES; i++)
        if (s && !strcmp(s, purpose_names[i])) {
            *out = (cb_tune_purpose_t)i;
            return CB_OK;
        }
    return CB_ERR_INPUT;
}

/* ------------------------------------------------------------ the table */

#define ALG "OMPI_MCA_coll_tuned_allreduce_algorithm"
#define DYN {"OMPI_MCA_coll_tuned_use_dynamic_rules", "1"}
#define SEG "OMPI_MCA_coll_tuned_allreduce_algorithm_segmentsize"
#define BUFS(v) {{"OMPI_MCA_btl_tcp_sndbuf", v}, {"OMPI_MCA_btl_tcp_rcvbuf", v}}
#define SOCKS(t, s) {{"NCCL_SOCKET_NTHREADS", t}, {"NCCL_NSOCKS_PERTHREAD", s}}

/* Open MPI 4.1's coll/tuned all-reduce algorithms: 0 its fixed decision
 * rules, 1 basic linear, 2 non-overlapping (reduce + bcast), 3 recursive
 * doubling, 4 ring, 5 segmented ring (the only one that takes a segment
 * size), 6 Rabenseifner. The algorithm only counts with dynamic rules on. */
static const cb_tune_param_t table[] = {
    {"allreduce_algorithm", "mpi", CB_TUNE_FOR_COLL, 1, 9,
     {{"0 (fixed rules)", {{ALG, "0"}, DYN}},
      {"1 (linear)", {{ALG, "1"}, DYN}},
      {"2 (reduce+bcast)", {{ALG, "2"}, DYN}},
      {"3 (recursive doubling)", {{ALG, "3"}, DYN}},
      {"4 (ring)", {{ALG, "4"}, DYN}},
      {"5 (segmented ring, 64K)", {{ALG, "5"}, DYN, {SEG, "65536"}}},
      {"5 (segmented ring, 256K)", {{ALG, "5"}, DYN, {SEG, "262144"}}},
      {"5 (segmented ring, 1M)", {{ALG, "5"}, DYN, {SEG, "1048576"}}},
      {"6 (Rabenseifner)", {{ALG, "6"}, DYN}}}},
    {"btl_tcp_links", "mpi", CB_TUNE_FOR_COLL | CB_TUNE_FOR_P2P, 1, 4,
     {{"1", {{"OMPI_MCA_btl_tcp_links", "1"}}},
      {"2", {{"OMPI_MCA_btl_tcp_links", "2"}}},
      {"4", {{"OMPI_MCA_btl_tcp_links", "4"}}},
      {"8", {{"OMPI_MCA_btl_tcp_links", "8"}}}}},
    {"mpi_yield_when_idle", "mpi", CB_TUNE_FOR_COLL | CB_TUNE_FOR_P2P, 1, 2,
     {{"0", {{"OMPI_MCA_mpi_yield_when_idle", "0"}}},
      {"1", {{"OMPI_MCA_mpi_yield_when_idle", "1"}}}}},
    {"btl_tcp_sndbuf/rcvbuf", "mpi", CB_TUNE_FOR_COLL, 1, 4,
     {{"0 (kernel autotuning)", BUFS("0")},
      {"128K", BUFS("131072")},
      {"1M", BUFS("1048576")},
      {"4M", BUFS("4194304")}}},
    /* the eager limit above btl_tcp_max_send_size (128K) needs it raised too */
    {"btl_tcp_eager_limit", "mpi", CB_TUNE_FOR_COLL, 1, 3,
     {{"16K", {{"OMPI_MCA_btl_tcp_eager_limit", "16384"}}},
      {"64K", {{"OMPI_MCA_btl_tcp_eager_limit", "65536"}}},
      {"256K", {{"OMPI_MCA_btl_tcp_eager_limit", "262144"},
                {"OMPI_MCA_btl_tcp_max_send_size", "262144"}}}}},
    /* NCCL's socket transport: threads x sockets per thread <= 64 */
    {"nccl_sockets", "nccl", CB_TUNE_FOR_COLL | CB_TUNE_FOR_P2P, 1, 5,
     {{"1x1", SOCKS("1", "1")},
      {"2x2", SOCKS("2", "2")},
      {"4x2", SOCKS("4", "2")},
      {"4x4", SOCKS("4", "4")},
      {"8x8", SOCKS("8", "8")}}},
    {"NCCL_BUFFSIZE", "nccl", CB_TUNE_FOR_COLL, 1, 4,
     {{"1M", {{"NCCL_BUFFSIZE", "1048576"}}},
      {"4M", {{"NCCL_BUFFSIZE", "4194304"}}},
      {"8M", {{"NCCL_BUFFSIZE", "8388608"}}},
      {"16M", {{"NCCL_BUFFSIZE", "16777216"}}}}},
    /* a tree needs two nodes to be one */
    {"NCCL_ALGO", "nccl", CB_TUNE_FOR_COLL, 2, 2,
     {{"Ring", {{"NCCL_ALGO", "Ring"}}},
      {"Tree", {{"NCCL_ALGO", "Tree"}}}}},
    /* LL128 is enabled by NCCL only over NVLink-class paths: not offered */
    {"NCCL_PROTO", "nccl", CB_TUNE_FOR_COLL | CB_TUNE_FOR_P2P, 1, 2,
     {{"Simple", {{"NCCL_PROTO", "Simple"}}},
      {"LL", {{"NCCL_PROTO", "LL"}}}}},
};
#define N_TABLE (sizeof table / sizeof table[0])

const cb_tune_param_t *cb_tune_param_table(size_t *n)
{
    *n = N_TABLE;
    return table;
}

size_t cb_tune_params_for(cb_tune_purpose_t purpose, const char *transport, long nodes,
                          const cb_tune_param_t **out, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < N_TABLE && k < max; i++) {
        const cb_tune_param_t *p = &table[i];
        if (!(p->purposes & (1u << purpose)) || strcmp(p->transport, transport) ||
            nodes < p->min_nodes)
            continue;
        out[k++] = p;
    }
    return k;
}

int cb_tune_option_is_base(const cb_tune_param_t *p, size_t o, cb_tune_lookup_fn lookup,
                           void *ctx)
{
    const cb_tune_option_t *op = &p->opts[o];
    for (int j = 0; j < CB_TUNE_MAX_SET && op->set[j].key; j++) {
        const char *v = lookup ? lookup(op->set[j].key, ctx) : NULL;
        if (!v || strcmp(v, op->set[j].value))
            return 0;
    }
    return 1;
}

/* ------------------------------------------------------------ the search */

static void start_param(cb_tune_search_t *s)
{
    s->opt = 0;
    s->param_base = s->best;
    s->cand_score = NAN;
    s->cand_opt = -1;
}

int cb_tune_search_init(cb_tune_search_t *s, const cb_tune_param_t *const *params, size_t n,
                        cb_tune_lookup_fn lookup, void *ctx, double base_score,
                        double threshold, int max_passes)
{
    memset(s, 0, sizeof *s);
    if (n > CB_TUNE_MAX_PARAMS)
        return CB_ERR_RANGE;
    if (!(base_score > 0) || !isfinite(base_score) || !(threshold >= 0))
        return CB_ERR_INPUT;
    s->params = params;
    s->nparams = n;
    s->threshold = threshold;
    s->max_passes = max_passes < 1 ? 1 : max_passes;
    s->best = base_score;
    for (size_t i = 0; i < n; i++) {
        s->choice[i] = s->prev_choice[i] = -1;
        s->gain[i] = 0;
        for (size_t o = 0; o < params[i]->n_opts && o < CB_TUNE_MAX_OPTS; o++)
            s->skip[i][o] = (unsigned char)cb_tune_option_is_base(params[i], o, lookup, ctx);
    }
    start_param(s);
    return CB_OK;
}

/* The setting being searched takes its best candidate when it beat the best
 * before it by more than the threshold. */
static void settle(cb_tune_search_t *s)
{
    if (s->param >= s->nparams || s->cand_opt < 0)
        return;
    int taken = s->cand_score > s->param_base * (1.0 + s->threshold);
    s->nsettled++;
    s->settled_param = s->param;
    s->settled_opt = s->cand_opt;
    s->settled_pass = s->pass + 1;
    s->settled_taken = taken;
    s->settled_score = s->cand_score;
    s->settled_ref = s->param_base;
    if (taken) {
        s->prev_choice[s->param] = s->choice[s->param];
        s->prev_gain[s->param] = s->gain[s->param];
        s->prev_seq[s->param] = s->seq[s->param];
        s->choice[s->param] = s->cand_opt;
        s->gain[s->param] = s->cand_score / s->param_base - 1.0;
        s->best = s->cand_score;
        s->changed = 1;
        s->seq[s->param] = ++s->nseq;
    }
    s->cand_opt = -1;
    s->cand_score = NAN;
}

int cb_tune_search_next(cb_tune_search_t *s, size_t *param, size_t *opt)
{
    while (!s->done) {
        if (s->param >= s->nparams) {
            s->pass++;
            if (s->changed && s->pass < s->max_passes) {
                s->param = 0;
                s->changed = 0;
                start_param(s);
                continue;
            }
            s->done = 1;
            break;
        }
        const cb_tune_param_t *p = s->params[s->param];
        while (s->opt < p->n_opts &&
               (s->skip[s->param][s->opt] || (int)s->opt == s->choice[s->param]))
            s->opt++;
        if (s->opt < p->n_opts) {
            *param = s->param;
            *opt = s->opt;
            return 1;
        }
        settle(s);
        s->param++;
        start_param(s);
    }
    return 0;
}

void cb_tune_search_report(cb_tune_search_t *s, double score)
{
    if (s->done || s->param >= s->nparams)
        return;
    if (score > 0 && isfinite(score) && !(s->cand_score >= score)) {
        s->cand_score = score;
        s->cand_opt = (int)s->opt;
    }
    s->opt++;
}

void cb_tune_search_rebase(cb_tune_search_t *s, double score)
{
    if (!(score > 0) || !isfinite(score) || s->done || s->cand_opt >= 0 || !isnan(s->cand_score))
        return;
    s->best = score;
    s->param_base = score;
}

int cb_tune_search_drop_last(cb_tune_search_t *s)
{
    int last = -1;
    for (size_t i = 0; i < s->nparams; i++)
        if (s->choice[i] >= 0 && s->seq[i] > 0 && (last < 0 || s->seq[i] > s->seq[last]))
            last = (int)i;
    if (last >= 0) {
        s->choice[last] = s->prev_choice[last];
        s->seq[last] = s->prev_seq[last];
        s->gain[last] = s->prev_gain[last];
        s->prev_choice[last] = -1; /* one take back at most: then the base */
        s->prev_seq[last] = 0;
        s->prev_gain[last] = 0;
    }
    return last;
}

void cb_tune_search_finish(cb_tune_search_t *s)
{
    if (!s->done)
        settle(s);
    s->done = 1;
}

size_t cb_tune_assignments(const cb_tune_param_t *const *params, size_t n, const int *choice,
                           size_t over, int over_opt, cb_tune_assign_t *out, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int c = i == over ? over_opt : choice[i];
        if (c < 0)
            continue;
        const cb_tune_option_t *op = &params[i]->opts[c];
        for (int j = 0; j < CB_TUNE_MAX_SET && op->set[j].key && k < max; j++)
            out[k++] = op->set[j];
    }
    return k;
}

/* ------------------------------------------------------------ scores */

double cb_tune_geomean(const double *v, size_t n)
{
    if (n == 0)
        return NAN;
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(v[i] > 0) || !isfinite(v[i]))
            return NAN;
        s += log(v[i]);
    }
    return exp(s / (double)n);
}

double cb_tune_median(const double *v, size_t n)
{
    double a[64];
    if (n == 0 || n > 64)
        return NAN;
    for (size_t i = 0; i < n; i++) {
        double x = v[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
    return n % 2 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2.0;
}

static double spread(const double *v, size_t n, double med, double *lo, double *hi)
{
    *lo = *hi = v[0];
    for (size_t i = 1; i < n; i++) {
        if (v[i] < *lo)
            *lo = v[i];
        if (v[i] > *hi)
            *hi = v[i];
    }
    return (*hi - *lo) / med;
}

int cb_tune_judge(const double *base, size_t nb, const double *win, size_t nw, double floor,
                  cb_tune_verdict_t *v)
{
    memset(v, 0, sizeof *v);
    if (nb == 0 || nw == 0 || nb > 64 || nw > 64)
        return CB_ERR_INPUT;
    for (size_t i = 0; i < nb; i++)
        if (!(base[i] > 0) || !isfinite(base[i]))
            return CB_ERR_INPUT;
    for (size_t i = 0; i < nw; i++)
        if (!(win[i] > 0) || !isfinite(win[i]))
            return CB_ERR_INPUT;
    double blo, bhi, wlo, whi;
    v->base_median = cb_tune_median(base, nb);
    v->win_median = cb_tune_median(win, nw);
    double sb = spread(base, nb, v->base_median, &blo, &bhi);
    double sw = spread(win, nw, v->win_median, &wlo, &whi);
    v->noise = floor;
    if (sb > v->noise)
        v->noise = sb;
    if (sw > v->noise)
        v->noise = sw;
    v->gain = v->win_median / v->base_median - 1.0;
    v->keep = v->gain > v->noise && wlo > bhi;
    return CB_OK;
}

/* ---------------------------------------------------------- the notes */

int cb_tune_note_parse(const char *note, cb_tune_note_t *n)
{
    memset(n, 0, sizeof *n);
    const char *p;
    if (!strncmp(note, "tune trial ", 11))
        n->kind = CB_TUNE_NOTE_TRIAL, p = note + 11;
    else if (!strncmp(note, "tune setting ", 13))
        n->kind = CB_TUNE_NOTE_SETTING, p = note + 13;
    else if (!strncmp(note, "tune verdict ", 13))
        n->kind = CB_TUNE_NOTE_VERDICT, p = note + 13;
    else
        return CB_ERR_INPUT;
    if (n->kind == CB_TUNE_NOTE_TRIAL) {
        char *end;
        long k = strtol(p, &end, 10);
        if (end == p || *end != ' ' || k < 1 || k > 1000000)
            return CB_ERR_INPUT;
        n->trial = (int)k;
        p = end + 1;
    }
    size_t w = strcspn(p, " :");
    char purpose[16];
    if (w == 0 || w >= sizeof purpose)
        return CB_ERR_INPUT;
    memcpy(purpose, p, w);
    purpose[w] = '\0';
    if (cb_tune_purpose_parse(purpose, &n->purpose) != CB_OK)
        return CB_ERR_INPUT;
    p += w;
    if (n->kind == CB_TUNE_NOTE_TRIAL) {
        if (*p++ != ' ')
            return CB_ERR_INPUT;
        w = strcspn(p, " :");
        if (w == 0 || w >= sizeof n->phase)
            return CB_ERR_INPUT;
        memcpy(n->phase, p, w);
        n->phase[w] = '\0';
        p += w;
    }
    if (strncmp(p, ": ", 2))
        return CB_ERR_INPUT;
    n->what = p + 2;
    const char *bar = strstr(n->what, " | ");
    n->what_len = bar ? (size_t)(bar - n->what) : strlen(n->what);
    n->fields = bar ? bar + 3 : "";
    return CB_OK;
}

int cb_tune_note_field(const char *fields, const char *key, char *buf, size_t len)
{
    size_t kl = strlen(key);
    for (const char *p = fields; p && *p;) {
        const char *end = strstr(p, "; ");
        size_t fl = end ? (size_t)(end - p) : strlen(p);
        if (fl > kl && !strncmp(p, key, kl) && p[kl] == '=') {
            size_t vl = fl - kl - 1;
            if (len) {
                if (vl >= len)
                    vl = len - 1;
                memcpy(buf, p + kl + 1, vl);
                buf[vl] = '\0';
            }
            return 1;
        }
        p = end ? end + 2 : NULL;
    }
    return 0;
}

/* ---- settings that only help bandwidth ---- */

static const cb_tune_bw_only_t bw_only[CB_TUNE_N_BW_ONLY] = {
    {"OMPI_MCA_btl_tcp_links", "4", 2},
    {"OMPI_MCA_mpi_yield_when_idle", "1", 1},
};

const cb_tune_bw_only_t *cb_tune_bw_only_settings(size_t *n)
{
    if (n)
        *n = CB_TUNE_N_BW_ONLY;
    return bw_only;
}

int cb_tune_bw_only_value(const cb_tune_bw_only_t *e, const char *value)
{
    if (!value || !*value)
        return 0;
    char *end;
    long x = strtol(value, &end, 10);
    return *end == '\0' && x >= e->bw_from;
}
