# shellcheck shell=bash
# Sourced by the virtual-cluster tests (tests/slurm/, tests/faults/,
# tests/preflight/): the set-up they share. The sourcing script sets `name`
# (its ctest name) and defines fail() (its own diagnostics) before calling
# vc_start.
#
# vc_net NAME: "PREFIX SUBNET CTLD_PORT SLURMD_PORT" of that test's private
#   cluster, from the one table below: every cluster test has its own netns
#   prefix, /24 and ports, so they run side by side under `ctest -j`, beside
#   each other and beside the demo cluster (cbvc, 10.213.0, 6917/6918).
#   CB_VC_TEST_SLOT=1..9 moves all of them (third octet, a digit on the
#   prefix, ports + 100 x slot) so that the suites of two checkouts can run on
#   one machine at once; 0 (the default) is the table as written.
# vc_start
#   Skips (exit 77, saying why) unless root with network/UTS/mount namespaces.
#   Makes $tmp (mode 755: munged wants every directory above its socket
#   searchable), brings up a private copy of scripts/vcluster in it with the
#   test's prefix, subnet and ports, CB_VC_NODES (3) nodes shaped to
#   CB_VC_RATE (2500) Mbit/s, checks that `up` ends with the SLURM_CONF export
#   and exports it. On exit the cluster goes down and $tmp is removed. Sets vc
#   (the scripts/vcluster path) and tmp.
vc='' tmp='' home=''
name=${name:?set name before sourcing vc_test_lib.sh}

vc_net() {
  local net
  case $1 in
  test_vcluster_smoke) net='cbt 10.214 6927 6928' ;;
  test_vcluster_jobs) net='cbj 10.216 6947 6948' ;;
  test_faults_vcluster_linkdown) net='cbl 10.217 6957 6958' ;;
  test_faults_vcluster_degrade) net='cbd 10.218 6967 6968' ;;
  test_vcluster_validate) net='cbv 10.219 6977 6978' ;;
  test_preflight_vcluster) net='cbp 10.220 6987 6988' ;;
  test_vcluster_ddp_torch) net='cbdt 10.222 6997 6998' ;;
  *) echo "vc_net: no network for '$1': add it to the table in vc_test_lib.sh" >&2; return 2 ;;
  esac
  local slot=${CB_VC_TEST_SLOT:-0} prefix sub ctld slurmd
  case $slot in [0-9]) ;; *) echo "vc_net: CB_VC_TEST_SLOT=$slot: want 0..9" >&2; return 2 ;; esac
  read -r prefix sub ctld slurmd <<<"$net"
  [ "$slot" = 0 ] || prefix=$prefix$slot
  echo "$prefix $sub.$slot $((ctld + 100 * slot)) $((slurmd + 100 * slot))"
}

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
  local net prefix subnet ctld slurmd
  net=$(vc_net "$name") || exit 2
  read -r prefix subnet ctld slurmd <<<"$net"
  tmp=$(mktemp -d "/tmp/cbvc-$prefix.XXXXXX")
  chmod 755 "$tmp"
  export CB_VC_DIR=$tmp/vc CB_VC_PREFIX=$prefix CB_VC_SUBNET=$subnet CB_VC_CTLD_PORT=$ctld \
    CB_VC_SLURMD_PORT=$slurmd CB_VC_NODES=${CB_VC_NODES:-3} CB_VC_RATE=${CB_VC_RATE:-2500}
  trap vc_cleanup EXIT
  trap 'exit 1' INT TERM HUP
  local out rc line
  out=$("$vc" up 2>"$tmp/up.err")
  rc=$?
  if [ "$rc" -eq 77 ]; then
    echo "$name: SKIP: $(tail -n 1 "$tmp/up.err")"
    exit 77
  fi
  if [ "$rc" -ne 0 ]; then
    cat "$tmp/up.err"
    fail "vcluster up: exit $rc"
    exit 1
  fi
  line=$(printf '%s\n' "$out" | tail -n 1)
  case $line in
  "export SLURM_CONF="*) eval "$line" ;;
  *) fail "the last line of 'vcluster up' is not the SLURM_CONF export: $line"; exit 1 ;;
  esac
  echo "$name: virtual cluster $CB_VC_PREFIX, $CB_VC_SUBNET.0/24, ports $CB_VC_CTLD_PORT/$CB_VC_SLURMD_PORT"
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
