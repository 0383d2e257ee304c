#!/usr/bin/env bash
# Slurm integration test of the validation run (label slurm): brings up a
# private 3-node copy of the virtual cluster at 2.5 Gbit/s, submits the
# generated sbatch/validate.sh --level quick (the gate's absolute bandwidth
# bounds at 10% of goodput: speed is not what this tests) and expects PASS (job COMPLETED,
# every step exit 0, gate PASSED, JUnit XML well-formed, Prometheus pass 1);
# then shapes node2's link to 100 Mbit/s, submits it again and expects FAIL
# (job exit 1) with the gate's FAIL lines naming node2. Skips (77) when not
# root or without namespaces.
set -uo pipefail
name=test_vcluster_validate
bin=${CB_BIN:?}
log=
fail() {
  echo "$name: FAIL: $*"
  [ -n "$log" ] && [ -s "$log" ] && { echo "--- $log (last 40 lines)"; tail -n 40 "$log"; }
  exit 1
}
# shellcheck source-path=SCRIPTDIR source=vc_test_lib.sh
. "${CB_SOURCE_DIR:?}/tests/slurm/vc_test_lib.sh"
# shellcheck source=../need_tool.sh
. "$CB_SOURCE_DIR/tests/need_tool.sh"
need_tool xmllint libxml2-utils
vc_start
vc_home
# The gate's absolute bounds judge speed (p2p at 90%, the all-reduce at 70% of
# the link's goodput), which a loaded machine misses now and then (68.4% seen
# under CI): this test checks the validation run, not the speed. The jobs read
# their profile and thresholds from the job's home: the shipped ones, with
# those two bounds at 10% of goodput (a dead link, or one at 100 Mbit/s, still
# fails them); p2p_spread, wrong_elements and preflight as shipped.
mkdir -p "$home/sbatch/profiles"
cp "$CB_SOURCE_DIR/sbatch/profiles/vcluster.ini" "$home/sbatch/profiles/"
sed -e '/^\[p2p_bw\]/,/^\[/ s/^lower *=.*/lower     = -0.90/' \
  -e '/^\[allreduce_busbw\]/,/^\[/ s/^lower *=.*/lower     = -0.90/' \
  "$CB_SOURCE_DIR/sbatch/profiles/vcluster.gate.ini" >"$home/sbatch/profiles/vcluster.gate.ini"
[ "$(diff "$CB_SOURCE_DIR/sbatch/profiles/vcluster.gate.ini" "$home/sbatch/profiles/vcluster.gate.ini" |
  grep -c '^>')" = 2 ] || fail "the test's thresholds: want exactly the two bounds changed"
"$bin/clusterbench" sbatch --profile vcluster --out "$tmp/sbatch" >/dev/null || fail "generate"

# submit WANT_EXIT: runs validate.sh --level quick; sets id, dir, log
submit() {
  local want=$1 st code t0=$SECONDS
  id=$(cd "$home" && sbatch --parsable --wait "$tmp/sbatch/validate.sh" --level quick) || true
  [ -n "$id" ] || fail "sbatch validate.sh failed"
  dir=$home/results/vcluster/$id
  log=$home/results/slurm-cb-validate-$id.out
  st=$(vc_job_state "$id")
  code=$(vc_job_exit "$id")
  code=${code%%:*}
  echo "$name: job $id: $st, exit $code, $((SECONDS - t0)) s"
  sed 's/^/  /' "$dir/validate-steps.tsv"
  [ "$code" = "$want" ] || fail "job $id: exit $code, want $want"
  if [ "$want" = 0 ]; then [ "$st" = COMPLETED ] || fail "job $id: $st"; fi
}

# 1. A healthy cluster: PASS.
submit 0
grep -q '^clusterbench validate: PASS (level quick, 6 steps and the gate' "$log" || fail "no PASS line"
grep -q '^\[ PASSED \] 5/5 checks' "$log" || fail "gate did not pass 5/5"
bad=$(awk -F'\t' 'NR > 1 && $2 != 0' "$dir/validate-steps.tsv")
[ -z "$bad" ] || fail "steps with a non-zero exit: $bad"
[ "$(tail -n +2 "$dir/validate-steps.tsv" | cut -f 1 | tr '\n' ' ')" = \
  "preflight p2p-all-pairs allreduce gpu ddp report gate " ] || fail "steps run: $(cat "$dir/validate-steps.tsv")"
for f in preflight p2p allreduce gpu ddp; do
  [ "$(wc -l <"$dir/$f.csv")" -ge 2 ] || fail "$f.csv has no rows"
done
[ -s "$dir/report/report.html" ] || fail "no report/report.html"
xmllint --noout "$dir/gate-junit.xml" || fail "gate-junit.xml is not well-formed"
[ "$(grep -c '<testcase ' "$dir/gate-junit.xml")" = 5 ] || fail "gate-junit.xml: want 5 testcases"
grep -qx 'clusterbench_gate_pass{[^}]*} 1' "$dir/gate.prom" || grep -qx 'clusterbench_gate_pass 1' "$dir/gate.prom" ||
  fail "gate.prom: no clusterbench_gate_pass 1: $(grep gate_pass "$dir/gate.prom")"

# 2. node2's link degraded to 100 Mbit/s: FAIL, naming node2.
"$vc" shape 100 node2 >/dev/null || fail "shape 100 node2"
submit 1
grep -q '^clusterbench validate: FAIL (level quick' "$log" || fail "no FAIL line"
grep -q '^clusterbench validate: the gate failed' "$log" || fail "the verdict does not blame the gate"
grep -q '^\[ FAIL \] p2p_spread: node2 is ' "$log" || fail "p2p_spread does not name node2"
grep -qE '^\[ FAIL \] p2p_bw: .*node2' "$log" || fail "p2p_bw does not fail node2's pairs (4% of goodput)"
grep '^\[ FAIL \]' "$log" | sed 's/^/  /'
if grep '^\[ FAIL \] p2p_spread' "$log" | grep -q 'node[01] is '; then fail "a healthy node blamed"; fi
grep -q '^\[ PASS \] wrong_elements' "$log" || fail "slow is not wrong: wrong_elements should pass"
grep -qx 'clusterbench_gate_pass{[^}]*} 0' "$dir/gate.prom" || grep -qx 'clusterbench_gate_pass 0' "$dir/gate.prom" ||
  fail "gate.prom: no clusterbench_gate_pass 0"
echo "$name: PASS"
