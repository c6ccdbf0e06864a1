# Connector requests against the vendors' API descriptions, validated by Stoplight
# Prism (cmake/install-deps.sh installs it into .deps/prism). One ctest test for the
# whole executable, so each Prism starts once: label `spec`.
#
# Not registered in the sanitizer build: this test checks request shapes only; the
# C++ it runs (request builder, connector runtime, HTTP client) is what
# test_connectors' loopback cases run under ASan+UBSan, and six Node processes
# loading 9 MB of descriptions would compete with the sanitizer suite for the CPUs.
add_executable(test_spec
  ${CMAKE_CURRENT_LIST_DIR}/conformance_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/prism_mock.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../connectors/harness.cpp)
target_link_libraries(test_spec PRIVATE famulor_test_support)
if(NOT FAMULOR_SANITIZE)
  add_test(NAME test_spec COMMAND test_spec --durations yes)
  set_tests_properties(test_spec PROPERTIES LABELS spec TIMEOUT 600)
endif()
