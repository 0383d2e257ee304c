/* cb_bare_mpi: bare MPI loops (no harness), the reference for measuring the
 * timing overhead of cb-p2p and cb-allreduce (issue 15; scripts/overhead-check):
 * the same MPI calls those programs make, timed as one loop per size.
 *   mpirun -np 2 cb_bare_mpi BYTES ITERS            (both tests, one size)
 *   mpirun -np N cb_bare_mpi -m pingpong|allreduce|both -b MIN -e MAX -f F -n ITERS
 * pingpong: ranks 0 and 1, MPI_Send then MPI_Recv (1 the reverse), the mean
 * half round trip in us; allreduce: MPI_Allreduce of BYTES/4 floats (sum, out
 * of place, as cb-allreduce -p out), the mean time in us. Each size runs a
 * warm-up loop of ITERS first; the time is the slowest rank's.
 * One line per size: "bare: <bytes> bytes, <iters> iters: pingpong half-RTT
 * <us> us, allreduce <us> us" (a test not run prints "-"). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double pingpong(int rank, int size, char *buf, size_t bytes, int iters)
{
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    for (int i = 0; i < iters && size > 1; i++) {
        if (rank == 0) {
            MPI_Send(buf, (int)bytes, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
            MPI_Recv(buf, (int)bytes, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else if (rank == 1) {
            MPI_Recv(buf, (int)bytes, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Send(buf, (int)bytes, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
        }
    }
    double us = (MPI_Wtime() - t0) / iters / 2 * 1e6;
    MPI_Allreduce(MPI_IN_PLACE, &us, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return us;
}

static double allreduce(const float *a, float *b, size_t bytes, int iters)
{
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    for (int i = 0; i < iters; i++)
        MPI_Allreduce(a, b, (int)(bytes / 4), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    double us = (MPI_Wtime() - t0) / iters * 1e6;
    MPI_Allreduce(MPI_IN_PLACE, &us, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return us;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    size_t lo = 8, hi = 8, factor = 2;
    int iters = 10000, pp = 1, ar = 1;
    if (argc > 1 && argv[1][0] != '-') { /* the old form: BYTES [ITERS] */
        lo = hi = (size_t)atol(argv[1]);
        if (argc > 2)
            iters = atoi(argv[2]);
    }
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *f = argv[i], *v = argv[i + 1];
        if (!strcmp(f, "-b"))
            lo = (size_t)atol(v);
        else if (!strcmp(f, "-e"))
            hi = (size_t)atol(v);
        else if (!strcmp(f, "-f"))
            factor = (size_t)atol(v);
        else if (!strcmp(f, "-n"))
            iters = atoi(v);
        else if (!strcmp(f, "-m")) {
            pp = !strcmp(v, "pingpong") || !strcmp(v, "both");
            ar = !strcmp(v, "allreduce") || !strcmp(v, "both");
        }
    }
    if (iters < 1 || factor < 2 || lo < 1 || hi < lo) {
        if (rank == 0)
            fprintf(stderr, "cb_bare_mpi: bad arguments\n");
        MPI_Finalize();
        return 2;
    }
    char *buf = calloc(hi, 1);
    float *a = calloc(hi / 4 + 1, sizeof *a), *b = calloc(hi / 4 + 1, sizeof *b);
    for (size_t bytes = lo; bytes <= hi; bytes *= factor) {
        double p = -1, r = -1;
        for (int pass = 0; pass < 2; pass++) { /* pass 0 = warm-up */
            if (pp)
                p = pingpong(rank, size, buf, bytes, iters);
            if (ar)
                r = allreduce(a, b, bytes, iters);
        }
        if (rank == 0) {
            char ps[32] = "-", rs[32] = "-";
            if (pp)
                snprintf(ps, sizeof ps, "%.3f", p);
            if (ar)
                snprintf(rs, sizeof rs, "%.3f", r);
            printf("bare: %zu bytes, %d iters: pingpong half-RTT %s us, allreduce %s us\n", bytes,
                   iters, ps, rs);
        }
    }
    free(buf);
    free(a);
    free(b);
    MPI_Finalize();
    return 0;
}
