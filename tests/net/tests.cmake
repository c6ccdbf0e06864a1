famulor_test(test_net
  ${CMAKE_CURRENT_LIST_DIR}/http_client_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/url_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/outbound_policy_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ssrf_bypass_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_request_catalog_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_request_node_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/loopback_server.cpp)
