#!/usr/bin/env bash
# Smoke test of scripts/vcluster: brings up a private copy (own prefix, subnet, ports and state
# dir, so it can run beside a demo cluster), runs an sbatch --wait -N 3 job whose `srun hostname`
# must return node0..node2 and end COMPLETED, checks that `status` shows both ends of every link
# shaped (tbf), and that node0->node1 carries iperf3 traffic no faster than the 2500 Mbit/s shaping
# allows (a cap only a missing shaper breaks; the goodput itself is printed, not asserted: a
# loaded machine only lowers it). Always tears down. Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail

name=test_vcluster_smoke
fail() {
  echo "$name: FAIL: $*"
  for f in "$CB_VC_DIR"/log/*.log "$tmp"/job.out; do
    [ -s "$f" ] && { echo "--- tail $f"; tail -n 10 "$f"; }
  done
  exit 1
}
# shellcheck source-path=SCRIPTDIR source=vc_test_lib.sh
. "${CB_SOURCE_DIR:?}/tests/slurm/vc_test_lib.sh"
vc_start

status=$("$vc" status) || fail "vcluster status says not up right after up"
links=$(printf '%s\n' "$status" | grep -cE '^link node[0-9]+ .*: to node tbf [0-9.]+[GMK]?bit, from node tbf [0-9.]+[GMK]?bit$')
[ "$links" = 3 ] || fail "want 3 links shaped at both ends in 'vcluster status': $status"
printf '%s\n' "$status" | grep '^link ' | sed 's/^/  /'

jobid=$(cd "$tmp" && timeout 60 sbatch --parsable --wait -N 3 -o "$tmp/job.out" --wrap 'srun hostname')
rc=$?
[ "$rc" -eq 0 ] || fail "sbatch --wait -N 3 exited $rc"
jobid=${jobid%%;*}
hosts=$(sort "$tmp/job.out" | tr '\n' ' ')
[ "$hosts" = "node0 node1 node2 " ] || fail "srun hostname returned '$hosts', expected node0 node1 node2"
state=$(scontrol show job "$jobid" 2>&1 | grep -o 'JobState=[A-Z_]*')
[ "$state" = JobState=COMPLETED ] || fail "job $jobid ended with '$state', expected COMPLETED"

res=$("$vc" iperf node0 node1 2) || fail "vcluster iperf failed: $res"
gbps=$(printf '%s\n' "$res" | awk '$1 == "iperf" && $4 == "Gbit/s" { print $3 }')
[ -n "$gbps" ] || fail "unexpected iperf output: $res"
awk -v g="$gbps" 'BEGIN { exit !(g > 0 && g <= 2.5 * 1.04) }' ||
  fail "node0->node1 goodput $gbps Gbit/s: want more than 0 and at most the 2.5 Gbit/s shaping (+4%)"

echo "$name: PASS: job $jobid COMPLETED on node0..node2, $res"
