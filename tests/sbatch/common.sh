# shellcheck shell=bash
# Sourced by the sbatch script tests: checks the environment ctest gives them
# and provides a scratch directory removed on exit.
# shellcheck source-path=SCRIPTDIR source=../script_lib.sh
. "${CB_SOURCE_DIR:?run through ctest (CB_SOURCE_DIR unset)}/tests/script_lib.sh"
need_cb
# Profile names resolve in the source tree, wherever the build is.
export CB_HOME=$CB_SOURCE_DIR
