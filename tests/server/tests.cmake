# famulor serve in-process: the Server over real loopback HTTP and a real SQLite file.
famulor_test(test_server
  ${CMAKE_CURRENT_LIST_DIR}/server_fixture.cpp
  ${CMAKE_CURRENT_LIST_DIR}/auth_routes_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/access_control_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/limits_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hooks_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hook_commit_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/calls_routes_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/manage_routes_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/reload_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ops_routes_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/serve_gaps_test.cpp)
target_include_directories(test_server PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})

# Floods over loopback (ctest -L load): bounded memory, every answer's status.
add_executable(test_load ${CMAKE_CURRENT_LIST_DIR}/load_test.cpp ${CMAKE_CURRENT_LIST_DIR}/server_fixture.cpp
  $<TARGET_OBJECTS:famulor_catch_main>)
target_link_libraries(test_load PRIVATE famulor_test_support)
target_include_directories(test_load PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
catch_discover_tests(test_load TEST_PREFIX "test_load:" PROPERTIES TIMEOUT 300 LABELS "load;server")
