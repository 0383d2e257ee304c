#!/bin/bash
# The tuner's overlay and command without a cluster:
# - a profile with no overlay, or an overlay that sets nothing, generates
#   exactly the scripts it did before (tests/data/sbatch/vcluster);
# - with tests/data/tune/vcluster.tuned.ini the scripts equal
#   tests/data/tune/vcluster/ (the collective winners exported with where they
#   came from; p2p.sh's latency step, and validate.sh's (levels other than
#   quick), with the base's bandwidth-only settings at Open MPI's defaults, the
#   latency winner, and the bandwidth-only winners put back);
#   tune.sh never changes;
# - a bad overlay fails generation with exit 2 and one file:line message;
# - `clusterbench tune` on stand-in benchmarks (tune_fake/: figures follow the
#   environment) finds the known winners, writes them, and refuses bad input
#   with exit 2 and one line;
# - a trial that hangs is killed (its whole process group) at its limit,
#   recorded as a timeout row, and the search goes on to its verdict.
# After an intended change of the tuned output, regenerate the golden:
#   d=$(mktemp -d); cp sbatch/profiles/vcluster.ini tests/data/tune/vcluster.tuned.ini "$d"
#   build/bin/clusterbench sbatch --profile "$d/vcluster.ini" --out tests/data/tune/vcluster
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

prof=$tmp/prof
mkdir -p "$prof"
cp "$CB_SOURCE_DIR/sbatch/profiles/vcluster.ini" "$prof/"

# no overlay: unchanged
"$cb" sbatch --profile "$prof/vcluster.ini" --out "$tmp/plain" >/dev/null || fail "plain generation"
diff -r "$CB_TEST_DATA/sbatch/vcluster" "$tmp/plain" >/dev/null || fail "no overlay: scripts changed"

# an overlay that sets nothing: unchanged
printf '[tune]\nprofile = vcluster\ndate = 2026-12-07\n[collective]\n[p2p]\n' >"$prof/vcluster.tuned.ini"
"$cb" sbatch --profile "$prof/vcluster.ini" --out "$tmp/empty" >/dev/null || fail "empty overlay"
diff -r "$CB_TEST_DATA/sbatch/vcluster" "$tmp/empty" >/dev/null || fail "empty overlay: scripts changed"

# the overlay merged
cp "$CB_TEST_DATA/tune/vcluster.tuned.ini" "$prof/"
"$cb" sbatch --profile "$prof/vcluster.ini" --out "$tmp/tuned" >/dev/null || fail "tuned generation"
diff -r "$CB_TEST_DATA/tune/vcluster" "$tmp/tuned" || fail "tuned: differs from tests/data/tune/vcluster"
cmp -s "$tmp/plain/tune.sh" "$tmp/tuned/tune.sh" || fail "tune.sh took the overlay"
grep -q "^cb_run env OMPI_MCA_mpi_yield_when_idle='0' -u OMPI_MCA_btl_tcp_sndbuf" "$tmp/tuned/p2p.sh" &&
  fail "env -u must come first"
# latency: the bandwidth-only base setting (links, whose collective winner is
# 8) back to Open MPI's default, the other collective winners back to their
# base (unset), the latency winner (yield=0) on top
grep -q "^cb_run env -u OMPI_MCA_btl_tcp_links -u OMPI_MCA_btl_tcp_sndbuf -u OMPI_MCA_btl_tcp_rcvbuf OMPI_MCA_mpi_yield_when_idle='0' \\\\$" \
  "$tmp/tuned/p2p.sh" || fail "p2p.sh: the latency step's env"
# validate.sh's sweep (not quick) as p2p.sh: latency with the same env, then
# bandwidth with the scripts' settings
grep -q "^  cb_step p2p-latency \"\$cb_out/p2p.csv\" env -u OMPI_MCA_btl_tcp_links -u OMPI_MCA_btl_tcp_sndbuf -u OMPI_MCA_btl_tcp_rcvbuf OMPI_MCA_mpi_yield_when_idle='0' \\\\$" \
  "$tmp/tuned/validate.sh" || fail "validate.sh: the latency step's env"
grep -A1 "^  cb_step p2p-latency " "$tmp/tuned/validate.sh" | grep -q "^    srun " ||
  fail "validate.sh: the latency step's srun"
grep -A1 "^  cb_step p2p-sweep " "$tmp/tuned/validate.sh" | grep -q " --mode bw,bibw " ||
  fail "validate.sh: the sweep after the latency step is not bandwidth only"
grep -c -- "--mode latency" "$tmp/tuned/validate.sh" | grep -qx 1 || fail "validate.sh: latency steps"
if command -v shellcheck >/dev/null; then
  shellcheck -S warning "$tmp"/tuned/*.sh || fail "tuned scripts: shellcheck"
fi

# bad overlays: exit 2, one line naming file:line
printf '[tune]\nprofile = vcluster\ndate = 2026-12-07\n[p2p]\nPATH = /tmp\n' >"$prof/vcluster.tuned.ini"
rc=0
"$cb" sbatch --profile "$prof/vcluster.ini" --out "$tmp/bad" >"$tmp/out" 2>"$tmp/err" || rc=$?
((rc == 2)) || fail "bad overlay: exit $rc, want 2"
[[ $(wc -l <"$tmp/err") == 1 ]] && grep -q "vcluster.tuned.ini:5:" "$tmp/err" || fail "bad overlay message: $(cat "$tmp/err")"
[[ ! -e $tmp/bad ]] || fail "bad overlay: something written"
printf '[tune]\nprofile = other\ndate = 2026-12-07\n' >"$prof/vcluster.tuned.ini"
rc=0
"$cb" sbatch --profile "$prof/vcluster.ini" --out "$tmp/bad" >"$tmp/out" 2>"$tmp/err" || rc=$?
((rc == 2)) && grep -q "tuned for profile 'other', not 'vcluster'" "$tmp/err" || fail "other profile's overlay: exit $rc"
rm "$prof/vcluster.tuned.ini"

# clusterbench tune on stand-ins, from the scripts' settings
export OMPI_MCA_coll_tuned_use_dynamic_rules=1 OMPI_MCA_coll_tuned_allreduce_algorithm=4
export OMPI_MCA_btl_tcp_links=4 OMPI_MCA_mpi_yield_when_idle=1
"$cb" tune --profile "$prof/vcluster.ini" --bin "$CB_SOURCE_DIR/tests/sbatch/tune_fake" \
  --launcher env --time-budget 60 --out-dir "$tmp/run" >"$tmp/tune.out" 2>&1 || fail "tune: exit $?"
grep -q "collective: winner +32.0% over the base" "$tmp/tune.out" || fail "tune: collective verdict"
# p2p starts as the scripts' latency steps do: the bandwidth-only settings
# unset (Open MPI's defaults, 10 us on the stand-in), which nothing beats
grep -q "p2p: OMPI_MCA_btl_tcp_links=4 only helps bandwidth: unset" "$tmp/tune.out" ||
  fail "tune: p2p did not start without links=4"
grep -q "p2p: OMPI_MCA_mpi_yield_when_idle=1 only helps bandwidth: unset" "$tmp/tune.out" ||
  fail "tune: p2p did not start without yield=1"
grep -q "p2p .* base (the scripts' settings) .*latency 10 us" "$tmp/tune.out" ||
  fail "tune: p2p base not at Open MPI's defaults: $(grep ' p2p .* base ' "$tmp/tune.out")"
ov=$prof/vcluster.tuned.ini
grep -q "^OMPI_MCA_coll_tuned_allreduce_algorithm = 6$" "$ov" || fail "tune: algorithm 6 not kept"
grep -q "^OMPI_MCA_btl_tcp_links = 8$" "$ov" || fail "tune: 8 links not kept"
grep -q "^collective.OMPI_MCA_btl_tcp_links = 10.0$" "$ov" || fail "tune: links gain"
sed -n '/^\[p2p\]/,/^\[/p' "$ov" | grep -q "^OMPI" && fail "tune: [p2p] not empty, nothing beats the defaults"
sed -n '/^\[collective\]/,/^\[/p' "$ov" | grep -q "yield" && fail "tune: yield kept for collectives"
n=$(grep -c "^1,.*,tune,mpi,host,," "$tmp/run/tune.csv" || true)
((n >= 20)) || fail "tune.csv: $n trial rows"
grep -q ",allreduce,.*tune trial 2 collective search: OMPI_MCA_coll_tuned_allreduce_algorithm=0" \
  "$tmp/run/tune.csv" || fail "tune.csv: the measured rows with the settings in the note"
"$cb" sbatch --profile "$prof/vcluster.ini" --out "$tmp/after" >/dev/null || fail "after tune: generation"
grep -q "OMPI_MCA_btl_tcp_links: tuned on .*, gain +10.0% (was '4')" "$tmp/after/allreduce.sh" ||
  fail "after tune: origin comment"

# --purpose p2p alone keeps the collective winners found before; where
# nothing helps latency, the overlay's [p2p] is empty
"$cb" tune --profile "$prof/vcluster.ini" --bin "$CB_SOURCE_DIR/tests/sbatch/tune_fake" \
  --launcher env --time-budget 60 --purpose p2p --out-dir "$tmp/run2" \
  >"$tmp/tune2.out" 2>&1 </dev/null || fail "tune p2p: exit $?"
OMPI_MCA_mpi_yield_when_idle=0 "$cb" tune --profile "$prof/vcluster.ini" \
  --bin "$CB_SOURCE_DIR/tests/sbatch/tune_fake" --launcher env --time-budget 60 --purpose p2p \
  --out-dir "$tmp/run3" >"$tmp/tune3.out" 2>&1 || fail "tune p2p from the best: exit $?"
grep -q "nothing to change" "$tmp/tune3.out" || fail "tune: a change where nothing helps"
sed -n '/^\[p2p\]/,/^\[/p' "$ov" | grep -q "^OMPI" && fail "tune: [p2p] not empty when nothing helped"
grep -q "^OMPI_MCA_btl_tcp_links = 8$" "$ov" || fail "tune --purpose p2p: the collective winners lost"

# a hung trial (the fake's first 64K eager limit): killed, recorded as
# timeout; the search goes on past it and reaches the verdict
pids=$tmp/hang-pids
CB_FAKE_HANG=OMPI_MCA_btl_tcp_eager_limit=65536 CB_FAKE_HANG_PIDS=$pids "$cb" tune \
  --profile "$prof/vcluster.ini" --bin "$CB_SOURCE_DIR/tests/sbatch/tune_fake" --launcher env \
  --time-budget 60 --purpose collective --no-overlay --out-dir "$tmp/run4" \
  >"$tmp/tune4.out" 2>&1 || fail "tune with a hung trial: exit $?"
[[ -s $pids ]] || fail "the stand-in never hung"
while read -r pid; do
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    fail "the hung trial's process $pid was left running"
  fi
done <"$pids"
csv4=$tmp/run4/tune.csv
grep -q ",timeout,tune trial [0-9]* collective search: .*OMPI_MCA_btl_tcp_eager_limit=65536 .*; limit=[0-9]*$" \
  "$csv4" || fail "tune.csv: the hung trial is not a timeout row"
grep -q "TIMEOUT (killed after" "$tmp/tune4.out" || fail "tune: the hung trial not reported"
grep -q ",ok,tune trial [0-9]* collective search: .*OMPI_MCA_btl_tcp_eager_limit=262144 .*pass=1; ref=" \
  "$csv4" || fail "tune: the search did not go on past the hung trial"
grep -q ",ok,\"tune verdict collective: .*| base=1; winner=1.32; gain=+32.0; .*kept=yes\"$" "$csv4" ||
  fail "tune: no verdict after the hung trial"

# bad input: exit 2, one line
for args in "--time-budget 5" "--time-budget x" "--purpose latency" "--transport ucx" "--bogus" \
  "--nodes 0" "--noise-floor -1" "--profile no-such-profile" "extra"; do
  rc=0
  # shellcheck disable=SC2086 # the words on purpose
  "$cb" tune $args >"$tmp/out" 2>"$tmp/err" || rc=$?
  ((rc == 2)) || fail "tune $args: exit $rc, want 2"
  [[ $(wc -l <"$tmp/err") == 1 && ! -s $tmp/out ]] || fail "tune $args: not one line: $(cat "$tmp/err")"
done
"$cb" tune --help >"$tmp/tune-help" || fail "tune --help: exit $?"
grep -q "^usage: clusterbench tune" "$tmp/tune-help" || fail "tune --help"
finish "tuner overlay and command"
