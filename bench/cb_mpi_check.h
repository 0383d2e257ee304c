/* CB_MPI_CHECK: log file:line and the MPI error text, return CB_ERR_MPI. */
#ifndef CB_MPI_CHECK_H
#define CB_MPI_CHECK_H

#include <mpi.h>

#include "cb_error.h"

#define CB_MPI_CHECK(call)                                                          \
    do {                                                                            \
        int cb_mpi_rc_ = (call);                                                    \
        if (cb_mpi_rc_ != MPI_SUCCESS) {                                            \
            char cb_mpi_msg_[MPI_MAX_ERROR_STRING];                                 \
            int cb_mpi_len_ = 0;                                                    \
            MPI_Error_string(cb_mpi_rc_, cb_mpi_msg_, &cb_mpi_len_);                \
            cb_log_error(__FILE__, __LINE__, "%s: %s", #call, cb_mpi_msg_);         \
            return CB_ERR_MPI;                                                      \
        }                                                                           \
    } while (0)

#endif
