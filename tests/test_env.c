/* Unit tests of cb_env: the environment allow-list records transport
 * settings and never secrets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_test.h"

#include "cb_env.h"
#include "cb_error.h"

static void test_env_allow_list(void **state)
{
    (void)state;
    const char *yes[] = {"NCCL_SOCKET_IFNAME", "OMPI_MCA_btl", "UCX_TLS", "FI_PROVIDER",
                         "SLURM_JOB_ID", "CUDA_VISIBLE_DEVICES", "SLURM_NNODES", "CB_HOME"};
    const char *no[] = {"AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "HOME", "PATH", "PASSWORD",
                        "NCCL_SECRET", "FI_EFA_KEY", "SLURM_JOB_PASSWORD", "MY_NCCL_X", "",
                        "OMPI_ALLOW_RUN_AS_ROOT", "SSH_AUTH_SOCK", "HF_TOKEN"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(cb_env_allowed(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(cb_env_allowed(no[i]));
    assert_false(cb_env_allowed(NULL));
}

static void test_env_rows(void **state)
{
    (void)state;
    char dir[] = "/tmp/cb_test_env.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/env.csv", dir);
    char *envp[] = {"PATH=/usr/bin", "NCCL_IB_DISABLE=1", "AWS_SECRET_ACCESS_KEY=hunter2",
                    "OMPI_MCA_btl=self,tcp", "NOEQUALS", "=x", NULL};
    cb_results_ctx_t ctx;
    cb_results_ctx_init(&ctx, "t");
    cb_results_t *res = NULL;
    assert_int_equal(cb_results_open(path, &res, err, sizeof err), CB_OK);
    assert_int_equal(cb_env_write_rows(envp, "node0", &ctx, res), CB_OK);
    cb_results_close(res);
    cb_table_t t;
    cb_table_init(&t);
    assert_int_equal(cb_table_read(&t, path, err, sizeof err), CB_OK);
    assert_int_equal(t.nrows, 2);
    assert_string_equal(cb_table_str(&t, 0, CB_COL_METRIC), "NCCL_IB_DISABLE"); /* sorted */
    assert_string_equal(cb_table_str(&t, 1, CB_COL_METRIC), "OMPI_MCA_btl");
    assert_string_equal(cb_table_str(&t, 1, CB_COL_NOTE), "self,tcp");
    assert_string_equal(cb_table_str(&t, 0, CB_COL_BENCHMARK), "env");
    /* the secret is nowhere in the file */
    FILE *f = fopen(path, "r");
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_null(strstr(buf, "hunter2"));
    cb_table_free(&t);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env_allow_list),
        cmocka_unit_test(test_env_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
