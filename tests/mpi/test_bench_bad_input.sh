#!/usr/bin/env bash
# Bad input to cb-allreduce / cb-p2p: a one-line error naming the problem, a
# usage hint, exit 2, and no output file created or changed.
set -uo pipefail
bin=${CB_BIN:?CB_BIN not set}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tmp=$(mktemp -d /tmp/cb_bad_input.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
# expect_fail PATTERN PROGRAM ARGS...: exit 2, stderr matches PATTERN, no new files
expect_fail() {
  local pattern=$1; shift
  local before after rc
  before=$(find "$tmp" -type f | sort | xargs -r md5sum)
  (cd "$tmp" && timeout 60 "$@" >"$tmp.out" 2>"$tmp.err"); rc=$?
  after=$(find "$tmp" -type f | sort | xargs -r md5sum)
  local lines; lines=$(grep -vc '^(try' "$tmp.err")
  if [ "$rc" -ne 2 ] || ! grep -q -- "$pattern" "$tmp.err" || [ "$before" != "$after" ] || [ "$lines" -ne 1 ]; then
    echo "FAIL: $* -> exit $rc (want 2), stderr:"; sed 's/^/    /' "$tmp.err"
    [ "$before" != "$after" ] && echo "    files changed in $tmp"
    fails=$((fails + 1))
  else
    echo "ok: $(basename "$1") ${*:2} -> exit 2: $(head -1 "$tmp.err")"
  fi
}
printf 'name,age\nx,1\n' >"$tmp/theirs.csv"
touch "$tmp/a-file"
ar=$bin/cb-allreduce p2p=$bin/cb-p2p
expect_fail "unknown option '--frobnicate'" "$ar" --frobnicate
expect_fail "not a size" "$ar" -b 1Q
expect_fail "not a size" "$ar" -e -1
expect_fail "too large" "$ar" -e 99999999999999999999999
expect_fail "larger than -e" "$ar" -b 1M -e 1K
expect_fail "unknown datatype" "$ar" -d complex
expect_fail "unknown transport" "$ar" -t infiniband
expect_fail "not supported by transport mpi" "$ar" -t mpi -d half -o "$tmp/x.csv"
expect_fail "a-file/out.csv" "$ar" -e 4K -o "$tmp/a-file/out.csv"
expect_fail "not a clusterbench results file" "$ar" -e 4K -o "$tmp/theirs.csv"
expect_fail "unknown option" "$p2p" --bogus
expect_fail "expected latency, bw, bibw" "$p2p" --mode speed
expect_fail "applies to --all-pairs only" "$p2p" --sequential
expect_fail "more than 128 sizes" "$p2p" -b 1 -e 1K -i 1
expect_fail "not a clusterbench results file" "$p2p" -e 4K -o "$tmp/theirs.csv"
[ -z "$(find "$tmp" -name '*.csv' ! -name theirs.csv)" ] || { echo "FAIL: stray CSV files"; fails=$((fails + 1)); }
rm -f "$tmp.out" "$tmp.err"
if [ "$fails" -ne 0 ]; then echo "FAILED: $fails case(s)"; exit 1; fi
echo "PASS: bad input rejected with exit 2 and no output"
