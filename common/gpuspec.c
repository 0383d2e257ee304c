/* The built-in GPU spec table (dense figures from NVIDIA's datasheets and
 * whitepapers, each entry naming its source and any doubt), its lookup, the
 * efficiency arithmetic and PCIe line rates. See cb_gpuspec.h. */
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "cb_gpuspec.h"

/* Tensor-core figures on NVIDIA's datacenter datasheets are printed "with
 * sparsity"; the dense figures here are those halved. */
static const cb_gpuspec_t table[] = {
    {.name = "H100 SXM", .match = {"H100"}, .exclude = {"PCIe", "NVL"},
     .cc_major = 9, .cc_minor = 0, .mem_bw_gbps = 3350,
     .fp32_tflops = 67, .tf32_tflops = 494.5, .bf16_tflops = 989, .fp16_tflops = 989,
     .fp8_tflops = 1979,
     .source = "NVIDIA H100 Tensor Core GPU datasheet, H100 SXM column: HBM3 3.35 TB/s, "
               "FP32 67; tensor TF32 989 / BF16 1979 / FP8 3958 with sparsity, halved to dense"},
    {.name = "H100 PCIe", .match = {"H100", "PCIe"},
     .cc_major = 9, .cc_minor = 0, .mem_bw_gbps = 2000,
     .fp32_tflops = 51, .tf32_tflops = 378, .bf16_tflops = 756, .fp16_tflops = 756,
     .fp8_tflops = 1513,
     .source = "NVIDIA H100 Tensor Core GPU datasheet, H100 PCIe column: HBM2e 2.0 TB/s, "
               "FP32 51; tensor TF32 756 / BF16 1513 / FP8 3026 with sparsity, halved to dense"},
    {.name = "H100 NVL", .match = {"H100", "NVL"},
     .cc_major = 9, .cc_minor = 0, .mem_bw_gbps = 3900,
     .fp32_tflops = 60, .tf32_tflops = 417.5, .bf16_tflops = 835.5, .fp16_tflops = 835.5,
     .fp8_tflops = 1670.5,
     .source = "NVIDIA H100 datasheet, H100 NVL column (per GPU, 94 GB): 3.9 TB/s, FP32 60; "
               "TF32 835 / BF16 1671 / FP8 3341 with sparsity, halved. Less certain than the "
               "SXM/PCIe figures (earlier datasheets listed the NVL pair): verify"},
    {.name = "H200 SXM", .match = {"H200"}, .exclude = {"NVL", "GH200"},
     .cc_major = 9, .cc_minor = 0, .mem_bw_gbps = 4800,
     .fp32_tflops = 67, .tf32_tflops = 494.5, .bf16_tflops = 989, .fp16_tflops = 989,
     .fp8_tflops = 1979,
     .source = "NVIDIA H200 Tensor Core GPU datasheet, H200 SXM column: HBM3e 4.8 TB/s, "
               "FP32 67; tensor TF32 989 / BF16 1979 / FP8 3958 with sparsity, halved to dense"},
    {.name = "H200 NVL", .match = {"H200", "NVL"},
     .cc_major = 9, .cc_minor = 0, .mem_bw_gbps = 4800,
     .fp32_tflops = 60, .tf32_tflops = 417.5, .bf16_tflops = 835.5, .fp16_tflops = 835.5,
     .fp8_tflops = 1670.5,
     .source = "NVIDIA H200 datasheet, H200 NVL column: 4.8 TB/s, FP32 60; TF32 835 / BF16 "
               "1671 / FP8 3341 with sparsity, halved. Less certain: verify"},
    {.name = "A100 SXM 80GB", .match = {"A100", "SXM", "80GB"},
     .cc_major = 8, .cc_minor = 0, .mem_bw_gbps = 2039,
     .fp32_tflops = 19.5, .tf32_tflops = 156, .bf16_tflops = 312, .fp16_tflops = 312,
     .source = "NVIDIA A100 Tensor Core GPU datasheet, A100 80GB SXM: HBM2e 2039 GB/s, FP32 "
               "19.5, TF32 156, BF16/FP16 312 (dense; sparsity doubles them); no FP8"},
    {.name = "A100 SXM 40GB", .match = {"A100", "SXM", "40GB"},
     .cc_major = 8, .cc_minor = 0, .mem_bw_gbps = 1555,
     .fp32_tflops = 19.5, .tf32_tflops = 156, .bf16_tflops = 312, .fp16_tflops = 312,
     .source = "NVIDIA A100 Tensor Core GPU datasheet, A100 40GB SXM: HBM2 1555 GB/s, FP32 "
               "19.5, TF32 156, BF16/FP16 312 (dense); no FP8"},
    {.name = "A100 PCIe 80GB", .match = {"A100", "PCIe", "80GB"},
     .cc_major = 8, .cc_minor = 0, .mem_bw_gbps = 1935,
     .fp32_tflops = 19.5, .tf32_tflops = 156, .bf16_tflops = 312, .fp16_tflops = 312,
     .source = "NVIDIA A100 Tensor Core GPU datasheet, A100 80GB PCIe: HBM2e 1935 GB/s, FP32 "
               "19.5, TF32 156, BF16/FP16 312 (dense); no FP8. At 300 W the PCIe card may not "
               "hold boost clock under sustained GEMM"},
    {.name = "A100 PCIe 40GB", .match = {"A100", "PCIe", "40GB"},
     .cc_major = 8, .cc_minor = 0, .mem_bw_gbps = 1555,
     .fp32_tflops = 19.5, .tf32_tflops = 156, .bf16_tflops = 312, .fp16_tflops = 312,
     .source = "NVIDIA A100 Tensor Core GPU datasheet, A100 40GB PCIe: HBM2 1555 GB/s, FP32 "
               "19.5, TF32 156, BF16/FP16 312 (dense); no FP8"},
    {.name = "L40S", .match = {"L40S"},
     .cc_major = 8, .cc_minor = 9, .mem_bw_gbps = 864,
     .fp32_tflops = 91.6, .tf32_tflops = 183, .bf16_tflops = 362.05, .fp16_tflops = 362.05,
     .fp8_tflops = 733,
     .source = "NVIDIA L40S datasheet: GDDR6 864 GB/s, FP32 91.6; dense tensor TF32 183, "
               "BF16/FP16 362.05 (FP32 accumulate), FP8 733 (sparsity doubles them)"},
    {.name = "RTX 4090", .match = {"RTX 4090"}, .exclude = {"Laptop", "4090 D"},
     .cc_major = 8, .cc_minor = 9, .mem_bw_gbps = 1008,
     .fp32_tflops = 82.6, .tf32_tflops = 82.6, .bf16_tflops = 165.2, .fp16_tflops = 165.2,
     .fp8_tflops = 330.3,
     .source = "NVIDIA Ada Lovelace architecture whitepaper, GeForce RTX 4090 column: GDDR6X "
               "1008 GB/s, FP32 82.6; dense tensor TF32 82.6, FP16/BF16 with FP32 accumulate "
               "165.2, FP8 with FP32 accumulate 330.3 (the FP16-accumulate rates are 2x; cuBLAS "
               "GEMMs here accumulate in FP32)"},
    {.name = "RTX 5090", .match = {"RTX 5090"}, .exclude = {"Laptop", "5090 D"},
     .cc_major = 12, .cc_minor = 0, .mem_bw_gbps = 1792,
     .fp32_tflops = 104.8, .tf32_tflops = 104.8, .bf16_tflops = 209.5, .fp16_tflops = 209.5,
     .fp8_tflops = 0,
     .source = "NVIDIA RTX Blackwell GPU architecture whitepaper, GeForce RTX 5090 column: "
               "GDDR7 1792 GB/s (1.79 TB/s), FP32 104.8; dense FP16/BF16 with FP32 accumulate "
               "209.5. TF32 104.8 is less certain (verify); FP8 with FP32 accumulate not "
               "entered (not sure of the figure): no FP8 efficiency"},
};

const cb_gpuspec_t *cb_gpuspec_table(size_t *n)
{
    if (n)
        *n = sizeof table / sizeof table[0];
    return table;
}

/* Case-insensitive substring test. */
static int contains_ci(const char *hay, const char *needle)
{
    size_t nl = strlen(needle);
    if (nl == 0)
        return 1;
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < nl && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == nl)
            return 1;
    }
    return 0;
}

/* Number of match tokens when the entry matches the name, else -1. */
static int name_score(const cb_gpuspec_t *e, const char *name)
{
    int score = 0;
    for (int i = 0; i < CB_GPUSPEC_MAX_TOKENS && e->match[i]; i++) {
        if (!contains_ci(name, e->match[i]))
            return -1;
        score++;
    }
    for (int i = 0; i < CB_GPUSPEC_MAX_TOKENS && e->exclude[i]; i++)
        if (contains_ci(name, e->exclude[i]))
            return -1;
    return score > 0 ? score : -1; /* an entry with no tokens matches nothing */
}

const cb_gpuspec_t *cb_gpuspec_lookup_in(const cb_gpuspec_t *tab, size_t n,
                                         const char *device_name, int cc_major, int cc_minor)
{
    if (!tab || !device_name || !*device_name)
        return NULL;
    const cb_gpuspec_t *best = NULL;
    int best_score = -1, tie = 0;
    for (size_t i = 0; i < n; i++) {
        int s = name_score(&tab[i], device_name);
        if (s < 0)
            continue;
        if (cc_major >= 0 && (tab[i].cc_major != cc_major || tab[i].cc_minor != cc_minor))
            continue;
        if (s > best_score) {
            best = &tab[i];
            best_score = s;
            tie = 0;
        } else if (s == best_score) {
            tie = 1;
        }
    }
    return tie ? NULL : best;
}

const cb_gpuspec_t *cb_gpuspec_lookup(const char *device_name, int cc_major, int cc_minor)
{
    return cb_gpuspec_lookup_in(table, sizeof table / sizeof table[0], device_name, cc_major,
                                cc_minor);
}

double cb_gpuspec_value(const cb_gpuspec_t *s, cb_gpuspec_metric_t m)
{
    if (!s)
        return 0;
    switch (m) {
    case CB_GPUSPEC_MEM_BW: return s->mem_bw_gbps;
    case CB_GPUSPEC_FP32: return s->fp32_tflops;
    case CB_GPUSPEC_TF32: return s->tf32_tflops;
    case CB_GPUSPEC_BF16: return s->bf16_tflops;
    case CB_GPUSPEC_FP16: return s->fp16_tflops;
    case CB_GPUSPEC_FP8: return s->fp8_tflops;
    default: return 0;
    }
}

double cb_gpuspec_efficiency(double measured, double spec)
{
    if (!isfinite(measured) || !isfinite(spec) || !(spec > 0) || measured < 0)
        return NAN;
    return measured / spec;
}

int cb_gpuspec_pcie_gen(double gts)
{
    static const double rates[] = {2.5, 5, 8, 16, 32, 64};
    for (int i = 0; i < 6; i++)
        if (fabs(gts - rates[i]) < 0.01)
            return i + 1;
    return 0;
}

double cb_gpuspec_pcie_gbps(double gts, int width)
{
    int gen = cb_gpuspec_pcie_gen(gts);
    if (!gen || width < 1)
        return NAN;
    double code = gen <= 2 ? 8.0 / 10.0 : gen <= 5 ? 128.0 / 130.0 : 1.0;
    return gts * width * code / 8.0;
}
