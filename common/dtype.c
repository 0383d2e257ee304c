/* cb_dtype: sizes, names and spellings of the element types. */
#include <string.h>
#include <strings.h>

#include "cb_dtype.h"
#include "cb_error.h"

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
