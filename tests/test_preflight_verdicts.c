/* cb_preflight's pure verdicts against fake facts: node counts, a hosts list
 * with an unresolvable name, GPU counts vs allocation and profile, version
 * lists, token findings, interface facts, /dev/shm sizes, logind.conf text,
 * clock samples and exchange results. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_error.h"
#include "cb_preflight.h"
#include "cb_test.h"

#define MiB ((uint64_t)1 << 20)
#define GiB ((uint64_t)1 << 30)

static void expect(const cb_preflight_verdict_t *v, cb_preflight_status_t st, const char *needle)
{
    if (v->status != st || (needle && !strstr(v->msg, needle))) {
        print_error("verdict %s \"%s\", expected %s with \"%s\"\n",
                    cb_preflight_status_name(v->status), v->msg, cb_preflight_status_name(st),
                    needle ? needle : "");
        fail();
    }
}

static void test_preflight_names(void **state)
{
    (void)state;
    assert_string_equal(cb_preflight_status_name(CB_PREFLIGHT_PASS), "pass");
    assert_string_equal(cb_preflight_status_name(CB_PREFLIGHT_WARN), "warn");
    assert_string_equal(cb_preflight_status_name(CB_PREFLIGHT_FAIL), "fail");
    assert_string_equal(cb_preflight_check_name(CB_PREFLIGHT_HOSTNAMES), "hostname_resolution");
    assert_string_equal(cb_preflight_check_name(CB_PREFLIGHT_MPI_EXCHANGE), "mpi_exchange");
    assert_null(cb_preflight_check_name(CB_PREFLIGHT_NCHECKS));
    for (int i = 0; i < CB_PREFLIGHT_NCHECKS; i++)
        assert_non_null(cb_preflight_check_name(i));
}

static void test_preflight_nodes(void **state)
{
    (void)state;
    cb_preflight_verdict_t v;
    cb_preflight_check_nodes(3, 3, 3, &v);
    expect(&v, CB_PREFLIGHT_PASS, "as the profile says");
    cb_preflight_check_nodes(2, 2, 3, &v);
    expect(&v, CB_PREFLIGHT_WARN, "covers 2 of the profile's 3");
    cb_preflight_check_nodes(4, 4, 3, &v);
    expect(&v, CB_PREFLIGHT_WARN, "update nodes");
    cb_preflight_check_nodes(1, 2, -1, &v);
    expect(&v, CB_PREFLIGHT_PASS, "one per node is enough");
    assert_double_equal(v.value, 1, 0);
}

/* ---- host names: a fake resolver over tests/data/preflight/hosts ---- */

typedef struct fake_hosts {
    char name[16][64], addr[16][64];
    int n;
} fake_hosts_t;

static void load_hosts(fake_hosts_t *h)
{
    const char *data = cb_test_env("CB_TEST_DATA");
    char path[1024], line[256];
    snprintf(path, sizeof path, "%s/preflight/hosts", data);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    h->n = 0;
    while (fgets(line, sizeof line, f) && h->n < 16)
        if (line[0] != '#' && sscanf(line, "%63s %63s", h->name[h->n], h->addr[h->n]) == 2)
            h->n++;
    fclose(f);
    assert_true(h->n >= 4);
}

static int fake_resolve(const char *name, char *addr, size_t addrlen, char *err, size_t errlen,
                        void *ctx)
{
    const fake_hosts_t *h = ctx;
    for (int i = 0; i < h->n; i++)
        if (!strcmp(h->name[i], name)) {
            snprintf(addr, addrlen, "%s", h->addr[i]);
            return 0;
        }
    snprintf(err, errlen, "Name or service not known");
    return -1;
}

static void test_preflight_hostnames(void **state)
{
    (void)state;
    fake_hosts_t h;
    load_hosts(&h);
    cb_preflight_verdict_t v;
    const char *good[] = {"node0", "node1", "node2"};
    cb_preflight_check_hostnames("node1", good, 3, fake_resolve, &h, &v);
    expect(&v, CB_PREFLIGHT_PASS, "resolved all 3 node names (node0, node1, node2)");
    assert_double_equal(v.value, 3, 0);

    const char *ghost[] = {"node0", "ghost", "node2"};
    cb_preflight_check_hostnames("node0", ghost, 3, fake_resolve, &h, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "cannot resolve ghost (Name or service not known)");
    assert_non_null(strstr(v.msg, "/etc/hosts"));
    assert_double_equal(v.value, 2, 0);

    /* a peer that resolves to loopback (Debian's 127.0.1.1 line) */
    const char *loop[] = {"node0", "debian-node"};
    cb_preflight_check_hostnames("node0", loop, 2, fake_resolve, &h, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "debian-node -> 127.0.1.1");
    /* this node's own name on loopback: a warning on several nodes... */
    cb_preflight_check_hostnames("debian-node", loop, 2, fake_resolve, &h, &v);
    expect(&v, CB_PREFLIGHT_WARN, "own name debian-node resolves to 127.0.1.1");
    /* ... and fine alone */
    cb_preflight_check_hostnames("debian-node", loop + 1, 1, fake_resolve, &h, &v);
    expect(&v, CB_PREFLIGHT_PASS, "single node");

    assert_true(cb_preflight_addr_is_loopback("127.0.0.1"));
    assert_true(cb_preflight_addr_is_loopback("::1"));
    assert_false(cb_preflight_addr_is_loopback("10.0.0.1"));
    assert_false(cb_preflight_addr_is_loopback("fe80::1"));
}

static void test_preflight_hostnames_many_unresolved(void **state)
{
    (void)state;
    fake_hosts_t h;
    load_hosts(&h);
    const char *names[] = {"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "node0"};
    cb_preflight_verdict_t v;
    cb_preflight_check_hostnames("node0", names, 9, fake_resolve, &h, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "and 2 more");
}

/* ---- GPUs ---- */

static void test_preflight_gpu_alloc(void **state)
{
    (void)state;
    assert_int_equal(cb_preflight_count_list(NULL), -1);
    assert_int_equal(cb_preflight_count_list(""), 0);
    assert_int_equal(cb_preflight_count_list("NoDevFiles"), 0);
    assert_int_equal(cb_preflight_count_list("0"), 1);
    assert_int_equal(cb_preflight_count_list("0,1,3"), 3);
    cb_preflight_gpu_t g;
    memset(&g, 0, sizeof g);
    cb_preflight_gpu_alloc("2", "0,1,2,3", NULL, "0,1", "42", &g);
    assert_int_equal(g.slurm_gpus, 2);
    assert_string_equal(g.slurm_source, "SLURM_GPUS_ON_NODE");
    assert_int_equal(g.visible, 2);
    assert_true(g.in_slurm);
    cb_preflight_gpu_alloc(NULL, NULL, "0,1,2", NULL, "42", &g);
    assert_int_equal(g.slurm_gpus, 3);
    assert_string_equal(g.slurm_source, "SLURM_JOB_GPUS");
    assert_int_equal(g.visible, -1);
    cb_preflight_gpu_alloc("x", "4,5", "0,1,2", NULL, NULL, &g);
    assert_int_equal(g.slurm_gpus, 2);
    assert_string_equal(g.slurm_source, "SLURM_STEP_GPUS");
    assert_false(g.in_slurm);
    cb_preflight_gpu_alloc(NULL, NULL, NULL, NULL, NULL, &g);
    assert_int_equal(g.slurm_gpus, -1);
}

static cb_preflight_gpu_t gpus(int cuda, int slurm, int in_slurm)
{
    cb_preflight_gpu_t g;
    memset(&g, 0, sizeof g);
    g.cuda_count = cuda;
    g.visible = -1;
    g.slurm_gpus = slurm;
    g.in_slurm = in_slurm;
    if (slurm >= 0)
        snprintf(g.slurm_source, sizeof g.slurm_source, "SLURM_GPUS_ON_NODE");
    if (!cuda)
        snprintf(g.cuda_why, sizeof g.cuda_why,
                 "no CUDA device (CUDA driver version is insufficient for CUDA runtime version)");
    return g;
}

static void test_preflight_gpu_count(void **state)
{
    (void)state;
    cb_preflight_verdict_t v;
    cb_preflight_gpu_t g;
    /* CPU profile */
    g = gpus(0, -1, 1);
    cb_preflight_check_gpu_count(&g, 0, &v);
    expect(&v, CB_PREFLIGHT_PASS, "CPU profile");
    assert_non_null(strstr(v.msg, "insufficient"));
    g = gpus(2, -1, 0);
    cb_preflight_check_gpu_count(&g, 0, &v);
    expect(&v, CB_PREFLIGHT_WARN, "CPU-only");
    /* no profile */
    g = gpus(0, -1, 0);
    cb_preflight_check_gpu_count(&g, -1, &v);
    expect(&v, CB_PREFLIGHT_WARN, "skipped: no profile");
    g = gpus(1, 2, 1);
    cb_preflight_check_gpu_count(&g, -1, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "Slurm allocated 2 GPU(s) (SLURM_GPUS_ON_NODE) but CUDA sees 1");
    /* GPU profile of 4 per node */
    g = gpus(4, 4, 1);
    cb_preflight_check_gpu_count(&g, 4, &v);
    expect(&v, CB_PREFLIGHT_PASS, "4 GPU(s), as the profile expects; Slurm allocated 4");
    assert_double_equal(v.value, 4, 0);
    assert_double_equal(v.spec, 4, 0);
    g = gpus(0, 4, 1);
    cb_preflight_check_gpu_count(&g, 4, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "no GPU usable");
    g = gpus(4, 2, 1);
    cb_preflight_check_gpu_count(&g, 4, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "Slurm allocated 2 GPU(s) on this node");
    g = gpus(3, 4, 1);
    cb_preflight_check_gpu_count(&g, 4, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "CUDA sees only 3");
    g = gpus(3, -1, 0);
    cb_preflight_check_gpu_count(&g, 4, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "CUDA sees 3 GPU(s), the profile expects 4");
    g = gpus(8, 4, 1);
    cb_preflight_check_gpu_count(&g, 4, &v);
    expect(&v, CB_PREFLIGHT_WARN, "ConstrainDevices=yes");
    g = gpus(4, -1, 1);
    cb_preflight_check_gpu_count(&g, 4, &v);
    expect(&v, CB_PREFLIGHT_WARN, "Slurm allocated none");
    g = gpus(8, -1, 0);
    cb_preflight_check_gpu_count(&g, 4, &v);
    expect(&v, CB_PREFLIGHT_WARN, "more than the profile's 4");
    g = gpus(4, -1, 0);
    g.visible = 4;
    cb_preflight_check_gpu_count(&g, 4, &v);
    expect(&v, CB_PREFLIGHT_PASS, "as the profile expects");
}

static void test_preflight_cuda_versions(void **state)
{
    (void)state;
    const char *hosts[] = {"n0", "n1", "n2", "n3"};
    cb_preflight_cuda_t c[4] = {
        {"575.51.03", 12090, 12080},
        {"575.51.03", 12090, 12080},
        {"570.86.10", 12080, 12080},
        {"575.51.03", 12090, 13000},
    };
    cb_preflight_verdict_t v;
    cb_preflight_check_cuda_versions(c, hosts, 4, 0, 4, &v);
    expect(&v, CB_PREFLIGHT_PASS, "driver 575.51.03 (CUDA 12.9), runtime 12.8");
    assert_double_equal(v.value, 12.9, 1e-9);
    cb_preflight_check_cuda_versions(c, hosts, 4, 2, 4, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "driver 570.86.10 here, 575.51.03 on n0, n1, n3");
    cb_preflight_check_cuda_versions(c, hosts, 4, 3, 4, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "runtime 13.0 is newer than the driver supports (CUDA 12.9)");
    c[3].runtime = 12060;
    cb_preflight_check_cuda_versions(c, hosts, 4, 3, 4, &v);
    expect(&v, CB_PREFLIGHT_WARN, "runtime 12.6 here, 12.8 on n0, n1, n2");

    /* CPU nodes: no driver anywhere */
    cb_preflight_cuda_t cpu[2] = {{"", 0, 13000}, {"", 0, 13000}};
    cb_preflight_check_cuda_versions(cpu, hosts, 2, 1, 0, &v);
    expect(&v, CB_PREFLIGHT_PASS, "no NVIDIA driver on any node");
    cb_preflight_check_cuda_versions(cpu, hosts, 2, 1, 2, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "no NVIDIA driver on this node");
    /* one node without a driver among GPU nodes on a CPU profile */
    cb_preflight_cuda_t mixed[2] = {{"575.51.03", 12090, 12080}, {"", 0, 12080}};
    cb_preflight_check_cuda_versions(mixed, hosts, 2, 1, 0, &v);
    expect(&v, CB_PREFLIGHT_WARN, "n0 has one");
    cb_preflight_check_cuda_versions(mixed, hosts, 2, 0, 0, &v);
    expect(&v, CB_PREFLIGHT_PASS, "1 node(s) have no driver");

    char buf[16];
    assert_string_equal(cb_preflight_cuda_version_str(12080, buf, sizeof buf), "12.8");
    assert_string_equal(cb_preflight_cuda_version_str(0, buf, sizeof buf), "none");
}

/* ---- results directory and shared storage ---- */

static void test_preflight_storage(void **state)
{
    (void)state;
    cb_preflight_verdict_t v;
    cb_preflight_check_results_dir("results", "", &v);
    expect(&v, CB_PREFLIGHT_PASS, "wrote a file in results");
    cb_preflight_check_results_dir("results", "create results/x: Permission denied", &v);
    expect(&v, CB_PREFLIGHT_FAIL, "Permission denied");

    const char *peers[] = {"node1", "node2"};
    cb_preflight_token_t ok[] = {CB_PREFLIGHT_TOKEN_OK, CB_PREFLIGHT_TOKEN_OK};
    cb_preflight_check_shared("results", 1, peers, ok, 2, &v);
    expect(&v, CB_PREFLIGHT_PASS, "2 other node(s)");
    assert_double_equal(v.value, 2, 0);
    cb_preflight_token_t missing[] = {CB_PREFLIGHT_TOKEN_OK, CB_PREFLIGHT_TOKEN_MISSING};
    cb_preflight_check_shared("results", 1, peers, missing, 2, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "node2 wrote in results are not visible here");
    cb_preflight_token_t differ[] = {CB_PREFLIGHT_TOKEN_MISMATCH, CB_PREFLIGHT_TOKEN_OK};
    cb_preflight_check_shared("results", 1, peers, differ, 2, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "other content");
    cb_preflight_token_t unread[] = {CB_PREFLIGHT_TOKEN_UNREADABLE, CB_PREFLIGHT_TOKEN_OK};
    cb_preflight_check_shared("results", 1, peers, unread, 2, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "cannot be read");
    cb_preflight_token_t absent[] = {CB_PREFLIGHT_TOKEN_NOT_WRITTEN, CB_PREFLIGHT_TOKEN_OK};
    cb_preflight_check_shared("results", 1, peers, absent, 2, &v);
    expect(&v, CB_PREFLIGHT_PASS, "(node1 wrote none)");
    cb_preflight_token_t none[] = {CB_PREFLIGHT_TOKEN_NOT_WRITTEN, CB_PREFLIGHT_TOKEN_NOT_WRITTEN};
    cb_preflight_check_shared("results", 1, peers, none, 2, &v);
    expect(&v, CB_PREFLIGHT_WARN, "not tested");
    cb_preflight_check_shared("results", 0, peers, ok, 2, &v);
    expect(&v, CB_PREFLIGHT_WARN, "this node could not write");
    cb_preflight_check_shared("results", 1, NULL, NULL, 0, &v);
    expect(&v, CB_PREFLIGHT_PASS, "single node");
}

/* ---- interface facts (the fake sysfs tree is read by test_preflight_facts) ---- */

static cb_preflight_iface_t nic(const char *state, int up, long speed, int virt)
{
    cb_preflight_iface_t f;
    memset(&f, 0, sizeof f);
    f.exists = 1;
    snprintf(f.operstate, sizeof f.operstate, "%s", state);
    f.flags_up = up;
    f.speed_mbps = speed;
    f.is_virtual = virt;
    if (speed < 0)
        snprintf(f.speed_why, sizeof f.speed_why, "sysfs speed reports -1");
    return f;
}

static void test_preflight_iface(void **state)
{
    (void)state;
    cb_preflight_verdict_t v;
    cb_preflight_iface_t f = nic("up", 1, 25000, 0);
    cb_preflight_check_iface("ens25g", &f, &v);
    expect(&v, CB_PREFLIGHT_PASS, "ens25g is up");
    f = nic("unknown", 1, -1, 1);
    cb_preflight_check_iface("lo", &f, &v);
    expect(&v, CB_PREFLIGHT_PASS, "IFF_UP");
    f = nic("down", 0, -1, 0);
    cb_preflight_check_iface("dn0", &f, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "ip link set dn0 up");
    f = nic("down", 1, -1, 0);
    cb_preflight_check_iface("nc0", &f, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "no carrier");
    f = nic("lowerlayerdown", 1, -1, 0);
    cb_preflight_check_iface("bond0.7", &f, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "VLAN parent");
    f = nic("dormant", 1, -1, 0);
    cb_preflight_check_iface("wl0", &f, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "operstate dormant");
    memset(&f, 0, sizeof f);
    snprintf(f.present, sizeof f.present, "eth0, lo");
    cb_preflight_check_iface("ib0", &f, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "ib0 not found on this node (present: eth0, lo)");
    cb_preflight_check_iface(NULL, &f, &v);
    expect(&v, CB_PREFLIGHT_WARN, "skipped: no profile");
    cb_preflight_check_iface("", &f, &v);
    expect(&v, CB_PREFLIGHT_WARN, "skipped: no profile");
}

static void test_preflight_link_speed(void **state)
{
    (void)state;
    cb_preflight_verdict_t v;
    cb_preflight_iface_t f = nic("up", 1, 25000, 0);
    cb_preflight_check_link_speed("ens25g", &f, 25, &v);
    expect(&v, CB_PREFLIGHT_PASS, "25000 Mb/s, the profile's line rate");
    assert_double_equal(v.value, 25000, 0);
    assert_double_equal(v.spec, 25000, 0);
    cb_preflight_check_link_speed("ens25g", &f, 2.5, &v);
    expect(&v, CB_PREFLIGHT_PASS, "above the profile's line rate 2.5 Gbit/s");
    cb_preflight_check_link_speed("ens25g", &f, 100, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "below the profile's line rate 100 Gbit/s");
    f = nic("up", 1, 2500, 0);
    cb_preflight_check_link_speed("ens2g5", &f, 2.5, &v);
    expect(&v, CB_PREFLIGHT_PASS, "the profile's line rate");
    f = nic("up", 1, -1, 0);
    cb_preflight_check_link_speed("virtio0", &f, 25, &v);
    expect(&v, CB_PREFLIGHT_WARN, "unknown (sysfs speed reports -1)");
    assert_true(isnan(v.value));
    f = nic("up", 1, 10000, 1);
    cb_preflight_check_link_speed("veth0", &f, 2.5, &v);
    expect(&v, CB_PREFLIGHT_WARN, "nominal");
    memset(&f, 0, sizeof f);
    cb_preflight_check_link_speed("ib0", &f, 100, &v);
    expect(&v, CB_PREFLIGHT_WARN, "not found");
    cb_preflight_check_link_speed(NULL, &f, 0, &v);
    expect(&v, CB_PREFLIGHT_WARN, "skipped: no profile");
}

/* ---- /dev/shm ---- */

static cb_preflight_shm_t shm(uint64_t total, uint64_t avail)
{
    cb_preflight_shm_t s;
    memset(&s, 0, sizeof s);
    snprintf(s.path, sizeof s.path, "/dev/shm");
    s.total_bytes = total;
    s.avail_bytes = avail;
    return s;
}

static void test_preflight_dev_shm(void **state)
{
    (void)state;
    cb_preflight_verdict_t v;
    cb_preflight_shm_t s = shm(32 * MiB, 32 * MiB);
    cb_preflight_check_dev_shm(&s, 0, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "under 64 MiB");
    s = shm(64 * MiB, 64 * MiB); /* Docker's default: not a failure by itself */
    cb_preflight_check_dev_shm(&s, 0, &v);
    expect(&v, CB_PREFLIGHT_WARN, "under the 512 MiB advised");
    s = shm(512 * MiB, 500 * MiB);
    cb_preflight_check_dev_shm(&s, 0, &v);
    expect(&v, CB_PREFLIGHT_PASS, "512 MiB");
    s = shm(2 * GiB, 2 * GiB);
    cb_preflight_check_dev_shm(&s, 4, &v);
    expect(&v, CB_PREFLIGHT_WARN, "under the 4.0 GiB advised for this node's GPUs");
    assert_double_equal(v.spec, (double)(4 * GiB), 0);
    s = shm(64 * GiB, 63 * GiB);
    cb_preflight_check_dev_shm(&s, 8, &v);
    expect(&v, CB_PREFLIGHT_PASS, "/dev/shm is 64 GiB");
    assert_double_equal(v.value, (double)(64 * GiB), 0);
    s = shm(16 * GiB, 10 * MiB);
    cb_preflight_check_dev_shm(&s, 1, &v);
    expect(&v, CB_PREFLIGHT_WARN, "only 10 MiB is free");
    s = shm(0, 0);
    s.err = 2;
    cb_preflight_check_dev_shm(&s, 1, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "cannot read /dev/shm");
}

/* ---- logind ---- */

static void test_preflight_logind_text(void **state)
{
    (void)state;
    assert_int_equal(cb_preflight_logind_removeipc("[Login]\nRemoveIPC=yes\n"), 1);
    assert_int_equal(cb_preflight_logind_removeipc("[Login]\nRemoveIPC=no\n"), 0);
    assert_int_equal(cb_preflight_logind_removeipc("[Login]\n#RemoveIPC=no\n"), -1);
    assert_int_equal(cb_preflight_logind_removeipc("[Login]\nRemoveIPC = off\n"), 0);
    assert_int_equal(cb_preflight_logind_removeipc("[Login]\nRemoveIPC=no\nRemoveIPC=yes\n"), 1);
    /* an invalid boolean is ignored, as systemd does */
    assert_int_equal(cb_preflight_logind_removeipc("[Login]\nRemoveIPC=no\nRemoveIPC=maybe\n"), 0);
    /* only [Login] counts */
    assert_int_equal(cb_preflight_logind_removeipc("[Other]\nRemoveIPC=no\n"), -1);
    assert_int_equal(cb_preflight_logind_removeipc("RemoveIPC=no\n"), -1);
    assert_int_equal(cb_preflight_logind_removeipc(""), -1);
    assert_int_equal(cb_preflight_logind_removeipc(NULL), -1);
}

static void test_preflight_removeipc(void **state)
{
    (void)state;
    cb_preflight_verdict_t v;
    cb_preflight_logind_t l = {.files = 1, .removeipc = 1,
                               .source = "set in /etc/systemd/logind.conf"};
    cb_preflight_check_removeipc(&l, &v);
    expect(&v, CB_PREFLIGHT_WARN, "RemoveIPC=no under [Login] in /etc/systemd/logind.conf");
    l.removeipc = -1;
    cb_preflight_check_removeipc(&l, &v);
    expect(&v, CB_PREFLIGHT_WARN, "systemd's default is yes");
    l.removeipc = 0;
    cb_preflight_check_removeipc(&l, &v);
    expect(&v, CB_PREFLIGHT_PASS, "RemoveIPC=no");
    l.files = 0;
    l.removeipc = -1;
    cb_preflight_check_removeipc(&l, &v);
    expect(&v, CB_PREFLIGHT_PASS, "not systemd");
}

/* ---- clocks ---- */

static void test_preflight_clock_offset(void **state)
{
    (void)state;
    /* Node 0.3 s ahead; round 2 has the smallest round trip (20 us). */
    const int64_t s0 = 1700000000000000000LL;
    int64_t ts[3] = {s0, s0 + 1000000, s0 + 2000000};
    int64_t tr[3] = {s0 + 500000, s0 + 1100000, s0 + 2000020};
    int64_t tn[3] = {s0 + 300000000 + 400000, s0 + 300000000 + 1090000, s0 + 300000000 + 2000010};
    double off, rtt;
    assert_int_equal(cb_preflight_clock_offset(ts, tn, tr, 3, &off, &rtt), CB_OK);
    assert_double_equal(rtt, 20e-9, 1e-12);
    assert_double_equal(off, 0.3, 1e-9);
    /* a round that ends before it starts */
    tr[1] = ts[1] - 1;
    assert_int_equal(cb_preflight_clock_offset(ts, tn, tr, 3, &off, &rtt), CB_ERR_INPUT);
    assert_int_equal(cb_preflight_clock_offset(ts, tn, tr, 0, &off, &rtt), CB_ERR_INPUT);
}

static void test_preflight_clock(void **state)
{
    (void)state;
    cb_preflight_verdict_t v;
    cb_preflight_check_clock("node0", 1, 0, 0, 0.5, &v);
    expect(&v, CB_PREFLIGHT_PASS, "reference");
    cb_preflight_check_clock("node0", 0, 0.000123, 0.0001, 0.5, &v);
    expect(&v, CB_PREFLIGHT_PASS, "+0.000123 s off node0's");
    assert_double_equal(v.value, 0.000123, 1e-12);
    assert_double_equal(v.spec, 0.5, 0);
    cb_preflight_check_clock("node0", 0, -0.73, 0.0001, 0.5, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "-0.730 s off node0's (tolerance 0.5 s)");
    cb_preflight_check_clock("node0", 0, 0.2, 0.0001, 0.1, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "chronyc");
    cb_preflight_check_clock("node0", 0, 0.01, 1.5, 0.5, &v);
    expect(&v, CB_PREFLIGHT_WARN, "cannot tell");
}

/* ---- exchange ---- */

static void test_preflight_exchange(void **state)
{
    (void)state;
    cb_preflight_verdict_t v;
    cb_preflight_exchange_t x = {.bytes = 4096, .ranks = 3, .nnodes = 3, .mpi = 1};
    cb_preflight_check_exchange(&x, &v);
    expect(&v, CB_PREFLIGHT_PASS, "across 3 nodes (3 ranks) verified");
    x.nnodes = 1;
    cb_preflight_check_exchange(&x, &v);
    expect(&v, CB_PREFLIGHT_PASS, "single node");
    x.wrong_alltoall = 5;
    cb_preflight_check_exchange(&x, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "5 wrong element(s)");
    assert_double_equal(v.value, 5, 0);
    x.err = CB_ERR_MPI;
    snprintf(x.why, sizeof x.why, "all-to-all: MPI error");
    cb_preflight_check_exchange(&x, &v);
    expect(&v, CB_PREFLIGHT_FAIL, "MPI exchange failed (all-to-all: MPI error)");
    cb_preflight_exchange_t none = {.mpi = 0};
    cb_preflight_check_exchange(&none, &v);
    expect(&v, CB_PREFLIGHT_PASS, "no MPI");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_preflight_names),
        cmocka_unit_test(test_preflight_nodes),
        cmocka_unit_test(test_preflight_hostnames),
        cmocka_unit_test(test_preflight_hostnames_many_unresolved),
        cmocka_unit_test(test_preflight_gpu_alloc),
        cmocka_unit_test(test_preflight_gpu_count),
        cmocka_unit_test(test_preflight_cuda_versions),
        cmocka_unit_test(test_preflight_storage),
        cmocka_unit_test(test_preflight_iface),
        cmocka_unit_test(test_preflight_link_speed),
        cmocka_unit_test(test_preflight_dev_shm),
        cmocka_unit_test(test_preflight_logind_text),
        cmocka_unit_test(test_preflight_removeipc),
        cmocka_unit_test(test_preflight_clock_offset),
        cmocka_unit_test(test_preflight_clock),
        cmocka_unit_test(test_preflight_exchange),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
