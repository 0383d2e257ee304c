/* cb_bw: algorithm and bus bandwidth exactly as nccl-tests defines them
 * (doc/PERFORMANCE.md). S = bytes per rank buffer, t = seconds per operation,
 * n = ranks; GB = 1e9 B. */
#ifndef CB_BW_H
#define CB_BW_H

typedef enum cb_coll {
    CB_COLL_ALLREDUCE,
    CB_COLL_REDUCESCATTER,
    CB_COLL_ALLGATHER,
    CB_COLL_ALLTOALL,
    CB_COLL_BROADCAST,
    CB_COLL_REDUCE,
    CB_COLL_SENDRECV,
} cb_coll_t;

/* algbw multiplier on S/t: n for reduce-scatter/all-gather/all-to-all, else 1. */
double cb_bw_alg_factor(cb_coll_t coll, int nranks);
/* busbw = algbw * factor: 2(n-1)/n all-reduce; (n-1)/n RS/AG/A2A; 1 otherwise.
 * n = 1 gives 0 for the n-dependent ones, as nccl-tests prints. */
double cb_bw_bus_factor(cb_coll_t coll, int nranks);
/* algbw in GB/s for `bytes` in `time_us` microseconds. */
double cb_bw_algbw_gbps(cb_coll_t coll, double bytes, double time_us, int nranks);

#endif
