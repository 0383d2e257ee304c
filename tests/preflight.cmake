# cb-preflight: the pure verdicts (common/preflight.c) against fake facts, the
# readers of real facts against fake trees (tests/data/preflight/), and the
# real program alone (unit) and under mpirun -np 2 (mpi). The 3-node run on a
# virtual cluster is test_preflight_vcluster (slurm; skips without root), below.
cb_add_test(NAME test_preflight_verdicts SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_preflight_verdicts.c)
cb_add_test(NAME test_preflight_facts SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_preflight_facts.c
            LIBS cbpreflight)
cb_add_script_test(NAME test_preflight_single
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/preflight/test_preflight_run.sh single LABELS unit)
cb_add_script_test(NAME test_preflight_mpi
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/preflight/test_preflight_run.sh mpi LABELS mpi)
foreach(t test_preflight_single test_preflight_mpi)
  set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT
    "CB_CSV_EXPECT=${CMAKE_BINARY_DIR}/tests/cb_csv_expect")
  set_tests_properties(${t} PROPERTIES TIMEOUT 300)
endforeach()
# 3 virtual nodes (scripts/vcluster), srun --mpi=pmix one task per node.
cb_add_script_test(NAME test_preflight_vcluster
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/preflight/test_preflight_vcluster.sh LABELS slurm)
set_property(TEST test_preflight_vcluster APPEND PROPERTY ENVIRONMENT
  "CB_CSV_EXPECT=${CMAKE_BINARY_DIR}/tests/cb_csv_expect")
set_tests_properties(test_preflight_vcluster PROPERTIES TIMEOUT 600)
