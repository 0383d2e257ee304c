/* `clusterbench`: thin front over the report library; dispatches to the
 * sub-command named by argv[1] through a const table. */
#include <stdio.h>
#include <string.h>

#include "cb_cli.h"

typedef struct cb_subcommand {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} cb_subcommand_t;

static const cb_subcommand_t subcommands[] = {
    {"sbatch", "generate sbatch scripts from a cluster profile", cb_cli_sbatch},
    {"breakeven", "DDP break-even model from measured all-reduce CSV", cb_cli_breakeven},
    {"gate", "acceptance gate: results CSV against thresholds, PASS or FAIL", cb_cli_gate},
    {"report", "report (Markdown, HTML with plots, summary CSV) from results CSV", cb_cli_report},
    {"tune", "search transport settings on the nodes; winners into the profile's overlay", cb_cli_tune},
    {"gpu-table", "the table of a scripts/gpu-check run: each GPU path and its figures", cb_cli_gpucheck},
};
#define N_SUBCOMMANDS (sizeof subcommands / sizeof subcommands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: clusterbench <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < N_SUBCOMMANDS; i++)
        fprintf(f, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(f, "\n'clusterbench <command> --help' describes each command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < N_SUBCOMMANDS; i++)
        if (!strcmp(argv[1], subcommands[i].name))
            return subcommands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "clusterbench: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
