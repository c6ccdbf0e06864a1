famulor_test(test_store
  ${CMAKE_CURRENT_LIST_DIR}/store_accept_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/store_runs_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/store_file_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/store_crash_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/store_packed_test.cpp)

# The engine with a store: restart, resume, durable timers.
famulor_test(test_store_engine
  ${CMAKE_CURRENT_LIST_DIR}/durable_engine_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/durable_wait_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/early_accept_test.cpp)

# Operating on runs with a store: retry, cancel, list; error workflows.
famulor_test(test_run_ops
  ${CMAKE_CURRENT_LIST_DIR}/run_ops_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/error_workflow_test.cpp)

# The crash test: crash_child is killed with SIGKILL and restarted against a
# loopback HTTP sink. Label "crash" (ctest -L crash); fewer runs under the
# sanitizers to stay near a minute.
add_executable(crash_child ${CMAKE_CURRENT_LIST_DIR}/crash_child.cpp)
target_link_libraries(crash_child PRIVATE famulor famulor_options)
add_executable(test_store_crash ${CMAKE_CURRENT_LIST_DIR}/crash_test.cpp $<TARGET_OBJECTS:famulor_catch_main>)
target_link_libraries(test_store_crash PRIVATE famulor_test_support)
target_compile_definitions(test_store_crash PRIVATE CRASH_CHILD_PATH="$<TARGET_FILE:crash_child>"
                           $<$<BOOL:${FAMULOR_SANITIZE}>:CRASH_DEFAULT_RUNS=300>)
add_dependencies(test_store_crash crash_child)
catch_discover_tests(test_store_crash TEST_PREFIX "test_store_crash:" PROPERTIES TIMEOUT 300 LABELS "crash;store")

# The audit log: store, retention, connector calls.
famulor_test(test_audit ${CMAKE_CURRENT_LIST_DIR}/audit_test.cpp)

# Data protection: privacy erase on a real file, store_transcript.
famulor_test(test_privacy ${CMAKE_CURRENT_LIST_DIR}/privacy_test.cpp)
