# Inbound HTTP server throughput (src/http): keep-alive requests/s with a trivial handler.
add_executable(http_server_bench ${CMAKE_CURRENT_LIST_DIR}/http_server_bench.cpp)
target_include_directories(http_server_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(http_server_bench PRIVATE famulor famulor_options)
