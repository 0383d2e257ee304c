/* cb-ddp: thin main over the DDP step benchmark (see ddp.c). */
#include "ddp_bench.h"

int main(int argc, char **argv)
{
    return cb_ddp_bench_main(argc, argv);
}
