#!/bin/bash
# Golden test of `clusterbench sbatch`: every shipped profile, generated into a
# fresh directory, must equal tests/data/sbatch/<profile>/ byte for byte (mode
# 755, no other files), and the repository's sbatch/*.sh must be exactly the
# default profile's output. Also the fixture profiles of tests/data/sbatch-keys/
# (profile keys the shipped ones leave at their defaults: all_pairs,
# round_reference): their p2p.sh and validate.sh, the scripts those keys
# change, against tests/data/sbatch-keys/<name>/. After an intended change,
# regenerate the goldens:
#   for p in sbatch/profiles/*.ini; do n=$(basename "$p" .ini)
#     build/bin/clusterbench sbatch --profile "$n" --out "tests/data/sbatch/$n"; done
#   for p in tests/data/sbatch-keys/*.ini; do n=${p%.ini}; d=$(mktemp -d)
#     build/bin/clusterbench sbatch --profile "$p" --out "$d"
#     cp "$d/p2p.sh" "$d/validate.sh" "$n/"; rm -rf "$d"; done
#   build/bin/clusterbench sbatch
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

n=0
for ini in "$CB_SOURCE_DIR"/sbatch/profiles/*.ini; do
  [[ $ini != *.gate.ini && $ini != *.tuned.ini ]] || continue # thresholds, tuner overlays: not profiles
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

# The fixture profiles with non-default keys: their own goldens; the
# all-pairs steps carry the flags, nothing else differs from the defaults'.
nk=0
for ini in "$CB_TEST_DATA"/sbatch-keys/*.ini; do
  p=$(basename "$ini" .ini)
  nk=$((nk + 1))
  if ! "$cb" sbatch --profile "$ini" --out "$tmp/keys-$p" >/dev/null; then
    fail "fixture $p: generation failed"
    continue
  fi
  for f in p2p.sh validate.sh; do
    diff "$CB_TEST_DATA/sbatch-keys/$p/$f" "$tmp/keys-$p/$f" ||
      fail "fixture $p: $f differs from tests/data/sbatch-keys/$p/$f"
  done
  # the other scripts run no all-pairs step: the keys leave them alone
  if grep -lE -- '--sequential|--reference' "$tmp/keys-$p"/*.sh | grep -vE '/(p2p|validate)\.sh$'; then
    fail "fixture $p: a script other than p2p.sh/validate.sh took the keys"
  fi
done
((nk >= 2)) || fail "only $nk fixture profiles in tests/data/sbatch-keys"
k=$CB_TEST_DATA/sbatch-keys
grep -qF -- '"$cb_bin/cb-p2p" --all-pairs --reference --mode bw -b 64M -e 64M' "$k/rounds-ref/p2p.sh" ||
  fail "round_reference = yes: p2p.sh's all-pairs step lacks --reference"
grep -qF -- '"$cb_bin/cb-p2p" --all-pairs --reference --mode bw "${cb_matrix[@]}"' "$k/rounds-ref/validate.sh" ||
  fail "round_reference = yes: validate.sh's all-pairs step lacks --reference"
grep -qF -- '"$cb_bin/cb-p2p" --all-pairs --sequential --mode bw -b 64M' "$k/sequential/p2p.sh" ||
  fail "all_pairs = sequential: p2p.sh's all-pairs step lacks --sequential"
grep -qF -- '"$cb_bin/cb-p2p" --all-pairs --sequential --mode bw "${cb_matrix[@]}"' "$k/sequential/validate.sh" ||
  fail "all_pairs = sequential: validate.sh's all-pairs step lacks --sequential"
# the estimate follows the keys: 4 nodes = 6 rounds; 12 directions alone first, or 12 in turn
"$cb" sbatch --estimate --profile "$k/rounds-ref.ini" --level quick >"$tmp/estk1.out" || fail "--estimate rounds-ref failed"
grep -qE '^    p2p-all-pairs .*\(12 directions alone, then 6 rounds\)$' "$tmp/estk1.out" ||
  fail "rounds-ref: want 12 directions alone, then 6 rounds: $(cat "$tmp/estk1.out")"
grep -qF 'all pairs in rounds, every direction alone first (profile):' "$tmp/estk1.out" || fail "rounds-ref: estimate header"
"$cb" sbatch --estimate --profile "$k/sequential.ini" --level quick >"$tmp/estk2.out" || fail "--estimate sequential failed"
grep -qE '^    p2p-all-pairs .*\(12 directions\)$' "$tmp/estk2.out" ||
  fail "sequential: want 12 directions: $(cat "$tmp/estk2.out")"
grep -qF 'all pairs sequential (profile):' "$tmp/estk2.out" || fail "sequential: estimate header"

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
[[ $(grep -c "^  " "$tmp/est2.out") == 9 ]] || fail "--estimate: want 6 scripts and 3 levels: $(cat "$tmp/est2.out")"
grep -q "^  tune.sh  *its --time-budget$" "$tmp/est2.out" || fail "--estimate: tune.sh lasts its budget"
grep -q "^# Duration: the search's time budget" "$tmp/est/tune.sh" || fail "tune.sh: no duration line"
"$cb" sbatch --estimate --nodes 16 --line-rate 100 --level quick >"$tmp/est3.out" || fail "--estimate --level failed"
grep -q '^estimated durations, profile vcluster: 16 nodes, 100 Gbit/s' "$tmp/est3.out" || fail "--nodes/--line-rate not applied: $(cat "$tmp/est3.out")"
grep -qE '^    p2p-all-pairs .*\(30 rounds\)' "$tmp/est3.out" || fail "16 nodes: want 30 rounds: $(cat "$tmp/est3.out")"
"$cb" sbatch --estimate --nodes 16 --level quick --sequential >"$tmp/est4.out" || fail "--sequential failed"
grep -qE '^    p2p-all-pairs .*\(240 directions\)' "$tmp/est4.out" || fail "16 nodes sequential: want 240 directions: $(cat "$tmp/est4.out")"

finish "$n profiles match their golden scripts"
