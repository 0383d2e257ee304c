# shellcheck shell=bash
# Sourced by script tests that use a tool scripts/setup-deps installs.
# need_tool TOOL PACKAGE: a missing tool fails the test (exit 1, naming the
# Debian package), never skips a check silently: every tool a test uses is a
# dependency of the test suite.
need_tool() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "FAIL: $1 not installed: the test needs it (scripts/setup-deps installs $2)" >&2
    exit 1
  fi
}
