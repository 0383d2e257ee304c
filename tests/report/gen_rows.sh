#!/bin/sh
# gen_rows.sh: write N rows (default 1000000) of clusterbench results CSV
# (schema_version 1, the column list of common/cb_results.h) to stdout, for
# timing `clusterbench report` on a large input. Deterministic: a mix of
# all-reduce (nodes 1..3, mpi/nccl, both placements, 1 KiB..1 GiB), all-pairs
# p2p, gpu, ddp and a few skipped rows, repeated over many runs with jitter.
#   usage: gen_rows.sh [N] > big.csv
set -eu
n=${1:-1000000}
awk -v N="$n" 'BEGIN {
    OFS = ","
    print "schema_version,run_id,timestamp_utc,cluster,slurm_job_id,benchmark,transport,memory,dtype,op,placement,nodes,ranks,ranks_per_node,hosts,host,peer,rank,peer_rank,bytes,iters,warmup_iters,time_us_min,time_us_median,time_us_mean,time_us_p95,time_us_max,time_us_stddev,time_us_ci95,algbw_gbps,busbw_gbps,metric,value,unit,spec_value,efficiency,wrong_elements,status,note"
    srand(42)
    split("node0 node1 node2", host, " ")
    split("mem_bw fp32 tf32 bf16 fp16", gm, " ")
    split("GB/s TFLOPS TFLOPS TFLOPS TFLOPS", gu, " ")
    split("936 35.6 71 142 142", gs, " ")
    rows = 0; run = 0
    while (rows < N) {
        run++
        rid = sprintf("run-%06d", run)
        ts = sprintf("2025-01-%02dT%02d:%02d:00Z", 1 + run % 28, run % 24, run % 60)
        kind = run % 10
        if (kind < 6) {                      # all-reduce sweep
            nodes = 1 + run % 3; tp = (run % 2) ? "mpi" : "nccl"; mem = tp == "mpi" ? "host" : "cuda"
            hosts = nodes == 1 ? "node0" : (nodes == 2 ? "\"node0,node1\"" : "\"node0,node1,node2\"")
            for (s = 10; s <= 30 && rows < N; s++) {
                bytes = 2 ^ s
                for (pl = 0; pl < 2 && rows < N; pl++) {
                    bw = nodes == 1 ? 20 : 0.29 * (1 - 1 / (1 + bytes / 65536))
                    t = 20 + bytes / (bw * 1e3) * (1 + 0.05 * rand())
                    alg = bytes / t / 1e3; bus = alg * (nodes == 1 ? 1 : 2 * (nodes - 1) / nodes)
                    print 1, rid, ts, "vcluster", run, "allreduce", tp, mem, "float", "sum", pl ? "in-place" : "out-of-place", nodes, nodes, 1, hosts, "", "", "", "", bytes, 100, 5, t * 0.97, t, t * 1.01, t * 1.1, t * 1.3, t * 0.02, t * 0.004, alg, bus, "", "", "", "", "", 0, "ok", ""
                    rows++
                }
            }
        } else if (kind < 8) {               # p2p all pairs on 3 nodes
            for (a = 1; a <= 3; a++) for (b = 1; b <= 3; b++) {
                if (a == b) continue
                for (s = 0; s <= 22 && rows < N; s += 2) {
                    bytes = 2 ^ s
                    for (o = 0; o < 3 && rows < N; o++) {
                        op = o == 0 ? "pingpong" : (o == 1 ? "bw" : "bibw")
                        bw = (o == 2 ? 0.58 : 0.29) * (1 - 1 / (1 + bytes / 16384)) * (a == 3 && b == 1 ? 0.7 : 1)
                        t = 30 + bytes / (bw * 1e3) * (1 + 0.05 * rand())
                        print 1, rid, ts, "vcluster", run, "p2p", "mpi", "host", "uint8", op, "", 3, 3, 1, "\"node0,node1,node2\"", host[a], host[b], a - 1, b - 1, bytes, 1000, 5, t, t, t, t, t, 0, 0, bytes / t / 1e3, bytes / t / 1e3, "", "", "", "", "", 0, "ok", ""
                        rows++
                    }
                }
            }
        } else if (kind == 8) {              # gpu per node
            for (h = 1; h <= 3 && rows < N; h++) for (m = 1; m <= 5 && rows < N; m++) {
                v = gs[m] * (h == 3 ? 0.8 : 0.95) * (1 + 0.01 * rand())
                print 1, rid, ts, "vcluster", run, "gpu", "cuda", "cuda", "", "", "", 3, 3, 1, "\"node0,node1,node2\"", host[h], "", h - 1, "", "", 50, 5, "", "", "", "", "", "", "", "", "", gm[m], v, gu[m], gs[m], v / gs[m], "", "ok", ""
                rows++
            }
        } else {                             # ddp and a skipped row
            for (nd = 2; nd <= 3 && rows < N; nd++) {
                t1 = 50 * (1 + 0.02 * rand()); tn = t1 + 30 * (nd - 1)
                split("t1_ms tn_ms speedup efficiency", dm, " ")
                dv[1] = t1; dv[2] = tn; dv[3] = nd * t1 / tn; dv[4] = t1 / tn
                for (k = 1; k <= 4 && rows < N; k++) {
                    print 1, rid, ts, "vcluster", run, "ddp", "nccl", "cuda", "float", "resnet50", "", nd, nd, 1, "", "", "", "", "", 102228128, 20, 5, "", "", "", "", "", "", "", "", "", dm[k], dv[k], k <= 2 ? "ms" : "", "", "", "", "ok", ""
                    rows++
                }
            }
            if (rows < N) {
                print 1, rid, ts, "vcluster", run, "allreduce", "nccl", "cuda", "float", "sum", "out-of-place", 3, 3, 1, "", "", "", "", "", sprintf("%.0f", 2 ^ 31), "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "skipped", "total time budget (--total-time) reached"
                rows++
            }
        }
    }
}'
