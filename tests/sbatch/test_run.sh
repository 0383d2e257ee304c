#!/bin/bash
# Runs the default profile's generated scripts without Slurm: a stub srun on
# PATH runs stub programs that log their arguments and environment.
# Checks the refusals (not in a job, nothing built), the srun steps, the flags,
# the transport environment, where the CSV goes, and what is printed.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

"$cb" sbatch --profile vcluster --out "$tmp/s" >/dev/null
home=$tmp/home
mkdir -p "$home" "$tmp/stubs"
log=$tmp/log

# Outside a Slurm job: refused.
rc=0
env -u SLURM_JOB_ID bash "$tmp/s/allreduce.sh" >/dev/null 2>"$tmp/err" || rc=$?
[[ $rc == 2 ]] || fail "outside a job: exit $rc, want 2"
grep -q 'not inside a Slurm job' "$tmp/err" || fail "outside a job: $(cat "$tmp/err")"

# In a job but nothing built: says how to build, writes nothing.
rc=0
SLURM_JOB_ID=41 CB_HOME=$home bash "$tmp/s/allreduce.sh" >/dev/null 2>"$tmp/err" || rc=$?
[[ $rc == 2 ]] || fail "not built: exit $rc, want 2"
grep -q 'build first: scripts/build' "$tmp/err" || fail "not built: $(cat "$tmp/err")"
[[ ! -e $home/results ]] || fail "not built: created results/"

# Stubs: srun logs and runs its program; the programs log and write a CSV row.
cat >"$tmp/stubs/srun" <<'STUB'
#!/bin/bash
echo "srun $*" >>"$CB_STUB_LOG"
while [[ $1 == --* ]]; do shift; done
exec "$@"
STUB
# The programs: one stub that logs its arguments and transport environment,
# appends a row to its -o file, and can fail on demand:
#   CB_STUB_FAIL=prog:rc        write its row, then exit rc
#   CB_STUB_CRASH_ONCE=prog:rc  the first run exits rc before writing anything
#   CB_STUB_GATE=rc             clusterbench gate's exit status
mkdir -p "$home/build/bin"
cat >"$tmp/prog.stub" <<'STUB'
#!/bin/bash
me=$(basename "$0")
if [[ ${CB_STUB_CRASH_ONCE:-} == "$me":* && ! -e $CB_STUB_LOG.$me.crashed ]]; then
  : >"$CB_STUB_LOG.$me.crashed"
  echo "$me $* | crashed" >>"$CB_STUB_LOG"
  exit "${CB_STUB_CRASH_ONCE#*:}"
fi
echo "$me $* | ifname=${NCCL_SOCKET_IFNAME:-} btl=${OMPI_MCA_btl:-} root=${OMPI_ALLOW_RUN_AS_ROOT:-}${MALLOC_TRIM_THRESHOLD_:+ trim=$MALLOC_TRIM_THRESHOLD_}${CB_START_RETRY:+ retry=$CB_START_RETRY}" >>"$CB_STUB_LOG"
# the bandwidth-only Open MPI settings each program ran with, in a log of their own
echo "$me $* | links=${OMPI_MCA_btl_tcp_links-unset} yield=${OMPI_MCA_mpi_yield_when_idle-unset}" >>"$CB_STUB_LOG.mca"
if [[ $me == clusterbench && $1 == gate ]]; then exit "${CB_STUB_GATE:-0}"; fi
while (($#)); do
  if [[ $1 == -o ]]; then echo "row from $me" >>"$2"; fi
  shift
done
if [[ ${CB_STUB_FAIL:-} == "$me":* ]]; then exit "${CB_STUB_FAIL#*:}"; fi
exit 0
STUB
for b in cb-allreduce cb-p2p cb-gpu cb-preflight cb-ddp cb-ddp-torch clusterbench; do
  cp "$tmp/prog.stub" "$home/build/bin/$b"
done
chmod +x "$tmp/stubs/srun" "$home/build/bin"/*
export CB_STUB_LOG=$log
# The scripts run cb-ddp-torch with $CB_PYTHON (default /usr/bin/python3); its stub is bash.
export CB_PYTHON=bash
root=
if [[ $(id -u) == 0 ]]; then root=1; fi

# allreduce.sh, repository found through CB_HOME
: >"$log"
PATH=$tmp/stubs:$PATH SLURM_JOB_ID=42 SLURM_JOB_NODELIST='node[0-2]' CB_HOME=$home \
  bash "$tmp/s/allreduce.sh" >"$tmp/out" 2>&1 || fail "allreduce.sh failed: $(cat "$tmp/out")"
csv=$home/results/vcluster/42/allreduce.csv
# the scaling curve: 1, 2 and 3 nodes, in that order, one CSV
[[ $(grep -c '^srun ' "$log") == 3 ]] || fail "allreduce: want 3 srun steps: $(cat "$log")"
grep '^srun ' "$log" | sed -n 1p | grep -qx 'srun --mpi=pmix --kill-on-bad-exit=1 --nodes=1 --ntasks=1 .*' ||
  fail "allreduce: first step is not the 1-node baseline: $(cat "$log")"
grep '^srun ' "$log" | sed -n 2p | grep -qx 'srun --mpi=pmix --kill-on-bad-exit=1 --nodes=2 --ntasks=2 --ntasks-per-node=1 .*' ||
  fail "allreduce: second step is not on 2 nodes: $(cat "$log")"
grep '^srun ' "$log" | sed -n 3p | grep -qx 'srun --mpi=pmix --kill-on-bad-exit=1 --nodes=3 --ntasks=3 --ntasks-per-node=1 .*' ||
  fail "allreduce: last step is not on all 3 nodes: $(cat "$log")"
want="cb-allreduce -b 1K -e 64M -f 4 --check --cluster vcluster --transport mpi --total-time 300 -o $csv | ifname=eth0 btl=self,vader,tcp root=$root"
[[ $(grep -cxF -- "$want" "$log") == 3 ]] || fail "allreduce: want 3 times '$want' in: $(cat "$log")"
[[ $(wc -l <"$csv") == 3 ]] || fail "allreduce: every step appends to $csv"
grep -q '^NCCL_SOCKET_IFNAME=eth0$' "$home/results/vcluster/42/allreduce-env.txt" ||
  fail "allreduce: no transport env file"
grep -q '^+ srun --mpi=pmix --kill-on-bad-exit=1 --nodes=3' "$tmp/out" || fail "allreduce: does not print what it runs"
tail -n 1 "$tmp/out" | grep -qF "results in $csv" || fail "allreduce: last line is not the CSV path"

# p2p.sh, repository found through SLURM_SUBMIT_DIR
: >"$log"
: >"$log.mca"
(cd "$tmp" && env -u CB_HOME PATH="$tmp/stubs:$PATH" SLURM_JOB_ID=43 SLURM_SUBMIT_DIR="$home" \
  bash "$tmp/s/p2p.sh") >"$tmp/out" 2>&1 || fail "p2p.sh failed: $(cat "$tmp/out")"
csv=$home/results/vcluster/43/p2p.csv
# latency on its own, then bandwidth, then the matrix
[[ $(grep -c '^srun ' "$log") == 3 ]] || fail "p2p: want 3 srun steps: $(cat "$log")"
grep -q '^srun --mpi=pmix --kill-on-bad-exit=1 --nodes=2 --ntasks=2 --ntasks-per-node=1 ' "$log" || fail "p2p: no pair step: $(cat "$log")"
grep -q '^srun --mpi=pmix --kill-on-bad-exit=1 --nodes=3 --ntasks=3 --ntasks-per-node=1 ' "$log" || fail "p2p: no matrix step: $(cat "$log")"
for m in latency bw,bibw; do
  want="cb-p2p -b 1K -e 64M -f 4 --mode $m --cluster vcluster --transport mpi --total-time 450 -o $csv | ifname=eth0 btl=self,vader,tcp root=$root"
  grep -qxF -- "$want" "$log" || fail "p2p: want '$want' in: $(cat "$log")"
done
# the latency test does not inherit the settings that only help bandwidth;
# bandwidth and the matrix keep them
want="cb-p2p -b 1K -e 64M -f 4 --mode latency --cluster vcluster --transport mpi --total-time 450 -o $csv | links=unset yield=unset"
grep -qxF -- "$want" "$log.mca" || fail "p2p: latency inherits bandwidth-only settings: $(cat "$log.mca")"
[[ $(grep -c 'links=4 yield=1$' "$log.mca") == 2 ]] || fail "p2p: bandwidth steps without their settings: $(cat "$log.mca")"
want="cb-p2p --all-pairs --mode bw -b 16M -e 16M -W 8 --min-iters 3 --cluster vcluster --transport mpi --total-time 450 -o $csv | ifname=eth0 btl=self,vader,tcp root=$root"
grep -qxF -- "$want" "$log" || fail "p2p: want '$want' in: $(cat "$log")"
[[ -s $csv ]] || fail "p2p: no $csv"

# A failing step fails the job (set -e), with the step's exit status.
printf '#!/bin/bash\nexit 7\n' >"$home/build/bin/cb-p2p"
rc=0
PATH=$tmp/stubs:$PATH SLURM_JOB_ID=44 CB_HOME=$home bash "$tmp/s/p2p.sh" >/dev/null 2>&1 || rc=$?
[[ $rc == 7 ]] || fail "p2p with a failing step: exit $rc, want 7"
cp "$tmp/prog.stub" "$home/build/bin/cb-p2p"

run_script() { # JOBID SCRIPT ARGS...: runs a generated script under the stubs
  local id=$1 script=$2
  shift 2
  PATH=$tmp/stubs:$PATH SLURM_JOB_ID=$id SLURM_JOB_NODELIST='node[0-2]' CB_HOME=$home \
    bash "$tmp/s/$script" "$@"
}

# gpu.sh on a CPU-only profile: one rank per node, no --require-gpu.
: >"$log"
run_script 45 gpu.sh >"$tmp/out" 2>&1 || fail "gpu.sh failed: $(cat "$tmp/out")"
csv=$home/results/vcluster/45/gpu.csv
[[ $(grep -c '^srun ' "$log") == 1 ]] || fail "gpu: want 1 srun step: $(cat "$log")"
grep -q '^srun --mpi=pmix --kill-on-bad-exit=1 --nodes=3 --ntasks=3 --ntasks-per-node=1 ' "$log" ||
  fail "gpu: not one rank per node: $(cat "$log")"
grep -qxF -- "cb-gpu --cluster vcluster -o $csv | ifname=eth0 btl=self,vader,tcp root=$root" "$log" ||
  fail "gpu: flags: $(cat "$log")"
[[ -s $csv ]] || fail "gpu: no $csv"

# preflight.sh: a failed check (exit 1) fails the job with 1, after saying so.
for want in 0 1; do
  : >"$log"
  rc=0
  CB_STUB_FAIL=cb-preflight:$want run_script "5$want" preflight.sh >"$tmp/out" 2>&1 || rc=$?
  [[ $rc == "$want" ]] || fail "preflight.sh with cb-preflight exit $want: exit $rc"
  csv=$home/results/vcluster/5$want/preflight.csv
  grep -qxF -- "cb-preflight --profile vcluster --results-dir $home/results -o $csv | ifname=eth0 btl=self,vader,tcp root=$root" "$log" ||
    fail "preflight: flags: $(cat "$log")"
  grep -q '^srun --mpi=pmix --kill-on-bad-exit=1 --nodes=3 --ntasks=3 --ntasks-per-node=1 ' "$log" ||
    fail "preflight: not one rank per node: $(cat "$log")"
  tail -n 1 "$tmp/out" | grep -qF "results in $csv" || fail "preflight: last line is not the CSV path"
  if ((want)); then
    grep -q 'preflight: FAILED: a check failed' "$tmp/out" || fail "preflight: no FAILED line"
  fi
done

# ddp.sh: a program missing is found before anything is written; then the
# bucket all-reduces (glibc keeping freed memory), the DDP step that reads
# their CSV, on every node, then real PyTorch DDP where torch imports on every
# node (--check-torch, one rank per node, first).
mv "$home/build/bin/cb-allreduce" "$tmp/cb-allreduce.away"
rc=0
run_script 47 ddp.sh >"$tmp/out" 2>&1 || rc=$?
[[ $rc == 2 ]] || fail "ddp.sh without cb-allreduce: exit $rc, want 2"
grep -q 'cb-allreduce not found: build first: scripts/build' "$tmp/out" ||
  fail "ddp.sh without cb-allreduce: $(cat "$tmp/out")"
[[ ! -e $home/results/vcluster/47 ]] || fail "ddp.sh without cb-allreduce: created its results dir"
mv "$tmp/cb-allreduce.away" "$home/build/bin/cb-allreduce"
: >"$log"
run_script 48 ddp.sh >"$tmp/out" 2>&1 || fail "ddp.sh failed: $(cat "$tmp/out")"
out=$home/results/vcluster/48
[[ $(grep -c '^srun ' "$log") == 4 ]] || fail "ddp: want 4 srun steps: $(cat "$log")"
[[ $(grep -c '^srun --mpi=pmix --kill-on-bad-exit=1 --nodes=3 --ntasks-per-node=1 ' "$log") == 2 ]] ||
  fail "ddp: steps not on every node: $(cat "$log")"
grep -qxF -- "cb-allreduce -b 1M -e 25M -i 24M -p in --check --cluster vcluster --transport mpi --total-time 225 -o $out/ddp-allreduce.csv | ifname=eth0 btl=self,vader,tcp root=$root trim=1073741824" "$log" ||
  fail "ddp: all-reduce step: $(cat "$log")"
grep -qxF -- "cb-ddp --grad-bytes 100M --step-ms 50,200,800 --sweep --allreduce-csv $out/ddp-allreduce.csv --cluster vcluster --transport mpi --total-time 450 -o $out/ddp.csv | ifname=eth0 btl=self,vader,tcp root=$root" "$log" ||
  fail "ddp: DDP step: $(cat "$log")"
grep -q '^srun --mpi=pmix --nodes=3 --ntasks-per-node=1 bash .*/cb-ddp-torch --check-torch ' "$log" ||
  fail "ddp: torch check not one rank per node: $(cat "$log")"
grep -q "^cb-ddp-torch --check-torch --cluster vcluster -o $out/ddp-torch.csv " "$log" || fail "ddp: no torch check: $(cat "$log")"
grep -q "^srun --mpi=pmix --kill-on-bad-exit=1 --nodes=3 --ntasks=3 --ntasks-per-node=1 bash .*/cb-ddp-torch --grad-bytes" "$log" ||
  fail "ddp: torch step not on every node: $(cat "$log")"
grep -q "^cb-ddp-torch --grad-bytes 100M --emulate-step-ms 100,400,1600 --sweep --iface eth0 --cluster vcluster --total-time 450 -o $out/ddp-torch.csv " "$log" ||
  fail "ddp: torch step: $(cat "$log")"
[[ $(sed -n 's/ .*//p' "$log" | tr '\n' ' ') == "srun cb-allreduce srun cb-ddp srun cb-ddp-torch srun cb-ddp-torch " ]] ||
  fail "ddp: all-reduce, DDP step, torch check, torch step: $(cat "$log")"
for f in ddp ddp-allreduce ddp-torch; do [[ -s $out/$f.csv ]] || fail "ddp: no $f.csv"; done
grep -q '^NCCL_SOCKET_IFNAME=eth0$' "$out/ddp-env.txt" || fail "ddp: no transport env file"
tail -n 1 "$tmp/out" | grep -qF "results in $out" || fail "ddp: last line is not the results dir"
# Without torch on a node, the real-DDP step is skipped (the check's rows say
# where); the job still succeeds.
: >"$log"
CB_STUB_FAIL=cb-ddp-torch:3 run_script 46 ddp.sh >"$tmp/out" 2>&1 || fail "ddp.sh without torch failed: $(cat "$tmp/out")"
[[ $(grep -c '^cb-ddp-torch ' "$log") == 1 ]] || fail "ddp without torch: the torch step ran: $(cat "$log")"
grep -q 'torch does not import with bash on every node: the real-DDP step is skipped' "$tmp/out" ||
  fail "ddp without torch: not said: $(cat "$tmp/out")"
# A failing all-reduce step ends the job with its status, before the DDP step.
: >"$log"
rc=0
CB_STUB_FAIL=cb-allreduce:3 run_script 49 ddp.sh >"$tmp/out" 2>&1 || rc=$?
[[ $rc == 3 ]] || fail "ddp.sh with a failing all-reduce: exit $rc, want 3"
grep -q '^cb-ddp ' "$log" && fail "ddp.sh ran the DDP step after the all-reduce step failed"

# validate.sh: options work outside a job; bad ones are usage errors.
rc=0
env -u SLURM_JOB_ID bash "$tmp/s/validate.sh" --help >"$tmp/out" 2>&1 || rc=$?
[[ $rc == 0 ]] || fail "validate.sh --help: exit $rc"
grep -q -- '--level quick' "$tmp/out" || fail "validate.sh --help does not list the levels"
for bad in "--level fast" "--level" "--bogus"; do
  rc=0
  # shellcheck disable=SC2086 # word splitting intended
  run_script 60 validate.sh $bad >"$tmp/out" 2>&1 || rc=$?
  [[ $rc == 2 ]] || fail "validate.sh $bad: exit $rc, want 2"
  [[ ! -e $home/results/vcluster/60 ]] || fail "validate.sh $bad: created its results dir"
done

# validate_run JOBID WANT_RC ARGS...: runs validate.sh, checks its exit status
validate_run() {
  local id=$1 want=$2 rc=0
  shift 2
  : >"$log"
  : >"$log.mca"
  rm -f "$log".*.crashed
  run_script "$id" validate.sh "$@" >"$tmp/out" 2>&1 || rc=$?
  [[ $rc == "$want" ]] || fail "validate.sh $* (job $id): exit $rc, want $want: $(tail -n 5 "$tmp/out")"
}
steps() { cut -f 1,2 "$home/results/vcluster/$1/validate-steps.tsv" | tail -n +2 | tr '\t\n' ': '; }

# quick: the matrix and the N-node all-reduce only, then gpu, ddp, report, gate.
validate_run 61 0 --level quick
out=$home/results/vcluster/61
[[ $(steps 61) == "preflight:0 p2p-all-pairs:0 allreduce:0 gpu:0 ddp:0 report:0 gate:0 " ]] ||
  fail "validate quick: steps $(steps 61)"
grep -q '^cb-p2p --all-pairs --mode bw -b 4M -e 4M -W 4 --min-iters 2 ' "$log" || fail "quick: matrix: $(cat "$log")"
grep -q '^cb-allreduce -b 1M -e 16M -f 4 -p out --min-iters 3 --time-per-size 0.5 --check ' "$log" ||
  fail "quick: all-reduce: $(cat "$log")"
grep -qxF -- "clusterbench gate --profile vcluster --junit $out/gate-junit.xml --prometheus $out/gate.prom $out | ifname=eth0 btl=self,vader,tcp root=$root" "$log" ||
  fail "quick: gate: $(cat "$log")"
grep -qxF -- "clusterbench report -q $out -o $out/report | ifname=eth0 btl=self,vader,tcp root=$root" "$log" ||
  fail "quick: report: $(cat "$log")"
for f in preflight p2p allreduce gpu ddp; do [[ -s $out/$f.csv ]] || fail "quick: no $f.csv"; done
grep -q 'clusterbench validate: PASS (level quick, 6 steps and the gate' "$tmp/out" || fail "quick: no PASS line"
if grep -q '^cb-ddp-torch' "$log"; then fail "quick: ran cb-ddp-torch: $(cat "$log")"; fi

# standard (the default): the sweeps and the 1-node baselines too.
validate_run 62 0
[[ $(steps 62) == "preflight:0 p2p-latency:0 p2p-sweep:0 p2p-all-pairs:0 allreduce-1node:0 allreduce:0 gpu:0 ddp:0 ddp-torch:0 report:0 gate:0 " ]] ||
  fail "validate standard: steps $(steps 62)"
grep -q '^srun --mpi=pmix --kill-on-bad-exit=1 --nodes=1 --ntasks=1 ' "$log" || fail "standard: no baseline"
grep -q '^cb-p2p -b 1K -e 64M -f 4 --mode latency --time-per-size .* | links=unset yield=unset$' "$log.mca" ||
  fail "standard: latency inherits bandwidth-only settings: $(grep '^cb-p2p' "$log.mca")"
grep -q '^cb-p2p -b 1K -e 64M -f 4 --mode bw,bibw --time-per-size .* | links=4 yield=1$' "$log.mca" ||
  fail "standard: bandwidth sweep without its settings: $(grep '^cb-p2p' "$log.mca")"
grep -q '^cb-ddp --grad-bytes 100M --step-ms 50,200,800 --cluster vcluster ' "$log" || fail "standard: ddp: $(cat "$log")"
grep -q "^cb-ddp-torch --grad-bytes 100M --emulate-step-ms 100,400,1600 --iface eth0 --cluster vcluster --total-time [0-9]* -o $home/results/vcluster/62/ddp-torch.csv " "$log" ||
  fail "standard: ddp-torch: $(cat "$log")"
grep -q 'clusterbench validate: PASS (level standard, 10 steps and the gate' "$tmp/out" || fail "standard: no PASS line: $(tail -n 3 "$tmp/out")"

# A failing step is recorded and the others still run; the job FAILs.
CB_STUB_FAIL=cb-allreduce:3 validate_run 63 1 --level quick
[[ $(steps 63) == "preflight:0 p2p-all-pairs:0 allreduce:3 gpu:0 ddp:0 report:0 gate:0 " ]] ||
  fail "failing step: steps $(steps 63)"
grep -q 'steps that failed: allreduce (exit 3)' "$tmp/out" || fail "failing step not named"
grep -q 'clusterbench validate: FAIL' "$tmp/out" || fail "failing step: no FAIL line"
[[ $(grep -c '^cb-allreduce ' "$log") == 1 ]] || fail "a step that wrote rows was retried"

# A step that dies before writing anything runs once more, and says so.
CB_STUB_CRASH_ONCE=cb-ddp:139 validate_run 64 0 --level quick
grep -q 'ddp ended with exit 139 before writing a row; running it once more' "$tmp/out" ||
  fail "crash at start: not retried"
grep -qP '^ddp\t0\t\d+\tretried after exit 139$' "$home/results/vcluster/64/validate-steps.tsv" ||
  fail "crash at start: retry not recorded"
# The second run carries CB_START_RETRY (its environment rows record it in
# the CSV); the first did not.
grep -q '^cb-ddp .* retry=retried after exit 139$' "$log" ||
  fail "crash at start: the retry ran without CB_START_RETRY: $(grep '^cb-ddp ' "$log")"
[[ $(grep -c '^cb-ddp .*retry=' "$log") == 1 ]] || fail "CB_START_RETRY set on more than the retry"

# The gate decides: failed (1) or could not judge (2) is a FAIL, exit 1.
CB_STUB_GATE=1 validate_run 65 1 --level quick
grep -q 'the gate failed' "$tmp/out" || fail "gate failure not reported"
CB_STUB_GATE=2 validate_run 66 1 --level quick
grep -q 'the gate could not judge (exit 2)' "$tmp/out" || fail "gate bad input not reported"

# A GPU profile's scripts on a node without a working GPU (this machine, when
# the NVIDIA driver sees none): the stub srun runs the real programs once, and
# every step ends with exit 3 saying why; no row is written, least of all a
# host-memory one (--transport auto fell back to MPI on host memory, exit 0).
# The h100-cloud profile, on an interface this machine has (Open MPI's
# start-up binds to it).
# shellcheck source=../../scripts/gpu-detect.sh
. "$CB_SOURCE_DIR/scripts/gpu-detect.sh"
iface=$(ip route show default 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')
[[ -n $iface ]] || iface=$(find /sys/class/net -mindepth 1 -maxdepth 1 ! -name lo -printf '%f\n' | sort | head -n 1)
if [[ -n $(gpu_here) ]]; then
  echo "note: a GPU is here ($(gpu_here)): the GPU profile's no-GPU failure is not tried"
elif [[ -z $iface ]]; then
  fail "no network interface but lo here: cannot run the GPU profile's scripts"
else
  sed "s/^iface *=.*/iface = $iface/" "$CB_SOURCE_DIR/sbatch/profiles/h100-cloud.ini" >"$tmp/h100-here.ini"
  "$cb" sbatch --profile "$tmp/h100-here.ini" --out "$tmp/g" >/dev/null || fail "generate h100-cloud"
  real=$tmp/real
  mkdir -p "$real/build"
  ln -s "$CB_BIN" "$real/build/bin"
  id=70
  for s in allreduce p2p ddp gpu; do
    id=$((id + 1))
    rc=0
    PATH=$tmp/stubs:$PATH SLURM_JOB_ID=$id CB_HOME=$real timeout 120 bash "$tmp/g/$s.sh" >"$tmp/out" 2>&1 || rc=$?
    [[ $rc == 3 ]] || fail "h100-cloud $s.sh without a GPU: exit $rc, want 3: $(tail -n 3 "$tmp/out")"
    # (no CUDA device; or, in a build without NCCL/CUDA, no support for them)
    grep -qE "(transport nccl: (no CUDA device|this build has no NCCL support)|no CUDA device on .*--require-gpu makes this an error)" "$tmp/out" ||
      fail "h100-cloud $s.sh without a GPU does not say why: $(tail -n 3 "$tmp/out")"
    for csv in "$real/results/h100-cloud/$id/"*.csv; do
      [[ -e $csv ]] || continue
      "${CB_CSV_EXPECT:?}" "$csv" --where memory=host --rows 0 >/dev/null 2>&1 ||
        fail "h100-cloud $s.sh without a GPU wrote host-memory rows into $csv"
    done
  done
fi

finish "generated scripts run their steps"
