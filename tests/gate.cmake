# The acceptance gate: gate/ (libcbgate) (cmocka, on the fixtures in
# tests/data/gate/) and `clusterbench gate` (golden stdout, bad thresholds,
# JUnit XML, Prometheus textfile). The script tests run the built clusterbench
# command: build it (the default target) before ctest.
cb_add_test(NAME test_gate SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gate.c LIBS cbgate)
cb_add_script_test(NAME test_gate_golden LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/gate/test_golden.sh)
cb_add_script_test(NAME test_gate_bad LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/gate/test_bad.sh)
cb_add_script_test(NAME test_gate_junit LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/gate/test_junit.sh)
cb_add_script_test(NAME test_gate_prometheus LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/gate/test_prometheus.sh)
# 300-node synthetic all-pairs results (tests/tools/gen_results.py) in 300 files.
cb_add_script_test(NAME test_gate_scale LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/gate/test_scale.sh)
set_tests_properties(test_gate_scale PROPERTIES TIMEOUT 300)
# cb-p2p --all-pairs --reference rows: p2p_bw/p2p_spread judge the rounds'
# op=bw rows only, the optional p2p_rounds check (passes, fails naming the
# round, not measured without round rows).
cb_add_script_test(NAME test_gate_rounds LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/gate/test_rounds.sh)
