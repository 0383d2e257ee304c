#!/usr/bin/env bash
# test_gpu_check (label unit): scripts/gpu-check's table, fed with recorded
# rows (tests/data/gpucheck/: hand-written cb-gpu, cb-allreduce, cb-p2p,
# cb-ddp and torch-probe CSVs of a 1-GPU H200 run that passed and a 2-GPU
# H100 run with failures): `clusterbench gpu-table` prints exactly the golden
# table and CSV (CB_UPDATE_GOLDEN=1 rewrites them) and exits 0 / 1; a path
# that exited 0 without a CSV fails; bad paths.tsv lines are refused with
# file:line (exit 2, nothing written). Then scripts/gpu-check itself on this
# machine when it has no GPU: one line "no GPU: nothing checked", exit 0 (3
# with --require-gpu), nothing left behind; and with a GPU pretended present
# (CB_TEST_GPU_PRESENT=1) that CUDA cannot use: every path that needs it
# FAILED in the table, exit 1.
set -u
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
data=$CB_TEST_DATA/gpucheck
golden=$data/golden

for case in one-gpu two-gpus; do
  want_rc=0
  [[ $case == two-gpus ]] && want_rc=1
  rc=0
  "$cb" gpu-table -o "$tmp/$case.csv" "$data/$case" >"$tmp/$case.txt" 2>"$tmp/$case.err" || rc=$?
  [[ $rc == "$want_rc" ]] || fail "$case: exit $rc, want $want_rc: $(cat "$tmp/$case.err")"
  [[ -s $tmp/$case.err ]] && fail "$case: stderr: $(cat "$tmp/$case.err")"
  for ext in txt csv; do
    if [[ ${CB_UPDATE_GOLDEN:-0} == 1 ]]; then
      mkdir -p "$golden"
      cp "$tmp/$case.$ext" "$golden/$case.$ext"
      echo "updated $golden/$case.$ext"
    elif ! diff -u "$golden/$case.$ext" "$tmp/$case.$ext" >"$tmp/diff"; then
      head -40 "$tmp/diff" >&2
      fail "$case.$ext differs from $golden/$case.$ext (CB_UPDATE_GOLDEN=1 to accept)"
    fi
  done
done
# What the goldens must say, derived by hand from the recorded rows:
# 4150.2 / 4800 = 86.5% of spec, / 3985.6 (cudaMemcpy) = 1.04; one rank's
# all-reduce moves 2 x 1905.3 = 3810.6 GB/s = 0.96 x cudaMemcpy; the FMA peak
# 61.2 / SGEMM 49.8 = 1.23.
t1=$golden/one-gpu.txt
grep -qE '^cb-gpu --require-gpu +ok +gpu0 copy kernel 512M +4150.20 GB/s +4800 +86.5%  1.04 x cudaMemcpy D2D \(3985.60\)$' "$t1" ||
  fail "one-gpu: copy kernel line"
grep -qE 'gpu0 FP32 FMA +61.20 TFLOPS +67 +91.3%  1.23 x cuBLAS SGEMM \(49.80\)$' "$t1" || fail "one-gpu: FMA line"
grep -qE '^cb-allreduce nccl, 1 rank +ok +algbw float out-of-place 256M +1905.30 GB/s .* 0.96 x cudaMemcpy D2D' "$t1" ||
  fail "one-gpu: all-reduce line"
grep -qE '^torch DDP probe, backend nccl +absent +no executable cb-ddp-torch' "$t1" || fail "one-gpu: torch absent"
grep -qx 'gpu-check: ok: 3 path(s) ok, 3 skipped or absent, none failed' "$t1" || fail "one-gpu: verdict"
t2=$golden/two-gpus.txt
grep -qE '^cb-allreduce nccl, a rank per GPU \(2\) +FAILED +exit 3: cb-allreduce: 64M float' "$t2" ||
  fail "two-gpus: the failed all-reduce and its error"
grep -qE 'gpu1 GEMM fp8 n=1024 .*FAILED: .*no algorithm' "$t2" || fail "two-gpus: the failed fp8 GEMM"
grep -qE 'speedup at 20 ms +1.68 x' "$t2" || fail "two-gpus: 2 x 20.1 / 23.9 = 1.68"
grep -qx 'gpu-check: FAILED: 3 of 7 path(s) failed: cb-gpu --require-gpu; cb-allreduce nccl, a rank per GPU (2); torch DDP probe, backend nccl; 4 ok, 0 skipped or absent' "$t2" ||
  fail "two-gpus: verdict"

# exit 0 but no CSV: failed
mkdir -p "$tmp/nocsv"
printf 'ddp\tcb-ddp GPU engine, 1 rank\tok\t0\t\tddp-1rank.csv\n' >"$tmp/nocsv/paths.tsv"
rc=0
"$cb" gpu-table "$tmp/nocsv" >"$tmp/out" 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "ok without a CSV: exit $rc, want 1"
grep -qE 'FAILED +exited 0 but wrote no results CSV' "$tmp/out" || fail "ok without a CSV: $(cat "$tmp/out")"

# bad paths.tsv: exit 2, one line naming file:line, nothing written
bad() { # WANT LINE
  mkdir -p "$tmp/bad"
  rm -f "$tmp/bad/gpu-check.csv"
  printf 'gpu\tcb-gpu\tok\t0\t\tgpu.csv\n%s\n' "$2" >"$tmp/bad/paths.tsv"
  local rc=0
  "$cb" gpu-table "$tmp/bad" >"$tmp/out" 2>"$tmp/err" || rc=$?
  if [[ $rc != 2 ]] || ! grep -qF "paths.tsv:2: $1" "$tmp/err" || [[ $(wc -l <"$tmp/err") != 1 ]] ||
    [[ -e $tmp/bad/gpu-check.csv ]]; then
    fail "bad line '$2': exit $rc: $(cat "$tmp/err")"
  fi
}
bad "unknown kind 'gpus'" $'gpus\tx\tok\t0\t\t'
bad "want 6 tab-separated fields, got 3" $'gpu\tx\tok'
bad "unknown status 'passed'" $'gpu\tx\tpassed\t0\t\t'
bad "exit status 'three' is not -1..255" $'gpu\tx\tfailed\tthree\t\t'
rc=0
"$cb" gpu-table "$tmp/nowhere" >/dev/null 2>"$tmp/err" || rc=$?
[[ $rc == 2 ]] || fail "missing directory: exit $rc"

# scripts/gpu-check on this machine, only where it has no GPU (with one, the
# gpu-labelled tests run the real thing)
gc=$CB_SOURCE_DIR/scripts/gpu-check
# shellcheck source=../../scripts/gpu-detect.sh
. "$CB_SOURCE_DIR/scripts/gpu-detect.sh"
if [[ -n $(gpu_here) ]]; then
  finish "gpu-table goldens; scripts/gpu-check itself not run without a GPU here: $(gpu_here)"
fi
for req in "" --require-gpu; do
  rc=0
  CB_BIN=$CB_BIN "$gc" $req --out "$tmp/gc" >"$tmp/out" 2>&1 || rc=$?
  want=0
  [[ -n $req ]] && want=3
  [[ $rc == "$want" ]] || fail "gpu-check $req without a GPU: exit $rc, want $want: $(cat "$tmp/out")"
  [[ $(wc -l <"$tmp/out") == 1 ]] && grep -q '^gpu-check: no GPU: nothing checked (' "$tmp/out" ||
    fail "gpu-check $req without a GPU: want one line: $(cat "$tmp/out")"
  [[ ! -e $tmp/gc ]] || fail "gpu-check $req without a GPU left $tmp/gc behind"
done
rc=0
CB_TEST_GPU_PRESENT=1 CB_BIN=$CB_BIN "$gc" --quick --out "$tmp/gc" >"$tmp/out" 2>"$tmp/err" || rc=$?
[[ $rc == 1 ]] || fail "gpu-check with an unusable GPU: exit $rc, want 1: $(cat "$tmp/out" "$tmp/err")"
grep -qE '^cb-gpu --require-gpu +FAILED +exit 3: the driver sees a GPU' "$tmp/out" ||
  fail "gpu-check with an unusable GPU: cb-gpu not FAILED: $(cat "$tmp/out")"
grep -qE '^cb-allreduce nccl, 1 rank +FAILED' "$tmp/out" || fail "gpu-check: all-reduce not FAILED"
grep -q '^gpu-check: FAILED: ' "$tmp/out" || fail "gpu-check: no FAILED verdict"
[[ -s $tmp/gc/gpu-check.csv && -s $tmp/gc/paths.tsv ]] || fail "gpu-check: no gpu-check.csv/paths.tsv in $tmp/gc"
finish "gpu-table goldens and refusals; gpu-check without a GPU: one line, exit 0 (3 with --require-gpu)"
