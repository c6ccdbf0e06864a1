famulor_test(test_net
  ${CMAKE_CURRENT_LIST_DIR}/http_client_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/plain_http_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/url_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/outbound_policy_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ssrf_bypass_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_request_catalog_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_request_node_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/loopback_server.cpp)

# The client's cases again with every request through libcurl (the plain-HTTP
# direct path off), so both paths stay covered.
famulor_test(test_net_curl
  ${CMAKE_CURRENT_LIST_DIR}/http_client_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/loopback_server.cpp)
target_compile_definitions(test_net_curl PRIVATE FAMULOR_TEST_CURL_ONLY)
