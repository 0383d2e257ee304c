/* cb_bw: algorithm and bus bandwidth exactly as nccl-tests defines them
 * (doc/PERFORMANCE.md). S = bytes per rank buffer, t = seconds per operation,
 * n = ranks; GB = 1e9 B. */
#ifndef CB_BW_H
#define CB_BW_H

typedef enum cb_coll {
    CB_COLL_ALLREDUCE,
    CB_COLL_SENDRECV,
} cb_coll_t;

/* algbw multiplier on S/t: 1 for all-reduce and send/receive (nccl-tests
 * has n for reduce-scatter/all-gather/all-to-all, which clusterbench does not
 * measure). */
double cb_bw_alg_factor(cb_coll_t coll, int nranks);
/* busbw = algbw * factor: 2(n-1)/n all-reduce (0 for n = 1, as nccl-tests
 * prints); 1 for send/receive. */
double cb_bw_bus_factor(cb_coll_t coll, int nranks);
/* algbw in GB/s for `bytes` in `time_us` microseconds. */
double cb_bw_algbw_gbps(cb_coll_t coll, double bytes, double time_us, int nranks);

#endif
