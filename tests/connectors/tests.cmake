famulor_test(test_connectors
  ${CMAKE_CURRENT_LIST_DIR}/harness.cpp
  ${CMAKE_CURRENT_LIST_DIR}/runtime_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/oauth_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/apps_crm_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/apps_messaging_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/apps_google_stripe_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/apps_ai_test.cpp)
