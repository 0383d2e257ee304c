#!/bin/bash
# Golden test of `clusterbench sbatch`: every shipped profile, generated into a
# fresh directory, must equal tests/data/sbatch/<profile>/ byte for byte (mode
# 755, no other files), and the repository's sbatch/*.sh must be exactly the
# default profile's output. After an intended change, regenerate the goldens:
#   for p in sbatch/profiles/*.ini; do n=$(basename "$p" .ini)
#     build/bin/clusterbench sbatch --profile "$n" --out "tests/data/sbatch/$n"; done
#   build/bin/clusterbench sbatch
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

n=0
for ini in "$CB_SOURCE_DIR"/sbatch/profiles/*.ini; do
  [[ $ini != *.gate.ini ]] || continue # the gate's thresholds, not profiles
  p=$(basename "$ini" .ini)
  n=$((n + 1))
  if ! "$cb" sbatch --profile "$p" --out "$tmp/$p" >/dev/null; then
    fail "$p: generation failed"
    continue
  fi
  if ! diff -r "$CB_TEST_DATA/sbatch/$p" "$tmp/$p"; then
    fail "$p: output differs from tests/data/sbatch/$p"
  fi
  for f in "$tmp/$p"/*.sh; do
    [[ $(stat -c %a "$f") == 755 ]] || fail "$f: mode $(stat -c %a "$f"), want 755"
  done
done
((n >= 7)) || fail "only $n profiles in sbatch/profiles"
for d in "$CB_TEST_DATA"/sbatch/*/; do
  p=$(basename "$d")
  [[ -f $CB_SOURCE_DIR/sbatch/profiles/$p.ini ]] || fail "golden $d has no profile"
done

# The repository's scripts are the default profile's, and nothing else.
"$cb" sbatch --out "$tmp/default" >/dev/null || fail "default generation failed"
(cd "$tmp/default" && ls) >"$tmp/generated.list"
(cd "$CB_SOURCE_DIR/sbatch" && ls -- *.sh) >"$tmp/repo.list"
diff "$tmp/generated.list" "$tmp/repo.list" || fail "sbatch/*.sh: not the set generated"
for f in "$tmp/default"/*.sh; do
  cmp "$f" "$CB_SOURCE_DIR/sbatch/$(basename "$f")" ||
    fail "sbatch/$(basename "$f") is not the generator's output for the default profile"
done
diff -r "$tmp/default" "$CB_TEST_DATA/sbatch/vcluster" >/dev/null ||
  fail "the default profile is not vcluster"

# --check agrees, and finds an edit.
"$cb" sbatch --check --out "$tmp/default" >/dev/null || fail "--check: fresh output differs"
echo '# edited' >>"$tmp/default/p2p.sh"
rc=0
"$cb" sbatch --check --out "$tmp/default" >"$tmp/check.out" || rc=$?
[[ $rc == 1 ]] || fail "--check on an edited script: exit $rc, want 1"
grep -q 'p2p.sh: differs' "$tmp/check.out" || fail "--check does not name p2p.sh"
rm "$tmp/default/allreduce.sh"
rc=0
"$cb" sbatch --check --out "$tmp/default" >"$tmp/check.out" || rc=$?
[[ $rc == 1 ]] || fail "--check with a missing script: exit $rc, want 1"
grep -q 'allreduce.sh: missing' "$tmp/check.out" || fail "--check does not say missing"
[[ ! -e $tmp/default/allreduce.sh ]] || fail "--check wrote a file"

# Writing prints each script's estimate, the one its header carries;
# --estimate prints them and writes nothing; --level lists validate.sh's steps.
"$cb" sbatch --out "$tmp/est" >"$tmp/est.out" || fail "generation with estimates failed"
for k in allreduce p2p ddp gpu preflight; do
  e=$(sed -n "s/^# Estimated duration: \(.*\)\.$/\1/p" "$tmp/est/$k.sh")
  [[ -n $e ]] || fail "$k.sh: no estimate in its header"
  grep -qF -- "  $k.sh" "$tmp/est.out" || fail "no estimate printed for $k.sh"
  grep -F -- "  $k.sh" "$tmp/est.out" | grep -qF -- "$e" || fail "$k.sh: printed estimate is not its header's ($e)"
done
q=$(sed -n 's/^#   quick    //p' "$tmp/est/validate.sh")
grep -F 'validate.sh --level quick' "$tmp/est.out" | grep -qF -- "$q" || fail "validate.sh quick: printed is not the header's ($q)"
"$cb" sbatch --estimate --out "$tmp/none" >"$tmp/est2.out" || fail "--estimate failed"
[[ ! -e $tmp/none ]] || fail "--estimate wrote $tmp/none"
[[ $(grep -c "^  " "$tmp/est2.out") == 8 ]] || fail "--estimate: want 5 scripts and 3 levels: $(cat "$tmp/est2.out")"
"$cb" sbatch --estimate --nodes 16 --line-rate 100 --level quick >"$tmp/est3.out" || fail "--estimate --level failed"
grep -q '^estimated durations, profile vcluster: 16 nodes, 100 Gbit/s' "$tmp/est3.out" || fail "--nodes/--line-rate not applied: $(cat "$tmp/est3.out")"
grep -qE '^    p2p-all-pairs .*\(30 rounds\)' "$tmp/est3.out" || fail "16 nodes: want 30 rounds: $(cat "$tmp/est3.out")"
"$cb" sbatch --estimate --nodes 16 --level quick --sequential >"$tmp/est4.out" || fail "--sequential failed"
grep -qE '^    p2p-all-pairs .*\(240 directions\)' "$tmp/est4.out" || fail "16 nodes sequential: want 240 directions: $(cat "$tmp/est4.out")"

finish "$n profiles match their golden scripts"
