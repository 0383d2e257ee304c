# shellcheck shell=bash
# Sourced by the sbatch script tests: checks the environment ctest gives them
# and provides a scratch directory removed on exit.
: "${CB_BIN:?run through ctest (CB_BIN unset)}"
: "${CB_SOURCE_DIR:?run through ctest (CB_SOURCE_DIR unset)}"
: "${CB_TEST_DATA:?run through ctest (CB_TEST_DATA unset)}"
cb=$CB_BIN/clusterbench
if [[ ! -x $cb ]]; then
  echo "FAIL: $cb not built (build the clusterbench target first)" >&2
  exit 1
fi
# Profile names resolve in the source tree, wherever the build is.
export CB_HOME=$CB_SOURCE_DIR
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
finish() {
  if ((failures)); then
    echo "$failures failure(s)" >&2
    exit 1
  fi
  echo "ok: $*"
  exit 0
}
