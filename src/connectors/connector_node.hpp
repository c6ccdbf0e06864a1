// connectors/connector_node.hpp — the Node behind every `<app>.<operation>` type.
//
// At install time the factory compiles the operation and remembers the node's
// credential name. Each invoke(): prepares params (defaults, derived fields,
// checks), reads the credential from the vault, builds the request, applies auth
// (refreshing OAuth tokens before expiry and once after a 401), sends it with the
// run's idempotency key where the app honours one, follows pagination, and
// succeeds with the extracted output or fails with a Status that carries the
// app's own error text. Secrets are redacted from every message.
//
// Thread-safety: invoke() may run concurrently for many runs; all per-call state
// lives in the call.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "connectors/manifest.hpp"
#include "connectors/services.hpp"
#include "famulor/node.hpp"

namespace famulor::connectors {

struct CallInput {
  Value params;             // the node's params, templates already evaluated
  std::string credential;   // vault name ("" = none)
  std::string idempotency_key;
  std::string workflow;  // the calling workflow's id, for credentials restricted to workflows ("" = not a run)
  // True once the node's run was cancelled: a call waiting for a rate-limit token
  // is then not sent. Empty = never.
  std::function<bool()> cancelled;
};

class CompiledOperation;

// What a call reports besides its result.
struct CallInfo {
  // The app answered 429/503 with Retry-After: a retry should wait at least this.
  std::chrono::milliseconds retry_after{0};
  int http_status = 0;  // of the last response (0: none came)
};

// One call of one operation, without the engine (the Node below wraps it; tests
// and the sandbox call it directly). `done` is called exactly once, on any thread.
void run_connector_call(std::shared_ptr<const Manifest> manifest, std::shared_ptr<const CompiledOperation> op,
                        std::shared_ptr<const ConnectorServices> services, CallInput input,
                        std::function<void(Result<Value>)> done);
// The same, with the CallInfo (the engine's node passes Retry-After on to its retry).
void run_connector_call(std::shared_ptr<const Manifest> manifest, std::shared_ptr<const CompiledOperation> op,
                        std::shared_ptr<const ConnectorServices> services, CallInput input,
                        std::function<void(Result<Value>, const CallInfo&)> done);

// The factory for `<app>.<op>`. `manifest` must stay alive as long as the nodes.
NodeFactory make_connector_node_factory(std::shared_ptr<const Manifest> manifest, std::string operation,
                                        std::shared_ptr<const ConnectorServices> services);

}  // namespace famulor::connectors
