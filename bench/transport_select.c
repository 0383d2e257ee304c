/* cb_transport: transport selection ("auto", "mpi", "nccl"; pure but for the
 * device count). */
#include <stdio.h>
#include <string.h>

#include "cb_error.h"
#include "cb_transport.h"

int cb_transport_select(const char *name, const cb_transport_ops_t **out, char *why, size_t len)
{
    char reason[256] = "";
    if (!strcmp(name, "mpi")) {
        *out = &cb_transport_mpi;
        snprintf(why, len, "mpi (host memory), as asked");
        return CB_OK;
    }
    if (!strcmp(name, "nccl") || !strcmp(name, "auto")) {
#ifdef CB_HAVE_NCCL
        int ndev = cb_cuda_device_count(reason, sizeof reason);
        if (ndev > 0) {
            *out = &cb_transport_nccl;
            snprintf(why, len, "nccl (CUDA memory)%s: %d CUDA device(s) here",
                     name[0] == 'a' ? ", picked by auto" : ", as asked", ndev);
            return CB_OK;
        }
#else
        snprintf(reason, sizeof reason, "this build has no NCCL support");
#endif
        if (!strcmp(name, "nccl")) {
            snprintf(why, len, "nccl: %s", reason);
#ifdef CB_HAVE_NCCL
            return CB_ERR_NODEV;
#else
            return CB_ERR_UNSUPPORTED;
#endif
        }
        *out = &cb_transport_mpi;
        snprintf(why, len, "mpi (host memory), picked by auto: %s", reason);
        return CB_OK;
    }
    snprintf(why, len, "unknown transport '%s' (auto, mpi, nccl)", name);
    return CB_ERR_USAGE;
}
