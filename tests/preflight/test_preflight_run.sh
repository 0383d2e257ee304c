#!/usr/bin/env bash
# The real cb-preflight on this machine. Usage: test_preflight_run.sh single|mpi
#   single: one process, no mpirun (label unit): rows for every check on one
#           node; exit code 0/1 agrees with the fail rows; fake sysfs/logind
#           trees give known verdicts (down NIC -> exit 1; no profile -> the
#           skipped checks warn); bad input exits 2 with one line and no file.
#   mpi:    mpirun -np 2 --profile localhost (label mpi): two ranks on one node:
#           one row per check, the exchange verifies both ranks.
# Asserts rows and exit codes, never this machine's particular verdicts (its
# /dev/shm, DNS and logind are what they are), except where fakes decide.
set -uo pipefail
mode=${1:?usage: test_preflight_run.sh single|mpi}
bin=${CB_BIN:?CB_BIN not set}
data=${CB_TEST_DATA:?CB_TEST_DATA not set}/preflight
expect=${CB_CSV_EXPECT:?CB_CSV_EXPECT not set}
pf=$bin/cb-preflight
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader,tcp
unset CB_PROFILE CB_CLUSTER
tmp=$(mktemp -d /tmp/cb_preflight.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
checks="nodes hostname_resolution gpu_count cuda_versions results_dir_writable shared_storage
iface_up link_speed dev_shm logind_removeipc clock_offset mpi_exchange"

# run NAME ARGS...: run cb-preflight, keep rc in $rc and output in $tmp/NAME.out
run() {
  local name=$1; shift
  echo "+ $*"
  timeout 120 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"; rc=$?
  sed 's/^/    /' "$tmp/$name.out"
  [ -s "$tmp/$name.err" ] && sed 's/^/    stderr: /' "$tmp/$name.err"
  return 0
}
# rows CSV NODES: one row per check (per node), every status pass|warn|fail,
# and the exit code agrees with the fail rows.
rows() {
  local csv=$1 nodes=$2 c n
  for c in $checks; do
    want=$nodes; [ "$c" = nodes ] && want=1
    "$expect" "$csv" --where benchmark=preflight --where metric="$c" --rows "$want" 2>/dev/null ||
      fail "$csv: want $want row(s) of $c"
  done
  n=$("$expect" "$csv" --where benchmark=preflight --print status 2>/dev/null | grep -cvE '^(pass|warn|fail)$')
  [ "$n" -eq 0 ] || fail "$csv: $n row(s) with a status other than pass/warn/fail"
  n=$("$expect" "$csv" --where benchmark=preflight --where status=fail --print metric 2>/dev/null | wc -l)
  if [ "$n" -gt 0 ] && [ "$rc" -ne 1 ]; then fail "$n fail row(s) but exit $rc (want 1)"; fi
  if [ "$n" -eq 0 ] && [ "$rc" -ne 0 ]; then fail "no fail row but exit $rc (want 0)"; fi
  if compgen -G "$tmp/res/.cb-preflight-*" >/dev/null; then fail "token files left in $tmp/res"; fi
}
# status CSV CHECK STATUS [NOTE-PATTERN]
status() {
  "$expect" "$1" --where benchmark=preflight --where metric="$2" --where status="$3" --min-rows 1 \
    2>/dev/null || fail "$1: $2 is not $3: $("$expect" "$1" --where metric="$2" --print status,note 2>/dev/null)"
  if [ -n "${4:-}" ] && ! "$expect" "$1" --where metric="$2" --print note 2>/dev/null | grep -q -- "$4"; then
    fail "$1: $2 note lacks '$4'"
  fi
}

if [ "$mode" = mpi ]; then
  if ! command -v mpirun >/dev/null 2>&1; then echo "SKIP: mpirun not found"; exit 77; fi
  run np2 mpirun -np 2 "$pf" --profile localhost --results-dir "$tmp/res" -o "$tmp/np2.csv"
  [ "$rc" -le 1 ] || fail "mpirun -np 2: exit $rc"
  rows "$tmp/np2.csv" 1
  "$expect" "$tmp/np2.csv" --where benchmark=preflight --where ranks=2 --where nodes=1 --rows 12 ||
    fail "rows do not say 2 ranks on 1 node"
  "$expect" "$tmp/np2.csv" --where metric=mpi_exchange --where status=pass --where wrong_elements=0 \
    --rows 1 || fail "mpi_exchange on 2 ranks did not pass"
  status "$tmp/np2.csv" mpi_exchange pass "over 2 rank"
  status "$tmp/np2.csv" nodes pass "one per node is enough"
  status "$tmp/np2.csv" shared_storage pass "single node"
  status "$tmp/np2.csv" clock_offset pass "single node"
  status "$tmp/np2.csv" results_dir_writable pass
  status "$tmp/np2.csv" iface_up pass "lo is up"
  "$expect" "$tmp/np2.csv" --where metric=nodes --where cluster=localhost --rows 1 ||
    fail "cluster is not the profile's name"
  grep -q "^# preflight: .* on 1 node(s)" "$tmp/np2.out" || fail "no summary line"
else
  # 1. the shipped localhost profile, alone
  run local "$pf" --profile localhost --results-dir "$tmp/res" -o "$tmp/local.csv"
  [ "$rc" -le 1 ] || fail "--profile localhost: exit $rc"
  rows "$tmp/local.csv" 1
  for c in $checks; do grep -q "^  $c " "$tmp/local.out" || fail "table lacks $c"; done
  status "$tmp/local.csv" results_dir_writable pass
  status "$tmp/local.csv" shared_storage pass "single node"
  status "$tmp/local.csv" mpi_exchange pass "single node"
  status "$tmp/local.csv" clock_offset pass "single node"
  status "$tmp/local.csv" gpu_count pass "CPU profile"

  # 2. fakes: a 25 Gbit/s NIC at its line rate, RemoveIPC=no -> those pass
  run fake "$pf" --profile "$data/profiles/fake25g.ini" --sysfs-root "$data/sysfs" \
    --logind-root "$data/logind/no" --results-dir "$tmp/res" -o "$tmp/fake.csv" --cluster unit
  rows "$tmp/fake.csv" 1
  status "$tmp/fake.csv" iface_up pass "ens25g is up"
  status "$tmp/fake.csv" link_speed pass "25000 Mb/s"
  status "$tmp/fake.csv" logind_removeipc pass "RemoveIPC=no"
  "$expect" "$tmp/fake.csv" --where metric=link_speed --where value=25000 --where spec_value=25000 \
    --where unit=Mbit/s --where cluster=unit --rows 1 || fail "link_speed row values"

  # 3. fakes: a down NIC and RemoveIPC=yes -> fail + warn, exit 1
  run down "$pf" --profile "$data/profiles/fakedown.ini" --sysfs-root "$data/sysfs" \
    --logind-root "$data/logind/yes" --results-dir "$tmp/res" -o "$tmp/down.csv"
  [ "$rc" -eq 1 ] || fail "down NIC: exit $rc (want 1)"
  rows "$tmp/down.csv" 1
  status "$tmp/down.csv" iface_up fail "ip link set dn0 up"
  status "$tmp/down.csv" logind_removeipc warn "RemoveIPC=no"
  grep -q "FAILED" "$tmp/down.out" || fail "summary does not say FAILED"
  # -q prints the fail line but not the pass lines
  run downq "$pf" -q --profile "$data/profiles/fakedown.ini" --sysfs-root "$data/sysfs" \
    --logind-root "$data/logind/yes" --results-dir "$tmp/res" -o "$tmp/downq.csv"
  [ "$rc" -eq 1 ] || fail "-q: exit $rc (want 1)"
  grep -q "^  iface_up .* fail " "$tmp/downq.out" || fail "-q hides the fail line"
  if grep -q "^  results_dir_writable .* pass " "$tmp/downq.out"; then fail "-q prints pass lines"; fi

  # 4. a GPU profile of 2 nodes x 4 GPUs at 100 Gbit/s on this CPU node
  run gpu env -u CUDA_VISIBLE_DEVICES "$pf" --profile "$data/profiles/fakegpu.ini" \
    --sysfs-root "$data/sysfs" --logind-root "$data/logind/absent" --results-dir "$tmp/res" -o "$tmp/gpu.csv"
  [ "$rc" -eq 1 ] || fail "GPU profile: exit $rc (want 1)"
  status "$tmp/gpu.csv" link_speed fail "below the profile's line rate 100 Gbit/s"
  status "$tmp/gpu.csv" nodes warn "covers 1 of the profile's 2"
  status "$tmp/gpu.csv" logind_removeipc pass "not systemd"
  if ! command -v nvidia-smi >/dev/null 2>&1; then
    status "$tmp/gpu.csv" gpu_count fail "the profile expects 4"
    status "$tmp/gpu.csv" cuda_versions fail "no NVIDIA driver"
  fi

  # 5. no profile: the profile's checks warn that they were skipped
  run none "$pf" --results-dir "$tmp/res" -o "$tmp/none.csv"
  [ "$rc" -le 1 ] || fail "no profile: exit $rc"
  rows "$tmp/none.csv" 1
  for c in iface_up link_speed gpu_count; do status "$tmp/none.csv" "$c" warn "skipped: no profile"; done
  grep -q "profile: none" "$tmp/none.out" || fail "header does not say there is no profile"
  # default output path: <results dir>/<cluster>/cb-preflight-<run id>.csv
  (cd "$tmp" && timeout 120 "$pf" -q --results-dir "$tmp/def" >/dev/null 2>&1)
  ls "$tmp"/def/local/cb-preflight-*.csv >/dev/null 2>&1 || fail "no default output in $tmp/def/local"
  # $CB_PROFILE is the default profile
  CB_PROFILE=localhost timeout 120 "$pf" -q --results-dir "$tmp/res" -o "$tmp/env.csv" >/dev/null 2>&1
  "$expect" "$tmp/env.csv" --where metric=nodes --where cluster=localhost --rows 1 2>/dev/null ||
    fail "\$CB_PROFILE not used"

  # 6. bad input: exit 2, one line on stderr, no file written
  printf 'name,age\nx,1\n' >"$tmp/theirs.csv"
  : >"$tmp/bad.out"; : >"$tmp/bad.err"
  bad() {
    local pattern=$1; shift
    local before after lines
    before=$(find "$tmp" -type f | sort)
    (cd "$tmp" && timeout 60 "$pf" "$@" >"$tmp/bad.out" 2>"$tmp/bad.err"); rc=$?
    after=$(find "$tmp" -type f | sort)
    lines=$(grep -vc '^(try' "$tmp/bad.err")
    if [ "$rc" -ne 2 ] || ! grep -q -- "$pattern" "$tmp/bad.err" || [ "$before" != "$after" ] || [ "$lines" -ne 1 ]; then
      fail "cb-preflight $* -> exit $rc (want 2 with '$pattern')"; sed 's/^/    /' "$tmp/bad.err"
    else
      echo "ok: cb-preflight $* -> exit 2: $(head -1 "$tmp/bad.err")"
    fi
  }
  bad "unknown option '--frobnicate'" --frobnicate
  bad "unexpected argument" stray
  bad "clock-tolerance-s" --clock-tolerance-s -1
  bad "no profile 'nosuchprofile'" --profile nosuchprofile --results-dir "$tmp/res"
  CB_PROFILE=nosuchprofile bad "CB_PROFILE" --results-dir "$tmp/res"
  bad "not a clusterbench results file" -o "$tmp/theirs.csv" --results-dir "$tmp/res"
  "$pf" --help >"$tmp/help" 2>&1 || fail "--help exit $?"
  grep -q "usage: cb-preflight" "$tmp/help" || fail "--help prints no usage"
  for c in $checks; do grep -q "  $c " "$tmp/help" || fail "--help does not describe $c"; done
fi

if [ "$fails" -ne 0 ]; then echo "FAILED: $fails check(s)"; exit 1; fi
echo "PASS: cb-preflight ($mode)"
