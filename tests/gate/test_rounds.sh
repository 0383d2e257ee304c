#!/bin/bash
# cb-p2p --all-pairs --reference rows before `clusterbench gate` (rounds.gate.ini:
# p2p_bw, p2p_spread and the optional p2p_rounds, as the shipped profiles have them):
# - rows/p2p_reference.csv: every direction alone (op=bw_alone; node2->node0 at
#   0.20 GB/s, which p2p_bw and p2p_spread would fail) and in the rounds (op=bw,
#   all about 0.29 GB/s), one op=round row per round: all pass, and the
#   p2p_bw/p2p_spread details hold exactly the six round rows, none alone.
# - rows/p2p_reference_short.csv: round 4 of 6 carried 70% of its pairs
#   alone: p2p_rounds fails naming it.
# - rows/p2p_ok.csv (no --reference): p2p_rounds is not measured (SKIP, with the
#   reason, in the text, the JUnit <skipped> and the Prometheus series), exit 0;
#   without optional = yes the same check is bad input (exit 2), as before.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

rc=0
"$cb" gate -v -p gatetest.ini -t rounds.gate.ini rows/p2p_reference.csv >"$tmp/ok.out" 2>"$tmp/ok.err" || rc=$?
[[ $rc == 0 ]] || fail "healthy: exit $rc, want 0: $(cat "$tmp/ok.out" "$tmp/ok.err")"
grep -qF '[ PASS ] p2p_bw: 0.288 GB/s' "$tmp/ok.out" || fail "healthy: p2p_bw not judged on the round rows: $(cat "$tmp/ok.out")"
grep -qF 'worst of 6 rows' "$tmp/ok.out" || fail "healthy: not one row per direction"
grep -qF '[ PASS ] p2p_spread:' "$tmp/ok.out" || fail "healthy: p2p_spread did not pass"
grep -qF '[ PASS ] p2p_rounds: 0.960 fraction >= 0.80 x 1.00 fraction' "$tmp/ok.out" ||
  fail "healthy: p2p_rounds did not pass: $(cat "$tmp/ok.out")"
# no row of the pass alone (file lines 2-7) behind any check
if grep -E 'p2p_reference\.csv:[2-7]$' "$tmp/ok.out"; then fail "healthy: a bw_alone row was judged"; fi
[[ $(grep -c 'p2p_reference\.csv:' "$tmp/ok.out") == 12 ]] ||
  fail "healthy: want 6 round-pass bw rows and 6 round rows in the details: $(cat "$tmp/ok.out")"
grep -qF '[ PASSED ] 3/3 checks' "$tmp/ok.out" || fail "healthy: no PASSED line"

rc=0
"$cb" gate -p gatetest.ini -t rounds.gate.ini rows/p2p_reference_short.csv >"$tmp/short.out" 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "short round: exit $rc, want 1: $(cat "$tmp/short.out")"
grep -qF '[ FAIL ] p2p_rounds: 0.700 fraction < 0.80 x 1.00 fraction — 70.0%; 1 of 6 rows fail: round 4 of 6' \
  "$tmp/short.out" || fail "short round: p2p_rounds does not name round 4: $(cat "$tmp/short.out")"
grep -qF 'round 4 of 6: 0.700 fraction (70.0% of 1.00 fraction): FAIL at rows/p2p_reference_short.csv:15' \
  "$tmp/short.out" || fail "short round: no detail line for round 4"

rc=0
"$cb" gate -p gatetest.ini -t rounds.gate.ini --junit "$tmp/j.xml" --prometheus "$tmp/p.prom" \
  rows/p2p_ok.csv >"$tmp/none.out" 2>"$tmp/none.err" || rc=$?
[[ $rc == 0 ]] || fail "no round rows: exit $rc, want 0: $(cat "$tmp/none.out" "$tmp/none.err")"
[[ ! -s $tmp/none.err ]] || fail "no round rows: stderr: $(cat "$tmp/none.err")"
want='[ SKIP ] p2p_rounds: not measured (optional = yes): no rows match (benchmark=p2p, op=round, nodes=max, bytes=max); op=round rows come from cb-p2p --all-pairs --reference'
grep -qxF "$want" "$tmp/none.out" || fail "no round rows: no SKIP line with the reason: $(cat "$tmp/none.out")"
grep -qxF '[ PASSED ] 2/2 checks (1 not measured)' "$tmp/none.out" || fail "no round rows: summary: $(tail -1 "$tmp/none.out")"
grep -qF '<skipped message="not measured (optional = yes): no rows match' "$tmp/j.xml" ||
  fail "no round rows: JUnit lacks the skipped testcase: $(cat "$tmp/j.xml")"
grep -q 'skipped="1"' "$tmp/j.xml" || fail "no round rows: JUnit skipped count"
grep -qxF 'clusterbench_check_not_measured{check="p2p_rounds",cluster="gatetest",kind="value"} 1' "$tmp/p.prom" ||
  fail "no round rows: Prometheus lacks clusterbench_check_not_measured: $(cat "$tmp/p.prom")"
grep -qxF 'clusterbench_gate_checks{cluster="gatetest",result="skip"} 1' "$tmp/p.prom" ||
  fail "no round rows: Prometheus skip count"
if grep -q 'check="p2p_rounds"' <(grep -v not_measured "$tmp/p.prom"); then
  fail "no round rows: p2p_rounds has a pass/value sample"
fi

# without optional = yes: bad input, as every check that matches nothing
grep -v '^optional' rounds.gate.ini >"$tmp/required.gate.ini"
rc=0
"$cb" gate -p gatetest.ini -t "$tmp/required.gate.ini" rows/p2p_ok.csv >"$tmp/req.out" 2>"$tmp/req.err" || rc=$?
[[ $rc == 2 ]] || fail "required: exit $rc, want 2"
grep -qF "check 'p2p_rounds': matches no rows" "$tmp/req.err" || fail "required: stderr: $(cat "$tmp/req.err")"

# the help documents the key
"$cb" gate --help | grep -q '^  optional   no (default) | yes' || fail "--help does not document optional"
finish "gate on --reference rows: round rows judged, alone rows ignored, short round named, not measured skipped"
