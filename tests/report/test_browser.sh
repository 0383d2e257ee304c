#!/usr/bin/env bash
# test_report_browser (label browser): Chromium renders the fixture's
# report.html headless (no network) to a PNG that is not blank: over
# 50 KB and, when python3 is there, more than 200 distinct colours (a blank
# page has 1). Skips (77) without Chromium.
set -u
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z $chrome ]]; then
  echo "SKIP: no chromium"
  exit 77
fi
report_basic "$tmp/out" || fail "report failed"
png=$tmp/report.png
timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$tmp/profile" \
  --screenshot="$png" --window-size=1280,2400 "file://$tmp/out/report.html" > "$tmp/log" 2>&1
if [[ ! -s $png ]]; then
  tail -5 "$tmp/log" >&2
  fail "chromium wrote no screenshot"
  finish ""
fi
size=$(stat -c %s "$png")
((size > 50000)) || fail "screenshot is $size bytes: blank?"
read -r dims colours < <(python3 "$(dirname "$0")/png_colours.py" "$png")
[[ $dims == 1280x2400 ]] || fail "screenshot is $dims, expected 1280x2400"
((colours > 200)) || fail "screenshot has $colours colours: blank?"
finish "chromium rendered report.html: $size bytes, ${colours:-?} colours"
