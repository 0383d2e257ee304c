#!/usr/bin/env bash
# test_cli_many_inputs: the clusterbench commands take as many inputs as they
# are given (they once stopped at fixed arrays): `report` 1100 input paths;
# `breakeven` 70 --results paths and all-reduce rows at 70 node counts (each
# gets its row; node counts past 64 were silently dropped) and a --nodes list
# of 70 counts.
set -u
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
need_tool python3 python3
src=$fix/basic/allreduce/2node.csv
mkdir -p "$tmp/many"
paths=()
for ((i = 0; i < 1100; i++)); do
  ln -s "$src" "$tmp/many/r$i.csv"
  paths+=("$tmp/many/r$i.csv")
done
if "$cb" report -q -o "$tmp/rep" "${paths[@]}" 2> "$tmp/err"; then
  grep -q '1100 files' "$tmp/rep/report.md" || fail "report: the 1100 files are not counted: $(grep -m1 files "$tmp/rep/report.md")"
else
  fail "report with 1100 paths failed: $(head -2 "$tmp/err")"
fi

# all-reduce rows of the breakeven fixture at node counts 2..71
python3 - "$CB_TEST_DATA/breakeven/allreduce.csv" "$tmp/ar70.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
hdr, body = rows[0], [r for r in rows[1:] if r[5] == "allreduce" and r[6] == "nccl" and r[11] == "2"]
w = csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n")
w.writerow(hdr)
for n in range(2, 72):
    for r in body:
        r = list(r)
        r[11] = r[12] = str(n)
        w.writerow(r)
PY
res=()
for ((i = 0; i < 70; i++)); do res+=(--results "$tmp/ar70.csv"); done
if "$cb" breakeven "${res[@]}" --grad-bytes 100M --transport nccl --format csv > "$tmp/be.csv" 2> "$tmp/be.err"; then
  got=$(tail -n +2 "$tmp/be.csv" | wc -l)
  [[ $got -eq 70 ]] || fail "breakeven: $got rows for the 70 node counts in the results"
  grep -q '^71,' "$tmp/be.csv" || fail "breakeven: no row for 71 nodes"
else
  fail "breakeven with 70 --results failed: $(head -2 "$tmp/be.err")"
fi
list=$(seq -s, 2 71)
if "$cb" breakeven --results "$tmp/ar70.csv" --nodes "$list" --grad-bytes 100M --transport nccl \
  --format csv > "$tmp/be2.csv" 2> "$tmp/be2.err"; then
  got=$(tail -n +2 "$tmp/be2.csv" | wc -l)
  [[ $got -eq 70 ]] || fail "breakeven --nodes with 70 counts: $got rows"
else
  fail "breakeven --nodes with 70 counts failed: $(head -2 "$tmp/be2.err")"
fi
finish "report takes 1100 paths; breakeven 70 --results, 70 node counts found and 70 listed"
