# shellcheck shell=bash
# Sourced by the GPU tests (label gpu): where they may skip and where they must
# fail. A GPU test skips (exit 77) only where there is no GPU at all; on a
# machine with a GPU, a build without CUDA/NCCL or a GPU CUDA cannot use is a
# failure, not a skip.
#   gpu_here, gpu_count  what the NVIDIA driver sees (scripts/gpu-detect.sh;
#                     CB_TEST_GPU_PRESENT=1|0 overrides it, tests/gpu/test_gpu_lib.sh).
#   gpu_need_build cuda|nccl
#                     returns when this build has it (CB_HAVE_CUDA/CB_HAVE_NCCL,
#                     set by ctest); else FAIL (exit 1) with a GPU here, SKIP
#                     (exit 77) without.
#   gpu_no_device REASON
#                     the program found no usable CUDA device (REASON): FAIL
#                     with a GPU here (it is there but unusable), else SKIP.
#   gpu_test_start cuda|nccl NAME
#                     what every GPU test script does first: gpu_need_build, then
#                     bin (CB_BIN), expect (CB_CSV_EXPECT), tmp (removed on exit)
#                     and Open MPI allowed to run as root.
#   gpu_sanity CSV    (below) cb-gpu's headline figures against the spec table.
# shellcheck source=../../scripts/gpu-detect.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/gpu-detect.sh"

gpu_need_build() {
  local have here
  case $1 in
  cuda) have=${CB_HAVE_CUDA:-OFF} ;;
  nccl) have=${CB_HAVE_NCCL:-OFF} ;;
  *) echo "gpu_need_build: cuda or nccl, not '$1'" >&2; exit 2 ;;
  esac
  [ "$have" = ON ] && return 0
  here=$(gpu_here)
  if [ -n "$here" ]; then
    echo "FAIL: this machine has $here, but this build has no ${1^^} support (configure found none: see CbDeps.cmake, CUDA_HOME/NCCL_HOME)"
    exit 1
  fi
  echo "SKIP: no GPU here, and this build has no ${1^^} support"
  exit 77
}

gpu_test_start() {
  gpu_need_build "$1"
  # shellcheck disable=SC2034 # bin, expect: for the sourcing script
  bin=${CB_BIN:?CB_BIN not set}
  # shellcheck disable=SC2034
  expect=${CB_CSV_EXPECT:?CB_CSV_EXPECT not set}
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  tmp=$(mktemp -d "/tmp/cb_$2.XXXXXX")
  # shellcheck disable=SC2064 # expanded now, on purpose
  trap "rm -rf '$tmp'" EXIT
}

gpu_no_device() {
  local here
  here=$(gpu_here)
  if [ -n "$here" ]; then
    echo "FAIL: this machine has $here, but CUDA finds no usable device: $1"
    exit 1
  fi
  echo "SKIP: no GPU here: $1"
  exit 77
}

# gpu_sanity CSV: the headline figures of a cb-gpu CSV (device memory
# bandwidth: copy/triad kernels and cudaMemcpy; FP32 FMA; every GEMM type at
# its largest n; pinned PCIe when the link's line rate is known) must lie above
# 20% and below 120% of the spec table's figure: far below is a broken
# measurement or GPU, above is an accounting error (or a cache measured
# instead of memory). Prints one line per figure; returns 1 when one is out of
# range or a figure other than PCIe has no spec (the GPU is not in the table:
# cb-gpu --list-specs). Needs CB_CSV_EXPECT.
gpu_sanity() {
  "${CB_CSV_EXPECT:?}" "$1" --where benchmark=gpu --where status=ok \
    --print metric,bytes,value,unit,spec_value,efficiency 2>/dev/null |
    awk -F'\t' '
      $1 ~ /^(d2d_(copy_kernel|triad_kernel|memcpy)_gbps|fma_fp32_tflops|gemm_[a-z0-9]+_tflops|h2d_pinned_gbps|d2h_pinned_gbps)$/ {
        if (!($1 in size) || $2 + 0 > size[$1]) { size[$1] = $2 + 0; line[$1] = $0 }
      }
      END {
        n = 0
        for (m in line) {
          n++
          split(line[m], f, "\t")
          if (f[5] == "") {
            if (m ~ /pinned/) { printf "  %-22s %10.2f %-6s no PCIe line rate known: not compared\n", m, f[3], f[4]; continue }
            printf "  %-22s %10.2f %-6s FAIL: no spec figure (GPU not in the spec table?)\n", m, f[3], f[4]; bad++; continue
          }
          e = f[6] + 0
          ok = e > 0.2 && e < 1.2
          printf "  %-22s %10.2f %-6s %6.1f%% of spec %g%s\n", m, f[3], f[4], 100 * e, f[5], ok ? "" : "  FAIL: outside (20%, 120%)"
          if (!ok) bad++
        }
        if (!n) { print "  FAIL: no figure to compare"; bad++ }
        exit bad ? 1 : 0
      }' | sort
  return "${PIPESTATUS[1]}"
}
