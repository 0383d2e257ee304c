#!/usr/bin/env bash
# test_report_scale: `clusterbench report` on synthetic all-pairs results
# (tests/tools/gen_results.py) of 64 and 300 nodes, node 17 slow, with
# all-reduce rows at 1, 2, 4, ... N nodes. No node is left out at 300 (the
# table of nodes and the matrix name all of them; the heat map groups them);
# the slow node is listed first and named slow; the heat map at 64 nodes
# draws every node with labels that do not overlap and a size that fits a
# screen; the all-reduce scaling curve is drawn. Speed is not asserted.
set -u
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
need_tool python3 python3
gen=$CB_SOURCE_DIR/tests/tools/gen_results.py

# Checks of the all-pairs heat map of report.html $1 for N=$2 nodes drawn as
# $3 rows and columns: a cell per row and column, labels a font size apart
# (none overlap), every label shown when $4 = all, the size of the plot.
check_heat() {
  python3 - "$@" <<'PY'
import re, sys
html, nodes, cells, want = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
page = open(html, encoding="utf-8").read()
heat = [m.group(0) for m in re.finditer(r"<svg [^>]*>.*?</svg>", page, re.S)
        if "<title>All-pairs" in m.group(0)]
if len(heat) != 1:
    sys.exit("%d all-pairs heat maps, expected 1" % len(heat))
svg = heat[0]
w, h = (int(v) for v in re.search(r'width="(\d+)" height="(\d+)"', svg).groups())
if not (400 <= w <= 1224 and 300 <= h <= 1400):  # report.html's column: 1224 px
    sys.exit("heat map is %dx%d px: wider than the page or too small" % (w, h))
ncell = len(re.findall(r"<rect [^>]*><title>", svg))
if ncell != cells * cells:
    sys.exit("%d cells, expected %d" % (ncell, cells * cells))
cols = [(float(x), float(fs), t) for x, fs, t in re.findall(
    r'<text transform="translate\(([\d.]+) [\d.]+\) rotate\(-90\)" font-size="([\d.]+)"[^>]*>([^<]*)<', svg)]
rows = [(float(y), float(fs), t) for y, fs, t in re.findall(
    r'<text x="[\d.]+" y="([\d.]+)" text-anchor="end" font-size="([\d.]+)"[^>]*>([^<]*)<', svg)]
if not cols or len(cols) != len(rows):
    sys.exit("%d column and %d row labels" % (len(cols), len(rows)))
for name, labels in (("column", cols), ("row", rows)):
    for a, b in zip(labels, labels[1:]):
        if b[0] - a[0] < a[1]:
            sys.exit("%s labels '%s' and '%s' overlap: %.1f px apart at font %.1f"
                     % (name, a[2], b[2], b[0] - a[0], a[1]))
    if min(l[1] for l in labels) < 7:
        sys.exit("%s labels smaller than 7 px" % name)
if want == "all" and len(cols) != cells:
    sys.exit("%d labels for %d rows" % (len(cols), cells))
flagged = len(re.findall(r'stroke="#d62728" stroke-width', svg)) + len(re.findall(r'fill="#d62728"><title>', svg))
print("heat map %dx%d px, %d cells a side, %d labels, %d marked" % (w, h, cells, len(cols), flagged))
if flagged < 2 * (cells - 1):
    sys.exit("the slow node's row and column are not marked (%d cells)" % flagged)
PY
}

# The table of nodes (slowest first) of report.md $1: its node names.
node_rows() {
  awk '/^Nodes, slowest first/ {on = 1; next} on && /^\| (\*\*)?node[0-9]/ {print} on && /^$/ && seen {exit} on && /^\|/ {seen = 1}' "$1"
}

for n in 64 300; do
  csv=$tmp/n$n.csv
  python3 "$gen" --nodes "$n" --slow 17 --allreduce -o "$csv" || fail "gen_results.py --nodes $n failed"
  if ! "$cb" report -q -o "$tmp/r$n" "$csv" 2> "$tmp/err$n"; then
    fail "report on $n nodes failed: $(head -3 "$tmp/err$n")"
    continue
  fi
  md=$tmp/r$n/report.md
  node_rows "$md" > "$tmp/nodes$n"
  got=$(wc -l < "$tmp/nodes$n")
  [[ $got -eq $n ]] || fail "$n nodes: the table of nodes has $got rows"
  w=$((n - 1))
  w=${#w}
  for ((i = 0; i < n; i++)); do printf 'node%0*d\n' "$w" "$i"; done | sort > "$tmp/want$n"
  sed -E 's/^\| (\*\*)?([^ *]+).*/\2/' "$tmp/nodes$n" | sort > "$tmp/names$n"
  cmp -s "$tmp/want$n" "$tmp/names$n" ||
    fail "$n nodes: not in the table of nodes: $(comm -23 "$tmp/want$n" "$tmp/names$n" | head -3 | tr '\n' ' ')"
  first=$(head -1 "$tmp/nodes$n")
  slowname=$(printf 'node%0*d' "$w" 17)
  [[ $first == "| **$slowname**"* ]] ||
    fail "$n nodes: the slow node is not listed first: $first"
  [[ $first == *'**slow**'* ]] || fail "$n nodes: the slow node is not named slow: $first"
  slow=$(grep -c '\*\*slow\*\*' "$tmp/nodes$n")
  [[ $slow -eq 1 ]] || fail "$n nodes: $slow nodes named slow, expected 1"
  # the matrix table: a column per node
  cols=$(grep -m1 '^| from \\\\ to' "$md" | tr '|' '\n' | grep -c node)
  [[ $cols -eq $n ]] || fail "$n nodes: the matrix table has $cols node columns"
  grep -qF '<title>All-reduce scaling: busbw against node count' "$tmp/r$n/report.html" ||
    fail "$n nodes: no all-reduce scaling plot"
done
if [[ -f $tmp/r64/report.html ]]; then
  out=$(check_heat "$tmp/r64/report.html" 64 64 all 2>&1) || fail "64 nodes: $out"
  echo "64 nodes: $out"
  grep -q 'groups of' "$tmp/r64/report.md" && fail "64 nodes: the heat map groups nodes"
fi
if [[ -f $tmp/r300/report.html ]]; then
  out=$(check_heat "$tmp/r300/report.html" 300 60 all 2>&1) || fail "300 nodes: $out"
  echo "300 nodes: $out"
  grep -q '300 nodes in groups of 5' "$tmp/r300/report.md" || fail "300 nodes: the grouping is not said"
fi
finish "64 and 300 nodes: every node in the table of nodes and the matrix, slow node first, heat maps legible, scaling curve drawn"
