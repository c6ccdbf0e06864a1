# The famulor binary, run as a user runs it (exit codes, stdout, stderr).
famulor_test(test_cli
  ${CMAKE_CURRENT_LIST_DIR}/famulor_process.cpp
  ${CMAKE_CURRENT_LIST_DIR}/runs_cli_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/connectors_cli_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/credentials_cli_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/serve_cli_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/serve_voice_cli_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/security_cli_test.cpp)
target_include_directories(test_cli PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
add_dependencies(test_cli famulor_cli)
