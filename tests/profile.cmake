# Cluster profiles (common/profile.c) and the sbatch generator
# (sbatch/, `clusterbench sbatch`). The script tests run the built
# clusterbench command: build it (the default target) before ctest.
cb_add_test(NAME test_profile_load
            SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_profile_load.c LIBS cbsbatch)
cb_add_test(NAME test_profile_sbatch
            SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_profile_sbatch.c LIBS cbsbatch)
cb_add_test(NAME test_sbatch_estimate
            SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_sbatch_estimate.c LIBS cbsbatch)
cb_add_script_test(NAME test_profile_sbatch_golden LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sbatch/test_golden.sh)
cb_add_script_test(NAME test_profile_sbatch_bad LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sbatch/test_bad.sh)
cb_add_script_test(NAME test_profile_sbatch_shellcheck LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sbatch/test_shellcheck.sh)
cb_add_script_test(NAME test_profile_sbatch_run LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sbatch/test_run.sh)
set_property(TEST test_profile_sbatch_run APPEND PROPERTY ENVIRONMENT
  "CB_CSV_EXPECT=${CMAKE_BINARY_DIR}/tests/cb_csv_expect")
