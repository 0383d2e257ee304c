#!/usr/bin/env bash
# MPI integration test: `mpirun -np NP` runs of cb-allreduce and cb-p2p on
# this machine with the check on; asserts zero wrong elements and the
# expected rows in the CSV. Usage: test_mpi_bench.sh NP
set -euo pipefail
np=${1:?usage: test_mpi_bench.sh NP}
bin=${CB_BIN:?CB_BIN not set}
if ! command -v mpirun >/dev/null 2>&1; then
  echo "SKIP: mpirun not found (install openmpi-bin: scripts/setup-deps)"; exit 77
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Don't let a stray hostfile or the network get involved: local ranks only.
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader,tcp
tmp=$(mktemp -d /tmp/cb_mpi_test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
run() { echo "+ $*"; timeout 180 "$@"; }

# all-reduce: 1K..1M by 4 = 6 sizes x 2 placements x 2 dtypes
run mpirun -np "$np" "$bin/cb-allreduce" -b 1K -e 1M -f 4 -d float,double --check \
  --time-per-size 0.05 --cluster mpitest -o "$tmp/ar.csv" | tee "$tmp/ar.out"
grep -q "busbw_GB/s" "$tmp/ar.out"
expect=${CB_CSV_EXPECT:-$bin/cb_csv_expect}
"$expect" "$tmp/ar.csv" --where benchmark=allreduce --where ranks="$np" --where cluster=mpitest \
  --rows 24 --zero-wrong --status ok
"$expect" "$tmp/ar.csv" --where benchmark=allreduce --where dtype=double --where placement=in-place --rows 6
"$expect" "$tmp/ar.csv" --where benchmark=topo --where metric=cpu_cores --rows 1

# p2p: 1..64K by 4 = 9 sizes x (latency, bw, bibw) between ranks 0 and 1
run mpirun -np "$np" "$bin/cb-p2p" -b 1 -e 64K -f 4 --time-per-size 0.05 -o "$tmp/p2p.csv" | tee "$tmp/p2p.out"
grep -q "latency" "$tmp/p2p.out"
"$expect" "$tmp/p2p.csv" --where benchmark=p2p --where ranks="$np" --rows 27 --zero-wrong --status ok
for op in pingpong bw bibw; do
  "$expect" "$tmp/p2p.csv" --where benchmark=p2p --where op=$op --where rank=0 --where peer_rank=1 --rows 9
done
echo "PASS: cb-allreduce and cb-p2p on $np ranks"
