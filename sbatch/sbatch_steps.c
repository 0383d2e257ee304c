/* sbatch_steps: the step lines the scripts share (srun with the common
 * flags, cb-gpu, cb-preflight, the real-DDP step), used by sbatch_emit.c's
 * kinds and by validate.sh (sbatch_validate.c). A leaf: it calls nothing of
 * the other generator files. */
#include <stdarg.h>
#include <stdio.h>

#include "cb_sbatch.h"
#include "sbatch_steps.h"

const char *sbatch_plural(long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* The srun line every step starts with: LEAD ("cb_run ", or validate.sh's
 * cb_step call), srun with the flags all steps share, the placement
 * (printf-style), and a line continuation: the caller writes the program. */
void sbatch_srun_line(FILE *f, const char *lead, const char *fmt, ...)
{
    fprintf(f, "%ssrun --mpi=pmix --kill-on-bad-exit=1 ", lead);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputs(" \\\n", f);
}

/* Real PyTorch DDP (cb-ddp-torch) where torch imports on every node: first
 * --check-torch on one rank per node (a node without torch writes a skipped
 * row and fails the check, which skips the step), then the probe: emulated
 * compute on CPU-only profiles, real compute (resnet50) with NCCL on GPU
 * profiles. `run_lead` starts the probe's line (cb_run, or validate.sh's
 * cb_step); args is the probe's arguments before --cluster. */
void sbatch_torch(FILE *f, const cb_profile_t *p, const cb_sbatch_plan_t *plan,
                  const char *indent, const char *run_lead, const char *args, const char *cap,
                  const char *skip_what)
{
    long tpn = plan->tasks_per_node;
    fprintf(f, "%sif srun --mpi=pmix --nodes=%ld --ntasks-per-node=1 \\\n"
               "%s  \"$cb_py\" \"$cb_bin/cb-ddp-torch\" --check-torch --cluster \"$cb_profile\" "
               "-o \"$cb_torch_csv\"; then\n",
            indent, p->nodes, indent);
    char lead[128];
    snprintf(lead, sizeof lead, "%s  %s", indent, run_lead);
    sbatch_srun_line(f, lead, "--nodes=%ld --ntasks=%ld --ntasks-per-node=%ld", p->nodes,
                   p->nodes * tpn, tpn);
    fprintf(f, "%s    \"$cb_py\" \"$cb_bin/cb-ddp-torch\" %s --iface '%s' \\\n"
               "%s    --cluster \"$cb_profile\" --total-time %s -o \"$cb_torch_csv\"\n"
               "%selse\n"
               "%s  echo \"clusterbench %s: torch does not import with $cb_py on every node: the "
               "real-DDP step is skipped ($cb_torch_csv says where; CB_PYTHON picks another "
               "interpreter)\"\n"
               "%sfi\n",
            indent, args, p->iface, indent, cap, indent, indent, skip_what, indent);
}

/* The interpreter and CSV of the real-DDP step. */
void sbatch_torch_vars(FILE *f)
{
    fprintf(f, "# Real PyTorch DDP runs on Debian's python3-torch, which belongs to /usr/bin/python3;\n"
               "# CB_PYTHON picks another interpreter (a venv's, conda's).\n"
               "cb_py=\"${CB_PYTHON:-/usr/bin/python3}\"\n"
               "cb_torch_csv=\"$cb_out/ddp-torch.csv\"\n");
}

const char *sbatch_all_pairs_flags(const cb_profile_t *p)
{
    return p->all_pairs_sequential ? " --sequential" : p->round_reference ? " --reference" : "";
}

const char *sbatch_all_pairs_mode(const cb_profile_t *p)
{
    return p->all_pairs_sequential ? "sequential"
           : p->round_reference    ? "in rounds, every direction alone first"
                                   : "in rounds";
}

void sbatch_all_pairs_comment(FILE *f, const cb_profile_t *p, const char *indent)
{
    if (p->all_pairs_sequential)
        fprintf(f, "%s# all_pairs = sequential (profile): one direction after another, not in\n"
                   "%s# rounds of disjoint pairs (a switch that is not non-blocking).\n",
                indent, indent);
    else if (p->round_reference)
        fprintf(f, "%s# round_reference = yes (profile): every direction alone first (op=bw_alone\n"
                   "%s# rows), then the rounds, each against its pairs alone (op=round rows; the\n"
                   "%s# gate's p2p_rounds).\n",
                indent, indent, indent);
}

static long gpu_ranks_per_node(const cb_profile_t *p)
{
    return p->gpus_per_node > 0 ? p->gpus_per_node : 1;
}

void sbatch_gpu_srun(FILE *f, const cb_profile_t *p, const char *lead, const char *args,
                     const char *csv)
{
    long g = gpu_ranks_per_node(p);
    sbatch_srun_line(f, lead, "--nodes=%ld --ntasks=%ld --ntasks-per-node=%ld", p->nodes, p->nodes * g,
                   g);
    fprintf(f, "  \"$cb_bin/cb-gpu\"%s --cluster \"$cb_profile\"%s -o \"%s\"\n", args,
            p->gpus_per_node > 0 ? " --require-gpu" : "", csv);
}

void sbatch_preflight_srun(FILE *f, const cb_profile_t *p, const char *lead, const char *csv)
{
    sbatch_srun_line(f, lead, "--nodes=%ld --ntasks=%ld --ntasks-per-node=1", p->nodes, p->nodes);
    fprintf(f, "  \"$cb_bin/cb-preflight\" --profile \"$cb_profile\" --results-dir \"$CB_HOME/results\" \\\n"
               "  -o \"%s\"",
            csv);
}
