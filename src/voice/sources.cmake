target_sources(famulor PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/call_json.cpp)
