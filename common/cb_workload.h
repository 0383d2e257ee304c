/* cb_workload: named model presets (parameter counts with their sources) and
 * gradient dtypes, so the DDP model can be asked about "resnet50 in fp32"
 * instead of a byte count. Pure data; shared by `clusterbench breakeven` and
 * cb-ddp. */
#ifndef CB_WORKLOAD_H
#define CB_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

typedef struct cb_workload {
    const char *name;        /* what --workload takes, e.g. "resnet50" */
    const char *model;       /* e.g. "ResNet-50" */
    uint64_t params;         /* trainable parameters */
    const char *source;      /* where the count comes from */
} cb_workload_t;

/* The presets, in a fixed order; *n gets their count. */
const cb_workload_t *cb_workload_list(size_t *n);
/* Preset by name, ignoring case and punctuation ("ResNet-50", "ViT-B/16",
 * "vit_b_16"); NULL if none. */
const cb_workload_t *cb_workload_find(const char *name);

/* Bytes per gradient element for "fp32" (4), "bf16" (2), "fp16" (2); also
 * "float32"/"float"/"bfloat16"/"float16"/"half". 0 when unknown. */
unsigned cb_workload_dtype_bytes(const char *dtype);

/* params × bytes; CB_ERR_RANGE on overflow, CB_ERR_USAGE for 0 or an unknown
 * dtype. */
int cb_workload_grad_bytes(uint64_t params, const char *dtype, uint64_t *bytes);

/* The --params value: a parameter count with an optional decimal suffix
 * K (1e3), M (1e6), B or G (1e9), T (1e12), e.g. 25557032, 110M, 1.1B;
 * rounded to an integer, 1 to 1e15. CB_OK, or CB_ERR_USAGE with a message
 * naming --params in err. */
int cb_workload_parse_params(const char *s, uint64_t *out, char *err, size_t errlen);

#endif
