#!/usr/bin/env bash
# Smoke test of scripts/vcluster: brings up a private copy (own prefix, subnet, ports and state
# dir, so it can run beside a demo cluster), runs an sbatch --wait -N 3 job whose `srun hostname`
# must return node0..node2 and end COMPLETED, and checks node0->node1 iperf3 goodput lies in a wide
# functional bound around the 2500 Mbit/s shaping. Always tears down. Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail

src=${CB_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
vc=$src/scripts/vcluster
name=test_vcluster_smoke

if [ "$(id -u)" -ne 0 ]; then
  echo "$name: SKIP: needs root (network namespaces, Slurm daemons)"; exit 77
fi
if ! unshare --net --uts --mount true 2>/dev/null; then
  echo "$name: SKIP: network/UTS/mount namespaces not available"; exit 77
fi

tmp=$(mktemp -d /tmp/cbvc-test.XXXXXX)
chmod 755 "$tmp" # munged wants every directory above its socket searchable by all
export CB_VC_DIR=$tmp/vc CB_VC_PREFIX=cbt CB_VC_SUBNET=10.214.0 CB_VC_CTLD_PORT=6927 \
  CB_VC_SLURMD_PORT=6928 CB_VC_NODES=3 CB_VC_RATE=2500
cleanup() {
  "$vc" down >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
  echo "$name: FAIL: $*"
  for f in "$CB_VC_DIR"/log/*.log "$tmp"/job.out; do
    [ -s "$f" ] && { echo "--- tail $f"; tail -n 10 "$f"; }
  done
  exit 1
}

out=$("$vc" up 2>"$tmp/up.err")
rc=$?
if [ "$rc" -eq 77 ]; then
  echo "$name: SKIP: $(tail -n1 "$tmp/up.err")"; exit 77
fi
[ "$rc" -eq 0 ] || fail "vcluster up exited $rc: $(tail -n 20 "$tmp/up.err")"
line=$(printf '%s\n' "$out" | tail -n1)
case $line in "export SLURM_CONF="*) ;; *) fail "last line of 'up' is not an export: $line" ;; esac
eval "$line"

"$vc" status >/dev/null || fail "vcluster status says not up right after up"

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
awk -v g="$gbps" 'BEGIN { exit !(g >= 1.5 && g <= 2.6) }' ||
  fail "node0->node1 goodput $gbps Gbit/s outside [1.5, 2.6] at 2500 Mbit/s shaping"

echo "$name: PASS: job $jobid COMPLETED on node0..node2, $res"
