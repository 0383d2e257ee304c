# Unit tests of common/ and of the benchmark library's pure parts.
cb_add_test(NAME test_common SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_common.c)
cb_add_test(NAME test_file SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_file.c)
cb_add_test(NAME test_sched SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sched.c)
cb_add_test(NAME test_results SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_results.c)
cb_add_test(NAME test_bench_options SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_bench_options.c LIBS cbbench)
# cb-p2p --all-pairs: the round runner's pure parts (bench/p2p.c).
cb_add_test(NAME test_p2p_rounds SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_p2p_rounds.c LIBS cbbench)
# The shared flags of all five programs (bench/prog_opts.c).
cb_add_test(NAME test_prog_options SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_prog_options.c
            LIBS cbddp cbgpu cbpreflight)
cb_add_test(NAME test_watchdog SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_watchdog.c)
cb_add_test(NAME test_bench_inflight SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_bench_inflight.c LIBS cbbench)
cb_add_test(NAME test_env SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_env.c)
