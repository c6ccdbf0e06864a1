// engine/engine_connectors.hpp — what an Engine needs to run connector nodes
// (`<app>.<operation>`): the registry (compiled-in manifests plus
// EngineOptions::connectors_dir), the vault in the engine's database, and the
// ConnectorServices every connector node shares (the engine's HTTP client behind
// the outbound policy, OAuth refresh, dry run, sandbox). Internal API.
//
// Credentials resolve in this order: EngineOptions::credentials (the embedding
// program), then the vault (EngineOptions::db with a master key from
// master_key_file or FAMULOR_MASTER_KEY). In sandbox mode neither is read: nodes
// use placeholder credentials (connectors/placeholder_credentials.hpp).
//
// Thread-safety: built once in the engine's constructor; read-only afterwards
// (the vault and the services are themselves thread-safe).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/registry.hpp"
#include "connectors/services.hpp"
#include "famulor/engine.hpp"
#include "net/http_request_node.hpp"
#include "security/vault.hpp"

namespace famulor::net {
class OutboundPolicy;
}

namespace famulor::detail {

struct EngineConnectors {
  connectors::Registry registry;
  std::unique_ptr<security::Vault> vault;  // nullptr without EngineOptions::db
  std::shared_ptr<connectors::ConnectorServices> services;
  // Node types from connectors_dir (new, or replacing a compiled-in app's).
  std::vector<NodeTypeInfo> extra_types;
  Status error;  // a broken manifest directory or key; start() reports it
};

// Builds the connectors of an engine. Allows the sandbox's host in `policy` (not
// yet shared) when options.sandbox_url is set.
std::unique_ptr<EngineConnectors> make_engine_connectors(const EngineOptions& options, net::NetServices net,
                                                         net::OutboundPolicy& policy);

// "127.0.0.1" from "http://127.0.0.1:4010/x" ("::1" from "http://[::1]:80"); "" when unreadable.
std::string url_host(const std::string& url);

}  // namespace famulor::detail
