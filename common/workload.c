/* cb_workload: model presets for the DDP model and gradient dtype sizes. */
#include <ctype.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "cb_error.h"
#include "cb_size.h"
#include "cb_workload.h"

/* Counts are the exact ones of the reference implementations where those
 * exist (they agree with the papers' rounded figures). */
static const cb_workload_t workloads[] = {
    {"resnet50", "ResNet-50", 25557032ULL,
     "He et al. 2016 (25.6M); torchvision resnet50 num_params"},
    {"bert-base", "BERT-base", 109482240ULL,
     "Devlin et al. 2019 (110M); HF bert-base-uncased BertModel"},
    {"gpt2", "GPT-2 124M", 124439808ULL,
     "Radford et al. 2019; HF gpt2 model card (124M, tied embeddings)"},
    {"vit-b16", "ViT-B/16", 86567656ULL,
     "Dosovitskiy et al. 2021 (86M); torchvision vit_b_16 num_params"},
    {"tinyllama-1.1b", "TinyLlama-1.1B", 1100048384ULL,
     "Zhang et al. 2024 (1.1B); HF TinyLlama/TinyLlama-1.1B model card"},
    {"llm-1b", "generic 1B LLM", 1000000000ULL, "round 1.0e9 parameters"},
    {"llama2-7b", "Llama 2 7B", 6738415616ULL,
     "Touvron et al. 2023 (7B); HF meta-llama/Llama-2-7b-hf"},
};
#define N_WORKLOADS (sizeof workloads / sizeof workloads[0])

const cb_workload_t *cb_workload_list(size_t *n)
{
    *n = N_WORKLOADS;
    return workloads;
}

/* Compare ignoring case and punctuation: "ResNet-50", "vit_b_16" and
 * "ViT-B/16" name the presets resnet50 and vit-b16. */
static int name_eq(const char *a, const char *b)
{
    for (;;) {
        while (*a && !isalnum((unsigned char)*a))
            a++;
        while (*b && !isalnum((unsigned char)*b))
            b++;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
        if (!*a)
            return 1;
        a++;
        b++;
    }
}

const cb_workload_t *cb_workload_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < N_WORKLOADS; i++)
        if (name_eq(name, workloads[i].name))
            return &workloads[i];
    return NULL;
}

unsigned cb_workload_dtype_bytes(const char *dtype)
{
    static const struct {
        const char *name;
        unsigned bytes;
    } dt[] = {{"fp32", 4}, {"float32", 4}, {"float", 4},   {"bf16", 2},
              {"bfloat16", 2}, {"fp16", 2}, {"float16", 2}, {"half", 2}};
    if (!dtype)
        return 0;
    for (size_t i = 0; i < sizeof dt / sizeof dt[0]; i++)
        if (!strcasecmp(dtype, dt[i].name))
            return dt[i].bytes;
    return 0;
}

int cb_workload_grad_bytes(uint64_t params, const char *dtype, uint64_t *bytes)
{
    unsigned b = cb_workload_dtype_bytes(dtype);
    if (!b || params == 0)
        return CB_ERR_USAGE;
    if (params > UINT64_MAX / b)
        return CB_ERR_RANGE;
    *bytes = params * b;
    return CB_OK;
}

int cb_workload_parse_params(const char *s, uint64_t *out, char *err, size_t errlen)
{
    char num[64];
    size_t len = strlen(s);
    if (len == 0 || len >= sizeof num)
        return cb_errf(err, errlen, CB_ERR_USAGE, "--params '%s': not a parameter count", s);
    memcpy(num, s, len + 1);
    double mult = 1;
    switch (num[len - 1]) {
    case 'k': case 'K': mult = 1e3; break;
    case 'm': case 'M': mult = 1e6; break;
    case 'b': case 'B': case 'g': case 'G': mult = 1e9; break;
    case 't': case 'T': mult = 1e12; break;
    }
    if (mult != 1)
        num[len - 1] = '\0';
    double v;
    if (cb_parse_double(num, -1e300, 1e300, &v) < 0)
        return cb_errf(err, errlen, CB_ERR_USAGE,
                       "--params '%s': not a parameter count (e.g. 25557032, 110M, 1.1B)", s);
    v *= mult;
    if (!(v >= 1))
        return cb_errf(err, errlen, CB_ERR_USAGE, "--params '%s': must be >= 1", s);
    if (v > 1e15)
        return cb_errf(err, errlen, CB_ERR_USAGE, "--params '%s': out of range (at most 1e15)", s);
    *out = (uint64_t)llround(v);
    return CB_OK;
}
