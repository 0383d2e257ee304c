# The transport tuner: its pure search, scores, verdict and overlay
# (common/tune.c, tune_overlay.c), and the overlay merged by the generator.
cb_add_test(NAME test_tune SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_tune.c)
cb_add_script_test(NAME test_tune_overlay_sbatch LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sbatch/test_tune_overlay.sh)
