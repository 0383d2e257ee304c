#!/usr/bin/env bash
# test_gate_scale: `clusterbench gate` on synthetic all-pairs results of 300
# nodes (tests/tools/gen_results.py; node 17 at a tenth of the rate) given as
# 300 files, one per sender (more paths than the gate once took): the
# spread check compares every node with its 299 peers and names node017, and
# only it, slow. Speed is not asserted.
set -u
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
command -v python3 > /dev/null || {
  echo "SKIP: no python3"
  exit 77
}
n=300
python3 "$CB_SOURCE_DIR/tests/tools/gen_results.py" --nodes $n --slow 17 -o "$tmp/all.csv" ||
  fail "gen_results.py failed"
# one file per sender: the header and that node's rows
mkdir -p "$tmp/split"
awk -F, -v dir="$tmp/split" 'NR == 1 {hdr = $0; next}
  {f = dir "/" $(NF - 23) ".csv"; if (!(f in seen)) {print hdr > f; seen[f] = 1} print >> f; close(f)}' \
  "$tmp/all.csv"
files=("$tmp"/split/*.csv)
[[ ${#files[@]} -eq $n ]] || fail "split into ${#files[@]} files, expected $n"
cat > "$tmp/spread.gate.ini" <<'INI'
[p2p_spread]
kind      = spread
benchmark = p2p
op        = bw
nodes     = max
bytes     = max
column    = algbw_gbps
per       = host_peer
lower     = -0.10
unit      = GB/s
INI
rc=0
"$cb" gate -t "$tmp/spread.gate.ini" "${files[@]}" > "$tmp/out" 2> "$tmp/err" || rc=$?
[[ $rc == 1 ]] || fail "gate: exit $rc, want 1 (node017 slow): $(head -3 "$tmp/err")"
grep -q "on $((n * (n - 1))) rows from $n files" "$tmp/out" || fail "not every row and file read: $(head -1 "$tmp/out")"
grep -qF '[ FAIL ] p2p_spread: node017 is 90.0% below the median of its 299 peers' "$tmp/out" ||
  fail "node017 not named slow against its 299 peers: $(grep -m1 p2p_spread "$tmp/out")"
slow=$(grep -c ': SLOW$' "$tmp/out")
[[ $slow -eq 1 ]] || fail "$slow nodes listed SLOW, expected 1"
grep -qF "... and $((n - 20)) more" "$tmp/out" || fail "the listing does not count the $n nodes"
finish "300-node all-pairs in 300 files: every row read, node017 named slow against its 299 peers"
