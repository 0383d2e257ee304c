# DDP break-even model (common/cb_ddp.h, common/cb_workload.h) and the
# `clusterbench breakeven` command (report/cmd_breakeven.c).
cb_add_test(NAME test_ddp_buckets SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ddp_buckets.c)
cb_add_test(NAME test_ddp_timeline SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ddp_timeline.c)
cb_add_test(NAME test_ddp_breakeven SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ddp_breakeven.c)
