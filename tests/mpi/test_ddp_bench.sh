#!/usr/bin/env bash
# MPI integration test of cb-ddp (CPU path: emulated compute, all-reduce on a
# communication thread): 2 local ranks, a small G, T1 20 ms, 3 steps; the
# rows it writes, T_N >= T1 (test_ddp_bench_check), --allreduce-csv, a short
# --sweep, the singleton run (T_N = T1), and bad input: one line, exit 2, no
# file written. Nothing here asserts a time.
set -uo pipefail
bin=${CB_BIN:?CB_BIN not set}
expect=${CB_CSV_EXPECT:?CB_CSV_EXPECT not set}
check=${CB_DDP_CHECK:?CB_DDP_CHECK not set}
if ! command -v mpirun >/dev/null 2>&1; then
  echo "SKIP: mpirun not found (install openmpi-bin: scripts/setup-deps)"; exit 77
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader,tcp
tmp=$(mktemp -d /tmp/cb_ddp_test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
run() { echo "+ $*"; timeout 180 "$@"; }
ddp=$bin/cb-ddp

# 2 ranks: all-reduce of each bucket size measured first, then the step.
if run mpirun -np 2 "$ddp" -t mpi --grad-bytes 8M --step-ms 20 --iters 3 --ar-time 0.2 \
    --cluster ddptest -o "$tmp/ddp.csv" --timeline >"$tmp/out" 2>"$tmp/err"; then
  ok "cb-ddp on 2 ranks"
else
  bad "cb-ddp on 2 ranks exited $?: $(cat "$tmp/err")"
fi
cat "$tmp/out"
grep -q 'EMULATED compute' "$tmp/out" || bad "no 'EMULATED compute' in the header"
grep -q 'model_tn_ms' "$tmp/out" || bad "no table"
"$expect" "$tmp/ddp.csv" --where benchmark=ddp --where metric=tn_ms --where ranks=2 \
  --where cluster=ddptest --where op=overlap --where bytes=8388608 --where transport=mpi \
  --where "note=step_ms=20; emulated compute" --rows 1 --status ok || bad "tn_ms row"
for m in t1_ms speedup efficiency model_tn_ms model_speedup model_error_pct; do
  "$expect" "$tmp/ddp.csv" --where benchmark=ddp --where metric=$m --rows 1 --status ok ||
    bad "$m row"
done
# 8 MiB: buckets of 1 and 7 MiB, measured in place
"$expect" "$tmp/ddp.csv" --where benchmark=allreduce --where placement=in-place --where ranks=2 \
  --rows 2 --zero-wrong --status ok || bad "allreduce rows"
"$expect" "$tmp/ddp.csv" --where benchmark=topo --where metric=cpu_cores --rows 1 || bad "topo row"
"$check" "$tmp/ddp.csv" || bad "T_N >= T1"

# The model from those all-reduce rows (--allreduce-csv), two T1, no overlap.
if run mpirun -np 2 "$ddp" -t mpi -g 8M -s 20,40 -n 3 --no-overlap --allreduce-csv "$tmp/ddp.csv" \
    -o "$tmp/ddp2.csv" -q >"$tmp/out2" 2>&1; then
  ok "--allreduce-csv"
else
  bad "--allreduce-csv: $(cat "$tmp/out2")"
fi
grep -q "from $tmp/ddp.csv" "$tmp/out2" || bad "--allreduce-csv: curve source not named"
"$expect" "$tmp/ddp2.csv" --where benchmark=ddp --where metric=tn_ms --where op=no-overlap \
  --rows 2 --status ok || bad "--allreduce-csv: tn_ms rows"
"$expect" "$tmp/ddp2.csv" --where benchmark=allreduce --rows 0 || bad "--allreduce-csv measured again"
"$check" "$tmp/ddp2.csv" || bad "T_N >= T1 (no overlap)"

# A short sweep: its probes and the two break-even rows.
if run mpirun -np 2 "$ddp" -t mpi -g 2M -s 5 -n 2 --sweep --sweep-probes 2 --ar-time 0.1 \
    -o "$tmp/sweep.csv" -q >"$tmp/out3" 2>&1; then
  ok "--sweep"
else
  bad "--sweep: $(cat "$tmp/out3")"
fi
grep -q 'probe 1' "$tmp/out3" || bad "--sweep: probes not printed"
for m in breakeven_t1_ms model_breakeven_t1_ms; do
  "$expect" "$tmp/sweep.csv" --where benchmark=ddp --where metric=$m --rows 1 --status ok ||
    bad "--sweep: $m row"
done
"$expect" "$tmp/sweep.csv" --where benchmark=ddp --where metric=tn_ms --rows 3 || bad "--sweep: probe rows"

# One rank, no mpirun: T_N = T1, no communication, and it says so.
if run "$ddp" -t mpi -g 8M -s 10 -n 2 -o "$tmp/one.csv" -q >"$tmp/out4" 2>&1; then
  ok "singleton"
else
  bad "singleton: $(cat "$tmp/out4")"
fi
grep -q '1 rank: no communication' "$tmp/out4" || bad "singleton does not say so"
"$expect" "$tmp/one.csv" --where benchmark=ddp --where metric=speedup --where ranks=1 --rows 1 ||
  bad "singleton rows"
"$expect" "$tmp/one.csv" --where benchmark=allreduce --rows 0 || bad "singleton measured all-reduce"
"$check" "$tmp/one.csv" || bad "singleton T_N >= T1"

# Bad input: one line naming the problem, exit 2, no file created or changed.
printf 'name,age\nx,1\n' >"$tmp/theirs.csv"
expect_fail() {
  local pattern=$1; shift
  local before after rc lines
  before=$(find "$tmp" -type f | sort | xargs -r md5sum)
  (cd "$tmp" && timeout 60 "$@" >"$tmp/bad.out" 2>"$tmp/bad.err"); rc=$?
  after=$(find "$tmp" -type f -not -name 'bad.*' | sort | xargs -r md5sum)
  before=$(echo "$before" | grep -v 'bad\.')
  # cb-ddp's own lines (mpirun adds its banner about the exit status)
  if [ "$(basename "$1")" = mpirun ]; then
    lines=$(grep -c '^cb-ddp' "$tmp/bad.err")
  else
    lines=$(grep -vc '^(try' "$tmp/bad.err")
  fi
  if [ "$rc" -ne 2 ] || ! grep -q -- "$pattern" "$tmp/bad.err" || [ "$before" != "$after" ] ||
    [ "$lines" -ne 1 ]; then
    bad "$(basename "$1") ${*:2} -> exit $rc (want 2), $lines line(s), stderr: $(cat "$tmp/bad.err")"
  else
    ok "$(basename "$1") ${*:2} -> exit 2: $(head -1 "$tmp/bad.err")"
  fi
}
expect_fail "must be > 0" "$ddp" --grad-bytes 0
expect_fail "must be > 0" "$ddp" --step-ms -5
expect_fail "not a finite number" "$ddp" --step-ms nan
expect_fail "not a finite number" "$ddp" --step-ms 50,NaN
expect_fail "unknown workload" "$ddp" --workload gpt-17
expect_fail "unknown option" "$ddp" --frobnicate
expect_fail "unknown transport" "$ddp" -t infiniband
expect_fail "not a clusterbench results file" "$ddp" -t mpi -g 1M -s 1 -o "$tmp/theirs.csv"
expect_fail "no-such.csv" mpirun -np 2 "$ddp" -t mpi -g 1M -s 1 --allreduce-csv "$tmp/no-such.csv" \
  -o "$tmp/new.csv"
expect_fail "nodes=1, ranks=3" mpirun -np 3 "$ddp" -t mpi -g 1M -s 1 --allreduce-csv "$tmp/ddp.csv" \
  -o "$tmp/new.csv"
[ ! -e "$tmp/new.csv" ] || bad "a refused run created its output file"

if [ "$fails" -ne 0 ]; then
  echo "FAIL: $fails check(s) failed"
  exit 1
fi
echo "PASS: cb-ddp on 2 ranks, --allreduce-csv, --sweep, singleton, bad input"
