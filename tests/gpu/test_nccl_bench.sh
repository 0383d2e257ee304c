#!/usr/bin/env bash
# GPU test (label gpu): the NCCL transport on CUDA memory, one rank per GPU,
# without mpirun: cb-allreduce (float, half, bfloat16) and cb-p2p with the
# check on; zero wrong elements. Skips (77) only where there is no GPU; fails
# where a GPU is present but the build has no NCCL or CUDA cannot use it.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=gpu_lib.sh
. "$(dirname "$0")/gpu_lib.sh"
gpu_test_start nccl nccl_test
set +e
"$bin/cb-allreduce" -t nccl -b 1K -e 1M -f 4 -d float,half,bfloat16 --time-per-size 0.05 \
  -o "$tmp/ar.csv" >"$tmp/ar.out" 2>"$tmp/ar.err"
rc=$?
set -e
if [ "$rc" -ne 0 ] && grep -q "no CUDA device" "$tmp/ar.err"; then
  gpu_no_device "$(head -1 "$tmp/ar.err")"
fi
cat "$tmp/ar.out" "$tmp/ar.err"
[ "$rc" -eq 0 ]
"$expect" "$tmp/ar.csv" --where benchmark=allreduce --where transport=nccl --where memory=cuda \
  --rows 36 --zero-wrong --status ok
"$bin/cb-p2p" -t nccl -b 1 -e 1M -f 16 --time-per-size 0.05 -o "$tmp/p2p.csv"
"$expect" "$tmp/p2p.csv" --where benchmark=p2p --where transport=nccl --min-rows 10 --zero-wrong --status ok
echo "PASS: NCCL transport on one GPU"
