/* cb-allreduce: thin main over the benchmark library (see allreduce.c). */
#include "cb_bench.h"

int main(int argc, char **argv)
{
    return cb_allreduce_main(argc, argv);
}
