# Finds clusterbench's dependencies: inih, hwloc, cmocka (pkg-config), libcsv
# (no pkg-config file: header + library search), MPI, and optionally the CUDA
# toolkit (cudart, cuBLAS/cuBLASLt) and NCCL, honouring CUDA_HOME / NCCL_HOME.
find_package(PkgConfig REQUIRED)
pkg_check_modules(INIH REQUIRED IMPORTED_TARGET inih)
pkg_check_modules(HWLOC REQUIRED IMPORTED_TARGET hwloc)
pkg_check_modules(CMOCKA IMPORTED_TARGET cmocka)

find_path(LIBCSV_INCLUDE_DIR csv.h REQUIRED)
find_library(LIBCSV_LIBRARY NAMES csv REQUIRED)
add_library(cb::csv UNKNOWN IMPORTED)
set_target_properties(cb::csv PROPERTIES IMPORTED_LOCATION ${LIBCSV_LIBRARY}
                      INTERFACE_INCLUDE_DIRECTORIES ${LIBCSV_INCLUDE_DIR})

find_package(MPI COMPONENTS C)
find_package(Threads REQUIRED)

set(CB_HAVE_CUDA OFF)
set(CB_HAVE_NCCL OFF)
if(CB_WITH_CUDA)
  if(NOT DEFINED ENV{CUDA_HOME} AND EXISTS /usr/local/cuda)
    set(ENV{CUDA_HOME} /usr/local/cuda)
  endif()
  if(DEFINED ENV{CUDA_HOME})
    list(APPEND CMAKE_PREFIX_PATH $ENV{CUDA_HOME})
    if(NOT CMAKE_CUDA_COMPILER AND EXISTS $ENV{CUDA_HOME}/bin/nvcc)
      set(CMAKE_CUDA_COMPILER $ENV{CUDA_HOME}/bin/nvcc)
    endif()
    set(CUDAToolkit_ROOT $ENV{CUDA_HOME})
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    # Ampere, Ada, Hopper, Blackwell consumer; PTX of the newest for forward compatibility.
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 80-real 89-real 90-real 120)
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit)
    if(CUDAToolkit_FOUND)
      set(CB_HAVE_CUDA ON)
      set(_nccl_hints $ENV{NCCL_HOME} ${CUDAToolkit_LIBRARY_ROOT} $ENV{CUDA_HOME})
      find_path(NCCL_INCLUDE_DIR nccl.h HINTS ${_nccl_hints} ${CUDAToolkit_INCLUDE_DIRS}
                PATH_SUFFIXES include)
      find_library(NCCL_LIBRARY NAMES nccl HINTS ${_nccl_hints} ${CUDAToolkit_LIBRARY_DIR}
                   PATH_SUFFIXES lib lib64)
      if(NCCL_INCLUDE_DIR AND NCCL_LIBRARY AND MPI_C_FOUND)
        set(CB_HAVE_NCCL ON)
        add_library(cb::nccl UNKNOWN IMPORTED)
        set_target_properties(cb::nccl PROPERTIES IMPORTED_LOCATION ${NCCL_LIBRARY}
                              INTERFACE_INCLUDE_DIRECTORIES ${NCCL_INCLUDE_DIR})
      endif()
    endif()
  endif()
endif()
