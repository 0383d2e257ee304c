#!/usr/bin/env bash
# cb-gpu without a CUDA device (label unit; runs everywhere: CUDA_VISIBLE_DEVICES
# hides any GPU): exit 0, says it skipped, one skipped row in the CSV; with
# --require-gpu exit 3 and a failed row; --help/--list-specs exit 0; bad
# flags exit 2 with a one-line error and no file written.
set -uo pipefail
bin=${CB_BIN:?CB_BIN not set}
expect=${CB_CSV_EXPECT:?CB_CSV_EXPECT not set}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export CUDA_VISIBLE_DEVICES=""
tmp=$(mktemp -d /tmp/cb_gpu_nodev.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
gpu=$bin/cb-gpu

timeout 120 "$gpu" -o "$tmp/g.csv" --cluster unit >"$tmp/out" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 0 ] || { fail "no device: exit $rc (want 0)"; cat "$tmp/out" "$tmp/err"; }
grep -q "skipped.*no CUDA device" "$tmp/out" || { fail "stdout does not say it skipped"; cat "$tmp/out"; }
"$expect" "$tmp/g.csv" --where benchmark=gpu --rows 1 --status skipped || fail "no skipped gpu row"
"$expect" "$tmp/g.csv" --where benchmark=gpu --where transport=cuda --where cluster=unit --rows 1 || fail "row context"
grep -q "no CUDA device" "$tmp/g.csv" || fail "skipped row carries no reason"

timeout 120 "$gpu" -o "$tmp/r.csv" --require-gpu -q >"$tmp/out" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 3 ] || { fail "--require-gpu: exit $rc (want 3)"; cat "$tmp/out" "$tmp/err"; }
grep -q "require-gpu" "$tmp/err" || { fail "--require-gpu: no reason on stderr"; cat "$tmp/err"; }
"$expect" "$tmp/r.csv" --where benchmark=gpu --rows 1 --status failed || fail "--require-gpu: no failed row"

"$gpu" --help >"$tmp/out" 2>&1 || fail "--help exit $?"
grep -q "usage: cb-gpu" "$tmp/out" || fail "--help prints no usage"
"$gpu" --list-specs >"$tmp/out" 2>&1 || fail "--list-specs exit $?"
if ! grep -q "H100 SXM" "$tmp/out" || ! grep -q "RTX 5090" "$tmp/out"; then
  fail "--list-specs lacks entries"
fi

printf 'name,age\nx,1\n' >"$tmp/theirs.csv"
# expect_usage PATTERN ARGS...: exit 2, one-line error matching PATTERN, no new file
expect_usage() {
  local pattern=$1; shift
  local before after rc lines
  before=$(find "$tmp" -type f | sort)
  (cd "$tmp" && timeout 60 "$gpu" "$@" >"$tmp/out" 2>"$tmp/err"); rc=$?
  after=$(find "$tmp" -type f | sort)
  lines=$(grep -vc '^(try' "$tmp/err")
  if [ "$rc" -ne 2 ] || ! grep -q -- "$pattern" "$tmp/err" || [ "$before" != "$after" ] || [ "$lines" -ne 1 ]; then
    fail "cb-gpu $* -> exit $rc (want 2)"; sed 's/^/    /' "$tmp/err"
  else
    echo "ok: cb-gpu $* -> exit 2: $(head -1 "$tmp/err")"
  fi
}
expect_usage "unknown option '--frobnicate'" --frobnicate
expect_usage "not a multiple of 16" --gemm-sizes 1000
expect_usage "expected fp32, tf32" --gemm-types int8
expect_usage "not a size" --mem-size lots
expect_usage "unexpected argument" stray
md5_before=$(md5sum "$tmp/theirs.csv")
expect_usage "not a clusterbench results file" -o "$tmp/theirs.csv"
[ "$md5_before" = "$(md5sum "$tmp/theirs.csv")" ] || fail "a foreign CSV was changed"

if [ "$fails" -ne 0 ]; then echo "FAILED: $fails check(s)"; exit 1; fi
echo "PASS: cb-gpu without a CUDA device"
