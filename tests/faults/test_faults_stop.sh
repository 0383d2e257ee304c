#!/usr/bin/env bash
# Fault tests of the programs the hang test of cb-allreduce does not cover
# (label faults): one rank of cb-gpu (its CPU-only path: no CUDA device
# visible), cb-ddp (in a T1 step) or cb-preflight (in the shared-storage
# test) stops (SIGSTOP) in the middle of a point -> the watchdog ends the job
# after --timeout, with a non-zero exit and the point in flight marked
# "timeout" exactly once in the CSV. The rank stops itself at a chosen point
# (the *-faults twins, built with CB_TEST_FAULTS: cb_prog_point_enter), so
# the fault always lands inside a point however short the points are.
# Prints how long the job took from the stop to its end (not asserted).
# Usage: test_faults_stop.sh gpu|ddp|preflight
set -uo pipefail
prog=${1:?usage: test_faults_stop.sh gpu|ddp|preflight}
expect=${CB_CSV_EXPECT:?}
tests_bin=$(dirname "$expect")
command -v mpirun >/dev/null || { echo "SKIP: mpirun not found"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
tmp=$(mktemp -d /tmp/cb_faults_stop.XXXXXX)
run_pid='' victim=''
cleanup() {
  [ -n "$victim" ] && kill -9 "$victim" 2>/dev/null
  [ -n "$run_pid" ] && kill -9 "$run_pid" 2>/dev/null
  pkill -9 -f "$tmp/" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL ($prog): $*"; echo "--- output"; tail -n 20 "$tmp/out" 2>/dev/null; exit 1; }
[ -x "$tests_bin/cb-$prog-faults" ] || fail "$tests_bin/cb-$prog-faults not built"
# A private copy of the binary, so pgrep -f finds only this test's ranks.
bin=$tmp/cb-$prog-faults
cp "$tests_bin/cb-$prog-faults" "$bin"
timeout_s=4
point=1
case $prog in
gpu) # the CPU-only path: every part a barrier of all ranks
  export CUDA_VISIBLE_DEVICES=
  args=(--timeout "$timeout_s")
  where=(--where benchmark=gpu) ;;
ddp) # points 1-2: the all-reduces of its two bucket sizes; 3: the T1 step
  point=3
  args=(--grad-bytes 2M --step-ms 50 --iters 3 -t mpi --ar-time 0.05 --timeout "$timeout_s")
  where=(--where benchmark=ddp --where metric=tn_ms) ;;
preflight) # point 1: the shared-storage test
  args=(--results-dir "$tmp/res" --timeout "$timeout_s")
  where=(--where benchmark=preflight --where metric=shared_storage) ;;
*) echo "unknown program $prog"; exit 2 ;;
esac
CB_FAULT_STOP_RANK=1 CB_FAULT_STOP_POINT=$point \
  mpirun -np 2 -x CB_FAULT_STOP_RANK -x CB_FAULT_STOP_POINT "$bin" "${args[@]}" -o "$tmp/r.csv" \
  >"$tmp/out" 2>&1 &
run_pid=$!
# The stop: a rank of this test in state T.
t_stop=
for _ in $(seq 1 600); do
  for pid in $(pgrep -f "$bin"); do
    if [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = T ]; then
      victim=$pid t_stop=$(date +%s.%N)
      break 2
    fi
  done
  kill -0 "$run_pid" 2>/dev/null || break
  sleep 0.05
done
[ -n "$t_stop" ] || fail "no rank stopped itself"
# Wait for the end (a generous cap, so a broken watchdog fails the test
# instead of hanging it).
for _ in $(seq 1 600); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$run_pid" 2>/dev/null && fail "still running 60 s after the stop (--timeout $timeout_s)"
wait "$run_pid"; rc=$?; run_pid=
t_end=$(date +%s.%N)
kill -9 "$victim" 2>/dev/null
took=$(awk -v a="$t_stop" -v b="$t_end" 'BEGIN { printf "%.1f", b - a }')
[ "$rc" -ne 0 ] || fail "exit 0 after a rank hung"
grep -q "watchdog: rank [0-9]* on .* did not finish in" "$tmp/out" || fail "no watchdog message"
grep -q "fault injection: rank 1 stops itself" "$tmp/out" || fail "the fault was not injected"
"$expect" "$tmp/r.csv" --where status=timeout --rows 1 >/dev/null ||
  fail "not exactly one row marked timeout"
"$expect" "$tmp/r.csv" "${where[@]}" --where status=timeout --rows 1 ||
  fail "the point in flight is not the one marked timeout"
echo "PASS: cb-$prog: rank 1 stopped (SIGSTOP) at point $point; the watchdog ended the job ${took} s later (--timeout $timeout_s) with exit $rc; one row marked timeout"
