#!/bin/bash
# The scripts generated for every shipped profile, the repository's sbatch/*.sh
# and these tests pass `shellcheck -S warning`. Skipped without shellcheck.
set -euo pipefail
if ! command -v shellcheck >/dev/null; then
  echo "skip: shellcheck not installed"
  exit 77
fi
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

for ini in "$CB_SOURCE_DIR"/sbatch/profiles/*.ini; do
  [[ $ini != *.gate.ini ]] || continue # the gate's thresholds, not profiles
  p=$(basename "$ini" .ini)
  "$cb" sbatch --profile "$p" --out "$tmp/$p" >/dev/null || fail "$p: generation failed"
done
shellcheck -S warning "$tmp"/*/*.sh "$CB_SOURCE_DIR"/sbatch/*.sh || fail "generated scripts"
shellcheck -S warning -x "$CB_SOURCE_DIR"/tests/sbatch/*.sh || fail "test scripts"
finish "shellcheck clean"
