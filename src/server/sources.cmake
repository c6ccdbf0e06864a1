# src/server: `famulor serve` as a library (Server, routes, tokens, signatures).
file(GLOB famulor_server_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cpp)
target_sources(famulor PRIVATE ${famulor_server_sources})
