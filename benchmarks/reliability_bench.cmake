# reliability_bench: per-call cost of circuit breakers and rate limiters (see reliability_bench.cpp).
add_executable(reliability_bench ${CMAKE_CURRENT_LIST_DIR}/reliability_bench.cpp)
target_include_directories(reliability_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(reliability_bench PRIVATE famulor famulor_options)
