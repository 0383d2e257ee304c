#!/usr/bin/env bash
# test_report_tune: `clusterbench report` on tests/data/report/tune, the
# tune.csv of a run of `clusterbench tune` on the stand-in benchmarks
# (tests/sbatch/tune_fake: both purposes, a trial killed as timeout) with a
# hand-written run appended (a failed candidate, a dropped verdict) and a
# verdict row written before the notes had fields: the "Transport tuning"
# section's report.md and summary.csv byte for byte against the golden files
# (CB_UPDATE_GOLDEN=1 rewrites them); in report.html one bar chart of the
# gains taken per run and purpose, well-formed and self-contained; the
# benchmarks' rows of the trials left out of the other sections.
set -u
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
need_tool xmllint libxml2-utils
golden=$fix/golden

if ! (cd "$fix" && "$cb" report -q -o "$tmp/out" tune) 2>"$tmp/err"; then
  cat "$tmp/err" >&2
  fail "report on the tune fixture failed"
  finish ""
fi
for f in report.md summary.csv; do
  g=$golden/tune-$f
  if [[ ${CB_UPDATE_GOLDEN:-0} == 1 ]]; then
    cp "$tmp/out/$f" "$g"
    echo "updated $g"
  elif ! diff -u "$g" "$tmp/out/$f" >"$tmp/diff"; then
    head -60 "$tmp/diff" >&2
    fail "$f differs from $g (CB_UPDATE_GOLDEN=1 to accept)"
  fi
done
[[ -s $tmp/err ]] && fail "warnings on stderr: $(cat "$tmp/err")"
md=$tmp/out/report.md
grep -q '^## Transport tuning$' "$md" || fail "no Transport tuning section"
grep -q '^No all-reduce rows' "$md" || fail "the trials' all-reduce rows reached the All-reduce section"
grep -q '^| btl_tcp_eager_limit   |    1 | 16K: 1.32, 64K: timeout, 256K: 1.32 ' "$md" ||
  fail "the timed-out candidate is not shown"
grep -q '^tune,vcluster,mpi,host,,pingpong,,latency_us_geomean,us,,,,2,,10,17,' "$tmp/out/summary.csv" ||
  fail "summary.csv: no p2p verdict row"

html=$tmp/out/report.html
xmllint --noout "$html" 2>"$tmp/xml" || fail "report.html is not well-formed XML: $(head -3 "$tmp/xml")"
nsvg=$(grep -o '<svg ' "$html" | wc -l)
[[ $nsvg -eq 3 ]] || fail "report.html has $nsvg <svg> plots, expected 3"
for s in '<title>Tuning: the gain of each setting taken — vcluster, collective' \
  '<title>Tuning: the gain of each setting taken — vcluster, p2p' \
  '>allreduce_algorithm=6 (Rabenseifner)</text>' '>btl_tcp_links=8</text>' \
  '>mpi_yield_when_idle=0</text>' '>+70.0%</text>' 'gain over the anchor (%)'; do
  grep -qF "$s" "$html" || fail "report.html lacks '$s'"
done
if grep -nE '<script|<link|<img|@import|url\(|src=|href="[^#]' "$html" >"$tmp/ext"; then
  fail "report.html refers outside itself: $(head -3 "$tmp/ext")"
fi
finish "tuning section: golden report.md/summary.csv, $nsvg plots"
