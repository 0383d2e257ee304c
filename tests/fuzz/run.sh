#!/usr/bin/env bash
# Runs every libFuzzer target of a -DCB_FUZZ=ON build for a while (ctest
# test_fuzz_run, label fuzz; scripts/test runs it in build-fuzz).
# Usage: tests/fuzz/run.sh [SECONDS_PER_TARGET]        (default 12)
# Env:   CB_FUZZ_BIN      directory of the fuzz_<target> binaries
#                         (default: build-fuzz/fuzz of this checkout)
#        CB_FUZZ_TARGETS  targets to run (default: every fuzz_* binary there)
#        CB_FUZZ_WORK     where new corpus entries and crash artifacts go
#                         (default: a temp dir, removed unless a target crashed)
#        CB_FUZZ_JOBS     targets fuzzed at once (default 1)
# Seeds: tests/fuzz/corpus/<target>/ and tests/fuzz/regressions/<target>/ (read
# only). A crash fails the run and prints the input; fix the bug, then add the
# input as tests/fuzz/regressions/<target>/<name> (test_fuzz_replay_<target>
# replays it in every build). Exit 77 (skip) when fuzzing is not possible here.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-12}
bin=${CB_FUZZ_BIN:-$root/build-fuzz/fuzz}

skip() { echo "SKIP: $*"; exit 77; }
if [ "${CB_FUZZ_ENABLED:-ON}" = OFF ]; then
  skip "this build was not configured with -DCB_FUZZ=ON (CC=clang cmake -DCB_FUZZ=ON -DCB_WITH_CUDA=OFF; scripts/test does it in build-fuzz)"
fi
command -v clang >/dev/null 2>&1 || skip "clang not installed (CB_WITH_FUZZ=1 scripts/setup-deps)"
targets=${CB_FUZZ_TARGETS:-}
if [ -z "$targets" ]; then
  targets=$(cd "$bin" 2>/dev/null && ls fuzz_* 2>/dev/null | grep -v '^fuzz_replay_' | sed 's/^fuzz_//' | tr '\n' ' ')
fi
[ -n "$targets" ] || skip "no libFuzzer binaries in $bin (configure with -DCB_FUZZ=ON and build the 'fuzz' target)"
for t in $targets; do
  [ -x "$bin/fuzz_$t" ] || skip "$bin/fuzz_$t missing (configure with -DCB_FUZZ=ON and build the 'fuzz' target)"
done

work=${CB_FUZZ_WORK:-$(mktemp -d /tmp/cb_fuzz.XXXXXX)}
mkdir -p "$work"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

fuzz_one() {
  local t=$1 dict=() dirs=() rc maxlen
  mkdir -p "$work/$t/corpus"
  for d in "$here/corpus/$t" "$here/regressions/$t"; do [ -d "$d" ] && dirs+=("$d"); done
  [ -f "$here/dict/$t.dict" ] && dict=(-dict="$here/dict/$t.dict")
  case $t in csv) maxlen=65536 ;; profile|gate) maxlen=8192 ;; *) maxlen=1024 ;; esac
  "$bin/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$maxlen" \
    -print_final_stats=1 -artifact_prefix="$work/$t/" "${dict[@]}" \
    "$work/$t/corpus" "${dirs[@]}" >"$work/$t/log" 2>&1
  rc=$?
  local execs
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t/log")
  if [ "$rc" -eq 0 ]; then
    echo "fuzz_$t: ok, ${execs:-?} executions in ${secs}s, corpus $(ls "$work/$t/corpus" | wc -l) new"
  else
    echo "fuzz_$t: FAILED (exit $rc) after ${execs:-?} executions; log: $work/$t/log"
    grep -E 'ERROR|invariant failed|runtime error|SUMMARY|Test unit written' "$work/$t/log" | head -20 | sed 's/^/    /'
    for a in "$work/$t"/crash-* "$work/$t"/leak-* "$work/$t"/timeout-* "$work/$t"/oom-*; do
      [ -f "$a" ] || continue
      echo "    input $a (base64): $(head -c 2048 "$a" | base64 -w0)"
    done
  fi
  return "$rc"
}

fails=0
jobs=${CB_FUZZ_JOBS:-1}
if [ "$jobs" -le 1 ]; then
  for t in $targets; do fuzz_one "$t" || fails=$((fails + 1)); done
else
  pids=()
  for t in $targets; do
    fuzz_one "$t" & pids+=($!)
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 0.2; done
  done
  for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
fi
if [ "$fails" -ne 0 ]; then
  echo "FAILED: $fails target(s) crashed; artifacts in $work"
  exit 1
fi
[ -n "${CB_FUZZ_WORK:-}" ] || rm -rf "$work"
echo "PASS: fuzzed $targets (${secs}s each)"
