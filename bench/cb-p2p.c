/* cb-p2p: thin main over the benchmark library (see p2p.c). */
#include "cb_bench.h"

int main(int argc, char **argv)
{
    return cb_p2p_main(argc, argv);
}
