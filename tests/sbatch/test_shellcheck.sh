#!/bin/bash
# The scripts generated for every shipped profile, the repository's sbatch/*.sh
# and these tests pass `shellcheck -S warning`. Fails without shellcheck.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
# shellcheck source=../need_tool.sh
. "$CB_SOURCE_DIR/tests/need_tool.sh"
need_tool shellcheck shellcheck

for ini in "$CB_SOURCE_DIR"/sbatch/profiles/*.ini; do
  [[ $ini != *.gate.ini && $ini != *.tuned.ini ]] || continue # thresholds, tuner overlays: not profiles
  p=$(basename "$ini" .ini)
  "$cb" sbatch --profile "$p" --out "$tmp/$p" >/dev/null || fail "$p: generation failed"
done
shellcheck -S warning "$tmp"/*/*.sh "$CB_SOURCE_DIR"/sbatch/*.sh || fail "generated scripts"
shellcheck -S warning -x "$CB_SOURCE_DIR"/tests/sbatch/*.sh || fail "test scripts"
finish "shellcheck clean"
