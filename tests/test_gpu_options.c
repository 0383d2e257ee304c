/* Unit tests of cb-gpu's pure parts: option parsing and its errors, GEMM
 * type helpers, PCI bus id → sysfs name, reading the PCIe link from a fake
 * sysfs tree, and the gpu_info note. No MPI_Init, no GPU. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb_test.h"

#include "cb_error.h"
#include "cb_gpu.h"

static int parse(cb_gpu_opts_t *o, char *err, size_t errlen, ...)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)"cb-gpu";
    va_list ap;
    va_start(ap, errlen);
    for (char *a; (a = va_arg(ap, char *)) && argc < 31;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    FILE *devnull = fopen("/dev/null", "w");
    int rc = cb_gpu_parse_args(argc, argv, o, devnull, err, errlen);
    fclose(devnull);
    return rc;
}

static void test_gpu_options_defaults_and_flags(void **state)
{
    (void)state;
    cb_gpu_opts_t o;
    char err[256] = "";
    assert_int_equal(parse(&o, err, sizeof err, NULL), CB_OK);
    assert_int_equal(o.ngemm_sizes, 3);
    assert_true(o.gemm_sizes[0] == 1024 && o.gemm_sizes[1] == 4096 && o.gemm_sizes[2] == 8192);
    assert_int_equal(o.gemm_types, (1 << CB_GEMM_NTYPES) - 1);
    assert_int_equal(o.parts, CB_GPU_PART_ALL);
    assert_int_equal(o.device, -1);
    assert_int_equal(o.common.check, 1);
    assert_int_equal(o.require_gpu, 0);
    assert_double_equal(o.slow_threshold, 0.10, 0);
    assert_true(o.mem_bytes == (uint64_t)512 << 20);

    assert_int_equal(parse(&o, err, sizeof err, "--gemm-sizes", "256,1024", "--gemm-types", "bf16,fp8",
                           "--measure", "gemm,fma", "--mem-size", "64M", "--device", "1", "-w", "2",
                           "-n", "7", "--no-check", "--slow-threshold", "5", "--require-gpu", "-o",
                           "x.csv", "--cluster", "vc", "-q", NULL),
                     CB_OK);
    assert_int_equal(o.ngemm_sizes, 2);
    assert_true(o.gemm_sizes[0] == 256 && o.gemm_sizes[1] == 1024);
    assert_int_equal(o.gemm_types, (1 << CB_GEMM_BF16) | (1 << CB_GEMM_FP8));
    assert_int_equal(o.parts, CB_GPU_PART_GEMM | CB_GPU_PART_FMA);
    assert_true(o.mem_bytes == (uint64_t)64 << 20);
    assert_int_equal(o.device, 1);
    assert_int_equal(o.common.warmup_iters, 2);
    assert_int_equal(o.iters, 7);
    assert_int_equal(o.common.check, 0);
    assert_double_equal(o.slow_threshold, 0.05, 1e-15);
    assert_int_equal(o.require_gpu, 1);
    assert_string_equal(o.common.output, "x.csv");
    assert_string_equal(o.common.cluster, "vc");
    assert_int_equal(o.common.quiet, 1);
    assert_int_equal(parse(&o, err, sizeof err, "--gemm-sizes", "512,512", NULL), CB_OK);
    assert_int_equal(o.ngemm_sizes, 1); /* duplicates collapse */
    assert_int_equal(parse(&o, err, sizeof err, "--list-specs", NULL), CB_OK);
    assert_int_equal(o.list_specs, 1);
    assert_int_equal(parse(&o, err, sizeof err, "-c", "0", NULL), CB_OK);
    assert_int_equal(o.common.check, 0);
    assert_int_equal(parse(&o, err, sizeof err, "--help", NULL), 1);
}

static void test_gpu_options_errors(void **state)
{
    (void)state;
    struct { const char *a, *b, *expect; } bad[] = {
        {"--bogus", NULL, "unknown option '--bogus'"},
        {"-x", NULL, "unknown option"},
        {"--gemm-sizes", "1000", "not a multiple of 16"},
        {"--gemm-sizes", "0", "not a multiple of 16"},
        {"--gemm-sizes", "32768", "not a multiple of 16 in [16, 16384]"},
        {"--gemm-sizes", "1024,,2048", "expected a list"},
        {"--gemm-sizes", "1,2,3,4,5,6,7,8,9", "not a multiple"},
        {"--gemm-sizes", "16,32,48,64,80,96,112,128,144", "at most 8 sizes"},
        {"--gemm-types", "int4", "expected fp32, tf32, bf16, fp16, fp8"},
        {"--measure", "disk", "expected pcie, membw, fma, gemm"},
        {"--mem-size", "1Q", "not a size"},
        {"--mem-size", "4K", "at least 1M"},
        {"--mem-size", "32G", "too large"},
        {"--device", "-1", "--device '-1'"},
        {"-n", "0", "-n '0'"},
        {"-w", "x", "-w 'x'"},
        {"-c", "2", "expected 0 or 1"},
        {"--slow-threshold", "120", "percentage"},
        {"--slow-threshold", "nan", "percentage"},
        {"-o", "", "empty"},
        {"--cluster", "", "empty"},
        {"-o", NULL, "missing value"},
        {"stray", NULL, "unexpected argument 'stray'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cb_gpu_opts_t o;
        char err[256] = "";
        int rc = bad[i].b ? parse(&o, err, sizeof err, bad[i].a, bad[i].b, NULL)
                          : parse(&o, err, sizeof err, bad[i].a, NULL);
        if (rc != CB_ERR_USAGE || !strstr(err, bad[i].expect))
            print_error("case %zu (%s %s): rc %d, err '%s', expected '%s'\n", i, bad[i].a,
                        bad[i].b ? bad[i].b : "", rc, err, bad[i].expect);
        assert_int_equal(rc, CB_ERR_USAGE);
        assert_non_null(strstr(err, bad[i].expect));
    }
}

static void test_gpu_gemm_helpers(void **state)
{
    (void)state;
    cb_gpu_gemm_type_t t;
    assert_int_equal(cb_gpu_gemm_type_parse("bf16", &t), CB_OK);
    assert_int_equal(t, CB_GEMM_BF16);
    assert_int_equal(cb_gpu_gemm_type_parse("e4m3", &t), CB_OK);
    assert_int_equal(t, CB_GEMM_FP8);
    assert_int_equal(cb_gpu_gemm_type_parse("fp64", &t), CB_ERR_USAGE);
    assert_string_equal(cb_gpu_gemm_type_name(CB_GEMM_TF32), "tf32");
    assert_string_equal(cb_gpu_gemm_dtype(CB_GEMM_FP16), "half");
    assert_int_equal(cb_gpu_gemm_spec_metric(CB_GEMM_FP8), CB_GPUSPEC_FP8);
    assert_int_equal(cb_gpu_gemm_spec_metric(CB_GEMM_FP32), CB_GPUSPEC_FP32);
    char why[128] = "";
    assert_true(cb_gpu_gemm_supported(CB_GEMM_FP8, 8, 9, why, sizeof why));
    assert_true(cb_gpu_gemm_supported(CB_GEMM_FP8, 12, 0, why, sizeof why));
    assert_false(cb_gpu_gemm_supported(CB_GEMM_FP8, 8, 0, why, sizeof why));
    assert_non_null(strstr(why, "fp8 GEMM needs compute capability >= 8.9 (this GPU: 8.0)"));
    assert_true(cb_gpu_gemm_supported(CB_GEMM_BF16, 8, 0, why, sizeof why));
    assert_false(cb_gpu_gemm_supported(CB_GEMM_TF32, 7, 5, why, sizeof why));
    assert_true(cb_gpu_gemm_supported(CB_GEMM_FP32, 7, 5, why, sizeof why));
    /* FLOP = 2 n^3; the TFLOPS of an n=8192 GEMM in 1 ms */
    assert_double_equal(cb_gpu_gemm_flop(1024), 2.0 * 1024 * 1024 * 1024, 0);
    assert_double_equal(cb_gpu_gemm_flop(8192) / 1000.0 / 1e6, 1099.511627776, 1e-9);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_gpu_pcie_sysfs(void **state)
{
    (void)state;
    char id[32];
    assert_int_equal(cb_gpu_pci_sysfs_id("0000:3B:00.0", id, sizeof id), CB_OK);
    assert_string_equal(id, "0000:3b:00.0");
    assert_int_equal(cb_gpu_pci_sysfs_id("00000000:C1:00.0", id, sizeof id), CB_OK);
    assert_string_equal(id, "0000:c1:00.0");
    assert_int_equal(cb_gpu_pci_sysfs_id("unknown", id, sizeof id), CB_ERR_INPUT);
    assert_int_equal(cb_gpu_pci_sysfs_id("0000:3b:00", id, sizeof id), CB_ERR_INPUT);
    assert_int_equal(cb_gpu_pci_sysfs_id("0000:3b:00.0/../x", id, sizeof id), CB_ERR_INPUT);
    assert_int_equal(cb_gpu_pci_sysfs_id(NULL, id, sizeof id), CB_ERR_INPUT);

    char root[] = "/tmp/cb_gpu_sysfs.XXXXXX";
    assert_non_null(mkdtemp(root));
    char dir[512];
    snprintf(dir, sizeof dir, "%s/bus", root);
    mkdir(dir, 0755);
    snprintf(dir, sizeof dir, "%s/bus/pci", root);
    mkdir(dir, 0755);
    snprintf(dir, sizeof dir, "%s/bus/pci/devices", root);
    mkdir(dir, 0755);
    snprintf(dir, sizeof dir, "%s/bus/pci/devices/0000:3b:00.0", root);
    assert_int_equal(mkdir(dir, 0755), 0);
    write_file(dir, "current_link_speed", "16.0 GT/s PCIe\n");
    write_file(dir, "current_link_width", "16\n");
    write_file(dir, "max_link_speed", "32.0 GT/s PCIe\n");
    write_file(dir, "max_link_width", "16\n");
    double gts, mgts;
    int w, mw;
    assert_int_equal(cb_gpu_read_pcie_link(root, "0000:3B:00.0", &gts, &w, &mgts, &mw), CB_OK);
    assert_double_equal(gts, 16, 0);
    assert_int_equal(w, 16);
    assert_double_equal(mgts, 32, 0);
    assert_int_equal(mw, 16);
    /* a device sysfs does not know */
    assert_int_equal(cb_gpu_read_pcie_link(root, "0000:3c:00.0", &gts, &w, &mgts, &mw), CB_ERR_IO);
    assert_double_equal(gts, 0, 0);
    assert_int_equal(w, 0);

    cb_gpu_report_t r;
    memset(&r, 0, sizeof r);
    snprintf(r.name, sizeof r.name, "NVIDIA H100 80GB HBM3");
    snprintf(r.busid, sizeof r.busid, "0000:3B:00.0");
    snprintf(r.spec_name, sizeof r.spec_name, "H100 SXM");
    r.cc_major = 9;
    r.sms = 132;
    r.pcie_gts = gts = 32;
    r.pcie_width = 16;
    r.pcie_max_gts = 32;
    r.pcie_max_width = 16;
    r.driver_version = 13000;
    r.runtime_version = 12080;
    char note[1024];
    cb_gpu_info_note(&r, note, sizeof note);
    assert_non_null(strstr(note, "name=NVIDIA H100 80GB HBM3; cc=9.0; sms=132;"));
    assert_non_null(strstr(note, "pcie=Gen5 x16; pcie_max=Gen5 x16; driver=13.0; runtime=12.8; spec=H100 SXM"));

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gpu_options_defaults_and_flags),
        cmocka_unit_test(test_gpu_options_errors),
        cmocka_unit_test(test_gpu_gemm_helpers),
        cmocka_unit_test(test_gpu_pcie_sysfs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
