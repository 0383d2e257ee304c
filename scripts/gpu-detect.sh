# shellcheck shell=bash
# Sourced by scripts/gpu-check and tests/gpu/gpu_lib.sh: whether this machine
# has NVIDIA GPUs, asked of the driver, not of CUDA (so that a build without
# CUDA, or a device CUDA cannot use, is told apart from no GPU at all).
#   gpu_here   prints what the driver sees, "" when no GPU:
#              /proc/driver/nvidia/gpus/, else `nvidia-smi -L`.
#              CB_TEST_GPU_PRESENT=1|0 overrides it (for the tests).
#   gpu_count  the number of GPUs the driver sees (0 when none).
gpu_count() {
  case ${CB_TEST_GPU_PRESENT:-} in
  1) echo 1; return ;;
  0) echo 0; return ;;
  esac
  local d n=0
  for d in /proc/driver/nvidia/gpus/*; do [ -e "$d" ] && n=$((n + 1)); done
  if [ "$n" -eq 0 ] && command -v nvidia-smi >/dev/null 2>&1; then
    n=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ')
  fi
  echo "$n"
}

gpu_here() {
  if [ "${CB_TEST_GPU_PRESENT:-}" = 1 ]; then
    echo "a GPU (CB_TEST_GPU_PRESENT=1)"
    return
  fi
  local n
  n=$(gpu_count)
  [ "$n" -gt 0 ] && echo "$n NVIDIA GPU(s) (driver)"
  return 0
}
