famulor_test(test_nodes
  ${CMAKE_CURRENT_LIST_DIR}/logic_nodes_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/async_nodes_test.cpp)
