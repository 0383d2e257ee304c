#!/usr/bin/env bash
# test_vcluster_nets (label unit): every virtual-cluster test (the ctest names
# given, those labelled slurm) has a network of its own in vc_net's table
# (tests/slurm/vc_test_lib.sh): netns prefixes, /24 subnets and ports all
# distinct from each other and from the demo cluster's (cbvc, 10.213.0,
# 6917/6918), prefixes of at most 10 characters; in every CB_VC_TEST_SLOT too,
# and no slot's network equals another slot's. So `ctest -j` never runs two
# clusters on one subnet. Usage: test_vc_nets.sh TEST_NAME...
set -uo pipefail
[ $# -gt 0 ] || { echo "FAIL: no cluster tests given"; exit 1; }
name=test_vcluster_nets
# shellcheck source-path=SCRIPTDIR source=vc_test_lib.sh
. "${CB_SOURCE_DIR:?}/tests/slurm/vc_test_lib.sh"
bad=0
declare -A seen
claim() { # KIND VALUE OWNER
  local k="$1 $2"
  if [ -n "${seen[$k]:-}" ]; then
    echo "FAIL: $3 and ${seen[$k]} share $1 $2"
    bad=1
  fi
  seen[$k]=$3
}
claim prefix cbvc "the demo cluster"
claim subnet 10.213.0 "the demo cluster"
claim port 6917 "the demo cluster"
claim port 6918 "the demo cluster"
for slot in 0 1 2 3 4 5 6 7 8 9; do
  for t in "$@"; do
    if ! net=$(CB_VC_TEST_SLOT=$slot vc_net "$t"); then
      echo "FAIL: $t has no network in vc_net's table"
      bad=1
      continue
    fi
    read -r prefix subnet ctld slurmd <<<"$net"
    [ ${#prefix} -le 10 ] || { echo "FAIL: $t: prefix $prefix longer than 10"; bad=1; }
    [[ $subnet =~ ^10\.[0-9]+\.[0-9]$ ]] || { echo "FAIL: $t: subnet $subnet"; bad=1; }
    claim prefix "$prefix" "$t (slot $slot)"
    claim subnet "$subnet" "$t (slot $slot)"
    claim port "$ctld" "$t (slot $slot)"
    claim port "$slurmd" "$t (slot $slot)"
    [ "$slot" != 0 ] || echo "  $t: $net"
  done
done
[ "$bad" = 0 ] || exit 1
echo "ok: $# cluster tests, each on its own prefix, subnet and ports, in slots 0-9"
