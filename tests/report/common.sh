# shellcheck shell=bash
# Sourced by the reporter's script tests: checks the environment ctest gives
# them, points CB_HOME at the fixture profiles (so the shipped profiles cannot
# change a golden report) and provides a scratch directory removed on exit.
: "${CB_BIN:?run through ctest (CB_BIN unset)}"
: "${CB_SOURCE_DIR:?run through ctest (CB_SOURCE_DIR unset)}"
: "${CB_TEST_DATA:?run through ctest (CB_TEST_DATA unset)}"
# shellcheck source=../need_tool.sh
. "$CB_SOURCE_DIR/tests/need_tool.sh"
cb=$CB_BIN/clusterbench
if [[ ! -x $cb ]]; then
  echo "FAIL: $cb not built (build the clusterbench target first)" >&2
  exit 1
fi
fix=$CB_TEST_DATA/report
export CB_HOME=$fix/home
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
# The report of the basic fixture (with the step-time workload), written to
# $1; paths in it are relative to the fixture directory.
report_basic() {
  (cd "$fix" && "$cb" report -q -o "$1" basic --workload-csv workload.csv \
    --nodes-col nodes --step-time-col step_ms)
}
# A checksum listing of a directory tree (names and contents).
tree_sum() {
  (cd "$1" && find . -type f -print0 | sort -z | xargs -0r sha256sum; find . | sort)
}
