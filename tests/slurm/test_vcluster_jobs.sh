#!/usr/bin/env bash
# Slurm integration test (label slurm): brings up a private copy of the virtual
# cluster, generates the sbatch scripts for the 3 nodes of the vcluster
# profile, submits allreduce.sh and p2p.sh for real, and checks: jobs
# COMPLETED, CSV rows present with zero wrong elements, and p2p bandwidth at
# 4 MiB and above not above 110% of the goodput iperf3 measures on the same
# link in the same test (more than the link carries is a byte-accounting bug;
# the fraction itself is printed, not asserted: load only lowers it). Skips
# (77) when not root or without namespaces.
set -uo pipefail
name=test_vcluster_jobs
src=${CB_SOURCE_DIR:?}
bin=${CB_BIN:?}
expect=${CB_CSV_EXPECT:?}
fail() {
  echo "$name: FAIL: $*"
  for f in "$tmp"/home/results/slurm-*.out; do [ -s "$f" ] && { echo "--- tail $f"; tail -n 15 "$f"; }; done
  exit 1
}
# shellcheck source-path=SCRIPTDIR source=vc_test_lib.sh
. "$src/tests/slurm/vc_test_lib.sh"
vc_start
vc_home

iperf=$("$vc" iperf node0 node1 3) || fail "iperf3: $iperf"
gbit=$(printf '%s\n' "$iperf" | awk '{print $(NF-1)}')
echo "$name: $iperf"

# 3 nodes, as the stock profile. (A 2-node round was dropped to keep CI time for
# tests/slurm/test_vcluster_validate.sh; other node counts are covered by the
# generator's unit tests.)
# shellcheck disable=SC2043 # one node count now; the loop takes more
for n in 3; do
  prof=$tmp/vcluster.ini
  sed -e "s/^nodes *=.*/nodes = $n/" -e "s/^nodelist *=.*/nodelist = node[0-$((n - 1))]/" \
    "$src/sbatch/profiles/vcluster.ini" >"$prof"
  "$bin/clusterbench" sbatch --profile "$prof" --out "$tmp/sbatch-$n" >/dev/null || fail "generate for $n nodes"
  for s in allreduce p2p; do
    # Open MPI 4.1.4 now and then segfaults in MPI_Init under srun here (README,
    # known problem): a job a rank of which crashed so is submitted once more.
    for attempt in 1 2; do
      id=$(cd "$home" && sbatch --parsable --wait "$tmp/sbatch-$n/$s.sh") || true
      [ -n "$id" ] || fail "$s on $n nodes: sbatch failed"
      st=$(vc_job_state "$id")
      log=$home/results/slurm-cb-$s-$id.out
      if [ "$st" != COMPLETED ] && [ "$attempt" = 1 ] && grep -q 'Signal: Segmentation fault' "$log"; then
        echo "$name: $s job $id: a rank crashed (Open MPI's MPI_Init crash?); submitting once more"
        grep -m 3 -E 'Segmentation fault|\*\*\*' "$log" | sed 's/^/  | /'
        continue
      fi
      break
    done
    [ "$st" = COMPLETED ] || fail "$s on $n nodes: job $id $st"
    csv=$home/results/vcluster/$id/$s.csv
    [ -f "$csv" ] || fail "$s on $n nodes: no $csv"
    echo "$name: $s on $n nodes: job $id COMPLETED, $csv"
    if [ "$s" = allreduce ]; then
      "$expect" "$csv" --where benchmark=allreduce --where nodes="$n" --where status=ok --min-rows 18 \
        --zero-wrong || fail "allreduce rows on $n nodes"
      "$expect" "$csv" --where benchmark=allreduce --where nodes=1 --min-rows 18 --zero-wrong ||
        fail "single-node baseline rows"
    else
      "$expect" "$csv" --where benchmark=p2p --where nodes=2 --where status=ok --min-rows 27 \
        --zero-wrong || fail "p2p rows"
      [ "$n" -lt 3 ] || "$expect" "$csv" --where benchmark=p2p --where nodes=3 --where op=bw \
        --rows 6 --zero-wrong --status ok || fail "all-pairs rows"
      # Bandwidth at 4 MiB and above against iperf3's goodput on the same link:
      # printed, and never above it by more than 10%.
      "$expect" "$csv" --where benchmark=p2p --where op=bw --where status=ok \
        --print bytes,algbw_gbps,host,peer >"$tmp/bw.tsv" 2>/dev/null || fail "no bw rows"
      awk -F'\t' -v gbit="$gbit" -v n="$n" '
        $1 >= 4194304 { r = $2 * 8 / gbit; k++
          printf "  %s->%s %9d B: %.4f GB/s = %.1f%% of iperf3\n", $3, $4, $1, $2, 100 * r
          if (r > 1.10) bad++ }
        END { if (!k) { print "  no rows >= 4 MiB"; exit 1 } exit bad ? 1 : 0 }' "$tmp/bw.tsv" ||
        fail "p2p bandwidth above 110% of iperf3's goodput ($gbit Gbit/s) on $n nodes"
    fi
  done
done
echo "$name: PASS"
