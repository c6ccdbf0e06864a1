// connectors/placeholder_credentials.hpp — the credential a node uses in sandbox
// mode (EngineOptions::sandbox_url, `famulor run --sandbox`).
//
// Sandbox runs never read the vault: each node gets fields for the app's first
// auth kind, filled with "sandbox-<app>" values the sandbox accepts (it checks
// that credentials are present, not what they are), plus every per-account host
// field the base URL names and the webhook-URL field an operation reads. No real
// secret is needed and none can leak to the fake.
//
// Thread-safety: a pure function.
#pragma once

#include "connectors/manifest.hpp"
#include "famulor/value.hpp"

namespace famulor::connectors {

Value placeholder_credential(const Manifest& manifest);

}  // namespace famulor::connectors
