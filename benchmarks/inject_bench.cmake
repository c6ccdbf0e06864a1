# inject_bench: latency of the call moments in-process (see inject_bench.cpp).
add_executable(inject_bench ${CMAKE_CURRENT_LIST_DIR}/inject_bench.cpp)
target_include_directories(inject_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(inject_bench PRIVATE famulor famulor_options)
target_compile_definitions(inject_bench PRIVATE FAMULOR_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
