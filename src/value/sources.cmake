target_sources(famulor PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/value.cpp
  ${CMAKE_CURRENT_LIST_DIR}/json_paths.cpp
  ${CMAKE_CURRENT_LIST_DIR}/json_check.cpp
  ${CMAKE_CURRENT_LIST_DIR}/json_parse.cpp
  ${CMAKE_CURRENT_LIST_DIR}/json_write.cpp)
