# engine_bench: in-memory scheduler throughput and per-node overhead (see engine_bench.cpp).
add_executable(engine_bench ${CMAKE_CURRENT_LIST_DIR}/engine_bench.cpp)
target_include_directories(engine_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(engine_bench PRIVATE famulor famulor_options)
