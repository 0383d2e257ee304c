# shellcheck shell=bash
# Sourced by the virtual-cluster tests (tests/slurm/, tests/faults/): the set-up
# they share. The sourcing script sets `name` and defines fail() (its own
# diagnostics, then exit 1) before calling vc_start.
#
# vc_start PREFIX SUBNET CTLD_PORT SLURMD_PORT
#   Skips (exit 77, saying why) unless root with network/UTS/mount namespaces.
#   Makes $tmp (mode 755: munged wants every directory above its socket
#   searchable), brings up a private copy of scripts/vcluster in it with this
#   prefix, subnet and ports (so the tests run beside each other and beside a
#   demo cluster), CB_VC_NODES (3) nodes shaped to CB_VC_RATE (2500) Mbit/s,
#   and exports its SLURM_CONF. On exit the cluster goes down and $tmp is
#   removed. Sets vc (the scripts/vcluster path) and tmp.
vc='' tmp='' home=''
name=${name:?set name before sourcing vc_test_lib.sh}

vc_start() {
  vc=${CB_SOURCE_DIR:?}/scripts/vcluster
  if [ "$(id -u)" -ne 0 ]; then
    echo "$name: SKIP: needs root (network namespaces, Slurm daemons)"
    exit 77
  fi
  if ! unshare --net --uts --mount true 2>/dev/null; then
    echo "$name: SKIP: network/UTS/mount namespaces not available"
    exit 77
  fi
  tmp=$(mktemp -d "/tmp/cbvc-$1.XXXXXX")
  chmod 755 "$tmp"
  export CB_VC_DIR=$tmp/vc CB_VC_PREFIX=$1 CB_VC_SUBNET=$2 CB_VC_CTLD_PORT=$3 \
    CB_VC_SLURMD_PORT=$4 CB_VC_NODES=${CB_VC_NODES:-3} CB_VC_RATE=${CB_VC_RATE:-2500}
  trap vc_cleanup EXIT
  trap 'exit 1' INT TERM HUP
  local out rc
  out=$("$vc" up 2>"$tmp/up.err")
  rc=$?
  if [ "$rc" -eq 77 ]; then
    echo "$name: SKIP: $(tail -n 1 "$tmp/up.err")"
    exit 77
  fi
  if [ "$rc" -ne 0 ]; then
    cat "$tmp/up.err"
    fail "vcluster up: exit $rc"
  fi
  eval "$(printf '%s\n' "$out" | tail -n 1)"
}

vc_cleanup() {
  "$vc" down >/dev/null 2>&1
  rm -rf "$tmp"
}

# vc_home: $tmp/home, the clusterbench directory as the jobs see it: this
# build's binaries (build/bin -> $CB_BIN; profile names resolve through the
# binaries' location, the source tree) and an empty results/. Sets home.
vc_home() {
  home=$tmp/home
  mkdir -p "$home/build" "$home/results"
  ln -s "$(cd "${CB_BIN:?}" && pwd)" "$home/build/bin"
}

# vc_job_state ID: the job's JobState (COMPLETED, FAILED, ...); empty once
# Slurm has forgotten it. vc_job_exit ID: its ExitCode, "status:signal".
vc_job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
vc_job_exit() { scontrol show job "$1" 2>/dev/null | grep -o ' ExitCode=[0-9:]*' | head -n 1 | cut -d= -f2; }
