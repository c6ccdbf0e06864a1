# The voice-platform adapters (src/platforms) and the /v1/voice/* routes.
famulor_test(test_voice_adapters
  ${CMAKE_CURRENT_LIST_DIR}/adapters_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/signatures_test.cpp)
target_include_directories(test_voice_adapters PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
