famulor_test(test_voice
  ${CMAKE_CURRENT_LIST_DIR}/call_json_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/call_ended_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/inject_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/call_tool_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/node_cache_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/examples_test.cpp)
target_include_directories(test_voice PRIVATE ${PROJECT_SOURCE_DIR}/tests)

# The voice-platform adapters (src/platforms) and the /v1/voice/* routes.
famulor_test(test_voice_adapters
  ${CMAKE_CURRENT_LIST_DIR}/adapters_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/signatures_test.cpp)
target_include_directories(test_voice_adapters PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})

# The /v1/voice/* routes end to end through a Server (needs the engine's call API).
famulor_test(test_voice_routes
  ${CMAKE_CURRENT_LIST_DIR}/routes_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../server/server_fixture.cpp)
target_include_directories(test_voice_routes PRIVATE ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_LIST_DIR}/../server)
