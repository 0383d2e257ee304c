/* sbatch_validate: the body and options of validate.sh, the one-job
 * validation run (preflight, p2p, all-reduce, GPU, DDP, report, gate: PASS or
 * FAIL), on the shared step lines of sbatch_steps.c. */
#include <stdint.h>
#include <stdio.h>

#include "cb_sbatch.h"
#include "cb_size.h"
#include "sbatch_steps.h"
#include "sbatch_tune.h"
#include "sbatch_validate.h"

void sbatch_emit_validate_args(FILE *f, const cb_sbatch_kind_t *k, const cb_profile_t *p,
                               const cb_sbatch_plan_t *plan)
{
    (void)k;
    (void)plan;
    fprintf(f, "cb_level=standard\n"
               "cb_usage() {\n"
               "  cat <<EOF\n"
               "usage: sbatch sbatch/$cb_script [--level quick|standard|long]\n"
               "\n"
               "One job that says PASS or FAIL for cluster profile $cb_profile, and why. In one\n"
               "allocation: preflight, point-to-point (all pairs), all-reduce, GPU, DDP, the\n"
               "report, then the acceptance gate (clusterbench gate, thresholds\n"
               "sbatch/profiles/$cb_profile.gate.ini). Every step writes into\n"
               "results/$cb_profile/<job id>/; a failing step is recorded and the rest still run.\n"
               "\n"
               "  --level quick     about a minute on a healthy cluster: the all-pairs matrix\n"
               "                    and an all-reduce at a few sizes, short GPU and DDP runs\n"
               "  --level standard  (default) what allreduce.sh, p2p.sh, gpu.sh and ddp.sh run,\n"
               "                    with the 1-node baselines\n"
               "  --level long      the same with 4x standard's time per size, larger GEMMs\n"
               "                    and more samples, and the DDP break-even search\n"

               "\n"
               "Exit: 0 PASS; 1 FAIL (the gate failed or could not judge, or a step failed);\n"
               "2 usage error. The last lines say which.\n"
               "EOF\n"
               "}\n"
               "while (($# > 0)); do\n"
               "  case $1 in\n"
               "    --level)\n"
               "      if (($# < 2)); then\n"
               "        echo \"$cb_script: --level needs quick, standard or long\" >&2\n"
               "        exit 2\n"
               "      fi\n"
               "      cb_level=$2\n"
               "      shift 2\n"
               "      ;;\n"
               "    --level=*)\n"
               "      cb_level=${1#--level=}\n"
               "      shift\n"
               "      ;;\n"
               "    -h | --help)\n"
               "      cb_usage\n"
               "      exit 0\n"
               "      ;;\n"
               "    *)\n"
               "      echo \"$cb_script: unknown option '$1' (--help lists them)\" >&2\n"
               "      exit 2\n"
               "      ;;\n"
               "  esac\n"
               "done\n"
               "case $cb_level in\n"
               "  quick | standard | long) ;;\n"
               "  *)\n"
               "    echo \"$cb_script: --level '$cb_level': want quick, standard or long\" >&2\n"
               "    exit 2\n"
               "    ;;\n"
               "esac\n");
    (void)p;
}

/* "-b 1K -e 64M -f 4" and the like */
static const char *size_text(uint64_t b, char *buf, size_t len)
{
    return cb_size_format(b, buf, len);
}

/* --step-ms: one T1 bare, several quoted */
static void step_ms_text(const cb_sbatch_level_plan_t *lp, char *buf, size_t len)
{
    const char *q = lp->ddp_nsteps > 1 ? "'" : "";
    size_t o = (size_t)snprintf(buf, len, "%s", q);
    for (int i = 0; i < lp->ddp_nsteps && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%g", i ? "," : "", lp->ddp_step_ms[i]);
    if (o < len)
        snprintf(buf + o, len - o, "%s", q);
}

/* One level's block of the `case $cb_level` (cb_sbatch_level_plan). */
static void emit_level(FILE *f, const cb_profile_t *p, const cb_sbatch_plan_t *plan,
                       cb_sbatch_level_t level)
{
    cb_sbatch_level_plan_t lp;
    cb_sbatch_level_plan(p, plan, level, &lp);
    char m[16], a1[16], a2[16], ms[64];
    size_text(lp.matrix_bytes, m, sizeof m);
    size_text(lp.ar_min_bytes, a1, sizeof a1);
    size_text(lp.ar_max_bytes, a2, sizeof a2);
    step_ms_text(&lp, ms, sizeof ms);
    fprintf(f, "  %s)\n"
               "    cb_cap=%ld\n"
               "    cb_tps=%g\n"
               "    cb_matrix=(-b %s -e %s -W %d --min-iters %d)\n"
               "    cb_ar=(-b %s -e %s -f %u",
            cb_sbatch_level_name(level), lp.cap_s, lp.tps_s, m, m, lp.matrix_window,
            lp.matrix_min_iters, a1, a2, lp.ar_factor);
    if (lp.ar_out_only)
        fprintf(f, " -p out");
    if (lp.ar_min_iters)
        fprintf(f, " --min-iters %d", lp.ar_min_iters);
    fprintf(f, ")\n"
               "    cb_gpu=(%s)\n"
               "    cb_ddp=(--step-ms %s%s",
            lp.gpu_args, ms, lp.ddp_sweep ? " --sweep" : "");
    if (lp.ddp_iters)
        fprintf(f, " --iters %d", lp.ddp_iters);
    fprintf(f, ")\n"
               "    cb_torch=(%s)\n"
               "    ;;\n",
            lp.torch_args);
}

void sbatch_emit_validate(FILE *f, const cb_sbatch_kind_t *k, const cb_profile_t *p,
                          const cb_sbatch_plan_t *plan)
{
    (void)k;
    long tpn = plan->tasks_per_node;
    cb_sbatch_level_plan_t quick;
    cb_sbatch_level_plan(p, plan, CB_SBATCH_QUICK, &quick);

    fprintf(f, "# What each level runs. Caps (--total-time, s) share half the job's time\n"
               "# limit among the steps; quick caps each at %ld s.\n", quick.cap_s);
    fprintf(f, "case $cb_level in\n");
    for (int l = 0; l < CB_SBATCH_NLEVELS; l++)
        emit_level(f, p, plan, (cb_sbatch_level_t)l);
    fprintf(f, "esac\n");
    sbatch_torch_vars(f);
    fprintf(f, "\n");

    fprintf(f, "# Each step's exit status and duration, in the order run.\n"
               "cb_steps=\"$cb_out/validate-steps.tsv\"\n"
               "printf 'step\\texit\\tseconds\\tnote\\n' >\"$cb_steps\"\n"
               "cb_failed=()\n"
               "cb_n=0\n"
               "# Lines in a file; 0 when it does not exist.\n"
               "cb_lines() {\n"
               "  if [[ -f $1 ]]; then wc -l <\"$1\"; else echo 0; fi\n"
               "}\n"
               "# cb_step NAME CSV COMMAND...: runs one step and records how it ended; a\n"
               "# failure does not end the job. A step that fails before writing a row of\n"
               "# CSV (\"-\": none expected) is run once more: Open MPI 4.1 has been seen to\n"
               "# crash while starting under srun; a real fault fails twice. The second run\n"
               "# has CB_START_RETRY set, which its environment rows record in the CSV.\n"
               "cb_step() {\n"
               "  local name=$1 csv=$2 rc=0 t0=$SECONDS before=0 note=\n"
               "  shift 2\n"
               "  cb_n=$((cb_n + 1))\n"
               "  echo \"== clusterbench validate: step $cb_n: $name ($cb_level)\"\n"
               "  if [[ $csv != - ]]; then before=$(cb_lines \"$csv\"); fi\n"
               "  cb_run \"$@\" || rc=$?\n"
               "  if ((rc != 0)) && [[ $csv != - ]] && (($(cb_lines \"$csv\") == before)); then\n"
               "    echo \"clusterbench validate: $name ended with exit $rc before writing a row; running it once more\" >&2\n"
               "    note=\"retried after exit $rc\"\n"
               "    rc=0\n"
               "    (export CB_START_RETRY=\"$note\" && cb_run \"$@\") || rc=$?\n"
               "  fi\n"
               "  printf '%%s\\t%%d\\t%%d\\t%%s\\n' \"$name\" \"$rc\" \"$((SECONDS - t0))\" \"$note\" >>\"$cb_steps\"\n"
               "  if ((rc != 0)); then\n"
               "    cb_failed+=(\"$name (exit $rc)\")\n"
               "    echo \"clusterbench validate: step $name FAILED (exit $rc); going on\" >&2\n"
               "  fi\n"
               "  return 0\n"
               "}\n\n");

    char placement[128];
    fprintf(f, "# 1. Preflight, one rank per node (exit 1: a check failed; its rows say which).\n");
    sbatch_preflight_srun(f, p, "cb_step preflight \"$cb_out/preflight.csv\" ", "$cb_out/preflight.csv");
    fprintf(f, "\n\n");

    fprintf(f, "# 2. Point-to-point, one rank per node.\n");
    if (p->nodes == 1) {
        fprintf(f, "# One node: both ranks on it, at the matrix size (the node's local path).\n");
        sbatch_srun_line(f, "cb_step p2p \"$cb_out/p2p.csv\" ", "--nodes=1 --ntasks=2");
        fprintf(f, "  \"$cb_bin/cb-p2p\" --mode bw \"${cb_matrix[@]}\" --time-per-size \"$cb_tps\" \\\n"
                   "  --cluster \"$cb_profile\" --transport %s --total-time \"$cb_cap\" -o \"$cb_out/p2p.csv\"\n\n",
                plan->transport);
    } else {
        fprintf(f, "# Not quick: the latency/bandwidth sweep between the first two nodes.\n"
                   "if [[ $cb_level != quick ]]; then\n");
        const char *modes = "";
        if (sbatch_tune_splits_latency(p)) {
            /* as p2p.sh: latency with its own settings, then bandwidth */
            sbatch_emit_p2p_env(f, p, plan->base_env ? plan->base_env : "",
                                "  cb_step p2p-latency \"$cb_out/p2p.csv\" ");
            sbatch_srun_line(f, "    ", "--nodes=2 --ntasks=2 --ntasks-per-node=1");
            fprintf(f, "    \"$cb_bin/cb-p2p\" -b %s -e %s -f %u --mode latency --time-per-size \"$cb_tps\" \\\n"
                       "    --cluster \"$cb_profile\" --transport %s --total-time \"$cb_cap\" -o \"$cb_out/p2p.csv\"\n",
                    plan->min_size, plan->max_size, plan->sweep.factor, plan->transport);
            modes = " --mode bw,bibw";
        }
        sbatch_srun_line(f, "  cb_step p2p-sweep \"$cb_out/p2p.csv\" ", "--nodes=2 --ntasks=2 --ntasks-per-node=1");
        fprintf(f, "    \"$cb_bin/cb-p2p\" -b %s -e %s -f %u%s --time-per-size \"$cb_tps\" \\\n"
                   "    --cluster \"$cb_profile\" --transport %s --total-time \"$cb_cap\" -o \"$cb_out/p2p.csv\"\n"
                   "fi\n",
                plan->min_size, plan->max_size, plan->sweep.factor, modes, plan->transport);
        fprintf(f, "# Every pair of the %ld nodes in both directions, at one size: a slow link or\n"
                   "# NIC stands out (the gate's p2p_spread names its node).\n",
                p->nodes);
        sbatch_all_pairs_comment(f, p, "");
        sbatch_srun_line(f, "cb_step p2p-all-pairs \"$cb_out/p2p.csv\" ",
                       "--nodes=%ld --ntasks=%ld --ntasks-per-node=1", p->nodes, p->nodes);
        fprintf(f, "  \"$cb_bin/cb-p2p\" --all-pairs%s --mode bw \"${cb_matrix[@]}\" --time-per-size \"$cb_tps\" \\\n"
                   "  --cluster \"$cb_profile\" --transport %s --total-time \"$cb_cap\" -o \"$cb_out/p2p.csv\"\n\n",
                sbatch_all_pairs_flags(p), plan->transport);
    }

    fprintf(f, "# 3. All-reduce: not quick, the single-node baseline first (%ld %s on one\n"
               "# node); then every node, %ld x %ld = %ld %s.\n",
            tpn, sbatch_plural(tpn, "rank", "ranks"), p->nodes, tpn, p->nodes * tpn,
            sbatch_plural(p->nodes * tpn, "rank", "ranks"));
    if (p->nodes > 1) {
        fprintf(f, "if [[ $cb_level != quick ]]; then\n");
        sbatch_srun_line(f, "  cb_step allreduce-1node \"$cb_out/allreduce.csv\" ", "--nodes=1 --ntasks=%ld", tpn);
        fprintf(f, "    \"$cb_bin/cb-allreduce\" \"${cb_ar[@]}\" --time-per-size \"$cb_tps\" --check \\\n"
                   "    --cluster \"$cb_profile\" --transport %s --total-time \"$cb_cap\" -o \"$cb_out/allreduce.csv\"\n"
                   "fi\n",
                plan->transport);
    }
    snprintf(placement, sizeof placement, "--nodes=%ld --ntasks=%ld --ntasks-per-node=%ld", p->nodes,
             p->nodes * tpn, tpn);
    sbatch_srun_line(f, "cb_step allreduce \"$cb_out/allreduce.csv\" ", "%s", placement);
    fprintf(f, "  \"$cb_bin/cb-allreduce\" \"${cb_ar[@]}\" --time-per-size \"$cb_tps\" --check \\\n"
               "  --cluster \"$cb_profile\" --transport %s --total-time \"$cb_cap\" -o \"$cb_out/allreduce.csv\"\n\n",
            plan->transport);

    if (p->gpus_per_node > 0)
        fprintf(f, "# 4. Every GPU against its spec sheet, one rank per GPU (--require-gpu: a node\n"
                   "# without a CUDA device fails the step).\n");
    else
        fprintf(f, "# 4. GPU: a CPU-only profile, so each node records a skipped row (no CUDA device).\n");
    sbatch_gpu_srun(f, p, "cb_step gpu \"$cb_out/gpu.csv\" ", " \"${cb_gpu[@]}\"", "$cb_out/gpu.csv");
    fprintf(f, "\n");

    fprintf(f, "# 5. The synthetic DDP step (100 MiB of gradients) on every rank, measured against\n"
               "# the break-even model fed by all-reduces cb-ddp times itself.%s\n",
            p->gpus_per_node > 0 ? "" : " No GPU: compute\n# is EMULATED by timed waits (rows say so).");
    sbatch_srun_line(f, "cb_step ddp \"$cb_out/ddp.csv\" ", "%s", placement);
    fprintf(f, "  \"$cb_bin/cb-ddp\" --grad-bytes 100M \"${cb_ddp[@]}\" --cluster \"$cb_profile\" \\\n"
               "  --transport %s --total-time \"$cb_cap\" -o \"$cb_out/ddp.csv\"\n\n",
            plan->transport);

    fprintf(f, "# 6. Not quick: real PyTorch DDP (cb-ddp-torch), the model's ground truth, where\n"
               "# torch imports on every node.%s\n"
               "if [[ $cb_level != quick ]]; then\n",
            p->gpus_per_node > 0 ? " GPU: resnet50 on synthetic data, NCCL."
                                 : " No GPU: compute is EMULATED by timed waits.");
    sbatch_torch(f, p, plan, "  ", "cb_step ddp-torch \"$cb_torch_csv\" ", "\"${cb_torch[@]}\"",
               "\"$cb_cap\"", "validate");
    fprintf(f, "fi\n\n");

    fprintf(f, "# 7. The report: tables and plots against the single-node runs.\n"
               "cb_step report - \"$cb_bin/clusterbench\" report -q \"$cb_out\" -o \"$cb_out/report\"\n\n");

    fprintf(f, "# 8. The acceptance gate: every check of sbatch/profiles/$cb_profile.gate.ini\n"
               "# against this job's rows; JUnit XML for CI and the Prometheus text format for\n"
               "# node_exporter's textfile collector beside the CSV.\n"
               "echo \"== clusterbench validate: gate\"\n"
               "cb_gate=0\n"
               "cb_t0=$SECONDS\n"
               "cb_run \"$cb_bin/clusterbench\" gate --profile \"$cb_profile\" --junit \"$cb_out/gate-junit.xml\" \\\n"
               "  --prometheus \"$cb_out/gate.prom\" \"$cb_out\" || cb_gate=$?\n"
               "printf 'gate\\t%%d\\t%%d\\t\\n' \"$cb_gate\" \"$((SECONDS - cb_t0))\" >>\"$cb_steps\"\n\n");

    fprintf(f, "# The verdict: PASS only when every step ran cleanly and the gate passed.\n"
               "cb_rc=0\n"
               "if ((${#cb_failed[@]} > 0)); then\n"
               "  cb_rc=1\n"
               "  echo \"clusterbench validate: steps that failed: ${cb_failed[*]}\"\n"
               "fi\n"
               "case $cb_gate in\n"
               "  0) ;;\n"
               "  1)\n"
               "    cb_rc=1\n"
               "    echo \"clusterbench validate: the gate failed (the [ FAIL ] lines above say which check and node)\"\n"
               "    ;;\n"
               "  *)\n"
               "    cb_rc=1\n"
               "    echo \"clusterbench validate: the gate could not judge (exit $cb_gate): missing rows or thresholds\"\n"
               "    ;;\n"
               "esac\n"
               "if ((cb_rc == 0)); then\n"
               "  echo \"clusterbench validate: PASS (level $cb_level, $cb_n steps and the gate, profile $cb_profile, job $SLURM_JOB_ID)\"\n"
               "else\n"
               "  echo \"clusterbench validate: FAIL (level $cb_level, profile $cb_profile, job $SLURM_JOB_ID)\"\n"
               "fi\n");
}
