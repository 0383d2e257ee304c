#!/usr/bin/env bash
# GPU test (label gpu): cb-gpu on device 0 with small sizes, data checks on:
# every measurement ok with zero wrong elements, one gpu_info row. Skips
# (77) where no CUDA device is usable.
set -euo pipefail
bin=${CB_BIN:?CB_BIN not set}
expect=${CB_CSV_EXPECT:?CB_CSV_EXPECT not set}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tmp=$(mktemp -d /tmp/cb_gpu_test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
set +e
"$bin/cb-gpu" --device 0 --gemm-sizes 256,1024 --mem-size 64M -w 1 -n 3 -o "$tmp/g.csv" \
  >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
if grep -q "skipped.*no CUDA device" "$tmp/out"; then
  echo "SKIP: no CUDA device: $(grep -m1 "no CUDA device" "$tmp/out" | sed "s/.*no CUDA device:* *//")"; exit 77
fi
cat "$tmp/out" "$tmp/err"
[ "$rc" -eq 0 ]
"$expect" "$tmp/g.csv" --where benchmark=gpu --where metric=gpu_info --rows 1 --status ok
for m in h2d_pinned_gbps d2h_pinned_gbps d2d_copy_kernel_gbps d2d_memcpy_gbps d2d_triad_kernel_gbps \
         fma_fp32_tflops; do
  "$expect" "$tmp/g.csv" --where benchmark=gpu --where metric=$m --rows 1 --zero-wrong --status ok
done
for t in fp32 tf32 bf16 fp16; do
  "$expect" "$tmp/g.csv" --where benchmark=gpu --where metric=gemm_${t}_tflops --rows 2 --zero-wrong --status ok
done
"$expect" "$tmp/g.csv" --where benchmark=gpu --where metric=gemm_fp8_tflops --min-rows 1
echo "PASS: cb-gpu on one GPU"
