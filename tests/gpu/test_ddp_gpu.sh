#!/usr/bin/env bash
# GPU test (label gpu) of cb-ddp's GPU path (bench/ddp_gpu.c): --transport
# nccl on one rank without mpirun — the bucket all-reduces through the NCCL
# transport, then the step engine's busy kernels on the compute stream: exit 0,
# rows of nccl/cuda with "gpu compute" in the note, every T1 at least the step
# time asked for (the busy kernel never ends early; how much longer is speed:
# printed, not asserted). With two GPUs or more and mpirun: 2 ranks, one GPU
# each, so the engine's NCCL all-reduces overlap the backward for real (T_N,
# speedup and model rows). Skips (77) only where there is no GPU; fails where
# a GPU is present but the build has no NCCL or CUDA cannot use it.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=gpu_lib.sh
. "$(dirname "$0")/gpu_lib.sh"
gpu_test_start nccl ddp_gpu
args=(--transport nccl --grad-bytes 64M --step-ms '10,40' --iters 3)
set +e
"$bin/cb-ddp" "${args[@]}" -o "$tmp/one.csv" >"$tmp/one.out" 2>"$tmp/one.err"
rc=$?
set -e
if [ "$rc" -ne 0 ] && grep -q "no CUDA device" "$tmp/one.err"; then
  gpu_no_device "$(head -1 "$tmp/one.err")"
fi
cat "$tmp/one.out" "$tmp/one.err"
[ "$rc" -eq 0 ]
"$expect" "$tmp/one.csv" --where benchmark=ddp --where transport=nccl --where memory=cuda \
  --where metric=t1_ms --rows 2 --status ok
"$expect" "$tmp/one.csv" --where benchmark=ddp --where metric=t1_ms --print note | grep -q 'gpu compute' ||
  { echo "FAIL: the rows do not say gpu compute"; exit 1; }
"$expect" "$tmp/one.csv" --where benchmark=allreduce --where transport=nccl --min-rows 1 --zero-wrong \
  --status ok
"$expect" "$tmp/one.csv" --where benchmark=ddp --where metric=t1_ms --print note,value |
  awk -F'\t' '{ split($1, a, "[=;]"); want = a[2] + 0
                printf "  T1 asked %g ms, measured %.3f ms\n", want, $2
                if ($2 + 0 < 0.95 * want) { print "  FAIL: shorter than asked"; bad = 1 } }
              END { exit bad }'
n=$(gpu_count)
if [ "$n" -ge 2 ] && command -v mpirun >/dev/null 2>&1; then
  mpirun -np 2 --oversubscribe "$bin/cb-ddp" "${args[@]}" -o "$tmp/two.csv"
  for m in t1_ms tn_ms speedup efficiency model_tn_ms; do
    "$expect" "$tmp/two.csv" --where benchmark=ddp --where ranks=2 --where metric=$m --rows 2 --status ok
  done
  echo "PASS: cb-ddp's GPU path on 1 and 2 GPUs"
else
  echo "PASS: cb-ddp's GPU path on 1 GPU (2 ranks need 2 GPUs and mpirun: $n GPU(s) here)"
fi
