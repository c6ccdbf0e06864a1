# Cost of the voice-platform adapters per request: verify + parse (src/platforms).
add_executable(voice_adapter_bench ${CMAKE_CURRENT_LIST_DIR}/voice_adapter_bench.cpp)
target_include_directories(voice_adapter_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(voice_adapter_bench PRIVATE FAMULOR_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
target_link_libraries(voice_adapter_bench PRIVATE famulor famulor_options)
