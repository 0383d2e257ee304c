/* cb_bare_mpi: bare MPI loops (no harness), the reference for measuring the
 * timing overhead of cb-p2p and cb-allreduce (issue 15; scripts/overhead-check):
 * the same MPI calls those programs make, timed as one loop per size.
 *   mpirun -np 2 cb_bare_mpi BYTES ITERS            (both tests, one size)
 *   mpirun -np N cb_bare_mpi -m pingpong|allreduce|both -b MIN -e MAX -f F -n ITERS
 * pingpong: ranks 0 and 1, MPI_Send then MPI_Recv (1 the reverse), the mean
 * half round trip in us; allreduce: MPI_Allreduce of BYTES/4 floats (sum, out
 * of place, as cb-allreduce -p out), the mean time in us. Each size runs a
 * warm-up loop of ITERS first (timed whole: it sizes the segments); the timed
 * loop reads the clock once every segment of about 50 us (2 clock reads per
 * segment: well under 0.1% of it), so that on a shared, noisy machine the
 * median segment, each the slowest rank's, says what an undisturbed loop
 * costs; the mean is the whole loop's time over ITERS, the slowest rank's.
 * One line per size: "bare: <bytes> bytes, <iters> iters: pingpong half-RTT
 * <us> us, allreduce <us> us (median of 50 us batches: pingpong <us> us,
 * allreduce <us> us)" (a test not run prints "-"). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEGMENT_US 50.0

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void one_pingpong(int rank, char *buf, size_t bytes)
{
    if (rank == 0) {
        MPI_Send(buf, (int)bytes, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
        MPI_Recv(buf, (int)bytes, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else if (rank == 1) {
        MPI_Recv(buf, (int)bytes, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Send(buf, (int)bytes, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
    }
}

/* One timed loop of iters iterations in segments of seg (the last may be
 * shorter; ignored for the median unless it is the only one): *mean_us
 * per iteration over the whole loop, *median_us the median segment's per
 * iteration, both the slowest rank's. what: 0 ping-pong, 1 all-reduce. */
static void loop(int what, int rank, int size, char *buf, const float *a, float *b,
                 size_t bytes, int iters, int seg, double *mean_us, double *median_us)
{
    int nseg = (iters + seg - 1) / seg;
    double *t = calloc((size_t)nseg, sizeof *t);
    MPI_Barrier(MPI_COMM_WORLD);
    double start = MPI_Wtime();
    for (int s = 0, i = 0; s < nseg; s++) {
        int end = i + seg < iters ? i + seg : iters;
        double t0 = MPI_Wtime();
        if (what == 0) {
            for (; i < end && size > 1; i++)
                one_pingpong(rank, buf, bytes);
            i = end;
        } else {
            for (; i < end; i++)
                MPI_Allreduce(a, b, (int)(bytes / 4), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        }
        t[s] = (MPI_Wtime() - t0) / (end - s * seg);
    }
    double total = (MPI_Wtime() - start) / iters;
    MPI_Allreduce(MPI_IN_PLACE, t, nseg, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    MPI_Allreduce(MPI_IN_PLACE, &total, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    int full = nseg > 1 && iters % seg ? nseg - 1 : nseg;
    qsort(t, (size_t)full, sizeof *t, cmp_double);
    double med = full % 2 ? t[full / 2] : (t[full / 2 - 1] + t[full / 2]) / 2;
    double half = what == 0 ? 2 : 1; /* ping-pong: half a round trip */
    *mean_us = total / half * 1e6;
    *median_us = med / half * 1e6;
    free(t);
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
        double mean[2] = {-1, -1}, med[2] = {-1, -1};
        for (int what = 0; what < 2; what++) {
            if (!(what == 0 ? pp : ar))
                continue;
            /* warm-up, timed whole: it sizes the segments */
            loop(what, rank, size, buf, a, b, bytes, iters, iters, &mean[what], &med[what]);
            double it_us = mean[what] * (what == 0 ? 2 : 1);
            int seg = it_us > 0 ? (int)(SEGMENT_US / it_us) + 1 : 1;
            if (seg > iters)
                seg = iters;
            loop(what, rank, size, buf, a, b, bytes, iters, seg, &mean[what], &med[what]);
        }
        if (rank == 0) {
            char s[4][32];
            for (int k = 0; k < 4; k++) {
                double v = k < 2 ? mean[k] : med[k - 2];
                if (v < 0)
                    snprintf(s[k], sizeof s[k], "-");
                else
                    snprintf(s[k], sizeof s[k], "%.3f", v);
            }
            printf("bare: %zu bytes, %d iters: pingpong half-RTT %s us, allreduce %s us (median "
                   "of %g us batches: pingpong %s us, allreduce %s us)\n",
                   bytes, iters, s[0], s[1], SEGMENT_US, s[2], s[3]);
        }
        if (bytes > hi / factor)
            break;
    }
    free(buf);
    free(a);
    free(b);
    MPI_Finalize();
    return 0;
}
