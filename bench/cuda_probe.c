/* cb_cuda_device_count: how many CUDA devices this process can use, treating
 * "no driver" (cudaErrorInsufficientDriver) and "no device" as zero. */
#include <stdio.h>

#include "cb_transport.h"

#ifdef CB_HAVE_CUDA
#include <cuda_runtime.h>

int cb_cuda_device_count(char *why, size_t len)
{
    int n = 0;
    cudaError_t err = cudaGetDeviceCount(&n);
    if (err != cudaSuccess) {
        snprintf(why, len, "no CUDA device (%s)", cudaGetErrorString(err));
        cudaGetLastError(); /* clear the sticky-less error */
        return 0;
    }
    if (n == 0)
        snprintf(why, len, "no CUDA device");
    return n;
}
#else
int cb_cuda_device_count(char *why, size_t len)
{
    snprintf(why, len, "this build has no CUDA support");
    return 0;
}
#endif
