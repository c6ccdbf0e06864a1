# `cmake --install` layout: headers, libfamulor, the famulor binary, and a package
# config that find_package(famulor) consumes (it finds libfamulor's own link
# dependencies again, since the library is static).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS famulor EXPORT famulorTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/famulor DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET famulor_cli)
  install(TARGETS famulor_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(EXPORT famulorTargets NAMESPACE famulor:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/famulor)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/famulorConfig.cmake.in
  ${PROJECT_BINARY_DIR}/famulorConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/famulor)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/famulorConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/famulorConfig.cmake ${PROJECT_BINARY_DIR}/famulorConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/famulor)
