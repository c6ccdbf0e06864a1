target_sources(famulor PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cron_parse.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cron_match.cpp
  ${CMAKE_CURRENT_LIST_DIR}/zone.cpp
  ${CMAKE_CURRENT_LIST_DIR}/schedule.cpp)
