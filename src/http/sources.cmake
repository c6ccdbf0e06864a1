# src/http: every .cpp in this folder (the server and the client both live here).
file(GLOB famulor_http_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cpp)
target_sources(famulor PRIVATE ${famulor_http_sources})
