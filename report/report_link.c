/* report_link: what a cluster's link should deliver (line rate, TCP goodput,
 * MTU), from --line-rate-gbps or the cluster's profile. A leaf. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cb_error.h"
#include "cb_profile.h"
#include "report_priv.h"

void rep_link_compute(const cb_report_opts_t *o, const char *cluster, rep_link_t *l)
{
    memset(l, 0, sizeof *l);
    if (isfinite(o->line_rate_gbps)) {
        l->known = 1;
        l->line_gbps = o->line_rate_gbps;
        l->mtu = o->mtu;
        l->goodput_gbps = cb_profile_tcp_goodput_gbps(o->line_rate_gbps, o->mtu);
        snprintf(l->kind, sizeof l->kind, "ethernet");
        snprintf(l->source, sizeof l->source, "--line-rate-gbps (TCP over Ethernet, MTU %ld)",
                 o->mtu);
        return;
    }
    char path[4096], err[1024];
    if (!*cluster) {
        snprintf(l->why, sizeof l->why, "rows have no cluster name: no profile to look up");
        return;
    }
    int rc = cb_profile_resolve(cluster, path, sizeof path, err, sizeof err);
    if (rc == CB_ERR_USAGE || rc == CB_ERR_RANGE) {
        snprintf(l->why, sizeof l->why, "not a profile name: no profile looked up");
        return;
    }
    if (rc < 0) {
        snprintf(l->why, sizeof l->why, "no cluster profile of that name (sbatch/profiles/)");
        return;
    }
    cb_profile_t *prof = NULL;
    rc = cb_profile_load(path, &prof, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "clusterbench report: warning: %s\n", err);
        snprintf(l->why, sizeof l->why, "its profile does not load (see the warning on stderr)");
        return;
    }
    l->known = 1;
    l->line_gbps = prof->line_rate_gbps;
    l->goodput_gbps = cb_profile_goodput_gbps(prof);
    l->mtu = prof->mtu;
    snprintf(l->kind, sizeof l->kind, "%s", cb_net_kind_name(prof->net_kind));
    if (prof->net_kind == CB_NET_ETHERNET)
        snprintf(l->source, sizeof l->source, "profile %s (%s, MTU %ld: TCP goodput %.1f%%)",
                 prof->name, l->kind, prof->mtu, 100 * l->goodput_gbps / l->line_gbps);
    else
        snprintf(l->source, sizeof l->source, "profile %s (%s: goodput = line rate)", prof->name,
                 l->kind);
    cb_profile_free(prof);
}

const rep_link_t *rep_link(const rep_t *r, uint32_t cluster_rank)
{
    static const rep_link_t none = {0};
    if (cluster_rank >= r->st.n || !r->links)
        return &none;
    return &r->links[r->st.by_rank[cluster_rank]];
}
