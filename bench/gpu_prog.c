/* cb-gpu's program on the skeleton (cb_prog.h): each rank measures its
 * GPU(s) on its own (gpu_measure.c), all GPUs of the run part by part
 * together, each part watched (a hang marks the part in flight and aborts
 * the job); rank 0 gathers every report and writes the CSV (benchmark=gpu),
 * prints per-GPU results, a summary table and the slow-GPU verdicts
 * (gpu_report.c). Without a CUDA device (or a CUDA build) it writes a
 * skipped row, or fails with --require-gpu. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_comm.h"
#include "cb_error.h"
#include "cb_gpu.h"
#include "cb_results.h"
#include "cb_topo.h"
#include "cb_transport.h"

#define PROG "cb-gpu"
/* A part's expectation for its automatic timeout (60 s + 20x this): GEMMs
 * of 8192 checked against a CPU reference take a while on slow GPUs. */
#define PART_EXPECT_S 30.0

/* Which devices this rank measures: --device N; all of them when the rank
 * is alone on its node; else the node-local rank's. Fills devs, returns how
 * many (0 = none: reason in why). */
static int pick_devices(const cb_gpu_opts_t *o, const cb_comm_t *comm, int ndev, int *devs,
                        char *why, size_t len)
{
    if (ndev <= 0)
        return 0;
    if (o->device >= 0) {
        if (o->device >= ndev) {
            snprintf(why, len, "--device %d: this process sees %d CUDA device(s)", o->device, ndev);
            return 0;
        }
        devs[0] = o->device;
        return 1;
    }
    if (comm->local_size <= 1) {
        int n = ndev < CB_TOPO_MAX_GPUS ? ndev : CB_TOPO_MAX_GPUS;
        for (int i = 0; i < n; i++)
            devs[i] = i;
        return n;
    }
    devs[0] = cb_cuda_device_for_rank(comm->local_rank, ndev);
    return 1;
}

static const char *part_name(int part)
{
    switch (part) {
    case CB_GPU_PART_PCIE: return "pcie";
    case CB_GPU_PART_MEMBW: return "membw";
    case CB_GPU_PART_FMA: return "fma";
    default: return "gemm";
    }
}

static int run(cb_session_t *s)
{
    const cb_gpu_opts_t *o = s->opts;
    cb_comm_t *comm = &s->comm;
    cb_gpu_report_t *mine = NULL, *all = NULL;
    int status = 0;
    /* Measure this rank's GPUs. */
    char why[200] = "";
    int ndev = cb_cuda_device_count(why, sizeof why);
    int devs[CB_TOPO_MAX_GPUS];
    int nmine = pick_devices(o, comm, ndev, devs, why, sizeof why);
    int nrep = nmine ? nmine : 1, ok;
    /* Every rank walks k devices (the most any rank has) part by part, with
     * a barrier after each part: all GPUs of the run do the same thing at the
     * same time, so GPUs that share a host (PCIe, memory) are compared fairly. */
    double kmax = nrep;
    cb_comm_allreduce_max_double(comm, &kmax, 1);
    int k = (int)kmax;
    mine = calloc((size_t)k, sizeof *mine);
    ok = mine != NULL;
    if (comm->rank == 0 && ok && !(all = calloc((size_t)comm->size * (size_t)k, sizeof *all)))
        ok = 0;
    cb_comm_allreduce_min_int(comm, &ok, 1);
    if (!ok) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        status = 3;
        goto out;
    }
    static const int parts[] = {CB_GPU_PART_PCIE, CB_GPU_PART_MEMBW, CB_GPU_PART_FMA,
                                CB_GPU_PART_GEMM};
    for (int i = 0; i < k; i++) {
        cb_gpu_report_t *r = &mine[i];
        snprintf(r->host, sizeof r->host, "%s", comm->hostname);
        r->rank = comm->rank;
        r->device = i < nrep ? -1 : -2; /* -2: padding for the gather */
        cb_gpu_ctx_t c = {.o = o, .progress = comm->rank == 0 && !o->common.quiet, .rep = r,
                          .others = comm->size > 1 ? comm->local_size - 1 : 0};
        int active = 0;
        if (i < nrep && !nmine)
            /* one wording for "no device" however it came about */
            snprintf(r->reason, sizeof r->reason, "%s%s",
                     ndev <= 0 && strncmp(why, "no CUDA device", 14) ? "no CUDA device: " : "", why);
        else if (i < nrep)
            active = cb_gpu_device_begin(&c, devs[i]) == CB_OK;
        for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) {
            if (!(o->parts & parts[p]))
                continue;
            /* The part in flight, marked if a rank or GPU hangs in it. */
            char what[96], note[160];
            snprintf(what, sizeof what, "the %s measurements of GPU slot %d", part_name(parts[p]),
                     i);
            snprintf(note, sizeof note, "watchdog: the %s measurements of GPU slot %d did not "
                                        "finish within --timeout", part_name(parts[p]), i);
            cb_row_t row;
            if (comm->rank == 0) {
                cb_row_init(&row, &s->ctx);
                cb_row_set_str(&row, CB_COL_BENCHMARK, "gpu");
                cb_row_set_str(&row, CB_COL_OP, part_name(parts[p]));
                cb_row_set_str(&row, CB_COL_METRIC, part_name(parts[p]));
            }
            cb_prog_point_begin(s, comm->rank == 0 ? &row : NULL, note, NULL, PART_EXPECT_S, what);
            if (comm->rank == 0)
                cb_row_clear(&row);
            if (active)
                cb_gpu_device_part(&c, parts[p]);
            cb_comm_barrier(comm);
            cb_prog_point_end(s);
        }
        if (active)
            cb_gpu_device_end(&c);
    }

    /* Gather every rank's reports to rank 0. */
    if (cb_comm_gather(comm, mine, (size_t)k * sizeof *mine, all, 0)) {
        status = 3;
        goto out;
    }
    if (comm->rank == 0) {
        size_t n = 0;
        for (size_t i = 0; i < (size_t)comm->size * (size_t)k; i++)
            if (all[i].device != -2)
                all[n++] = all[i];
        status = cb_gpu_report_results(o, &s->ctx, s->res, all, n, stdout);
    }
    cb_comm_bcast(comm, &status, sizeof status, 0);
out:
    free(mine);
    free(all);
    return status;
}

/* --list-specs prints the table instead of running. */
static int parse(int argc, char **argv, void *opts, FILE *out, char *err, size_t errlen)
{
    cb_gpu_opts_t *o = opts;
    int rc = cb_gpu_parse_args(argc, argv, o, out, err, errlen);
    if (rc == CB_OK && o->list_specs) {
        cb_gpu_print_specs(out);
        return 1;
    }
    return rc;
}

static const cb_prog_desc_t cb_gpu_prog = {
    .name = PROG,
    .flags = CB_PROG_TOPO_ROWS,
    .threads = CB_COMM_THREADS_SINGLE,
    .opts_size = sizeof(cb_gpu_opts_t),
    .common_offset = offsetof(cb_gpu_opts_t, common),
    .parse = parse,
    .run = run,
};

int cb_gpu_main(int argc, char **argv)
{
    return cb_prog_main(&cb_gpu_prog, argc, argv);
}
