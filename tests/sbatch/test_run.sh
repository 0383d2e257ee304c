#!/bin/bash
# Runs the default profile's generated scripts without Slurm: a stub srun on
# PATH runs stub cb-allreduce/cb-p2p that log their arguments and environment.
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
mkdir -p "$home/build/bin"
for b in cb-allreduce cb-p2p; do
  cat >"$home/build/bin/$b" <<'STUB'
#!/bin/bash
echo "$(basename "$0") $* | ifname=${NCCL_SOCKET_IFNAME:-} btl=${OMPI_MCA_btl:-} root=${OMPI_ALLOW_RUN_AS_ROOT:-}" >>"$CB_STUB_LOG"
while (($#)); do
  if [[ $1 == -o ]]; then echo "row from $(basename "$0")" >>"$2"; fi
  shift
done
STUB
done
chmod +x "$tmp/stubs/srun" "$home/build/bin"/*
export CB_STUB_LOG=$log
root=
if [[ $(id -u) == 0 ]]; then root=1; fi

# allreduce.sh, repository found through CB_HOME
: >"$log"
PATH=$tmp/stubs:$PATH SLURM_JOB_ID=42 SLURM_JOB_NODELIST='node[0-2]' CB_HOME=$home \
  bash "$tmp/s/allreduce.sh" >"$tmp/out" 2>&1 || fail "allreduce.sh failed: $(cat "$tmp/out")"
csv=$home/results/vcluster/42/allreduce.csv
[[ $(grep -c '^srun ' "$log") == 2 ]] || fail "allreduce: want 2 srun steps: $(cat "$log")"
sed -n 1p "$log" | grep -qx 'srun --mpi=pmix --kill-on-bad-exit=1 --nodes=1 --ntasks=1 .*' ||
  fail "allreduce: first step is not the 1-node baseline: $(sed -n 1p "$log")"
grep -q '^srun --mpi=pmix --kill-on-bad-exit=1 --nodes=3 --ntasks=3 --ntasks-per-node=1 ' "$log" ||
  fail "allreduce: no 3-node step: $(cat "$log")"
want="cb-allreduce -b 1K -e 64M -f 4 --check --cluster vcluster --transport mpi --total-time 450 -o $csv | ifname=eth0 btl=self,vader,tcp root=$root"
[[ $(grep -cxF -- "$want" "$log") == 2 ]] || fail "allreduce: want twice '$want' in: $(cat "$log")"
[[ $(wc -l <"$csv") == 2 ]] || fail "allreduce: both steps append to $csv"
grep -q '^NCCL_SOCKET_IFNAME=eth0$' "$home/results/vcluster/42/allreduce-env.txt" ||
  fail "allreduce: no transport env file"
grep -q '^+ srun --mpi=pmix --kill-on-bad-exit=1 --nodes=3' "$tmp/out" || fail "allreduce: does not print what it runs"
tail -n 1 "$tmp/out" | grep -qF "results in $csv" || fail "allreduce: last line is not the CSV path"

# p2p.sh, repository found through SLURM_SUBMIT_DIR
: >"$log"
(cd "$tmp" && env -u CB_HOME PATH="$tmp/stubs:$PATH" SLURM_JOB_ID=43 SLURM_SUBMIT_DIR="$home" \
  bash "$tmp/s/p2p.sh") >"$tmp/out" 2>&1 || fail "p2p.sh failed: $(cat "$tmp/out")"
csv=$home/results/vcluster/43/p2p.csv
[[ $(grep -c '^srun ' "$log") == 2 ]] || fail "p2p: want 2 srun steps: $(cat "$log")"
grep -q '^srun --mpi=pmix --kill-on-bad-exit=1 --nodes=2 --ntasks=2 --ntasks-per-node=1 ' "$log" || fail "p2p: no pair step: $(cat "$log")"
grep -q '^srun --mpi=pmix --kill-on-bad-exit=1 --nodes=3 --ntasks=3 --ntasks-per-node=1 ' "$log" || fail "p2p: no matrix step: $(cat "$log")"
want="cb-p2p -b 1K -e 64M -f 4 --cluster vcluster --transport mpi --total-time 450 -o $csv | ifname=eth0 btl=self,vader,tcp root=$root"
grep -qxF -- "$want" "$log" || fail "p2p: want '$want' in: $(cat "$log")"
want="cb-p2p --all-pairs --mode bw -b 16M -e 16M -W 8 --min-iters 3 --cluster vcluster --transport mpi --total-time 450 -o $csv | ifname=eth0 btl=self,vader,tcp root=$root"
grep -qxF -- "$want" "$log" || fail "p2p: want '$want' in: $(cat "$log")"
[[ -s $csv ]] || fail "p2p: no $csv"

# A failing step fails the job (set -e), with the step's exit status.
printf '#!/bin/bash\nexit 7\n' >"$home/build/bin/cb-p2p"
rc=0
PATH=$tmp/stubs:$PATH SLURM_JOB_ID=44 CB_HOME=$home bash "$tmp/s/p2p.sh" >/dev/null 2>&1 || rc=$?
[[ $rc == 7 ]] || fail "p2p with a failing step: exit $rc, want 7"

finish "generated scripts run their steps"
