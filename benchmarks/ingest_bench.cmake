# Server ingest: POST /v1/hooks/... starting a durable 5-node workflow that calls a loopback sink.
add_executable(ingest_bench ${CMAKE_CURRENT_LIST_DIR}/ingest_bench.cpp)
target_include_directories(ingest_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(ingest_bench PRIVATE famulor famulor_options)
