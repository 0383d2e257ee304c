#!/bin/bash
# Every tests/data/profiles/bad_*.ini makes `clusterbench sbatch` exit 2 with
# "file:line: reason" (as its "; expect-line:" and "; expect-reason:" comments
# say) and write nothing: neither into a new out dir nor an existing one.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

n=0
mkdir "$tmp/existing"
echo keep >"$tmp/existing/sentinel"
for f in "$CB_TEST_DATA"/profiles/bad_*.ini; do
  n=$((n + 1))
  line=$(sed -n 's/^; expect-line: //p' "$f")
  reason=$(sed -n 's/^; expect-reason: //p' "$f")
  [[ -n $line && -n $reason ]] || { fail "$f: no expect-line/expect-reason"; continue; }
  for out in "$tmp/new" "$tmp/existing"; do
    rc=0
    "$cb" sbatch --profile "$f" --out "$out" >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
    [[ $rc == 2 ]] || fail "$f: exit $rc, want 2"
    grep -qF -- "$f:$line: " "$tmp/stderr" || fail "$f: stderr lacks '$f:$line: ': $(cat "$tmp/stderr")"
    grep -qF -- "$reason" "$tmp/stderr" || fail "$f: stderr lacks '$reason': $(cat "$tmp/stderr")"
    [[ ! -s $tmp/stdout ]] || fail "$f: wrote to stdout: $(cat "$tmp/stdout")"
  done
  [[ ! -e $tmp/new ]] || fail "$f: created the out dir"
  [[ $(ls -A "$tmp/existing") == sentinel ]] || fail "$f: wrote into the out dir: $(ls -A "$tmp/existing")"
done
((n >= 40)) || fail "only $n bad profiles"

# usage errors: exit 2, nothing written
for args in "--bogus" "--profile" "--out" "--profile no-such-profile" "--profile a;b" \
  "--profile /no/such/file.ini" "--profile=" "--nodes 16" "--estimate --nodes 0" \
  "--estimate --nodes 4097" "--estimate --line-rate 0" "--estimate --line-rate x" \
  "--estimate --level fast" "--estimate --check" "--level quick" "--sequential"; do
  rc=0
  # shellcheck disable=SC2086 # split on purpose
  "$cb" sbatch $args --out "$tmp/new" >/dev/null 2>"$tmp/stderr" || rc=$?
  [[ $rc == 2 ]] || fail "sbatch $args: exit $rc, want 2"
  [[ -s $tmp/stderr ]] || fail "sbatch $args: no message"
  [[ ! -e $tmp/new ]] || fail "sbatch $args: wrote $tmp/new"
done
"$cb" sbatch --help >"$tmp/help" || fail "sbatch --help: exit $?"
# (not piped into grep -q: its early exit can SIGPIPE the writer under pipefail)
grep -q -- '--profile' "$tmp/help" || fail "--help does not explain --profile"

finish "$n bad profiles refused"
