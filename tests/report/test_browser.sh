#!/usr/bin/env bash
# test_report_browser (label browser): headless Chromium opens the fixture's
# report.html (file://, no network; the DevTools protocol over a pipe:
# tests/report/cdp_check.py) and checks what a reader sees: no console error,
# exception or failed load; each of the 10 plots a non-empty SVG rendered at
# its size; every table-of-contents link resolving to a rendered section; and
# a 1280x2400 screenshot that is not blank (over 50 KB, more than 200 colours).
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
html=$tmp/out/report.html
b=$tmp/broken
mkdir -p "$b"
python3 - "$html" "$b" <<'PY' || fail "making the broken copies"
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
PY
png=$tmp/report.png
pages=("$html:10")
for n in console exception missing emptyplot squashed toc noplot; do
  pages+=("$b/$n.html:10") # noplot has 9: it must fail
done
rc=0
timeout 150 python3 "$(dirname "$0")/cdp_check.py" "$chrome" "$tmp/profile" --screenshot "$png" \
  "${pages[@]}" >"$tmp/cdp.out" 2>&1 || rc=$?
sed 's/^/  /' "$tmp/cdp.out"
[[ $rc == 1 ]] || fail "cdp_check: exit $rc, want 1 (the report passes, every broken copy fails)"
grep -q "^$html: FAIL" "$tmp/cdp.out" && fail "the report itself fails in the browser"
grep -qx "$html: ok: 10 plots of their size, 7 section links resolve, no console errors" "$tmp/cdp.out" ||
  fail "the report is not reported ok with 10 plots and 7 links"
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
expect_fail noplot '9 plots \(svg.plot\), expected 10'
if [[ ! -s $png ]]; then
  fail "no screenshot"
  finish ""
fi
size=$(stat -c %s "$png")
((size > 50000)) || fail "screenshot is $size bytes: blank?"
read -r dims colours < <(python3 "$(dirname "$0")/png_colours.py" "$png")
[[ $dims == 1280x2400 ]] || fail "screenshot is $dims, expected 1280x2400"
((colours > 200)) || fail "screenshot has $colours colours: blank?"
finish "chromium: report.html renders with no console error, 10 plots of their size, TOC links resolve; 7 broken copies fail; screenshot $size bytes, $colours colours"
