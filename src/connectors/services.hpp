// connectors/services.hpp — what connector nodes need from the engine: the vault,
// a Transport (the async HTTP client), the OAuth refresher, and the run mode
// (dry run, sandbox).
//
// Thread-safety: set up once before nodes are created; read-only afterwards.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "connectors/auth.hpp"
#include "connectors/http_exchange.hpp"

namespace famulor::security {
class Vault;
}
namespace famulor::detail {
struct Reliability;
}

namespace famulor::connectors {

struct ConnectorServices {
  // Asked first for a node's credential fields (EngineOptions::credentials);
  // nullopt falls back to the vault.
  std::function<std::optional<Value>(const std::string& name)> credentials;
  security::Vault* vault = nullptr;  // nullptr: nodes that need a credential fail clearly
  Transport transport;               // empty: calls fail with unavailable (unless dry_run)
  std::shared_ptr<OAuthRefresher> oauth;
  // Calls are not sent: each node succeeds with {"dry_run": true, "request": {...}}
  // (method, URL, redacted headers and body).
  bool dry_run = false;
  // When set, every app's base URL is "<sandbox_url>/<app>" (famulor --sandbox).
  std::string sandbox_url;
  // Nodes use placeholder_credential() instead of reading a credential (sandbox runs).
  bool placeholder_credentials = false;
  int max_pages_default = 10;
  // Circuit breakers (per app), rate limits (per credential) and the timers a
  // rate-limited call waits on; nullptr = none (docs/durability.md).
  detail::Reliability* reliability = nullptr;

  // What one connector node call did, for the audit log: no params, no bodies.
  struct CallRecord {
    std::string workflow, run_id, node, app, operation;
    StatusCode code = StatusCode::ok;
    int http_status = 0;
    std::int64_t duration_ms = 0;
  };
  // Called once per finished node call (not for dry runs).
  // [Threading] on any thread; must be quick and must not throw.
  std::function<void(const CallRecord&)> on_call;
};

}  // namespace famulor::connectors
