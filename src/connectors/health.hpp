// connectors/health.hpp — an app's health check: the cheap authenticated request
// its manifest declares under "health" (e.g. Slack's auth.test), sent like any
// operation (credential, auth, base URL overrides, sandbox, outbound policy).
// GET /v1/health/connectors is built on it.
//
// Thread-safety: like run_connector_call(); `done` is called once, on any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "connectors/manifest.hpp"
#include "connectors/services.hpp"
#include "famulor/status.hpp"
#include "famulor/value.hpp"

namespace famulor::connectors {

// `done` gets {"app", "ok": true, "response": <the app's answer>} when the app
// answered 2xx, else the call's error (unauthenticated for a rejected credential,
// unavailable when unreachable...). not_found when the manifest has no health check.
void check_connector_health(std::shared_ptr<const Manifest> manifest, std::shared_ptr<const ConnectorServices> services,
                            std::string credential, std::function<void(Result<Value>)> done);

}  // namespace famulor::connectors
