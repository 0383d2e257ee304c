/* cb_profile: cluster profiles (sbatch/profiles/<name>.ini) — what a cluster
 * is (nodes, GPUs, Slurm partition/GRES/time limit) and what its network
 * should deliver (kind, line rate, interface) — loaded with inih and
 * validated strictly, because the sbatch generator pastes the values into
 * shell scripts and the reporter, gate and preflight judge results against
 * them.
 *
 * File format (';' or '#' starts a comment line; " ;" an inline comment):
 *
 *   [cluster]
 *   name           = rtx5090-2.5gbe ; required; [A-Za-z0-9._-], starts alnum
 *   description    = free text       ; optional; letters, digits, space, .,:/+-_=@%
 *   nodes          = 3               ; required; 1..4096
 *   nodelist       = node[0-2]       ; optional; Slurm hostlist, empty = any nodes
 *   partition      = main            ; required, may be empty (= default partition)
 *   gpus_per_node  = 1               ; required; 0..64 (0: CPU-only cluster)
 *   gres           = gpu:rtx5090:1   ; required, may be empty (Slurm has no GRES);
 *                                    ; a gpu[:type]:N GRES must have N = gpus_per_node
 *   time_limit     = 00:30:00        ; required; Slurm form M, M:S, H:M:S, D-H,
 *                                    ; D-H:M or D-H:M:S; > 0, <= 365 days
 *   [network]
 *   kind           = ethernet        ; required; ethernet | infiniband | efa
 *   line_rate_gbps = 2.5             ; required; decimal, > 0, <= 100000: the
 *                                    ; rate one rank's inter-node traffic crosses
 *                                    ; (one NIC, or one rail on multi-rail nodes)
 *   rails_per_node = 1               ; optional [1]; 1..64 NICs/rails per node at
 *                                    ; line_rate_gbps each (node total = product)
 *   iface          = enp5s0          ; required; Linux interface name, <= 15 chars
 *                                    ; [A-Za-z0-9._-] ("lo" only when nodes = 1)
 *   mtu            = 1500            ; optional [1500]; 576..65536, for the TCP
 *                                    ; goodput model of Ethernet
 *   all_pairs      = rounds          ; optional [rounds]; rounds | sequential: how
 *                                    ; the generated all-pairs steps walk the pairs
 *                                    ; (cb-p2p --sequential: one direction after
 *                                    ; another, for a switch that is not non-blocking)
 *   round_reference = no             ; optional [no]; no | yes: the all-pairs steps
 *                                    ; first measure every direction alone
 *                                    ; (cb-p2p --reference; the gate's p2p_rounds);
 *                                    ; only with all_pairs = rounds
 *   [env]                            ; optional; exported by every script as is
 *   NCCL_DEBUG     = WARN            ; key: shell identifier, not CB_*, SLURM_*,
 *                                    ; BASH_* nor IFS/PATH/HOME/...; value may be
 *                                    ; empty; [A-Za-z0-9._,:/=+@%^-]
 *
 * Every string value is checked against an allowed-character set for its key
 * (never a deny-list), so no value can hold quotes, '$', '`', '\', ';', '|',
 * '&', '<', '>', '(', ')', or whitespace where an identifier is expected.
 * Errors: unknown sections and keys, keys outside a section, duplicate
 * sections and keys, multi-line (continuation) values, lines over
 * CB_PROFILE_MAX_LINE characters, NUL bytes, missing required keys, numbers
 * that are not plain decimals in range. Every message is "file:line: reason".
 * A section header with no keys under it is ignored (inih reports sections
 * only through their keys). */
#ifndef CB_PROFILE_H
#define CB_PROFILE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest accepted line, excluding the newline (inih's line buffer). */
#define CB_PROFILE_MAX_LINE 196

#define CB_PROFILE_MAX_NODES 4096
#define CB_PROFILE_MAX_GPUS_PER_NODE 64
#define CB_PROFILE_DEFAULT "vcluster" /* the built-in virtual cluster */

typedef enum cb_net_kind {
    CB_NET_ETHERNET = 0, /* TCP sockets: Open MPI btl/tcp, NCCL socket transport */
    CB_NET_INFINIBAND,   /* verbs: Open MPI via UCX, NCCL IB transport */
    CB_NET_EFA,          /* AWS EFA: libfabric, Open MPI mtl/ofi, NCCL via aws-ofi-nccl */
} cb_net_kind_t;

typedef struct cb_profile_env {
    char key[64];
    char value[192];
} cb_profile_env_t;

/* A loaded, validated profile. Strings are NUL-terminated and "" when empty. */
typedef struct cb_profile {
    char name[64];
    char description[192];
    long nodes;              /* 1..CB_PROFILE_MAX_NODES */
    char nodelist[192];      /* "" = let Slurm choose */
    char partition[64];      /* "" = the cluster's default partition */
    long gpus_per_node;      /* 0..CB_PROFILE_MAX_GPUS_PER_NODE */
    char gres[64];           /* "" = Slurm has no GRES configured */
    char time_limit[32];     /* as written, Slurm form */
    long time_limit_s;       /* the same in seconds, > 0 */
    cb_net_kind_t net_kind;
    double line_rate_gbps;   /* per rank's NIC/rail, Gbit/s (1e9 bit/s), > 0 */
    long rails_per_node;     /* >= 1 */
    char iface[16];          /* IFNAMSIZ */
    long mtu;                /* bytes, IP MTU */
    int all_pairs_sequential; /* all_pairs = sequential (0: rounds) */
    int round_reference;      /* round_reference = yes */
    size_t n_env;
    cb_profile_env_t *env;   /* [env] in file order */
    /* the tuner's overlay <name>.tuned.ini beside the profile file (cb_tune.h),
     * read by cb_profile_load(); NULL when there is none */
    struct cb_tune_overlay *tuned;
} cb_profile_t;

/* Load and validate the profile at path, and the overlay `clusterbench tune`
 * wrote beside it (path's ".ini" replaced by ".tuned.ini") when one exists:
 * an overlay that does not parse, or names another profile, fails the load
 * with its own file:line. On success *out owns a new profile
 * (release with cb_profile_free()) and CB_OK is returned. Otherwise *out is
 * NULL, errbuf (if errlen > 0) holds "path:line: reason" (or "path: reason"
 * when the file cannot be read) and the result is CB_ERR_INPUT (bad content)
 * or CB_ERR_IO (cannot open/read), CB_ERR_NOMEM. */
int cb_profile_load(const char *path, cb_profile_t **out, char *errbuf, size_t errlen);

/* The same for a profile held in memory; origin names it in messages. */
int cb_profile_parse_string(const char *text, const char *origin, cb_profile_t **out,
                            char *errbuf, size_t errlen);

/* Releases a profile; NULL is fine. */
void cb_profile_free(cb_profile_t *prof);

/* "ethernet", "infiniband", "efa" (NULL for an invalid value); and back
 * (CB_OK or CB_ERR_INPUT). */
const char *cb_net_kind_name(cb_net_kind_t kind);
int cb_net_kind_parse(const char *s, cb_net_kind_t *out);

/* Parse a Slurm time limit (see the format above) into seconds: CB_OK,
 * CB_ERR_INPUT (malformed) or CB_ERR_RANGE (0 or over 365 days). */
int cb_profile_parse_time_limit(const char *s, long *seconds);

/* Best-case TCP payload rate over Ethernet, Gbit/s:
 *   goodput = line_rate * (mtu - 52) / (mtu + 38)
 * 52 = IPv4 header 20 + TCP header 20 + TCP timestamp option 12 (Linux
 * default) per packet; 38 = Ethernet header 14 + FCS 4 + preamble/SFD 8 +
 * inter-frame gap 12 on the wire per frame. mtu = 1500: 1448/1538 = 94.1%.
 * Returns 0 for a non-positive rate or an mtu under 576. */
double cb_profile_tcp_goodput_gbps(double line_rate_gbps, long mtu);

/* The rate one rank can expect to move, Gbit/s: the TCP goodput above for
 * ethernet; the line rate itself for infiniband and efa (there the profile's
 * line rate is the data rate, and no protocol overhead is modelled). */
double cb_profile_goodput_gbps(const cb_profile_t *prof);

/* The directory clusterbench lives in (the one holding sbatch/profiles/):
 * $CB_HOME when it has sbatch/profiles, else two levels above the running
 * executable (build/bin/ -> repository), else the current directory when it
 * has sbatch/profiles. CB_OK, or CB_ERR_INPUT when none qualifies, or
 * CB_ERR_RANGE when the path does not fit len. */
int cb_profile_find_home(char *buf, size_t len);

/* Resolve --profile's argument into a file path: an argument with a '/' or
 * ending in ".ini" is a path and taken as is; otherwise it is a profile name
 * ([A-Za-z0-9._-], not starting with '.') looked up as
 * <home>/sbatch/profiles/<name>.ini with home from cb_profile_find_home().
 * CB_OK; CB_ERR_USAGE for a malformed name; CB_ERR_INPUT when no such
 * profile exists (errbuf says where it looked); CB_ERR_RANGE if too long. */
int cb_profile_resolve(const char *name_or_path, char *path, size_t len, char *errbuf,
                       size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
