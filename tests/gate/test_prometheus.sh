#!/bin/bash
# `clusterbench gate --prometheus FILE`: the text exposition format, checked
# line by line (# HELP / # TYPE before each metric's samples, sample syntax,
# label escaping), the values the gate judged, replaced atomically (no temp
# file left, mode 644) and not written on bad input.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

name='[a-zA-Z_:][a-zA-Z0-9_:]*'
lval='"([^"\\]|\\["\\n])*"'
lbl="[a-zA-Z_][a-zA-Z0-9_]*=$lval"
sample_re="^($name)(\\{$lbl(,$lbl)*\\})? (-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?|NaN|[-+]Inf)\$"
help_re="^# HELP ($name) .+\$"
type_re="^# TYPE ($name) (gauge|counter|untyped)\$"

# check_file FILE: every line is HELP, TYPE or a sample; each metric has HELP
# then TYPE before its first sample, and its samples are together
check_file() {
  local f=$1 line m cur="" n=0
  declare -A helped=() typed=() seen=()
  while IFS= read -r line; do
    n=$((n + 1))
    if [[ $line =~ $help_re ]]; then
      m=${BASH_REMATCH[1]}
      [[ -z ${helped[$m]:-} ]] || fail "$f:$n: second HELP for $m"
      helped[$m]=1
    elif [[ $line =~ $type_re ]]; then
      m=${BASH_REMATCH[1]}
      [[ -n ${helped[$m]:-} ]] || fail "$f:$n: TYPE before HELP for $m"
      typed[$m]=1
    elif [[ $line =~ $sample_re ]]; then
      m=${BASH_REMATCH[1]}
      [[ -n ${typed[$m]:-} ]] || fail "$f:$n: sample of $m before its TYPE"
      if [[ $m != "$cur" ]]; then
        [[ -z ${seen[$m]:-} ]] || fail "$f:$n: samples of $m are not together"
        seen[$m]=1
        cur=$m
      fi
    else
      fail "$f:$n: not HELP, TYPE or a sample: $line"
    fi
  done <"$f"
  [[ $(tail -c 1 "$f" | od -An -c | tr -d ' ') == '\n' ]] || fail "$f: no final newline"
}

mapfile -t slow < <(rows_with allreduce_ok.csv allreduce_slow.csv)
echo stale >"$tmp/gate.prom"
rc=0
"$cb" gate -p gatetest.ini --prometheus "$tmp/gate.prom" "${slow[@]}" >/dev/null || rc=$?
[[ $rc == 1 ]] || fail "fail case: exit $rc, want 1"
check_file "$tmp/gate.prom"
p=$tmp/gate.prom
grep -qx 'clusterbench_gate_pass{cluster="gatetest"} 0' "$p" || fail "gate_pass 0"
grep -qE '^clusterbench_gate_timestamp_seconds\{cluster="gatetest"\} [0-9]{10,}$' "$p" ||
  fail "timestamp"
grep -qx 'clusterbench_check_pass{check="allreduce_busbw",cluster="gatetest",kind="value"} 0' "$p" ||
  fail "check_pass allreduce_busbw 0"
grep -qx 'clusterbench_check_pass{check="p2p_bw",cluster="gatetest",kind="value"} 1' "$p" ||
  fail "check_pass p2p_bw 1"
grep -qx 'clusterbench_check_value{check="allreduce_busbw",cluster="gatetest",unit="GB/s"} 0.15' "$p" ||
  fail "check_value allreduce_busbw"
grep -qE '^clusterbench_check_reference\{check="allreduce_busbw",cluster="gatetest",unit="GB/s"\} 0\.2942' "$p" ||
  fail "check_reference allreduce_busbw"
grep -qx 'clusterbench_check_bad{check="allreduce_busbw",cluster="gatetest"} 1' "$p" || fail "check_bad"
grep -qx 'clusterbench_gate_checks{cluster="gatetest",result="fail"} 1' "$p" || fail "gate_checks fail"
grep -qx 'clusterbench_gate_checks{cluster="gatetest",result="pass"} 8' "$p" || fail "gate_checks pass"
[[ $(grep -c '^clusterbench_check_pass{' "$p") == 9 ]] || fail "want 9 check_pass samples"
# no upper bound where the check has none
! grep -q '^clusterbench_check_upper_bound{check="allreduce_busbw"' "$p" || fail "upper bound of a lower-only check"
[[ -z $(find "$tmp" -name 'gate.prom.tmp.*') ]] || fail "temporary file left behind"
[[ $(stat -c %a "$p") == 644 ]] || fail "mode $(stat -c %a "$p"), want 644"

# label values escaped: the rows' cluster is  lab "A"\west
rc=0
"$cb" gate -t simple.gate.ini --prometheus "$tmp/weird.prom" rows/weird.csv >/dev/null || rc=$?
[[ $rc == 1 ]] || fail "weird: exit $rc, want 1"
check_file "$tmp/weird.prom"
grep -qxF 'clusterbench_gate_pass{cluster="lab \"A\"\\west"} 0' "$tmp/weird.prom" ||
  fail "weird: cluster label not escaped: $(grep gate_pass "$tmp/weird.prom")"

# a pass
rc=0
"$cb" gate -p gatetest.ini --prometheus "$tmp/pass.prom" "${ok_rows[@]}" >/dev/null || rc=$?
[[ $rc == 0 ]] || fail "pass: exit $rc"
check_file "$tmp/pass.prom"
grep -qx 'clusterbench_gate_pass{cluster="gatetest"} 1' "$tmp/pass.prom" || fail "pass: gate_pass 1"

# bad input: exit 2, the old file stays
echo keep >"$tmp/keep.prom"
rc=0
"$cb" gate -p gatetest.ini --prometheus "$tmp/keep.prom" rows/p2p_ok.csv >/dev/null 2>&1 || rc=$?
[[ $rc == 2 ]] || fail "unmatched: exit $rc, want 2"
[[ $(cat "$tmp/keep.prom") == keep ]] || fail "unmatched: the textfile was replaced"
finish "Prometheus textfile well-formed"
