/* cb_cuda_device_count: how many CUDA devices this process can use, treating
 * "no driver" (cudaErrorInsufficientDriver) and "no device" as zero. */
#include <stdio.h>
#include <unistd.h>

#include "cb_transport.h"

#ifdef CB_HAVE_CUDA
#include <cuda_runtime.h>

int cb_cuda_device_count(char *why, size_t len)
{
    int n = 0;
    cudaError_t err = cudaGetDeviceCount(&n);
    if (err == cudaErrorInsufficientDriver && access("/proc/driver/nvidia/version", F_OK) != 0) {
        /* the runtime says "driver version is insufficient" also when there
         * is no driver at all: say which */
        snprintf(why, len, "no CUDA device (no NVIDIA driver loaded)");
        cudaGetLastError();
        return 0;
    }
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
