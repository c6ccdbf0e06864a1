famulor_test(test_expr
  ${CMAKE_CURRENT_LIST_DIR}/parser_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/eval_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/template_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/limits_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/time_phone_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/doc_examples_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/injection_test.cpp)
