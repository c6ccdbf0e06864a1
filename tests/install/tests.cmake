# The installed tree is consumable with find_package(famulor) (release builds only:
# the sanitizer build's flags are not what users install).
if(NOT FAMULOR_SANITIZE AND FAMULOR_INSTALL AND FAMULOR_BUILD_CLI)
  add_test(NAME install:find_package_consumer
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/install_consumer.sh ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
  set_tests_properties(install:find_package_consumer PROPERTIES TIMEOUT 600 LABELS install)
endif()
