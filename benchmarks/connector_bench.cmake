# connector_bench: connector calls through the engine against the sandbox, dry runs, sandbox routing (see connector_bench.cpp).
add_executable(connector_bench ${CMAKE_CURRENT_LIST_DIR}/connector_bench.cpp)
target_include_directories(connector_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(connector_bench PRIVATE famulor famulor_options)
target_compile_definitions(connector_bench PRIVATE FAMULOR_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
