#!/usr/bin/env bash
# test_report_p2p_reference: `clusterbench report` on cb-p2p --all-pairs
# --reference rows (tests/data/gate/rows/p2p_reference.csv, shared with the
# gate's test): the all-pairs matrix and its heat map hold the rounds' op=bw
# rows, one per direction (about 0.29 GB/s), never the pass alone (op=bw_alone,
# node2->node0 at 0.20 GB/s there); the bw_alone and round rows are listed as
# not used, with why.
set -u
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
csv=$CB_TEST_DATA/gate/rows/p2p_reference.csv
if ! "$cb" report -q -o "$tmp/out" "$csv" 2>"$tmp/err"; then
  fail "report failed: $(cat "$tmp/err")"
  finish ""
fi
md=$tmp/out/report.md
# the matrix, exactly: the round pass (node1->node0 0.288, the rest 0.29)
cat >"$tmp/want" <<'MD'
| node0      |     — |  0.29 |  0.29 |
| node1      | 0.288 |     — |  0.29 |
| node2      |  0.29 |  0.29 |     — |
MD
grep -A6 '^All-pairs bw at 16M, 3 nodes' "$md" | grep '^| node' >"$tmp/got" || true
diff -u "$tmp/want" "$tmp/got" || fail "all-pairs matrix is not the rounds' op=bw rows"
grep -qF 'median of all: 0.29 GB/s' "$md" || fail "the matrix median is not the rounds'"
# the heat map's cells: six directions, none from the pass alone
html=$tmp/out/report.html
cells=$(sed -n '/<title>All-pairs bw at 16M/,/<\/svg>/p' "$html" | grep -c 'text-anchor="middle" font-size="11.5"')
[[ $cells == 6 ]] || fail "heat map: $cells cells, want 6"
if sed -n '/<title>All-pairs bw at 16M/,/<\/svg>/p' "$html" | grep -q 'font-size="11.5"[^>]*>0\.2<'; then
  fail "heat map shows the 0.2 GB/s of the pass alone"
fi
# the other rows are accounted for, not silently dropped
n=$(grep -c 'op bw_alone: a direction alone, the reference of the rounds' "$md")
[[ $n == 6 ]] || fail "$n bw_alone rows listed as not in the matrix, want 6"
n=$(grep -c "op round: a round's pairs at once against alone" "$md")
[[ $n == 6 ]] || fail "$n round rows listed, want 6"
finish "report on --reference rows: the matrix holds the rounds' rows, the alone pass is listed apart"
