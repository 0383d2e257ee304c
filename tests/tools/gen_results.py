#!/usr/bin/env python3
"""gen_results.py: a synthetic clusterbench results CSV for scale tests.

Writes a valid results file (schema_version 1, the columns of
common/cb_results.h) for N nodes: the all-pairs point-to-point rows that
`cb-p2p --all-pairs --mode bw` writes (benchmark=p2p, op=bw, one row per
ordered node pair: N(N-1) directions, at each --p2p-bytes size) and, with
--allreduce, all-reduce rows at node counts 1, 2, 4, ... up to N (powers of
two plus N) over a sweep of sizes. Chosen nodes can be made slow: every
direction from or to them runs at --slow-factor of the others' rate.
Deterministic for a given seed. Standard library only.

  usage: gen_results.py --nodes 64 [--slow node017] [--allreduce] [-o out.csv]
"""
import argparse
import csv
import random
import sys

COLUMNS = (
    "schema_version,run_id,timestamp_utc,cluster,slurm_job_id,benchmark,transport,memory,"
    "dtype,op,placement,nodes,ranks,ranks_per_node,hosts,host,peer,rank,peer_rank,bytes,iters,"
    "warmup_iters,time_us_min,time_us_median,time_us_mean,time_us_p95,time_us_max,"
    "time_us_stddev,time_us_ci95,algbw_gbps,busbw_gbps,metric,value,unit,spec_value,efficiency,"
    "wrong_elements,status,note"
).split(",")


def parse_bytes(s):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    s = s.strip()
    if s and s[-1].upper() in mult:
        return int(s[:-1]) * mult[s[-1].upper()]
    return int(s)


def host_names(n, prefix):
    width = len(str(n - 1))
    return ["%s%0*d" % (prefix, width, i) for i in range(n)]


def node_counts(n):
    counts, c = [], 1
    while c < n:
        counts.append(c)
        c *= 2
    counts.append(n)
    return counts


def g(v):
    """%.6g, as the C writer formats numbers."""
    return "%.6g" % v


def timing(t_us, rng):
    """time_us_{min,median,mean,p95,max,stddev,ci95} around a median t_us."""
    j = 1 + 0.01 * rng.random()
    return [g(t_us * 0.97), g(t_us), g(t_us * j), g(t_us * 1.1), g(t_us * 1.3),
            g(t_us * 0.02), g(t_us * 0.004)]


def row(**kv):
    r = {c: "" for c in COLUMNS}
    r.update({k: str(v) for k, v in kv.items()})
    return [r[c] for c in COLUMNS]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, required=True, help="node count N (>= 2)")
    ap.add_argument("--slow", action="append", default=[],
                    help="a node made slow: its name (node017) or index (17); repeatable")
    ap.add_argument("--slow-factor", type=float, default=0.1,
                    help="rate of the slow node's directions against the others (0.1)")
    ap.add_argument("--p2p-bytes", default="16M",
                    help="comma-separated all-pairs message sizes (16M)")
    ap.add_argument("--no-p2p", action="store_true", help="no all-pairs rows")
    ap.add_argument("--allreduce", action="store_true",
                    help="all-reduce rows at 1, 2, 4, ..., N nodes")
    ap.add_argument("--line-gbps", type=float, default=2.5, help="link rate, Gbit/s (2.5)")
    ap.add_argument("--cluster", default="synth", help="cluster name (synth)")
    ap.add_argument("--prefix", default="node", help="host name prefix (node)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", help="output file (default stdout)")
    a = ap.parse_args(argv)
    if a.nodes < 2 or a.nodes > 4096:
        ap.error("--nodes must be 2..4096")
    if not 0 < a.slow_factor <= 1:
        ap.error("--slow-factor must be in (0, 1]")
    hosts = host_names(a.nodes, a.prefix)
    slow = set()
    for s in a.slow:
        if s.isdigit() and int(s) < a.nodes:
            slow.add(int(s))
        elif s in hosts:
            slow.add(hosts.index(s))
        else:
            ap.error("--slow %s: no such node" % s)
    rng = random.Random(a.seed)
    out = open(a.output, "w", newline="") if a.output else sys.stdout
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    goodput = a.line_gbps / 8 * 0.94  # GB/s
    ts = "2026-12-01T10:00:00Z"

    if not a.no_p2p:
        allhosts = ",".join(hosts)
        sizes = [parse_bytes(s) for s in a.p2p_bytes.split(",")]
        for i in range(a.nodes):
            for j in range(a.nodes):
                if i == j:
                    continue
                for b in sizes:
                    bw = goodput * (0.97 + 0.03 * rng.random())
                    if i in slow or j in slow:
                        bw *= a.slow_factor
                    t = b / (bw * 1e3)
                    w.writerow(row(
                        schema_version=1, run_id="synth-p2p", timestamp_utc=ts,
                        cluster=a.cluster, slurm_job_id=100, benchmark="p2p", transport="mpi",
                        memory="host", dtype="uint8", op="bw", nodes=a.nodes, ranks=a.nodes,
                        ranks_per_node=1, hosts=allhosts, host=hosts[i], peer=hosts[j], rank=i,
                        peer_rank=j, bytes=b, iters=20, warmup_iters=2,
                        **dict(zip(COLUMNS[22:29], timing(t, rng))),
                        algbw_gbps=g(b / t / 1e3), busbw_gbps=g(b / t / 1e3),
                        wrong_elements=0, status="ok",
                        note="window 4 (at most 64 MiB in flight)"))

    if a.allreduce:
        for n in node_counts(a.nodes):
            nh = hosts[:n]
            for e in range(10, 29, 2):
                b = 1 << e
                if n == 1:
                    bus = 20.0 * b / (b + 65536)
                else:
                    ring = goodput * (1 / (1 + 0.03 * (n.bit_length() - 1)))
                    if any(k < n for k in slow):  # a ring runs at its slowest link
                        ring *= a.slow_factor
                    bus = ring * b / (b + 262144 * n ** 0.5)
                bus *= 0.98 + 0.02 * rng.random()
                factor = 2 * (n - 1) / n if n > 1 else 1
                alg = bus / factor
                t = b / (alg * 1e3)
                w.writerow(row(
                    schema_version=1, run_id="synth-ar-%d" % n, timestamp_utc=ts,
                    cluster=a.cluster, slurm_job_id=200 + n, benchmark="allreduce",
                    transport="mpi", memory="host", dtype="float", op="sum",
                    placement="out-of-place", nodes=n, ranks=n, ranks_per_node=1,
                    hosts=",".join(nh), bytes=b, iters=20, warmup_iters=2,
                    **dict(zip(COLUMNS[22:29], timing(t, rng))),
                    algbw_gbps=g(alg), busbw_gbps=g(bus), wrong_elements=0, status="ok"))
    if out is not sys.stdout:
        out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
