#!/usr/bin/env bash
# test_report_golden: `clusterbench report` on the hand-written fixtures of
# tests/data/report/basic (1/2/3-node all-reduce, 1-node and all-pairs
# 3-node p2p with one slow direction, GPUs with one slow node, DDP points, a
# failed and two skipped rows, a cluster without a profile) and a workload
# CSV: report.md and summary.csv byte for byte against the golden files
# (CB_UPDATE_GOLDEN=1 rewrites them); report.html well-formed XML with the
# expected plots and nothing from the network; deterministic output.
set -u
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
need_tool xmllint libxml2-utils
golden=$fix/golden

if ! report_basic "$tmp/out" 2> "$tmp/err"; then
  cat "$tmp/err" >&2
  fail "report on the basic fixture failed"
  finish ""
fi
for f in report.md summary.csv; do
  g=$golden/basic-$f
  if [[ ${CB_UPDATE_GOLDEN:-0} == 1 ]]; then
    mkdir -p "$golden"
    cp "$tmp/out/$f" "$g"
    echo "updated $g"
  elif ! diff -u "$g" "$tmp/out/$f" > "$tmp/diff"; then
    head -60 "$tmp/diff" >&2
    fail "$f differs from $g (CB_UPDATE_GOLDEN=1 to accept)"
  fi
done
[[ -s $tmp/err ]] && fail "warnings on stderr: $(cat "$tmp/err")"

html=$tmp/out/report.html
xmllint --noout "$html" 2> "$tmp/xml" || fail "report.html is not well-formed XML: $(head -3 "$tmp/xml")"
nsvg=$(grep -o '<svg ' "$html" | wc -l)
[[ $nsvg -eq 11 ]] || fail "report.html has $nsvg <svg> plots, expected 11"
for t in 'Point-to-point bandwidth — fixture' 'Point-to-point latency — fixture' \
  'All-pairs bw at 4M — fixture: mpi, host memory, 3 nodes' \
  'All-reduce bus bandwidth — fixture' 'All-reduce bus bandwidth — nowhere' \
  'All-reduce scaling: busbw against node count — fixture' \
  'GPU gemm_tflops · bfloat16 · gemm · size 8K — fixture' \
  'GPU mem_bw_gbps · copy · size 1G — fixture' \
  'DDP speedup against single-node step time — fixture' 'What if: a faster link — 3 nodes, fixture' \
  'Your workload: speedup against node count — workload.csv'; do
  grep -qF "<title>$t" "$html" || fail "no plot titled '$t'"
done
# units in axis labels, byte and decade ticks, reference lines, legends
for s in 'message size (bytes, K = 1024)' 'bus bandwidth, busbw (GB/s)' 'latency, half round trip (us)' \
  '>1K</text>' '>4M</text>' '>100</text>' 'line rate 10 Gbit/s = 1.25 GB/s' \
  'TCP goodput (MTU 1500) 1.177 GB/s' 'stroke-dasharray="7 4"' 'class="legend"' \
  'single-node step time T1 (ms)' '2 nodes: model break-even' '2 nodes: measured break-even'; do
  grep -qF "$s" "$html" || fail "report.html lacks '$s'"
done
# the slow GPU: a red bar with its label; the slow link: a flagged cell
grep -q 'fill="#d62728"/>' "$html" || fail "no red (slow) bar"
grep -qF '>SLOW -15.9%</text>' "$html" || fail "the slow GPU's bar is not labelled"
grep -qF '0.808 !</text>' "$html" || fail "the slow all-pairs direction is not flagged"
# self-contained: no scripts, external references or fonts
if grep -nE '<script|<link|<img|@import|url\(|src=|href="[^#]' "$html" > "$tmp/ext"; then
  fail "report.html refers outside itself: $(head -3 "$tmp/ext")"
fi
# no absolute paths, no timestamps of the run
grep -lF "$fix" "$tmp/out"/* && fail "an output names the absolute fixture path"
# deterministic: a second run writes the same bytes
report_basic "$tmp/out2" || fail "second run failed"
for f in report.md report.html summary.csv; do
  cmp -s "$tmp/out/$f" "$tmp/out2/$f" || fail "$f differs between two runs"
done
# another baseline: compared with 2 nodes
(cd "$fix" && "$cb" report -q -o "$tmp/b2" --baseline nodes=2 basic) || fail "--baseline nodes=2 failed"
grep -q '2-node busbw GB/s' "$tmp/b2/report.md" || fail "--baseline nodes=2: no 2-node columns"
# an input directory holding an earlier report: its summary.csv is skipped
mkdir -p "$tmp/results"
cp -r "$fix/basic" "$tmp/results/"
(cd "$tmp" && "$cb" report -q results && "$cb" report -q results) || fail "report into results/report twice failed"
[[ -f $tmp/results/report/report.html ]] || fail "default output directory results/report not used"
grep -q 'not clusterbench results' "$tmp/results/report/report.md" ||
  fail "the earlier summary.csv was not reported as skipped"
finish "golden report.md/summary.csv, $nsvg plots in well-formed report.html"
