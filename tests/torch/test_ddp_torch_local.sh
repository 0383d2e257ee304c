#!/usr/bin/env bash
# test_ddp_torch_local (label torch): cb-ddp-torch for real, 2 ranks on this
# machine over gloo (torchrun-style environment), emulated compute.
#   run:     rows of every kind (gloo all-reduce, t1/ddp1/tn, speedup,
#            efficiency, overrun, the sweep's break-even), DDP's averaged
#            gradients checked (wrong_elements 0), exit 0; the reporter and
#            breakeven's calibration read the file
#   skip:    no torch (/usr/bin/python3 -S cannot import it): one skipped row,
#            exit 0; with --require-torch exit 3
#   bad:     bad input: exit 2, one line, nothing written
#   dead:    rank 1 SIGKILLed mid-run: rank 0 ends within --timeout, non-zero,
#            the rows measured before stay, the T1 in flight is marked
# Skips (77) when /usr/bin/python3 cannot import torch (CB_WITH_TORCH=1
# scripts/setup-deps installs Debian's python3-torch).
set -uo pipefail
bin=${CB_BIN:?} expect=${CB_CSV_EXPECT:?}
py=/usr/bin/python3
if ! "$py" -c 'import torch.distributed' 2>/dev/null; then
  echo "SKIP: $py cannot import torch (CB_WITH_TORCH=1 scripts/setup-deps installs python3-torch)"
  exit 77
fi
tmp=$(mktemp -d /tmp/cb_torch.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*.out "$tmp"/*.err; do [ -s "$f" ] && { echo "--- $f"; tail -n 15 "$f"; }; done; exit 1; }
port() { "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
probe=$bin/cb-ddp-torch

# launch NAME ARGS...: 2 ranks in the background (pids in pids[]).
launch() {
  local name=$1 p
  shift
  p=$(port)
  pids=()
  for r in 0 1; do
    env -u SLURM_PROCID -u SLURM_JOB_ID RANK=$r WORLD_SIZE=2 LOCAL_RANK=$r MASTER_ADDR=127.0.0.1 \
      MASTER_PORT="$p" "$probe" "$@" >"$tmp/$name.$r.out" 2>"$tmp/$name.$r.err" &
    pids+=($!)
  done
}

# ---- run
t0=$SECONDS
csv=$tmp/run.csv
launch run -g 2M --emulate-step-ms 20,60 --iters 2 --warmup 2 --allreduce-sizes 64K,1M \
  --ar-time 0.05 --sweep --sweep-probes 2 --cluster local-torch -o "$csv"
for i in 0 1; do wait "${pids[$i]}" || fail "rank $i exited $? (want 0)"; done
pids=()
"$expect" "$csv" --where benchmark=allreduce --where transport=gloo --where status=ok \
  --where placement=in-place --rows 2 --zero-wrong || fail "gloo all-reduce rows"
for m in t1_ms ddp1_ms tn_ms speedup efficiency overrun_ms; do
  # ok, or flagged when this machine was busy (compute ran late): either way a row per T1
  n=$("$expect" "$csv" --where benchmark=ddp-torch --where metric=$m --print status 2>/dev/null |
      grep -cE '^(ok|flagged)$')
  [ "$n" -ge 2 ] || fail "metric $m: $n rows, want at least 2 (one per T1)"
done
"$expect" "$csv" --where benchmark=ddp-torch --where metric=tn_ms --zero-wrong --min-rows 2 ||
  fail "DDP's averaged gradients are wrong"
"$expect" "$csv" --where benchmark=ddp-torch --where metric=breakeven_t1_ms --rows 1 ||
  fail "no break-even row"
"$expect" "$csv" --where benchmark=ddp-torch --where metric=tn_ms --where transport=gloo \
  --where memory=host --where ranks=2 --where nodes=1 --min-rows 2 || fail "context columns"
grep -q '^# cb-ddp-torch: 2 rank(s) on 1 node(s)' "$tmp/run.0.out" || fail "no start line"
grep -q 'measured break-even T1' "$tmp/run.0.out" || fail "no break-even line"
[ ! -s "$tmp/run.1.out" ] || fail "rank 1 printed to stdout: $(head -n 2 "$tmp/run.1.out")"
"$bin/clusterbench" report "$csv" -o "$tmp/rep" -q || fail "clusterbench report: exit $?"
grep -q '^## DDP: predicted vs measured' "$tmp/rep/report.md" || fail "no DDP: predicted vs measured section"
echo "run: ok in $((SECONDS - t0)) s"

# ---- skip
"$py" -S "$probe" -g 1M -o "$tmp/skip.csv" >"$tmp/skip.out" 2>"$tmp/skip.err"
rc=$?
[ $rc -eq 0 ] || fail "no torch: exit $rc, want 0"
"$expect" "$tmp/skip.csv" --where benchmark=ddp-torch --where status=skipped --rows 1 || fail "no skipped row"
grep -q "no torch: torch does not import" "$tmp/skip.csv" || fail "skipped row does not say why"
"$py" -S "$probe" -g 1M --require-torch -o "$tmp/skip2.csv" >/dev/null 2>&1
rc=$?
[ $rc -eq 3 ] || fail "no torch with --require-torch: exit $rc, want 3"
echo "skip: ok"

# ---- bad input
for args in "-w nope" "-g 1.5M" "-g 0" "-g 1M --emulate-step-ms 0" "-g 1M --emulate-step-ms -3" \
    "-g 1M --emulate-step-ms 10 --bwd-frac 1.5" "-g 1M --emulate-step-ms 10 --bwd-frac 0"; do
  # shellcheck disable=SC2086
  env -u SLURM_PROCID -u RANK -u WORLD_SIZE "$probe" $args -o "$tmp/bad.csv" >"$tmp/bad.out" 2>"$tmp/bad.err"
  rc=$?
  [ $rc -eq 2 ] || fail "'$args': exit $rc, want 2"
  [ "$(wc -l <"$tmp/bad.err")" -eq 1 ] || fail "'$args': $(wc -l <"$tmp/bad.err") lines on stderr, want 1"
  [ ! -e "$tmp/bad.csv" ] || fail "'$args': wrote $tmp/bad.csv"
done
SLURM_PROCID=0 SLURM_NTASKS=3 SLURM_JOB_NODELIST='node[0-2]' "$probe" -g 1M --world-size 2 \
  -o "$tmp/bad.csv" >/dev/null 2>"$tmp/bad.err"
rc=$?
[ $rc -eq 2 ] && grep -q "disagrees with the Slurm world size 3" "$tmp/bad.err" && [ ! -e "$tmp/bad.csv" ] ||
  fail "world size against Slurm's: exit $rc, $(cat "$tmp/bad.err")"
SLURM_PROCID=0 SLURM_NTASKS=3 SLURM_JOB_NODELIST='node[0-2]' WORLD_SIZE=2 "$probe" -g 1M \
  -o "$tmp/bad.csv" >/dev/null 2>"$tmp/bad.err"
rc=$?
[ $rc -eq 2 ] && grep -q "WORLD_SIZE=2 disagrees with Slurm's SLURM_NTASKS=3" "$tmp/bad.err" ||
  fail "WORLD_SIZE against Slurm's: exit $rc, $(cat "$tmp/bad.err")"
echo "bad input: ok"

# ---- dead rank
csv=$tmp/dead.csv
launch dead -g 2M --emulate-step-ms 20,3000 --iters 5 --warmup 2 --no-allreduce --timeout 30 -o "$csv"
for _ in $(seq 1 300); do
  "$expect" "$csv" --where metric=overrun_ms --min-rows 1 >/dev/null 2>&1 && break
  sleep 0.1
done
"$expect" "$csv" --where metric=overrun_ms --min-rows 1 >/dev/null 2>&1 || fail "the first T1 never finished"
sleep 1 # into the second T1 (about 21 s long)
kill -9 "${pids[1]}"
t_kill=$SECONDS
ended=0
for _ in $(seq 1 450); do kill -0 "${pids[0]}" 2>/dev/null || { ended=1; break; }; sleep 0.1; done
[ $ended = 1 ] || fail "rank 0 still running 45 s after rank 1 died (--timeout 30)"
wait "${pids[0]}"
rc=$?
pids=()
[ $rc -ne 0 ] || fail "rank 0 exited 0 after its peer died"
echo "dead: rank 0 ended $((SECONDS - t_kill)) s after the kill, exit $rc"
"$expect" "$csv" --where metric=tn_ms --where status=ok --rows 1 >/dev/null 2>&1 ||
  "$expect" "$csv" --where metric=tn_ms --where status=flagged --rows 1 || fail "the first T1's rows are gone"
n=$("$expect" "$csv" --where metric=tn_ms --print status 2>/dev/null | grep -cE '^(failed|timeout)$')
[ "$n" -eq 1 ] || fail "the T1 in flight: $n failed/timeout rows, want 1"
grep -q 'step_ms=3000' "$csv" || fail "the failed row does not name the T1 in flight"
echo "PASS"
