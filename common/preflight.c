/* cb_preflight: the pure verdicts of cb-preflight (see cb_preflight.h for
 * each rule and the thresholds). No I/O here: the program gathers facts,
 * these functions judge them. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "cb_error.h"
#include "cb_preflight.h"

const char *cb_preflight_status_name(cb_preflight_status_t s)
{
    switch (s) {
    case CB_PREFLIGHT_PASS: return "pass";
    case CB_PREFLIGHT_WARN: return "warn";
    case CB_PREFLIGHT_FAIL: return "fail";
    }
    return "fail";
}

static const char *const check_names[CB_PREFLIGHT_NCHECKS] = {
    [CB_PREFLIGHT_NODES] = "nodes",
    [CB_PREFLIGHT_HOSTNAMES] = "hostname_resolution",
    [CB_PREFLIGHT_GPU_COUNT] = "gpu_count",
    [CB_PREFLIGHT_CUDA_VERSIONS] = "cuda_versions",
    [CB_PREFLIGHT_RESULTS_DIR] = "results_dir_writable",
    [CB_PREFLIGHT_SHARED_STORAGE] = "shared_storage",
    [CB_PREFLIGHT_IFACE] = "iface_up",
    [CB_PREFLIGHT_LINK_SPEED] = "link_speed",
    [CB_PREFLIGHT_DEV_SHM] = "dev_shm",
    [CB_PREFLIGHT_REMOVEIPC] = "logind_removeipc",
    [CB_PREFLIGHT_CLOCK] = "clock_offset",
    [CB_PREFLIGHT_MPI_EXCHANGE] = "mpi_exchange",
};

const char *cb_preflight_check_name(int check)
{
    return check >= 0 && check < CB_PREFLIGHT_NCHECKS ? check_names[check] : NULL;
}

static void verdict_vset(cb_preflight_verdict_t *v, cb_preflight_status_t st, const char *fmt,
                         va_list ap)
{
    v->status = st;
    vsnprintf(v->msg, sizeof v->msg, fmt, ap);
}

void cb_preflight_verdict_set(cb_preflight_verdict_t *v, cb_preflight_status_t st,
                              const char *fmt, ...)
{
    memset(v, 0, sizeof *v);
    v->value = v->spec = NAN;
    va_list ap;
    va_start(ap, fmt);
    verdict_vset(v, st, fmt, ap);
    va_end(ap);
}

/* Appends to a verdict's message (after cb_preflight_verdict_set). */
static void append(cb_preflight_verdict_t *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void append(cb_preflight_verdict_t *v, const char *fmt, ...)
{
    size_t l = strlen(v->msg);
    if (l + 1 >= sizeof v->msg)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->msg + l, sizeof v->msg - l, fmt, ap);
    va_end(ap);
}

/* A list of names for a message: "a, b, c" (the first few that fit), then
 * " and N more". */
typedef struct namelist {
    char buf[240];
    int n, shown;
} namelist_t;

static void names_add(namelist_t *l, const char *name)
{
    size_t len = strlen(l->buf);
    if (l->shown == l->n && l->n < 6 && len + strlen(name) + 16 < sizeof l->buf) {
        snprintf(l->buf + len, sizeof l->buf - len, "%s%s", l->n ? ", " : "", name);
        l->shown++;
    }
    l->n++;
}

static const char *names_str(namelist_t *l)
{
    size_t len = strlen(l->buf);
    if (l->n > l->shown)
        snprintf(l->buf + len, sizeof l->buf - len, " and %d more", l->n - l->shown);
    l->shown = l->n; /* say it once */
    return l->buf;
}

/* ---------------------------------------------------------------- nodes */

void cb_preflight_check_nodes(int nnodes, int ranks, long profile_nodes,
                              cb_preflight_verdict_t *v)
{
    if (profile_nodes < 0)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS, "%d node(s), %d rank(s) (no profile to "
                                 "compare with)", nnodes, ranks);
    else if (nnodes < profile_nodes)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                 "this run covers %d of the profile's %ld nodes: the other nodes "
                                 "are not checked (run one task on each: srun -N %ld "
                                 "--ntasks-per-node=1)", nnodes, profile_nodes, profile_nodes);
    else if (nnodes > profile_nodes)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                 "this run has %d nodes, the profile says %ld: update nodes (and "
                                 "nodelist) in the profile", nnodes, profile_nodes);
    else
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS, "%d node(s), as the profile says", nnodes);
    if (ranks > nnodes)
        append(v, "; %d ranks on %d node(s): one per node is enough (the extra ranks only join "
                  "the MPI exchange)", ranks, nnodes);
    v->value = nnodes;
    v->spec = profile_nodes >= 0 ? (double)profile_nodes : NAN;
    snprintf(v->unit, sizeof v->unit, "count");
}

/* ------------------------------------------------------ host name lookup */

int cb_preflight_addr_is_loopback(const char *addr)
{
    if (!addr)
        return 0;
    if (!strncmp(addr, "127.", 4))
        return 1;
    return !strcmp(addr, "::1") || !strcmp(addr, "::ffff:127.0.0.1");
}

void cb_preflight_check_hostnames(const char *self, const char *const *names, size_t n,
                                  cb_preflight_resolver_fn fn, void *ctx,
                                  cb_preflight_verdict_t *v)
{
    namelist_t bad = {.n = 0}, loop = {.n = 0}, ok = {.n = 0};
    char self_loop[64] = "";
    size_t resolved = 0;
    for (size_t i = 0; i < n; i++) {
        char addr[64] = "", err[128] = "", item[200];
        if (fn(names[i], addr, sizeof addr, err, sizeof err, ctx)) {
            snprintf(item, sizeof item, "%s (%s)", names[i], err[0] ? err : "no address");
            names_add(&bad, item);
            continue;
        }
        resolved++;
        names_add(&ok, names[i]);
        if (cb_preflight_addr_is_loopback(addr)) {
            if (self && !strcmp(names[i], self)) {
                snprintf(self_loop, sizeof self_loop, "%s", addr);
            } else {
                snprintf(item, sizeof item, "%s -> %s", names[i], addr);
                names_add(&loop, item);
            }
        }
    }
    if (bad.n) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "cannot resolve %s: add every node's name to DNS or to "
                                 "/etc/hosts on every node", names_str(&bad));
    } else if (loop.n) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "other nodes' names resolve to loopback addresses here (%s): MPI "
                                 "and NCCL peers would connect to themselves; map each name to "
                                 "its cluster address in /etc/hosts (drop the 127.0.1.1 line)",
                                 names_str(&loop));
    } else if (self_loop[0] && n > 1) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                 "resolved all %zu node names, but this node's own name %s "
                                 "resolves to %s: Open MPI/NCCL may advertise a loopback "
                                 "address; map it to the cluster address in /etc/hosts",
                                 n, self, self_loop);
    } else if (n <= 1) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS,
                                 "single node: its own name %s resolves%s%s%s",
                                 n ? names[0] : "?", self_loop[0] ? " (to " : "", self_loop,
                                 self_loop[0] ? ")" : "");
    } else {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS, "resolved all %zu node names (%s)", n,
                                 names_str(&ok));
    }
    v->value = (double)resolved;
    v->spec = (double)n;
    snprintf(v->unit, sizeof v->unit, "count");
}

/* ------------------------------------------------------------------ GPUs */

int cb_preflight_count_list(const char *s)
{
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s || !strcmp(s, "NoDevFiles"))
        return 0;
    int n = 1;
    for (; *s; s++)
        n += *s == ',';
    return n;
}

void cb_preflight_gpu_alloc(const char *gpus_on_node, const char *step_gpus, const char *job_gpus,
                            const char *cuda_visible, const char *job_id, cb_preflight_gpu_t *g)
{
    g->visible = cb_preflight_count_list(cuda_visible);
    g->slurm_gpus = -1;
    g->slurm_source[0] = '\0';
    g->in_slurm = job_id && *job_id;
    long n;
    char *end;
    if (gpus_on_node && *gpus_on_node && (n = strtol(gpus_on_node, &end, 10)) >= 0 && !*end) {
        g->slurm_gpus = (int)n;
        snprintf(g->slurm_source, sizeof g->slurm_source, "SLURM_GPUS_ON_NODE");
    } else if (step_gpus) {
        g->slurm_gpus = cb_preflight_count_list(step_gpus);
        snprintf(g->slurm_source, sizeof g->slurm_source, "SLURM_STEP_GPUS");
    } else if (job_gpus) {
        g->slurm_gpus = cb_preflight_count_list(job_gpus);
        snprintf(g->slurm_source, sizeof g->slurm_source, "SLURM_JOB_GPUS");
    }
}

void cb_preflight_check_gpu_count(const cb_preflight_gpu_t *g, long exp, cb_preflight_verdict_t *v)
{
    int cuda = g->cuda_count, slurm = g->slurm_gpus;
    const char *why = g->cuda_why[0] ? g->cuda_why : "no CUDA device";
    char alloc[96] = "";
    if (slurm >= 0)
        snprintf(alloc, sizeof alloc, "; Slurm allocated %d (%s)", slurm, g->slurm_source);
    if (exp < 0) {
        if (slurm >= 0 && cuda < slurm)
            cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                     "Slurm allocated %d GPU(s) (%s) but CUDA sees %d: check "
                                     "gres.conf (File=) and the driver (nvidia-smi)",
                                     slurm, g->slurm_source, cuda);
        else if (slurm >= 0 && cuda > slurm)
            cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                     "CUDA sees %d GPU(s) but Slurm allocated %d (%s): devices "
                                     "are not constrained to the job (ConstrainDevices=yes in "
                                     "cgroup.conf); no profile to compare with either",
                                     cuda, slurm, g->slurm_source);
        else
            cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                     "skipped: no profile (--profile or $CB_PROFILE), so no "
                                     "gpus_per_node to compare with; CUDA sees %d%s%s%s", cuda,
                                     cuda ? "" : " (", cuda ? "" : why, cuda ? "" : ")");
        if (v->status == CB_PREFLIGHT_WARN && slurm >= 0 && cuda <= slurm)
            append(v, "%s", alloc);
    } else if (exp == 0) {
        if (cuda == 0)
            cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS,
                                     "CPU profile (gpus_per_node = 0): no GPU expected, none seen "
                                     "(%s)", why);
        else
            cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                     "CUDA sees %d GPU(s) but the profile is CPU-only "
                                     "(gpus_per_node = 0): set gpus_per_node and gres in the "
                                     "profile to use them", cuda);
    } else if (cuda == 0) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "no GPU usable (%s); the profile expects %ld per node: check the "
                                 "NVIDIA driver (nvidia-smi) and that the job asks for GPUs "
                                 "(--gpus-per-node=%ld or --gres=gpu:%ld)%s",
                                 why, exp, exp, exp, alloc);
    } else if (slurm >= 0 && slurm < exp) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "Slurm allocated %d GPU(s) on this node (%s), the profile expects "
                                 "%ld: check this node's Gres= in slurm.conf and gres.conf, and "
                                 "submit with --gpus-per-node=%ld", slurm, g->slurm_source, exp,
                                 exp);
    } else if (slurm >= 0 && cuda < slurm) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "Slurm allocated %d GPU(s) (%s) but CUDA sees only %d: check "
                                 "gres.conf (File=) and the driver (nvidia-smi)", slurm,
                                 g->slurm_source, cuda);
    } else if (cuda < exp) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "CUDA sees %d GPU(s), the profile expects %ld per node: check "
                                 "nvidia-smi for missing GPUs and that the job asks for all of "
                                 "them (--gpus-per-node=%ld)%s", cuda, exp, exp, alloc);
    } else if (slurm >= 0 && cuda > slurm) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                 "CUDA sees %d GPU(s) but Slurm allocated %d (%s): devices are not "
                                 "constrained to the job (ConstrainDevices=yes in cgroup.conf)",
                                 cuda, slurm, g->slurm_source);
    } else if (slurm < 0 && g->in_slurm) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                 "CUDA sees %d GPU(s) but Slurm allocated none to this job (no "
                                 "SLURM_GPUS_ON_NODE, SLURM_STEP_GPUS or SLURM_JOB_GPUS): "
                                 "request them (--gpus-per-node=%ld) and constrain devices "
                                 "(ConstrainDevices=yes in cgroup.conf)", cuda, exp);
    } else if (cuda > exp || slurm > exp) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                 "%d GPU(s) usable, more than the profile's %ld per node: update "
                                 "gpus_per_node (and gres) in the profile%s", cuda, exp, alloc);
    } else {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS, "%d GPU(s), as the profile expects%s", cuda,
                                 alloc);
    }
    if (g->visible >= 0 && v->status != CB_PREFLIGHT_PASS)
        append(v, "; CUDA_VISIBLE_DEVICES lists %d", g->visible);
    v->value = cuda;
    v->spec = exp >= 0 ? (double)exp : NAN;
    snprintf(v->unit, sizeof v->unit, "count");
}

char *cb_preflight_cuda_version_str(int ver, char *buf, size_t len)
{
    if (ver <= 0)
        snprintf(buf, len, "none");
    else
        snprintf(buf, len, "%d.%d", ver / 1000, (ver % 1000) / 10);
    return buf;
}

static int has_driver(const cb_preflight_cuda_t *c)
{
    return c->driver_api > 0 || c->driver[0];
}

/* Key of a node's driver for comparison: the release when known, else the
 * CUDA version it supports. */
static void driver_key(const cb_preflight_cuda_t *c, char *buf, size_t len)
{
    char ver[16];
    if (c->driver[0])
        snprintf(buf, len, "%s", c->driver);
    else
        snprintf(buf, len, "CUDA %s",
                 cb_preflight_cuda_version_str(c->driver_api, ver, sizeof ver));
}

/* Index of the most common key among nodes with a driver (or all nodes for
 * the runtime); ties go to the lowest node. -1 when none qualifies. */
static long reference(const cb_preflight_cuda_t *all, size_t n, int runtime)
{
    long best = -1;
    size_t best_count = 0;
    for (size_t i = 0; i < n; i++) {
        if (runtime ? all[i].runtime <= 0 : !has_driver(&all[i]))
            continue;
        char ki[48];
        driver_key(&all[i], ki, sizeof ki);
        size_t count = 0;
        for (size_t j = 0; j < n; j++) {
            if (runtime) {
                count += all[j].runtime == all[i].runtime;
            } else if (has_driver(&all[j])) {
                char kj[48];
                driver_key(&all[j], kj, sizeof kj);
                count += !strcmp(ki, kj);
            }
        }
        if (count > best_count) {
            best_count = count;
            best = (long)i;
        }
    }
    return best;
}

void cb_preflight_check_cuda_versions(const cb_preflight_cuda_t *all, const char *const *hosts,
                                      size_t n, size_t i, long profile_gpus,
                                      cb_preflight_verdict_t *v)
{
    const cb_preflight_cuda_t *me = &all[i];
    char rt[16], dapi[16], other[16], mine_key[48];
    cb_preflight_cuda_version_str(me->runtime, rt, sizeof rt);
    cb_preflight_cuda_version_str(me->driver_api, dapi, sizeof dapi);
    namelist_t with = {.n = 0};
    for (size_t j = 0; j < n; j++)
        if (j != i && has_driver(&all[j]))
            names_add(&with, hosts[j]);
    if (!has_driver(me)) {
        if (profile_gpus > 0)
            cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                     "no NVIDIA driver on this node (the profile expects %ld "
                                     "GPU(s) per node): install the same driver release as the "
                                     "other nodes", profile_gpus);
        else if (with.n)
            cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                     "no NVIDIA driver here, but %s %s one: GPU and CPU nodes "
                                     "are mixed in this run", names_str(&with),
                                     with.n > 1 ? "have" : "has");
        else
            cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS,
                                     "no NVIDIA driver on %s (no GPU expected); CUDA runtime %s",
                                     n > 1 ? "any node" : "this node", rt);
        return;
    }
    driver_key(me, mine_key, sizeof mine_key);
    long rd = reference(all, n, 0), rr = reference(all, n, 1);
    char ref_key[48] = "";
    if (rd >= 0)
        driver_key(&all[rd], ref_key, sizeof ref_key);
    if (rd >= 0 && strcmp(ref_key, mine_key)) {
        namelist_t differ = {.n = 0};
        for (size_t j = 0; j < n; j++) {
            char kj[48];
            driver_key(&all[j], kj, sizeof kj);
            if (has_driver(&all[j]) && !strcmp(kj, ref_key))
                names_add(&differ, hosts[j]);
        }
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "driver %s here, %s on %s: install the same driver release on "
                                 "every node", mine_key, ref_key, names_str(&differ));
    } else if (me->runtime > 0 && me->driver_api > 0 && me->runtime > me->driver_api) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "CUDA runtime %s is newer than the driver supports (CUDA %s): "
                                 "update the driver or build with an older CUDA toolkit", rt,
                                 dapi);
    } else if (rr >= 0 && me->runtime != all[rr].runtime) {
        namelist_t differ = {.n = 0};
        for (size_t j = 0; j < n; j++)
            if (all[j].runtime == all[rr].runtime)
                names_add(&differ, hosts[j]);
        cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                 "CUDA runtime %s here, %s on %s: the nodes load different "
                                 "libcudart (check LD_LIBRARY_PATH and the CUDA install)", rt,
                                 cb_preflight_cuda_version_str(all[rr].runtime, other,
                                                               sizeof other),
                                 names_str(&differ));
    } else {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS, "driver %s (CUDA %s), runtime %s%s",
                                 me->driver[0] ? me->driver : "release unknown", dapi, rt,
                                 n > 1 ? "; the same on the other nodes" : "");
        size_t without = 0;
        for (size_t j = 0; j < n; j++)
            without += !has_driver(&all[j]);
        if (without)
            append(v, " (%zu node(s) have no driver)", without);
    }
    v->value = me->driver_api > 0 ? me->driver_api / 1000 + (me->driver_api % 1000) / 10 / 10.0
                                  : NAN;
    snprintf(v->unit, sizeof v->unit, "cuda_version");
}

/* ------------------------------------------------------- shared storage */

void cb_preflight_check_results_dir(const char *dir, const char *detail,
                                    cb_preflight_verdict_t *v)
{
    if (!detail || !*detail)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS, "wrote a file in %s", dir);
    else
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "cannot write in %s (%s): create it and make it writable by the "
                                 "job's user on every node", dir, detail);
}

void cb_preflight_check_shared(const char *dir, int self_wrote, const char *const *peers,
                               const cb_preflight_token_t *found, size_t npeers,
                               cb_preflight_verdict_t *v)
{
    namelist_t missing = {.n = 0}, differ = {.n = 0}, unread = {.n = 0}, absent = {.n = 0};
    size_t ok = 0;
    for (size_t i = 0; i < npeers; i++) {
        switch (found[i]) {
        case CB_PREFLIGHT_TOKEN_OK: ok++; break;
        case CB_PREFLIGHT_TOKEN_MISSING: names_add(&missing, peers[i]); break;
        case CB_PREFLIGHT_TOKEN_MISMATCH: names_add(&differ, peers[i]); break;
        case CB_PREFLIGHT_TOKEN_UNREADABLE: names_add(&unread, peers[i]); break;
        case CB_PREFLIGHT_TOKEN_NOT_WRITTEN: names_add(&absent, peers[i]); break;
        }
    }
    if (!self_wrote && npeers)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                 "not tested: this node could not write its token in %s (see "
                                 "results_dir_writable)", dir);
    else if (npeers == 0)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS,
                                 "single node: %s was written and read back here; sharing across "
                                 "nodes not tested", dir);
    else if (missing.n)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "the files that %s wrote in %s are not visible here: the results "
                                 "directory is not shared; mount the same shared file system "
                                 "(NFS, Lustre, ...) at the same path on every node",
                                 names_str(&missing), dir);
    else if (differ.n)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "the files that %s wrote in %s read back with other content "
                                 "here: the path is different storage on different nodes (or a "
                                 "stale cache)", names_str(&differ), dir);
    else if (unread.n)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "the files that %s wrote in %s cannot be read here (permission "
                                 "denied?): use the same user ids on every node (root_squash on "
                                 "NFS?)", names_str(&unread), dir);
    else if (!ok)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                 "not tested: no other node could write its token in %s", dir);
    else
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS,
                                 "read back the files that %zu other node(s) wrote in %s: shared",
                                 ok, dir);
    if (absent.n && ok)
        append(v, " (%s wrote none)", names_str(&absent));
    v->value = (double)ok;
    v->spec = (double)npeers;
    snprintf(v->unit, sizeof v->unit, "count");
}

/* -------------------------------------------------------------- network */

static int no_profile(const char *iface, cb_preflight_verdict_t *v, const char *what)
{
    if (iface && *iface)
        return 0;
    cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                             "skipped: no profile (--profile or $CB_PROFILE) names the interface "
                             "whose %s to check", what);
    return 1;
}

void cb_preflight_check_iface(const char *iface, const cb_preflight_iface_t *f,
                              cb_preflight_verdict_t *v)
{
    if (no_profile(iface, v, "state"))
        return;
    const char *st = f->operstate;
    if (!f->exists) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "interface %s not found on this node (present: %s): set iface "
                                 "in the profile to the cluster network's interface", iface,
                                 f->present[0] ? f->present : "none");
    } else if (!strcmp(st, "up")) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS, "%s is up", iface);
    } else if ((!strcmp(st, "unknown") || !st[0]) && f->flags_up == 1) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS,
                                 "%s is up (IFF_UP; operstate '%s', as loopback and some virtual "
                                 "drivers report)", iface, st[0] ? st : "unread");
    } else if (!strcmp(st, "lowerlayerdown")) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "%s is down: the device under it (bond slave, VLAN parent) is "
                                 "down; bring that up and check its cable", iface);
    } else if (!strcmp(st, "down") && f->flags_up == 1) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "%s is up but has no link (operstate down, no carrier): check the "
                                 "cable, the transceiver and the switch port", iface);
    } else if (!strcmp(st, "down") || (!strcmp(st, "unknown") && f->flags_up == 0)) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "%s is down (operstate %s): bring it up (ip link set %s up, and "
                                 "in the distribution's network configuration)", iface, st, iface);
    } else {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "%s is not up (operstate %s): check its link (ip link show %s)",
                                 iface, st[0] ? st : "unread", iface);
    }
    if (f->source[0] && v->status != CB_PREFLIGHT_PASS)
        append(v, " [%s]", f->source);
}

void cb_preflight_check_link_speed(const char *iface, const cb_preflight_iface_t *f,
                                   double line_rate_gbps, cb_preflight_verdict_t *v)
{
    if (no_profile(iface, v, "link speed"))
        return;
    double line_mbps = line_rate_gbps * 1000.0;
    if (!f->exists) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                 "not checked: interface %s not found (see iface_up)", iface);
    } else if (f->speed_mbps <= 0) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                 "link speed of %s unknown (%s): cannot compare with the "
                                 "profile's line rate %g Gbit/s; measure the link with cb-p2p",
                                 iface, f->speed_why[0] ? f->speed_why : "not reported",
                                 line_rate_gbps);
    } else if (f->is_virtual == 1) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                 "%s is a virtual interface (no device behind it): its speed "
                                 "%ld Mb/s is nominal, not a link's; cannot compare with the "
                                 "profile's line rate %g Gbit/s; measure the link with cb-p2p",
                                 iface, f->speed_mbps, line_rate_gbps);
    } else if ((double)f->speed_mbps < line_mbps * (1 - 1e-9)) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "%s links at %ld Mb/s, below the profile's line rate %g Gbit/s: "
                                 "check the cable, the switch port and auto-negotiation (ethtool "
                                 "%s)", iface, f->speed_mbps, line_rate_gbps, iface);
    } else if ((double)f->speed_mbps > line_mbps * (1 + 1e-9)) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS,
                                 "%s links at %ld Mb/s, above the profile's line rate %g Gbit/s "
                                 "(the profile may understate the network: line_rate_gbps)",
                                 iface, f->speed_mbps, line_rate_gbps);
    } else {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS,
                                 "%s links at %ld Mb/s, the profile's line rate", iface,
                                 f->speed_mbps);
    }
    if (f->source[0] && v->status != CB_PREFLIGHT_PASS && f->exists)
        append(v, " [%s]", f->source);
    v->value = f->exists && f->speed_mbps > 0 ? (double)f->speed_mbps : NAN;
    v->spec = line_mbps;
    snprintf(v->unit, sizeof v->unit, "Mbit/s");
}

/* ------------------------------------------------------------- /dev/shm */

static char *mib(uint64_t bytes, char *buf, size_t len)
{
    if (bytes >= ((uint64_t)10 << 30))
        snprintf(buf, len, "%.0f GiB", (double)bytes / (1 << 30));
    else if (bytes >= ((uint64_t)1 << 30))
        snprintf(buf, len, "%.1f GiB", (double)bytes / (1 << 30));
    else
        snprintf(buf, len, "%.0f MiB", (double)bytes / (1 << 20));
    return buf;
}

void cb_preflight_check_dev_shm(const cb_preflight_shm_t *s, int gpus, cb_preflight_verdict_t *v)
{
    const char *path = s->path[0] ? s->path : "/dev/shm";
    uint64_t need = CB_PREFLIGHT_SHM_WARN_BYTES;
    if (gpus > 0 && (uint64_t)gpus * CB_PREFLIGHT_SHM_PER_GPU_BYTES > need)
        need = (uint64_t)gpus * CB_PREFLIGHT_SHM_PER_GPU_BYTES;
    char tot[32], avail[32], want[32];
    mib(s->total_bytes, tot, sizeof tot);
    mib(s->avail_bytes, avail, sizeof avail);
    mib(need, want, sizeof want);
    const char *fix = "enlarge it (mount -o remount,size=8G /dev/shm and the tmpfs line in "
                      "/etc/fstab; in containers --shm-size)";
    if (s->err) {
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "cannot read %s (%s): NCCL and MPI need a tmpfs there for shared "
                                 "memory between local ranks", path, strerror(s->err));
        snprintf(v->unit, sizeof v->unit, "bytes");
        return;
    }
    if (s->total_bytes < CB_PREFLIGHT_SHM_FAIL_BYTES)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "%s is %s, under 64 MiB: NCCL fails with 'unable to allocate "
                                 "shared memory'; %s", path, tot, fix);
    else if (s->total_bytes < need)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                 "%s is %s, under the %s advised%s%s: NCCL's shared-memory "
                                 "buffers and data loaders may run out; %s", path, tot, want,
                                 gpus > 0 ? " for " : "", gpus > 0 ? "this node's GPUs" : "", fix);
    else if (s->avail_bytes < CB_PREFLIGHT_SHM_FAIL_BYTES)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                 "%s is %s but only %s is free: remove stale segments (ls -la %s) "
                                 "or enlarge it", path, tot, avail, path);
    else
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS, "%s is %s (%s free; %s advised)", path,
                                 tot, avail, want);
    v->value = (double)s->total_bytes;
    v->spec = (double)need;
    snprintf(v->unit, sizeof v->unit, "bytes");
}

/* --------------------------------------------------------- logind (IPC) */

/* systemd's parse_boolean(). */
static int parse_bool(const char *s)
{
    static const char *const yes[] = {"1", "yes", "y", "true", "t", "on"};
    static const char *const no[] = {"0", "no", "n", "false", "f", "off"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (!strcasecmp(s, yes[i]))
            return 1;
        if (!strcasecmp(s, no[i]))
            return 0;
    }
    return -1;
}

static int logind_handler(void *user, const char *section, const char *name, const char *value)
{
    int *out = user;
    if (!strcmp(section, "Login") && !strcmp(name, "RemoveIPC")) {
        int b = parse_bool(value);
        if (b >= 0)
            *out = b;
    }
    return 1; /* keep going: systemd ignores what it does not know */
}

int cb_preflight_logind_removeipc(const char *text)
{
    int v = -1;
    if (text)
        ini_parse_string(text, logind_handler, &v);
    return v;
}

void cb_preflight_check_removeipc(const cb_preflight_logind_t *l, cb_preflight_verdict_t *v)
{
    static const char fix[] =
        ": systemd-logind deletes a user's shared memory and semaphores when their last "
        "session ends, which breaks NCCL and MPI shared memory in jobs of non-root users; set "
        "RemoveIPC=no under [Login] in /etc/systemd/logind.conf and restart systemd-logind";
    if (l->files == 0)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS,
                                 "not systemd: no logind.conf, RemoveIPC does not apply");
    else if (l->removeipc == 0)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS, "RemoveIPC=no (%s)", l->source);
    else if (l->removeipc == 1)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN, "RemoveIPC=yes (%s)%s", l->source, fix);
    else
        cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                 "RemoveIPC is not set, and systemd's default is yes%s", fix);
}

/* ----------------------------------------------------------------- clock */

int cb_preflight_clock_offset(const int64_t *t_send, const int64_t *t_node, const int64_t *t_recv,
                              size_t n, double *offset_s, double *rtt_s)
{
    long best = -1;
    int64_t best_rtt = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t rtt = t_recv[i] - t_send[i];
        if (rtt < 0)
            return CB_ERR_INPUT;
        if (best < 0 || rtt < best_rtt) {
            best = (long)i;
            best_rtt = rtt;
        }
    }
    if (best < 0)
        return CB_ERR_INPUT;
    /* Midpoint without overflow: send + rtt/2. */
    double mid_off = (double)(t_node[best] - t_send[best]) - (double)best_rtt / 2.0;
    *offset_s = mid_off / 1e9;
    *rtt_s = (double)best_rtt / 1e9;
    return CB_OK;
}

void cb_preflight_check_clock(const char *ref_host, int reference, double offset_s, double rtt_s,
                              double tolerance_s, cb_preflight_verdict_t *v)
{
    if (reference)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS, "%s",
                                 "the reference clock (rank 0's node)");
    else if (fabs(offset_s) > tolerance_s)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "clock is %+.3f s off %s's (tolerance %g s): run NTP on every "
                                 "node (chrony: chronyc tracking; systemd-timesyncd: timedatectl "
                                 "set-ntp true)", offset_s, ref_host, tolerance_s);
    else if (rtt_s / 2 > tolerance_s)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_WARN,
                                 "cannot tell: the best round trip to %s took %.3f s, more than "
                                 "twice the tolerance %g s", ref_host, rtt_s, tolerance_s);
    else
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS,
                                 "clock is %+.6f s off %s's (+/- %.6f s; tolerance %g s)",
                                 offset_s, ref_host, rtt_s / 2, tolerance_s);
    v->value = reference ? 0.0 : offset_s;
    v->spec = tolerance_s;
    snprintf(v->unit, sizeof v->unit, "s");
}

/* --------------------------------------------------------- MPI exchange */

void cb_preflight_check_exchange(const cb_preflight_exchange_t *x, cb_preflight_verdict_t *v)
{
    uint64_t wrong = x->wrong_allreduce + x->wrong_alltoall;
    if (!x->mpi)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS,
                                 "not tested: this build has no MPI (one process)");
    else if (x->err)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "MPI exchange failed (%s): check that the nodes reach each "
                                 "other on the MPI interface (OMPI_MCA_btl_tcp_if_include) and "
                                 "that no firewall blocks them", x->why[0] ? x->why : "error");
    else if (wrong)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_FAIL,
                                 "%llu wrong element(s) after the exchange (all-reduce %llu, "
                                 "all-to-all %llu): data are corrupted between ranks; check the "
                                 "NICs, their drivers and MTU settings",
                                 (unsigned long long)wrong,
                                 (unsigned long long)x->wrong_allreduce,
                                 (unsigned long long)x->wrong_alltoall);
    else if (x->nnodes <= 1)
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS,
                                 "single node: all-reduce and all-to-all of %llu B over %d "
                                 "rank(s) verified within the node", (unsigned long long)x->bytes,
                                 x->ranks);
    else
        cb_preflight_verdict_set(v, CB_PREFLIGHT_PASS,
                                 "all-reduce and all-to-all of %llu B across %d nodes (%d ranks) "
                                 "verified", (unsigned long long)x->bytes, x->nnodes, x->ranks);
    v->value = (double)wrong;
    snprintf(v->unit, sizeof v->unit, "wrong_elements");
}
