# shellcheck shell=bash
# measure-lib.sh: what the measurement scripts share (ddp-accuracy,
# scale-check, tune-check; sourced, not run): CPU priority over other work on
# this machine, and a finished job's run time.

# cb_priority_begin NAME: this shell, and all it starts from now on (the
# virtual cluster's daemons and the ranks they start), into a cgroup (v1 cpu
# controller) NAME-<pid> with the largest cpu.shares; other work still runs,
# slower. Sets cb_cg (empty when there is no such controller to write) and
# cb_priority_text, the line to print.
# shellcheck disable=SC2034 # cb_cg, cb_priority_text: read by the caller
cb_priority_begin() {
  cb_cg=/sys/fs/cgroup/cpu/$1-$$
  if [ -w /sys/fs/cgroup/cpu ] && mkdir "$cb_cg" 2>/dev/null; then
    echo 262144 >"$cb_cg/cpu.shares"
    echo $$ >"$cb_cg/tasks"
    cb_priority_text="CPU priority: cgroup $cb_cg (cpu.shares 262144)"
  else
    cb_cg=
    cb_priority_text="no cgroup v1 cpu controller to write: measuring without CPU priority"
  fi
}

# cb_priority_end: what is still in the cgroup back to the root group, and
# the cgroup removed (nothing when cb_priority_begin made none).
cb_priority_end() {
  [ -n "${cb_cg:-}" ] || return 0
  while read -r t; do echo "$t" >/sys/fs/cgroup/cpu/tasks 2>/dev/null; done <"$cb_cg/tasks"
  rmdir "$cb_cg" 2>/dev/null || true
}

# cb_job_runtime_s ID: Slurm's RunTime of job ID in seconds (empty when
# scontrol no longer knows it).
cb_job_runtime_s() {
  scontrol show job "$1" 2>/dev/null | tr ' ' '\n' | awk -F= '$1 == "RunTime" {
    n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s}'
}
