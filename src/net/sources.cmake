target_sources(famulor PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/http_client.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_response.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_transfer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/plain_http.cpp
  ${CMAKE_CURRENT_LIST_DIR}/response_parser.cpp
  ${CMAKE_CURRENT_LIST_DIR}/url.cpp
  ${CMAKE_CURRENT_LIST_DIR}/form.cpp
  ${CMAKE_CURRENT_LIST_DIR}/outbound_policy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_request_node.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_request_type.cpp)
