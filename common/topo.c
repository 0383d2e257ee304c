/* cb_topo: node topology through hwloc plus NIC facts from sysfs. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hwloc.h>

#include "cb_error.h"
#include "cb_topo.h"

static int read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    if (!ok)
        return -1;
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

long cb_topo_link_speed_mbps(const char *sysfs_root, const char *iface)
{
    char path[512], buf[64];
    snprintf(path, sizeof path, "%s/class/net/%s/speed", sysfs_root, iface);
    if (read_line(path, buf, sizeof buf))
        return -1;
    char *end;
    long v = strtol(buf, &end, 10);
    return (*end || v <= 0) ? -1 : v;
}

static void sysfs_nics(cb_topo_t *topo, const char *sysfs_root)
{
    char path[512];
    snprintf(path, sizeof path, "%s/class/net", sysfs_root);
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) && topo->nnics < CB_TOPO_MAX_NICS) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "lo"))
            continue;
        cb_nic_t *n = &topo->nics[topo->nnics++];
        memset(n, 0, sizeof *n);
        snprintf(n->name, sizeof n->name, "%.31s", e->d_name);
        n->speed_mbps = cb_topo_link_speed_mbps(sysfs_root, e->d_name);
        char st[32];
        snprintf(path, sizeof path, "%s/class/net/%s/operstate", sysfs_root, e->d_name);
        n->operstate_up = read_line(path, st, sizeof st) == 0 && !strcmp(st, "up");
    }
    closedir(d);
}

int cb_topo_discover(cb_topo_t *topo, const char *sysfs_root)
{
    memset(topo, 0, sizeof *topo);
    gethostname(topo->hostname, sizeof topo->hostname - 1);
    sysfs_nics(topo, sysfs_root ? sysfs_root : "/sys");

    hwloc_topology_t t;
    if (hwloc_topology_init(&t))
        return CB_ERR_INTERNAL;
    hwloc_topology_set_io_types_filter(t, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
    if (hwloc_topology_load(t)) {
        hwloc_topology_destroy(t);
        return CB_ERR_INTERNAL;
    }
    topo->cores = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
    topo->pus = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
    topo->numa_nodes = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
    hwloc_obj_t pkg = hwloc_get_obj_by_type(t, HWLOC_OBJ_PACKAGE, 0);
    const char *model = pkg ? hwloc_obj_get_info_by_name(pkg, "CPUModel") : NULL;
    snprintf(topo->cpu_model, sizeof topo->cpu_model, "%s", model ? model : "unknown");
    for (size_t n = strlen(topo->cpu_model); n > 0 && topo->cpu_model[n - 1] == ' '; n--)
        topo->cpu_model[n - 1] = '\0';
    for (hwloc_obj_t o = hwloc_get_next_osdev(t, NULL); o; o = hwloc_get_next_osdev(t, o)) {
        if ((o->attr->osdev.type == HWLOC_OBJ_OSDEV_COPROC ||
             o->attr->osdev.type == HWLOC_OBJ_OSDEV_GPU) &&
            o->name && topo->ngpus < CB_TOPO_MAX_GPUS) {
            /* Count CUDA devices once (hwloc shows cudaN and nvmlN / card). */
            const char *backend = hwloc_obj_get_info_by_name(o, "Backend");
            if (backend && !strcmp(backend, "CUDA"))
                snprintf(topo->gpus[topo->ngpus++], sizeof topo->gpus[0], "%s", o->name);
        } else if (o->attr->osdev.type == HWLOC_OBJ_OSDEV_NETWORK && o->name) {
            for (int i = 0; i < topo->nnics; i++)
                if (!strcmp(topo->nics[i].name, o->name))
                    topo->nics[i].is_pci = 1;
        }
    }
    hwloc_topology_destroy(t);
    return CB_OK;
}

static int put(const cb_topo_t *topo, const cb_results_ctx_t *ctx, cb_results_t *res,
               const char *metric, double value, const char *unit, const char *note)
{
    cb_row_t row;
    cb_row_init(&row, ctx);
    cb_row_set_str(&row, CB_COL_BENCHMARK, "topo");
    cb_row_set_str(&row, CB_COL_TRANSPORT, "none");
    cb_row_set_str(&row, CB_COL_HOST, topo->hostname);
    cb_row_set_str(&row, CB_COL_METRIC, metric);
    cb_row_set_num(&row, CB_COL_VALUE, value);
    cb_row_set_str(&row, CB_COL_UNIT, unit);
    cb_row_set_str(&row, CB_COL_STATUS, "ok");
    cb_row_set_str(&row, CB_COL_NOTE, note);
    int rc = cb_results_write(res, &row);
    cb_row_clear(&row);
    return rc;
}

int cb_topo_write_rows(const cb_topo_t *topo, const cb_results_ctx_t *ctx, cb_results_t *res)
{
    char note[1024] = "";
    CB_CHECK(put(topo, ctx, res, "cpu_cores", topo->cores, "count", topo->cpu_model));
    CB_CHECK(put(topo, ctx, res, "cpu_threads", topo->pus, "count", NULL));
    CB_CHECK(put(topo, ctx, res, "numa_nodes", topo->numa_nodes, "count", NULL));
    for (int i = 0; i < topo->ngpus; i++) {
        size_t l = strlen(note);
        snprintf(note + l, sizeof note - l, "%s%s", i ? " " : "", topo->gpus[i]);
    }
    CB_CHECK(put(topo, ctx, res, "gpus", topo->ngpus, "count", note));
    for (int i = 0; i < topo->nnics; i++) {
        const cb_nic_t *n = &topo->nics[i];
        snprintf(note, sizeof note, "%s %s%s", n->name, n->operstate_up ? "up" : "down",
                 n->is_pci ? " pci" : "");
        CB_CHECK(put(topo, ctx, res, "nic_speed_mbps", n->speed_mbps > 0 ? (double)n->speed_mbps : NAN,
                     "Mbit/s", note));
    }
    return CB_OK;
}
