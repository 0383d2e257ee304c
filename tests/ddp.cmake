# DDP break-even model (common/cb_ddp.h with its calibration in
# common/ddp_calib.c, common/cb_workload.h) and the
# `clusterbench breakeven` command (cli/cmd_breakeven.c).
cb_add_test(NAME test_ddp_buckets SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ddp_buckets.c)
cb_add_test(NAME test_ddp_timeline SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ddp_timeline.c)
cb_add_test(NAME test_ddp_breakeven SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ddp_breakeven.c)
cb_add_test(NAME test_ddp_whatif SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ddp_whatif.c)
cb_add_test(NAME test_whatif SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_whatif.c)
cb_add_test(NAME test_ddp_calib SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ddp_calib.c)
cb_add_test(NAME test_ddp_curve SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ddp_curve.c)
cb_add_test(NAME test_ddp_verdict SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ddp_verdict.c)
cb_add_test(NAME test_ddp_workload SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ddp_workload.c)
cb_add_test(NAME test_breakeven_cli SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_breakeven_cli.c
            LIBS cbcli ARGS errors)
cb_add_test(NAME test_breakeven_golden SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_breakeven_cli.c
            LIBS cbcli ARGS golden)
