target_sources(famulor PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/logic_nodes.cpp
  ${CMAKE_CURRENT_LIST_DIR}/foreach_node.cpp
  ${CMAKE_CURRENT_LIST_DIR}/subworkflow_node.cpp
  ${CMAKE_CURRENT_LIST_DIR}/wait_node.cpp)
