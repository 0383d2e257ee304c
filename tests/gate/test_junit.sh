#!/bin/bash
# `clusterbench gate --junit FILE`: well-formed XML (xmllint --noout; fails
# without xmllint), one testcase per check, the failing check as a <failure>
# with its message, everything from the CSV escaped (rows/weird.csv), the file
# replaced atomically (no temp file left) and not written on bad input.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
# shellcheck source=../need_tool.sh
. "$CB_SOURCE_DIR/tests/need_tool.sh"
need_tool xmllint libxml2-utils

mapfile -t slow < <(rows_with allreduce_ok.csv allreduce_slow.csv)
rc=0
"$cb" gate -p gatetest.ini --junit "$tmp/out/gate.xml" "${slow[@]}" >/dev/null 2>"$tmp/err" || rc=$?
# the directory does not exist: a clear write error (3), not a crash
[[ $rc == 3 ]] || fail "junit into a missing directory: exit $rc, want 3"
grep -qF "$tmp/out/gate.xml" "$tmp/err" || fail "write error does not name the file: $(cat "$tmp/err")"

echo stale >"$tmp/gate.xml"
rc=0
"$cb" gate -p gatetest.ini --junit "$tmp/gate.xml" "${slow[@]}" >/dev/null || rc=$?
[[ $rc == 1 ]] || fail "fail case: exit $rc, want 1"
xmllint --noout "$tmp/gate.xml" || fail "JUnit XML is not well-formed"
[[ $(grep -c '<testcase ' "$tmp/gate.xml") == 9 ]] || fail "want 9 testcases"
[[ $(grep -c '<failure ' "$tmp/gate.xml") == 1 ]] || fail "want 1 failure"
grep -q '<testsuites name="clusterbench gate" tests="9" failures="1" errors="0" skipped="0"' \
  "$tmp/gate.xml" || fail "testsuites counts"
# the failure belongs to allreduce_busbw and carries the message
xmllint --xpath 'string(//testcase[@name="allreduce_busbw"]/failure/@message)' "$tmp/gate.xml" \
  >"$tmp/msg" || fail "no failure for allreduce_busbw"
grep -qF "0.150 GB/s < 0.70 x 0.294 GB/s" "$tmp/msg" || fail "failure message: $(cat "$tmp/msg")"
xmllint --xpath 'string(//testcase[@name="allreduce_busbw"]/failure)' "$tmp/gate.xml" >"$tmp/text"
grep -qF "allreduce_slow.csv:8" "$tmp/text" || fail "failure text lacks the row"
[[ $(xmllint --xpath 'count(//testcase[@name="p2p_bw"]/failure)' "$tmp/gate.xml") == 0 ]] ||
  fail "p2p_bw should pass"
[[ -z $(find "$tmp" -name 'gate.xml.tmp.*') ]] || fail "temporary file left behind"
[[ $(stat -c %a "$tmp/gate.xml") == 644 ]] || fail "mode $(stat -c %a "$tmp/gate.xml"), want 644"

# CSV text with quotes, <, &, a control character and a non-UTF-8 byte
rc=0
"$cb" gate -t simple.gate.ini --junit "$tmp/weird.xml" rows/weird.csv >/dev/null || rc=$?
[[ $rc == 1 ]] || fail "weird: exit $rc, want 1"
xmllint --noout "$tmp/weird.xml" || fail "weird: JUnit XML is not well-formed"
grep -qF 'classname="clusterbench.gate.lab &quot;A&quot;\west"' "$tmp/weird.xml" ||
  fail "weird: cluster not escaped in classname"
xmllint --xpath 'string(//testcase[@name="preflight"]/failure)' "$tmp/weird.xml" >"$tmp/text"
grep -qF "disk \"/scratch\" <full> & 'ro' \\ ? bad byte ? end" "$tmp/text" ||
  fail "weird: note not round-tripped: $(cat "$tmp/text")"
xmllint --xpath 'string(//testcase[@name="wrong_elements"]/failure)' "$tmp/weird.xml" >"$tmp/text"
grep -qF 'wrong_elements = 2' "$tmp/text" || fail "weird: wrong_elements failure"

# bad input (a check without rows): exit 2, the old file stays
echo keep >"$tmp/keep.xml"
rc=0
"$cb" gate -p gatetest.ini --junit "$tmp/keep.xml" rows/p2p_ok.csv >/dev/null 2>&1 || rc=$?
[[ $rc == 2 ]] || fail "unmatched: exit $rc, want 2"
[[ $(cat "$tmp/keep.xml") == keep ]] || fail "unmatched: the JUnit file was replaced"

# a pass: testcases without failures, skipped ones marked
rc=0
"$cb" gate -p gatetest.ini --skip preflight --junit "$tmp/pass.xml" rows/allreduce_ok.csv \
  rows/p2p_ok.csv rows/gpu_ok.csv >/dev/null || rc=$?
[[ $rc == 0 ]] || fail "pass: exit $rc"
xmllint --noout "$tmp/pass.xml" || fail "pass: not well-formed"
! grep -q '<failure' "$tmp/pass.xml" || fail "pass: has a failure"
grep -q '<skipped message="skipped on request (--skip)"/>' "$tmp/pass.xml" || fail "pass: no skipped"
finish "JUnit XML well-formed, failures and escaping right"
