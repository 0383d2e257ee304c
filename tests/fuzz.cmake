# Fuzzing of the parsers that read hostile input (tests/fuzz/): the results
# CSV reader, INI profiles, gate thresholds, sizes/numbers and the options of
# cb-allreduce/cb-p2p. Each tests/fuzz/fuzz_<target>.c defines
# LLVMFuzzerTestOneInput() and is built twice:
#   fuzz_replay_<target>  in every build: replay_main.c runs it over the seed
#                         corpus and the crash regressions (label unit;fuzz)
#                         — under ASan/UBSan in the CB_SANITIZE build;
#   fuzz_<target>         with -DCB_FUZZ=ON (clang): the libFuzzer binary that
#                         tests/fuzz/run.sh drives (test_fuzz_run, label fuzz,
#                         registered in CB_FUZZ builds only).
# Also: the sanitizer environment (LSan suppressions for Open MPI) of every
# test of a CB_SANITIZE or CB_FUZZ build.
set(CB_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR}/fuzz)
set(CB_FUZZ_TARGETS csv profile size options)
set(CB_FUZZ_LIBS_options cbbench)
set(CB_FUZZ_LIBS_gate cbgate)
if(EXISTS ${CMAKE_SOURCE_DIR}/gate/CMakeLists.txt)  # the gate's thresholds parser
  list(APPEND CB_FUZZ_TARGETS gate)
endif()
set(CB_FUZZ_SECONDS 12 CACHE STRING "seconds per target of test_fuzz_run (label fuzz)")

file(GLOB _reg LIST_DIRECTORIES true CONFIGURE_DEPENDS ${CB_FUZZ_DIR}/regressions/*)
foreach(t ${CB_FUZZ_TARGETS})
  add_executable(fuzz_replay_${t} ${CB_FUZZ_DIR}/fuzz_${t}.c ${CB_FUZZ_DIR}/replay_main.c)
  target_link_libraries(fuzz_replay_${t} PRIVATE cbcommon ${CB_FUZZ_LIBS_${t}})
  target_compile_definitions(fuzz_replay_${t} PRIVATE CB_FUZZ_GATE_ROWS="${CB_FUZZ_DIR}/gate_rows.csv")
  set_target_properties(fuzz_replay_${t} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  # The seed corpus must exist (a missing path fails the replay); the crash
  # regressions where a target has any (the glob above re-runs cmake when a
  # regressions/<target> directory appears).
  set(_replay ${CB_FUZZ_DIR}/corpus/${t})
  if(${CB_FUZZ_DIR}/regressions/${t} IN_LIST _reg)
    list(APPEND _replay ${CB_FUZZ_DIR}/regressions/${t})
  endif()
  add_test(NAME test_fuzz_replay_${t} COMMAND fuzz_replay_${t} ${_replay})
  set_tests_properties(test_fuzz_replay_${t} PROPERTIES LABELS "unit;fuzz" TIMEOUT 300)
  list(APPEND CB_FUZZ_ALL fuzz_replay_${t})
  if(CB_FUZZ)
    add_executable(fuzz_${t} ${CB_FUZZ_DIR}/fuzz_${t}.c)
    target_link_libraries(fuzz_${t} PRIVATE cbcommon ${CB_FUZZ_LIBS_${t}})
    target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
    target_compile_definitions(fuzz_${t} PRIVATE CB_FUZZ_GATE_ROWS="${CB_FUZZ_DIR}/gate_rows.csv")
    set_target_properties(fuzz_${t} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
    list(APPEND CB_FUZZ_ALL fuzz_${t})
  endif()
endforeach()
# Bugs found by fuzzing or the sanitizers, as plain cmocka tests.
cb_add_test(NAME test_fuzz_regressions SOURCES ${CB_FUZZ_DIR}/test_regressions.c LIBS cbgate)

# `cmake --build B --target fuzz`: just the fuzz binaries (what scripts/test builds in build-fuzz).
add_custom_target(fuzz DEPENDS ${CB_FUZZ_ALL})

# The libFuzzer run exists only where it can run: in a CB_FUZZ build (a
# registered test that always skips elsewhere would hide a fuzz step that
# never ran; scripts/test runs it in build-fuzz, and CB_REQUIRE=fuzz fails
# when it did not run).
if(CB_FUZZ)
  string(REPLACE ";" " " _targets "${CB_FUZZ_TARGETS}")
  add_test(NAME test_fuzz_run COMMAND bash ${CB_FUZZ_DIR}/run.sh ${CB_FUZZ_SECONDS})
  set_tests_properties(test_fuzz_run PROPERTIES LABELS fuzz SKIP_RETURN_CODE 77 TIMEOUT 900
    ENVIRONMENT "CB_FUZZ_BIN=${CMAKE_BINARY_DIR}/fuzz;CB_FUZZ_ENABLED=${CB_FUZZ};CB_FUZZ_TARGETS=${_targets}")
endif()

# Sanitized builds: every test (registered by any fragment, hence deferred to
# the end of this directory) gets the sanitizer options. Open MPI (MPI_Init in
# the programs the script tests run) leaks by design: tests/lsan.supp names
# only its init/finalize/progress-thread frames, which needs full unwinding
# (Open MPI is built without frame pointers). Our own leaks are still reported.
if(CB_SANITIZE OR CB_FUZZ)
  function(cb_sanitizer_env)
    get_property(tests DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} PROPERTY TESTS)
    foreach(t ${tests})
      set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT
        "ASAN_OPTIONS=fast_unwind_on_malloc=0:detect_stack_use_after_return=1:strict_string_checks=1"
        "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/lsan.supp:print_suppressions=0"
        "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
    endforeach()
  endfunction()
  cmake_language(DEFER DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} CALL cb_sanitizer_env)
endif()
