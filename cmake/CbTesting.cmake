# The environment of every test: where the data, the binaries and the sources
# are, and what this build has (the GPU tests fail rather than skip where a
# GPU is present but the build lacks CUDA or NCCL: tests/gpu/gpu_lib.sh).
set(CB_TEST_ENV "CB_TEST_DATA=${CMAKE_SOURCE_DIR}/tests/data;CB_BIN=${CMAKE_BINARY_DIR}/bin;CB_SOURCE_DIR=${CMAKE_SOURCE_DIR};CB_HAVE_CUDA=${CB_HAVE_CUDA};CB_HAVE_NCCL=${CB_HAVE_NCCL}")

# cb_add_test(NAME name SOURCES ... [LIBS ...] [LABELS ...] [ARGS ...])
# The one way tests are registered: builds a cmocka executable from SOURCES,
# links cbcommon + cmocka + LIBS, and adds it to ctest with the labels given
# ("unit" when none). Tests run from the build dir with CB_TEST_DATA set to
# tests/data in the source tree. Without cmocka the test is still registered,
# as a stand-in that fails saying why: a missing cmocka shows in ctest's
# summary as every unit test failing, not as fewer tests.
function(cb_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS;ARGS" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT CMOCKA_FOUND)
    add_test(NAME ${T_NAME} COMMAND sh -c
      "echo 'FAIL: ${T_NAME} not built: cmocka not found when configuring (scripts/setup-deps installs libcmocka-dev)'; exit 1")
    set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}")
    return()
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE cbcommon PkgConfig::CMOCKA ${T_LIBS})
  target_include_directories(${T_NAME} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  set_target_properties(${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME ${T_NAME} COMMAND ${T_NAME} ${T_ARGS})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" ENVIRONMENT "${CB_TEST_ENV}"
    SKIP_RETURN_CODE 77)
endfunction()

# cb_add_script_test(NAME name COMMAND ... [LABELS ...])
# Registers a shell/integration test; exit 77 means skipped (with the reason
# printed by the script).
function(cb_add_script_test)
  cmake_parse_arguments(T "" "NAME" "COMMAND;LABELS" ${ARGN})
  add_test(NAME ${T_NAME} COMMAND ${T_COMMAND})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}"
    ENVIRONMENT "${CB_TEST_ENV};OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"
    SKIP_RETURN_CODE 77)
endfunction()
