# The famulor binary itself, run as a user runs it (exit codes, stdout, stderr).
famulor_test(test_cli
  ${CMAKE_CURRENT_LIST_DIR}/cli_process.cpp
  ${CMAKE_CURRENT_LIST_DIR}/runs_cli_test.cpp)
add_dependencies(test_cli famulor_cli)
