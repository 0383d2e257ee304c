/* cb_transport: dtypes, their NCCL types, the device of a rank, and
 * transport selection (pure but for the device count). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cb_error.h"
#include "cb_transport.h"

static const struct {
    const char *name, *alias;
    size_t size;
} dtypes[CB_DT_COUNT] = {
    [CB_DT_UINT8] = {"uint8", "u8", 1},     [CB_DT_FLOAT] = {"float", "fp32", 4},
    [CB_DT_DOUBLE] = {"double", "fp64", 8}, [CB_DT_HALF] = {"half", "fp16", 2},
    [CB_DT_BF16] = {"bfloat16", "bf16", 2},
};

size_t cb_dtype_size(cb_dtype_t dt)
{
    return dt < CB_DT_COUNT ? dtypes[dt].size : 0;
}

const char *cb_dtype_name(cb_dtype_t dt)
{
    return dt < CB_DT_COUNT ? dtypes[dt].name : "?";
}

int cb_dtype_parse(const char *s, cb_dtype_t *dt)
{
    for (int i = CB_DT_FLOAT; i < CB_DT_COUNT; i++)
        if (!strcasecmp(s, dtypes[i].name) || !strcasecmp(s, dtypes[i].alias)) {
            *dt = (cb_dtype_t)i;
            return CB_OK;
        }
    return CB_ERR_USAGE;
}

int cb_cuda_device_for_rank(int local_rank, int ndev)
{
    return ndev < 1 || local_rank < 0 ? -1 : local_rank % ndev;
}

int cb_nccl_dtype(cb_dtype_t dt)
{
    switch (dt) {
    case CB_DT_UINT8: return CB_NCCL_UINT8;
    case CB_DT_FLOAT: return CB_NCCL_FLOAT32;
    case CB_DT_DOUBLE: return CB_NCCL_FLOAT64;
    case CB_DT_HALF: return CB_NCCL_FLOAT16;
    case CB_DT_BF16: return CB_NCCL_BFLOAT16;
    default: return -1;
    }
}

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
