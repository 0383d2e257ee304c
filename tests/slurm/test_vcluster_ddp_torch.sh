#!/usr/bin/env bash
# Real PyTorch DDP on the virtual cluster (labels slurm, torch): the generated
# ddp.sh submitted for real on 3 nodes at 2.5 Gbit/s. Its third step checks that
# torch imports on every node, then runs cb-ddp-torch across the 3 nodes
# (rendezvous from Slurm's variables, gloo on eth0, emulated compute). The
# profile's time limit is cut to 3 minutes, so each DDP step's --total-time
# cap is 45 s and the job stays short; what the caps skip is written as
# skipped rows. Checks: job COMPLETED; gloo all-reduce rows across 3 nodes
# with zero wrong elements; DDP rows of 3 ranks on 3 nodes; the report and
# `clusterbench breakeven` use them (calibration from real PyTorch DDP, gloo's
# all-reduce before MPI's).
# Skips (77) when not root, without namespaces, or without torch.
set -uo pipefail
name=test_vcluster_ddp_torch
src=${CB_SOURCE_DIR:?}
bin=${CB_BIN:?}
expect=${CB_CSV_EXPECT:?}
fail() {
  echo "$name: FAIL: $*"
  for f in "$tmp"/home/results/slurm-*.out; do [ -s "$f" ] && { echo "--- tail $f"; tail -n 25 "$f"; }; done
  exit 1
}
if ! /usr/bin/python3 -c 'import torch.distributed' 2>/dev/null; then
  echo "$name: SKIP: /usr/bin/python3 cannot import torch (CB_WITH_TORCH=1 scripts/setup-deps)"
  exit 77
fi
# shellcheck source-path=SCRIPTDIR source=vc_test_lib.sh
. "$src/tests/slurm/vc_test_lib.sh"
vc_start
vc_home

prof=$tmp/vcluster.ini
sed -e "s/^time_limit *=.*/time_limit = 00:03:00/" "$src/sbatch/profiles/vcluster.ini" >"$prof"
"$bin/clusterbench" sbatch --profile "$prof" --out "$tmp/sbatch" >/dev/null || fail "generate"
t0=$SECONDS
id=$(cd "$home" && sbatch --parsable --wait "$tmp/sbatch/ddp.sh") || true
[ -n "$id" ] || fail "sbatch ddp.sh failed"
st=$(vc_job_state "$id")
[ "$st" = COMPLETED ] || fail "ddp.sh: job $id ${st:-unknown to Slurm}"
echo "$name: ddp.sh: job $id COMPLETED in $((SECONDS - t0)) s"
out=$home/results/vcluster/$id
log=$home/results/slurm-cb-ddp-$id.out
csv=$out/ddp-torch.csv
[ -f "$csv" ] || fail "no $csv"
grep -q 'node0: torch ' "$log" && grep -q 'node2: torch ' "$log" || fail "the torch check did not run on every node"
grep -q '^# cb-ddp-torch: 3 rank(s) on 3 node(s) (node0,node1,node2)' "$log" || fail "not 3 ranks on 3 nodes"
grep -q 'rendezvous slurm at node0:' "$log" || fail "rendezvous not from Slurm's node list"
"$expect" "$csv" --where benchmark=allreduce --where transport=gloo --where nodes=3 --where ranks=3 \
  --where status=ok --min-rows 3 --zero-wrong || fail "gloo all-reduce rows across 3 nodes"
n=$("$expect" "$csv" --where benchmark=ddp-torch --where metric=tn_ms --where nodes=3 --where ranks=3 \
  --print status 2>/dev/null | grep -cE '^(ok|flagged)$')
[ "$n" -ge 1 ] || fail "no DDP step measured across 3 nodes"
# Measured points (ok or flagged; a T1 past the time cap is a skipped row) carry the
# check of DDP's averaged gradients: zero wrong elements.
bad=$("$expect" "$csv" --where benchmark=ddp-torch --where metric=tn_ms --where nodes=3 \
  --print status,wrong_elements 2>/dev/null | awk -F'\t' '$1 == "ok" || $1 == "flagged" { n++; if ($2 != "0") b++ }
  END { print (n ? b + 0 : "none") }')
[ "$bad" = 0 ] || fail "DDP's averaged gradients across nodes: $bad measured point(s) with wrong elements"
"$expect" "$csv" --where benchmark=ddp-torch --where metric=ddp1_ms --min-rows 1 >/dev/null ||
  fail "no one-node DDP step"
"$bin/clusterbench" report -q "$out" -o "$tmp/report" || fail "report: exit $?"
grep -q '^## DDP: predicted vs measured' "$tmp/report/report.md" || fail "report: no predicted-vs-measured section"
"$bin/clusterbench" breakeven -r "$out" --grad-bytes 100M --step-ms 400 >"$tmp/be.txt" 2>&1 ||
  fail "breakeven: exit $?: $(cat "$tmp/be.txt")"
# Calibrated by the torch rows, or (on a machine so busy that every point's
# emulated compute ran late) saying it left the flagged ones out.
grep -qE 'calibration against real PyTorch DDP \(cb-ddp-torch\)|flagged cb-ddp-torch points were left out' \
  "$tmp/be.txt" || fail "breakeven: the cb-ddp-torch rows not used: $(cat "$tmp/be.txt")"
grep -q 'N=3: alpha .* (gloo, in-place)' "$tmp/be.txt" || fail "breakeven: does not use DDP's own backend (gloo): $(cat "$tmp/be.txt")"
echo "$name: PASS ($n DDP point(s) across 3 nodes)"
