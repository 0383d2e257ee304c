/* cb-preflight: the set-up checks of a freshly built cluster, one rank per
 * node — its options (preflight_opts.c), the readers of real facts that the
 * pure verdicts of common/cb_preflight.h judge (preflight_facts.c: sysfs and
 * logind trees under a root path, the resolver, statvfs, CUDA versions, the
 * token files of the shared-storage test) and the program body
 * (preflight_prog.c). */
#ifndef CB_BENCH_PREFLIGHT_H
#define CB_BENCH_PREFLIGHT_H

#include <stddef.h>
#include <stdio.h>

#include "cb_preflight.h"
#include "cb_prog.h"

/* Ping-pong rounds per node of the clock check; the best one counts. */
#define CB_PREFLIGHT_CLOCK_ROUNDS 16

typedef struct cb_preflight_opts {
    cb_prog_opts_t common;   /* -o (default <results dir>/<cluster>/cb-preflight-<run
                                id>.csv), --results-dir (default "results"), --cluster
                                ("" = the profile's name, $CB_CLUSTER, "local"), -q,
                                --timeout */
    char profile[1024];      /* --profile NAME|PATH; "" = $CB_PROFILE or none */
    int profile_from_env;    /* profile came from $CB_PROFILE */
    char sysfs_root[1024];   /* --sysfs-root (default "/sys") */
    char logind_root[1024];  /* --logind-root (default "/") */
    double clock_tolerance_s;
} cb_preflight_opts_t;

/* Defaults; profile from $CB_PROFILE when set and not empty. */
void cb_preflight_opts_default(cb_preflight_opts_t *o);
/* Parse argv (from defaults). CB_OK; 1 when --help printed usage to `out`;
 * CB_ERR_USAGE with a one-line reason in err. No I/O besides help. */
int cb_preflight_parse_args(int argc, char **argv, cb_preflight_opts_t *o, FILE *out, char *err,
                            size_t errlen);
void cb_preflight_usage(FILE *f);

/* ---- real facts (preflight_facts.c) ---- */

/* The interface's facts from <sysfs_root>/class/net/<iface>/ (operstate,
 * flags, speed, device). When sysfs_root is the real "/sys" and its
 * class/net is not this process's network namespace (a container or netns
 * whose /sys was not remounted: the names in /sys/class/net and
 * /proc/self/net/dev, or their ifindex, differ), the facts come from ioctls
 * (SIOCGIFFLAGS, ETHTOOL_GSET, ETHTOOL_GDRVINFO) instead, and f->source says
 * so. */
void cb_preflight_read_iface(const char *sysfs_root, const char *iface, cb_preflight_iface_t *f);

/* logind.conf under root: <root>/etc/systemd/logind.conf, then the drop-ins
 * *.conf of <root>/{etc,run,usr/local/lib,usr/lib}/systemd/logind.conf.d/
 * in file-name order (a name in an earlier directory hides the same name in
 * a later one), the last RemoveIPC= wins. */
void cb_preflight_read_logind(const char *root, cb_preflight_logind_t *l);

/* statvfs of path into s. */
void cb_preflight_read_shm(const char *path, cb_preflight_shm_t *s);

/* getaddrinfo() as a cb_preflight_resolver_fn (ctx unused). */
int cb_preflight_resolve_getaddrinfo(const char *name, char *addr, size_t addrlen, char *err,
                                     size_t errlen, void *ctx);

/* CUDA device count (with the reason for none) and the Slurm allocation
 * from the environment. */
void cb_preflight_read_gpu(cb_preflight_gpu_t *g);
/* Driver release (<proc_root>/driver/nvidia/version), driver and runtime
 * CUDA versions. */
void cb_preflight_read_cuda(const char *proc_root, cb_preflight_cuda_t *c);

/* The token file of node `node` of run `run_id` in dir, and its content. */
void cb_preflight_token_path(const char *dir, const char *run_id, int node, char *buf, size_t len);
void cb_preflight_token_text(const char *run_id, const char *host, char *buf, size_t len);
/* Create dir (and parents) and write the token file (O_EXCL, fsync). "" in
 * detail on success, else what failed; returns CB_OK or CB_ERR_IO. */
int cb_preflight_write_token(const char *dir, const char *path, const char *text, char *detail,
                             size_t len);
/* Read a token file back and compare with text; retries a missing file for
 * up to wait_s seconds (NFS attribute caches). */
cb_preflight_token_t cb_preflight_read_token(const char *path, const char *text, double wait_s);

/* The program on the skeleton (cb-preflight.c is a thin main over this). */
int cb_preflight_main(int argc, char **argv);

#endif
