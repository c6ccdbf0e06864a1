famulor_test(test_security
  ${CMAKE_CURRENT_LIST_DIR}/aead_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vault_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/contact_redactor_test.cpp)
