target_sources(famulor PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/compile.cpp
  ${CMAKE_CURRENT_LIST_DIR}/engine.cpp
  ${CMAKE_CURRENT_LIST_DIR}/durable.cpp
  ${CMAKE_CURRENT_LIST_DIR}/engine_impl.cpp
  ${CMAKE_CURRENT_LIST_DIR}/error_workflow.cpp
  ${CMAKE_CURRENT_LIST_DIR}/engine_connectors.cpp
  ${CMAKE_CURRENT_LIST_DIR}/journal.cpp
  ${CMAKE_CURRENT_LIST_DIR}/limits.cpp
  ${CMAKE_CURRENT_LIST_DIR}/node_call.cpp
  ${CMAKE_CURRENT_LIST_DIR}/operations.cpp
  ${CMAKE_CURRENT_LIST_DIR}/runs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/schedule_trigger.cpp
  ${CMAKE_CURRENT_LIST_DIR}/scheduler.cpp
  ${CMAKE_CURRENT_LIST_DIR}/timer.cpp)
