# The reporter: `clusterbench report` (cli/cmd_report.c), its model and
# document (report/report_*.c) and SVG plots (report/svg*.c). The script tests
# run the built clusterbench command: build it (the default target) first.
cb_add_test(NAME test_report_svg SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_report_svg.c LIBS cbreport)
cb_add_test(NAME test_report_model SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_report_model.c
            LIBS cbreport)
cb_add_script_test(NAME test_report_golden LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/report/test_golden.sh)
cb_add_script_test(NAME test_report_hostile LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/report/test_hostile.sh)
cb_add_script_test(NAME test_report_bad LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/report/test_bad.sh)
cb_add_script_test(NAME test_report_browser LABELS browser
                   COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/report/test_browser.sh)
set_tests_properties(test_report_browser PROPERTIES TIMEOUT 180)
# scripts/gpu-check's table (`clusterbench gpu-table`) on recorded rows, and
# gpu-check itself on a machine without a GPU.
cb_add_script_test(NAME test_gpu_check LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/report/test_gpucheck.sh)
set_tests_properties(test_gpu_check PROPERTIES TIMEOUT 300)
# Synthetic all-pairs results of 64 and 300 nodes (tests/tools/gen_results.py):
# no node left out, slow node first, heat maps legible, the scaling curve.
cb_add_script_test(NAME test_report_scale LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/report/test_scale.sh)
set_tests_properties(test_report_scale PROPERTIES TIMEOUT 300)
# No fixed limits on inputs: report with 1100 paths, breakeven with 70 results
# paths and 70 node counts.
cb_add_script_test(NAME test_cli_many_inputs LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/report/test_many_inputs.sh)
# cb-p2p --all-pairs --reference rows: the matrix and heat map hold the rounds'
# op=bw rows only, never the directions alone (op=bw_alone).
cb_add_script_test(NAME test_report_p2p_reference LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/report/test_p2p_reference.sh)

# The "Transport tuning" section on a tune.csv (tests/data/report/tune).
cb_add_script_test(NAME test_report_tune LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/report/test_tune.sh)
