/* cb_bw: nccl-tests' bandwidth definitions and the Ethernet goodput factor. */
#include "cb_bw.h"

double cb_bw_alg_factor(cb_coll_t coll, int nranks)
{
    (void)coll;
    (void)nranks;
    return 1.0;
}

double cb_bw_bus_factor(cb_coll_t coll, int nranks)
{
    if (nranks < 1)
        return 0;
    double n = nranks;
    switch (coll) {
    case CB_COLL_ALLREDUCE:
        return 2.0 * (n - 1) / n;
    default:
        return 1.0;
    }
}

double cb_bw_algbw_gbps(cb_coll_t coll, double bytes, double time_us, int nranks)
{
    if (time_us <= 0)
        return 0;
    return bytes * cb_bw_alg_factor(coll, nranks) / (time_us * 1e-6) / 1e9;
}
