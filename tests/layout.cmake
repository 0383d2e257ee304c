# The layout: no circular file dependencies and arrows pointing down between
# folders (scripts/check-includes), with broken copies it must refuse.
cb_add_script_test(NAME test_layout_no_cycles LABELS unit
                   COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/layout/test_no_cycles.sh)
