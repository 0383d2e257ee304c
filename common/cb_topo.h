/* cb_topo: what one node is made of — CPU model, cores, NUMA nodes, GPUs and
 * NICs via hwloc, and each NIC's link speed from sysfs — recorded once per
 * node per run as `topo` rows of the results CSV. */
#ifndef CB_TOPO_H
#define CB_TOPO_H

#include "cb_results.h"

#define CB_TOPO_MAX_GPUS 16
#define CB_TOPO_MAX_NICS 16

typedef struct cb_nic {
    char name[32];
    long speed_mbps; /* from <sysfs>/class/net/<name>/speed; -1 unknown */
    int operstate_up;
    int is_pci;      /* hwloc saw it as a PCI network device */
} cb_nic_t;

typedef struct cb_topo {
    char hostname[256];
    char cpu_model[128];
    int cores, pus, numa_nodes;
    int ngpus;
    char gpus[CB_TOPO_MAX_GPUS][64]; /* hwloc OS device names (cuda0, ...) */
    int nnics;
    cb_nic_t nics[CB_TOPO_MAX_NICS]; /* every interface but lo */
} cb_topo_t;

/* Discover this node. sysfs_root is normally "/sys" (tests pass a fake tree). */
int cb_topo_discover(cb_topo_t *topo, const char *sysfs_root);
/* Link speed of iface in Mbit/s from <sysfs_root>/class/net/<iface>/speed;
 * -1 when unknown (virtual devices report -1 or fail to read). */
long cb_topo_link_speed_mbps(const char *sysfs_root, const char *iface);
/* Append this node's `topo` rows (benchmark=topo, host=hostname). */
int cb_topo_write_rows(const cb_topo_t *topo, const cb_results_ctx_t *ctx, cb_results_t *res);

#endif
