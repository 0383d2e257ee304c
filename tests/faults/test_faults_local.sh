#!/usr/bin/env bash
# Fault tests on this machine (label faults): each failure mode ends quickly,
# loudly, with a non-zero exit, and with the data already measured intact.
#   kill:    a rank SIGKILLed mid-sweep -> exit != 0, earlier sizes in the CSV,
#            the size in flight marked failed, no torn row
#   hang:    a rank stopped (SIGSTOP) mid-sweep -> the watchdog (--timeout)
#            aborts, the row in flight is marked timeout
#   corrupt: a build that corrupts one element on one rank -> the check
#            counts it, the CSV shows it, exit 3, the gate fails
#   full:    the results disk fills up mid-run (a tiny tmpfs) -> a clear
#            error, exit 3, every row written before intact
# Usage: test_faults_local.sh kill|hang|corrupt|full
set -uo pipefail
kind=${1:?usage: test_faults_local.sh kill|hang|corrupt|full}
bin=${CB_BIN:?} expect=${CB_CSV_EXPECT:?}
tests_bin=$(dirname "$expect")
command -v mpirun >/dev/null || { echo "SKIP: mpirun not found"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# mpirun ends the other ranks with SIGTERM and, by default 1 s later, SIGKILL;
# on a loaded machine rank 0 may not run its handler (the row in flight)
# within 1 s (3 of 25 runs here). Slurm waits KillWait (30 s) between them.
export OMPI_MCA_odls_base_sigkill_timeout=10
tmp=$(mktemp -d /tmp/cb_faults.XXXXXX)
run_pid=
cleanup() {
  [ -n "$run_pid" ] && kill -9 "$run_pid" 2>/dev/null
  pkill -9 -f "$tmp/" 2>/dev/null
  mountpoint -q "$tmp/full" 2>/dev/null && umount "$tmp/full"
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL ($kind): $*"; echo "--- output"; tail -n 20 "$tmp/out" 2>/dev/null; exit 1; }
csv=$tmp/r.csv
# A private copy of the binary, so pkill -f finds only this test's ranks.
cp "$bin/cb-allreduce" "$tmp/cb-allreduce"
cp "$tests_bin/cb-allreduce-corrupt" "$tmp/cb-allreduce-corrupt" 2>/dev/null

# Start a sweep of 3 ranks in the background; wait until it has written rows.
start_sweep() {
  mpirun -np 3 "$tmp/cb-allreduce" -b 1K -e 256M -f 2 -p out --time-per-size 0.2 "$@" -o "$csv" \
    >"$tmp/out" 2>&1 &
  run_pid=$!
  for _ in $(seq 1 300); do
    [ "$("$expect" "$csv" --where benchmark=allreduce --where status=ok 2>/dev/null |
        sed -n 's/^cb_csv_expect: \([0-9]*\) matching.*/\1/p')" -ge 8 ] 2>/dev/null && return 0
    sleep 0.1
  done
  fail "the sweep did not get going"
}
# The newest rank process of this test (not rank 0: its row writer survives).
victim() { pgrep -f "$tmp/cb-allreduce" | tail -n 1; }
wait_end() { # wait_end LIMIT_S -> sets rc and took
  local t0=$SECONDS
  for _ in $(seq 1 $(($1 * 10))); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$run_pid" 2>/dev/null && fail "still running $1 s after the fault"
  wait "$run_pid"; rc=$?; run_pid=
  took=$((SECONDS - t0))
}
check_rows() { # every row whole; completed sizes ok; the one in flight marked $1
  "$expect" "$csv" --where benchmark=allreduce --where status=ok --zero-wrong --min-rows 8 ||
    fail "completed sizes missing from the CSV"
  "$expect" "$csv" --where benchmark=allreduce --where status="$1" --rows 1 ||
    fail "the size in flight is not marked $1"
}

case $kind in
kill)
  start_sweep
  v=$(victim); kill -9 "$v"
  wait_end 60
  [ "$rc" -ne 0 ] || fail "exit 0 after a rank was killed"
  check_rows failed
  grep -q "signal 9\|Killed" "$tmp/out" || fail "no message naming the killed rank"
  echo "PASS: rank (pid $v) killed; job ended ${took}s later with exit $rc; $(grep -m1 'signal 9' "$tmp/out")"
  ;;
hang)
  start_sweep --timeout 4
  v=$(victim); kill -STOP "$v"
  wait_end 60
  kill -9 "$v" 2>/dev/null
  [ "$rc" -ne 0 ] || fail "exit 0 after a hang"
  grep -q "watchdog: rank [0-9]* on .* did not finish in" "$tmp/out" || fail "no watchdog message"
  check_rows timeout
  echo "PASS: rank stopped; watchdog ended the job ${took}s later with exit $rc"
  ;;
corrupt)
  [ -x "$tmp/cb-allreduce-corrupt" ] || { echo "SKIP: cb-allreduce-corrupt not built"; exit 77; }
  mpirun -np 2 "$tmp/cb-allreduce-corrupt" -b 1K -e 64K -f 4 --time-per-size 0.02 -o "$csv" >"$tmp/out" 2>&1
  rc=$?
  [ "$rc" -eq 3 ] || fail "exit $rc, want 3"
  "$expect" "$csv" --where benchmark=allreduce --where wrong_elements=1 --where status=failed --rows 8 ||
    fail "wrong element counts not in the CSV"
  grep -q "failed or found wrong data" "$tmp/out" || fail "no message about wrong data"
  # The acceptance gate's data-validation check fails on these rows.
  printf '[wrong_elements]\nkind = zero\ncolumn = wrong_elements\n' >"$tmp/zero.gate.ini"
  "$bin/clusterbench" gate -t "$tmp/zero.gate.ini" "$csv" >"$tmp/gate.out" 2>&1
  rc=$?
  [ "$rc" -eq 1 ] || { cat "$tmp/gate.out"; fail "gate on corrupted rows: exit $rc, want 1"; }
  grep -q '^\[ FAIL \] wrong_elements' "$tmp/gate.out" || { cat "$tmp/gate.out"; fail "gate: no FAIL line for wrong_elements"; }
  echo "PASS: one corrupted element per configuration found, counted in the CSV, exit 3; the gate fails"
  ;;
full)
  # A results directory on a tiny tmpfs that fills up after the first
  # measured row. The topology/environment rows before it differ in length
  # from machine to machine (a fixed 4 KiB filled up before any row on CI's
  # machine), so a first run into an ordinary directory measures where the
  # first measured row ends; the tmpfs is that plus 512 B, rounded up to its
  # 4 KiB pages (the rows' numbers differ in length from run to run: with the
  # end a few bytes short of a page, a fresh clone's CI run filled up on the
  # first measured row itself), and the whole sweep must need more than that.
  args=(-b 4 -e 64M -f 2 -p both --time-per-size 0.02)
  "$tmp/cb-allreduce" "${args[@]}" -o "$tmp/probe.csv" >"$tmp/out" 2>&1 ||
    fail "the sizing run into an ordinary directory failed"
  first_end=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "benchmark") b = i }
    { n += length($0) + 1 } NR > 1 && $b == "allreduce" { print n; exit }' "$tmp/probe.csv")
  total=$(wc -c <"$tmp/probe.csv")
  [ -n "$first_end" ] || fail "the sizing run wrote no allreduce row"
  size=$(((first_end + 512 + 4095) / 4096 * 4096))
  [ "$total" -gt "$size" ] ||
    fail "premise not met: the whole sweep ($total B) fits the ${size} B tmpfs"
  mkdir -p "$tmp/full"
  mount -t tmpfs -o "size=$size" cbfull "$tmp/full" 2>/dev/null ||
    { echo "SKIP: cannot mount a small tmpfs (needs root)"; exit 77; }
  csv=$tmp/full/r.csv
  "$tmp/cb-allreduce" "${args[@]}" -o "$csv" >"$tmp/out" 2>&1
  rc=$?
  cp "$csv" "$tmp/r.csv"; umount "$tmp/full"; csv=$tmp/r.csv
  [ "$rc" -eq 3 ] || fail "exit $rc, want 3"
  grep -q "writing a row failed" "$tmp/out" || fail "no clear error"
  "$expect" "$csv" --where benchmark=allreduce --where status=ok --min-rows 1 >/dev/null ||
    fail "rows written before the disk filled are not intact"
  echo "PASS: results disk (${size} B) full after $(($(wc -l <"$csv") - 1)) of $(($(wc -l <"$tmp/probe.csv") - 1)) rows: '$(grep -m1 'writing a row failed' "$tmp/out")', exit 3"
  ;;
*) echo "unknown kind $kind"; exit 2 ;;
esac
