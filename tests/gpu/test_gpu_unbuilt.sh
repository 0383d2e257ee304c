#!/usr/bin/env bash
# Stands in for a GPU test that a build without CUDA or NCCL cannot compile
# (label gpu), so it still shows in ctest's summary: Skipped where there is no
# GPU, Failed where there is one (tests/gpu/gpu_lib.sh).
# Usage: test_gpu_unbuilt.sh cuda|nccl TEST_NAME
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=gpu_lib.sh
. "$(dirname "$0")/gpu_lib.sh"
gpu_need_build "$1"
echo "FAIL: $2: this build has ${1^^} support, yet the stand-in for an unbuilt test ran (tests/gpu.cmake)"
exit 1
