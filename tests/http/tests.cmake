# HTTP server, router, parser and the fake server used by other tests.
famulor_test(test_http_server
  ${CMAKE_CURRENT_LIST_DIR}/message_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parser_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/router_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/server_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fake_http_server_test.cpp)
