target_sources(famulor PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/manifest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/json_path.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_exchange.cpp
  ${CMAKE_CURRENT_LIST_DIR}/request_builder.cpp
  ${CMAKE_CURRENT_LIST_DIR}/derive.cpp
  ${CMAKE_CURRENT_LIST_DIR}/errors.cpp
  ${CMAKE_CURRENT_LIST_DIR}/auth.cpp
  ${CMAKE_CURRENT_LIST_DIR}/connector_node.cpp
  ${CMAKE_CURRENT_LIST_DIR}/node_factory.cpp
  ${CMAKE_CURRENT_LIST_DIR}/registry.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client_transport.cpp
  ${CMAKE_CURRENT_LIST_DIR}/catalog_types.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sandbox.cpp
  ${CMAKE_CURRENT_LIST_DIR}/placeholder_credentials.cpp
  ${CMAKE_CURRENT_LIST_DIR}/health.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sandbox_server.cpp)

# The manifests in connectors/ are compiled in: one generated .cpp holds them all.
file(GLOB famulor_connector_manifests CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/connectors/*.json)
set(famulor_embedded_manifests ${PROJECT_BINARY_DIR}/generated/embedded_manifests.cpp)
add_custom_command(
  OUTPUT ${famulor_embedded_manifests}
  COMMAND ${CMAKE_COMMAND} -DDIR=${PROJECT_SOURCE_DIR}/connectors -DOUT=${famulor_embedded_manifests}
          -P ${CMAKE_CURRENT_LIST_DIR}/embed_manifests.cmake
  DEPENDS ${famulor_connector_manifests} ${CMAKE_CURRENT_LIST_DIR}/embed_manifests.cmake
  COMMENT "Embedding connector manifests"
  VERBATIM)
target_sources(famulor PRIVATE ${famulor_embedded_manifests})
