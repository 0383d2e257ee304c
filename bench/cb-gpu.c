/* cb-gpu: thin main over the GPU throughput program (see gpu_prog.c). */
#include "cb_gpu.h"

int main(int argc, char **argv)
{
    return cb_gpu_main(argc, argv);
}
