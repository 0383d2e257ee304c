#!/usr/bin/env bash
# test_gpu_lib (label unit): the rules of tests/gpu/gpu_lib.sh, with the GPU's
# presence forced (CB_TEST_GPU_PRESENT): a GPU test skips only where there is
# no GPU; a GPU with a build lacking CUDA/NCCL, or one CUDA cannot use, fails.
# And gpu_sanity (test_gpu_bench's range check against the spec table) on
# recorded cb-gpu rows (tests/data/gpu/sanity_*.csv): in range passes; a GEMM
# at 10% of spec, a copy at 134% of spec, a GPU without spec figures fail.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fails=0
# want RC WORD PRESENT CUDA NCCL CMD...: run CMD in a subshell with gpu_lib.sh
want() {
  local rc=$1 word=$2 present=$3 cuda=$4 nccl=$5 out got
  shift 5
  out=$(CB_TEST_GPU_PRESENT=$present CB_HAVE_CUDA=$cuda CB_HAVE_NCCL=$nccl bash -c \
    ". '$here/gpu_lib.sh'; $*; r=\$?; echo RETURNED; exit \$r" 2>&1)
  got=$?
  if [ "$got" -ne "$rc" ] || ! grep -q "$word" <<<"$out"; then
    echo "FAIL: GPU=$present CUDA=$cuda NCCL=$nccl '$*': exit $got (want $rc), output: $out"
    fails=$((fails + 1))
  else
    echo "ok: GPU=$present CUDA=$cuda NCCL=$nccl '$*': exit $got: $(head -n 1 <<<"$out")"
  fi
}
want 1 'FAIL: this machine has a GPU.*no CUDA support' 1 OFF OFF gpu_need_build cuda
want 77 'SKIP: no GPU here, and this build has no CUDA' 0 OFF OFF gpu_need_build cuda
want 0 RETURNED 1 ON OFF gpu_need_build cuda
want 0 RETURNED 0 ON OFF gpu_need_build cuda
want 1 'FAIL: this machine has a GPU.*no NCCL support' 1 ON OFF gpu_need_build nccl
want 77 'SKIP: no GPU here, and this build has no NCCL' 0 ON OFF gpu_need_build nccl
want 0 RETURNED 1 ON ON gpu_need_build nccl
want 1 'FAIL: .*CUDA finds no usable device: driver too old' 1 ON ON gpu_no_device "'driver too old'"
want 77 'SKIP: no GPU here: no CUDA device' 0 ON ON gpu_no_device "'no CUDA device'"
want 1 'FAIL: .*no CUDA support' 1 OFF OFF "bash '$here/test_gpu_unbuilt.sh' cuda test_gpu_kernels"
want 77 'SKIP' 0 OFF OFF "bash '$here/test_gpu_unbuilt.sh' cuda test_gpu_kernels"
want 1 'stand-in for an unbuilt test ran' 0 ON ON "bash '$here/test_gpu_unbuilt.sh' cuda test_gpu_kernels"

data=${CB_TEST_DATA:?}/gpu
want 0 'gemm_bf16_tflops .*70.8% of spec 989$' 0 ON ON "gpu_sanity '$data/sanity_ok.csv'"
want 0 'h2d_pinned_gbps .*84.3% of spec 63.0154$' 0 ON ON "gpu_sanity '$data/sanity_ok.csv'"
want 0 'd2h_pinned_gbps .*no PCIe line rate known: not compared' 0 ON ON "gpu_sanity '$data/sanity_ok.csv'"
want 1 'gemm_bf16_tflops .*10.1% of spec 989  FAIL: outside (20%, 120%)' 0 ON ON \
  "gpu_sanity '$data/sanity_slow_gemm.csv'"
want 1 'd2d_copy_kernel_gbps .*134.3% of spec 3350  FAIL' 0 ON ON "gpu_sanity '$data/sanity_copy_above_spec.csv'"
want 1 'fma_fp32_tflops .*FAIL: no spec figure' 0 ON ON "gpu_sanity '$data/sanity_no_spec.csv'"
want 1 'FAIL: no figure to compare' 0 ON ON "gpu_sanity /dev/null"
[ "$fails" -eq 0 ] || { echo "FAILED: $fails case(s)"; exit 1; }
echo "PASS: gpu_lib.sh skips only without a GPU"
