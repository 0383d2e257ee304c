#!/usr/bin/env bash
# test_report_hostile: strings from the CSV cannot become markup or break
# the CSV. tests/data/report/hostile has a host '<script>alert(1)</script>',
# a peer with quotes, a metric '<img src=x onerror=...>', a note with quotes,
# ampersands, tags and an invalid UTF-8 byte, a transport with a comma and a
# dtype full of Markdown syntax: report.html must hold them only escaped (and
# stay well-formed), report.md backslash-escaped, summary.csv RFC 4180-quoted
# (parsed back with Python's csv module). xmllint and python3 are required.
set -u
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
need_tool xmllint libxml2-utils
need_tool python3 python3
out=$tmp/out
(cd "$fix" && "$cb" report -q -o "$out" hostile) 2> "$tmp/err" || fail "report failed: $(cat "$tmp/err")"
html=$out/report.html
grep -qi '<script' "$html" && fail "raw <script> in report.html"
grep -qi '<img' "$html" && fail "raw <img> in report.html"
grep -qi '<b>' "$html" && fail "raw <b> from a note in report.html"
grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$html" || fail "the hostname is not shown escaped"
grep -qF 'he said &quot;no&quot; &amp; left &lt;b&gt;bold&lt;/b&gt;' "$html" || fail "the note is not shown escaped"
grep -qF 'evil&lt;cluster&gt;&amp;co' "$html" || fail "the cluster name is not shown escaped"
grep -qF $'\xEF\xBF\xBD' "$html" || fail "the invalid UTF-8 byte is not replaced by U+FFFD"
xmllint --noout "$html" 2> "$tmp/xml" || fail "report.html is not well-formed: $(head -3 "$tmp/xml")"
md=$out/report.md
grep -q '<script>' "$md" && fail "raw <script> in report.md"
grep -qF '\<script\>alert(1)\</script\>' "$md" || fail "the hostname is not escaped in report.md"
grep -qF 'a\|b\*c_\[d\]' "$md" || fail "Markdown syntax in a dtype is not escaped"
# summary.csv: quoted by libcsv where needed, and it parses back
sum=$out/summary.csv
grep -qF ',"node""1'"'"'",' "$sum" || fail "a peer with quotes is not quoted in summary.csv"
grep -qF ',"nccl,mpi",' "$sum" || fail "a transport with a comma is not quoted in summary.csv"
python3 - "$sum" << 'PY' || fail "summary.csv does not parse back"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len({len(r) for r in rows}) == 1, "ragged rows"
hosts = {r["host"] for r in rows} | {r["peer"] for r in rows}
assert "<script>alert(1)</script>" in hosts and "node\"1'" in hosts, hosts
assert any(r["transport"] == "nccl,mpi" for r in rows)
PY
finish "hostile strings escaped in report.html and report.md, quoted in summary.csv"
