# shellcheck shell=bash
# Sourced by the reporter's script tests: checks the environment ctest gives
# them, points CB_HOME at the fixture profiles (so the shipped profiles cannot
# change a golden report) and provides a scratch directory removed on exit.
# shellcheck source-path=SCRIPTDIR source=../script_lib.sh
. "${CB_SOURCE_DIR:?run through ctest (CB_SOURCE_DIR unset)}/tests/script_lib.sh"
# shellcheck source=../need_tool.sh
. "$CB_SOURCE_DIR/tests/need_tool.sh"
need_cb
fix=$CB_TEST_DATA/report
export CB_HOME=$fix/home
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
