famulor_test(test_engine
  ${CMAKE_CURRENT_LIST_DIR}/scheduler_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/errors_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/engine_api_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/connector_engine_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/credential_scope_test.cpp)
