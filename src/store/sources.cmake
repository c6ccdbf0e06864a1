target_sources(famulor PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/sqlite_db.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sqlite_schema.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sqlite_store.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sqlite_writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sqlite_reads.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sqlite_token_records.cpp
  ${CMAKE_CURRENT_LIST_DIR}/audit_json.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sqlite_erase.cpp
  ${CMAKE_CURRENT_LIST_DIR}/packed_nodes.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sqlite_wal.cpp)
