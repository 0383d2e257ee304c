#!/usr/bin/env bash
# test_report_browser (label browser): headless Chromium opens the fixture's
# report.html (file://, no network; the DevTools protocol over a pipe:
# tests/report/cdp_check.py) and checks what a reader sees: no console error,
# exception or failed load; each of the 11 plots a non-empty SVG rendered at
# its size; every table-of-contents link resolving to a rendered section; and
# a 1280x2400 screenshot that is not blank (over 50 KB, more than 200 colours).
# Also the report of a synthetic 64-node all-pairs result (tests/tools/
# gen_results.py): its 4 plots, the heat map of 64 x 64 cells at its size
# with no two labels overlapping.
# The same browser session then opens deliberately broken copies of the
# report (a console error, an exception, a missing image, an emptied plot, a
# squashed plot, a dangling TOC link, a plot removed), and each must FAIL for
# its reason: the check can fail. Skips (77) without Chromium
# (CB_WITH_BROWSER=1 scripts/setup-deps installs it; CB_BROWSER=PATH names
# another browser, CB_BROWSER=none pretends there is none).
set -u
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
need_tool python3 python3
if [[ -n ${CB_BROWSER:-} ]]; then
  chrome=$CB_BROWSER
else
  chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
fi
if [[ -z $chrome || ! -x $chrome ]]; then
  echo "SKIP: no chromium${CB_BROWSER:+ (CB_BROWSER=$CB_BROWSER)} (CB_WITH_BROWSER=1 scripts/setup-deps installs it)"
  exit 77
fi
report_basic "$tmp/out" || { fail "report failed"; finish ""; }
python3 "$CB_SOURCE_DIR/tests/tools/gen_results.py" --nodes 64 --slow 17 --allreduce -o "$tmp/n64.csv" &&
  "$cb" report -q -o "$tmp/n64" "$tmp/n64.csv" || fail "the 64-node report failed"
html=$tmp/out/report.html
b=$tmp/broken
mkdir -p "$b"
python3 - "$html" "$b" "$tmp/n64/report.html" <<'PY' || fail "making the broken copies"
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
out = sys.argv[2]
def put(name, text):
    assert text != page, name
    open("%s/%s.html" % (out, name), "w", encoding="utf-8").write(text)
body = lambda extra: page.replace("</body>", extra + "</body>", 1)
put("console", body('<script>console.error("broken on purpose")</script>'))
put("exception", body("<script>window.no_such_function()</script>"))
put("missing", body('<img src="no-such-image.png" alt="">'))
first = re.search(r"(<svg [^>]*class=\"plot\"[^>]*>)(.*?)(</svg>)", page, re.S)
put("emptyplot", page[:first.start(2)] + page[first.end(2):])
put("squashed", page.replace("</head>", "<style>svg.plot{width:300px!important;height:100px!important}</style></head>", 1))
put("toc", page.replace('href="#s3"', 'href="#nowhere"', 1))
last = list(re.finditer(r"<svg [^>]*class=\"plot\".*?</svg>", page, re.S))[-1]
put("noplot", page[:last.start()] + page[last.end():])
# the 64-node report with its heat map's column labels at 30 px: they overlap
big = open(sys.argv[3], encoding="utf-8").read()
heat = re.search(r'<svg [^>]*class="plot"[^>]*>\s*<title>All-pairs.*?</svg>', big, re.S)
squeezed = re.sub(r'rotate\(-90\)" font-size="[0-9.]+"', 'rotate(-90)" font-size="30"', heat.group(0))
assert squeezed != heat.group(0)
open("%s/overlap.html" % out, "w", encoding="utf-8").write(big[:heat.start()] + squeezed + big[heat.end():])
PY
png=$tmp/report.png
pages=("$html:11")
for n in console exception missing emptyplot squashed toc noplot; do
  pages+=("$b/$n.html:11") # noplot has 10: it must fail
done
pages+=("$tmp/n64/report.html:4" "$b/overlap.html:4")
rc=0
timeout 150 python3 "$(dirname "$0")/cdp_check.py" "$chrome" "$tmp/profile" --screenshot "$png" \
  "${pages[@]}" >"$tmp/cdp.out" 2>&1 || rc=$?
sed 's/^/  /' "$tmp/cdp.out"
[[ $rc == 1 ]] || fail "cdp_check: exit $rc, want 1 (the report passes, every broken copy fails)"
grep -q "^$html: FAIL" "$tmp/cdp.out" && fail "the report itself fails in the browser"
grep -qx "$html: ok: 11 plots of their size, 7 section links resolve, no console errors" "$tmp/cdp.out" ||
  fail "the report is not reported ok with 11 plots and 7 links"
expect_fail() { # NAME PATTERN: the broken copy NAME fails with PATTERN
  grep -qE "^$b/$1.html: FAIL: $2" "$tmp/cdp.out" || fail "broken copy '$1' did not fail with /$2/"
  grep -q "^$b/$1.html: ok" "$tmp/cdp.out" && fail "broken copy '$1' passed"
}
expect_fail console 'console error: broken on purpose'
expect_fail exception 'uncaught exception: TypeError: window.no_such_function is not a function'
expect_fail missing 'browser log error .*no-such-image.png'
expect_fail emptyplot "plot 'plot 1': empty: 0 drawn element"
expect_fail squashed "plot 'Point-to-point bandwidth — fixture': rendered 300.0x100.0 px, expected 900x420"
expect_fail toc "link #nowhere \('.*'\) resolves to 0 elements"
expect_fail noplot '10 plots \(svg.plot\), expected 11'
grep -q "^$tmp/n64/report.html: ok: 4 plots of their size" "$tmp/cdp.out" ||
  fail "the 64-node report is not reported ok with 4 plots"
expect_fail overlap "plot 'All-pairs bw at 16M .*64 nodes': [0-9]+ pair\(s\) of overlapping texts"
if [[ ! -s $png ]]; then
  fail "no screenshot"
  finish ""
fi
size=$(stat -c %s "$png")
((size > 50000)) || fail "screenshot is $size bytes: blank?"
read -r dims colours < <(python3 "$(dirname "$0")/png_colours.py" "$png")
[[ $dims == 1280x2400 ]] || fail "screenshot is $dims, expected 1280x2400"
((colours > 200)) || fail "screenshot has $colours colours: blank?"
finish "chromium: report.html renders with no console error, 11 plots of their size, TOC links resolve; the 64-node report ok; 8 broken copies fail; screenshot $size bytes, $colours colours"
