# Virtual cluster smoke test (scripts/vcluster): real slurmctld/slurmd/munged in network
# namespaces; skips (77) when not root or namespaces are unavailable.
cb_add_script_test(NAME test_vcluster_smoke
  COMMAND ${CMAKE_SOURCE_DIR}/tests/slurm/test_vcluster_smoke.sh
  LABELS slurm)
# The generated sbatch scripts submitted for real on 2 and 3 virtual nodes.
cb_add_script_test(NAME test_vcluster_jobs
  COMMAND ${CMAKE_SOURCE_DIR}/tests/slurm/test_vcluster_jobs.sh
  LABELS slurm)
set_property(TEST test_vcluster_jobs APPEND PROPERTY ENVIRONMENT "CB_CSV_EXPECT=${CMAKE_BINARY_DIR}/tests/cb_csv_expect")
set_tests_properties(test_vcluster_jobs PROPERTIES TIMEOUT 900)
# The validation run (sbatch/validate.sh --level quick) on 3 virtual nodes:
# PASS when healthy, FAIL naming node2 once its link is shaped to 100 Mbit/s.
cb_add_script_test(NAME test_vcluster_validate
  COMMAND ${CMAKE_SOURCE_DIR}/tests/slurm/test_vcluster_validate.sh
  LABELS slurm)
set_tests_properties(test_vcluster_validate PROPERTIES TIMEOUT 600)
# ddp.sh on 3 virtual nodes with its real-PyTorch-DDP step (cb-ddp-torch across
# the nodes over gloo); the report and breakeven calibrated by it.
cb_add_script_test(NAME test_vcluster_ddp_torch
  COMMAND ${CMAKE_SOURCE_DIR}/tests/slurm/test_vcluster_ddp_torch.sh
  LABELS slurm torch)
set_property(TEST test_vcluster_ddp_torch APPEND PROPERTY ENVIRONMENT "CB_CSV_EXPECT=${CMAKE_BINARY_DIR}/tests/cb_csv_expect")
set_tests_properties(test_vcluster_ddp_torch PROPERTIES TIMEOUT 600)
# Every test above labelled slurm (vcluster.cmake is included last) has its own
# network in tests/slurm/vc_test_lib.sh's table.
get_property(_all_tests DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} PROPERTY TESTS)
set(_vc_tests)
foreach(t ${_all_tests})
  get_test_property(${t} LABELS _labels)
  if("slurm" IN_LIST _labels)
    list(APPEND _vc_tests ${t})
  endif()
endforeach()
cb_add_script_test(NAME test_vcluster_nets LABELS unit
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/slurm/test_vc_nets.sh ${_vc_tests})
