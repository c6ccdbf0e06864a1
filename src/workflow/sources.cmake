target_sources(famulor PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/builtin_catalog.cpp
  ${CMAKE_CURRENT_LIST_DIR}/builtin_checks.cpp
  ${CMAKE_CURRENT_LIST_DIR}/catalog.cpp
  ${CMAKE_CURRENT_LIST_DIR}/document_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/expr_check.cpp
  ${CMAKE_CURRENT_LIST_DIR}/graph_check.cpp
  ${CMAKE_CURRENT_LIST_DIR}/node_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/param_check.cpp
  ${CMAKE_CURRENT_LIST_DIR}/problems.cpp
  ${CMAKE_CURRENT_LIST_DIR}/suggest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/workflow.cpp)
