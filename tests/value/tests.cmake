famulor_test(test_value
  ${CMAKE_CURRENT_LIST_DIR}/value_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/json_parse_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/json_write_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/source_map_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/json_robustness_test.cpp)
