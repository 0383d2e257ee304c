# shellcheck shell=bash
# Sourced by the gate script tests: checks the environment ctest gives them,
# runs from tests/data/gate/ (so paths in the output are relative and the
# goldens stable) and provides a scratch directory removed on exit.
# shellcheck source-path=SCRIPTDIR source=../script_lib.sh
. "${CB_SOURCE_DIR:?run through ctest (CB_SOURCE_DIR unset)}/tests/script_lib.sh"
need_cb
# Profile names resolve in the source tree, wherever the build is.
export CB_HOME=$CB_SOURCE_DIR
cd "$CB_TEST_DATA/gate" || exit 1
# The fixture rows of a healthy cluster; cases swap one file for a broken one.
ok_rows=(rows/allreduce_ok.csv rows/p2p_ok.csv rows/gpu_ok.csv rows/preflight_ok.csv)
# ok_rows with $1 replaced by $2
rows_with() {
  local r out=()
  for r in "${ok_rows[@]}"; do
    if [[ $r == "rows/$1" ]]; then out+=("rows/$2"); else out+=("$r"); fi
  done
  printf '%s\n' "${out[@]}"
}
