# Evaluation cost of compiled expression templates (src/expr).
add_executable(expr_bench ${CMAKE_CURRENT_LIST_DIR}/expr_bench.cpp)
target_include_directories(expr_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(expr_bench PRIVATE famulor famulor_options)
