famulor_test(test_voice
  ${CMAKE_CURRENT_LIST_DIR}/call_json_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/call_ended_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/inject_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/call_tool_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/node_cache_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/examples_test.cpp)
target_include_directories(test_voice PRIVATE ${PROJECT_SOURCE_DIR}/tests)
