# cb-ddp, the measured DDP step (bench/ddp*.c): unit tests of its pure
# helpers and options, and an MPI integration test (label mpi) on 2 local
# ranks with the CPU path (emulated compute).
cb_add_test(NAME test_ddp_bench_plan SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ddp_bench_plan.c
            LIBS cbddp)
cb_add_test(NAME test_ddp_bench_options SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ddp_bench_options.c
            LIBS cbddp)
add_executable(test_ddp_bench_check ${CMAKE_CURRENT_LIST_DIR}/test_ddp_bench_check.c)
target_link_libraries(test_ddp_bench_check PRIVATE cbcommon)
set_target_properties(test_ddp_bench_check PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
cb_add_script_test(NAME test_ddp_bench_mpi
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/mpi/test_ddp_bench.sh LABELS mpi)
set_property(TEST test_ddp_bench_mpi APPEND PROPERTY ENVIRONMENT
  "CB_CSV_EXPECT=${CMAKE_BINARY_DIR}/tests/cb_csv_expect"
  "CB_DDP_CHECK=${CMAKE_BINARY_DIR}/tests/test_ddp_bench_check")
set_tests_properties(test_ddp_bench_mpi PROPERTIES TIMEOUT 400)
# cb-ddp's GPU path (bench/ddp_gpu.c) on one GPU, and on two where there are
# two (label gpu; skips only without a GPU: tests/gpu/gpu_lib.sh).
cb_add_script_test(NAME test_ddp_gpu COMMAND ${CMAKE_CURRENT_LIST_DIR}/gpu/test_ddp_gpu.sh LABELS gpu)
set_property(TEST test_ddp_gpu APPEND PROPERTY ENVIRONMENT "CB_CSV_EXPECT=${CMAKE_BINARY_DIR}/tests/cb_csv_expect")
set_tests_properties(test_ddp_gpu PROPERTIES TIMEOUT 300)
