#!/usr/bin/env bash
# GPU test (label gpu): cb-gpu on device 0, data checks on: every measurement
# ok with zero wrong elements, one gpu_info row; then the headline figures
# against the spec table (gpu_sanity: above 20% and below 120% of spec for
# device memory bandwidth, FMA and every GEMM type at n = 8192; PCIe where
# its line rate is known). Buffers of 256 MiB (beyond any L2) and GEMMs of
# 256 and 8192. Skips (77) only where there is no GPU; fails where a GPU is
# present but the build has no CUDA or CUDA cannot use it (gpu_lib.sh).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=gpu_lib.sh
. "$(dirname "$0")/gpu_lib.sh"
gpu_test_start cuda gpu_test
set +e
"$bin/cb-gpu" --device 0 --gemm-sizes 256,8192 --mem-size 256M -w 2 -n 5 -o "$tmp/g.csv" \
  >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
if grep -q "skipped.*no CUDA device" "$tmp/out"; then
  gpu_no_device "$(grep -m1 "no CUDA device" "$tmp/out" | sed "s/.*no CUDA device:* *//")"
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
echo "figures against the spec table:"
gpu_sanity "$tmp/g.csv"
echo "PASS: cb-gpu on one GPU"
