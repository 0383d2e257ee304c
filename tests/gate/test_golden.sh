#!/bin/bash
# Golden test of `clusterbench gate`: each case's stdout must equal
# tests/data/gate/golden/<case>.out byte for byte, with the exit code the case
# names. Runs in tests/data/gate/ with relative paths. After an intended
# change, regenerate the goldens with CB_GATE_REGEN=1 (through ctest:
#   CB_GATE_REGEN=1 ctest -R test_gate_golden) and review the diff.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

# name | expected exit | arguments
cases=(
  "pass|0|-p gatetest.ini ${ok_rows[*]}"
  "pass_verbose|0|-v -p gatetest.ini ${ok_rows[*]}"
  "fail_value|1|-p gatetest.ini $(rows_with allreduce_ok.csv allreduce_slow.csv | xargs)"
  "fail_spread|1|-p gatetest.ini $(rows_with gpu_ok.csv gpu_slow_node2.csv | xargs)"
  "fail_p2p_node|1|-p gatetest.ini $(rows_with p2p_ok.csv p2p_slow_node2.csv | xargs)"
  "fail_wrong_elements|1|-p gatetest.ini $(rows_with allreduce_ok.csv allreduce_wrong.csv | xargs)"
  "fail_preflight|1|-p gatetest.ini $(rows_with preflight_ok.csv preflight_fail.csv | xargs)"
  "unmatched|2|-p gatetest.ini rows/allreduce_ok.csv rows/p2p_ok.csv rows/gpu_ok.csv"
  "skip|0|-p gatetest.ini --skip preflight rows/allreduce_ok.csv rows/p2p_ok.csv rows/gpu_ok.csv"
  "no_profile|2|-t gatetest.gate.ini ${ok_rows[*]}"
  "cpu_rows_gpu_checks|2|-p gatetest.ini rows/allreduce_ok.csv rows/p2p_ok.csv rows/preflight_ok.csv"
  "weird|1|-t simple.gate.ini rows/weird.csv"
)
n=0
for c in "${cases[@]}"; do
  IFS='|' read -r name want args <<<"$c"
  n=$((n + 1))
  rc=0
  # shellcheck disable=SC2086 # split on purpose
  "$cb" gate $args >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
  [[ $rc == "$want" ]] || fail "$name: exit $rc, want $want: $(cat "$tmp/$name.err")"
  if [[ ${CB_GATE_REGEN:-} == 1 ]]; then
    cp "$tmp/$name.out" "golden/$name.out"
  elif ! diff -u "golden/$name.out" "$tmp/$name.out"; then
    fail "$name: stdout differs from tests/data/gate/golden/$name.out"
  fi
  # stderr: only the exit-2 cases say something, naming the check
  if [[ $want == 2 ]]; then
    [[ -s $tmp/$name.err ]] || fail "$name: exit 2 without a message"
  elif [[ $name != weird ]]; then
    [[ ! -s $tmp/$name.err ]] || fail "$name: unexpected stderr: $(cat "$tmp/$name.err")"
  fi
done
# the unmatched check is named with its file:line and selector
grep -qF "clusterbench gate: gatetest.gate.ini:82: check 'preflight': matches no rows (benchmark=preflight)" \
  "$tmp/unmatched.err" || fail "unmatched: stderr does not name the check: $(cat "$tmp/unmatched.err")"
grep -qF "check 'p2p_bw': reference = profile.goodput_gbps needs a cluster profile" \
  "$tmp/no_profile.err" || fail "no_profile: stderr: $(cat "$tmp/no_profile.err")"
# a slow node is named in the failing spread line
grep -qF "[ FAIL ] gemm_bf16_spread: node2/rank2 is 15.8% below" "$tmp/fail_spread.out" ||
  fail "fail_spread: the slow node is not named"
grep -qF "[ FAIL ] p2p_spread: node2 is " "$tmp/fail_p2p_node.out" ||
  fail "fail_p2p_node: the slow node is not named"
# nothing from the CSV reaches the terminal raw (control characters, bad UTF-8)
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/weird.out"; then fail "weird: control characters in stdout"; fi
iconv -f UTF-8 -t UTF-8 "$tmp/weird.out" >/dev/null || fail "weird: stdout is not valid UTF-8"
# the default thresholds are the profile's <name>.gate.ini
"$cb" gate -p gatetest.ini "${ok_rows[@]}" >"$tmp/default.out" || fail "default thresholds: exit $?"
head -1 "$tmp/default.out" | grep -qF "from gatetest.gate.ini on" ||
  fail "the default thresholds file is not gatetest.gate.ini"
# every golden has a case
for g in golden/*.out; do
  grep -q "^ *\"$(basename "$g" .out)|" "$0" || fail "$g: no case"
done
finish "$n gate cases match their goldens"
