famulor_test(test_store
  ${CMAKE_CURRENT_LIST_DIR}/store_accept_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/store_runs_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/store_file_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/store_crash_test.cpp)

# The engine with a store: restart, resume, durable timers.
famulor_test(test_store_engine
  ${CMAKE_CURRENT_LIST_DIR}/durable_engine_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/durable_wait_test.cpp)

# Operating on runs with a store: retry, cancel, list; error workflows.
famulor_test(test_run_ops
  ${CMAKE_CURRENT_LIST_DIR}/run_ops_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/error_workflow_test.cpp)
