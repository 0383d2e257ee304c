#!/bin/bash
# Every tests/data/gate/bad_*.gate.ini makes `clusterbench gate` exit 2 with
# "file:line: reason" (as its "; expect-line:" and "; expect-reason:" comments
# say; "; expect-profile:" names the profile, default gatetest.ini), print
# nothing on stdout and write neither --junit nor --prometheus file. Also the
# command's usage errors.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
# shellcheck source=../need_tool.sh
. "$CB_SOURCE_DIR/tests/need_tool.sh"
need_tool python3 python3

n=0
for f in bad_*.gate.ini; do
  n=$((n + 1))
  line=$(sed -n 's/^; expect-line: //p' "$f")
  reason=$(sed -n 's/^; expect-reason: //p' "$f")
  prof=$(sed -n 's/^; expect-profile: //p' "$f")
  [[ -n $line && -n $reason ]] || { fail "$f: no expect-line/expect-reason"; continue; }
  rc=0
  "$cb" gate -t "$f" -p "${prof:-gatetest.ini}" --junit "$tmp/j.xml" --prometheus "$tmp/p.prom" \
    "${ok_rows[@]}" >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
  [[ $rc == 2 ]] || fail "$f: exit $rc, want 2"
  grep -qF -- "$f:$line: " "$tmp/stderr" || fail "$f: stderr lacks '$f:$line: ': $(cat "$tmp/stderr")"
  grep -qF -- "$reason" "$tmp/stderr" || fail "$f: stderr lacks '$reason': $(cat "$tmp/stderr")"
  [[ ! -s $tmp/stdout ]] || fail "$f: wrote to stdout: $(cat "$tmp/stdout")"
  [[ ! -e $tmp/j.xml && ! -e $tmp/p.prom ]] || fail "$f: wrote an output file"
done
((n >= 40)) || fail "only $n bad thresholds files"

# usage and input errors: exit 2, a message, nothing on stdout
printf 'schema_version,run_id\n1,x\n' >"$tmp/notours.csv"
mkdir "$tmp/empty"
for args in "--bogus rows/p2p_ok.csv" "-p gatetest.ini" "-t" "-p gatetest.ini -t /no/such.ini rows/p2p_ok.csv" \
  "-p no-such-profile rows/p2p_ok.csv" "-p a;b rows/p2p_ok.csv" "-p gatetest.ini /no/such.csv" \
  "-p gatetest.ini $tmp/notours.csv" "-p gatetest.ini $tmp/empty" \
  "-p gatetest.ini --skip nosuchcheck rows/p2p_ok.csv" "rows/p2p_ok.csv rows/weird.csv" \
  "-t simple.gate.ini --junit= rows/p2p_ok.csv"; do
  rc=0
  # shellcheck disable=SC2086 # split on purpose
  "$cb" gate $args >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
  [[ $rc == 2 ]] || fail "gate $args: exit $rc, want 2"
  [[ -s $tmp/stderr ]] || fail "gate $args: no message"
  [[ ! -s $tmp/stdout ]] || fail "gate $args: wrote to stdout: $(cat "$tmp/stdout")"
done
# a UTF-8 byte-order mark before the header: judged as without; a NUL byte in
# a field: exit 2 naming file:line
{ printf '\xEF\xBB\xBF'; cat rows/p2p_ok.csv; } >"$tmp/bom.csv"
rc1=0 rc2=0
"$cb" gate -p gatetest.ini rows/p2p_ok.csv >"$tmp/plain.out" 2>&1 || rc1=$?
"$cb" gate -p gatetest.ini "$tmp/bom.csv" >"$tmp/bom.out" 2>&1 || rc2=$?
[[ $rc1 == "$rc2" ]] || fail "gate with a BOM: exit $rc2, without $rc1: $(cat "$tmp/bom.out")"
diff <(grep '^\[' "$tmp/plain.out") <(grep '^\[' "$tmp/bom.out") || fail "gate verdicts differ with a BOM"
python3 - rows/p2p_ok.csv "$tmp/nul.csv" <<'PY' || fail "making nul.csv"
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
lines[2] = lines[2].replace(b",", b",\0", 1)
open(sys.argv[2], "wb").write(b"\n".join(lines))
PY
rc=0
"$cb" gate -p gatetest.ini "$tmp/nul.csv" >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
[[ $rc == 2 ]] || fail "gate on a NUL byte: exit $rc, want 2"
grep -qF "nul.csv:3: a NUL byte in field 2 (run_id)" "$tmp/stderr" || fail "gate on a NUL byte: $(cat "$tmp/stderr")"

# rows of no shipped profile and no --thresholds: says what to give
rc=0
"$cb" gate rows/p2p_ok.csv >/dev/null 2>"$tmp/stderr" || rc=$?
if [[ $rc != 2 ]] || ! grep -qF -- "--thresholds" "$tmp/stderr"; then
  fail "no thresholds: exit $rc: $(cat "$tmp/stderr")"
fi
"$cb" gate --help >"$tmp/help" || fail "gate --help: exit $?"
grep -qF -- "lower     = -0.30" "$tmp/help" || fail "--help has no example"
"$cb" --help >"$tmp/help" || fail "--help: exit $?"
grep -q "^  gate " "$tmp/help" || fail "clusterbench --help does not list gate"
finish "$n bad thresholds files refused"
