# Every third-party dependency, found once. All come from Debian 12's packages
# (see README.md); none appears in a public header.
find_package(Threads REQUIRED)
find_package(simdjson REQUIRED)
find_package(fmt REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(date REQUIRED)  # libhowardhinnant-date-dev: time zones (date::date-tz)

find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
if(NOT TARGET famulor_asio)
  add_library(famulor_asio INTERFACE)
  target_include_directories(famulor_asio SYSTEM INTERFACE ${ASIO_INCLUDE_DIR})
  target_compile_definitions(famulor_asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED ASIO_SEPARATE_COMPILATION)
endif()

# libphonenumber ships no CMake package: E.164 normalisation in expressions.
find_path(PHONENUMBER_INCLUDE_DIR phonenumbers/phonenumberutil.h REQUIRED)
find_library(PHONENUMBER_LIBRARY phonenumber REQUIRED)
if(NOT TARGET famulor_phonenumber)
  add_library(famulor_phonenumber INTERFACE)
  target_include_directories(famulor_phonenumber SYSTEM INTERFACE ${PHONENUMBER_INCLUDE_DIR})
  target_link_libraries(famulor_phonenumber INTERFACE ${PHONENUMBER_LIBRARY})
endif()
