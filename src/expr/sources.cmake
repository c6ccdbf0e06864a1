target_sources(famulor PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/lexer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parser.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fold.cpp
  ${CMAKE_CURRENT_LIST_DIR}/eval.cpp
  ${CMAKE_CURRENT_LIST_DIR}/operators.cpp
  ${CMAKE_CURRENT_LIST_DIR}/template.cpp
  ${CMAKE_CURRENT_LIST_DIR}/value_template.cpp
  ${CMAKE_CURRENT_LIST_DIR}/functions.cpp
  ${CMAKE_CURRENT_LIST_DIR}/functions_string.cpp
  ${CMAKE_CURRENT_LIST_DIR}/functions_encoding.cpp
  ${CMAKE_CURRENT_LIST_DIR}/functions_number.cpp
  ${CMAKE_CURRENT_LIST_DIR}/functions_list.cpp
  ${CMAKE_CURRENT_LIST_DIR}/functions_object.cpp
  ${CMAKE_CURRENT_LIST_DIR}/functions_types.cpp
  ${CMAKE_CURRENT_LIST_DIR}/functions_time.cpp
  ${CMAKE_CURRENT_LIST_DIR}/functions_phone.cpp)
