#!/usr/bin/env bash
# test_layout_no_cycles: scripts/check-includes on the source tree (no circle
# between files, arrows point down; cycles other work owns are listed in
# tests/layout/known_cycles), and on broken copies that it must refuse: two
# headers including each other, two sources calling each other, two sources
# calling each other through the header they share, an upward include
# (common/ including gate/), and a folder outside the layout.
set -uo pipefail
: "${CB_SOURCE_DIR:?run through ctest (CB_SOURCE_DIR unset)}"
check=$CB_SOURCE_DIR/scripts/check-includes
known=$CB_SOURCE_DIR/tests/layout/known_cycles
command -v python3 >/dev/null || { echo "FAIL: python3 not installed (scripts/setup-deps installs python3)" >&2; exit 1; }
# shellcheck source-path=SCRIPTDIR source=../script_lib.sh
. "$CB_SOURCE_DIR/tests/script_lib.sh"

echo "== the source tree"
"$check" --known-cycles "$known" "$CB_SOURCE_DIR" || fail "check-includes refuses the source tree"

# A copy of the C/CUDA files only (what the check reads), to break.
copy() {
  rm -rf "$tmp/src"
  mkdir -p "$tmp/src"
  (cd "$CB_SOURCE_DIR" &&
    find . \( -path './build*' -o -path './.git' -o -path './results' -o -path './tests/data' \) -prune -o \
      \( -name '*.c' -o -name '*.h' -o -name '*.cu' -o -name '*.cuh' \) -print0 |
    xargs -0 cp --parents -t "$tmp/src") || fail "copy the sources"
}
# expect_fail NAME PATTERN...: the check on the copy exits 1 and its output
# holds every pattern.
expect_fail() {
  local name=$1 out rc
  shift
  out=$("$check" --known-cycles "$known" "$tmp/src" 2>&1)
  rc=$?
  if ((rc != 1)); then
    fail "$name: check-includes exited $rc, want 1: $out"
    return
  fi
  for p in "$@"; do
    grep -qF -- "$p" <<<"$out" || fail "$name: output lacks '$p': $out"
  done
  echo "ok: $name refused"
}

echo "== a circle of includes: common/cb_size.h <-> common/cb_stats.h"
copy
printf '#include "cb_stats.h"\n' >>"$tmp/src/common/cb_size.h"
printf '#include "cb_size.h"\n' >>"$tmp/src/common/cb_stats.h"
expect_fail "include circle" "cycle among 2 files: common/cb_size.h common/cb_stats.h" \
  "common/cb_size.h includes common/cb_stats.h" "common/cb_stats.h includes common/cb_size.h"

echo "== a circle of calls: common/size.c <-> common/stats.c"
copy
printf 'double cb_injected_a(double *v) { return cb_stats_median(v, 1); }\n' >>"$tmp/src/common/size.c"
printf 'const char *cb_injected_b(char *b) { return cb_size_format(1, b, 8); }\n' >>"$tmp/src/common/stats.c"
expect_fail "call circle" "common/size.c uses cb_stats_median of common/stats.c" \
  "common/stats.c uses cb_size_format of common/size.c"

echo "== a circle through a shared header: gate_text.c calls gate_judge.c"
copy
printf 'int cb_gate_injected(void) { return cb_gate_exit_code(0); }\n' >>"$tmp/src/gate/gate_text.c"
expect_fail "call circle through cb_gate.h" "gate/gate_text.c uses cb_gate_exit_code of gate/gate_judge.c" \
  "gate/gate_judge.c uses"

echo "== an upward arrow: common/ includes gate/"
copy
printf '#include "cb_gate.h"\n' >>"$tmp/src/common/size.c"
expect_fail "upward include" "upward arrow: common/size.c includes gate/cb_gate.h: common/ may use only nothing"

echo "== a folder outside the layout"
copy
mkdir -p "$tmp/src/extra" && printf 'int extra(void) { return 0; }\n' >"$tmp/src/extra/extra.c"
expect_fail "unknown folder" "extra/extra.c: folder extra/ is not in the layout"

if ((failures)); then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "ok: no circle between files, arrows point down, and the check refuses each broken copy"
