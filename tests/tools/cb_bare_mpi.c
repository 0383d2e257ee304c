/* cb_bare_mpi: a bare MPI ping-pong and MPI_Allreduce loop (no harness), the
 * reference for measuring cb-p2p / cb-allreduce harness overhead.
 *   mpirun -np 2 cb_bare_mpi BYTES ITERS
 * Prints the mean half round trip and the mean all-reduce time in us. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    size_t bytes = argc > 1 ? (size_t)atol(argv[1]) : 8;
    int iters = argc > 2 ? atoi(argv[2]) : 10000;
    char *buf = calloc(bytes ? bytes : 1, 1);
    float *a = calloc(bytes / 4 + 1, sizeof *a), *b = calloc(bytes / 4 + 1, sizeof *b);
    for (int pass = 0; pass < 2; pass++) { /* pass 0 = warm-up */
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
        double pp = (MPI_Wtime() - t0) / iters / 2 * 1e6;
        MPI_Barrier(MPI_COMM_WORLD);
        t0 = MPI_Wtime();
        for (int i = 0; i < iters; i++)
            MPI_Allreduce(a, b, (int)(bytes / 4), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        double ar = (MPI_Wtime() - t0) / iters * 1e6;
        MPI_Allreduce(MPI_IN_PLACE, &ar, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        if (pass && rank == 0)
            printf("bare: %zu bytes, %d iters: pingpong half-RTT %.3f us, allreduce %.3f us\n", bytes,
                   iters, pp, ar);
    }
    free(buf);
    free(a);
    free(b);
    MPI_Finalize();
    return 0;
}
