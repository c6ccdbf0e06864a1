target_sources(famulor PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/asio_impl.cpp
  ${CMAKE_CURRENT_LIST_DIR}/status.cpp
  ${CMAKE_CURRENT_LIST_DIR}/run_record.cpp
  ${CMAKE_CURRENT_LIST_DIR}/clock.cpp
  ${CMAKE_CURRENT_LIST_DIR}/duration.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cache_policy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/io_pool.cpp)
