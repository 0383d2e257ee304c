/* cb-preflight's readers of real facts: sysfs (or ioctls when /sys is of
 * another network namespace), logind.conf trees, statvfs, getaddrinfo, the
 * CUDA runtime and the environment, and the token files of the shared-storage
 * test. Paths take a root so tests can point them at fake trees. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#ifdef CB_HAVE_CUDA
#include <cuda_runtime.h>
#endif

#include "cb_error.h"
#include "cb_file.h"
#include "cb_transport.h"
#include "preflight.h"

/* "" for the root "/", so paths read /etc/... and not //etc/... */
static const char *root_prefix(const char *root)
{
    return (!root || !strcmp(root, "/")) ? "" : root;
}

/* First line of a small file, newline stripped; -1 with errno on failure. */
static int read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    errno = 0;
    int ok = fgets(buf, (int)len, f) != NULL;
    int e = errno;
    fclose(f);
    if (!ok) {
        errno = e ? e : EIO;
        return -1;
    }
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

/* Whole file (up to 1 MiB) into a malloc'd NUL-terminated buffer; NULL when
 * unreadable. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len + 1 >= cap) {
            if (cap >= (1u << 20))
                break;
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - 1 - len, f);
        len += got;
        if (got == 0)
            break;
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

#define MAX_IFACES 256

typedef struct names {
    char *v[MAX_IFACES];
    int n;
} names_t;

static void names_free(names_t *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i]);
    l->n = 0;
}

static void names_push(names_t *l, const char *s)
{
    if (l->n < MAX_IFACES && (l->v[l->n] = strdup(s)))
        l->n++;
}

/* Interfaces under <sysfs_root>/class/net, sorted. */
static void sysfs_ifaces(const char *sysfs_root, names_t *l)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/class/net", sysfs_root);
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            names_push(l, e->d_name);
    closedir(d);
    qsort(l->v, (size_t)l->n, sizeof l->v[0], name_cmp);
}

/* Interfaces of this process's network namespace (/proc/self/net/dev), sorted. */
static int netns_ifaces(names_t *l)
{
    FILE *f = fopen("/proc/self/net/dev", "r");
    if (!f)
        return -1;
    char line[512];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        if (++lineno <= 2)
            continue; /* two header lines */
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        char *s = line;
        while (*s == ' ')
            s++;
        names_push(l, s);
    }
    fclose(f);
    qsort(l->v, (size_t)l->n, sizeof l->v[0], name_cmp);
    return 0;
}

static void join_names(const names_t *l, char *buf, size_t len)
{
    buf[0] = '\0';
    for (int i = 0; i < l->n; i++) {
        size_t used = strlen(buf);
        if (used + strlen(l->v[i]) + 8 >= len) {
            snprintf(buf + used, len - used, ", ...");
            return;
        }
        snprintf(buf + used, len - used, "%s%s", i ? ", " : "", l->v[i]);
    }
}

/* 1 when the interfaces of <sysfs_root>/class/net are this network
 * namespace's: the same names (both sorted) with the same ifindex each. */
static int same_netns(const char *sysfs_root, const names_t *sys, const names_t *ns)
{
    if (sys->n != ns->n)
        return 0;
    for (int i = 0; i < sys->n; i++) {
        if (strcmp(sys->v[i], ns->v[i]))
            return 0;
        char path[1400], buf[32];
        snprintf(path, sizeof path, "%s/class/net/%s/ifindex", sysfs_root, sys->v[i]);
        if (!read_line(path, buf, sizeof buf) &&
            strtoul(buf, NULL, 10) != (unsigned long)if_nametoindex(sys->v[i]))
            return 0;
    }
    return 1;
}

static void iface_from_sysfs(const char *root, const char *iface, cb_preflight_iface_t *f)
{
    char dir[1200], path[1300], buf[64];
    struct stat st;
    snprintf(dir, sizeof dir, "%s/class/net/%s", root, iface);
    if (stat(dir, &st) || !S_ISDIR(st.st_mode))
        return; /* exists stays 0 */
    f->exists = 1;
    snprintf(path, sizeof path, "%s/operstate", dir);
    if (!read_line(path, buf, sizeof buf))
        snprintf(f->operstate, sizeof f->operstate, "%.23s", buf);
    snprintf(path, sizeof path, "%s/flags", dir);
    if (!read_line(path, buf, sizeof buf)) {
        char *end;
        unsigned long flags = strtoul(buf, &end, 16);
        if (end != buf)
            f->flags_up = (flags & IFF_UP) != 0;
    }
    snprintf(path, sizeof path, "%s/speed", dir);
    if (read_line(path, buf, sizeof buf)) {
        snprintf(f->speed_why, sizeof f->speed_why, "sysfs speed unreadable: %s",
                 strerror(errno));
    } else {
        char *end;
        long v = strtol(buf, &end, 10);
        if (end == buf || *end || v <= 0)
            snprintf(f->speed_why, sizeof f->speed_why, "sysfs speed reports %s", buf);
        else
            f->speed_mbps = v;
    }
    snprintf(path, sizeof path, "%s/device", dir);
    f->is_virtual = stat(path, &st) != 0;
}

static void iface_from_ioctl(const char *iface, cb_preflight_iface_t *f)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        snprintf(f->speed_why, sizeof f->speed_why, "socket: %s", strerror(errno));
        return;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", iface);
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
        f->exists = 1;
        int up = (ifr.ifr_flags & IFF_UP) != 0, running = (ifr.ifr_flags & IFF_RUNNING) != 0;
        f->flags_up = up;
        snprintf(f->operstate, sizeof f->operstate, "%s", up && running ? "up" : "down");
        struct ethtool_cmd ecmd;
        memset(&ecmd, 0, sizeof ecmd);
        ecmd.cmd = ETHTOOL_GSET;
        ifr.ifr_data = (void *)&ecmd;
        if (ioctl(fd, SIOCETHTOOL, &ifr) == 0) {
            uint32_t sp = ethtool_cmd_speed(&ecmd);
            if (sp == 0 || sp == (uint32_t)SPEED_UNKNOWN)
                snprintf(f->speed_why, sizeof f->speed_why, "ethtool reports no speed");
            else
                f->speed_mbps = (long)sp;
        } else {
            snprintf(f->speed_why, sizeof f->speed_why, "ethtool: %s", strerror(errno));
        }
        struct ethtool_drvinfo drv;
        memset(&drv, 0, sizeof drv);
        drv.cmd = ETHTOOL_GDRVINFO;
        ifr.ifr_data = (void *)&drv;
        if (ioctl(fd, SIOCETHTOOL, &ifr) == 0) {
            f->is_virtual = drv.bus_info[0] == '\0';
            size_t l = strlen(f->source);
            snprintf(f->source + l, sizeof f->source - l, "; driver %.24s", drv.driver);
        } else {
            f->is_virtual = (ifr.ifr_flags & IFF_LOOPBACK) ? 1 : -1;
        }
    }
    close(fd);
}

void cb_preflight_read_iface(const char *sysfs_root, const char *iface, cb_preflight_iface_t *f)
{
    memset(f, 0, sizeof *f);
    f->speed_mbps = -1;
    f->flags_up = -1;
    f->is_virtual = -1;
    names_t sys = {.n = 0}, ns = {.n = 0};
    sysfs_ifaces(sysfs_root, &sys);
    int other_netns = !strcmp(sysfs_root, "/sys") && netns_ifaces(&ns) == 0 && ns.n > 0 &&
                      !same_netns(sysfs_root, &sys, &ns);
    if (other_netns) {
        join_names(&ns, f->present, sizeof f->present);
        snprintf(f->source, sizeof f->source,
                 "ioctl: /sys/class/net is another network namespace's");
        iface_from_ioctl(iface, f);
    } else {
        join_names(&sys, f->present, sizeof f->present);
        snprintf(f->source, sizeof f->source, "sysfs %s", sysfs_root);
        iface_from_sysfs(sysfs_root, iface, f);
    }
    names_free(&sys);
    names_free(&ns);
}

/* ---------------------------------------------------------------- logind */

static void logind_file(const char *path, cb_preflight_logind_t *l)
{
    char *text = read_text(path);
    if (!text)
        return;
    l->files++;
    int v = cb_preflight_logind_removeipc(text);
    free(text);
    if (v >= 0) {
        l->removeipc = v;
        snprintf(l->source, sizeof l->source, "set in %s", path);
    }
}

typedef struct dropin {
    char *name;
    char *path;
} dropin_t;

static int dropin_cmp(const void *a, const void *b)
{
    return strcmp(((const dropin_t *)a)->name, ((const dropin_t *)b)->name);
}

void cb_preflight_read_logind(const char *root, cb_preflight_logind_t *l)
{
    static const char *const dirs[] = {"/etc/systemd/logind.conf.d", "/run/systemd/logind.conf.d",
                                       "/usr/local/lib/systemd/logind.conf.d",
                                       "/usr/lib/systemd/logind.conf.d"};
    memset(l, 0, sizeof *l);
    l->removeipc = -1;
    const char *pre = root_prefix(root);
    char path[1500];
    snprintf(path, sizeof path, "%s/etc/systemd/logind.conf", pre);
    logind_file(path, l);

    dropin_t list[128];
    size_t n = 0;
    for (size_t k = 0; k < sizeof dirs / sizeof dirs[0]; k++) {
        char dir[1200];
        snprintf(dir, sizeof dir, "%s%s", pre, dirs[k]);
        DIR *d = opendir(dir);
        if (!d)
            continue;
        struct dirent *e;
        while ((e = readdir(d)) && n < sizeof list / sizeof list[0]) {
            size_t len = strlen(e->d_name);
            if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".conf"))
                continue;
            int seen = 0; /* the same name in an earlier directory hides this one */
            for (size_t i = 0; i < n && !seen; i++)
                seen = !strcmp(list[i].name, e->d_name);
            if (seen)
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            list[n].name = strdup(e->d_name);
            list[n].path = strdup(path);
            if (list[n].name && list[n].path) {
                n++;
            } else {
                free(list[n].name);
                free(list[n].path);
            }
        }
        closedir(d);
    }
    qsort(list, n, sizeof list[0], dropin_cmp);
    for (size_t i = 0; i < n; i++) {
        logind_file(list[i].path, l);
        free(list[i].name);
        free(list[i].path);
    }
}

/* -------------------------------------------------------------- the rest */

void cb_preflight_read_shm(const char *path, cb_preflight_shm_t *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", path);
    struct statvfs sv;
    if (statvfs(path, &sv)) {
        s->err = errno ? errno : EIO;
        return;
    }
    s->total_bytes = (uint64_t)sv.f_blocks * sv.f_frsize;
    s->avail_bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
}

int cb_preflight_resolve_getaddrinfo(const char *name, char *addr, size_t addrlen, char *err,
                                     size_t errlen, void *ctx)
{
    (void)ctx;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(name, NULL, &hints, &res);
    if (rc) {
        snprintf(err, errlen, "%s", rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
        return -1;
    }
    /* The first address that is not loopback, else the first. */
    addr[0] = '\0';
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        char text[INET6_ADDRSTRLEN] = "";
        if (getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof text, NULL, 0, NI_NUMERICHOST))
            continue;
        int better = cb_preflight_addr_is_loopback(addr) && !cb_preflight_addr_is_loopback(text);
        if (!addr[0] || better)
            snprintf(addr, addrlen, "%s", text);
    }
    freeaddrinfo(res);
    return 0;
}

void cb_preflight_read_gpu(cb_preflight_gpu_t *g)
{
    memset(g, 0, sizeof *g);
    g->cuda_count = cb_cuda_device_count(g->cuda_why, sizeof g->cuda_why);
    cb_preflight_gpu_alloc(getenv("SLURM_GPUS_ON_NODE"), getenv("SLURM_STEP_GPUS"),
                           getenv("SLURM_JOB_GPUS"), getenv("CUDA_VISIBLE_DEVICES"),
                           getenv("SLURM_JOB_ID"), g);
}

void cb_preflight_read_cuda(const char *proc_root, cb_preflight_cuda_t *c)
{
    memset(c, 0, sizeof *c);
    char path[1200], line[512];
    snprintf(path, sizeof path, "%s/driver/nvidia/version", proc_root);
    /* "NVRM version: NVIDIA UNIX x86_64 Kernel Module  575.51.03  Wed ..." (or
     * "... Open Kernel Module for x86_64  575.51.03  Release Build ..."):
     * the first token of digits and dots with a dot. */
    if (!read_line(path, line, sizeof line)) {
        char *save = NULL;
        for (char *t = strtok_r(line, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
            if (strspn(t, "0123456789.") == strlen(t) && strchr(t, '.') && t[0] != '.') {
                snprintf(c->driver, sizeof c->driver, "%s", t);
                break;
            }
        }
    }
#ifdef CB_HAVE_CUDA
    int v = 0;
    if (cudaDriverGetVersion(&v) == cudaSuccess)
        c->driver_api = v;
    v = 0;
    if (cudaRuntimeGetVersion(&v) == cudaSuccess)
        c->runtime = v;
    cudaGetLastError();
#endif
}

/* ---------------------------------------------------------------- tokens */

void cb_preflight_token_path(const char *dir, const char *run_id, int node, char *buf, size_t len)
{
    snprintf(buf, len, "%s/.cb-preflight-%s-node%d.tok", dir, run_id, node);
}

void cb_preflight_token_text(const char *run_id, const char *host, char *buf, size_t len)
{
    snprintf(buf, len, "cb-preflight token of run %s written by %s\n", run_id, host);
}

int cb_preflight_write_token(const char *dir, const char *path, const char *text, char *detail,
                             size_t len)
{
    char why[1200];
    detail[0] = '\0';
    if (cb_file_mkdir_p(dir, why, sizeof why)) {
        snprintf(detail, len, "mkdir: %s", why);
        return CB_ERR_IO;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(detail, len, "create %s: %s", path, strerror(errno));
        return CB_ERR_IO;
    }
    size_t n = strlen(text);
    ssize_t w = write(fd, text, n);
    int e = errno;
    if (w != (ssize_t)n || fsync(fd)) {
        e = w == (ssize_t)n ? errno : (w < 0 ? e : ENOSPC);
        snprintf(detail, len, "write %s: %s", path, strerror(e));
        close(fd);
        unlink(path);
        return CB_ERR_IO;
    }
    if (close(fd)) {
        snprintf(detail, len, "close %s: %s", path, strerror(errno));
        unlink(path);
        return CB_ERR_IO;
    }
    return CB_OK;
}

cb_preflight_token_t cb_preflight_read_token(const char *path, const char *text, double wait_s)
{
    struct timespec nap = {0, 100 * 1000 * 1000};
    int tries = (int)(wait_s / 0.1);
    for (int i = 0;; i++) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT && i < tries) {
                nanosleep(&nap, NULL);
                continue;
            }
            return errno == ENOENT ? CB_PREFLIGHT_TOKEN_MISSING : CB_PREFLIGHT_TOKEN_UNREADABLE;
        }
        char buf[512];
        ssize_t r = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (r < 0)
            return CB_PREFLIGHT_TOKEN_UNREADABLE;
        buf[r] = '\0';
        return strcmp(buf, text) ? CB_PREFLIGHT_TOKEN_MISMATCH : CB_PREFLIGHT_TOKEN_OK;
    }
}
