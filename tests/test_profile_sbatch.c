/* Tests of the sbatch generator (sbatch/cb_sbatch.h): the pure choices
 * (sweep from the line rate, NCCL sockets, time caps, task counts), what the
 * rendered scripts contain for each kind of network and cluster shape, and
 * that writing is complete, mode 0755 and leaves no temp files behind. */
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cb_error.h"
#include "cb_profile.h"
#include "cb_sbatch.h"

#define M (1ULL << 20)
#define G (1ULL << 30)

static void test_profile_sweep_from_rate(void **state)
{
    (void)state;
    static const struct {
        double gbps;
        uint64_t max;
    } cases[] = {
        {0.1, 16 * M},  /* 100 Mbit/s: 6.25 MB in 0.5 s -> the 16M floor */
        {1.0, 16 * M},  /* 62.5 MB: 64M (67.1 MB) does not fit */
        {1.1, 64 * M},  /* 68.75 MB */
        {2.5, 64 * M},  /* 156 MB */
        {4.2, 64 * M},  /* 262.5 MB < 256M = 268.4 MB */
        {4.3, 256 * M}, /* 268.75 MB */
        {10, 256 * M},  /* 625 MB */
        {17.1, 256 * M},
        {17.2, G},      /* 1.075 GB >= 1G = 1.074 GB */
        {100, G},       /* the 1G ceiling */
        {400, G},
        {100000, G},
        {0, 16 * M},    /* nonsense rates: the floor */
        {-1, 16 * M},
        {NAN, 16 * M},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cb_sbatch_sweep_t s = cb_sbatch_sweep_for_rate(cases[i].gbps);
        if (s.max_bytes != cases[i].max)
            print_error("%g Gbit/s: max %llu, want %llu\n", cases[i].gbps,
                        (unsigned long long)s.max_bytes, (unsigned long long)cases[i].max);
        assert_int_equal(s.max_bytes, cases[i].max);
        assert_int_equal(s.min_bytes, 1024);
        assert_int_equal(s.factor, 4);
        /* the top is on the sweep: min * factor^k */
        uint64_t v = s.min_bytes;
        while (v < s.max_bytes)
            v *= s.factor;
        assert_int_equal(v, s.max_bytes);
    }
    /* monotonic in the rate */
    uint64_t prev = 0;
    for (double r = 0.01; r < 1000; r *= 1.1) {
        uint64_t m = cb_sbatch_sweep_for_rate(r).max_bytes;
        assert_true(m >= prev);
        prev = m;
    }
}

static void test_profile_sbatch_small_choices(void **state)
{
    (void)state;
    int t, s;
    cb_sbatch_nccl_sockets(0.1, &t, &s);
    assert_int_equal(t, 2);
    assert_int_equal(s, 2);
    cb_sbatch_nccl_sockets(9.99, &t, &s);
    assert_int_equal(t * s, 4);
    cb_sbatch_nccl_sockets(10, &t, &s);
    assert_int_equal(t, 4);
    assert_int_equal(s, 4);
    cb_sbatch_nccl_sockets(400, &t, &s);
    assert_true(t * s <= 64); /* NCCL's limit */

    assert_int_equal(cb_sbatch_step_cap_s(1800, 2), 450);
    assert_int_equal(cb_sbatch_step_cap_s(1800, 1), 900);
    assert_int_equal(cb_sbatch_step_cap_s(3600, 2), 900);
    assert_int_equal(cb_sbatch_step_cap_s(1, 2), 1);
    assert_int_equal(cb_sbatch_step_cap_s(100, 0), 50);
}

/* ------------------------------------------------------------ rendering */

#define PROFILE(cluster_extra, network, env)                                            \
    "[cluster]\nname = t\n" cluster_extra "time_limit = 1:00:00\n[network]\n" network env

static cb_profile_t *parse(const char *text)
{
    char err[512];
    cb_profile_t *p = NULL;
    int rc = cb_profile_parse_string(text, "mem", &p, err, sizeof err);
    if (rc != CB_OK)
        print_error("%s\n", err);
    assert_int_equal(rc, CB_OK);
    return p;
}

static char *render(const cb_profile_t *p, const char *kind)
{
    size_t n;
    const cb_sbatch_kind_t *ks = cb_sbatch_kinds(&n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ks[i].name, kind))
            continue;
        char *text;
        size_t len;
        assert_int_equal(cb_sbatch_render(&ks[i], p, &text, &len), CB_OK);
        assert_int_equal(strlen(text), len);
        return text;
    }
    fail_msg("no kind %s", kind);
    return NULL;
}

static void has(const char *text, const char *needle)
{
    if (!strstr(text, needle))
        print_error("missing: %s\n", needle);
    assert_non_null(strstr(text, needle));
}

static void lacks(const char *text, const char *needle)
{
    if (strstr(text, needle))
        print_error("unexpected: %s\n", needle);
    assert_null(strstr(text, needle));
}

static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void test_profile_sbatch_kinds_table(void **state)
{
    (void)state;
    size_t n;
    const cb_sbatch_kind_t *ks = cb_sbatch_kinds(&n);
    assert_true(n >= 2);
    assert_string_equal(ks[0].name, "allreduce");
    assert_string_equal(ks[0].binary, "cb-allreduce");
    assert_string_equal(ks[1].name, "p2p");
    assert_string_equal(ks[1].binary, "cb-p2p");
    for (size_t i = 0; i < n; i++) {
        assert_non_null(ks[i].summary);
        assert_non_null(ks[i].emit_body);
        assert_true(ks[i].min_ranks >= 1);
    }
    /* every script users are told about exists, once */
    static const char *const want[] = {"allreduce", "p2p", "ddp", "gpu", "preflight", "validate"};
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        int found = 0;
        for (size_t i = 0; i < n; i++)
            found += !strcmp(ks[i].name, want[w]);
        if (found != 1)
            print_error("kind %s: %d entries\n", want[w], found);
        assert_int_equal(found, 1);
    }
}

/* gpu.sh: one rank per GPU and --require-gpu on a GPU profile; one rank per
 * node and no --require-gpu on a CPU-only one. */
static void test_profile_sbatch_gpu_script(void **state)
{
    (void)state;
    cb_profile_t *p = parse(PROFILE("nodes = 3\npartition = gpu\ngpus_per_node = 4\n"
                                    "gres = gpu:4\n",
                                    "kind = ethernet\nline_rate_gbps = 2.5\niface = eth0\n", ""));
    char *g = render(p, "gpu");
    has(g, "\n#SBATCH --job-name=cb-gpu\n");
    has(g, "\n#SBATCH --gres=gpu:4\n");
    has(g, "cb_run srun --mpi=pmix --kill-on-bad-exit=1 --nodes=3 --ntasks=12 --ntasks-per-node=4 \\\n"
           "  \"$cb_bin/cb-gpu\" --cluster \"$cb_profile\" --require-gpu -o \"$cb_csv\"\n");
    has(g, "cb_csv=\"$cb_out/gpu.csv\"");
    free(g);
    cb_profile_free(p);

    p = parse(PROFILE("nodes = 2\npartition = main\ngpus_per_node = 0\ngres =\n",
                      "kind = ethernet\nline_rate_gbps = 2.5\niface = eth0\n", ""));
    g = render(p, "gpu");
    has(g, "--nodes=2 --ntasks=2 --ntasks-per-node=1 \\\n");
    has(g, "CPU-only profile");
    lacks(g, "--require-gpu");
    free(g);
    cb_profile_free(p);
}

/* preflight.sh: one rank per node whatever the GPU count; the profile by
 * name; exit 1 of cb-preflight becomes the job's, after the results line. */
static void test_profile_sbatch_preflight_script(void **state)
{
    (void)state;
    cb_profile_t *p = parse(PROFILE("nodes = 4\npartition = gpu\ngpus_per_node = 8\n"
                                    "gres = gpu:8\n",
                                    "kind = infiniband\nline_rate_gbps = 200\niface = ib0\n", ""));
    char *t = render(p, "preflight");
    has(t, "\n#SBATCH --ntasks-per-node=8\n"); /* the allocation: all GPUs */
    has(t, "cb_run srun --mpi=pmix --kill-on-bad-exit=1 --nodes=4 --ntasks=4 --ntasks-per-node=1 \\\n"
           "  \"$cb_bin/cb-preflight\" --profile \"$cb_profile\" --results-dir \"$CB_HOME/results\" \\\n"
           "  -o \"$cb_csv\" || cb_rc=$?\n");
    has(t, "ib0 up at its line rate");
    /* the exit status comes last, after the results line */
    const char *res = strstr(t, "results in $cb_csv");
    const char *ex = strstr(t, "\nexit \"$cb_rc\"\n");
    assert_non_null(res);
    assert_non_null(ex);
    assert_true(res < ex);
    assert_int_equal(ex[strlen("\nexit \"$cb_rc\"\n")], '\0');
    /* the generic scripts do not end that way */
    char *a = render(p, "allreduce");
    lacks(a, "cb_rc");
    free(a);
    free(t);
    cb_profile_free(p);
}

/* validate.sh: options parsed before the job check; quick sizes from the
 * sweep; the steps and the gate; a single node has no matrix. */
static void test_profile_sbatch_validate_script(void **state)
{
    (void)state;
    cb_profile_t *p = parse(PROFILE("nodes = 2\npartition = gpu\ngpus_per_node = 8\n"
                                    "gres = gpu:h100:8\n",
                                    "kind = ethernet\nline_rate_gbps = 100\niface = ens5\n", ""));
    char *v = render(p, "validate");
    const char *args = strstr(v, "\ncb_level=standard\n");
    const char *job = strstr(v, "if [[ -z \"${SLURM_JOB_ID:-}\" ]]");
    assert_non_null(args);
    assert_non_null(job);
    assert_true(args < job); /* --help works outside a job */
    has(v, "    -h | --help)\n");
    has(v, "want quick, standard or long");
    has(v, "#   sbatch sbatch/validate.sh [options]");
    has(v, "Output in results/t/<job id>/: one CSV per step");
    lacks(v, "cb_csv=");
    /* levels: 100 Gbit/s sweeps up to 1G; quick takes /16 for the matrix and
     * /64 .. /4 for the all-reduce */
    has(v, "    cb_matrix=(-b 64M -e 64M -W 4 --min-iters 2)\n");
    has(v, "    cb_ar=(-b 16M -e 256M -f 4 -p out --min-iters 3)\n");
    has(v, "    cb_matrix=(-b 256M -e 256M -W 8 --min-iters 3)\n");
    has(v, "    cb_ar=(-b 1K -e 1G -f 4)\n");
    has(v, "    cb_cap=60\n");
    has(v, "    cb_cap=257\n"); /* 1 h limit, 7 steps: 3600 / 14 */
    /* the steps, in order, each through cb_step */
    static const char *const order[] = {
        "cb_step preflight \"$cb_out/preflight.csv\" srun --mpi=pmix --kill-on-bad-exit=1 --nodes=2 --ntasks=2 --ntasks-per-node=1",
        "cb_step p2p-sweep \"$cb_out/p2p.csv\"",
        "cb_step p2p-all-pairs \"$cb_out/p2p.csv\"",
        "cb_step allreduce-1node \"$cb_out/allreduce.csv\"",
        "--nodes=1 --ntasks=8 \\\n",
        "cb_step allreduce \"$cb_out/allreduce.csv\"",
        "--nodes=2 --ntasks=16 --ntasks-per-node=8 \\\n",
        "cb_step gpu \"$cb_out/gpu.csv\" srun --mpi=pmix --kill-on-bad-exit=1 --nodes=2 --ntasks=16 --ntasks-per-node=8",
        "\"$cb_bin/cb-gpu\" \"${cb_gpu[@]}\" --cluster \"$cb_profile\" --require-gpu -o \"$cb_out/gpu.csv\"",
        "cb_step ddp \"$cb_out/ddp.csv\"",
        "\"$cb_bin/cb-ddp\" --grad-bytes 100M \"${cb_ddp[@]}\" --cluster \"$cb_profile\" \\\n  --transport nccl",
        "cb_step report - \"$cb_bin/clusterbench\" report -q \"$cb_out\" -o \"$cb_out/report\"",
        "gate --profile \"$cb_profile\" --junit \"$cb_out/gate-junit.xml\"",
        "clusterbench validate: PASS",
        "results in $cb_out",
        "\nexit \"$cb_rc\"\n",
    };
    const char *at = v;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *next = strstr(at, order[i]);
        if (!next)
            print_error("missing, or out of order: %s\n", order[i]);
        assert_non_null(next);
        at = next + strlen(order[i]);
    }
    lacks(v, "EMULATED");
    free(v);
    cb_profile_free(p);

    /* one CPU node: p2p with two ranks on it, no matrix, no baseline step */
    p = parse(PROFILE("nodes = 1\npartition = debug\ngpus_per_node = 0\ngres =\n",
                      "kind = ethernet\nline_rate_gbps = 0.1\niface = lo\n", ""));
    v = render(p, "validate");
    has(v, "cb_step p2p \"$cb_out/p2p.csv\" srun --mpi=pmix --kill-on-bad-exit=1 --nodes=1 --ntasks=2 \\\n");
    lacks(v, "--all-pairs");
    lacks(v, "allreduce-1node");
    lacks(v, "--require-gpu");
    has(v, "EMULATED");
    /* 0.1 Gbit/s: a 16M sweep; quick sizes never below 1M */
    has(v, "    cb_matrix=(-b 1M -e 1M -W 4 --min-iters 2)\n");
    has(v, "    cb_ar=(-b 1M -e 4M -f 4 -p out --min-iters 3)\n");
    free(v);
    cb_profile_free(p);
}

static void test_profile_sbatch_ethernet_cpu(void **state)
{
    (void)state;
    cb_profile_t *p = parse(PROFILE("nodes = 3\npartition = main\ngpus_per_node = 0\ngres =\n",
                                    "kind = ethernet\nline_rate_gbps = 2.5\niface = eth0\n",
                                    "[env]\nNCCL_DEBUG = WARN\n"));
    char *a = render(p, "allreduce");
    assert_memory_equal(a, "#!/bin/bash\n", 12);
    has(a, "\n#SBATCH --job-name=cb-allreduce\n");
    has(a, "\n#SBATCH --nodes=3\n");
    has(a, "\n#SBATCH --ntasks-per-node=1\n");
    has(a, "\n#SBATCH --partition=main\n");
    has(a, "\n#SBATCH --time=1:00:00\n");
    has(a, "\n#SBATCH --exclusive\n");
    has(a, "\n#SBATCH --output=results/slurm-%x-%j.out\n");
    lacks(a, "--gres");
    lacks(a, "--gpus-per-node");
    lacks(a, "--nodelist");
    has(a, "\nset -euo pipefail\n");
    has(a, "CB_HOME=\"${CB_HOME:-${SLURM_SUBMIT_DIR:-$PWD}}\"");
    has(a, "cb_out=\"$CB_HOME/results/$cb_profile/$SLURM_JOB_ID\"");
    has(a, "build first: scripts/build");
    /* transport for TCP */
    has(a, "\nexport OMPI_MCA_btl='self,vader,tcp'\n");
    has(a, "\nexport OMPI_MCA_btl_tcp_if_include='eth0'\n");
    has(a, "\nexport OMPI_MCA_oob_tcp_if_include='eth0'\n");
    has(a, "\nexport OMPI_MCA_coll_tuned_use_dynamic_rules='1'\n");
    has(a, "\nexport OMPI_MCA_coll_tuned_allreduce_algorithm='4'\n");
    has(a, "\nexport OMPI_MCA_mpi_yield_when_idle='1'\n");
    has(a, "\nexport OMPI_MCA_btl_tcp_links='4'\n");
    has(a, "\nexport NCCL_SOCKET_IFNAME='eth0'\n");
    has(a, "\nexport NCCL_IB_DISABLE='1'\n");
    has(a, "\nexport NCCL_SOCKET_NTHREADS='2'\n");
    has(a, "\nexport NCCL_NSOCKS_PERTHREAD='2'\n");
    lacks(a, "FI_PROVIDER");
    /* [env] after the transport settings, so it can override them */
    has(a, "\nexport NCCL_DEBUG='WARN'\n");
    assert_true(strstr(a, "NCCL_DEBUG='WARN'") > strstr(a, "NCCL_NSOCKS_PERTHREAD"));
    /* root only at run time */
    has(a, "if [[ \"$(id -u)\" -eq 0 ]]; then\n"
           "  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1\nfi\n");
    /* the scaling curve: 1, 2, then all 3 nodes, same CSV, CPU transport,
     * sweep from 2.5 Gbit/s; 3 steps share half of 1 h: 600 s each */
    assert_int_equal(count(a, "cb_run srun --mpi=pmix"), 3);
    has(a, "cb_run srun --mpi=pmix --kill-on-bad-exit=1 --nodes=1 --ntasks=1 \\\n");
    has(a, "cb_run srun --mpi=pmix --kill-on-bad-exit=1 --nodes=2 --ntasks=2 --ntasks-per-node=1 \\\n");
    has(a, "cb_run srun --mpi=pmix --kill-on-bad-exit=1 --nodes=3 --ntasks=3 --ntasks-per-node=1 \\\n");
    assert_true(strstr(a, "--nodes=1 --ntasks=1") < strstr(a, "--nodes=2 --ntasks=2 --ntasks-per-node=1"));
    assert_true(strstr(a, "--nodes=2 --ntasks=2") < strstr(a, "--nodes=3 --ntasks=3 --ntasks-per-node=1"));
    assert_int_equal(count(a, "\"$cb_bin/cb-allreduce\" -b 1K -e 64M -f 4 --check --cluster "
                              "\"$cb_profile\" \\\n  --transport mpi --total-time 600 -o "
                              "\"$cb_csv\"\n"),
                     3);
    has(a, "scaling curve, at 1, 2 and 3 nodes");
    has(a, "single rank: it measures the harness");
    has(a, "cb_profile='t'\n");
    has(a, "results in $cb_csv");
    free(a);

    char *q = render(p, "p2p");
    has(q, "\n#SBATCH --job-name=cb-p2p\n");
    has(q, "\n#SBATCH --ntasks-per-node=1\n");
    /* latency on its own, without the bandwidth-only settings; then bandwidth */
    assert_int_equal(count(q, "cb_run srun"), 2);
    assert_int_equal(count(q, "\ncb_run env "), 1);
    has(q, "cb_run env -u OMPI_MCA_btl_tcp_links -u OMPI_MCA_mpi_yield_when_idle \\\n"
           "  srun --mpi=pmix --kill-on-bad-exit=1 --nodes=2 --ntasks=2 --ntasks-per-node=1 \\\n"
           "  \"$cb_bin/cb-p2p\" -b 1K -e 64M -f 4 --mode latency --cluster \"$cb_profile\" \\\n"
           "  --transport mpi --total-time 900 -o \"$cb_csv\"\n");
    has(q, "cb_run srun --mpi=pmix --kill-on-bad-exit=1 --nodes=2 --ntasks=2 --ntasks-per-node=1 \\\n"
           "  \"$cb_bin/cb-p2p\" -b 1K -e 64M -f 4 --mode bw,bibw --cluster \"$cb_profile\" \\\n"
           "  --transport mpi --total-time 900 -o \"$cb_csv\"\n");
    has(q, "# Latency as a step of its own: it does not inherit the settings above that only\n"
           "# help bandwidth");
    has(q, "cb_run srun --mpi=pmix --kill-on-bad-exit=1 --nodes=3 --ntasks=3 --ntasks-per-node=1 \\\n"
           "  \"$cb_bin/cb-p2p\" --all-pairs --mode bw -b 16M -e 16M -W 8 --min-iters 3 \\\n"
           "  --cluster \"$cb_profile\" --transport mpi --total-time 900 -o \"$cb_csv\"\n");
    assert_true(strstr(q, "--nodes=2") < strstr(q, "--all-pairs"));
    lacks(q, "--check");
    free(q);
    cb_profile_free(p);
}

static void test_profile_sbatch_gpu_shapes(void **state)
{
    (void)state;
    /* GRES configured: --gres, one task per GPU, transport nccl: GPU buffers
     * or a failed step, never auto's fallback to host memory */
    cb_profile_t *p = parse(PROFILE("nodes = 2\npartition = gpu\ngpus_per_node = 4\n"
                                    "gres = gpu:a100:4\n",
                                    "kind = ethernet\nline_rate_gbps = 100\niface = ens5\n", ""));
    char *a = render(p, "allreduce");
    has(a, "\n#SBATCH --gres=gpu:a100:4\n");
    lacks(a, "--gpus-per-node");
    has(a, "\n#SBATCH --ntasks-per-node=4\n");
    has(a, "--nodes=1 --ntasks=4 \\\n");
    has(a, "--nodes=2 --ntasks=8 --ntasks-per-node=4 \\\n");
    has(a, "-b 1K -e 1G -f 4");
    has(a, "--transport nccl");
    lacks(a, "--transport mpi");
    lacks(a, "--transport auto");
    has(a, "# GPU profile: every step measures GPU buffers (--transport nccl; cb-gpu\n");
    has(a, "\nexport NCCL_SOCKET_NTHREADS='4'\n");
    lacks(a, "single rank");
    free(a);
    char *q = render(p, "p2p");
    has(q, "--nodes=2 --ntasks=2 --ntasks-per-node=1 \\\n");
    lacks(q, "--all-pairs"); /* two nodes: one pair */
    has(q, "--transport nccl");
    lacks(q, "--transport auto");
    free(q);
    cb_profile_free(p);

    /* no GRES but GPUs: no GPU request (--gpus-per-node is a GRES request
     * too, which such a Slurm rejects); empty partition: none */
    p = parse(PROFILE("nodes = 2\npartition =\ngpus_per_node = 1\ngres =\n",
                      "kind = ethernet\nline_rate_gbps = 0.1\niface = wg0\n", ""));
    a = render(p, "allreduce");
    lacks(a, "--gpus-per-node");
    lacks(a, "--gres");
    has(a, "no GRES configured: no GPU request");
    lacks(a, "--gres");
    lacks(a, "--partition");
    has(a, "-b 1K -e 16M -f 4");
    has(a, "single rank");
    free(a);
    cb_profile_free(p);

    /* one node on loopback: one all-reduce step; p2p puts both ranks on it */
    p = parse(PROFILE("nodes = 1\npartition = debug\ngpus_per_node = 0\ngres =\n",
                      "kind = ethernet\nline_rate_gbps = 10\niface = lo\n", ""));
    a = render(p, "allreduce");
    assert_int_equal(count(a, "cb_run srun"), 1);
    has(a, "--nodes=1 --ntasks=1 \\\n");
    has(a, "--total-time 1800");
    lacks(a, "OMPI_MCA_btl_tcp_if_include");
    lacks(a, "OMPI_MCA_oob_tcp_if_include");
    has(a, "\nexport NCCL_SOCKET_IFNAME='lo'\n");
    free(a);
    q = render(p, "p2p");
    has(q, "\n#SBATCH --ntasks-per-node=2\n");
    has(q, "cb_run srun --mpi=pmix --kill-on-bad-exit=1 --nodes=1 --ntasks=2 \\\n");
    lacks(q, "--all-pairs");
    free(q);
    cb_profile_free(p);
}

static void test_profile_sbatch_fabrics(void **state)
{
    (void)state;
    cb_profile_t *p = parse(PROFILE("nodes = 4\nnodelist = gn[01-04]\npartition = ib\n"
                                    "gpus_per_node = 8\ngres = gpu:8\n",
                                    "kind = infiniband\nline_rate_gbps = 200\niface = ib0\n",
                                    "[env]\nNCCL_IB_HCA = mlx5\n"));
    char *a = render(p, "allreduce");
    has(a, "\n#SBATCH --nodelist=gn[01-04]\n");
    lacks(a, "NCCL_IB_DISABLE");
    lacks(a, "OMPI_MCA_btl=");
    lacks(a, "OMPI_MCA_pml");
    lacks(a, "coll_tuned");
    has(a, "\nexport NCCL_SOCKET_IFNAME='ib0'\n");
    has(a, "\nexport OMPI_MCA_oob_tcp_if_include='ib0'\n");
    has(a, "\nexport NCCL_IB_HCA='mlx5'\n");
    free(a);
    /* no bandwidth-only settings to put back: latency is not a step of its own */
    a = render(p, "p2p");
    lacks(a, "env -u");
    lacks(a, "--mode latency");
    free(a);
    cb_profile_free(p);

    p = parse(PROFILE("nodes = 2\npartition = gpu\ngpus_per_node = 8\ngres = gpu:h100:8\n",
                      "kind = efa\nline_rate_gbps = 400\nrails_per_node = 8\niface = ens32\n",
                      ""));
    a = render(p, "allreduce");
    has(a, "\nexport FI_PROVIDER='efa'\n");
    has(a, "\nexport FI_EFA_USE_DEVICE_RDMA='1'\n");
    has(a, "\nexport NCCL_PROTO='simple'\n");
    has(a, "\nexport OMPI_MCA_mtl='ofi'\n");
    has(a, "\nexport NCCL_NET='AWS Libfabric'\n");
    has(a, "3200 Gbit/s per node");
    lacks(a, "NCCL_IB_DISABLE");
    lacks(a, "OMPI_MCA_btl=");
    has(a, "-e 1G");
    free(a);
    a = render(p, "validate");
    lacks(a, "p2p-latency");
    lacks(a, "env -u");
    free(a);
    cb_profile_free(p);
}

/* -------------------------------------------------------------- writing */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    FILE *m = open_memstream(&buf, &cap);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, m);
    fclose(f);
    fclose(m);
    *len = cap;
    return buf;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void test_profile_sbatch_write_and_check(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/cb-test-sbatch-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char out[PATH_MAX], path[PATH_MAX + 64], err[512];
    snprintf(out, sizeof out, "%s/a/b", tmpl); /* created, parents too */
    cb_profile_t *p = parse(PROFILE("nodes = 3\npartition = main\ngpus_per_node = 0\ngres =\n",
                                    "kind = ethernet\nline_rate_gbps = 2.5\niface = eth0\n", ""));

    /* --check before anything exists: missing */
    assert_int_equal(cb_sbatch_check_all(p, out, NULL, err, sizeof err), 1);
    assert_int_equal(cb_sbatch_write_all(p, out, NULL, err, sizeof err), CB_OK);

    size_t n;
    const cb_sbatch_kind_t *ks = cb_sbatch_kinds(&n);
    assert_int_equal(count_entries(out), (int)n); /* no temp files left */
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s.sh", out, ks[i].name);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0755);
        size_t len, want_len;
        char *got = read_file(path, &len);
        char *want;
        assert_non_null(got);
        assert_int_equal(cb_sbatch_render(&ks[i], p, &want, &want_len), CB_OK);
        assert_int_equal(len, want_len);
        assert_memory_equal(got, want, len);
        free(got);
        free(want);
    }
    assert_int_equal(cb_sbatch_check_all(p, out, NULL, err, sizeof err), 0);

    /* an edited script is found out */
    snprintf(path, sizeof path, "%s/p2p.sh", out);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs("# edited\n", f);
    fclose(f);
    assert_int_equal(cb_sbatch_check_all(p, out, NULL, err, sizeof err), 1);
    /* a truncated one too */
    assert_int_equal(truncate(path, 10), 0);
    assert_int_equal(cb_sbatch_check_all(p, out, NULL, err, sizeof err), 1);
    /* writing again replaces it */
    assert_int_equal(cb_sbatch_write_all(p, out, NULL, err, sizeof err), CB_OK);
    assert_int_equal(cb_sbatch_check_all(p, out, NULL, err, sizeof err), 0);

    /* an out dir that cannot exist: an error, nothing written */
    snprintf(path, sizeof path, "%s/file", tmpl);
    f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(out, sizeof out, "%s/file/sub", tmpl);
    assert_int_equal(cb_sbatch_write_all(p, out, NULL, err, sizeof err), CB_ERR_IO);
    assert_non_null(strstr(err, "file"));

    cb_profile_free(p);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_sweep_from_rate),
        cmocka_unit_test(test_profile_sbatch_small_choices),
        cmocka_unit_test(test_profile_sbatch_kinds_table),
        cmocka_unit_test(test_profile_sbatch_gpu_script),
        cmocka_unit_test(test_profile_sbatch_preflight_script),
        cmocka_unit_test(test_profile_sbatch_validate_script),
        cmocka_unit_test(test_profile_sbatch_ethernet_cpu),
        cmocka_unit_test(test_profile_sbatch_gpu_shapes),
        cmocka_unit_test(test_profile_sbatch_fabrics),
        cmocka_unit_test(test_profile_sbatch_write_and_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
