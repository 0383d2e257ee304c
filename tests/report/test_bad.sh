#!/usr/bin/env bash
# test_report_bad: bad input -> exit 2, one line on stderr naming the
# problem (file:line where there is one), and no output: the output
# directory is exactly as before (or not created). Also: a header-only file
# under a directory is reported, not fatal; an unwritable output is exit 3.
set -u
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
need_tool python3 python3
out=$tmp/out
mkdir -p "$out"
echo "an earlier report" > "$out/report.md"
before=$(tree_sum "$out")

# expect_bad WANT_RC PATTERN ARGS...: run in the fixture dir, writing to $out
expect_bad() {
  local want=$1 pat=$2
  shift 2
  (cd "$fix" && "$cb" report -q -o "$out" "$@") > "$tmp/stdout" 2> "$tmp/stderr"
  local rc=$?
  [[ $rc -eq $want ]] || fail "$*: exit $rc, expected $want ($(cat "$tmp/stderr"))"
  [[ $(wc -l < "$tmp/stderr") -eq 1 ]] || fail "$*: expected one line on stderr, got: $(cat "$tmp/stderr")"
  grep -qE -- "$pat" "$tmp/stderr" || fail "$*: stderr '$(cat "$tmp/stderr")' lacks /$pat/"
  [[ -s $tmp/stdout ]] && fail "$*: wrote to stdout: $(cat "$tmp/stdout")"
  [[ $(tree_sum "$out") == "$before" ]] || fail "$*: the output directory changed"
}
expect_bad 2 'bad/schema2\.csv:3: schema_version .2.' basic bad/schema2.csv
expect_bad 2 'bad/schema2\.csv:3: schema_version' bad
expect_bad 2 'bad/empty\.csv:1: no rows' basic/topo.csv bad/empty.csv
expect_bad 2 'bad/notours\.csv:1: not a clusterbench results file' bad/notours.csv
expect_bad 2 'bad/torn\.csv:3: partial last row' bad/torn.csv
expect_bad 2 'no-such-dir: No such file or directory' no-such-dir
expect_bad 2 "unknown option '--frobnicate'" --frobnicate basic
expect_bad 2 "unknown option '-x'" -x basic
expect_bad 2 '--output needs a value|-o needs a value' basic -o
expect_bad 2 "--baseline 'three'" --baseline three basic
expect_bad 2 '--line-rate-gbps' --line-rate-gbps -1 basic
expect_bad 2 '--mtu applies to --line-rate-gbps' --mtu 9000 basic
expect_bad 2 '--workload-csv needs --nodes-col' basic --workload-csv workload.csv --throughput-col x
expect_bad 2 'one of --throughput-col' basic --workload-csv workload.csv --nodes-col nodes
expect_bad 2 'go with --workload-csv' basic --nodes-col nodes
expect_bad 2 "workload\.csv:1: no column named 'gpus'" basic --workload-csv workload.csv \
  --nodes-col gpus --throughput-col samples_per_s
expect_bad 2 "bad/workload-badvalue\.csv:3: samples_per_s 'abc'" basic \
  --workload-csv bad/workload-badvalue.csv --nodes-col nodes --throughput-col samples_per_s
expect_bad 2 "bad/workload-badnodes\.csv:3: nodes '0'" basic \
  --workload-csv bad/workload-badnodes.csv --nodes-col nodes --throughput-col samples_per_s
expect_bad 2 'bad/empty\.csv:1: no column named' basic \
  --workload-csv bad/empty.csv --nodes-col nodes --throughput-col samples_per_s

# a NUL byte inside a field (line 2 of a copy of a fixture): refused with file:line
python3 - "$fix/basic/topo.csv" "$tmp/nul.csv" <<'PY' || fail "making nul.csv"
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
lines[1] = lines[1][:-1] + b"\0" + lines[1][-1:]  # inside the last field (note)
open(sys.argv[2], "wb").write(b"\n".join(lines))
PY
expect_bad 2 'nul\.csv:2: a NUL byte in field 39 \(note\)' "$tmp/nul.csv"

# a UTF-8 byte-order mark at the start of every file (saved again by a
# spreadsheet): the same report as without
for v in plain bom; do
  mkdir -p "$tmp/$v"
  cp -r "$fix/basic" "$tmp/$v/"
done
for f in "$tmp"/bom/basic/*.csv "$tmp"/bom/basic/*/*.csv; do
  { printf '\xEF\xBB\xBF'; cat "$f"; } >"$f.new" && mv "$f.new" "$f"
done
for v in plain bom; do
  (cd "$tmp/$v" && "$cb" report -q -o "$tmp/$v/out" basic) 2>"$tmp/$v.err" ||
    fail "report on $v files failed: $(cat "$tmp/$v.err")"
done
head -c 3 "$tmp/bom/basic/topo.csv" | cmp -s - <(printf '\xEF\xBB\xBF') || fail "the BOM copies have no BOM"
for f in report.md summary.csv report.html; do
  cmp -s "$tmp/plain/out/$f" "$tmp/bom/out/$f" || fail "$f differs with a byte-order mark"
done

# a missing output directory is not created by a failed run
(cd "$fix" && "$cb" report -q -o "$tmp/new/deep" bad/empty.csv) 2> /dev/null
[[ -e $tmp/new ]] && fail "a failed run created its output directory"

# an output path that is a file: exit 3, nothing written
touch "$tmp/afile"
(cd "$fix" && "$cb" report -q -o "$tmp/afile/sub" basic) 2> "$tmp/stderr"
rc=$?
[[ $rc -eq 3 ]] || fail "unwritable output: exit $rc, expected 3 ($(cat "$tmp/stderr"))"
[[ -s $tmp/afile ]] && fail "unwritable output: the file was written to"

# a header-only file under a directory: a warning and a line under Problems
(cd "$fix" && "$cb" report -q -o "$tmp/we" withempty) 2> "$tmp/stderr" ||
  fail "a directory with a header-only file was refused: $(cat "$tmp/stderr")"
grep -q 'killed-before-first-row.csv: a header and no rows' "$tmp/stderr" || fail "no warning for the header-only file"
grep -q 'withempty/killed-before-first-row.csv' "$tmp/we/report.md" || fail "the header-only file is not listed under Problems"

# --help: exit 0, says where the output goes
"$cb" report --help > "$tmp/help" || fail "--help failed"
grep -q 'default results/report' "$tmp/help" || fail "--help does not name the default output directory"
finish "bad input refused with one line and no output"
