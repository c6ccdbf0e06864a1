# famulor serve in-process: the Server over real loopback HTTP and a real SQLite file.
famulor_test(test_server
  ${CMAKE_CURRENT_LIST_DIR}/server_fixture.cpp
  ${CMAKE_CURRENT_LIST_DIR}/auth_routes_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/access_control_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/limits_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hooks_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/manage_routes_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/reload_test.cpp)
target_include_directories(test_server PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
