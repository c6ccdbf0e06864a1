# schedule_bench: next-fire and catch-up costs of the schedule trigger (see schedule_bench.cpp).
add_executable(schedule_bench ${CMAKE_CURRENT_LIST_DIR}/schedule_bench.cpp)
target_include_directories(schedule_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(schedule_bench PRIVATE famulor famulor_options)
