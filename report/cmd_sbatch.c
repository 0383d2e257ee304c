/* PLACEHOLDER being replaced by the helper that implements 'clusterbench sbatch'. */
#include <stdio.h>
#include "cb_cli.h"
int cb_cli_sbatch(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "clusterbench sbatch: not built yet\n");
    return 3;
}
