add_executable(store_bench ${CMAKE_CURRENT_LIST_DIR}/store_bench.cpp)
target_link_libraries(store_bench PRIVATE famulor famulor_options)
target_include_directories(store_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
