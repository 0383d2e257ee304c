# MPI integration tests (label mpi): real mpirun runs of the benchmarks on this
# machine, and their handling of bad input.
add_executable(cb_csv_expect ${CMAKE_CURRENT_LIST_DIR}/tools/cb_csv_expect.c)
target_link_libraries(cb_csv_expect PRIVATE cbcommon)
set_target_properties(cb_csv_expect PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
foreach(np 2 3)
  cb_add_script_test(NAME test_mpi_bench_np${np}
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/mpi/test_mpi_bench.sh ${np} LABELS mpi)
  set_property(TEST test_mpi_bench_np${np} APPEND PROPERTY ENVIRONMENT
    "CB_CSV_EXPECT=${CMAKE_BINARY_DIR}/tests/cb_csv_expect")
  set_tests_properties(test_mpi_bench_np${np} PROPERTIES TIMEOUT 300)
endforeach()
# cb-p2p --all-pairs with every rank a node (its own UTS namespace): every
# ordered pair once, in rounds and sequential, the mode recorded.
foreach(np 4 5)
  cb_add_script_test(NAME test_p2p_all_pairs_np${np}
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/mpi/test_p2p_all_pairs.sh ${np} LABELS mpi)
  set_property(TEST test_p2p_all_pairs_np${np} APPEND PROPERTY ENVIRONMENT
    "CB_CSV_EXPECT=${CMAKE_BINARY_DIR}/tests/cb_csv_expect")
  set_tests_properties(test_p2p_all_pairs_np${np} PROPERTIES TIMEOUT 600)
endforeach()
cb_add_script_test(NAME test_bench_bad_input
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/mpi/test_bench_bad_input.sh LABELS mpi)
# Reference loop for the harness-overhead measurement (not a test).
if(MPI_C_FOUND)
  add_executable(cb_bare_mpi ${CMAKE_CURRENT_LIST_DIR}/tools/cb_bare_mpi.c)
  target_link_libraries(cb_bare_mpi PRIVATE MPI::MPI_C)
  set_target_properties(cb_bare_mpi PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
endif()
# The NCCL transport on a real GPU (label gpu; skips without a CUDA device).
cb_add_script_test(NAME test_nccl_bench COMMAND ${CMAKE_CURRENT_LIST_DIR}/gpu/test_nccl_bench.sh LABELS gpu)
set_property(TEST test_nccl_bench APPEND PROPERTY ENVIRONMENT "CB_CSV_EXPECT=${CMAKE_BINARY_DIR}/tests/cb_csv_expect")
