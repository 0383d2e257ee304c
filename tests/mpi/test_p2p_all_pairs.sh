#!/usr/bin/env bash
# MPI integration test of cb-p2p --all-pairs: `mpirun -np NP` on this machine,
# each rank in its own UTS namespace with its own hostname, so every rank is a
# node. In rounds (the default), --sequential and --reference: every ordered
# pair of nodes appears exactly once per pass in the bw rows (latency and
# bibw: every unordered pair once), with zero wrong bytes; the mode is in
# every row's note and on screen; --reference adds the directions alone
# (op=bw_alone, so op=bw stays one row per direction) and one 'round' row per round.
# Usage: test_p2p_all_pairs.sh NP
set -euo pipefail
np=${1:?usage: test_p2p_all_pairs.sh NP}
bin=${CB_BIN:?CB_BIN not set}
expect=${CB_CSV_EXPECT:-$bin/cb_csv_expect}
if ! command -v mpirun >/dev/null 2>&1; then
  echo "SKIP: mpirun not found (install openmpi-bin: scripts/setup-deps)"; exit 77
fi
if [ "$(id -u)" -ne 0 ] || ! unshare --uts true 2>/dev/null; then
  echo "SKIP: needs root with UTS namespaces (a hostname per rank: one node each)"; exit 77
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader,tcp
tmp=$(mktemp -d /tmp/cb_p2p_pairs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# Each rank renames its own UTS namespace to apnode<rank>, then runs the program.
cat >"$tmp/node.sh" <<'EOS'
#!/bin/bash
exec unshare --uts bash -c 'hostname "apnode$OMPI_COMM_WORLD_RANK" && exec "$@"' _ "$@"
EOS
chmod +x "$tmp/node.sh"
run() { echo "+ $*"; timeout 240 mpirun -np "$np" "$tmp/node.sh" "$@"; }

# Every ordered (or, undirected, unordered) pair of apnode0..NP-1 once, sorted.
want_pairs() {
  local i j
  for ((i = 0; i < np; i++)); do
    for ((j = 0; j < np; j++)); do
      if [ "$i" -ne "$j" ] && { [ "$1" = directed ] || [ "$i" -lt "$j" ]; }; then
        echo "apnode$i apnode$j"
      fi
    done
  done | sort
}
# pairs FILE OP NOTE_PREFIX: the host/peer of those rows, unordered pairs in
# name order for undirected ops, sorted (repeats kept).
pairs() {
  "$expect" "$1" --where benchmark=p2p --where op="$2" --where bytes=16384 --print host,peer,note |
    awk -F'\t' -v p="$3" -v d="$4" 'index($3, p) == 1 {
      a = $1; b = $2; if (d != "directed" && a > b) { t = a; a = b; b = t }; print a " " b }' | sort
}
check_pairs() { # FILE OP NOTE_PREFIX directed|undirected
  local got want
  got=$(pairs "$@")
  want=$(want_pairs "$4")
  [ "$got" = "$want" ] || fail "$1 $2 rows noted '$3': pairs differ from every $4 pair once:
$(diff <(echo "$want") <(echo "$got") | head -20)"
  echo "ok: $(basename "$1") $2: every $4 pair once ($(echo "$got" | wc -l) rows, note '$3')"
}
even=$((np % 2 == 0))
rounds=$((even ? 2 * (np - 1) : 2 * np))
common=(-b 16K -e 16K --time-per-size 0.01 --min-iters 2 --check)

# 1. In rounds, all three tests.
run "$bin/cb-p2p" --all-pairs "${common[@]}" -o "$tmp/rounds.csv" >"$tmp/rounds.out"
grep -q "^# all-pairs in rounds: $np nodes, $rounds rounds of $((np / 2)) disjoint pairs" \
  "$tmp/rounds.out" || fail "rounds: no mode line: $(head -5 "$tmp/rounds.out")"
grep -q "^# round $rounds of $rounds (bw): $((np / 2)) pairs at once" "$tmp/rounds.out" ||
  fail "rounds: no header of the last bw round"
check_pairs "$tmp/rounds.csv" bw "all-pairs rounds: round " directed
check_pairs "$tmp/rounds.csv" pingpong "all-pairs rounds: round " undirected
check_pairs "$tmp/rounds.csv" bibw "all-pairs rounds: round " undirected
"$expect" "$tmp/rounds.csv" --where benchmark=p2p --zero-wrong --status ok \
  --rows $((np * (np - 1) * 2))
"$expect" "$tmp/rounds.csv" --where op=round --rows 0

# 2. Sequential, bw only.
run "$bin/cb-p2p" --all-pairs --sequential -m bw "${common[@]}" -o "$tmp/seq.csv" >"$tmp/seq.out"
grep -q "^# all-pairs sequential: $np nodes, $((np * (np - 1))) directions one after another" \
  "$tmp/seq.out" || fail "sequential: no mode line: $(head -5 "$tmp/seq.out")"
check_pairs "$tmp/seq.csv" bw "all-pairs sequential" directed
"$expect" "$tmp/seq.csv" --where benchmark=p2p --zero-wrong --status ok --rows $((np * (np - 1)))

# 3. --reference: every direction alone first, then the rounds, one round row each.
run "$bin/cb-p2p" --all-pairs --reference -m bw "${common[@]}" -o "$tmp/ref.csv" >"$tmp/ref.out"
# the pass alone writes op=bw_alone, so op=bw holds one row per direction: the rounds'
check_pairs "$tmp/ref.csv" bw_alone "all-pairs sequential: reference for the rounds" directed
check_pairs "$tmp/ref.csv" bw "all-pairs rounds: round " directed
"$expect" "$tmp/ref.csv" --where op=bw --zero-wrong --status ok --rows $((np * (np - 1)))
"$expect" "$tmp/ref.csv" --where op=bw_alone --zero-wrong --status ok --rows $((np * (np - 1)))
"$expect" "$tmp/ref.csv" --where op=round --where metric=round_aggregate_gbps --where unit=GB/s \
  --status ok --rows "$rounds"
grep -q "^# round check: $rounds rounds compared\|^# round check: [0-9]* of $rounds rounds more than" \
  "$tmp/ref.out" || fail "reference: no round check summary: $(tail -5 "$tmp/ref.out")"
grep -q "^# alone first: $((np * (np - 1))) directions in" "$tmp/ref.out" ||
  fail "reference: no timing of the pass alone"
echo "PASS: cb-p2p --all-pairs on $np one-rank nodes: rounds, sequential, reference"
