# Fault tests (label faults): killed ranks, hangs, corrupted data, a results
# file that cannot grow — each ends quickly with the measured data intact.
foreach(kind kill hang corrupt full)
  cb_add_script_test(NAME test_faults_${kind}
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/faults/test_faults_local.sh ${kind} LABELS faults)
  set_property(TEST test_faults_${kind} APPEND PROPERTY ENVIRONMENT
    "CB_CSV_EXPECT=${CMAKE_BINARY_DIR}/tests/cb_csv_expect")
  set_tests_properties(test_faults_${kind} PROPERTIES TIMEOUT 180)
endforeach()
# Network faults on a private virtual cluster (scripts/vcluster), as Slurm jobs:
# node2's link down mid-sweep (the job ends, rows intact), node2's link slowed
# to 100 Mbit/s mid-matrix (the job completes, the gate names node2).
foreach(mode linkdown degrade)
  cb_add_script_test(NAME test_faults_vcluster_${mode}
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/faults/test_faults_vcluster.sh ${mode} LABELS faults slurm)
  set_property(TEST test_faults_vcluster_${mode} APPEND PROPERTY ENVIRONMENT
    "CB_CSV_EXPECT=${CMAKE_BINARY_DIR}/tests/cb_csv_expect")
  set_tests_properties(test_faults_vcluster_${mode} PROPERTIES TIMEOUT 300)
endforeach()
# The programs on the same skeleton (bench/cb_prog.h): one rank of cb-gpu
# (CPU-only), cb-ddp or cb-preflight stops in the middle of a point -> the
# watchdog ends the job, the point marked timeout once.
foreach(prog gpu ddp preflight)
  cb_add_script_test(NAME test_faults_stop_${prog}
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/faults/test_faults_stop.sh ${prog} LABELS faults)
  set_property(TEST test_faults_stop_${prog} APPEND PROPERTY ENVIRONMENT
    "CB_CSV_EXPECT=${CMAKE_BINARY_DIR}/tests/cb_csv_expect")
  set_tests_properties(test_faults_stop_${prog} PROPERTIES TIMEOUT 180)
endforeach()
