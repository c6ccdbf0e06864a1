# Cron parsing and next-fire computation (pure, no engine).
famulor_test(test_schedule
  ${CMAKE_CURRENT_LIST_DIR}/cron_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/next_fire_test.cpp)

# The schedule trigger in an engine with a real SQLite store and an injected clock.
famulor_test(test_schedule_engine
  ${CMAKE_CURRENT_LIST_DIR}/schedule_engine_test.cpp)
