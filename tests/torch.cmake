# cb-ddp-torch, the real PyTorch DDP probe (bench/ddp_torch/, Python for
# /usr/bin/python3): its pure parts with unittest (label unit: no torch
# needed), and the probe for real on 2 local ranks over gloo (label torch;
# skips without torch).
cb_add_script_test(NAME test_ddp_torch_pure
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/torch/test_ddp_torch_pure.py LABELS unit)
cb_add_script_test(NAME test_ddp_torch_local
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/torch/test_ddp_torch_local.sh LABELS torch)
set_property(TEST test_ddp_torch_local APPEND PROPERTY ENVIRONMENT
  "CB_CSV_EXPECT=${CMAKE_BINARY_DIR}/tests/cb_csv_expect")
set_tests_properties(test_ddp_torch_local PROPERTIES TIMEOUT 300)
