/* cb_preflight: the verdicts of cb-preflight, the checks a set-up guide lists
 * by hand after a cluster is built. Every check is a pure function of facts
 * the program gathered (sysfs files, resolver answers, statvfs numbers,
 * logind.conf text, clock samples, version lists), so the tests feed it
 * fakes. A verdict is pass, warn or fail with a message that tells the admin
 * what to fix; the program writes one `preflight` row per check and node
 * (metric = the check's name) and exits 1 when any check failed.
 *
 * Thresholds (documented in --help too):
 *   /dev/shm   fail below 64 MiB; warn below 512 MiB, or below 1 GiB per GPU
 *              of the node. NCCL's shared-memory transport and proxy buffers
 *              live there (NCCL_BUFFSIZE 4 MiB x up to 32 channels, per pair of
 *              local GPUs), and so do PyTorch's DataLoader tensors; Docker's
 *              default 64 MiB is the classic "NCCL WARN ... unable to allocate
 *              shared memory" case, so anything smaller cannot work.
 *   clocks     |offset| against rank 0's clock above the tolerance (0.5 s by
 *              default) fails; an offset is measured by ping-pong as
 *              t_node - (t_send + t_recv) / 2, best (lowest round trip) of
 *              several rounds, so its error is at most half that round trip.
 *   link speed lower than the profile's line rate fails, higher passes with a
 *              note, unknown (-1, unreadable, or the nominal speed of a
 *              virtual interface) warns: it is measured by cb-p2p instead. */
#ifndef CB_PREFLIGHT_H
#define CB_PREFLIGHT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CB_PREFLIGHT_MSG_MAX 480

#define CB_PREFLIGHT_SHM_FAIL_BYTES ((uint64_t)64 << 20)
#define CB_PREFLIGHT_SHM_WARN_BYTES ((uint64_t)512 << 20)
#define CB_PREFLIGHT_SHM_PER_GPU_BYTES ((uint64_t)1 << 30)
#define CB_PREFLIGHT_CLOCK_TOLERANCE_S 0.5

typedef enum cb_preflight_status {
    CB_PREFLIGHT_PASS = 0,
    CB_PREFLIGHT_WARN = 1,
    CB_PREFLIGHT_FAIL = 2,
} cb_preflight_status_t;

/* "pass", "warn", "fail" (the CSV status). */
const char *cb_preflight_status_name(cb_preflight_status_t s);

/* One check's verdict on one node. value/spec go to the CSV's value and
 * spec_value columns (NaN = empty), unit to unit. */
typedef struct cb_preflight_verdict {
    cb_preflight_status_t status;
    double value;
    double spec;
    char unit[16];
    char msg[CB_PREFLIGHT_MSG_MAX];
} cb_preflight_verdict_t;

/* The checks, in the order of the printed table. */
typedef enum cb_preflight_check {
    CB_PREFLIGHT_NODES,          /* "nodes": run's node count vs the profile's */
    CB_PREFLIGHT_HOSTNAMES,      /* "hostname_resolution" */
    CB_PREFLIGHT_GPU_COUNT,      /* "gpu_count" */
    CB_PREFLIGHT_CUDA_VERSIONS,  /* "cuda_versions" */
    CB_PREFLIGHT_RESULTS_DIR,    /* "results_dir_writable" */
    CB_PREFLIGHT_SHARED_STORAGE, /* "shared_storage" */
    CB_PREFLIGHT_IFACE,          /* "iface_up" */
    CB_PREFLIGHT_LINK_SPEED,     /* "link_speed" */
    CB_PREFLIGHT_DEV_SHM,        /* "dev_shm" */
    CB_PREFLIGHT_REMOVEIPC,      /* "logind_removeipc" */
    CB_PREFLIGHT_CLOCK,          /* "clock_offset" */
    CB_PREFLIGHT_MPI_EXCHANGE,   /* "mpi_exchange" */
    CB_PREFLIGHT_NCHECKS
} cb_preflight_check_t;

/* CSV metric name of a check (NULL when out of range). */
const char *cb_preflight_check_name(int check);

/* A verdict set by hand: status, printf message, no value. */
void cb_preflight_verdict_set(cb_preflight_verdict_t *v, cb_preflight_status_t st,
                              const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---------------------------------------------------------------- nodes */

/* nnodes: distinct hosts of the run; ranks: processes; profile_nodes: the
 * profile's `nodes` (-1 = no profile). Pass when they agree (or no profile);
 * warn when the run covers fewer or more nodes than the profile. */
void cb_preflight_check_nodes(int nnodes, int ranks, long profile_nodes,
                              cb_preflight_verdict_t *v);

/* ------------------------------------------------------ host name lookup */

/* Resolves `name`: 0 and its first address as text in addr, or non-zero and
 * the reason in err. The program's resolver is getaddrinfo(); tests pass a
 * fake over a list of names. */
typedef int (*cb_preflight_resolver_fn)(const char *name, char *addr, size_t addrlen, char *err,
                                        size_t errlen, void *ctx);

/* 1 when addr (text) is a loopback address: 127.0.0.0/8 or ::1. */
int cb_preflight_addr_is_loopback(const char *addr);

/* Resolve every node name of the run (names[0..n-1], this node's own name
 * `self` among them) with fn. Fail: a name does not resolve, or another
 * node's name resolves to a loopback address (peers would be told to
 * connect to themselves: Debian's "127.0.1.1 host" line). Warn: this node's
 * own name is loopback on a multi-node run. Pass otherwise; value = names
 * resolved. */
void cb_preflight_check_hostnames(const char *self, const char *const *names, size_t n,
                                  cb_preflight_resolver_fn fn, void *ctx,
                                  cb_preflight_verdict_t *v);

/* ------------------------------------------------------------------ GPUs */

typedef struct cb_preflight_gpu {
    int cuda_count;         /* devices the CUDA runtime sees (0 when none) */
    char cuda_why[160];     /* why none, when cuda_count is 0 */
    int visible;            /* entries of CUDA_VISIBLE_DEVICES; -1 = unset */
    int slurm_gpus;         /* GPUs Slurm allocated on this node; -1 = not said */
    char slurm_source[32];  /* the variable slurm_gpus came from */
    int in_slurm;           /* inside a Slurm job (SLURM_JOB_ID set) */
} cb_preflight_gpu_t;

/* Entries of a comma-separated device list: "0,1,3" -> 3; "" or Slurm's
 * "NoDevFiles" -> 0; NULL -> -1. */
int cb_preflight_count_list(const char *s);

/* Fill the allocation part of g from the values of SLURM_GPUS_ON_NODE,
 * SLURM_STEP_GPUS, SLURM_JOB_GPUS, CUDA_VISIBLE_DEVICES and SLURM_JOB_ID
 * (NULL = unset), first of the Slurm ones that is set wins. cuda_count and
 * cuda_why are left alone. */
void cb_preflight_gpu_alloc(const char *gpus_on_node, const char *step_gpus, const char *job_gpus,
                            const char *cuda_visible, const char *job_id, cb_preflight_gpu_t *g);

/* CUDA's device count vs Slurm's allocation vs the profile's gpus_per_node
 * (-1 = no profile). No GPU on a CPU profile (0) passes. Fail: fewer GPUs
 * than the profile or Slurm's allocation, or none where the profile expects
 * some. Warn: more than expected (devices not constrained, or a profile that
 * says too few), no profile to compare with. value = CUDA's count, spec =
 * the profile's. */
void cb_preflight_check_gpu_count(const cb_preflight_gpu_t *g, long profile_gpus,
                                  cb_preflight_verdict_t *v);

typedef struct cb_preflight_cuda {
    char driver[32]; /* NVIDIA driver release ("575.51.03"); "" = none/unknown */
    int driver_api;  /* cudaDriverGetVersion (1000 major + 10 minor); 0 = no driver */
    int runtime;     /* cudaRuntimeGetVersion; 0 = build without CUDA */
} cb_preflight_cuda_t;

/* "12.8" for 12080 into buf; "none" for 0. Returns buf. */
char *cb_preflight_cuda_version_str(int v, char *buf, size_t len);

/* Versions of node i against all n nodes (hosts[] names them). The
 * reference is the most common value (ties: the lowest node). Fail: a driver
 * release (or driver CUDA version) unlike the others; a runtime newer than
 * its driver supports; no driver where the profile expects GPUs. Warn: a
 * CUDA runtime unlike the others; no driver here while others have one on a
 * CPU or unknown profile. Pass otherwise, also "no driver on any node" with
 * no GPUs expected. */
void cb_preflight_check_cuda_versions(const cb_preflight_cuda_t *all, const char *const *hosts,
                                      size_t n, size_t i, long profile_gpus,
                                      cb_preflight_verdict_t *v);

/* ------------------------------------------------------- shared storage */

/* The write test of the results directory on this node: detail is "" on
 * success, else what failed ("open DIR/FILE: Permission denied"). */
void cb_preflight_check_results_dir(const char *dir, const char *detail,
                                    cb_preflight_verdict_t *v);

/* What this node found of one other node's token file. */
typedef enum cb_preflight_token {
    CB_PREFLIGHT_TOKEN_OK = 0,     /* read back, content as written */
    CB_PREFLIGHT_TOKEN_MISSING,    /* no such file here */
    CB_PREFLIGHT_TOKEN_MISMATCH,   /* a file, but other content */
    CB_PREFLIGHT_TOKEN_UNREADABLE, /* exists, cannot be read (permissions) */
    CB_PREFLIGHT_TOKEN_NOT_WRITTEN /* that node could not write its token */
} cb_preflight_token_t;

/* Shared storage from one node's view: peers[i] (names) and what it found
 * of each one's token; self_wrote = this node wrote its own. Fail: a
 * token missing, different or unreadable (the directory is not the same
 * storage on every node). Warn: nothing could be compared (this node or all
 * peers failed to write). Pass: every peer's token read back, or a single
 * node (then it says it was not tested). value = tokens read back. */
void cb_preflight_check_shared(const char *dir, int self_wrote, const char *const *peers,
                               const cb_preflight_token_t *found, size_t npeers,
                               cb_preflight_verdict_t *v);

/* -------------------------------------------------------------- network */

typedef struct cb_preflight_iface {
    int exists;            /* the interface is present on this node */
    char operstate[24];    /* sysfs operstate (up, down, unknown, dormant, ...); "" unread */
    int flags_up;          /* IFF_UP of its flags: 1, 0, -1 unknown */
    long speed_mbps;       /* link speed, Mbit/s; -1 unknown */
    char speed_why[96];    /* why the speed is unknown */
    int is_virtual;        /* no device behind it (veth, bridge, lo): 1, 0, -1 unknown */
    char present[256];     /* interfaces present, comma-separated, for "not found" */
    char source[96];       /* where the facts came from ("sysfs /sys", ...) */
} cb_preflight_iface_t;

/* The profile's interface (iface NULL or "" = no profile: warn, skipped)
 * exists and is up. Pass: operstate up, or "unknown" with IFF_UP (loopback
 * and some virtual drivers never report "up"). Fail: missing, or any other
 * state (down, lowerlayerdown, dormant, notpresent, testing). */
void cb_preflight_check_iface(const char *iface, const cb_preflight_iface_t *f,
                              cb_preflight_verdict_t *v);

/* Link speed vs the profile's line rate (Gbit/s; iface NULL or "" = no
 * profile: warn). Fail: slower than the line rate. Pass: equal, or faster
 * (with a note). Warn: unknown speed, a virtual interface's nominal speed,
 * or an interface that is missing. value = Mbit/s, spec = line rate Mbit/s. */
void cb_preflight_check_link_speed(const char *iface, const cb_preflight_iface_t *f,
                                   double line_rate_gbps, cb_preflight_verdict_t *v);

/* ------------------------------------------------------------- /dev/shm */

typedef struct cb_preflight_shm {
    char path[64];          /* "/dev/shm" */
    int err;                /* errno of statvfs; 0 = read */
    uint64_t total_bytes;   /* f_blocks * f_frsize */
    uint64_t avail_bytes;   /* f_bavail * f_frsize */
} cb_preflight_shm_t;

/* Size of /dev/shm for `gpus` GPUs on the node (see the thresholds atop).
 * Also warns when less than 64 MiB of it is free. value = size in bytes,
 * spec = the size asked for. */
void cb_preflight_check_dev_shm(const cb_preflight_shm_t *s, int gpus, cb_preflight_verdict_t *v);

/* --------------------------------------------------------- logind (IPC) */

/* RemoveIPC= in the [Login] section of one logind.conf text, with systemd's
 * rules (last assignment wins, invalid booleans are ignored): 1 yes, 0 no,
 * -1 not set in this text. */
int cb_preflight_logind_removeipc(const char *text);

typedef struct cb_preflight_logind {
    int files;          /* logind.conf files found (main + drop-ins); 0 = not systemd */
    int removeipc;      /* the effective setting: 1, 0, or -1 = not set (default yes) */
    char source[200];   /* the file that set it last */
} cb_preflight_logind_t;

/* Warn when RemoveIPC is in effect (set to yes, or left at systemd's default
 * yes), with the fix; pass when no; pass noting "not systemd" when no
 * logind.conf exists. */
void cb_preflight_check_removeipc(const cb_preflight_logind_t *l, cb_preflight_verdict_t *v);

/* ----------------------------------------------------------------- clock */

/* Offset of a node's clock against the reference from n ping-pong rounds:
 * t_send/t_recv taken on the reference around the round, t_node on the node
 * (all CLOCK_REALTIME, nanoseconds). offset = t_node - (t_send + t_recv)/2
 * of the round with the lowest round trip; rtt_s = that round trip.
 * CB_OK, or CB_ERR_INPUT when n is 0 or a round ends before it starts. */
int cb_preflight_clock_offset(const int64_t *t_send, const int64_t *t_node, const int64_t *t_recv,
                              size_t n, double *offset_s, double *rtt_s);

/* reference: this is the reference node itself (pass). Fail: |offset| over
 * the tolerance. Warn: half the round trip exceeds the tolerance (cannot
 * tell). value = offset in s, spec = tolerance. */
void cb_preflight_check_clock(const char *ref_host, int reference, double offset_s, double rtt_s,
                              double tolerance_s, cb_preflight_verdict_t *v);

/* --------------------------------------------------------- MPI exchange */

typedef struct cb_preflight_exchange {
    int err;                   /* an operation failed (CB_ERR_*), 0 = ran */
    char why[160];             /* what failed */
    uint64_t wrong_allreduce;  /* wrong elements after the all-reduce (summed over a node) */
    uint64_t wrong_alltoall;   /* the same after the all-to-all */
    uint64_t bytes;            /* per-rank buffer of the all-reduce and per-peer block */
    int ranks;                 /* ranks of the run */
    int nnodes;
    int mpi;                   /* 0: a build without MPI (nothing exchanged) */
} cb_preflight_exchange_t;

/* Fail on an error or wrong data; pass otherwise (saying "within one node"
 * on a single node, "not tested" in a build without MPI). */
void cb_preflight_check_exchange(const cb_preflight_exchange_t *x, cb_preflight_verdict_t *v);

#ifdef __cplusplus
}
#endif
#endif
