/* PLACEHOLDER being replaced by the helper that implements 'clusterbench breakeven'. */
#include <stdio.h>
#include "cb_cli.h"
int cb_cli_breakeven(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "clusterbench breakeven: not built yet\n");
    return 3;
}
