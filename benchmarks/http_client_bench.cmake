# Outbound HTTP client throughput (src/net) against the tests' loopback server.
add_executable(http_client_bench
  ${CMAKE_CURRENT_LIST_DIR}/http_client_bench.cpp
  ${PROJECT_SOURCE_DIR}/tests/net/loopback_server.cpp)
target_include_directories(http_client_bench PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests/net)
target_link_libraries(http_client_bench PRIVATE famulor famulor_options famulor_asio)
