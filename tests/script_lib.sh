# shellcheck shell=bash
# Sourced by the script tests (through their folder's common.sh or
# directly): checks the environment ctest gives them, makes a scratch
# directory $tmp removed on exit, and counts failures: fail MSG records one
# and goes on, finish MSG exits 1 after any failure, else prints "ok: MSG".
# need_cb sets cb to the built clusterbench command, or fails the test.
: "${CB_SOURCE_DIR:?run through ctest (CB_SOURCE_DIR unset)}"
cb= # need_cb sets it
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
need_cb() {
  : "${CB_BIN:?run through ctest (CB_BIN unset)}"
  : "${CB_TEST_DATA:?run through ctest (CB_TEST_DATA unset)}"
  cb=$CB_BIN/clusterbench
  if [[ ! -x $cb ]]; then
    echo "FAIL: $cb not built (build the clusterbench target first)" >&2
    exit 1
  fi
}
