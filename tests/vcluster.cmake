# Virtual cluster smoke test (scripts/vcluster): real slurmctld/slurmd/munged in network
# namespaces; skips (77) when not root or namespaces are unavailable.
cb_add_script_test(NAME test_vcluster_smoke
  COMMAND ${CMAKE_SOURCE_DIR}/tests/slurm/test_vcluster_smoke.sh
  LABELS slurm)
