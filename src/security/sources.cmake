target_sources(famulor PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/base64.cpp
  ${CMAKE_CURRENT_LIST_DIR}/aead.cpp
  ${CMAKE_CURRENT_LIST_DIR}/master_key.cpp
  ${CMAKE_CURRENT_LIST_DIR}/credential_records.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vault.cpp
  ${CMAKE_CURRENT_LIST_DIR}/redact.cpp
  ${CMAKE_CURRENT_LIST_DIR}/contact_redactor.cpp
  # The vault's SQLite table lives with the other SQL (listed here so that the
  # store's own sources.cmake stays the store engineer's).
  ${CMAKE_CURRENT_LIST_DIR}/../store/sqlite_credential_records.cpp)
