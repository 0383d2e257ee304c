# cb-gpu (bench/gpu*.c), the GPU spec table (common/cb_gpuspec.h), the
# slow-node check (common/cb_spread.h) and the kernels of kernels/*.cu.
cb_add_test(NAME test_gpuspec SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gpuspec.c)
cb_add_test(NAME test_spread SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_spread.c)
cb_add_test(NAME test_gpu_options SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gpu_options.c LIBS cbgpu)
cb_add_test(NAME test_gpu_report SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gpu_report.c LIBS cbgpu)
# Bandwidth accounting, launch geometry, NCCL dtypes, device by rank: pure.
cb_add_test(NAME test_gpu_accounting SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gpu_accounting.c LIBS cbgpu)
# The real cb-gpu with no CUDA device (hidden by CUDA_VISIBLE_DEVICES): runs everywhere.
cb_add_script_test(NAME test_gpu_nodevice
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/gpu/test_gpu_nodevice.sh LABELS unit)
set_property(TEST test_gpu_nodevice APPEND PROPERTY ENVIRONMENT
  "CB_CSV_EXPECT=${CMAKE_BINARY_DIR}/tests/cb_csv_expect")
# The rules of the GPU tests (tests/gpu/gpu_lib.sh): skip only without a GPU;
# with one, a build lacking CUDA/NCCL or an unusable device fails. And the
# sanity range of measured figures against the spec table, on recorded rows.
cb_add_script_test(NAME test_gpu_lib COMMAND ${CMAKE_CURRENT_LIST_DIR}/gpu/test_gpu_lib.sh LABELS unit)
set_property(TEST test_gpu_lib APPEND PROPERTY ENVIRONMENT
  "CB_CSV_EXPECT=${CMAKE_BINARY_DIR}/tests/cb_csv_expect")
# On a GPU (label gpu; exit 77 without one, failing where a GPU is present but
# unusable or the build lacks CUDA). A build without CUDA registers a stand-in
# for test_gpu_kernels, so that it shows in ctest's summary.
if(CB_HAVE_CUDA)
  cb_add_test(NAME test_gpu_kernels SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gpu_kernels.c
              LIBS cbgpu LABELS gpu)
else()
  cb_add_script_test(NAME test_gpu_kernels LABELS gpu
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/gpu/test_gpu_unbuilt.sh cuda test_gpu_kernels)
endif()
cb_add_script_test(NAME test_gpu_bench COMMAND ${CMAKE_CURRENT_LIST_DIR}/gpu/test_gpu_bench.sh
  LABELS gpu)
set_property(TEST test_gpu_bench APPEND PROPERTY ENVIRONMENT
  "CB_CSV_EXPECT=${CMAKE_BINARY_DIR}/tests/cb_csv_expect")
set_tests_properties(test_gpu_bench PROPERTIES TIMEOUT 600)
